/**
 * The contacts service over the memory repository: the rules a contact must meet, lookup and classification by
 * any form of a number, search, and import — merging by number, reporting what it could not take, all in one
 * transaction, refusing files too large or unreadable. The file readers are faked (the parsers option): what is
 * tested here is what the service does with their drafts.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createLogger, HometelError } from '../../src/base/index.js';
import {
  ContactError,
  ContactsService,
  type Contact,
  type ContactDraft,
  type ContactParser,
  type ImportFormat,
  type KeyedContact,
  type NumberPlan,
  type ParsedContacts,
} from '../../src/contacts/index.js';
import { FakeClock } from '../support/fake-clock.js';
import { MemoryContactRepository } from '../support/memory-contact-repository.js';

const berlin: NumberPlan = { country: 'DE', areaCode: '30' };

interface Setup {
  service: ContactsService;
  repository: MemoryContactRepository;
  clock: FakeClock;
  logs: string[];
  /** What the fake readers return next, and the text they were given. */
  next: { parsed: ParsedContacts | (() => never); text?: string };
}

function setup(o: { repository?: MemoryContactRepository; plan?: NumberPlan; maxImportBytes?: number } = {}): Setup {
  const repository = o.repository ?? new MemoryContactRepository();
  const clock = new FakeClock(1_000);
  const logs: string[] = [];
  const next: Setup['next'] = { parsed: { drafts: [], problems: [] } };
  const fake: ContactParser = (text) => {
    next.text = text;
    return typeof next.parsed === 'function' ? next.parsed() : next.parsed;
  };
  const parsers: Record<ImportFormat, ContactParser> = { vcard: fake, fritzbox: fake, csv: fake };
  const service = new ContactsService({
    repository,
    plan: o.plan ?? berlin,
    clock,
    logger: createLogger({ level: 'debug', write: (l) => logs.push(l) }),
    parsers,
    ...(o.maxImportBytes !== undefined ? { maxImportBytes: o.maxImportBytes } : {}),
  });
  return { service, repository, clock, logs, next };
}

const anna: ContactDraft = { name: 'Anna Schmidt', addresses: [{ value: '030 1234567', label: 'home' }] };

function rejects(fn: () => unknown, kind: string, message?: RegExp): void {
  assert.throws(fn, (e: unknown) => {
    assert.ok(e instanceof ContactError && e instanceof HometelError);
    assert.equal(e.code, `contacts.${kind}`);
    if (message) assert.match(e.message, message);
    return true;
  });
}

test('add: a contact in its normal form — trimmed, flags and groups present, one address per number', () => {
  const { service, clock } = setup();
  clock.advance(500);
  const c = service.add({
    name: '  Anna Schmidt ',
    addresses: [
      { value: ' 030 1234567', label: 'home' },
      { value: '+49301234567', label: 'work' },
      { value: 'sip:anna@example.com', label: 'other' },
      { value: '**610', label: 'other' },
    ],
    groups: ['Family', 'Family ', 'Friends'],
    note: 'first line\nsecond line',
  });
  assert.equal(c.name, 'Anna Schmidt');
  assert.deepEqual(c.addresses, [
    { value: '030 1234567', label: 'home' },
    { value: 'sip:anna@example.com', label: 'other' },
    { value: '**610', label: 'other' },
  ]);
  assert.deepEqual(c.groups, ['Family', 'Friends']);
  assert.equal(c.vip, false);
  assert.equal(c.blocked, false);
  assert.equal(c.note, 'first line\nsecond line');
  assert.equal(c.created, 1_500);
  assert.equal(c.updated, 1_500);
  assert.deepEqual(service.get(c.id), c);
  // A contact of numbers alone is fine; so is one of a name alone.
  assert.equal(service.add({ name: '', addresses: [{ value: '0170 1234567', label: 'mobile' }] }).name, '');
  assert.deepEqual(service.add({ name: 'Nobody', addresses: [] }).addresses, []);
});

