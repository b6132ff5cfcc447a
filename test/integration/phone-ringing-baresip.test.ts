/**
 * Issue 14 acceptance 2 with a real phone, against a real `hometel start`: baresip registered as extension 21 (MD5
 * Digest only: baresip 1.0 gives up on a SHA-256 challenge, see phones-registrar.test.ts), a TelCP over UPnP (a
 * TelephonyControlPoint with the TelCPName "Kitchen", subscribed to CallInfo) and SIPp calling the line with a
 * 440 Hz tone.
 *
 * (a) baresip rings (CALL_INCOMING) and the TelCP is notified of the Ringing Call — both, no timing asserted; baresip
 *     answers → the caller's 440 Hz reaches baresip and baresip's 1 kHz reaches the caller (what arrives at each RTP
 *     port, captured on lo and judged by frequency: baresip has no recorder here); the TelCP sees the Call Talking.
 * (b) the TelCP answers (AcceptCall, TS-native media) while baresip rings → baresip receives CANCEL with
 *     `Reason: SIP;cause=200;text="Call completed elsewhere"` (RFC 3326 2), read from its SIP trace (`baresip -s`).
 *
 * RTP: hometel's relay 43000–43199; baresip's and SIPp's media ports from freeLoopbackPort().
 */
import { after, afterEach, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { silentLogger, systemClock } from '../../src/base/index.js';
import { phonesOver } from '../../src/app/phones-admin.js';
import { Store } from '../../src/store/index.js';
import { TelephonyControlPoint, type CallView, type TsSession } from '../../src/telephony/control/index.js';
import { startBaresip, type Baresip } from '../support/baresip.js';
import { startConfiguredHometel, type ConfiguredHometel } from '../support/hometel-process.js';
import { lo, testLogger, waitFor } from '../support/net.js';
import { captureUdpTo } from '../support/pcap.js';
import { assertTone, sleep } from '../support/relay.js';
import { expectSippSuccess, freeLoopbackPort, runSipp, SIPP_SCENARIO_DIR, type SippHandle } from '../support/sipp.js';
import { audioOf, toneUlaw } from '../support/tones.js';

const host = lo.address;
const password = 'correct-horse-21';
const uacMedia = join(SIPP_SCENARIO_DIR, 'uac-media.xml') as `${string}.xml`;
const SIPP_TIMEOUT_MS = 60_000;
const EVENT_MS = 15_000;

let hometel: ConfiguredHometel;
let sipPort: number;
let telcp: TelephonyControlPoint;
let kitchen: TsSession;
let phone: Baresip;
/** baresip's RTP port: its range holds one even port (libre takes an even port of the range for RTP). */
let phoneRtp: number;
/** Every view of every Call the TelCP was told of, with the time it came. */
const views: Array<{ at: number; view: CallView }> = [];

before(async () => {
  sipPort = await freeLoopbackPort();
  const registrarPort = await freeLoopbackPort();
  hometel = await startConfiguredHometel('hometel-ringing-baresip-', (dir) => {
    const dataDir = join(dir, 'data');
    // Extension 21 exists before hometel starts, as `hometel phones add 21` leaves it.
    const store = Store.open(dataDir);
    phonesOver(store, 'hometel', systemClock, silentLogger).add({ number: '21', password });
    store.close();
    return {
      interfaces: ['lo'],
      dataDir,
      logLevel: 'info',
      web: false,
      echo: false,
      clients: [],
      lines: [{ name: 'home', sip: { mode: 'direct', user: 'home', host, port: sipPort, transports: ['udp'] } }],
      media: { rtpPortMin: 43000, rtpPortMax: 43199, native: { source: { tone: 800 }, recordDir: join(dir, 'ts') } },
      phones: { registrar: { host, port: registrarPort, transports: ['udp'], digestAlgorithms: ['MD5'] } },
    };
  });
  telcp = new TelephonyControlPoint({ interfaces: [lo], logger: testLogger('telcp'), searchTarget: hometel.udn, mx: 1 });
  await telcp.start();
  kitchen = await telcp.openSession(await telcp.waitForServer((s) => s.rootUdn === hometel.udn), { name: 'Kitchen' });
  kitchen.on('call', (c: { view: CallView }) => void views.push({ at: Date.now(), view: c.view }));
  const rtp = await freeLoopbackPort(4);
  phoneRtp = rtp % 2 === 0 ? rtp : rtp + 1;
  phone = await startBaresip({
    port: await freeLoopbackPort(3),
    user: '21',
    registrar: { domain: 'hometel', host, port: registrarPort, password },
    toneHz: 1000,
    rtpPorts: `${phoneRtp}-${phoneRtp + 2}`,
    extraArgs: ['-s'],
  });
  await phone.waitForRegistration();
});

/** The SIPp callers a test started: stopped by PID after it, even when it failed. */
const callers: SippHandle[] = [];
afterEach(async () => {
  for (const c of callers.splice(0)) await c.stop();
});

after(async () => {
  await phone?.stop();
  await telcp?.stop();
  await hometel?.stop();
});

/** SIPp calling the line from `caller`, playing 440 Hz from `mediaPort` for `holdMs` after the answer, then BYE. */
async function sippCalls(caller: string, mediaPort: number, holdMs: number): Promise<SippHandle> {
  const sipp = await runSipp({
    scenario: uacMedia,
    remote: `${host}:${sipPort}`,
    localPort: await freeLoopbackPort(),
    transport: 'u1',
    service: 'home',
    mediaPort,
    files: { 'tone.ulaw': toneUlaw(440) },
    keys: { caller, caller_name: 'Caller' },
    vars: { holdms: String(holdMs) },
    timeoutMs: SIPP_TIMEOUT_MS,
  });
  callers.push(sipp);
  return sipp;
}

/** Runs `body`; a failure carries the end of hometel's log. */
async function withHometelLog(body: () => Promise<void>): Promise<void> {
  try {
    await body();
  } catch (e) {
    if (e instanceof Error) e.message += `\n--- hometel log (tail) ---\n${hometel.log().slice(-4000)}`;
    throw e;
  }
}

/** The Call from `caller` once the TelCP has it Ringing, and when that came. */
async function ringingAtTelcp(caller: string): Promise<{ at: number; callID: string }> {
  let found: { at: number; view: CallView } | undefined;
  await waitFor(() => (found = views.find((v) => v.view.status === 'Ringing' && v.view.info.remoteParty?.id.includes(caller))) !== undefined, `the TelCP is told of ${caller}'s Call ringing`, EVENT_MS);
  return { at: found!.at, callID: found!.view.callID };
}

const statusesOf = (callID: string): string[] => views.filter((v) => v.view.callID === callID).map((v) => v.view.status);

test('issue 14 acceptance 2: baresip rings as the TelCP is notified; baresip answers → 440 Hz reaches it, its 1 kHz reaches the caller; the TelCP sees the Call Talking', (t) => withHometelLog(async () => {
  const callerMedia = await freeLoopbackPort(4);
  const toPhone = await captureUdpTo(phoneRtp);
  const toCaller = await captureUdpTo(callerMedia);
  const since = phone.mark();
  let rangAt = 0;
  const off = phone.onEvent((e) => void (e.type === 'CALL_INCOMING' && (rangAt ||= Date.now())));
  const caller = await sippCalls('0301234521', callerMedia, 4000);
  const incoming = await phone.waitForEvent('CALL_INCOMING', EVENT_MS, since);
  off();
  const ringing = await ringingAtTelcp('0301234521');
  t.diagnostic(`baresip's CALL_INCOMING came ${rangAt - ringing.at} ms after the TelCP's Ringing event (as this process received each)`);
  // baresip's display shows the outside caller: hometel's From is the caller's number at the realm.
  assert.match(incoming.peeruri ?? '', /^sip:0301234521@hometel/);
  await phone.answer();
  await phone.waitForEvent((e) => e.type === 'CALL_ESTABLISHED' && e.direction === 'incoming', EVENT_MS, since);
  expectSippSuccess(await caller.done, 'the outside caller, answered by baresip');
  // The caller's BYE ends baresip's call too.
  await phone.waitForEvent('CALL_CLOSED', EVENT_MS, since);
  await sleep(200);
  const heardByPhone = audioOf(await toPhone.stop());
  const heardByCaller = audioOf(await toCaller.stop());
  assert.match(phone.output(), new RegExp(`m=audio ${phoneRtp} RTP/AVP`), 'baresip took the RTP port the capture listened on');
  assert.ok(heardByPhone.ms >= 2_000, `baresip got ${heardByPhone.ms} ms of audio`);
  assertTone(heardByPhone.samples, 440, heardByPhone.ms, 'baresip hears the caller');
  assert.ok(heardByCaller.ms >= 2_000, `the caller got ${heardByCaller.ms} ms of audio`);
  assertTone(heardByCaller.samples, 1000, heardByCaller.ms, 'the caller hears baresip');
  // The TelCP saw the same Call ring, go Talking (answered by the phone), and end.
  await waitFor(() => statusesOf(ringing.callID).includes('Disconnected'), 'the TelCP sees the Call end', EVENT_MS);
  const statuses = statusesOf(ringing.callID);
  assert.ok(statuses.includes('Talking') && statuses.indexOf('Ringing') < statuses.indexOf('Talking'), `the TelCP saw ${statuses.join(' → ')}`);
  assert.match(hometel.log(), new RegExp(`callID=${ringing.callID} phones=answered by=ext:21`));
}));

test('issue 14 acceptance 2, RFC 3326: the TelCP answers while baresip rings → baresip gets CANCEL with Reason cause=200 "Call completed elsewhere"', () => withHometelLog(async () => {
  const since = phone.mark();
  const traceBefore = phone.output().length;
  const caller = await sippCalls('0301234522', await freeLoopbackPort(4), 1500);
  await phone.waitForEvent('CALL_INCOMING', EVENT_MS, since);
  const ringing = await ringingAtTelcp('0301234522');
  const answered = await kitchen.answer(ringing.callID, { native: true });
  assert.equal(answered.status, 'Talking');
  const closed = await phone.waitForEvent('CALL_CLOSED', EVENT_MS, since);
  expectSippSuccess(await caller.done, 'the outside caller, answered by the TelCP');
  const trace = phone.output().slice(traceBefore);
  assert.match(trace, /CANCEL sip:21[^@\s]*@127\.0\.0\.1:\d+ SIP\/2\.0[\s\S]*?Reason: SIP;cause=200;text="Call completed elsewhere"/, `baresip's trace has the CANCEL with the Reason:\n${trace.slice(-3000)}`);
  assert.ok(!phone.events.slice(since).some((e) => e.type === 'CALL_ESTABLISHED'), `baresip never took the call (closed: ${closed.param})`);
}));
