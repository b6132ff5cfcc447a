/**
 * Caller names (issue 12, "Caller names everywhere"): the Telephony Server asks the home's address book (the
 * CallerDirectory port) for the Remote Party's name when a Call is created, so a TelCP's CallInfo (remoteParty/name,
 * CallManagement 2.4.2.2 peer) and the call log carry the contact's name instead of the network's display name;
 * without a contact the display name stays.
 */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { parseCallLogs } from '../../src/telephony/contracts/call-management/cams-xml.js';
import { CallInfoEvents, mediaInfo, remoteOfferSdp, startTestTelephonyServer, tcAudioSdp, type TestTelephonyServer } from '../support/telephony-server.js';
import { waitFor } from '../support/net.js';

const nonMono = { TelCPName: '', SecretKey: '' };
/** The address book: two contacts, matched here on digits only (the contacts service normalises for real). */
const contacts = new Map([
  ['0301234567', 'Alice Example'],
  ['0774940201', 'Bob Builder'],
]);
const asked: string[] = [];

let ts: TestTelephonyServer;
let events: CallInfoEvents;

before(async () => {
  ts = await startTestTelephonyServer({
    directory: {
      contactName: (address) => {
        asked.push(address);
        return contacts.get(address.replace(/\D/g, '').replace(/^49/, '0'));
      },
    },
  });
  events = await CallInfoEvents.subscribe(ts);
});

after(async () => {
  await ts?.stop();
});

test("an incoming call from a contact's number carries the contact's name in CallInfo and the call log, not the display name", async () => {
  const lineId = ts.line.ring({ id: 'sip:+49301234567@provider.example', name: 'CALLER ID TEXT' }, remoteOfferSdp);
  await waitFor(() => events.all.some((c) => c.callStatus === 'Ringing'), 'Ringing');
  const ringing = events.all.find((c) => c.callStatus === 'Ringing')!;
  assert.deepEqual(ringing.remoteParty, { id: 'sip:+49301234567@provider.example', name: 'Alice Example' });
  assert.ok(asked.includes('sip:+49301234567@provider.example'), 'the directory is asked with the address as the line reports it');
  ts.line.remote.remoteCancelled(lineId);
  await events.waitFor(ringing.callID, 'Disconnected');
  const logs = parseCallLogs(String((await ts.cm.invoke('GetCallLogs')).CallLogs));
  assert.ok(logs.ok);
  assert.deepEqual(logs.value[0]!.caller[0], { id: 'sip:+49301234567@provider.example', name: 'Alice Example' });
});

test("a caller who is no contact keeps the network's display name", async () => {
  const lineId = ts.line.ring({ id: 'sip:0409999@provider.example', name: 'Unknown Ltd' }, remoteOfferSdp);
  await waitFor(() => events.all.some((c) => c.callStatus === 'Ringing' && c.remoteParty?.id === 'sip:0409999@provider.example'), 'Ringing');
  const ringing = events.all.find((c) => c.remoteParty?.id === 'sip:0409999@provider.example')!;
  assert.equal(ringing.remoteParty?.name, 'Unknown Ltd');
  ts.line.remote.remoteCancelled(lineId);
  await events.waitFor(ringing.callID, 'Disconnected');
});

test("an outgoing call to a contact's number shows the callee's name", async () => {
  const { CallID } = await ts.cm.invoke('StartCall', { ...nonMono, CalleeID: 'tel:0774940201', CallPriority: 'Normal', MediaCapabilityInfo: mediaInfo(tcAudioSdp), CallMode: 'Non-Monopolize' });
  const placed = ts.line.last('place')!;
  ts.line.remote.answered(placed.lineCallId, remoteOfferSdp);
  const connected = await events.waitFor(String(CallID), 'Connected');
  assert.deepEqual(connected.remoteParty, { id: '0774940201', name: 'Bob Builder' });
  await ts.cm.invoke('StopCall', { ...nonMono, CallID: String(CallID) });
  await events.waitFor(String(CallID), 'Disconnected');
});
