/** The provisioning key and the sealed passwords of a store, shared by `hometel start` and the CLI. */
import { Keyring, SealedPasswords } from '../provisioning/index.js';
import { SqliteSealedSecretRepository, type Store } from '../store/index.js';

export interface ProvisioningKeys {
  readonly keyring: Keyring;
  readonly passwords: SealedPasswords;
}

export function provisioningKeys(store: Store, dataDir: string): ProvisioningKeys {
  const keyring = Keyring.inDataDir(dataDir);
  return { keyring, passwords: new SealedPasswords(new SqliteSealedSecretRepository(store), keyring) };
}
