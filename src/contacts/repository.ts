/**
 * The persistence port of the contacts service. Synchronous (the store is embedded); a method that returns has
 * made its change durable — inside `transaction`, when the transaction returns. The SQLite implementation is in
 * src/store/repositories/; it is the authority on the semantics below, which a memory one for tests mirrors.
 *
 * The repository keeps each address's matching key (numbers.ts) next to it and indexes it: the service computes
 * the keys (they depend on the number plan), the repository stores them and finds contacts by them.
 */
import type { Contact } from './model.js';

/** A contact with the matching key of each of its addresses (same order; undefined: the address matches nothing). */
export interface KeyedContact {
  readonly contact: Contact;
  readonly keys: ReadonlyArray<string | undefined>;
}

export interface ContactSearch {
  /** Substring of the name or of an address (searchTerms below says how). */
  readonly query?: string;
  /** Only contacts in this group. */
  readonly group?: string;
  readonly offset: number;
  /** undefined: no limit. */
  readonly limit?: number;
}

export interface ContactRepository {
  /** Every contact, in the search order (folded name, then oldest first). */
  all(): Contact[];
  get(id: string): Contact | undefined;
  /** The id must be new. */
  insert(keyed: KeyedContact): void;
  /** Replaces the contact with this id; false when there is none. */
  update(keyed: KeyedContact): boolean;
  remove(id: string): boolean;
  /** Ids of the contacts with an address of this key, oldest contact first. */
  idsByKey(key: string): string[];
  /** A page of the matching contacts in the search order, and how many match in all. */
  search(q: ContactSearch): { contacts: Contact[]; total: number };
  /** Every group name in use, sorted. */
  groups(): string[];
  /**
   * Runs `fn` as one transaction: everything it wrote is kept, or (when it throws) nothing. A write that throws
   * inside it may have written part of a contact: let the exception end the transaction, do not go on.
   */
  transaction<T>(fn: () => T): T;
  /** The identity of the number plan the stored keys were made with (numbers.ts planIdentity); undefined when none is recorded. */
  keyPlan(): string | undefined;
  /** Recomputes every stored address's key with `keyOf` (and so each contact's search text), and records `plan` as the keys' plan. */
  rekey(plan: string, keyOf: (value: string) => string | undefined): void;
}

/**
 * How a query is matched, shared by the repositories: the folded query (whitespace runs as one space) is a
 * substring of the contact's search text (contactSearchText) — or, when the query is written like a number, its
 * digits are.
 */
export interface SearchTerms {
  readonly text: string;
  readonly digits?: string;
}

/** Lower case, compatibility-decomposed, without diacritics: `Jürgen` and `jurgen` search alike. */
export function foldText(s: string): string {
  return s.normalize('NFKD').replace(/\p{M}/gu, '').toLowerCase();
}

/** The terms of a search query; undefined when it is blank (everything matches). */
export function searchTerms(query: string | undefined): SearchTerms | undefined {
  const text = foldText(query?.trim() ?? '').replace(/\s+/g, ' ');
  if (text === '') return undefined;
  const digits = /^[+\d\s\-.()/]+$/.test(text) ? text.replace(/\D/g, '') : '';
  return digits === '' ? { text } : { text, digits };
}

/**
 * What a contact is searched in, one line per part (a query has no line break, so it never matches across parts):
 * the folded name, and of each address its folded value, its key and its digits (`030 123` finds `+4930123…`).
 */
export function contactSearchText({ contact, keys }: KeyedContact): string {
  const lines = [foldText(contact.name).replace(/\s+/g, ' ')];
  contact.addresses.forEach((a, i) => lines.push(foldText(a.value), keys[i] ?? '', a.value.replace(/\D/g, '')));
  return lines.join('\n');
}

/** The search order: folded name, then `created` (oldest first); ties by id so the order is total. */
export function searchOrder(a: Contact, b: Contact): number {
  const fa = foldText(a.name);
  const fb = foldText(b.name);
  return fa < fb ? -1 : fa > fb ? 1 : a.created - b.created || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0);
}
