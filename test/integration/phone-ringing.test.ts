/**
 * Issue 14 acceptance 2 (the phones ring with the screens) over real sockets: a Telephony Server with its RTP relay
 * on a SIP line (UDP, 127.0.0.1), the phones' SIP side (PhoneSide) with the phones' line as `hometel start` wires it
 * (app/phone-ringing.ts), a phone directory whose extension 21 has one binding — a SIPp UAS playing the phone (the
 * registrar is not part of this test) — SIPp as the outside caller, and a TelCP over UPnP (GENA events, actions).
 *
 * (a) the phone rings while the TelCP is notified of the Ringing Call; the phone answers → the caller's 440 Hz
 *     reaches the phone and the phone's 1 kHz reaches the caller (captured on lo, judged by frequency); the TelCP
 *     sees the Call Talking, answered by ext:21;
 * (b) the TelCP answers (AcceptCall) while the phone rings → the phone receives CANCEL with
 *     `Reason: SIP;cause=200;text="Call completed elsewhere"` (RFC 3326; the SIPp scenario fails without it).
 *
 * (c) `hometel start`'s wiring (startPhones with the lines' servers): each TS is given the phones' line and rings
 *     the extensions that have a registered device.
 *
 * RTP ports 25400–25599 (relay); SIP and the SIPp media ports from freeLoopbackPort().
 */
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ringPhonesWithScreens } from '../../src/app/phone-ringing.js';
import { phonesOver } from '../../src/app/phones-admin.js';
import { startPhones } from '../../src/app/phones.js';
import { createTelephonyServer } from '../../src/app/telephony-server.js';
import { systemClock } from '../../src/base/clock.js';
import type { Binding, PhoneDirectory } from '../../src/phones/index.js';
import { SipLine } from '../../src/sip/bridge/index.js';
import { PhoneSide } from '../../src/sip/pbx/index.js';
import { SqliteBindingRepository, Store } from '../../src/store/index.js';
import type { PhoneRinging } from '../../src/telephony/domain/index.js';
import { defaultMediaProfile, type CallManagementService } from '../../src/telephony/index.js';
import { ControlPoint, DeviceHost, findService } from '../../src/upnp/index.js';
import { lo, testLogger, waitFor } from '../support/net.js';
import { captureUdpTo } from '../support/pcap.js';
import { assertTone, host, relayRig, sleep } from '../support/relay.js';
import { expectSippSuccess, freeLoopbackPort, runSipp, SIPP_SCENARIO_DIR, startSippUas } from '../support/sipp.js';
import { CallInfoEvents, callManagementType } from '../support/telephony-server.js';
import { IncomingCalls } from '../support/incoming-calls.js';
import { audioOf, toneUlaw } from '../support/tones.js';

const uacMedia = join(SIPP_SCENARIO_DIR, 'uac-media.xml') as `${string}.xml`;
const uasCancelledElsewhere = join(SIPP_SCENARIO_DIR, 'uas-cancelled-elsewhere.xml') as `${string}.xml`;
const SIPP_TIMEOUT_MS = 60_000;
const realm = 'home.arpa';

const { plane, close: closeRelay } = relayRig(25400);
const dataDir = mkdtempSync(join(tmpdir(), 'hometel-phone-ringing-'));
const store = Store.open(dataDir);
const media = defaultMediaProfile(host);
const sipPort = await freeLoopbackPort();
const sip = new SipLine({ mode: 'direct', user: 'home', host, port: sipPort, transports: ['udp'], localSdp: () => media.native, clock: systemClock, logger: testLogger('ts-sip') });
const parts = createTelephonyServer({ lineName: 'home', friendlyName: 'home line', store, line: sip, media, mediaPlane: plane, clock: systemClock, logger: testLogger('ts') });
await sip.start();
const side = new PhoneSide({ host, port: 0, transports: ['udp'], realm, clock: systemClock, logger: testLogger('phones') });
await side.start();

