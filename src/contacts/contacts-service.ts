/**
 * The home's address book (issue 12): contacts stored through the repository port, found by any way of writing
 * their numbers (numbers.ts keys, indexed by the repository — the lookup runs on every incoming call), imported
 * from vCard, FRITZ!Box and CSV files in one transaction, exported as vCard and as the desk phones' phonebooks.
 *
 * Import merges by number: a record with an address whose key an existing contact has (one stored before, or one
 * this import added) is merged into that contact — the oldest, when several have it — instead of becoming a
 * duplicate (the record's first number that a contact has decides which). Merging adds the record's new addresses and groups and sets its VIP and blocked flags (an import never
 * clears a flag); the contact's name, note and photo win over the record's (what was edited in hometel stays), and
 * the record's fill in only what the contact lacks. Records without any keyed address are always added.
 *
 * Logs say what happened and to which id, with counts; never a contact's name, numbers or note.
 */
import { randomUUID } from 'node:crypto';
import type { Clock, Logger } from '../base/index.js';
import { errorMessage } from '../base/index.js';
import { ContactError } from './errors.js';
import * as formats from './formats/index.js';
import { importText } from './import-text.js';
import type { Contact, ContactAddress, ContactDraft, ImportFormat, ImportProblem, ParsedContacts, PhonebookFormat } from './model.js';
import { addressKey, isTelephoneNumber, planIdentity, planProblem, type NumberPlan } from './numbers.js';
import type { ContactRepository } from './repository.js';
import { checkDraft, type CheckedDraft } from './validation.js';

export const DEFAULT_MAX_IMPORT_BYTES = 10 * 1024 * 1024;

/** A file format's reader: text → drafts and problems. */
export type ContactParser = (text: string) => ParsedContacts;

export interface ContactsServiceOptions {
  repository: ContactRepository;
  plan: NumberPlan;
  clock: Clock;
  logger: Logger;
  /** Largest import file in bytes; default 10 MiB. */
  maxImportBytes?: number;
  /** The readers per format; default src/contacts/formats (tests give their own). */
  parsers?: Readonly<Record<ImportFormat, ContactParser>>;
}

/** What the call-handling rules know about a caller (or callee). */
export interface CallerClass {
  /** A contact has this address. */
  readonly known: boolean;
  /** Any contact with this address is a VIP. */
  readonly vip: boolean;
  /** Any contact with this address is blocked. */
  readonly blocked: boolean;
  /** The groups of every contact with this address, sorted. */
  readonly groups: string[];
  /** The contact lookup finds (the oldest with this address). */
  readonly contactId?: string;
  readonly name?: string;
}

export interface ImportReport {
  /** Records that became new contacts. */
  readonly added: number;
  /** Records merged into a contact that has one of their numbers. */
  readonly merged: number;
  /** Records not imported: the reader's (where in the file, why) and the rules' (`record N`: the Nth record read). */
  readonly problems: ImportProblem[];
}

export interface ListOptions {
  /** Substring of a name or an address; digits match numbers however they are written. */
  query?: string;
  group?: string;
  offset?: number;
  /** undefined: every match. */
  limit?: number;
}

const defaultParsers: Readonly<Record<ImportFormat, ContactParser>> = {
  vcard: formats.parseVcard,
  fritzbox: formats.parseFritzbox,
  csv: formats.parseCsv,
};

export class ContactsService {
  private readonly repository: ContactRepository;
  private readonly plan: NumberPlan;
  private readonly clock: Clock;
  private readonly logger: Logger;
  private readonly maxImportBytes: number;
  private readonly parsers: Readonly<Record<ImportFormat, ContactParser>>;
  private readonly changeListeners = new Set<() => void>();