test('add: every rule refused with contacts.invalid and a message saying it', () => {
  const { service, repository } = setup();
  const photo = (bytes: number): ContactDraft['photo'] => ({ mediaType: 'image/jpeg', data: Buffer.alloc(bytes).toString('base64') });
  const cases: Array<[ContactDraft, RegExp]> = [
    [{ name: '', addresses: [] }, /a name or an address/],
    [{ name: 'x'.repeat(201), addresses: [] }, /longer than 200/],
    [{ name: 'Bell\u0007', addresses: [] }, /control characters/],
    [{ ...anna, addresses: [{ value: 'hello', label: 'home' }] }, /neither a telephone number nor a SIP URI/],
    [{ ...anna, addresses: [{ value: '030 1234567', label: 'pager' as 'home' }] }, /label must be one of home, mobile, work, fax, other/],
    [{ ...anna, addresses: Array.from({ length: 51 }, (_, i) => ({ value: `030 12345${i}`, label: 'home' as const })) }, /at most 50 addresses/],
    [{ ...anna, groups: Array.from({ length: 51 }, (_, i) => `g${i}`) }, /at most 50 groups/],
    [{ ...anna, groups: [' '] }, /group name must not be empty/],
    [{ ...anna, groups: ['x'.repeat(101)] }, /longer than 100/],
    [{ ...anna, note: 'x'.repeat(10_001) }, /note is longer than 10000/],
    [{ ...anna, note: 'nul\u0000' }, /control characters/],
    [{ ...anna, photo: photo(256 * 1024 + 1) }, /larger than 256 KiB/],
    [{ ...anna, photo: { mediaType: 'text/html', data: '' } }, /image/],
    [{ ...anna, photo: { mediaType: 'image/png', data: 'not base64!' } }, /not base64/],
    [{ ...anna, vip: 'yes' as unknown as boolean }, /vip must be true or false/],
    [{ ...anna, name: 42 as unknown as string }, /name must be text/],
    [{ ...anna, addresses: '030 1234567' as unknown as ContactDraft['addresses'] }, /addresses must be a list/],
  ];
  for (const [draft, message] of cases) rejects(() => service.add(draft), 'invalid', message);
  assert.equal(service.add({ ...anna, photo: photo(256 * 1024) }).photo?.mediaType, 'image/jpeg');
  assert.equal(repository.all().length, 1);
});

test('update and remove: the old number stops matching, created stays; unknown ids', () => {
  const { service, clock } = setup();
  const c = service.add(anna);
  clock.advance(1_000);
  const u = service.update(c.id, { ...anna, addresses: [{ value: '0170 7654321', label: 'mobile' }], vip: true });
  assert.equal(u.created, c.created);
  assert.equal(u.updated, c.created + 1_000);
  assert.equal(service.lookup('+49301234567'), undefined);
  assert.equal(service.lookup('+491707654321')?.contact.id, c.id);
  rejects(() => service.update('nope', anna), 'not-found');
  rejects(() => service.update(c.id, { name: '', addresses: [] }), 'invalid');
  assert.equal(service.remove(c.id), true);
  assert.equal(service.remove(c.id), false);
  assert.equal(service.get(c.id), undefined);
  assert.equal(service.lookup('+491707654321'), undefined);
});

test('lookup: the contact and the address that matched, however the number is written', () => {
  const { service } = setup();
  const c = service.add({ ...anna, addresses: [...anna.addresses, { value: 'sip:anna@example.com', label: 'other' }, { value: '0170 1234567', label: 'mobile' }] });
  for (const form of ['+49301234567', '1234567', '0049 30 1234567', 'sip:+49301234567@provider.example;user=phone', '"Anna" <tel:+49-30-1234567>']) {
    assert.deepEqual(service.lookup(form), { contact: c, address: { value: '030 1234567', label: 'home' } }, form);
  }
  assert.deepEqual(service.lookup('sip:%61nna@EXAMPLE.com')?.address, { value: 'sip:anna@example.com', label: 'other' });
  assert.deepEqual(service.lookup('+491701234567')?.address, { value: '0170 1234567', label: 'mobile' });
  assert.equal(service.lookup('+49301234568'), undefined);
  assert.equal(service.lookup('sip:anna@example.com:5060'), undefined);
  assert.equal(service.lookup('anonymous'), undefined);
  assert.equal(service.lookup(''), undefined);
});