/** Extension 21 with one device: the SIPp phone of the test running now. */
let phone: Binding | undefined;
const directory: PhoneDirectory = {
  extension: (n) => (n === '21' ? { number: '21', displayName: 'Desk', registrations: phone ? 1 : 0 } : undefined),
  extensions: () => [{ number: '21', displayName: 'Desk', registrations: phone ? 1 : 0 }],
  bindings: (n) => (n === '21' && phone ? [phone] : []),
  credentials: () => undefined,
  onChange: () => () => {},
};
ringPhonesWithScreens({ side, directory, servers: [parts], logger: testLogger('phone-ringing') });

function bindingAt(port: number): Binding {
  return { extension: '21', contact: `sip:21@${host}:${port}`, expiresAt: Date.now() + 3_600_000, callId: `reg-${port}`, cseq: 1, source: { transport: 'udp', address: host, port }, registeredAt: Date.now() };
}

const deviceHost = new DeviceHost({ root: parts.device, interfaces: [lo], bootId: store.nextBootId(), logger: testLogger('ts-device') });
await deviceHost.start();
const cp = new ControlPoint({ interfaces: [lo], logger: testLogger('telcp'), searchTarget: parts.device.info.udn, mx: 1 });
await cp.start();
const cm = findService(await cp.waitForDevice((d) => d.udn === parts.device.info.udn), (s) => s.serviceType === callManagementType)!;
const events = new CallInfoEvents(await cp.subscribe(cm));
const { NewSecretKey: kitchenKey } = (await cm.invoke('RegisterTelCPName', { TelCPName: 'Kitchen', CurrentSecretKey: '' })) as { NewSecretKey: string };

/** The line's callers, and what the test does with each. */
const incoming = new IncomingCalls(parts.service);

after(async () => {
  await cp.stop();
  await deviceHost.stop();
  parts.close();
  await side.stop();
  await sip.stop();
  try {
    await closeRelay();
  } finally {
    store.close();
    rmSync(dataDir, { recursive: true, force: true });
  }
});

test('issue 14 acceptance 2: the phone rings as the TelCP is notified; the phone answers → 440 Hz reaches it, its 1 kHz reaches the caller; the TelCP sees the Call Talking', async () => {
  const phonePort = await freeLoopbackPort();
  const phoneMedia = await freeLoopbackPort(4);
  const callerMedia = await freeLoopbackPort(4);
  phone = bindingAt(phonePort);
  const toPhone = await captureUdpTo(phoneMedia);
  const toCaller = await captureUdpTo(callerMedia);
  const desk = await startSippUas({ scenario: 'uas-media', localPort: phonePort, transport: 'u1', calls: 1, service: '21', mediaPort: phoneMedia, files: { 'tone.ulaw': toneUlaw(1000) }, timeoutMs: SIPP_TIMEOUT_MS });
  incoming.onIncoming = () => {};
  const caller = await runSipp({
    scenario: uacMedia,
    remote: `${host}:${sipPort}`,
    localPort: await freeLoopbackPort(),
    transport: 'u1',
    service: 'home',
    mediaPort: callerMedia,
    files: { 'tone.ulaw': toneUlaw(440) },
    keys: { caller: 'alice', caller_name: 'Alice' },
    vars: { holdms: '3000' },
    timeoutMs: SIPP_TIMEOUT_MS,
  });
  const callerResult = await caller.done;
  const deskResult = await desk.done;
  await sleep(200);
  const heardByPhone = audioOf(await toPhone.stop());
  const heardByCaller = audioOf(await toCaller.stop());
  expectSippSuccess(callerResult, 'the outside caller');
  expectSippSuccess(deskResult, 'the phone (its BYE comes from hometel when the caller hangs up)');

  const call = incoming.last;
  await waitFor(() => call.status === 'Disconnected', 'the caller’s hang-up ended the Call');
  assert.equal(call.answeredBy, 'ext:21');
  assert.equal(call.decided?.by, 'ext:21');
  // The TelCP was told of the Call while it rang, and saw the phone's answer.
  await events.waitFor(call.callID, 'Talking');
  const statuses = events.statuses(call.callID);
  assert.ok(statuses.indexOf('Ringing') < statuses.indexOf('Talking'), `the TelCP saw ${statuses.join(' → ')}`);
  // The phone's display shows the outside caller (RFC 3261 8.1.1.3 From).
  assert.match(deskResult.messages, /INVITE sip:21@127\.0\.0\.1:\d+ SIP\/2\.0[\s\S]*?From: "Alice" <sip:alice@home\.arpa>/);
  assert.ok(heardByPhone.ms >= 1_500, `the phone got ${heardByPhone.ms} ms of audio`);
  assertTone(heardByPhone.samples, 440, heardByPhone.ms, 'the phone hears the caller');
  assert.ok(heardByCaller.ms >= 1_500, `the caller got ${heardByCaller.ms} ms of audio`);
  assertTone(heardByCaller.samples, 1000, heardByCaller.ms, 'the caller hears the phone');
});

