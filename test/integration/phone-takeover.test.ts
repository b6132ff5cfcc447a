/**
 * Issue 14 "Calls": a screen can still take over a Call a phone answered, over real sockets. A Telephony Server with its
 * RTP relay on a SIP line (UDP, 127.0.0.1) rings the phones through the phones' line as `hometel start` wires it
 * (app/phone-ringing.ts); extension 21 is a SIPp UAS (its tone 1 kHz) and answers the outside caller (SIPp, 440 Hz).
 * Then a TelCP's StartMediaTransfer gives the Call to a TC (an RTP endpoint of the test, its tone 600 Hz): the phone
 * gets BYE (its SIPp scenario fails without one), the caller hears the TC instead of the phone and the TC hears the
 * caller, judged by frequency; the Call stays Talking, answered by the TC.
 *
 * RTP ports 23000–24199 (relay and the TC); SIP and the SIPp media ports from freeLoopbackPort().
 */
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ringPhonesWithScreens } from '../../src/app/phone-ringing.js';
import { createTelephonyServer } from '../../src/app/telephony-server.js';
import { systemClock } from '../../src/base/clock.js';
import { PcmCollector } from '../../src/media/audio/pcm-collector.js';
import { ToneSource } from '../../src/media/audio/sources.js';
import type { Binding, PhoneDirectory } from '../../src/phones/index.js';
import { SipLine } from '../../src/sip/bridge/index.js';
import { PhoneSide } from '../../src/sip/pbx/index.js';
import { Store } from '../../src/store/index.js';
import { buildMediaCapabilityInfo, buildTCList, parseCallInfoList } from '../../src/telephony/contracts/index.js';
import { defaultMediaProfile } from '../../src/telephony/index.js';
import type { ActionArgs } from '../../src/upnp/index.js';
import { testLogger, waitFor } from '../support/net.js';
import { captureUdpTo } from '../support/pcap.js';
import { assertTone, host, openPeer, portOf, relayRig, sdpOf, sleep } from '../support/relay.js';
import { expectSippSuccess, freeLoopbackPort, runSipp, SIPP_SCENARIO_DIR, startSippUas } from '../support/sipp.js';
import { IncomingCalls } from '../support/incoming-calls.js';
import { audioOf, frequencies, toneUlaw } from '../support/tones.js';

const uacMedia = join(SIPP_SCENARIO_DIR, 'uac-media.xml') as `${string}.xml`;
const realm = 'home.arpa';

const { plane, peers, close: closeRelay } = relayRig(23000);
const dataDir = mkdtempSync(join(tmpdir(), 'hometel-phone-takeover-'));
const store = Store.open(dataDir);
const media = defaultMediaProfile(host);
const sipPort = await freeLoopbackPort();
const sip = new SipLine({ mode: 'direct', user: 'home', host, port: sipPort, transports: ['udp'], localSdp: () => media.native, clock: systemClock, logger: testLogger('ts-sip') });
const parts = createTelephonyServer({ lineName: 'home', friendlyName: 'home line', store, line: sip, media, mediaPlane: plane, clock: systemClock, logger: testLogger('ts') });
await sip.start();
const side = new PhoneSide({ host, port: 0, transports: ['udp'], realm, clock: systemClock, logger: testLogger('phones') });
await side.start();
const phonePort = await freeLoopbackPort();
const phone: Binding = { extension: '21', contact: `sip:21@${host}:${phonePort}`, expiresAt: Date.now() + 3_600_000, callId: 'reg-21', cseq: 1, source: { transport: 'udp', address: host, port: phonePort }, registeredAt: Date.now() };
const directory: PhoneDirectory = {
  extension: (n) => (n === '21' ? { number: '21', registrations: 1 } : undefined),
  extensions: () => [{ number: '21', registrations: 1 }],
  bindings: (n) => (n === '21' ? [phone] : []),
  credentials: () => undefined,
  onChange: () => () => {},
};
ringPhonesWithScreens({ side, directory, servers: [parts], logger: testLogger('phone-ringing') });
// The TelCP's actions, as the UPnP service hands them to the TS (phone-ringing.test.ts runs them over UPnP).
const cm = parts.service.attach({ get: () => '', set: (_: ActionArgs) => {} }) as unknown as Record<string, (a: Record<string, string>) => Record<string, unknown>>;
const telcp = { TelCPName: 'Kitchen', SecretKey: String(cm.RegisterTelCPName!({ TelCPName: 'Kitchen', CurrentSecretKey: '' }).NewSecretKey) };
const incoming = new IncomingCalls(parts.service);