test('classify: unknown callers; VIP, blocked and groups of every contact with the number; the oldest names it', () => {
  const { service, clock } = setup();
  assert.deepEqual(service.classify('030 1234567'), { known: false, vip: false, blocked: false, groups: [] });
  assert.deepEqual(service.classify('not a number'), { known: false, vip: false, blocked: false, groups: [] });
  const mum = service.add({ ...anna, name: 'Mum', vip: true, groups: ['Family'] });
  clock.advance(1);
  service.add({ name: 'Home line', addresses: [{ value: '+49 30 1234567', label: 'home' }], groups: ['Landlines', 'Family'] });
  service.add({ name: 'Spam Ltd', addresses: [{ value: '0800 1234567', label: 'work' }], blocked: true });
  assert.deepEqual(service.classify('sip:0301234567@provider.example'), {
    known: true,
    vip: true,
    blocked: false,
    groups: ['Family', 'Landlines'],
    contactId: mum.id,
    name: 'Mum',
  });
  assert.equal(service.classify('+498001234567').blocked, true);
  assert.equal(service.classify('+498001234567').vip, false);
});

test('list: search by folded name or by the digits of a number, by group, a page and the total', () => {
  const { service, clock } = setup();
  const add = (name: string, value: string, groups: string[] = []): Contact => {
    clock.advance(1);
    return service.add({ name, addresses: [{ value, label: 'home' }], groups });
  };
  const juergen = add('Jürgen Groß', '030 1234567', ['Family']);
  const anne = add('anne', 'sip:anne@example.com', ['Family', 'Club']);
  const bob = add('Bob', '+44 20 7946 0958');
  const zoe = add('Zoë', '0170 7654321', ['Club']);
  const names = (r: { contacts: Contact[] }): string[] => r.contacts.map((c) => c.name);
  assert.deepEqual(names(service.list()), ['anne', 'Bob', 'Jürgen Groß', 'Zoë']);
  assert.equal(service.list().total, 4);
  assert.deepEqual(names(service.list({ query: 'jurgen' })), ['Jürgen Groß']);
  assert.deepEqual(names(service.list({ query: 'GROSS' })), []);
  assert.deepEqual(names(service.list({ query: 'zoe' })), ['Zoë']);
  assert.deepEqual(names(service.list({ query: 'example.com' })), ['anne']);
  // Digits match the number as written, as its key, and without separators.
  assert.deepEqual(names(service.list({ query: '1234567' })), ['Jürgen Groß']);
  assert.deepEqual(names(service.list({ query: '030 123' })), ['Jürgen Groß']);
  assert.deepEqual(names(service.list({ query: '+4930' })), ['Jürgen Groß']);
  assert.deepEqual(names(service.list({ query: '7946-0958' })), ['Bob']);
  assert.deepEqual(names(service.list({ query: '  ' })), ['anne', 'Bob', 'Jürgen Groß', 'Zoë']);
  assert.deepEqual(names(service.list({ group: 'Club' })), ['anne', 'Zoë']);
  assert.deepEqual(names(service.list({ group: 'Family', query: 'an' })), ['anne']);
  assert.deepEqual(names(service.list({ group: 'nobody' })), []);
  const page = service.list({ offset: 1, limit: 2 });
  assert.deepEqual(names(page), ['Bob', 'Jürgen Groß']);
  assert.equal(page.total, 4);
  assert.deepEqual(names(service.list({ offset: 10 })), []);
  rejects(() => service.list({ offset: -1 }), 'invalid');
  rejects(() => service.list({ limit: 1.5 }), 'invalid');
  assert.deepEqual(service.groups(), ['Club', 'Family']);
  void [juergen, anne, bob, zoe];
});

