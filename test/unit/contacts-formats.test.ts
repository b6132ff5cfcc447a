/** The FRITZ!Box phonebook and CSV readers, and the desk phones' remote phonebooks (well-formed per xmllint). */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { DOMParser } from '@xmldom/xmldom';
import { parseCsv, parseFritzbox, writePhonebook } from '../../src/contacts/formats/index.js';
import type { Contact, PhonebookFormat } from '../../src/contacts/index.js';

const fixture = readFileSync(new URL('../fixtures/contacts/fritzbox-phonebook.xml', import.meta.url), 'utf8');

test('FRITZ!Box phonebook: every contact of every phonebook, main number first, category 1 as VIP, a problem per unreadable contact', () => {
  const { drafts, problems } = parseFritzbox(fixture);
  assert.equal(drafts.length, 6);
  assert.deepEqual(problems, [{ at: 'phonebook[1]/contact[4]', reason: 'no name and no number' }]);
  assert.deepEqual(drafts.map((d) => d.name), ['Oma Gerda', 'Praxis Dr. Jürgens & Partner', 'Haustür', 'Ярослав Ковальчук', 'Hotline', 'Kollegin Eva']);
  assert.deepEqual(drafts[0], {
    name: 'Oma Gerda',
    addresses: [{ value: '030 1234567', label: 'home' }, { value: '0171 7654321', label: 'mobile' }],
    vip: true,
  });
  assert.deepEqual(drafts[1]!.addresses, [
    { value: '+49 30 5550111', label: 'work' },
    { value: '+49 30 5550100', label: 'work' },
    { value: '+49 30 5550199', label: 'fax' },
  ]);
  assert.equal(drafts[1]!.vip, undefined);
  assert.deepEqual(drafts[2]!.addresses, [{ value: '**610', label: 'other' }]);
  assert.deepEqual(drafts[4]!.addresses, [{ value: '0800 1234567', label: 'work' }, { value: 'sip:hotline@sip.example.com', label: 'other' }]);
});

test('FRITZ!Box: one phonebook gives contact[n]; a DOCTYPE, an entity, a broken document or another root is refused as a whole', () => {
  const one = parseFritzbox('<phonebooks><phonebook><contact><person><realName/></person></contact></phonebook></phonebooks>');
  assert.deepEqual(one.problems, [{ at: 'contact[1]', reason: 'no name and no number' }]);
  for (const doc of [
    `<?xml version="1.0"?><!DOCTYPE phonebooks [<!ENTITY x SYSTEM "file:///etc/passwd">]>${fixture.slice(fixture.indexOf('<phonebooks>'))}`,
    '<!DOCTYPE phonebooks><phonebooks/>',
  ]) {
    const r = parseFritzbox(doc);
    assert.deepEqual(r.drafts, []);
    assert.deepEqual(r.problems, [{ at: 'document', reason: 'DTDs and entity declarations are not allowed' }]);
  }
  const broken = parseFritzbox('<phonebooks><phonebook><contact>');
  assert.equal(broken.problems[0]?.at, 'document');
  assert.match(broken.problems[0]?.reason ?? '', /unclosed/);
  assert.match(parseFritzbox('<addressbook/>').problems[0]!.reason, /not a FRITZ!Box phonebook/);
});

test('CSV: header names matched with synonyms and without regard to case, ; as delimiter, multi-line fields, a problem per bad line', () => {
  const csv = [
    'Display Name;MOBILE_PHONE;Home;Business Phone;Fax;SIP;Notes;Categories;Favorite;Blocked;Shoe size',
    'Anna Schmidt;0171 1;030 2;030 3;030 4;anna@example.org;"two',
    'lines";Family,Friends;yes;no;42',
    '',
    'Bob;0171 5;;;;;;;maybe;;',
    ';;;;;;;;;;',
    'Carl;0171 6;;;;;;;;;;;extra',
    'Spammer;+1 555 0100;;;;;;;;1;',
    ';;;;;;a note only;;;;',
    'Dora "the" Explorer;0171 7;;;;;;;;;',
    '"Unclosed;0171 8',
  ].join('\r\n');
  const { drafts, problems } = parseCsv(csv);
  assert.deepEqual(drafts[0], {
    name: 'Anna Schmidt',
    addresses: [
      { value: '0171 1', label: 'mobile' }, { value: '030 2', label: 'home' }, { value: '030 3', label: 'work' },
      { value: '030 4', label: 'fax' }, { value: 'sip:anna@example.org', label: 'other' },
    ],
    note: 'two\nlines',
    vip: true,
    groups: ['Family', 'Friends'],
  });
  assert.deepEqual(drafts[1], { name: 'Spammer', addresses: [{ value: '+1 555 0100', label: 'mobile' }], blocked: true });
  assert.deepEqual(drafts.map((d) => d.name), ['Anna Schmidt', 'Spammer', 'Dora "the" Explorer']);
  assert.deepEqual(problems.map((p) => p.at), ['line 5', 'line 7', 'line 9', 'line 11']);
  assert.match(problems[0]!.reason, /favorite|vip/i);
  assert.match(problems[1]!.reason, /13 fields, the header has 11/);
  assert.match(problems[2]!.reason, /no name and no number/);
  assert.match(problems[3]!.reason, /not readable as CSV/);
});

