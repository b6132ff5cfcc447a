/** The phones' password vault (phones' `PasswordVault` port) over sealed secrets: readable only with the provisioning key. */
import type { PasswordVault } from '../phones/index.js';
import type { Keyring } from './keyring.js';
import type { SealedSecretRepository } from './ports.js';

const nameOf = (number: string): string => `extension-password:${number}`;

export class SealedPasswords implements PasswordVault {
  constructor(
    private readonly secrets: SealedSecretRepository,
    private readonly keyring: Keyring,
  ) {}

  keep(number: string, password: string): void {
    this.secrets.put(nameOf(number), this.keyring.seal(nameOf(number), password));
  }

  forget(number: string): void {
    this.secrets.remove(nameOf(number));
  }

  /** The extension's password, when one was kept (set while provisioning was on) and opens with this key. */
  reveal(number: string): string | undefined {
    const sealed = this.secrets.get(nameOf(number));
    return sealed === undefined ? undefined : this.keyring.open(nameOf(number), sealed);
  }
}
