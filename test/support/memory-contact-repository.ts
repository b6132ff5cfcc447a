/** The contacts service's repository port in memory, for unit tests (the SQLite one, src/store/repositories/contact-repository.ts, is the authority). */
import {
  contactSearchText,
  searchOrder,
  searchTerms,
  type Contact,
  type ContactRepository,
  type ContactSearch,
  type KeyedContact,
} from '../../src/contacts/index.js';

export class MemoryContactRepository implements ContactRepository {
  private contacts = new Map<string, KeyedContact>();
  private plan: string | undefined;
  /** How many transactions ran and how many were rolled back. */
  transactions = 0;
  rollbacks = 0;

  all(): Contact[] {
    return [...this.contacts.values()].map((k) => k.contact).sort(searchOrder);
  }

  get(id: string): Contact | undefined {
    return this.contacts.get(id)?.contact;
  }

  insert(keyed: KeyedContact): void {
    if (this.contacts.has(keyed.contact.id)) throw new Error(`contact ${keyed.contact.id} exists`);
    this.contacts.set(keyed.contact.id, keyed);
  }

  update(keyed: KeyedContact): boolean {
    if (!this.contacts.has(keyed.contact.id)) return false;
    this.contacts.set(keyed.contact.id, keyed);
    return true;
  }

  remove(id: string): boolean {
    return this.contacts.delete(id);
  }

  idsByKey(key: string): string[] {
    return [...this.contacts.values()]
      .filter((k) => k.keys.includes(key))
      .sort((a, b) => a.contact.created - b.contact.created)
      .map((k) => k.contact.id);
  }

  search(q: ContactSearch): { contacts: Contact[]; total: number } {
    const terms = searchTerms(q.query);
    const matches = [...this.contacts.values()]
      .filter((keyed) => {
        if (q.group !== undefined && !(keyed.contact.groups ?? []).includes(q.group)) return false;
        if (!terms) return true;
        const text = contactSearchText(keyed);
        return text.includes(terms.text) || (terms.digits !== undefined && text.includes(terms.digits));
      })
      .map((k) => k.contact)
      .sort(searchOrder);
    return { contacts: matches.slice(q.offset, q.limit === undefined ? undefined : q.offset + q.limit), total: matches.length };
  }

  groups(): string[] {
    return [...new Set([...this.contacts.values()].flatMap((k) => k.contact.groups ?? []))].sort();
  }

  transaction<T>(fn: () => T): T {
    this.transactions++;
    const saved = new Map(this.contacts);
    const plan = this.plan;
    try {
      return fn();
    } catch (e) {
      this.contacts = saved;
      this.plan = plan;
      this.rollbacks++;
      throw e;
    }
  }

  keyPlan(): string | undefined {
    return this.plan;
  }

  rekey(plan: string, keyOf: (value: string) => string | undefined): void {
    for (const [id, { contact }] of this.contacts) this.contacts.set(id, { contact, keys: contact.addresses.map((a) => keyOf(a.value)) });
    this.plan = plan;
  }
}
