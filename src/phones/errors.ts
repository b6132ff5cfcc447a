/** Why the phones service refused: one error type with a stable `phones.<kind>` code the HTTP API and CLI map. */
import { HometelError } from '../base/index.js';

/**
 * - `invalid`: an extension breaks a rule (number, password, names); the message says which;
 * - `exists`: the number is taken;
 * - `not-found`: no extension with this number.
 */
export type PhonesErrorKind = 'invalid' | 'exists' | 'not-found';

export class PhonesError extends HometelError {
  readonly code: `phones.${PhonesErrorKind}`;

  constructor(
    readonly kind: PhonesErrorKind,
    message: string,
  ) {
    super(message);
    this.name = 'PhonesError';
    this.code = `phones.${kind}`;
  }
}
