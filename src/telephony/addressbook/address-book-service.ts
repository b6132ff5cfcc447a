/**
 * The AddressBook service of the Telephony Server (contract.ts): the address book's contacts for TelCPs, read
 * through the AddressBookPort, and AddressBookUpdateID evented when they change. An import of thousands of
 * contacts changes the book thousands of times, so changes are moderated: the first change of a quiet period
 * schedules one event `moderationMs` later carrying the count of all changes since. One service may be hosted by
 * several Telephony Server devices (one per line): each hosting gets the events.
 */
import type { Clock, TimerHandle } from '../../base/index.js';
import { UdaErrorCode, udaError, type OutArgs, type ServiceHandlers, type ServiceImplementation, type ServiceState } from '../../upnp/index.js';
import { addressBookContract, AddressBookAction as A, type AddressBookContract } from './contract.js';
import { buildContactInfo, buildContactList, buildGroupList } from './contact-xml.js';
import { abError, AddressBookErrorCode } from './errors.js';
import type { AddressBookPort } from './port.js';

export interface AddressBookServiceOptions {
  readonly port: AddressBookPort;
  readonly clock: Clock;
  /** Most contacts one GetContacts returns (RequestedCount 0 or larger asks for this many). */
  readonly pageSize?: number;
  /** At most one AddressBookUpdateID event per this interval. */
  readonly moderationMs?: number;
}

/** ui4 wraps, as ContentDirectory's SystemUpdateID does. */
const updateIdModulus = 2 ** 32;

export class AddressBookService implements ServiceImplementation<AddressBookContract> {
  readonly contract = addressBookContract;
  private readonly port: AddressBookPort;
  private readonly pageSize: number;
  private readonly moderationMs: number;
  private updateId = 0;
  private readonly states = new Set<ServiceState>();
  private pending?: TimerHandle;
  private readonly unsubscribe: () => void;

  constructor(private readonly opts: AddressBookServiceOptions) {
    this.port = opts.port;
    this.pageSize = opts.pageSize ?? 500;
    this.moderationMs = opts.moderationMs ?? 200;
    this.unsubscribe = opts.port.onChange(() => this.changed());
  }

  attach(state: ServiceState): ServiceHandlers<AddressBookContract> {
    this.states.add(state);
    state.set({ AddressBookUpdateID: this.updateId });
    return {
      [A.GetContacts]: (a) => this.getContacts(a.SearchText, a.Group, a.StartingIndex, a.RequestedCount),
      [A.GetContact]: ({ ContactID }) => {
        if (ContactID === '') throw udaError(UdaErrorCode.InvalidArgs, 'ContactID is empty');
        const contact = this.port.get(ContactID);
        if (!contact) throw abError(AddressBookErrorCode.NoSuchContact, ContactID);
        return { ContactInfo: buildContactInfo(contact) };
      },
      [A.LookupContact]: ({ Address }) => {
        if (Address.trim() === '') throw udaError(UdaErrorCode.InvalidArgs, 'Address is empty');
        const found = this.port.lookup(Address.trim());
        return found ? { ContactInfo: buildContactInfo(found.contact), MatchedAddress: found.address.value } : { ContactInfo: '', MatchedAddress: '' };
      },
      [A.GetGroups]: () => ({ GroupList: buildGroupList(this.port.groups()) }),
      [A.GetVCards]: () => {
        if (!this.port.exportVcard) throw udaError(UdaErrorCode.OptionalActionNotImplemented, 'this address book does not export vCards');
        return { VCards: this.port.exportVcard() };
      },
    };
  }

  /** Stops listening to the address book and drops a pending event. */
  close(): void {
    this.unsubscribe();
    this.pending?.cancel();
    this.pending = undefined;
  }

  private getContacts(searchText: string, group: string, startingIndex: number, requestedCount: number): OutArgs<AddressBookContract, 'GetContacts'> {
    if (group !== '' && !this.port.groups().includes(group)) throw abError(AddressBookErrorCode.NoSuchGroup, group);
    const limit = requestedCount === 0 ? this.pageSize : Math.min(requestedCount, this.pageSize);
    const query = searchText.trim();
    const page = this.port.list({ ...(query ? { query } : {}), ...(group ? { group } : {}), offset: startingIndex, limit });
    return { ContactList: buildContactList(page.contacts), NumberReturned: page.contacts.length, TotalMatches: page.total, UpdateID: this.updateId };
  }

  private changed(): void {
    this.updateId = (this.updateId + 1) % updateIdModulus;
    this.pending ??= this.opts.clock.setTimer(this.moderationMs, () => {
      this.pending = undefined;
      for (const state of this.states) state.set({ AddressBookUpdateID: this.updateId });
    });
  }
}