  constructor(o: ContactsServiceOptions) {
    const problem = planProblem(o.plan);
    if (problem) throw new ContactError('invalid', `number plan: ${problem}`);
    this.repository = o.repository;
    this.plan = o.plan;
    this.clock = o.clock;
    this.logger = o.logger;
    this.maxImportBytes = o.maxImportBytes ?? DEFAULT_MAX_IMPORT_BYTES;
    this.parsers = o.parsers ?? defaultParsers;
    // Keys made under another plan (or older rules) mean other numbers: make them again, once.
    const identity = planIdentity(o.plan);
    if (this.repository.keyPlan() !== identity) {
      this.repository.transaction(() => this.repository.rekey(identity, (value) => addressKey(value, this.plan)));
      this.logger.info('contacts keyed for the number plan', { plan: identity });
    }
  }

  list(o: ListOptions = {}): { contacts: Contact[]; total: number } {
    const offset = o.offset ?? 0;
    if (!Number.isSafeInteger(offset) || offset < 0) throw new ContactError('invalid', 'offset must be a whole number ≥ 0');
    if (o.limit !== undefined && (!Number.isSafeInteger(o.limit) || o.limit < 0)) throw new ContactError('invalid', 'limit must be a whole number ≥ 0');
    return this.repository.search({
      offset,
      ...(o.query !== undefined ? { query: o.query } : {}),
      ...(o.group !== undefined ? { group: o.group } : {}),
      ...(o.limit !== undefined ? { limit: o.limit } : {}),
    });
  }

  get(id: string): Contact | undefined {
    return this.repository.get(id);
  }

  add(d: ContactDraft): Contact {
    const checked = checkDraft(d, this.plan);
    const contact = this.insert(checked);
    this.logger.info('contact added', { id: contact.id, addresses: contact.addresses.length });
    this.changed();
    return contact;
  }

  update(id: string, d: ContactDraft): Contact {
    const checked = checkDraft(d, this.plan);
    const old = this.repository.get(id);
    if (!old) throw new ContactError('not-found', `no contact ${id}`);
    const contact: Contact = { ...checked.draft, id, created: old.created, updated: this.clock.now() };
    if (!this.repository.update({ contact, keys: checked.keys })) throw new ContactError('not-found', `no contact ${id}`);
    this.logger.info('contact updated', { id, addresses: contact.addresses.length });
    this.changed();
    return contact;
  }

  remove(id: string): boolean {
    const removed = this.repository.remove(id);
    if (removed) {
      this.logger.info('contact removed', { id });
      this.changed();
    }
    return removed;
  }

  /** The contact with this address (the oldest, when several have it) and its address that matched. */
  lookup(address: string): { contact: Contact; address: ContactAddress } | undefined {
    const key = addressKey(address, this.plan);
    if (key === undefined) return undefined;
    const [id] = this.repository.idsByKey(key);
    const contact = id === undefined ? undefined : this.repository.get(id);
    const matched = contact?.addresses.find((a) => addressKey(a.value, this.plan) === key);
    return contact && matched ? { contact, address: matched } : undefined;
  }

  classify(address: string): CallerClass {
    const key = addressKey(address, this.plan);
    const contacts = key === undefined ? [] : this.repository.idsByKey(key).flatMap((id) => this.repository.get(id) ?? []);
    const [first] = contacts;
    if (!first) return { known: false, vip: false, blocked: false, groups: [] };
    return {
      known: true,
      vip: contacts.some((c) => c.vip === true),
      blocked: contacts.some((c) => c.blocked === true),
      groups: [...new Set(contacts.flatMap((c) => c.groups ?? []))].sort(),
      contactId: first.id,
      name: first.name,
    };
  }

  import(format: ImportFormat, data: string | Uint8Array): ImportReport {
    const parse = Object.hasOwn(this.parsers, format) ? this.parsers[format] : undefined;
    if (!parse) throw new ContactError('invalid', `unknown import format "${String(format)}"`);
    const bytes = typeof data === 'string' ? Buffer.byteLength(data, 'utf8') : data.byteLength;
    if (bytes > this.maxImportBytes) {
      throw new ContactError('too-large', `the file has ${size(bytes)}; at most ${size(this.maxImportBytes)} can be imported`);
    }
    const text = importText(data);
    let parsed: ParsedContacts;
    try {
      parsed = parse(text);
    } catch (e) {
      throw new ContactError('unreadable', `the ${format} file cannot be read: ${errorMessage(e)}`);
    }
    const problems: ImportProblem[] = [...parsed.problems];
    let added = 0;
    let merged = 0;
    this.repository.transaction(() => {
      parsed.drafts.forEach((draft, i) => {
        try {
          if (this.importOne(checkDraft(draft, this.plan))) merged++;
          else added++;
        } catch (e) {
          if (!(e instanceof ContactError)) throw e;
          problems.push({ at: `record ${i + 1}`, reason: e.message });
        }
      });
    });
    this.logger.info('contacts imported', { format, bytes, added, merged, problems: problems.length });
    if (added + merged > 0) this.changed();
    return { added, merged, problems };
  }