test('issue 14 acceptance 2, RFC 3326: a TelCP answers while the phone rings → the phone gets CANCEL with Reason cause=200 "Call completed elsewhere"', async () => {
  const phonePort = await freeLoopbackPort();
  phone = bindingAt(phonePort);
  const desk = await startSippUas({ scenario: uasCancelledElsewhere, localPort: phonePort, transport: 'u1', calls: 1, service: '21', timeoutMs: SIPP_TIMEOUT_MS });
  const accepted: Array<Promise<unknown>> = [];
  incoming.onIncoming = (call) => {
    accepted.push(
      (async () => {
        await events.waitFor(call.callID, 'Ringing');
        // The phone rings (its 180 is in) before the TelCP answers.
        await waitFor(() => side.userAgent.sessions.some((s) => s.state === 'proceeding'), 'the phone rings');
        await cm.invoke('AcceptCall', { TelCPName: 'Kitchen', SecretKey: kitchenKey, TargetCallID: call.callID, MediaCapabilityInfo: '', CallMode: 'Non-Monopolize' });
      })(),
    );
  };
  const caller = await runSipp({ scenario: 'uac-call', remote: `${host}:${sipPort}`, localPort: await freeLoopbackPort(), transport: 'u1', service: 'home', keys: { caller: 'bob', caller_name: 'Bob' }, timeoutMs: SIPP_TIMEOUT_MS });
  const callerResult = await caller.done;
  await Promise.all(accepted);
  const deskResult = await desk.done;
  expectSippSuccess(callerResult, 'the outside caller, answered by the TelCP');
  expectSippSuccess(deskResult, 'the phone: CANCEL with the RFC 3326 Reason, 487, ACK');
  assert.match(deskResult.messages, /CANCEL sip:21@127\.0\.0\.1:\d+ SIP\/2\.0[\s\S]*?Reason: SIP;cause=200;text="Call completed elsewhere"/);
  const call = incoming.last;
  assert.equal(call.decided?.by, 'Kitchen');
  assert.equal(call.answeredBy, 'Kitchen');
  await events.waitFor(call.callID, 'Connected');
});

test('hometel start wires the phones: startPhones gives every line\'s TS the phones\' line, ringing the extensions with a registered device', async () => {
  const given: PhoneRinging[] = [];
  const server = { service: { setPhoneRinging: (p: PhoneRinging) => void given.push(p) } as unknown as CallManagementService };
  const admin = phonesOver(store, 'hometel', systemClock, testLogger('phones-admin'));
  admin.add({ number: '31', password: 'correct horse 31' });
  admin.add({ number: '32', password: 'correct horse 32' });
  new SqliteBindingRepository(store).replace('31', [{ ...bindingAt(5999), extension: '31' }]);
  const running = await startPhones({
    config: { registrar: { host, port: 0, transports: ['udp'], realm: 'hometel', minExpires: 60, maxExpires: 3600, homeNetworks: ['127.0.0.0/8'], allowContactsOutside: false, digestAlgorithms: ['SHA-256', 'MD5'] }, dialPlan: {} },
    address: host,
    store,
    clock: systemClock,
    logger: testLogger('phones'),
    servers: [server, server],
  });
  try {
    assert.equal(given.length, 2, 'each line\'s TS');
    assert.deepEqual(given[0]!.extensionsFor({ callID: 'c1', line: 'home', from: { id: 'alice' }, to: 'sip:home@127.0.0.1' }), ['31']);
    assert.equal(given[0]!.line.identity(), 'sip:hometel@hometel');
  } finally {
    await running.stop();
  }
});
