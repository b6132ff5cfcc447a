/** Why the contacts service refused: one error type with a stable `contacts.<kind>` code the HTTP API and CLI map. */
import { HometelError } from '../base/index.js';

/**
 * - `invalid`: a contact (or a list request) breaks a rule; the message says which;
 * - `not-found`: no contact with this id;
 * - `too-large`: an import file over the size limit;
 * - `unreadable`: an import file that cannot be read at all (not text in a known encoding, or its reader gave up on
 *   the whole file); single unreadable records are problems of the import report instead.
 */
export type ContactErrorKind = 'invalid' | 'not-found' | 'too-large' | 'unreadable';

export class ContactError extends HometelError {
  readonly code: `contacts.${ContactErrorKind}`;

  constructor(
    readonly kind: ContactErrorKind,
    message: string,
  ) {
    super(message);
    this.name = 'ContactError';
    this.code = `contacts.${kind}`;
  }
}
