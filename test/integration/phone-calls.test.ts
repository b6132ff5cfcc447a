/**
 * Calls from the phones of the home (issue 14, "Calls → Outgoing"; acceptance 3 and 4) against a real `hometel start`
 * process whose line is registered at Kamailio (the provider), with baresip as the phones (registered with Digest
 * at hometel's registrar) and the test as a TelCP over real UPnP:
 * - acceptance 3: baresip (extension 21) dials an outside number; a SIPp UAS registered at Kamailio as that number
 *   receives the INVITE through Kamailio with From = the line's identity; baresip's 440 Hz reaches SIPp and SIPp's
 *   1 kHz reaches baresip (captured on lo, judged by frequency); the TelCP sees the Call Talking, then over;
 * - acceptance 4: extension 21 calls extension 22 (a second baresip, answering at once with 1 kHz) — a Call at the
 *   TS with media both ways; extension 21 calls a TelCP of the home by its name, which answers with hometel's
 *   Telephony Client (1 kHz, recording): the TC records baresip's 440 Hz and baresip hears the TC.
 * The second phone is a baresip, not SIPp: hometel calls a phone at the address its REGISTER came from (the flow),
 * and a SIPp scenario cannot both register and then take a new call (another Call-ID) on one port.
 *
 * RTP: the relay 42000–42199, the TC 42200–42299; SIP and the phones' RTP ports from freeLoopbackPort().
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { dominantFrequency } from '../../src/media/audio/analysis.js';
import { WavFileSource } from '../../src/media/audio/wav-file-source.js';
import { tcRecordingName } from '../../src/media/bridge/index.js';
import { ActionLog, TelephonyControlPoint, type CallView, type TelephonyClient, type TsSession } from '../../src/telephony/control/index.js';
import { presenceServiceType } from '../../src/telephony/presence/index.js';
import { allDevices, ControlPoint, findService, type RemoteService } from '../../src/upnp/index.js';
import type { Baresip } from '../support/baresip.js';
import type { ConfiguredHometel } from '../support/hometel-process.js';
import { lo, testLogger, waitFor } from '../support/net.js';
import { LINE_USER, PROVIDER, startProviderHome, type ProviderHome } from '../support/provider-home.js';
import { assertTone, sleep } from '../support/relay.js';
import { expectSippSuccess, freeLoopbackPort } from '../support/sipp.js';
import { sessionOf } from '../support/telcp.js';
import { audioOf, toneUlaw } from '../support/tones.js';

const passwords: Record<string, string> = { '21': 'secret-twenty-one', '22': 'secret-twenty-two' };
const NUMBER = '5551234';
/** Outside numbers of the failure tests: busy, and ringing until the phone gives up. */
const BUSY = '5550486';
const NO_ANSWER = '5550487';
const TC_HZ = 1000;

let home: ProviderHome;
let hometel: ConfiguredHometel;
let cp: TelephonyControlPoint;
let telcp: TsSession;
let tv: TelephonyClient;
/** The line's TS's Presence service (the phones' presence, from their calls' dialogs). */
let presence: { cp: ControlPoint; service: RemoteService };

/** A baresip phone registered as `extension`, sending `toneHz`, its RTP on one even port (returned). */
function phone(extension: string, toneHz: number, answerMode: 'manual' | 'auto' = 'manual'): Promise<{ phone: Baresip; rtp: number }> {
  return home.phone(extension, toneHz, { answerMode });
}

before(async () => {
  home = await startProviderHome({
    prefix: 'hometel-phone-calls-',
    passwords,
    numbers: [NUMBER, BUSY, NO_ANSWER],
    config: (dir) => ({
      name: 'hometel phone calls',
      clients: [{ name: 'tv', source: { tone: TC_HZ }, recordDir: join(dir, 'tv'), rtpPorts: { min: 42200, max: 42299 } }],
      media: { rtpPortMin: 42000, rtpPortMax: 42199 },
    }),
  });
  hometel = home.hometel;
  cp = new TelephonyControlPoint({ interfaces: [lo], logger: testLogger('telcp'), searchTarget: hometel.udn, mx: 1, log: new ActionLog() });
  await cp.start();
  const ts = await cp.waitForServer((s) => s.rootUdn === hometel.udn);
  tv = await cp.waitForClient((t) => t.rootUdn === hometel.udn && t.friendlyName === 'tv client');
  telcp = await cp.openSession(ts, { name: 'Kitchen' });
  const upnp = new ControlPoint({ interfaces: [lo], logger: testLogger('presence-cp'), searchTarget: hometel.udn, mx: 1 });
  await upnp.start();
  const root = await upnp.waitForDevice((d) => d.udn === hometel.udn);
  const service = allDevices(root).map((d) => findService(d, (x) => x.serviceType === presenceServiceType)).find((x) => x !== undefined);
  assert.ok(service, 'the TS carries the Presence service');
  presence = { cp: upnp, service };
});

/** What the TS's Presence service says of an extension (its <state>). */
async function presenceOf(extension: string): Promise<string | undefined> {
  const out = await presence.service.invoke('GetContactPresence', { TargetContact: extension });
  return /<state>([^<]*)<\/state>/.exec(String(out.ContactPresence))?.[1];
}

