/**
 * ContactRepository on the store's SQLite database (tables `contact`, `contact_address`, `contact_group`,
 * `contact_photo`, `contact_meta`). A contact is several rows, so every write is a transaction of its own — or part
 * of the caller's `transaction`. With WAL + synchronous=FULL a write is
 * on disk when its outermost transaction returns, and a transaction cut short by kill -9 leaves nothing.
 */
import type Database from 'better-sqlite3';
import {
  contactSearchText,
  foldText,
  searchTerms,
  type AddressLabel,
  type Contact,
  type ContactAddress,
  type ContactRepository,
  type ContactSearch,
  type KeyedContact,
} from '../../contacts/index.js';
import type { Store } from '../store.js';

interface ContactRow {
  seq: number;
  id: string;
  name: string;
  note: string | null;
  vip: number;
  blocked: number;
  created: number;
  updated: number;
}

interface AddressRow {
  contact_seq: number;
  value: string;
  label: AddressLabel;
}

interface GroupRow {
  contact_seq: number;
  name: string;
}

interface PhotoRow {
  contact_seq: number;
  media_type: string;
  data: string;
}

const contactColumns = 'seq, id, name, note, vip, blocked, created, updated';
const order = 'ORDER BY search_name, created, id';

/** The search's WHERE clause: named parameters text, digits (null: none) and grp (null: any group). */
const searchWhere = `
  (:text IS NULL OR instr(c.search, :text) > 0 OR (:digits IS NOT NULL AND instr(c.search, :digits) > 0))
  AND (:grp IS NULL OR EXISTS (SELECT 1 FROM contact_group g WHERE g.contact_seq = c.seq AND g.name = :grp))`;

interface SearchParams {
  text: string | null;
  digits: string | null;
  grp: string | null;
}

export class SqliteContactRepository implements ContactRepository {
  private readonly db: Database.Database;
  private readonly byId: Database.Statement<[string], ContactRow>;
  private readonly allContacts: Database.Statement<[], ContactRow>;
  private readonly addressesOf: Database.Statement<[number], AddressRow>;
  private readonly groupsOf: Database.Statement<[number], GroupRow>;
  private readonly photoOf: Database.Statement<[number], PhotoRow>;
  private readonly allAddresses: Database.Statement<[], AddressRow>;
  private readonly allGroups: Database.Statement<[], GroupRow>;
  private readonly allPhotos: Database.Statement<[], PhotoRow>;
  private readonly insertContact: Database.Statement<[string, string, string, string, string | null, number, number, number, number]>;
  private readonly updateContact: Database.Statement<[string, string, string, string | null, number, number, number, number, string]>;
  private readonly seqOf: Database.Statement<[string], { seq: number }>;
  private readonly deleteContact: Database.Statement<[string]>;
  private readonly insertAddress: Database.Statement<[number, number, string, AddressLabel, string | null]>;
  private readonly insertGroup: Database.Statement<[number, number, string]>;
  private readonly insertPhoto: Database.Statement<[number, string, string]>;
  private readonly deleteAddresses: Database.Statement<[number]>;
  private readonly deleteGroups: Database.Statement<[number]>;
  private readonly deletePhoto: Database.Statement<[number]>;
  private readonly idsWithKey: Database.Statement<[string], { id: string }>;
  private readonly searchPage: Database.Statement<[SearchParams & { limit: number; offset: number }], ContactRow & { total: number }>;
  private readonly searchCount: Database.Statement<[SearchParams], { n: number }>;
  private readonly groupNames: Database.Statement<[], { name: string }>;
  private readonly metaGet: Database.Statement<[string], { value: string }>;
  private readonly metaPut: Database.Statement<[string, string]>;
  private readonly rekeyAddress: Database.Statement<[string | null, number, number]>;
  private readonly researchContact: Database.Statement<[string, number]>;

