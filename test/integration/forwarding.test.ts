/**
 * Forwarding and the first decision over real SIP (seed 004 2.2 3 i–iv): a Telephony Server with its RTP relay on
 * a SIP line (UDP, 127.0.0.1), SIPp as the callers and as the forward targets. The test decides through the
 * CallManagement service the way the call-handling service does (decide()), and as a TelCP over UPnP.
 *
 * (a) bridge: the caller's 440 Hz reaches the target and the target's 1 kHz reaches the caller (captured on lo and
 *     judged by frequency); the forward's result is "answered", the target answered, the log says so;
 * (b) a busy target (486) sends the caller to voicemail: the VoiceMailPort takes the Call and the caller gets 200;
 *     a target that rings past noAnswerSeconds is cancelled (CANCEL, 487) and the caller goes to voicemail too;
 * (c) redirect: the caller receives 302 with the target (a number on the line's host) as Contact;
 * (d) two decisions at the same moment, one by a TelCP (CallManagement:1 RejectCall) and one by decide(): exactly one
 *     succeeds, the other is refused naming the winner, and the caller gets the winner's answer.
 *
 * RTP ports 24000–24199 (relay); SIP and the SIPp media ports from freeLoopbackPort().
 */
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createTelephonyServer } from '../../src/app/telephony-server.js';
import { systemClock } from '../../src/base/clock.js';
import { createLogger } from '../../src/base/logger.js';
import { SipLine } from '../../src/sip/bridge/index.js';
import { Store } from '../../src/store/index.js';
import { DecisionRefused, type IncomingCall } from '../../src/telephony/domain/index.js';
import { defaultMediaProfile } from '../../src/telephony/index.js';
import { ControlPoint, DeviceHost, findService, UpnpError } from '../../src/upnp/index.js';
import { lo, testLogger, waitFor } from '../support/net.js';
import { captureUdpTo } from '../support/pcap.js';
import { IncomingCalls } from '../support/incoming-calls.js';
import { audioOf, toneUlaw } from '../support/tones.js';
import { assertTone, host, relayRig, sleep } from '../support/relay.js';
import { expectSippSuccess, freeLoopbackPort, runSipp, SIPP_SCENARIO_DIR, startSippUas, type SippOptions } from '../support/sipp.js';
import { callManagementType } from '../support/telephony-server.js';

const uacMedia = join(SIPP_SCENARIO_DIR, 'uac-media.xml') as `${string}.xml`;
const uacRedirected = join(SIPP_SCENARIO_DIR, 'uac-redirected.xml') as `${string}.xml`;
const SIPP_TIMEOUT_MS = 60_000;

const { plane, close: closeRelay } = relayRig(24000);
const dataDir = mkdtempSync(join(tmpdir(), 'hometel-forwarding-'));
const store = Store.open(dataDir);
const log: string[] = [];
const logger = createLogger({ level: 'info', component: 'ts', write: (l) => log.push(l) });
const media = defaultMediaProfile(host);
const sipPort = await freeLoopbackPort();
const sip = new SipLine({ mode: 'direct', user: 'home', host, port: sipPort, transports: ['udp'], localSdp: () => media.native, clock: systemClock, logger: testLogger('ts-sip') });
const deposits: IncomingCall[] = [];
const parts = createTelephonyServer({
  lineName: 'home',
  friendlyName: 'home line',
  store,
  line: sip,
  media,
  mediaPlane: plane,
  clock: systemClock,
  logger,
  forwarding: { mode: 'bridge', noAnswerSeconds: 5, fallbackToVoicemail: true },
  // A voicemail that takes every Call and ends it after a second (what it plays and records is not this test's).
  voiceMail: {
    deposit(call, hangUp) {
      deposits.push(call);
      setTimeout(hangUp, 1_000);
      return true;
    },
  },
});
await sip.start();
const { service } = parts;
const deviceHost = new DeviceHost({ root: parts.device, interfaces: [lo], bootId: store.nextBootId(), logger: testLogger('ts-device') });
await deviceHost.start();
const cp = new ControlPoint({ interfaces: [lo], logger: testLogger('telcp'), searchTarget: parts.device.info.udn, mx: 1 });
await cp.start();
const cm = findService(await cp.waitForDevice((d) => d.udn === parts.device.info.udn), (s) => s.serviceType === callManagementType)!;

/** The line's callers, and what the test does with each. */
const incoming = new IncomingCalls(service);