after(async () => {
  await presence?.cp.stop();
  await cp?.stop();
  await home?.stop();
});

/** The TS's Call placed by the phone (the one outgoing Call — first Dialing — whose Remote Party is `remote`). */
function callTo(remote: string): CallView | undefined {
  return telcp.calls().find((c) => c.info.remoteParty?.id === remote && c.history[0] === 'Dialing');
}

const outsideParty: ProviderHome['outsideParty'] = (number, o) => home.outsideParty(number, o);
const captures: ProviderHome['captures'] = (...ports) => home.captures(...ports);

test('acceptance 3: baresip (ext 21) dials an outside number → SIPp behind Kamailio gets it from the line\'s identity; 440 Hz and 1 kHz both ways; the TS shows the Call Talking', async (t) => {
  const { phone: desk, rtp } = await phone('21', 440);
  const sippMedia = await freeLoopbackPort(4);
  // The outside party answers with 1 kHz.
  const remote = await outsideParty(NUMBER, { scenario: 'uas-media', mediaPort: sippMedia, files: { 'tone.ulaw': toneUlaw(TC_HZ) } });
  const [toRemote, toPhone] = await captures(sippMedia, rtp);

  const dialled = Date.now();
  await desk.dial(`sip:${NUMBER}@hometel`);
  await desk.waitForEvent('CALL_ESTABLISHED', 15_000);
  const setupMs = Date.now() - dialled;
  await waitFor(() => callTo(NUMBER)?.status === 'Talking', 'the TelCP sees the phone\'s Call Talking');
  // Some seconds of media each way; on a busy machine the first packets can come late, so wait for them (15 s at most).
  const until = Date.now() + 15_000;
  while (Date.now() < until && ((audioOf(await toRemote!.peek()).ms < 2_500 || audioOf(await toPhone!.peek()).ms < 2_500))) await sleep(250);
  await desk.hangup();
  const result = await remote.done;
  await waitFor(() => callTo(NUMBER)?.ended === true, 'the Call is over');
  const heardByRemote = audioOf(await toRemote!.stop());
  const heardByPhone = audioOf(await toPhone!.stop());
  expectSippSuccess(result, 'the outside party (hometel\'s BYE came through Kamailio)');

  // RFC 3261 8.1.1.3: the INVITE that reached the number comes from the line's address of record, through the proxy.
  assert.match(result.messages, new RegExp(`INVITE sip:${NUMBER}@127\\.0\\.0\\.1:\\d+[^\\r\\n]* SIP/2\\.0[\\s\\S]*?From: [^\\r\\n]*<sip:${LINE_USER}@${PROVIDER}>`));
  assert.match(result.messages, /Record-Route:/, 'through Kamailio');
  const call = callTo(NUMBER)!;
  assert.deepEqual(call.history.filter((s, i, h) => s !== h[i - 1]), ['Dialing', 'Calling', 'Connected', 'Talking', 'Disconnected']);
  assert.match(hometel.log(), new RegExp(`callID=${call.callID} to=Dialing callee=${NUMBER} placedBy=ext:21`));
  assert.ok(heardByRemote.ms >= 2_000, `the outside party got ${heardByRemote.ms} ms of audio`);
  assertTone(heardByRemote.samples, 440, heardByRemote.ms, 'the outside party hears the phone');
  assert.ok(heardByPhone.ms >= 2_000, `the phone got ${heardByPhone.ms} ms of audio`);
  assertTone(heardByPhone.samples, TC_HZ, heardByPhone.ms, 'the phone hears the outside party');
  t.diagnostic(`dial → established ${setupMs} ms (Digest at hometel and at Kamailio on the way); audio: ${heardByRemote.ms} ms to the outside party at ${dominantFrequency(heardByRemote.samples, 8000)?.toFixed(1)} Hz, ${heardByPhone.ms} ms to the phone at ${dominantFrequency(heardByPhone.samples, 8000)?.toFixed(1)} Hz`);
  // The call log of the TS has it, answered.
  const logs = await telcp.callLogs();
  assert.ok(JSON.stringify(logs).includes(NUMBER), `the call log lists the call: ${JSON.stringify(logs)}`);
  await desk.stop();
});

test('the outside number is busy → the phone gets 486 Busy Here; the Call is over, Busy', async () => {
  const { phone: desk } = await phone('21', 440);
  const remote = await outsideParty(BUSY, { scenario: 'uas-busy' });
  const since = desk.mark();
  await desk.dial(`sip:${BUSY}@hometel`);
  const closed = await desk.waitForEvent('CALL_CLOSED', 15_000, since);
  assert.match(String(closed.param), /486/, `baresip was told busy: ${closed.param}`);
  expectSippSuccess(await remote.done, 'the busy outside party');
  await waitFor(() => callTo(BUSY)?.ended === true, 'the Call is over');
  assert.equal(callTo(BUSY)?.reason, 'Busy');
  await desk.stop();
});