  constructor(store: Store) {
    const db = (this.db = store.database);
    this.byId = db.prepare(`SELECT ${contactColumns} FROM contact WHERE id = ?`);
    this.allContacts = db.prepare(`SELECT ${contactColumns} FROM contact ${order}`);
    this.addressesOf = db.prepare('SELECT contact_seq, value, label FROM contact_address WHERE contact_seq = ? ORDER BY position');
    this.groupsOf = db.prepare('SELECT contact_seq, name FROM contact_group WHERE contact_seq = ? ORDER BY position');
    this.photoOf = db.prepare('SELECT contact_seq, media_type, data FROM contact_photo WHERE contact_seq = ?');
    this.allAddresses = db.prepare('SELECT contact_seq, value, label FROM contact_address ORDER BY contact_seq, position');
    this.allGroups = db.prepare('SELECT contact_seq, name FROM contact_group ORDER BY contact_seq, position');
    this.allPhotos = db.prepare('SELECT contact_seq, media_type, data FROM contact_photo');
    this.insertContact = db.prepare(
      'INSERT INTO contact (id, name, search_name, search, note, vip, blocked, created, updated) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)',
    );
    this.updateContact = db.prepare(
      'UPDATE contact SET name = ?, search_name = ?, search = ?, note = ?, vip = ?, blocked = ?, created = ?, updated = ? WHERE id = ?',
    );
    this.seqOf = db.prepare('SELECT seq FROM contact WHERE id = ?');
    this.deleteContact = db.prepare('DELETE FROM contact WHERE id = ?');
    this.insertAddress = db.prepare(
      'INSERT INTO contact_address (contact_seq, position, value, label, address_key) VALUES (?, ?, ?, ?, ?)',
    );
    this.insertGroup = db.prepare('INSERT INTO contact_group (contact_seq, position, name) VALUES (?, ?, ?)');
    this.insertPhoto = db.prepare('INSERT INTO contact_photo (contact_seq, media_type, data) VALUES (?, ?, ?)');
    this.deleteAddresses = db.prepare('DELETE FROM contact_address WHERE contact_seq = ?');
    this.deleteGroups = db.prepare('DELETE FROM contact_group WHERE contact_seq = ?');
    this.deletePhoto = db.prepare('DELETE FROM contact_photo WHERE contact_seq = ?');
    this.idsWithKey = db.prepare(
      'SELECT c.id FROM contact c WHERE c.seq IN (SELECT contact_seq FROM contact_address WHERE address_key = ?) ORDER BY c.created, c.seq',
    );
    // The total comes with the page (one scan); only a page past the end needs the count on its own.
    this.searchPage = db.prepare(`SELECT ${contactColumns}, count(*) OVER () AS total FROM contact c WHERE ${searchWhere} ${order} LIMIT :limit OFFSET :offset`);
    this.searchCount = db.prepare(`SELECT count(*) AS n FROM contact c WHERE ${searchWhere}`);
    this.groupNames = db.prepare('SELECT DISTINCT name FROM contact_group ORDER BY name');
    this.metaGet = db.prepare('SELECT value FROM contact_meta WHERE key = ?');
    this.metaPut = db.prepare('INSERT INTO contact_meta (key, value) VALUES (?, ?) ON CONFLICT(key) DO UPDATE SET value = excluded.value');
    this.rekeyAddress = db.prepare('UPDATE contact_address SET address_key = ? WHERE contact_seq = ? AND position = ?');
    this.researchContact = db.prepare('UPDATE contact SET search = ? WHERE seq = ?');
  }

  all(): Contact[] {
    // Four scans instead of four queries per contact: an export of every contact stays fast.
    const addresses = groupBySeq(this.allAddresses.all());
    const groups = groupBySeq(this.allGroups.all());
    const photos = new Map(this.allPhotos.all().map((p) => [p.contact_seq, p]));
    return this.allContacts.all().map((r) => toContact(r, addresses.get(r.seq) ?? [], groups.get(r.seq) ?? [], photos.get(r.seq)));
  }

  get(id: string): Contact | undefined {
    const row = this.byId.get(id);
    return row && this.load(row);
  }

  insert(keyed: KeyedContact): void {
    this.atomically(() => {
      const c = keyed.contact;
      const seq = Number(
        this.insertContact.run(c.id, c.name, foldText(c.name), contactSearchText(keyed), c.note ?? null, bit(c.vip), bit(c.blocked), c.created, c.updated).lastInsertRowid,
      );
      this.writeParts(seq, keyed);
    });
  }

