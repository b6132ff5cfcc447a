/**
 * Acceptance 3 of the Telephony Server issue: Monopolization (CallManagement 2.3.2) and Selective
 * Information Delivery (2.3.3). A second TelCP is refused with 713 on a monopolised Call, sees only
 * its general elements in events, and succeeds after ChangeMonopolizer hands the Call over.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseCallInfoList } from '../../src/telephony/contracts/call-management/cams-xml.js';
import { CallInfoEvents, expectError, mediaInfo, remoteOfferSdp, startTestTelephonyServer, tcAudioSdp } from '../support/telephony-server.js';
import { waitFor } from '../support/net.js';

const ts = await startTestTelephonyServer({ answerers: (from) => (from.id === 'for-bob-only' ? ['bob'] : '*') });
const events = await CallInfoEvents.subscribe(ts);
test.after(() => ts.stop());

const register = async (name: string): Promise<{ TelCPName: string; SecretKey: string }> => ({
  TelCPName: name,
  SecretKey: String((await ts.cm.invoke('RegisterTelCPName', { TelCPName: name, CurrentSecretKey: '' })).NewSecretKey),
});
const alice = await register('alice');
const bob = await register('bob');

async function callInfo(who: { TelCPName: string; SecretKey: string }, id: string) {
  const list = parseCallInfoList(String((await ts.cm.invoke('GetCallInfo', { ...who, TargetCallID: id })).CallInfoList));
  assert.ok(list.ok);
  return list.value[0]!;
}

test('CallManagement 2.3.2.1: only the Monopolizer manages a PHONE-TelCP Call; after ChangeMonopolizer the roles swap', async () => {
  const { CallID } = await ts.cm.invoke('StartCall', { ...alice, CalleeID: 'tel:+4930123456', CallPriority: 'Normal', MediaCapabilityInfo: mediaInfo(tcAudioSdp), CallMode: 'PHONE-TelCP' });
  const id = String(CallID);
  const lineId = ts.line.last('place')!.lineCallId;
  ts.line.remote.answered(lineId, remoteOfferSdp);
  await events.waitFor(id, 'Connected');
  await ts.cm.invoke('StartMediaTransfer', { ...alice, TargetCallID: id, TCList: '', MediaCapabilityInfo: '' });
  await events.waitFor(id, 'Talking');

  // Selective Information Delivery: every event of this Call carries callID, targetNames and callStatus only.
  for (const raw of events.raw.filter((r) => r.includes(id))) {
    assert.doesNotMatch(raw, /remoteParty|priority|mediaCapability|4930123456/, 'no private element in events');
  }
  assert.deepEqual(events.of(id).at(-1)!.targetNames, { type: 'TelCPName', names: ['alice'] });

  await expectError(ts.cm.invoke('StopCall', { ...bob, CallID: id }), 713);
  await expectError(ts.cm.invoke('ModifyCall', { ...bob, TargetCallID: id, MediaCapabilityInfo: mediaInfo(tcAudioSdp) }), 713);
  await expectError(ts.cm.invoke('StartMediaTransfer', { ...bob, TargetCallID: id, TCList: '', MediaCapabilityInfo: '' }), 713);
  await expectError(ts.cm.invoke('GetCallInfo', { ...bob, TargetCallID: id }), 713);
  await expectError(ts.cm.invoke('StopCall', { TelCPName: '', SecretKey: '', CallID: id }), 701);
  await expectError(ts.cm.invoke('StopCall', { ...alice, SecretKey: 'not-her-key', CallID: id }), 701);
  const anonymousView = await callInfo({ TelCPName: '', SecretKey: '' }, id);
  assert.equal(anonymousView.remoteParty, undefined, 'without an identity: general elements only');
  assert.equal((await callInfo(alice, id)).remoteParty?.id, '+4930123456', 'the Monopolizer sees everything');
  await expectError(ts.cm.invoke('UnregisterTelCPName', alice), 712);

  await expectError(ts.cm.invoke('ChangeMonopolizer', { CurrentMonopolizer: 'alice', SecretKey: alice.SecretKey, CallID: id, NewMonopolizer: 'nobody' }), 710);
  await expectError(ts.cm.invoke('ChangeMonopolizer', { CurrentMonopolizer: 'bob', SecretKey: bob.SecretKey, CallID: id, NewMonopolizer: 'bob' }), 713);
  await ts.cm.invoke('ChangeMonopolizer', { CurrentMonopolizer: 'alice', SecretKey: alice.SecretKey, CallID: id, NewMonopolizer: 'bob' });
  await waitFor(() => {
    const last = events.of(id).at(-1)!;
    return last.targetNames.names !== '*' && last.targetNames.names[0] === 'bob';
  }, 'CallInfo with the new Monopolizer');

  await expectError(ts.cm.invoke('StopCall', { ...alice, CallID: id }), 713);
  assert.equal((await callInfo(bob, id)).remoteParty?.id, '+4930123456');
  await ts.cm.invoke('ModifyCall', { ...bob, TargetCallID: id, MediaCapabilityInfo: mediaInfo(tcAudioSdp) });
  await events.waitFor(id, 'SendingModifyRequest');
  await ts.cm.invoke('StopCall', { ...bob, CallID: id });
  await events.waitFor(id, 'Disconnected');
  await ts.cm.invoke('UnregisterTelCPName', alice);
  // Secret keys appear only in RegisterTelCPName/ChangeTelCPName responses: never in an event or a CallInfo.
  const everything = [...events.raw, ...events.names, String((await ts.cm.invoke('GetCallInfo', { ...bob, TargetCallID: '' })).CallInfoList)].join('\n');
  for (const key of [alice.SecretKey, bob.SecretKey]) assert.ok(!everything.includes(key), 'no secret key is evented or returned');
});

test('CallManagement 2.3.2.1.1: an incoming Call for listed TelCPs is answered only by them and evented with general elements', async () => {
  ts.line.ring({ id: 'for-bob-only' }, remoteOfferSdp);
  await waitFor(() => events.all.some((c) => c.callStatus === 'Ringing' && c.targetNames.names !== '*' && c.targetNames.names.includes('bob')), 'Ringing for bob');
  const ringing = events.all.find((c) => c.callStatus === 'Ringing' && c.targetNames.names !== '*')!;
  assert.equal(ringing.remoteParty, undefined, 'the caller is not shown to everyone');
  const carol = await register('carol');
  const accept = { TargetCallID: ringing.callID, MediaCapabilityInfo: '', CallMode: 'Non-Monopolize' };
  await expectError(ts.cm.invoke('AcceptCall', { ...carol, ...accept }), 713);
  await expectError(ts.cm.invoke('RejectCall', { ...carol, TargetCallID: ringing.callID, RejectReason: 'no' }), 713);
  assert.equal((await callInfo(bob, ringing.callID)).remoteParty?.id, 'for-bob-only', 'an allowed answerer sees who calls');
  await ts.cm.invoke('AcceptCall', { ...bob, ...accept, CallMode: 'PHONE-TelCP' });
  const connected = await events.waitFor(ringing.callID, 'Connected');
  assert.deepEqual(connected.targetNames, { type: 'TelCPName', names: ['bob'] }, 'bob answered in PHONE-TelCP mode and is the Monopolizer');
  await ts.cm.invoke('StopCall', { ...bob, CallID: ringing.callID });
});