after(async () => {
  await cp.stop();
  await deviceHost.stop();
  parts.close();
  await sip.stop();
  try {
    await closeRelay();
  } finally {
    store.close();
    rmSync(dataDir, { recursive: true, force: true });
  }
});

/** SIPp calling the line (a UAC scenario). */
async function callLine(o: Partial<SippOptions> & Pick<SippOptions, 'scenario'>): Promise<Awaited<ReturnType<typeof runSipp>>> {
  return runSipp({ remote: `${host}:${sipPort}`, localPort: await freeLoopbackPort(), transport: 'u1', service: 'home', timeoutMs: SIPP_TIMEOUT_MS, keys: { caller: 'alice', caller_name: 'Alice' }, ...o });
}

test('seed 004 2.2 3 iii bridge: the caller’s 440 Hz reaches the target, the target’s 1 kHz reaches the caller; result "answered"', async () => {
  const targetPort = await freeLoopbackPort();
  const targetMedia = await freeLoopbackPort(4);
  const callerMedia = await freeLoopbackPort(4);
  const toTarget = await captureUdpTo(targetMedia);
  const toCaller = await captureUdpTo(callerMedia);
  const target = await startSippUas({ scenario: 'uas-media', localPort: targetPort, transport: 'u1', calls: 1, mediaPort: targetMedia, files: { 'tone.ulaw': toneUlaw(1000) }, timeoutMs: SIPP_TIMEOUT_MS });
  const targetUri = `sip:bob@${host}:${targetPort}`;
  incoming.onIncoming = (call) => service.decide(call.callID, { action: 'forward', target: targetUri }, 'web:Laptop');
  const caller = await callLine({ scenario: uacMedia, mediaPort: callerMedia, files: { 'tone.ulaw': toneUlaw(440) }, vars: { holdms: '3000' } });
  const callerResult = await caller.done;
  const targetResult = await target.done;
  await sleep(200);
  const heardByTarget = audioOf(await toTarget.stop());
  const heardByCaller = audioOf(await toCaller.stop());
  expectSippSuccess(callerResult, 'the caller');
  expectSippSuccess(targetResult, 'the forward target (its BYE comes from hometel when the caller hangs up)');
  const call = incoming.last;
  assert.deepEqual(call.forward, { target: targetUri, mode: 'bridge', result: 'answered' });
  assert.equal(call.answeredBy, targetUri);
  assert.equal(call.reason, undefined);
  await waitFor(() => call.status === 'Disconnected', 'the caller’s hang-up ended the Call');
  assert.ok(heardByTarget.ms >= 1_500, `the target got ${heardByTarget.ms} ms of audio`);
  assertTone(heardByTarget.samples, 440, heardByTarget.ms, 'the target hears the caller');
  assert.ok(heardByCaller.ms >= 1_500, `the caller got ${heardByCaller.ms} ms of audio`);
  assertTone(heardByCaller.samples, 1000, heardByCaller.ms, 'the caller hears the target');
  const lines = log.filter((l) => l.includes(call.callID)).join('\n');
  assert.match(lines, /call decided .*action=forward by=web:Laptop/);
  assert.match(lines, /forward="calling the target"/);
  assert.match(lines, /forward=answered/);
});

test('seed 004 2.2 3 iii, iv: a busy target (486) sends the caller to voicemail; the caller gets 200 OK', async () => {
  const targetPort = await freeLoopbackPort();
  const target = await startSippUas({ scenario: 'uas-busy', localPort: targetPort, transport: 'u1', calls: 1, timeoutMs: SIPP_TIMEOUT_MS });
  incoming.onIncoming = (call) => service.decide(call.callID, { action: 'forward', target: `sip:busy@${host}:${targetPort}` }, 'rule:7');
  const before = deposits.length;
  const caller = await callLine({ scenario: 'uac-call', vars: { hangup: 'peer' } });
  expectSippSuccess(await caller.done, 'the caller is answered by voicemail, which hangs up');
  expectSippSuccess(await target.done, 'the busy target');
  const call = incoming.last;
  assert.equal(call.forward?.result, 'busy');
  assert.equal(deposits.length, before + 1);
  assert.equal(deposits.at(-1)!.callID, call.callID);
  assert.equal(deposits.at(-1)!.from.id, 'alice');
  assert.equal(call.answeredBy, 'ts');
  assert.ok(call.connectedAt !== undefined);
  assert.match(log.filter((l) => l.includes(call.callID)).join('\n'), /forward=busy[\s\S]*voicemail=deposit/);
});