test('import: records merge into the contact with one of their numbers; new numbers, groups and flags added; name and note kept', () => {
  const { service, next, clock } = setup();
  const existing = service.add({ ...anna, note: 'edited in hometel', groups: ['Family'] });
  clock.advance(10);
  next.parsed = {
    drafts: [
      // Anna again, written differently, with a new mobile number, a group and the VIP flag.
      { name: 'Anna S.', note: 'from the phone', addresses: [{ value: '+49 30 1234567', label: 'work' }, { value: '0170 1111111', label: 'mobile' }], groups: ['Family', 'Tennis'], vip: true },
      { name: 'Bob', addresses: [{ value: '+44 20 7946 0958', label: 'work' }] },
      // Bob again in the same file, by his other number form: merged into the Bob this import added.
      { name: 'Robert', addresses: [{ value: '0044 20 7946 0958', label: 'home' }, { value: 'sip:bob@example.org', label: 'other' }] },
      // No number: always added.
      { name: 'Carla', addresses: [] },
      // Anna's mobile only, no changes: merged, nothing to write.
      { name: 'Anna mobile', addresses: [{ value: '+491701111111', label: 'mobile' }] },
    ],
    problems: [{ at: '17', reason: 'no FN' }],
  };
  const report = service.import('vcard', 'the file');
  assert.deepEqual(report, { added: 2, merged: 3, problems: [{ at: '17', reason: 'no FN' }] });
  const a = service.get(existing.id)!;
  assert.equal(a.name, 'Anna Schmidt');
  assert.equal(a.note, 'edited in hometel');
  assert.equal(a.vip, true);
  assert.equal(a.blocked, false);
  assert.deepEqual(a.groups, ['Family', 'Tennis']);
  assert.deepEqual(a.addresses, [
    { value: '030 1234567', label: 'home' },
    { value: '0170 1111111', label: 'mobile' },
  ]);
  assert.equal(a.updated, 1_010);
  const bob = service.lookup('sip:bob@example.org')!.contact;
  assert.equal(bob.name, 'Bob');
  assert.deepEqual(bob.addresses.map((x) => x.value), ['+44 20 7946 0958', 'sip:bob@example.org']);
  assert.equal(service.list().total, 3);
  // Importing the same file again adds nothing.
  assert.deepEqual(service.import('vcard', 'the file'), { added: 1, merged: 4, problems: [{ at: '17', reason: 'no FN' }] });
  assert.equal(service.list({ query: 'carla' }).total, 2);
});

test('import: a merged contact takes the name, note and photo only when it has none; a flag is never cleared', () => {
  const { service, next } = setup();
  const bare = service.add({ name: '', addresses: [{ value: '030 1234567', label: 'home' }], blocked: true });
  next.parsed = { drafts: [{ name: 'Anna', note: 'hi', photo: { mediaType: 'image/png', data: 'AAAA' }, addresses: [{ value: '1234567', label: 'home' }], blocked: false }], problems: [] };
  assert.deepEqual(service.import('csv', 'x'), { added: 0, merged: 1, problems: [] });
  const c = service.get(bare.id)!;
  assert.equal(c.name, 'Anna');
  assert.equal(c.note, 'hi');
  assert.deepEqual(c.photo, { mediaType: 'image/png', data: 'AAAA' });
  assert.equal(c.blocked, true);
});

test('import: records breaking a rule are reported by their position and the rest is imported', () => {
  const { service, next } = setup();
  const full = service.add({ name: 'Full', addresses: Array.from({ length: 50 }, (_, i) => ({ value: `030 12345${String(i).padStart(2, '0')}`, label: 'home' as const })) });
  next.parsed = {
    drafts: [
      { name: 'Good', addresses: [{ value: '0170 1234567', label: 'mobile' }] },
      { name: 'x'.repeat(300), addresses: [] },
      { name: 'Bad number', addresses: [{ value: 'call me', label: 'home' }] },
      { name: 'One more for Full', addresses: [{ value: '030 1234500', label: 'home' }, { value: '0170 9999999', label: 'mobile' }] },
      { name: 'Also good', addresses: [] },
    ],
    problems: [],
  };
  const report = service.import('fritzbox', '<phonebooks/>');
  assert.equal(report.added, 2);
  assert.equal(report.merged, 0);
  assert.deepEqual(report.problems.map((p) => p.at), ['record 2', 'record 3', 'record 4']);
  assert.match(report.problems[0]!.reason, /longer than 200/);
  assert.match(report.problems[1]!.reason, /"call me" is neither/);
  assert.match(report.problems[2]!.reason, /merged with the contact that has its number: at most 50 addresses/);
  assert.equal(service.get(full.id)!.addresses.length, 50);
  assert.equal(service.list().total, 3);
});

test('import: one transaction — a failure half-way leaves nothing of the file', () => {
  class FailingRepository extends MemoryContactRepository {
    inserts = 0;
    override insert(keyed: KeyedContact): void {
      if (++this.inserts === 3) throw new Error('disk full');
      super.insert(keyed);
    }
  }
  const repository = new FailingRepository();
  const { service, next } = setup({ repository });
  next.parsed = { drafts: Array.from({ length: 5 }, (_, i) => ({ name: `C${i}`, addresses: [{ value: `030 765432${i}`, label: 'home' as const }] })), problems: [] };
  assert.throws(() => service.import('vcard', 'x'), /disk full/);
  assert.equal(repository.rollbacks, 1);
  assert.deepEqual(service.list(), { contacts: [], total: 0 });
  assert.equal(service.lookup('030 7654320'), undefined);
});