  exportVcard(): string {
    const all = this.repository.all();
    this.logger.info('contacts exported', { format: 'vcard', contacts: all.length });
    return formats.writeVcard(all);
  }

  /** The desk phones' remote phonebook: every contact with at least one telephone number. */
  phonebook(format: PhonebookFormat): string {
    const withNumbers = this.repository.all().filter((c) => c.addresses.some((a) => isTelephoneNumber(a.value, this.plan)));
    return formats.writePhonebook(format, withNumbers);
  }

  groups(): string[] {
    return this.repository.groups();
  }

  /**
   * Calls `listener` after every change made through this service (add, update, remove, an import); returns the
   * unsubscriber. Changes another process makes to the same store (the CLI) are not heard.
   */
  onChange(listener: () => void): () => void {
    this.changeListeners.add(listener);
    return () => this.changeListeners.delete(listener);
  }

  private changed(): void {
    for (const l of this.changeListeners) {
      try {
        l();
      } catch (e) {
        this.logger.warn('contacts change listener failed', { error: errorMessage(e) });
      }
    }
  }

  private insert(checked: CheckedDraft): Contact {
    const now = this.clock.now();
    const contact: Contact = { ...checked.draft, id: randomUUID(), created: now, updated: now };
    this.repository.insert({ contact, keys: checked.keys });
    return contact;
  }

  /** Merges the record into the contact that has one of its numbers (true), or adds it (false). */
  private importOne(record: CheckedDraft): boolean {
    // The record's first number that a contact has decides; of the contacts having it, the oldest.
    let id: string | undefined;
    for (const key of record.keys) {
      if (key !== undefined) id ??= this.repository.idsByKey(key)[0];
    }
    const existing = id === undefined ? undefined : this.repository.get(id);
    if (!existing) {
      this.insert(record);
      return false;
    }
    const r = record.draft;
    const combined: ContactDraft = {
      name: existing.name || r.name,
      addresses: [...existing.addresses, ...r.addresses],
      note: existing.note ?? r.note,
      photo: existing.photo ?? r.photo,
      vip: existing.vip === true || r.vip,
      blocked: existing.blocked === true || r.blocked,
      groups: [...(existing.groups ?? []), ...r.groups],
    };
    let checked: CheckedDraft;
    try {
      checked = checkDraft(combined, this.plan);
    } catch (e) {
      throw e instanceof ContactError ? new ContactError('invalid', `merged with the contact that has its number: ${e.message}`) : e;
    }
    if (!sameContent(existing, checked.draft)) {
      this.repository.update({ contact: { ...checked.draft, id: existing.id, created: existing.created, updated: this.clock.now() }, keys: checked.keys });
    }
    return true;
  }
}

/** Whether merging changed nothing: it only adds addresses and groups, sets flags and fills in what was missing. */
function sameContent(c: Contact, d: CheckedDraft['draft']): boolean {
  return (
    c.name === d.name &&
    c.note === d.note &&
    (c.photo === undefined) === (d.photo === undefined) &&
    c.vip === d.vip &&
    c.blocked === d.blocked &&
    c.addresses.length === d.addresses.length &&
    (c.groups ?? []).length === d.groups.length
  );
}

const size = (bytes: number): string => (bytes >= 1024 * 1024 ? `${(bytes / (1024 * 1024)).toFixed(1)} MiB` : `${bytes} bytes`);
