/** vCard import (3.0, 4.0, 2.1 quoted-printable) and export, card by card, with problems for the broken cards. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseVcard, writeVcard } from '../../src/contacts/formats/index.js';
import type { Contact, ContactDraft } from '../../src/contacts/index.js';
import { generateVcards } from '../support/vcard-generator.js';

const stored = (drafts: readonly ContactDraft[]): Contact[] =>
  drafts.map((d, i) => ({ ...d, id: `c${i}`, created: 0, updated: 0 }));

const crlf = (...lines: string[]): string => lines.map((l) => `${l}\r\n`).join('');

test('a generated file of 10,000 cards (3.0 and 4.0, folded lines, non-ASCII names) imports whole and round-trips through export', () => {
  const file = generateVcards({ count: 10_000 });
  assert.ok(file.contacts.some((c) => c.version === '3.0') && file.contacts.some((c) => c.version === '4.0'));
  assert.match(file.text, /\r\n [^\r]/, 'some lines are folded');
  assert.ok(file.contacts.some((c) => /[^\p{ASCII}]/u.test(c.name)), 'some names are not ASCII');

  const parsed = parseVcard(file.text);
  assert.deepEqual(parsed.problems, []);
  assert.equal(parsed.drafts.length, 10_000);
  assert.deepEqual(
    parsed.drafts.map((d) => ({ name: d.name, numbers: d.addresses })),
    file.contacts.map((c) => ({ name: c.name, numbers: c.numbers })),
  );

  const exported = writeVcard(stored(parsed.drafts));
  const again = parseVcard(exported);
  assert.deepEqual(again.problems, []);
  const shape = (d: ContactDraft): unknown => ({ name: d.name, addresses: d.addresses, note: d.note, photo: d.photo, groups: d.groups });
  assert.deepEqual(again.drafts.map(shape), parsed.drafts.map(shape));
});

test('100 cards with 5 malformed: 95 drafts, and each broken card reported at its first line with a reason', () => {
  const file = generateVcards({ count: 100, malformed: 5, seed: 7 });
  assert.equal(file.malformed.length, 5);
  assert.equal(new Set(file.malformed.map((m) => m.kind)).size, 5, 'five different kinds of breakage');
  const parsed = parseVcard(file.text);
  assert.equal(parsed.drafts.length, 95);
  assert.deepEqual(parsed.drafts.map((d) => d.name), file.contacts.map((c) => c.name));
  assert.deepEqual(parsed.problems.map((p) => p.at), file.malformed.map((m) => `line ${m.line}`));
  const reasons = Object.fromEntries(file.malformed.map((m, i) => [m.kind, parsed.problems[i]!.reason]));
  assert.match(reasons['no END']!, /no END:VCARD/);
  assert.match(reasons['no BEGIN']!, /without BEGIN:VCARD/);
  assert.match(reasons['no name and no number']!, /no name and no number/);
  assert.match(reasons['line without colon']!, /not a readable vCard/);
  assert.match(reasons['unclosed quote']!, /not a readable vCard: .*quote/);
});

test('3.0 and 4.0 properties: TEL types and tel: URIs, SIP addresses from IMPP, X-SIP and URL, note, photo, categories, flags', () => {
  const { drafts, problems } = parseVcard(
    crlf(
      'BEGIN:VCARD', 'VERSION:3.0', 'FN:Hans Müller', 'N:Müller;Hans;;;',
      'TEL;TYPE=HOME,VOICE:030 1', 'TEL;TYPE=CELL:0171 2', 'TEL;type=WORK;type=FAX:030 3', 'TEL;TYPE=WORK:030 4', 'TEL:030 5',
      'IMPP;X-SERVICE-TYPE=sip;TYPE=work:sip:hans@example.org', 'IMPP:xmpp:hans@example.org', 'X-SIP:hans2@example.org', 'URL:sip:hans3@example.org', 'URL:https://example.org/',
      'NOTE:first\\nsecond\\, with comma\\; and semicolon', 'PHOTO;ENCODING=b;TYPE=PNG:iVBORw0K', ' GgoAAAAN', 'CATEGORIES:Family,Work\\, and more',
      'X-HOMETEL-VIP:TRUE', 'X-HOMETEL-BLOCKED:FALSE', 'END:VCARD',
      'BEGIN:VCARD', 'VERSION:4.0', 'FN:Zoë', 'TEL;VALUE=uri;TYPE="voice,cell":tel:+1-555-555-0100', 'TEL;VALUE=uri;TYPE=home:sip:zoe@example.org',
      'PHOTO:data:image/jpeg;base64,/9j/4AAQ', 'X-HOMETEL-BLOCKED:TRUE', 'END:VCARD',
      'BEGIN:VCARD', 'VERSION:4.0', 'FN:By reference', 'TEL:1', 'PHOTO:https://example.org/me.jpg', 'END:VCARD',
      'BEGIN:VCARD', 'VERSION:4.0', 'FN:Quoted', 'TEL;TYPE=work;X-LABEL="a;b:c":2', 'END:VCARD',
    ),
  );
  assert.deepEqual(problems, []);
  assert.deepEqual(drafts[0], {
    name: 'Hans Müller',
    addresses: [
      { value: '030 1', label: 'home' }, { value: '0171 2', label: 'mobile' }, { value: '030 3', label: 'fax' },
      { value: '030 4', label: 'work' }, { value: '030 5', label: 'other' }, { value: 'sip:hans@example.org', label: 'work' },
      { value: 'sip:hans2@example.org', label: 'other' }, { value: 'sip:hans3@example.org', label: 'other' },
    ],
    note: 'first\nsecond, with comma; and semicolon',
    photo: { mediaType: 'image/png', data: 'iVBORw0KGgoAAAAN' },
    vip: true,
    groups: ['Family', 'Work, and more'],
  });
  assert.deepEqual(drafts[1], {
    name: 'Zoë',
    addresses: [{ value: '+1-555-555-0100', label: 'mobile' }, { value: 'sip:zoe@example.org', label: 'home' }],
    photo: { mediaType: 'image/jpeg', data: '/9j/4AAQ' },
    blocked: true,
  });
  assert.equal(drafts[2]!.photo, undefined, 'a photo by reference is dropped');
  assert.deepEqual(drafts[3]!.addresses, [{ value: '2', label: 'work' }], 'a quoted parameter value may hold ; and :');
});

test('a card without FN is named from N, one without a name from ORG or its first number', () => {
  const { drafts } = parseVcard(
    crlf(
      'BEGIN:VCARD', 'VERSION:3.0', 'N:Doe;John;Q.;Dr.;Jr.', 'TEL:1', 'END:VCARD',
      'BEGIN:VCARD', 'VERSION:3.0', 'N:;;;;', 'ORG:ACME Inc.;Sales', 'TEL:2', 'END:VCARD',
      'BEGIN:VCARD', 'VERSION:4.0', 'TEL;VALUE=uri:tel:+49-30-3', 'END:VCARD',
    ),
  );
  assert.deepEqual(drafts.map((d) => d.name), ['Dr. John Q. Doe Jr.', 'ACME Inc.', '+49-30-3']);
});

test('group cards (4.0 KIND:group, Apple X-ADDRESSBOOKSERVER-KIND) are no contacts: their names become their members\' groups', () => {
  const { drafts, problems } = parseVcard(
    crlf(
      'BEGIN:VCARD', 'VERSION:3.0', 'FN:Family', 'X-ADDRESSBOOKSERVER-KIND:group', 'X-ADDRESSBOOKSERVER-MEMBER:urn:uuid:AAA-1', 'END:VCARD',
      'BEGIN:VCARD', 'VERSION:3.0', 'FN:Mum', 'TEL:1', 'UID:aaa-1', 'CATEGORIES:Favourites', 'END:VCARD',
      'BEGIN:VCARD', 'VERSION:4.0', 'FN:Dad', 'TEL:2', 'UID:urn:uuid:bbb-2', 'END:VCARD',
      'BEGIN:VCARD', 'VERSION:4.0', 'KIND:group', 'FN:Parents', 'MEMBER:urn:uuid:aaa-1', 'MEMBER:urn:uuid:BBB-2', 'END:VCARD',
    ),
  );
  assert.deepEqual(problems, []);
  assert.deepEqual(drafts.map((d) => [d.name, d.groups]), [['Mum', ['Favourites', 'Family', 'Parents']], ['Dad', ['Parents']]]);
});

test('vCard 2.1 from phones: quoted-printable in UTF-8 and ISO-8859-1 with soft line breaks, bare TYPE parameters, base64 photo', () => {
  const { drafts, problems } = parseVcard(
    [
      'BEGIN:VCARD', 'VERSION:2.1', 'N;CHARSET=UTF-8;ENCODING=QUOTED-PRINTABLE:M=C3=BCller;J=C3=B6rg;;;',
      'FN;CHARSET=UTF-8;ENCODING=QUOTED-PRINTABLE:J=C3=B6rg M=C3=BC=', 'ller', 'TEL;CELL;PREF:+49171 1', 'TEL;HOME;VOICE:030 2',
      'NOTE;ENCODING=QUOTED-PRINTABLE;CHARSET=ISO-8859-1:Gr=FC=DFe=0D=0Aaus Berlin', 'PHOTO;ENCODING=BASE64;JPEG:/9j/4AAQ', ' SkZJRg', '', 'END:VCARD',
    ].join('\n'),
  );
  assert.deepEqual(problems, []);
  assert.deepEqual(drafts[0], {
    name: 'Jörg Müller',
    addresses: [{ value: '+49171 1', label: 'mobile' }, { value: '030 2', label: 'home' }],
    note: 'Grüße\naus Berlin',
    photo: { mediaType: 'image/jpeg', data: '/9j/4AAQSkZJRg' },
  });
});

test('an unknown CHARSET fails that card only', () => {
  const { drafts, problems } = parseVcard(
    crlf('BEGIN:VCARD', 'VERSION:2.1', 'FN;CHARSET=X-NONE;ENCODING=QUOTED-PRINTABLE:A=41', 'END:VCARD', 'BEGIN:VCARD', 'FN:B', 'TEL:1', 'END:VCARD'),
  );
  assert.deepEqual(drafts.map((d) => d.name), ['B']);
  assert.equal(problems[0]!.at, 'line 1');
  assert.match(problems[0]!.reason, /not a readable vCard/);
});

test('injection: names with <, &, ;, , and line breaks are escaped in the export and read back as they were', () => {
  const evil = ['a;b,c\\d', 'x\r\nEND:VCARD\r\nBEGIN:VCARD\r\nFN:injected', '<b>&amp;</b> "quoted"', 'tab\there'];
  const contacts = stored(evil.map((name, i) => ({ name, addresses: [{ value: `+49 30 ${i}\r\nX-EVIL:1`, label: 'home' }], note: name, groups: [name] })));
  const text = writeVcard(contacts);
  assert.equal(text.match(/^BEGIN:VCARD\r$/gm)?.length, evil.length, 'one card per contact, no card smuggled in');
  assert.doesNotMatch(text, /^X-EVIL/m);
  const back = parseVcard(text);
  assert.deepEqual(back.problems, []);
  assert.deepEqual(back.drafts.map((d) => d.note), evil.map((n) => n.replace(/\r\n/g, '\n')));
  // A name is one line: its line breaks and tabs read back as spaces.
  assert.deepEqual(back.drafts.map((d) => d.name), evil.map((n) => n.replace(/\s+/g, ' ')));
  assert.deepEqual(back.drafts.map((d) => d.addresses[0]!.value), evil.map((_, i) => `+49 30 ${i}  X-EVIL:1`));
});

test('export: version 3.0, lines folded at 75 octets without splitting a UTF-8 character, flags as X-HOMETEL-*', () => {
  const name = 'Ж'.repeat(60) + '😀'.repeat(10);
  const text = writeVcard(
    stored([{ name, addresses: [{ value: 'sip:a@example.org', label: 'work' }, { value: '030 1', label: 'fax' }], vip: true, blocked: true }]),
  );
  assert.match(text, /^BEGIN:VCARD\r\nVERSION:3\.0\r\n/);
  for (const line of text.split('\r\n')) assert.ok(Buffer.byteLength(line) <= 75, `${line} is longer than 75 octets`);
  assert.doesNotMatch(text, /\uFFFD/);
  assert.match(text, /^IMPP;TYPE=WORK:sip:a@example\.org\r$/m);
  assert.match(text, /^TEL;TYPE=FAX:030 1\r$/m);
  assert.match(text, /^X-HOMETEL-VIP:TRUE\r$/m);
  assert.match(text, /^X-HOMETEL-BLOCKED:TRUE\r$/m);
  const [back] = parseVcard(text).drafts;
  assert.deepEqual(back, { name, addresses: [{ value: 'sip:a@example.org', label: 'work' }, { value: '030 1', label: 'fax' }], vip: true, blocked: true });
});

test('an empty file has nothing to import and nothing to report; text without any card is reported', () => {
  assert.deepEqual(parseVcard(''), { drafts: [], problems: [] });
  assert.deepEqual(parseVcard('hello\nworld\n').problems, [{ at: 'line 1', reason: 'text outside BEGIN:VCARD … END:VCARD' }]);
});
