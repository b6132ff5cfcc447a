/**
 * Acceptance test 3 of the SIP line: baresip 1.0.0 (test/support/baresip.ts: headless, its own config
 * directory, SIP on 127.0.0.1) as a real phone against the real Telephony Server over a real SipLine in
 * direct mode (startTestTelephonyServer({ sip })), with a hometel control point as the TelCP. Each call
 * is checked at both ends: the CallInfo events the TelCP receives, and baresip's own call events.
 *
 *   baresip → hometel: Ringing at the TelCP, AcceptCall, Connected; hung up by baresip, then by hometel.
 *   hometel → baresip: StartCall to baresip's URI, baresip answers, Connected; hung up by each side.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { startBaresip, type Baresip } from '../support/baresip.js';
import { freeLoopbackPort } from '../support/sipp.js';
import { CallInfoEvents, mediaInfo, startTestTelephonyServer, tcAudioSdp, type TestTelephonyServer } from '../support/telephony-server.js';
import { waitFor } from '../support/net.js';

const nonMono = { TelCPName: '', SecretKey: '' };
const EVENT_MS = 8_000;

let ts: TestTelephonyServer;
let events: CallInfoEvents;
let phone: Baresip;
/** The Telephony Server's line as baresip dials it. */
let lineUri: string;

before(async () => {
  ts = await startTestTelephonyServer({ sip: { mode: 'direct', user: 'home' } });
  events = await CallInfoEvents.subscribe(ts);
  phone = await startBaresip({ port: await freeLoopbackPort(2), ctrlPort: await freeLoopbackPort(), user: 'alice', displayName: 'Alice Baresip' });
  lineUri = `sip:home@127.0.0.1:${ts.sip!.port}`;
});

after(async () => {
  await phone?.stop();
  await ts?.stop();
});

/** baresip dials the line; resolves with the CallID of the Ringing Call at the TelCP. */
async function baresipCallsHometel(): Promise<{ callID: string; since: number }> {
  const since = phone.mark();
  const ringingBefore = events.all.filter((c) => c.callStatus === 'Ringing').length;
  await phone.dial(lineUri);
  await waitFor(() => events.all.filter((c) => c.callStatus === 'Ringing').length > ringingBefore, 'a Ringing CallInfo at the TelCP', EVENT_MS);
  const ringing = events.all.filter((c) => c.callStatus === 'Ringing').at(-1)!;
  assert.equal(ringing.remoteParty?.id, 'alice', 'the caller is the user of baresip\'s From');
  assert.equal(ringing.remoteParty?.name, 'Alice Baresip');
  assert.match(ringing.mediaCapability?.content ?? '', /m=audio \d+ RTP\/AVP[ \d]* 0[ \d]*\r\n/, 'baresip\'s offer (PCMU) reaches the TelCP');
  // 180 Ringing reached the phone
  await phone.waitForEvent((ev) => ev.type === 'CALL_RINGING' && ev.direction === 'outgoing', EVENT_MS, since);
  await ts.cm.invoke('AcceptCall', { ...nonMono, TargetCallID: ringing.callID, MediaCapabilityInfo: mediaInfo(tcAudioSdp), CallMode: 'Non-Monopolize' });
  await events.waitFor(ringing.callID, 'Connected', EVENT_MS);
  const established = await phone.waitForEvent('CALL_ESTABLISHED', EVENT_MS, since);
  assert.equal(established.direction, 'outgoing');
  assert.match(established.peeruri ?? '', /^sip:home@127\.0\.0\.1/);
  return { callID: ringing.callID, since };
}

/** The TelCP starts a Call to baresip; baresip answers through ctrl_tcp. */
async function hometelCallsBaresip(): Promise<{ callID: string; since: number }> {
  const since = phone.mark();
  const { CallID } = await ts.cm.invoke('StartCall', {
    ...nonMono,
    CalleeID: `sip:alice@127.0.0.1:${phone.port}`,
    CallPriority: 'Normal',
    MediaCapabilityInfo: mediaInfo(tcAudioSdp),
    CallMode: 'Non-Monopolize',
  });
  const callID = String(CallID);
  const incoming = await phone.waitForEvent('CALL_INCOMING', EVENT_MS, since);
  assert.match(incoming.peeruri ?? '', /^sip:home@127\.0\.0\.1/, 'the INVITE comes from the line\'s identity');
  await events.waitFor(callID, 'Calling', EVENT_MS); // baresip's 180
  await phone.answer();
  const connected = await events.waitFor(callID, 'Connected', EVENT_MS);
  assert.match(connected.mediaCapability?.content ?? '', /m=audio \d+ RTP\/AVP 0/, 'baresip\'s SDP answer (PCMU) is the Call\'s media');
  const established = await phone.waitForEvent('CALL_ESTABLISHED', EVENT_MS, since);
  assert.equal(established.direction, 'incoming');
  return { callID, since };
}

/** The Call's statuses as the TelCP received them (with `/reason` when evented with one). */
function statuses(callID: string): string[] {
  return events.of(callID).map((c) => `${c.callStatus}${c.reason ? `/${c.reason}` : ''}`);
}

describe('baresip calls hometel (incoming Call)', () => {
  test('Ringing at the TelCP, AcceptCall → Connected; baresip hangs up → Disconnected', async () => {
    const { callID, since } = await baresipCallsHometel();
    await phone.hangup();
    await events.waitFor(callID, 'Disconnected', EVENT_MS);
    const closed = await phone.waitForEvent('CALL_CLOSED', EVENT_MS, since);
    assert.equal(closed.param, 'Connection reset by user', 'baresip ended the call itself');
    assert.deepEqual(statuses(callID), ['Ringing', 'Connected', 'Disconnected']);
  });

  test('Ringing at the TelCP, AcceptCall → Connected; StopCall hangs up → baresip reports the call closed', async () => {
    const { callID, since } = await baresipCallsHometel();
    await ts.cm.invoke('StopCall', { ...nonMono, CallID: callID });
    await events.waitFor(callID, 'Disconnected', EVENT_MS);
    const closed = await phone.waitForEvent('CALL_CLOSED', EVENT_MS, since);
    assert.equal(closed.param, 'Connection reset by peer', 'baresip\'s words for a BYE it received');
    assert.deepEqual(statuses(callID), ['Ringing', 'Connected', 'Disconnected']);
  });
});

describe('hometel calls baresip (outgoing Call)', () => {
  test('StartCall → Calling (180) → baresip answers → Connected; baresip hangs up → Disconnected', async () => {
    const { callID, since } = await hometelCallsBaresip();
    await phone.hangup();
    await events.waitFor(callID, 'Disconnected', EVENT_MS);
    const closed = await phone.waitForEvent('CALL_CLOSED', EVENT_MS, since);
    assert.equal(closed.param, 'Connection reset by user', 'baresip ended the call itself');
    assert.deepEqual(statuses(callID), ['Dialing', 'Calling', 'Connected', 'Disconnected']);
  });

  test('StartCall → Calling (180) → baresip answers → Connected; StopCall → baresip reports the call closed', async () => {
    const { callID, since } = await hometelCallsBaresip();
    await ts.cm.invoke('StopCall', { ...nonMono, CallID: callID });
    await events.waitFor(callID, 'Disconnected', EVENT_MS);
    const closed = await phone.waitForEvent('CALL_CLOSED', EVENT_MS, since);
    assert.equal(closed.param, 'Connection reset by peer', 'baresip\'s words for a BYE it received');
    assert.deepEqual(statuses(callID), ['Dialing', 'Calling', 'Connected', 'Disconnected']);
  });
});