after(async () => {
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

test('issue 14: a TelCP\'s StartMediaTransfer takes a phone-answered Call over — the phone gets BYE, the caller talks with the TC both ways', async () => {
  const phoneMedia = await freeLoopbackPort(4);
  const callerMedia = await freeLoopbackPort(4);
  const toCaller = await captureUdpTo(callerMedia);
  const desk = await startSippUas({ scenario: 'uas-media', localPort: phonePort, transport: 'u1', calls: 1, service: '21', mediaPort: phoneMedia, files: { 'tone.ulaw': toneUlaw(1000) }, timeoutMs: 60_000 });
  incoming.onIncoming = () => {};
  const caller = await runSipp({
    scenario: uacMedia,
    remote: `${host}:${sipPort}`,
    localPort: await freeLoopbackPort(),
    transport: 'u1',
    service: 'home',
    mediaPort: callerMedia,
    files: { 'tone.ulaw': toneUlaw(440) },
    vars: { holdms: '7000' },
    timeoutMs: 60_000,
  });
  const atTc = new PcmCollector();
  const tc = await openPeer(peers, { sink: atTc, source: new ToneSource(600, 8000) });
  let callerDatagrams;
  try {
    await waitFor(() => incoming.calls.length > 0 && incoming.last.status === 'Talking', 'the phone answered the caller', 15_000);
    const call = incoming.last;
    assert.equal(call.answeredBy, 'ext:21');
    await sleep(2000);
    // The TC sends to the TS's home side, as CallInfo shows it.
    const info = parseCallInfoList(String(cm.GetCallInfo!({ ...telcp, TargetCallID: call.callID }).CallInfoList));
    assert.ok(info.ok, 'GetCallInfo answers');
    tc.setRemote({ address: host, port: portOf(info.value[0]!.mediaCapability!.content) });
    cm.StartMediaTransfer!({
      ...telcp,
      TargetCallID: call.callID,
      TCList: buildTCList([{ udn: 'uuid:tc-kitchen', mediaSessionID: 'ms-kitchen' }]),
      MediaCapabilityInfo: buildMediaCapabilityInfo({ mediaCapability: { format: 'SDP', content: sdpOf(tc) } }),
    });
    expectSippSuccess(await desk.done, 'the phone: hometel\'s BYE once the screen took the Call');
    assert.equal(call.status, 'Talking');
    assert.equal(call.answeredBy, 'uuid:tc-kitchen');
    await sleep(300);
    atTc.clear();
    expectSippSuccess(await caller.done, 'the caller (its BYE after 7 s)');
    await waitFor(() => call.status === 'Disconnected', 'the caller\'s BYE ended the Call');
  } finally {
    await caller.done.catch(() => undefined);
    await desk.done.catch(() => undefined);
    await tc.close();
    await sleep(200);
    callerDatagrams = await toCaller.stop();
  }
  const heardByTc = atTc.samples();
  assert.ok(heardByTc.length >= 8000 * 2, `the TC got ${heardByTc.length / 8} ms of audio`);
  assertTone(heardByTc, 440, heardByTc.length / 8, 'the TC hears the caller');
  // The caller heard the phone (1 kHz), then the TC (600 Hz) to the end.
  const heard = frequencies(audioOf(callerDatagrams).samples, 250);
  const first600 = heard.findIndex((f) => Math.abs(f - 600) <= 10);
  assert.ok(heard.slice(0, Math.max(first600, 0)).filter((f) => Math.abs(f - 1000) <= 10).length >= 4, `the phone first: ${heard.join(', ')}`);
  const tcPart = heard.slice(first600, -2);
  assert.ok(first600 > 0 && tcPart.length >= 8 && tcPart.every((f) => Math.abs(f - 600) <= 10), `then the TC alone: ${heard.join(', ')}`);
});
