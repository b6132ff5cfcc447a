/** Why the provisioning service refused: one error type with a stable `provisioning.<kind>` code the HTTP API and CLI map. */
import { HometelError } from '../base/index.js';

/**
 * - `invalid`: bad input (a MAC, a vendor, an extension number); the message says which;
 * - `not-found`: no such device, or no such extension to enroll it to;
 * - `conflict`: the extension is full (auto-enrollment found no free number) or the device is enrolled already.
 */
export type ProvisioningErrorKind = 'invalid' | 'not-found' | 'conflict';

export class ProvisioningError extends HometelError {
  readonly code: `provisioning.${ProvisioningErrorKind}`;

  constructor(
    readonly kind: ProvisioningErrorKind,
    message: string,
  ) {
    super(message);
    this.name = 'ProvisioningError';
    this.code = `provisioning.${kind}`;
  }
}