test('seed 004 2.2 3 iii, iv: a target that does not answer in time is cancelled; the caller goes to voicemail', async () => {
  const targetPort = await freeLoopbackPort();
  const target = await startSippUas({ scenario: 'uas-noanswer', localPort: targetPort, transport: 'u1', calls: 1, timeoutMs: SIPP_TIMEOUT_MS });
  incoming.onIncoming = (call) => service.decide(call.callID, { action: 'forward', target: `sip:late@${host}:${targetPort}` }, 'rule:7');
  const before = deposits.length;
  const caller = await callLine({ scenario: 'uac-call', vars: { hangup: 'peer' } });
  expectSippSuccess(await caller.done, 'the caller is answered by voicemail after the forward timed out');
  expectSippSuccess(await target.done, 'the target that rang: CANCEL, 487, ACK');
  const call = incoming.last;
  assert.equal(call.forward?.result, 'no-answer');
  assert.equal(deposits.length, before + 1);
  const lines = log.filter((l) => l.includes(call.callID)).join('\n');
  assert.match(lines, /forwardLeg=ended why="no answer in time"/);
  assert.match(lines, /forward=no-answer[\s\S]*voicemail=deposit/);
});

test('seed 004 2.2 3 iii redirect: the caller receives 302 Moved Temporarily with the target as Contact', async () => {
  incoming.onIncoming = (call) => service.decide(call.callID, { action: 'forward', target: '+49 30 1234', mode: 'redirect' }, 'cli');
  const caller = await callLine({ scenario: uacRedirected });
  const result = await caller.done;
  expectSippSuccess(result, 'the redirected caller');
  assert.match(result.messages, /SIP\/2\.0 302 Moved Temporarily[\s\S]*?Contact: <sip:\+49301234@127\.0\.0\.1>/);
  const call = incoming.last;
  assert.deepEqual(call.forward, { target: 'tel:+49301234', mode: 'redirect', result: 'redirected' });
  assert.equal(call.status, 'Disconnected');
});

test('seed 004 2.2 3 i–iv first wins: a TelCP’s RejectCall and a decide() at the same moment — exactly one succeeds, the other names the winner', async () => {
  const { NewSecretKey } = (await cm.invoke('RegisterTelCPName', { TelCPName: 'Kitchen', CurrentSecretKey: '' })) as { NewSecretKey: string };
  let outcomes: Promise<[PromiseSettledResult<unknown>, PromiseSettledResult<unknown>]> | undefined;
  incoming.onIncoming = (call) => {
    // The TelCP's request goes out first; decide() follows while it is on its way.
    const telcp = cm.invoke('RejectCall', { TelCPName: 'Kitchen', SecretKey: NewSecretKey, TargetCallID: call.callID, RejectReason: 'Decline' });
    const decided = sleep(2).then(() => service.decide(call.callID, { action: 'reject', status: 486 }, 'web:Laptop'));
    outcomes = Promise.allSettled([telcp, decided]);
  };
  const caller = await callLine({ scenario: 'uac-rejected' });
  const result = await caller.done;
  expectSippSuccess(result, 'the caller is rejected');
  await waitFor(() => outcomes !== undefined, 'both decisions were made');
  const [byTelCP, byDecide] = await outcomes!;
  const call = incoming.last;
  assert.equal([byTelCP, byDecide].filter((r) => r.status === 'fulfilled').length, 1, 'exactly one decision succeeds');
  if (byTelCP.status === 'fulfilled') {
    assert.equal(call.decided?.by, 'Kitchen');
    const e = (byDecide as PromiseRejectedResult).reason as unknown;
    assert.ok(e instanceof DecisionRefused && /already decided by Kitchen \(reject\)/.test(e.message), String(e));
    assert.match(result.messages, /SIP\/2\.0 603 /);
  } else {
    assert.equal(call.decided?.by, 'web:Laptop');
    const e = byTelCP.reason as unknown;
    assert.ok(e instanceof UpnpError && e.errorCode === 712 && /already decided by web:Laptop \(reject\)/.test(e.errorDescription), String(e));
    assert.match(result.messages, /SIP\/2\.0 486 /);
  }
  assert.match(log.filter((l) => l.includes(call.callID)).join('\n'), new RegExp(`call decided .*by=${call.decided.by}`));
});