test('RFC 3261 9.1/9.2: the phone gives up while the outside number rings → its CANCEL is answered and the line\'s INVITE is cancelled at the callee; the Call ends Cancelled', async () => {
  const { phone: desk } = await phone('21', 440);
  const remote = await outsideParty(NO_ANSWER, { scenario: 'uas-noanswer' });
  const since = desk.mark();
  await desk.dial(`sip:${NO_ANSWER}@hometel`);
  await waitFor(() => callTo(NO_ANSWER)?.status === 'Calling', 'the outside number rings', 15_000);
  await desk.hangup();
  await desk.waitForEvent('CALL_CLOSED', 10_000, since);
  expectSippSuccess(await remote.done, 'the outside party: CANCEL → 200, 487 → ACK');
  await waitFor(() => callTo(NO_ANSWER)?.ended === true, 'the Call is over');
  assert.equal(callTo(NO_ANSWER)?.reason, 'Cancelled');
  assert.match(hometel.log(), /phone call ended by the phone callID=\S+ why=cancel/);
  await desk.stop();
});

test('acceptance 4: extension 21 calls extension 22 — a Call at the TS, the relay carries 440 Hz to 22 and its 1 kHz to 21', async () => {
  const { phone: desk, rtp: deskRtp } = await phone('21', 440);
  const { phone: other, rtp: otherRtp } = await phone('22', TC_HZ, 'auto');
  const [toOther, toDesk] = await captures(otherRtp, deskRtp);
  await desk.dial('sip:22@hometel');
  const incoming = await other.waitForEvent('CALL_ESTABLISHED', 15_000);
  assert.match(String(incoming.peeruri), /sip:21@/, 'phone 22 sees extension 21 calling');
  await desk.waitForEvent('CALL_ESTABLISHED', 15_000);
  await waitFor(() => callTo('22')?.status === 'Talking', 'the TelCP sees the Call to 22 Talking');
  // Both lamps show the call (RFC 4235 dialogs: 21 the initiator, 22 the recipient), so does their presence.
  assert.deepEqual([await presenceOf('21'), await presenceOf('22')], ['on-the-phone', 'on-the-phone']);
  await sleep(3000);
  await desk.hangup();
  await other.waitForEvent('CALL_CLOSED', 10_000);
  await waitFor(() => callTo('22')?.ended === true, 'the Call is over');
  assert.deepEqual([await presenceOf('21'), await presenceOf('22')], ['available', 'available']);
  const heardByOther = audioOf(await toOther!.stop());
  const heardByDesk = audioOf(await toDesk!.stop());
  assert.ok(heardByOther.ms >= 2_000, `22 got ${heardByOther.ms} ms of audio`);
  assertTone(heardByOther.samples, 440, heardByOther.ms, '22 hears 21');
  assert.ok(heardByDesk.ms >= 2_000, `21 got ${heardByDesk.ms} ms of audio`);
  assertTone(heardByDesk.samples, TC_HZ, heardByDesk.ms, '21 hears 22');
  await other.stop();
  await desk.stop();
});

test('acceptance 4: extension 21 calls the TelCP "Kitchen" of the home, which answers with hometel\'s TC: the TC records 440 Hz, the phone hears the TC; the TelCP\'s hang-up is a BYE to the phone', async () => {
  const { phone: desk, rtp } = await phone('21', 440);
  const [toDesk] = await captures(rtp);
  const ringing = new Promise<CallView>((resolve) => telcp.once('incoming', resolve));
  await desk.dial('sip:Kitchen@hometel');
  const call = await ringing;
  assert.deepEqual(call.targetNames, ['Kitchen'], 'a Call for that TelCP alone');
  assert.equal((await telcp.getCallInfo(call.callID))[0]?.remoteParty?.id, '21', 'the TelCP sees extension 21 calling');
  const answered = await telcp.answer(call.callID, { clients: [tv] });
  const session = sessionOf(answered, tv);
  await desk.waitForEvent('CALL_ESTABLISHED', 15_000);
  await waitFor(() => callTo('Kitchen')?.status === 'Talking', 'the phone\'s own Call is Talking');
  const talkingAt = Date.now();
  await sleep(3000);
  // The other side hangs up this time: the TelCP's StopCall reaches the phone as a BYE.
  const since = desk.mark();
  await telcp.hangup(call.callID);
  const closed = await desk.waitForEvent('CALL_CLOSED', 10_000, since);
  assert.equal(closed.param, 'Connection reset by peer', 'baresip\'s words for a BYE it received');
  const talkedMs = Date.now() - talkingAt;
  const heardByDesk = audioOf(await toDesk!.stop());
  await waitFor(() => callTo('Kitchen')?.ended === true, 'the phone\'s Call is over');
  await sleep(300);
  const recording = new WavFileSource(join(hometel.dir, 'tv', tcRecordingName(session, 'audio'))).samples;
  assertTone(recording, 440, talkedMs - 500, 'the TC hears the phone');
  assert.ok(heardByDesk.ms >= 2_000, `the phone got ${heardByDesk.ms} ms of audio`);
  assertTone(heardByDesk.samples, TC_HZ, heardByDesk.ms, 'the phone hears the TC');
  await desk.stop();
});