  update(keyed: KeyedContact): boolean {
    return this.atomically(() => {
      const c = keyed.contact;
      const seq = this.seqOf.get(c.id)?.seq;
      if (seq === undefined) return false;
      this.updateContact.run(c.name, foldText(c.name), contactSearchText(keyed), c.note ?? null, bit(c.vip), bit(c.blocked), c.created, c.updated, c.id);
      this.deleteAddresses.run(seq);
      this.deleteGroups.run(seq);
      this.deletePhoto.run(seq);
      this.writeParts(seq, keyed);
      return true;
    });
  }

  remove(id: string): boolean {
    // The addresses, groups and photo go with it (ON DELETE CASCADE).
    return this.deleteContact.run(id).changes > 0;
  }

  idsByKey(key: string): string[] {
    return this.idsWithKey.all(key).map((r) => r.id);
  }

  search(q: ContactSearch): { contacts: Contact[]; total: number } {
    const terms = searchTerms(q.query);
    const params: SearchParams = { text: terms?.text ?? null, digits: terms?.digits ?? null, grp: q.group ?? null };
    return this.db.transaction(() => {
      const rows = this.searchPage.all({ ...params, limit: q.limit ?? -1, offset: q.offset });
      return { contacts: rows.map((r) => this.load(r)), total: rows[0]?.total ?? this.searchCount.get(params)!.n };
    })();
  }

  groups(): string[] {
    return this.groupNames.all().map((r) => r.name);
  }

  transaction<T>(fn: () => T): T {
    return this.db.transaction(fn)();
  }

  keyPlan(): string | undefined {
    return this.metaGet.get('key_plan')?.value;
  }

  rekey(plan: string, keyOf: (value: string) => string | undefined): void {
    this.db.transaction(() => {
      const addresses = groupBySeq(this.allAddresses.all());
      for (const row of this.allContacts.all()) {
        const contact = toContact(row, addresses.get(row.seq) ?? [], [], undefined);
        const keys = contact.addresses.map((a) => keyOf(a.value));
        keys.forEach((key, position) => this.rekeyAddress.run(key ?? null, row.seq, position));
        this.researchContact.run(contactSearchText({ contact, keys }), row.seq);
      }
      this.metaPut.run('key_plan', plan);
    })();
  }

  /**
   * A contact's rows as one transaction — or as part of the caller's: a savepoint per contact would triple an
   * import's time, and a write that throws ends the caller's transaction anyway (the port says so).
   */
  private atomically<T>(fn: () => T): T {
    return this.db.inTransaction ? fn() : this.db.transaction(fn)();
  }

  private writeParts(seq: number, { contact, keys }: KeyedContact): void {
    contact.addresses.forEach((a, i) => this.insertAddress.run(seq, i, a.value, a.label, keys[i] ?? null));
    (contact.groups ?? []).forEach((g, i) => this.insertGroup.run(seq, i, g));
    if (contact.photo) this.insertPhoto.run(seq, contact.photo.mediaType, contact.photo.data);
  }

  private load(row: ContactRow): Contact {
    return toContact(row, this.addressesOf.all(row.seq), this.groupsOf.all(row.seq), this.photoOf.get(row.seq));
  }
}

const bit = (b: boolean | undefined): number => (b === true ? 1 : 0);

function groupBySeq<R extends { contact_seq: number }>(rows: R[]): Map<number, R[]> {
  const out = new Map<number, R[]>();
  for (const r of rows) {
    const list = out.get(r.contact_seq);
    if (list) list.push(r);
    else out.set(r.contact_seq, [r]);
  }
  return out;
}

function toContact(r: ContactRow, addresses: AddressRow[], groups: GroupRow[], photo: PhotoRow | undefined): Contact {
  return {
    id: r.id,
    name: r.name,
    addresses: addresses.map((a): ContactAddress => ({ value: a.value, label: a.label })),
    ...(r.note !== null ? { note: r.note } : {}),
    ...(photo ? { photo: { mediaType: photo.media_type, data: photo.data } } : {}),
    vip: r.vip === 1,
    blocked: r.blocked === 1,
    groups: groups.map((g) => g.name),
    created: r.created,
    updated: r.updated,
  };
}
