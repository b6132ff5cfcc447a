/** The phones service over the store, for `hometel start` and the `hometel phones` commands alike. */
import type { Clock, Logger } from '../base/index.js';
import { PhonesService } from '../phones/index.js';
import { SqliteBindingRepository, SqliteExtensionRepository, type Store } from '../store/index.js';

export function phonesOver(store: Store, realm: string, clock: Clock, logger: Logger): PhonesService {
  return new PhonesService({ extensions: new SqliteExtensionRepository(store), bindings: new SqliteBindingRepository(store), realm, clock, logger: logger.child('phones') });
}
