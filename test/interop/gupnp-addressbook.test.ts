/**
 * Acceptance 5 of the address book issue: a GUPnP control point (python3-gi) finds the AddressBook service of a
 * hometel Telephony Server, reads its SCPD, reads the contacts (names with non-ASCII, `<` and `&` arrive intact),
 * gets the service's own error codes as SOAP faults, and is told through GENA when the address book changes.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { systemClock } from '../../src/base/clock.js';
import { addressBookServiceType, AddressBookService, parseContactInfo, parseContactList, parseGroupList } from '../../src/telephony/addressbook/index.js';
import { GupnpControlError, GupnpControlPoint } from '../support/gupnp.js';
import { FakeAddressBook, sampleContacts } from '../support/fake-address-book.js';
import { startTestTelephonyServer } from '../support/telephony-server.js';

test('a GUPnP control point reads contacts through the Telephony Server\'s AddressBook service and hears of changes', async (t) => {
  const book = new FakeAddressBook(sampleContacts);
  const addressBook = new AddressBookService({ port: book, clock: systemClock, moderationMs: 50 });
  const ts = await startTestTelephonyServer({ addressBook });
  const gupnp = await GupnpControlPoint.start(addressBookServiceType);
  t.after(async () => {
    await gupnp.close();
    await ts.stop();
    addressBook.close();
  });
  await gupnp.waitForService((s) => s.udn === ts.udn);
  const opts = { serviceType: addressBookServiceType };

  const intro = await gupnp.introspect(ts.udn, opts);
  assert.deepEqual(intro.actions.map((a) => a.name).sort(), ['GetContact', 'GetContacts', 'GetGroups', 'GetVCards', 'LookupContact']);
  assert.deepEqual(intro.stateVariables.filter((v) => v.sendEvents).map((v) => v.name), ['AddressBookUpdateID']);

  const all = await gupnp.invoke(ts.udn, 'GetContacts', { SearchText: '', Group: '', StartingIndex: 0, RequestedCount: 0 }, ['ContactList', 'NumberReturned', 'TotalMatches', 'UpdateID'], opts);
  assert.equal(Number(all.TotalMatches), sampleContacts.length);
  assert.equal(Number(all.NumberReturned), sampleContacts.length);
  const contacts = parseContactList(String(all.ContactList));
  assert.ok(contacts.ok, contacts.ok ? '' : contacts.reason);
  assert.deepEqual(contacts.value.map((c) => c.name), sampleContacts.map((c) => c.name));
  assert.deepEqual(contacts.value.map((c) => c.addresses), sampleContacts.map((c) => c.addresses));

  const zoe = contacts.value[1]!;
  const one = await gupnp.invoke(ts.udn, 'GetContact', { ContactID: zoe.id }, ['ContactInfo'], opts);
  const info = parseContactInfo(String(one.ContactInfo));
  assert.ok(info.ok);
  assert.equal(info.value.name, 'Zoë <Q&A> "O\'Brien"');
  assert.equal(info.value.note, 'line 1\r\nline 2 & <more>');

  const looked = await gupnp.invoke(ts.udn, 'LookupContact', { Address: '030 1234567' }, ['ContactInfo', 'MatchedAddress'], opts);
  assert.equal(looked.MatchedAddress, '+49 30 1234567');
  const caller = parseContactInfo(String(looked.ContactInfo));
  assert.ok(caller.ok);
  assert.equal(caller.value.name, 'Jürgen Müller');

  const groups = parseGroupList(String((await gupnp.invoke(ts.udn, 'GetGroups', {}, ['GroupList'], opts)).GroupList));
  assert.deepEqual(groups.ok && groups.value, ['Family', 'Friends']);

  await assert.rejects(gupnp.invoke(ts.udn, 'GetContact', { ContactID: 'c999' }, ['ContactInfo'], opts), (e: unknown) => e instanceof GupnpControlError && e.code === 701);
  await assert.rejects(gupnp.invoke(ts.udn, 'GetVCards', {}, ['VCards'], opts), (e: unknown) => e instanceof GupnpControlError && e.code === 602);

  const mark = gupnp.mark();
  await gupnp.subscribe(ts.udn, ['AddressBookUpdateID'], opts);
  await gupnp.waitForNotify((n) => n.udn === ts.udn && n.variable === 'AddressBookUpdateID' && Number(n.value) === 0, 5_000, mark);
  const beforeChange = gupnp.mark();
  book.add({ name: 'Ærø Ødegård', addresses: [{ value: '+45 12345678', label: 'mobile' }] });
  book.add({ name: 'Second', addresses: [] });
  await gupnp.waitForNotify((n) => n.variable === 'AddressBookUpdateID' && Number(n.value) === 2, 5_000, beforeChange);
  assert.deepEqual(
    gupnp.events.slice(beforeChange).filter((e) => e.event === 'notify').map((e) => Number(e.value)),
    [2],
    'two changes in one moderation interval are one event',
  );
  const after = await gupnp.invoke(ts.udn, 'GetContacts', { SearchText: 'ødegård', Group: '', StartingIndex: 0, RequestedCount: 10 }, ['ContactList', 'TotalMatches'], opts);
  assert.equal(Number(after.TotalMatches), 1);
});
