/** Why the account service refused: one error type with a stable `accounts.<kind>` code the HTTP API maps to a status. */
import { HometelError } from '../base/index.js';

/**
 * - `setup-invalid`: the setup token is unknown or was used already;
 * - `setup-done`: the admin password is set, setup cannot run again;
 * - `weak-password`: the new password breaks the rule (the message says the rule);
 * - `wrong-password`: the password is wrong — also when no admin password exists yet, so the answer tells nothing;
 * - `rate-limited`: too many failed attempts from this source; `retryAfterMs` says when to try again;
 * - `label-invalid`: an API token's label is empty, too long or has control characters;
 * - `not-found`: no such API token or session.
 */
export type AccountErrorKind = 'setup-invalid' | 'setup-done' | 'weak-password' | 'wrong-password' | 'rate-limited' | 'label-invalid' | 'not-found';

export class AccountError extends HometelError {
  readonly code: `accounts.${AccountErrorKind}`;

  constructor(
    readonly kind: AccountErrorKind,
    message: string,
    /** For `rate-limited`: how long until the source may try again. */
    readonly retryAfterMs?: number,
  ) {
    super(message);
    this.name = 'AccountError';
    this.code = `accounts.${kind}`;
  }
}
