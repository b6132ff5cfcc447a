/**
 * The accounts of the web application over hometel's store: what `hometel start` serves with and what
 * `hometel web …` changes from the shell (the store is SQLite in WAL mode, so both may have it open at once).
 */
import { AccountService } from '../accounts/index.js';
import { resolveInterface, type Clock, type Logger } from '../base/index.js';
import { SqliteAccountRepository, Store } from '../store/index.js';
import type { HometelConfig, WebConfig } from './config.js';

export function accountsOver(store: Store, clock: Clock, logger: Logger): AccountService {
  return new AccountService({ repository: new SqliteAccountRepository(store), clock, logger: logger.child('accounts') });
}

/** The web application's setup page for a token (the fragment never reaches a server or its logs). */
export function setupLink(baseUrl: string, token: string): string {
  return `${baseUrl.replace(/\/?$/, '/')}setup#token=${token}`;
}

/** Where the configured web application is reached (port 0: a port chosen at start, so only the path is known). */
export function webBaseUrl(web: WebConfig): string {
  const address = resolveInterface(web.interface).address;
  return web.port === 0 ? '' : `http://${address}:${web.port}/`;
}

export interface OpenAccounts {
  readonly accounts: AccountService;
  readonly baseUrl: string;
  close(): void;
}

/** The accounts in the config's store, for a command that runs next to (or without) `hometel start`. */
export function openAccounts(config: HometelConfig, clock: Clock, logger: Logger): OpenAccounts {
  const store = Store.open(config.dataDir);
  return { accounts: accountsOver(store, clock, logger), baseUrl: config.web ? webBaseUrl(config.web) : '', close: () => store.close() };
}
