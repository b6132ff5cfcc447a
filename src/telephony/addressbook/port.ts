/**
 * What the AddressBook service needs of the home's address book. The contacts application service satisfies it;
 * the service never writes (docs/decisions.md: UPnP has no access control, and a blocked flag changed by any
 * device on the LAN would change how calls are handled).
 */
import type { Contact, ContactAddress } from '../../contacts/index.js';

export interface AddressBookQuery {
  /** Matches names, numbers and SIP URIs; '' or absent: every contact. */
  readonly query?: string;
  readonly group?: string;
  readonly offset?: number;
  readonly limit?: number;
}

export interface AddressBookPort {
  /** A page of the contacts that match, and how many match in all. */
  list(o?: AddressBookQuery): { contacts: Contact[]; total: number };
  get(id: string): Contact | undefined;
  /** The contact one of whose numbers or SIP URIs is `address` (in any format the address book normalises). */
  lookup(address: string): { contact: Contact; address: ContactAddress } | undefined;
  /** Every group name in use. */
  groups(): string[];
  /** The whole address book as vCard text; an address book without it answers GetVCards with 602. */
  exportVcard?(): string;
  /** Calls `listener` after every change (add, update, remove, import); returns the unsubscriber. */
  onChange(listener: () => void): () => void;
}
