/**
 * The home's address book over hometel's store: what `hometel start` serves (to the Telephony Servers as their
 * caller directory, to the web application and the AddressBook service) and what `hometel contacts …` changes from
 * the shell (SQLite in WAL mode: both may have the store open at once).
 */
import type { Clock, Logger } from '../base/index.js';
import { ContactsService } from '../contacts/index.js';
import { SqliteContactRepository, Store } from '../store/index.js';
import type { CallerDirectory } from '../telephony/domain/index.js';
import type { HometelConfig } from './config.js';

/** The largest file an import reads (the web application refuses a larger upload before reading it). */
export const maxImportBytes = 20 * 1024 * 1024;

export function contactsOver(store: Store, config: Pick<HometelConfig, 'numberPlan'>, clock: Clock, logger: Logger): ContactsService {
  return new ContactsService({ repository: new SqliteContactRepository(store), plan: config.numberPlan, clock, logger: logger.child('contacts'), maxImportBytes });
}

/** The address book as the Telephony Servers ask it: the contact's name for a caller's or callee's address. */
export function callerDirectory(contacts: ContactsService): CallerDirectory {
  return { contactName: (address) => contacts.lookup(address)?.contact.name };
}

export interface OpenContacts {
  readonly contacts: ContactsService;
  close(): void;
}

/** The contacts in the config's store, for a command that runs next to (or without) `hometel start`. */
export function openContacts(config: HometelConfig, clock: Clock, logger: Logger): OpenContacts {
  const store = Store.open(config.dataDir);
  return { contacts: contactsOver(store, config, clock, logger), close: () => store.close() };
}
