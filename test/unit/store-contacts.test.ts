/**
 * The SQLite ContactRepository: contacts round-trip with every field and survive reopening the store, the address
 * key index finds them, a transaction that throws leaves nothing, removing a contact leaves no rows behind, and
 * searches answer as the memory repository the service tests use does. (kill -9: test/integration/store-kill9.test.ts.)
 */
import { test, type TestContext } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { silentLogger } from '../../src/base/index.js';
import { addressKey, ContactsService, type Contact, type ContactRepository, type ImportFormat, type ParsedContacts } from '../../src/contacts/index.js';
import { SqliteAccountRepository, SqliteContactRepository, Store } from '../../src/store/index.js';
import { FakeClock } from '../support/fake-clock.js';
import { MemoryContactRepository } from '../support/memory-contact-repository.js';

function tempDir(t: TestContext): string {
  const dir = mkdtempSync(join(tmpdir(), 'hometel-contacts-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

const berlin = { country: 'DE', areaCode: '30' };

function serviceOver(repository: ContactRepository, parsed: ParsedContacts = { drafts: [], problems: [] }, clock = new FakeClock(1_000)): ContactsService {
  const parse = (): ParsedContacts => parsed;
  const parsers: Record<ImportFormat, typeof parse> = { vcard: parse, fritzbox: parse, csv: parse };
  return new ContactsService({ repository, plan: berlin, clock, logger: silentLogger, parsers });
}

const count = (store: Store, table: string): number => (store.database.prepare(`SELECT count(*) AS n FROM ${table}`).get() as { n: number }).n;

test('contacts store: every field round-trips and survives reopening; the key index finds the contact', (t) => {
  const dir = tempDir(t);
  let store = Store.open(dir);
  const clock = new FakeClock(5_000);
  let service = serviceOver(new SqliteContactRepository(store), undefined, clock);
  const photo = { mediaType: 'image/jpeg', data: Buffer.alloc(200_000, 7).toString('base64') };
  const anna = service.add({
    name: 'Anna Schmidt',
    addresses: [
      { value: '030 1234567', label: 'home' },
      { value: '0170 1234567', label: 'mobile' },
      { value: 'sip:anna@example.com', label: 'work' },
      { value: '**610', label: 'other' },
    ],
    note: 'line one\nline two — ünïcødé',
    photo,
    vip: true,
    groups: ['Family', 'Club'],
  });
  clock.advance(1);
  const bob = service.add({ name: 'Bob', addresses: [{ value: '+44 20 7946 0958', label: 'fax' }], blocked: true });
  store.close();

  store = Store.open(dir);
  t.after(() => store.close());
  service = serviceOver(new SqliteContactRepository(store), undefined, clock);
  assert.deepEqual(service.get(anna.id), anna);
  assert.deepEqual(service.get(bob.id), bob);
  assert.equal(service.get(anna.id)?.photo?.data.length, photo.data.length);
  assert.deepEqual(service.list().contacts, [anna, bob]);
  assert.deepEqual(service.lookup('+49 30 1234567'), { contact: anna, address: { value: '030 1234567', label: 'home' } });
  assert.equal(service.lookup('sip:ANNA@EXAMPLE.COM')?.contact.id, undefined, 'the user part is case-sensitive');
  assert.equal(service.lookup('sip:anna@EXAMPLE.COM')?.contact.id, anna.id);
  assert.deepEqual(service.classify('0044 20 7946 0958'), { known: true, vip: false, blocked: true, groups: [], contactId: bob.id, name: 'Bob' });
  assert.deepEqual(service.groups(), ['Club', 'Family']);
  // The lookup runs on the index, not a scan.
  const plan = store.database
    .prepare("EXPLAIN QUERY PLAN SELECT c.id FROM contact c WHERE c.seq IN (SELECT contact_seq FROM contact_address WHERE address_key = '+49301234567') ORDER BY c.created, c.seq")
    .all() as Array<{ detail: string }>;
  assert.ok(plan.some((r) => /contact_address_by_key/.test(r.detail)), JSON.stringify(plan));
});

test('contacts store: a database from before the contacts tables gets them, its other data kept', (t) => {
  const dir = tempDir(t);
  const a = Store.open(dir);
  const udn = a.udnFor('root');
  new SqliteAccountRepository(a).setPasswordHash('$scrypt$ln=15,r=8,p=1$c2FsdA$a2V5');
  a.database.exec('DROP TABLE contact_address; DROP TABLE contact_group; DROP TABLE contact_photo; DROP TABLE contact_meta; DROP TABLE contact;');
  a.database.pragma('user_version = 5');
  a.close();
  const b = Store.open(dir);
  t.after(() => b.close());
  assert.equal(b.udnFor('root'), udn);
  assert.equal(new SqliteAccountRepository(b).passwordHash(), '$scrypt$ln=15,r=8,p=1$c2FsdA$a2V5');
  const service = serviceOver(new SqliteContactRepository(b));
  assert.equal(service.lookup('+49301234567'), undefined);
  const c = service.add({ name: 'A', addresses: [{ value: '030 1234567', label: 'home' }] });
  assert.equal(service.lookup('+49301234567')?.contact.id, c.id);
});

test('contacts store: contacts stored under schema 6 (search text per address, keys-v1) are found by search after the upgrade', (t) => {
  const dir = tempDir(t);
  const a = Store.open(dir);
  const c = serviceOver(new SqliteContactRepository(a)).add({ name: 'Jürgen', addresses: [{ value: '030 1234567', label: 'home' }] });
  // Back to what schema 6 and the first key rules left: no per-contact search text.
  a.database.exec("ALTER TABLE contact DROP COLUMN search; ALTER TABLE contact_address ADD COLUMN search TEXT NOT NULL DEFAULT ''; UPDATE contact_meta SET value = 'keys-v1/DE/30'");
  a.database.pragma('user_version = 6');
  a.close();
  const b = Store.open(dir);
  t.after(() => b.close());
  const service = serviceOver(new SqliteContactRepository(b));
  assert.deepEqual(service.list({ query: 'jurgen' }).contacts.map((x) => x.id), [c.id]);
  assert.deepEqual(service.list({ query: '+4930123' }).contacts.map((x) => x.id), [c.id]);
  assert.equal(service.lookup('1234567')?.contact.id, c.id);
});

test('contacts store: update replaces addresses, groups and photo; remove leaves no rows behind', (t) => {
  const store = Store.open(tempDir(t));
  t.after(() => store.close());
  const service = serviceOver(new SqliteContactRepository(store));
  const c = service.add({ name: 'A', addresses: [{ value: '030 1111111', label: 'home' }], groups: ['G'], photo: { mediaType: 'image/png', data: 'AAAA' } });
  const u = service.update(c.id, { name: 'A2', addresses: [{ value: '030 2222222', label: 'work' }, { value: '030 3333333', label: 'home' }] });
  assert.deepEqual(service.get(c.id), u);
  assert.equal(u.photo, undefined);
  assert.deepEqual(u.groups, []);
  assert.equal(service.lookup('030 1111111'), undefined);
  assert.equal(service.lookup('030 3333333')?.contact.id, c.id);
  assert.deepEqual(service.groups(), []);
  assert.equal(service.remove(c.id), true);
  for (const table of ['contact', 'contact_address', 'contact_group', 'contact_photo']) assert.equal(count(store, table), 0, table);
});

test('contacts store: a transaction that throws leaves nothing; one that returns keeps everything', (t) => {
  const store = Store.open(tempDir(t));
  t.after(() => store.close());
  const repository = new SqliteContactRepository(store);
  const drafts = Array.from({ length: 20 }, (_, i) => ({ name: `C${i}`, addresses: [{ value: `030 55500${String(i).padStart(2, '0')}`, label: 'home' as const }], groups: ['Import'] }));
  const service = serviceOver(repository, { drafts, problems: [] });
  const contact = (i: number): Contact => ({ id: `id${i}`, name: `N${i}`, addresses: [{ value: '030 1234567', label: 'home' }], vip: false, blocked: false, groups: [], created: i, updated: i });
  assert.throws(() =>
    repository.transaction(() => {
      repository.insert({ contact: contact(1), keys: ['+49301234567'] });
      service.import('vcard', 'x');
      assert.equal(repository.search({ offset: 0 }).total, 21, 'visible inside the transaction');
      throw new Error('abort');
    }),
  );
  for (const table of ['contact', 'contact_address', 'contact_group']) assert.equal(count(store, table), 0, table);
  assert.deepEqual(service.import('vcard', 'x'), { added: 20, merged: 0, problems: [] });
  assert.equal(count(store, 'contact_address'), 20);
  // A contact is several rows written as one: an address the schema refuses takes the contact row with it.
  assert.throws(() => repository.insert({ contact: { ...contact(2), addresses: [{ value: '030 1', label: 'pager' as 'home' }] }, keys: [undefined] }), /CHECK/);
  assert.equal(count(store, 'contact'), 20);
  assert.equal(repository.get('id2'), undefined);
});

test('contacts store: idsByKey lists the oldest contact first; the key plan is recorded and re-keying persists', (t) => {
  const dir = tempDir(t);
  let store = Store.open(dir);
  const repository = new SqliteContactRepository(store);
  const clock = new FakeClock(1_000);
  const service = serviceOver(repository, undefined, clock);
  const ids = [3, 1, 2].map((n) => {
    clock.advance(n);
    return service.add({ name: `N${n}`, addresses: [{ value: '1234567', label: 'home' }] }).id;
  });
  assert.deepEqual(repository.idsByKey('+49301234567'), ids);
  assert.equal(repository.keyPlan(), 'keys-v2/DE/30');
  store.close();
  store = Store.open(dir);
  t.after(() => store.close());
  const hamburg = new ContactsService({ repository: new SqliteContactRepository(store), plan: { country: 'DE', areaCode: '40' }, clock, logger: silentLogger });
  assert.equal(hamburg.lookup('040 1234567')?.contact.id, ids[0]);
  assert.equal(hamburg.list({ query: '+4940' }).total, 3);
  assert.equal(new SqliteContactRepository(store).keyPlan(), 'keys-v2/DE/40');
});

test('contacts store: searches answer exactly as the memory repository does', (t) => {
  const store = Store.open(tempDir(t));
  t.after(() => store.close());
  const sqlite = new SqliteContactRepository(store);
  const memory = new MemoryContactRepository();
  const clock = new FakeClock(0);
  const service = serviceOver(sqlite, undefined, clock);
  const people: Array<[string, string, string[]]> = [
    ['Jürgen Groß', '030 1234567', ['Family']],
    ['anne', 'sip:anne@example.com', ['Family', 'Club']],
    ['Bob', '+44 20 7946 0958', []],
    ['Zoë', '0170 7654321', ['Club']],
    ['Ånne 100%_', '030 7654321', []],
    ['Bob', '030 999 888', []],
    ['', '0171 2345678', ['Club']],
  ];
  for (const [name, value, groups] of people) {
    clock.advance(1);
    // The same contacts (ids too, so that ties in the order compare alike) and keys in both.
    const contact = service.add({ name, addresses: [{ value, label: 'home' }], groups });
    memory.insert({ contact, keys: contact.addresses.map((a) => addressKey(a.value, berlin)) });
  }
  const queries = ['', 'ann', 'ANNE', 'jurgen', '100%', '_', '%', '123', '030', '+49', '7654321', '(0)30 765', 'bob', 'example', 'zz', '44 20'];
  for (const query of queries) {
    for (const group of [undefined, 'Club', 'Family', 'none']) {
      for (const [offset, limit] of [[0, undefined], [1, 2], [5, 10]] as const) {
        const q = { query, offset, ...(group !== undefined ? { group } : {}), ...(limit !== undefined ? { limit } : {}) };
        assert.deepEqual(sqlite.search(q), memory.search(q), JSON.stringify(q));
      }
    }
  }
  assert.deepEqual(sqlite.all(), memory.all());
  assert.deepEqual(sqlite.groups(), memory.groups());
});
