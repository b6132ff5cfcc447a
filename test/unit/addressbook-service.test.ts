/**
 * The AddressBook service of the Telephony Server (src/telephony/addressbook) over an in-memory address book:
 * the contract and its SCPD (against the snapshot test/fixtures/addressbook/scpd.xml), every action through the
 * hosting LocalService (so UDA's argument checks take part), every error code, the contact fragments, the
 * moderated AddressBookUpdateID events, and the TS device carrying the service.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { silentLogger } from '../../src/base/logger.js';
import type { Contact } from '../../src/contacts/index.js';
import { contractProblems, LocalService, UpnpError, type ServiceImplementation, type WireArgs } from '../../src/upnp/index.js';
import {
  abError,
  addressBookActionErrors,
  addressBookContract as contract,
  AddressBookErrorCode,
  addressBookErrors,
  AddressBookService,
  buildContactInfo,
  buildContactList,
  isAddressBookErrorCode,
  parseContactInfo,
  parseContactList,
  parseGroupList,
} from '../../src/telephony/addressbook/index.js';
import { telephonyServerDevice } from '../../src/telephony/index.js';
import { callManagementServiceId, callManagementServiceType } from '../../src/telephony/contracts/index.js';
import { FakeClock } from '../support/fake-clock.js';
import { FakeAddressBook, sampleContacts } from '../support/fake-address-book.js';
import { assertWellFormed, checkedScpd } from '../support/scpd-check.js';

const ctx = { remoteAddress: '127.0.0.1' };

function host(opts: { book?: FakeAddressBook; pageSize?: number } = {}) {
  const book = opts.book ?? new FakeAddressBook(sampleContacts, { vcards: true });
  const clock = new FakeClock();
  const service = new AddressBookService({ port: book, clock, moderationMs: 200, ...(opts.pageSize ? { pageSize: opts.pageSize } : {}) });
  const local = new LocalService(service, silentLogger);
  const events: WireArgs[] = [];
  local.onEvent((vars) => events.push(vars));
  const invoke = async (action: string, args: Record<string, string> = {}): Promise<Record<string, string>> =>
    Object.fromEntries(await local.invoke({ action, args: Object.entries(args) }, ctx));
  return { book, clock, service, local, events, invoke };
}

async function expectCode(p: Promise<unknown>, code: number, description?: string): Promise<void> {
  await assert.rejects(p, (e: unknown) => {
    assert.ok(e instanceof UpnpError, String(e));
    assert.equal(e.errorCode, code, e.message);
    if (description !== undefined) assert.equal(e.errorDescription, description);
    return true;
  });
}

function list(xml: string): Contact[] {
  const r = parseContactList(xml);
  assert.ok(r.ok, r.ok ? '' : r.reason);
  return r.value;
}

const page = { SearchText: '', Group: '', StartingIndex: '0', RequestedCount: '0' };

// ------------------------------------------------------------------ contract and SCPD

test('AddressBook contract: vendor type and id, five read actions, one evented variable', () => {
  assert.equal(contract.serviceType, 'urn:schemas-hometel-org:service:AddressBook:1');
  assert.equal(contract.serviceId, 'urn:hometel-org:serviceId:AddressBook');
  assert.deepEqual(
    contract.actions.map((a) => `${a.name}(${a.arguments.filter((x) => x.direction === 'in').map((x) => x.name).join(', ')}) -> ${a.arguments.filter((x) => x.direction === 'out').map((x) => x.name).join(', ')}`),
    [
      'GetContacts(SearchText, Group, StartingIndex, RequestedCount) -> ContactList, NumberReturned, TotalMatches, UpdateID',
      'GetContact(ContactID) -> ContactInfo',
      'LookupContact(Address) -> ContactInfo, MatchedAddress',
      'GetGroups() -> GroupList',
      'GetVCards() -> VCards',
    ],
  );
  assert.deepEqual(contract.stateVariables.filter((v) => v.sendEvents).map((v) => [v.name, v.dataType]), [['AddressBookUpdateID', 'ui4']]);
  assert.deepEqual(contractProblems(contract), []);
});

test('AddressBook SCPD: the generated document is the snapshot, well-formed (xmllint), and parses back to the contract', () => {
  assert.equal(checkedScpd(contract), readFileSync(new URL('../fixtures/addressbook/scpd.xml', import.meta.url), 'utf8'));
});

test('AddressBook errors: the codes, their texts, and abError keeps the detail out of the wire text', () => {
  assert.deepEqual(Object.keys(addressBookErrors).map(Number), [701, 702]);
  assert.equal(addressBookErrors[701].errorDescription, 'No such contact');
  assert.equal(addressBookErrors[702].errorDescription, 'No such group');
  assert.ok(isAddressBookErrorCode(701) && isAddressBookErrorCode(702) && !isAddressBookErrorCode(703));
  const e = abError(AddressBookErrorCode.NoSuchContact, 'c99');
  assert.equal(e.errorDescription, 'No such contact');
  assert.match(e.message, /701.*c99/);
  assert.deepEqual(Object.keys(addressBookActionErrors), contract.actions.map((a) => a.name));
});

test('the TS device carries the AddressBook service after CallManagement when given one, and only CallManagement otherwise', () => {
  // Only the device's list of services is under test: a stand-in with CallManagement's identity will do.
  const cm: ServiceImplementation = { contract: { serviceType: callManagementServiceType, serviceId: callManagementServiceId, actions: [], stateVariables: [] }, attach: () => ({}) };
  const ab = new AddressBookService({ port: new FakeAddressBook(), clock: new FakeClock() });
  const withBook = telephonyServerDevice({ udn: 'uuid:ts-1', friendlyName: 'TS', callManagement: cm, addressBook: ab });
  assert.deepEqual(withBook.services.map((s) => s.contract.serviceId), ['urn:upnp-org:serviceId:CallManagement', 'urn:hometel-org:serviceId:AddressBook']);
  const without = telephonyServerDevice({ udn: 'uuid:ts-1', friendlyName: 'TS', callManagement: cm });
  assert.deepEqual(without.services.map((s) => s.contract.serviceId), ['urn:upnp-org:serviceId:CallManagement']);
  ab.close();
});

// ------------------------------------------------------------------ actions

test('GetContacts: every contact, names with non-ASCII, <, &, quotes and CR LF intact; photos left out of a list', async () => {
  const { invoke, book, service } = host();
  const out = await invoke('GetContacts', page);
  assert.deepEqual([out.NumberReturned, out.TotalMatches, out.UpdateID], ['4', '4', '0']);
  const got = list(out.ContactList!);
  assert.deepEqual(got.map((c) => c.name), ['Jürgen Müller', 'Zoë <Q&A> "O\'Brien"', '山田太郎', 'Spam Caller']);
  const zoe = got[1]!;
  assert.equal(zoe.note, 'line 1\r\nline 2 & <more>');
  assert.deepEqual(zoe.groups, ['Friends', 'Family']);
  assert.deepEqual(zoe.addresses, [{ value: '0171 5551234', label: 'mobile' }]);
  assert.equal(zoe.created, book.contacts[1]!.created);
  assert.deepEqual([got[0]!.vip, got[3]!.blocked, got[0]!.blocked], [true, true, false]);
  assert.equal(got[2]!.photo, undefined);
  // Escaped exactly once, and UTF-8 rather than character references.
  assert.ok(out.ContactList!.includes('Zoë &lt;Q&amp;A&gt; &quot;O&apos;Brien&quot;'));
  assert.ok(out.ContactList!.includes('山田太郎'));
  assert.ok(!/&amp;(lt|amp|gt);|&#\d{3,};/.test(out.ContactList!));
  service.close();
});

test('GetContacts: search text, group, paging (StartingIndex, RequestedCount, 0 = a page of the service size)', async () => {
  const { invoke, service } = host({ pageSize: 3 });
  const names = async (args: Partial<typeof page>) => {
    const out = await invoke('GetContacts', { ...page, ...args });
    return [list(out.ContactList!).map((c) => c.name), Number(out.NumberReturned), Number(out.TotalMatches)];
  };
  assert.deepEqual(await names({ SearchText: '  müller ' }), [['Jürgen Müller'], 1, 1]);
  assert.deepEqual(await names({ SearchText: '0171' }), [['Zoë <Q&A> "O\'Brien"'], 1, 1]);
  assert.deepEqual(await names({ Group: 'Family' }), [['Jürgen Müller', 'Zoë <Q&A> "O\'Brien"'], 2, 2]);
  assert.deepEqual(await names({ StartingIndex: '1', RequestedCount: '2' }), [['Zoë <Q&A> "O\'Brien"', '山田太郎'], 2, 4]);
  assert.deepEqual((await names({}))[1], 3, 'RequestedCount 0 returns one page');
  assert.deepEqual((await names({ RequestedCount: '100' }))[1], 3, 'never more than a page');
  assert.deepEqual(await names({ StartingIndex: '10' }), [[], 0, 4]);
  assert.deepEqual(await names({ SearchText: 'nobody' }), [[], 0, 0]);
  service.close();
});

test('GetContacts: 702 for a group the address book does not have; 402 for a missing or mistyped argument', async () => {
  const { invoke, service } = host();
  await expectCode(invoke('GetContacts', { ...page, Group: 'Colleagues' }), 702, 'No such group');
  await expectCode(invoke('GetContacts', { SearchText: '', Group: '', StartingIndex: '0' }), 402);
  await expectCode(invoke('GetContacts', { ...page, StartingIndex: '-1' }), 402);
  await expectCode(invoke('GetContacts', { ...page, RequestedCount: 'all' }), 402);
  await expectCode(invoke('GetContacts', { ...page, Sort: 'name' }), 402);
  service.close();
});

test('GetContact: one contact with its photo; 701 for an unknown ContactID; 402 for an empty one', async () => {
  const { invoke, book, service } = host();
  const yamada = book.contacts[2]!;
  const out = await invoke('GetContact', { ContactID: yamada.id });
  const r = parseContactInfo(out.ContactInfo!);
  assert.ok(r.ok, r.ok ? '' : r.reason);
  assert.deepEqual(r.value, { ...yamada, groups: [], vip: false, blocked: false });
  await expectCode(invoke('GetContact', { ContactID: 'c999' }), 701, 'No such contact');
  await expectCode(invoke('GetContact', { ContactID: '' }), 402);
  await expectCode(invoke('GetContact', {}), 402);
  service.close();
});

test('LookupContact: the contact of a number in another format or of a SIP URI, and the address it matched; "" when none', async () => {
  const { invoke, service } = host();
  const hit = await invoke('LookupContact', { Address: '030 1234567' });
  assert.equal(hit.MatchedAddress, '+49 30 1234567');
  const r = parseContactInfo(hit.ContactInfo!);
  assert.ok(r.ok);
  assert.equal(r.value.name, 'Jürgen Müller');
  const sip = await invoke('LookupContact', { Address: ' sip:+491715551234@provider.example ' });
  assert.equal(sip.MatchedAddress, '0171 5551234');
  assert.deepEqual(await invoke('LookupContact', { Address: '+1 555 0100' }), { ContactInfo: '', MatchedAddress: '' });
  await expectCode(invoke('LookupContact', { Address: '  ' }), 402);
  service.close();
});

test('GetGroups: every group in use, escaped once', async () => {
  const book = new FakeAddressBook([...sampleContacts, { name: 'X', addresses: [], groups: ['Kollegen & Co <GmbH>'] }]);
  const { invoke, service } = host({ book });
  const r = parseGroupList((await invoke('GetGroups')).GroupList!);
  assert.ok(r.ok);
  assert.deepEqual(r.value, ['Family', 'Friends', 'Kollegen & Co <GmbH>']);
  service.close();
});

test('GetVCards: the address book\'s vCard export; 602 when it has none', async () => {
  const a = host();
  assert.match((await a.invoke('GetVCards')).VCards!, /^BEGIN:VCARD\r\nVERSION:4.0\r\nFN:Jürgen Müller\r\n/);
  a.service.close();
  const b = host({ book: new FakeAddressBook(sampleContacts) });
  await expectCode(b.invoke('GetVCards'), 602);
  b.service.close();
});

test('an address book that fails answers 501 and the service keeps serving', async () => {
  const { invoke, book, service } = host();
  book.get = () => {
    throw new Error('disk gone');
  };
  await expectCode(invoke('GetContact', { ContactID: 'c1' }), 501);
  assert.equal((await invoke('GetContacts', page)).TotalMatches, '4');
  service.close();
});

// ------------------------------------------------------------------ eventing

test('AddressBookUpdateID: 0 at first; changes are counted at once and evented at most once per moderation interval', async () => {
  const { invoke, book, clock, local, events, service } = host();
  assert.deepEqual(local.eventedState(), [['AddressBookUpdateID', '0']]);
  for (let i = 0; i < 3; i++) book.add({ name: `Import ${i}`, addresses: [] });
  assert.equal((await invoke('GetContacts', page)).UpdateID, '3', 'the counter moves with every change');
  assert.deepEqual(events, [], 'nothing evented before the interval ends');
  clock.advance(199);
  assert.deepEqual(events, []);
  clock.advance(1);
  assert.deepEqual(events, [[['AddressBookUpdateID', '3']]]);
  book.add({ name: 'Later', addresses: [] });
  clock.advance(200);
  assert.deepEqual(events.at(-1), [['AddressBookUpdateID', '4']]);
  assert.equal(events.length, 2);
  assert.equal(clock.pending, 0);
  service.close();
});

test('one service hosted by two TS devices (two lines) events on both', () => {
  const { book, clock, events, service } = host();
  const second = new LocalService(service, silentLogger);
  const secondEvents: WireArgs[] = [];
  second.onEvent((vars) => secondEvents.push(vars));
  book.add({ name: 'New', addresses: [] });
  clock.advance(200);
  assert.deepEqual([events, secondEvents], [[[['AddressBookUpdateID', '1']]], [[['AddressBookUpdateID', '1']]]]);
  assert.deepEqual(second.eventedState(), [['AddressBookUpdateID', '1']]);
  service.close();
});

test('close() lets go of the address book and drops a pending event', () => {
  const { book, clock, events, service } = host();
  assert.equal(book.listenerCount, 1);
  book.add({ name: 'Late', addresses: [] });
  service.close();
  assert.equal(book.listenerCount, 0);
  assert.equal(clock.pending, 0);
  clock.advance(1000);
  assert.deepEqual(events, []);
});

// ------------------------------------------------------------------ fragments

test('contact fragments: characters XML cannot carry become U+FFFD, and the fragment stays well-formed', () => {
  const odd: Contact = { id: 'c1', name: 'bell\u0007 and \uD800 lone', addresses: [{ value: '1\u0000', label: 'home' }], created: 0, updated: 0 };
  const xml = buildContactList([odd]);
  assertWellFormed(xml);
  const parsed = list(xml);
  assert.equal(parsed[0]!.name, 'bell\uFFFD and \uFFFD lone');
  assert.equal(parsed[0]!.addresses[0]!.value, '1\uFFFD');
});

test('contact fragments: what the readers refuse', () => {
  const good = buildContactInfo({ id: 'c1', name: 'A', addresses: [{ value: '1', label: 'home' }], created: 0, updated: 0 });
  assert.ok(parseContactInfo(good).ok);
  const refused = (xml: string, why: RegExp) => {
    const r = parseContactInfo(xml);
    assert.ok(!r.ok, xml);
    assert.match(r.reason, why);
  };
  refused(good.replace('label="home"', 'label="pager"'), /label/);
  refused(good.replace('<vip>0</vip>', '<vip>yes</vip>'), /vip/);
  refused(good.replace('<name>A</name>', ''), /name/);
  refused(good.replace(/<created>[^<]*<\/created>/, '<created>soon</created>'), /created/);
  refused(good.replaceAll('ab:contact', 'ab:person'), /root/);
  refused('<ab:contact', /./);
  assert.ok(!parseContactList(good).ok, 'one contact is not a list');
  assert.ok(!parseGroupList(buildContactList([])).ok);
});