test('CSV: first and last name columns make the name; a header without a name or number column is one problem', () => {
  assert.deepEqual(parseCsv('First Name,Last Name,Company,Mobile\nJohn,Doe,,1\n,,ACME,2\n').drafts.map((d) => d.name), ['John Doe', 'ACME']);
  assert.deepEqual(parseCsv('Colour,Size\nred,4\n'), { drafts: [], problems: [{ at: 'line 1', reason: 'the header names no name and no number column: Colour, Size' }] });
  assert.deepEqual(parseCsv(''), { drafts: [], problems: [] });
});

const book: Contact[] = [
  { name: 'Anna <Admin> & "Co"', addresses: [{ value: '+49 30 1', label: 'home' }, { value: '0171 2', label: 'mobile' }] },
  { name: "O'Brien; Pat, Jr.\nEND", addresses: [{ value: 'sip:pat@example.org', label: 'work' }] },
  { name: 'No numbers', addresses: [] },
  { name: 'Blank numbers', addresses: [{ value: ' \n', label: 'home' }] },
  { name: 'Jörg 山田 \u0007bell', addresses: [{ value: '030 9 <x>', label: 'fax' }] },
].map((c, i) => ({ ...c, id: String(i), created: 0, updated: 0 }) as Contact);

function wellFormed(xml: string): void {
  // xmllint (Debian libxml2-utils) is the judge, not the parser the code under test uses.
  execFileSync('xmllint', ['--noout', '-'], { input: xml, stdio: ['pipe', 'ignore', 'pipe'] });
}

function texts(xml: string, tag: string): string[] {
  const doc = new DOMParser().parseFromString(xml, 'text/xml');
  return Array.from(doc.getElementsByTagName(tag)).map((e) => e.textContent ?? '');
}

test('phonebooks: Yealink, Snom and Grandstream XML are well-formed and list every contact with a number, escaped', () => {
  const expected: Record<PhonebookFormat, { root: string; name: string; number: string; names: string[] }> = {
    yealink: { root: 'YealinkIPPhoneDirectory', name: 'Name', number: 'Telephone', names: ['Anna <Admin> & "Co"', "O'Brien; Pat, Jr. END", 'Jörg 山田 bell'] },
    snom: {
      root: 'SnomIPPhoneDirectory', name: 'Name', number: 'Telephone',
      names: ['Anna <Admin> & "Co" (Home)', 'Anna <Admin> & "Co" (Mobile)', "O'Brien; Pat, Jr. END", 'Jörg 山田 bell'],
    },
    grandstream: { root: 'AddressBook', name: 'FirstName', number: 'phonenumber', names: ['Anna <Admin> & "Co"', "O'Brien; Pat, Jr. END", 'Jörg 山田 bell'] },
  };
  for (const [format, e] of Object.entries(expected) as Array<[PhonebookFormat, (typeof expected)[PhonebookFormat]]>) {
    const xml = writePhonebook(format, book);
    wellFormed(xml);
    assert.match(xml, new RegExp(`^<\\?xml version="1.0" encoding="UTF-8"\\?>\\n<${e.root}>`), format);
    assert.deepEqual(texts(xml, e.name), e.names, format);
    assert.deepEqual(texts(xml, e.number), ['+49 30 1', '0171 2', 'pat@example.org', '030 9 <x>'], format);
  }
  assert.match(writePhonebook('yealink', book), /<Telephone label="Mobile">0171 2<\/Telephone>/);
  assert.match(writePhonebook('grandstream', book), /<Phone type="Fax"><phonenumber>030 9 &lt;x&gt;<\/phonenumber><accountindex>0<\/accountindex><\/Phone>/);
});

test('phonebooks: well-formed for a large generated book too, and empty when no contact has a number', () => {
  const many = Array.from({ length: 2000 }, (_, i): Contact => ({
    id: String(i), created: 0, updated: 0, name: `Ω ${i} <&>`, addresses: [{ value: `+49 30 ${i}`, label: 'home' }],
  }));
  for (const format of ['yealink', 'snom', 'grandstream'] as const) {
    const xml = writePhonebook(format, many);
    wellFormed(xml);
    assert.equal(texts(xml, format === 'grandstream' ? 'phonenumber' : 'Telephone').length, 2000);
    const empty = writePhonebook(format, [book[2]!, book[3]!]);
    wellFormed(empty);
    assert.doesNotMatch(empty, /No numbers|Blank numbers/);
  }
});

test('xmllint is a real judge: it refuses what is not well-formed', () => {
  assert.throws(() => wellFormed('<YealinkIPPhoneDirectory><Name>a & b</Name></YealinkIPPhoneDirectory>'));
});
