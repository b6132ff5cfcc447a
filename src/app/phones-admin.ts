/** The phones service over the store, for `hometel start` and the `hometel phones` commands alike. */
import type { Clock, Logger } from '../base/index.js';
import { PhonesService, type PasswordVault } from '../phones/index.js';
import { SqliteBindingRepository, SqliteExtensionRepository, Store } from '../store/index.js';
import type { HometelConfig } from './config.js';
import { provisioningKeys } from './provisioning-keys.js';

/** `vault`: where passwords are kept readable for provisioned phones (issue 15), when provisioning is on. */
export function phonesOver(store: Store, realm: string, clock: Clock, logger: Logger, vault?: PasswordVault): PhonesService {
  return new PhonesService({ extensions: new SqliteExtensionRepository(store), bindings: new SqliteBindingRepository(store), realm, clock, logger: logger.child('phones'), ...(vault ? { vault } : {}) });
}

/**
 * The realm the registrar uses: the config's, else its default, also while `phones` is off — so extensions made
 * before the registrar is switched on have HA1 values it accepts.
 */
export function phonesRealm(config: Pick<HometelConfig, 'phones'>): string {
  return config.phones ? config.phones.registrar.realm : 'hometel';
}

export interface OpenPhones {
  readonly phones: PhonesService;
  close(): void;
}

/** The extensions in the config's store, for `hometel phones …` next to (or without) `hometel start`. */
export function openPhones(config: HometelConfig, clock: Clock, logger: Logger): OpenPhones {
  const store = Store.open(config.dataDir);
  const vault = config.provisioning ? provisioningKeys(store, config.dataDir).passwords : undefined;
  return { phones: phonesOver(store, phonesRealm(config), clock, logger, vault), close: () => store.close() };
}
