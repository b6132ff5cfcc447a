/**
 * An in-memory AddressBookPort for the AddressBook service's tests: contacts kept in a list, searched by name,
 * number or SIP URI (case-insensitive substring), numbers matched on their last eight digits (crude, but enough for
 * a number written in another format). It stands in for the contacts application service, whose normalisation is
 * tested on its own.
 */
import type { Contact, ContactAddress, ContactDraft } from '../../src/contacts/index.js';
import type { AddressBookPort, AddressBookQuery } from '../../src/telephony/addressbook/index.js';

const lastDigits = (s: string): string => s.replace(/^sip:/, '').replace(/@.*$/, '').replace(/\D/g, '').slice(-8);

export class FakeAddressBook implements AddressBookPort {
  readonly contacts: Contact[] = [];
  exportVcard?: () => string;
  private readonly listeners = new Set<() => void>();
  private nextId = 1;

  constructor(drafts: readonly ContactDraft[] = [], opts: { vcards?: boolean } = {}) {
    for (const d of drafts) this.add(d);
    if (opts.vcards) this.exportVcard = () => this.contacts.map((c) => `BEGIN:VCARD\r\nVERSION:4.0\r\nFN:${c.name}\r\nEND:VCARD\r\n`).join('');
  }

  add(d: ContactDraft): Contact {
    const t = Date.UTC(2026, 11, 7, 6, 0, 0) + this.nextId * 1000;
    const c: Contact = { ...d, id: `c${this.nextId++}`, created: t, updated: t };
    this.contacts.push(c);
    for (const l of this.listeners) l();
    return c;
  }

  list(o: AddressBookQuery = {}): { contacts: Contact[]; total: number } {
    const q = o.query?.toLowerCase();
    const matching = this.contacts.filter(
      (c) =>
        (!q || c.name.toLowerCase().includes(q) || c.addresses.some((a) => a.value.toLowerCase().includes(q))) &&
        (o.group === undefined || (c.groups ?? []).includes(o.group)),
    );
    const offset = o.offset ?? 0;
    return { contacts: matching.slice(offset, o.limit === undefined ? undefined : offset + o.limit), total: matching.length };
  }

  get(id: string): Contact | undefined {
    return this.contacts.find((c) => c.id === id);
  }

  lookup(address: string): { contact: Contact; address: ContactAddress } | undefined {
    const wanted = lastDigits(address);
    for (const contact of this.contacts) {
      const found = contact.addresses.find((a) => wanted !== '' && lastDigits(a.value) === wanted);
      if (found) return { contact, address: found };
    }
    return undefined;
  }

  groups(): string[] {
    return [...new Set(this.contacts.flatMap((c) => c.groups ?? []))].sort();
  }

  onChange(listener: () => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** How many change listeners are subscribed (the service must let go when closed). */
  get listenerCount(): number {
    return this.listeners.size;
  }
}

/** A few contacts with the names the wire must carry intact: non-ASCII, `<`, `&`, quotes, a photo, groups. */
export const sampleContacts: readonly ContactDraft[] = [
  { name: 'Jürgen Müller', addresses: [{ value: '+49 30 1234567', label: 'home' }, { value: 'sip:juergen@provider.example', label: 'work' }], groups: ['Family'], vip: true },
  { name: 'Zoë <Q&A> "O\'Brien"', addresses: [{ value: '0171 5551234', label: 'mobile' }], note: 'line 1\r\nline 2 & <more>', groups: ['Friends', 'Family'] },
  { name: '山田太郎', addresses: [{ value: '+81 3 1234 5678', label: 'work' }], photo: { mediaType: 'image/png', data: 'iVBORw0KGgo=' } },
  { name: 'Spam Caller', addresses: [{ value: '0900 666666', label: 'other' }], blocked: true },
];