test('import: files over the limit are refused before reading; bytes are decoded by their BOM or XML declaration', () => {
  const { service, next } = setup({ maxImportBytes: 1024 });
  rejects(() => service.import('vcard', 'x'.repeat(1025)), 'too-large', /the file has 1025 bytes; at most 1024 bytes can be imported/);
  rejects(() => service.import('vcard', 'ä'.repeat(513)), 'too-large');
  rejects(() => service.import('csv', new Uint8Array(1025)), 'too-large');
  rejects(() => setup().service.import('csv', new Uint8Array(50 * 1024 * 1024)), 'too-large', /the file has 50\.0 MiB; at most 10\.0 MiB/);
  assert.equal(next.text, undefined, 'the reader never saw them');

  service.import('csv', Buffer.from('\uFEFFName,Number\r\nJürgen,030 1', 'utf16le'));
  assert.equal(next.text, 'Name,Number\r\nJürgen,030 1', 'UTF-16LE with a BOM');
  service.import('csv', Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from('Name\nZoë')]));
  assert.equal(next.text, 'Name\nZoë', 'UTF-8 with a BOM');
  service.import('vcard', '\uFEFFBEGIN:VCARD');
  assert.equal(next.text, 'BEGIN:VCARD', 'a string loses its BOM');
  service.import('fritzbox', Buffer.from('<?xml version="1.0" encoding="iso-8859-1"?><realName>J\xfcrgen</realName>', 'latin1'));
  assert.equal(next.text, '<?xml version="1.0" encoding="iso-8859-1"?><realName>Jürgen</realName>', 'Latin-1 as declared');
  rejects(() => service.import('vcard', Buffer.from([0x42, 0xff, 0xfe, 0x41, 0xc3])), 'unreadable', /not utf-8 text/);
  next.parsed = () => {
    throw new Error('not XML at all');
  };
  rejects(() => service.import('fritzbox', '<<<'), 'unreadable', /fritzbox file cannot be read: not XML at all/);
  rejects(() => service.import('pdf' as ImportFormat, 'x'), 'invalid', /unknown import format/);
  rejects(() => service.import('constructor' as ImportFormat, 'x'), 'invalid', /unknown import format/);
});

test('a changed number plan re-keys the stored addresses once: a local number moves with the area code', () => {
  const repository = new MemoryContactRepository();
  const first = setup({ repository });
  const c = first.service.add({ name: 'Local', addresses: [{ value: '1234567', label: 'home' }] });
  assert.equal(first.service.lookup('+49301234567')?.contact.id, c.id);
  assert.equal(repository.transactions, 1);
  setup({ repository });
  assert.equal(repository.transactions, 1, 'same plan: no re-keying');
  const hamburg = setup({ repository, plan: { country: 'DE', areaCode: '40' } });
  assert.equal(repository.transactions, 2);
  assert.equal(hamburg.service.lookup('+49301234567'), undefined);
  assert.equal(hamburg.service.lookup('040 1234567')?.contact.id, c.id);
  assert.throws(() => setup({ repository, plan: { country: 'Germany' } }), /unknown country/);
});

test('logs say what happened with ids and counts, never names, numbers or notes', () => {
  const { service, next, logs } = setup();
  const c = service.add({ ...anna, note: 'secret note' });
  service.update(c.id, { ...anna, name: 'Anna Maria' });
  next.parsed = { drafts: [{ name: 'Imported Ina', addresses: [{ value: '0170 5555555', label: 'mobile' }] }], problems: [] };
  service.import('vcard', 'BEGIN:VCARD');
  service.remove(c.id);
  const text = logs.join('\n');
  assert.match(text, new RegExp(`contact added id=${c.id}`));
  assert.match(text, /contact updated/);
  assert.match(text, /contacts imported format=vcard bytes=11 added=1 merged=0 problems=0/);
  assert.match(text, /contact removed/);
  for (const secret of ['Anna', 'Ina', '1234567', '5555555', 'secret note']) assert.ok(!text.includes(secret), secret);
});
