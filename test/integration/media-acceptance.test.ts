/**
 * Sound end to end, as a user's home has it (issue 5's acceptance): `hometel start` in a process of its own with a
 * SIP line, its own Telephony Clients (each a TelephonyClient:1 device with a tone source and WAV recordings) and
 * TS-native media; SIPp as the Remote Party, answering and playing a 440 Hz tone over RTP (test/peers/sipp/uas-media.xml);
 * this test as the TelCP over real UPnP on lo (MediaManagement on the TCs, CallManagement on the TS, C.12 order).
 * What SIPp receives is captured on lo by tcpdump (SIPp 3.6.1 does not record).
 *
 * 1. Sound both ways (2.3.4.1, C.12): the TC's recording is 440 Hz, SIPp receives the TC's 1 kHz.
 * 2. Mixing (2.3.1 architecture 1): two TCs, TC1 plays 600 Hz; TC2 hears 440 + 600, TC1 hears 440 and never itself;
 *    ModifyCall with enableMediaMixing=0 stops TC2 hearing TC1.
 * 3. Switching (C.27): a change of TC keeps SIPp's stream continuous (one SSRC, no sequence gap, no pause > 100 ms).
 * 4. TS-based media (2.3.4.2): the TS itself records SIPp's 440 Hz and plays its own tone.
 * 5. Abuse: an intruder's RTP at the TS's ports after SIPp and the TC latched is never heard, and 100,000 garbage
 *    datagrams at them leave the running call's sound intact both ways.
 */
import { test, before, after, afterEach } from 'node:test';
import assert from 'node:assert/strict';
import { createSocket } from 'node:dgram';
import { readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { audibleMs, dominantFrequency } from '../../src/media/audio/analysis.js';
import { ToneSource } from '../../src/media/audio/sources.js';
import { WavFileSource } from '../../src/media/audio/wav-file-source.js';
import { pcmu } from '../../src/media/codecs/g711.js';
import { serializeRtp } from '../../src/media/rtp/packet.js';
import { tcRecordingName } from '../../src/media/bridge/index.js';
import {
  buildMediaCapabilityInfo,
  buildTCList,
  parseSupportedMediaCapabilityInfo,
} from '../../src/telephony/contracts/call-management/cams-xml.js';
import type { MediaCapabilityInfo } from '../../src/telephony/contracts/call-management/cams-types.js';
import { buildMmsMediaCapabilityInfo, mediaManagementServiceType, parseMmsMediaCapabilityInfo } from '../../src/telephony/contracts/media-management/index.js';
import { allDevices, ControlPoint, findService, type RemoteDevice, type RemoteService } from '../../src/upnp/index.js';
import { startConfiguredHometel, type ConfiguredHometel } from '../support/hometel-process.js';
import { lo, testLogger, waitFor } from '../support/net.js';
import { assertTone, share, sleep } from '../support/relay.js';
import { expectSippSuccess, freeLoopbackPort } from '../support/sipp.js';
import { answeringParty, decodePcmu, type RemoteParty } from '../support/remote-party.js';
import { callManagementType, CallInfoEvents } from '../support/telephony-server.js';

const host = lo.address;
const nonMono = { TelCPName: '', SecretKey: '' };
/** The TCs hometel runs in this test: what each plays. */
const clients = { tv: 1000, kitchen: 600, pc: 'silence' } as const;
type ClientName = keyof typeof clients;
/** What the TS plays itself when a TelCP chooses its native media. */
const nativeToneHz = 800;

let dir: string;
let hometel: ConfiguredHometel;
let cp: ControlPoint;
let cm: RemoteService;
let events: CallInfoEvents;
const tcs = new Map<ClientName, { udn: string; mm: RemoteService }>();

before(async () => {
  const sipPort = await freeLoopbackPort();
  hometel = await startConfiguredHometel('hometel-media-acceptance-', (d) => ({
    name: 'hometel media acceptance',
    interfaces: ['lo'],
    dataDir: join(d, 'data'),
    logLevel: 'info',
    lines: [{ name: 'home', sip: { mode: 'direct', user: 'home', host, port: sipPort, transports: ['udp'] } }],
    clients: Object.entries(clients).map(([name, tone], i) => ({
      name,
      source: tone === 'silence' ? 'silence' : { tone },
      recordDir: join(d, name),
      rtpPorts: { min: 47100 + 100 * i, max: 47199 + 100 * i },
    })),
    media: { rtpPortMin: 47000, rtpPortMax: 47099, native: { source: { tone: nativeToneHz }, recordDir: join(d, 'ts') } },
  }));
  dir = hometel.dir;
  cp = new ControlPoint({ interfaces: [lo], logger: testLogger('telcp'), searchTarget: hometel.udn, mx: 1 });
  await cp.start();
  const root = await cp.waitForDevice((d) => d.udn === hometel.udn);
  cm = findService(root, (s) => s.serviceType === callManagementType)!;
  assert.ok(cm, 'hometel has a Telephony Server');
  for (const name of Object.keys(clients) as ClientName[]) {
    const device = allDevices(root).find((d: RemoteDevice) => d.info.friendlyName === `${name} client`);
    assert.ok(device, `hometel runs the TC ${name}`);
    tcs.set(name, { udn: device.udn, mm: device.services.find((s) => s.serviceType === mediaManagementServiceType)! });
  }
  events = new CallInfoEvents(await cp.subscribe(cm));
});

/** Every test's Remote Party, stopped (SIPp and its capture) even when the test failed half-way. */
const parties: RemoteParty[] = [];
afterEach(async () => {
  for (const p of parties.splice(0)) await p.stop();
});

after(async () => {
  await cp?.stop();
  const log = await hometel?.stop();
  if (log !== undefined) assert.match(log, /stopping signal=SIGTERM/);
});

// ------------------------------------------------------------------------------------------------ the Remote Party

/** A Remote Party answering with 440 Hz; stopped (SIPp and its capture) after the test even when it failed half-way. */
async function remoteParty(): Promise<RemoteParty> {
  const party = await answeringParty(440);
  parties.push(party);
  return party;
}

const decode = decodePcmu;

// ------------------------------------------------------------------------------------------------ the TelCP

const camsInfo = (info: MediaCapabilityInfo): string => buildMediaCapabilityInfo(info);
const sdpOfMms = (xml: unknown): string => {
  const r = parseMmsMediaCapabilityInfo(String(xml));
  assert.ok(r.ok && r.value.mediaCapability, `a TC's <mediaCapability>: ${String(xml)}`);
  return r.value.mediaCapability.content;
};

/** C.12 F1–F6: the TC's capabilities, then StartCall with them; resolves with the CallID and the TS's home SDP at Connected. */
async function placeCall(tc: ClientName, callee: string): Promise<{ id: string; home: string }> {
  const supported = await tcs.get(tc)!.mm.invoke('GetMediaCapabilities', { TSMediaCapabilityInfo: '' });
  const { CallID } = await cm.invoke('StartCall', {
    ...nonMono,
    CalleeID: callee,
    CallPriority: 'Normal',
    MediaCapabilityInfo: camsInfo({ mediaCapability: { format: 'SDP', content: sdpOfMms(supported.SupportedMediaCapabilityInfo) } }),
    CallMode: 'Non-Monopolize',
  });
  const id = String(CallID);
  const connected = await events.waitFor(id, 'Connected', 10_000);
  assert.ok(connected.mediaCapability, 'Connected carries the TS’s home SDP');
  return { id, home: connected.mediaCapability.content };
}

/** C.12 F21/F22: a Media Session on the TC towards the TS's home SDP; its ID and the TC's own SDP. */
async function startSession(tc: ClientName, home: string): Promise<{ tc: ClientName; id: string; sdp: string }> {
  const r = await tcs.get(tc)!.mm.invoke('StartMediaSession', { TSMediaCapabilityInfo: buildMmsMediaCapabilityInfo({ mediaCapability: { format: 'SDP', content: home } }) });
  return { tc, id: String(r.MediaSessionID), sdp: sdpOfMms(r.TCMediaCapabilityInfo) };
}

/** C.12 F29: the TS relays between the Remote Party and these Media Sessions. */
async function transfer(callID: string, sessions: ReadonlyArray<{ tc: ClientName; id: string; sdp: string }>, extra: Partial<MediaCapabilityInfo> = {}): Promise<void> {
  await cm.invoke('StartMediaTransfer', {
    ...nonMono,
    TargetCallID: callID,
    TCList: buildTCList(sessions.map((s) => ({ udn: tcs.get(s.tc)!.udn, mediaSessionID: s.id }))),
    MediaCapabilityInfo: camsInfo({ mediaCapability: { format: 'SDP', content: sessions[0]!.sdp }, ...extra }),
  });
}

async function stopSession(s: { tc: ClientName; id: string }): Promise<Int16Array> {
  await tcs.get(s.tc)!.mm.invoke('StopMediaSession', { TargetMediaSessionID: s.id });
  return new WavFileSource(join(dir, s.tc, tcRecordingName(s.id, 'audio'))).samples;
}

async function hangUp(callID: string, remote: RemoteParty): Promise<void> {
  await cm.invoke('StopCall', { ...nonMono, CallID: callID });
  await events.waitFor(callID, 'Disconnected');
  expectSippSuccess(await remote.sipp.done, 'SIPp, the Remote Party');
}

/** The part of a recording between `fromEndMs` and `toEndMs` before its end (a recording ends when its session stops). */
function beforeEnd(samples: Int16Array, fromEndMs: number, toEndMs: number): Int16Array {
  return samples.subarray(Math.max(0, samples.length - fromEndMs * 8), samples.length - toEndMs * 8);
}

// ------------------------------------------------------------------------------------------------ acceptance

test('1. sound both ways: SIPp’s 440 Hz is in the TC’s recording (± 5 Hz, ≥ 80%), the TC’s 1 kHz reaches SIPp', async (t) => {
  const remote = await remoteParty();
  const { id, home } = await placeCall('tv', remote.uri);
  const session = await startSession('tv', home);
  await transfer(id, [session]);
  await events.waitFor(id, 'Talking');
  const talkingAt = Date.now();
  await sleep(2500);
  const recording = await stopSession(session);
  const talkedMs = Date.now() - talkingAt;
  await hangUp(id, remote);
  assertTone(recording, 440, talkedMs, 'the TC hears SIPp');
  const atSipp = decode(await remote.received());
  assertTone(atSipp, 1000, talkedMs, 'SIPp receives the TC');
  t.diagnostic(`Talking ${talkedMs} ms; at the TC ${dominantFrequency(recording, 8000)?.toFixed(1)} Hz, ${audibleMs(recording, 8000)} ms audible; at SIPp ${dominantFrequency(atSipp, 8000)?.toFixed(1)} Hz, ${audibleMs(atSipp, 8000)} ms audible`);
});

test('2. mixing: TC1 (600 Hz) and TC2 — TC2 hears 440 and 600, TC1 only 440; mixing off stops TC2 hearing TC1', async () => {
  const remote = await remoteParty();
  const { id, home } = await placeCall('kitchen', remote.uri);
  const tc1 = await startSession('kitchen', home);
  await transfer(id, [tc1]);
  await events.waitFor(id, 'Talking');
  const tc2 = await startSession('pc', home);
  await transfer(id, [tc2], { enableMediaMixing: true });
  const mixingFrom = Date.now();
  await sleep(2000);
  const offAt = Date.now();
  await cm.invoke('ModifyCall', { ...nonMono, TargetCallID: id, MediaCapabilityInfo: camsInfo({ mediaCapability: { format: 'SDP', content: tc1.sdp }, enableMediaMixing: false }) });
  await events.waitFor(id, 'Modified', 5_000);
  await sleep(2000);
  const heard1 = await stopSession(tc1);
  const heard2 = await stopSession(tc2);
  const endAt = Date.now();
  await hangUp(id, remote);
  // Windows counted back from each recording's end, with 300 ms margins around the switch.
  const on2 = beforeEnd(heard2, endAt - mixingFrom - 300, endAt - offAt + 300);
  const off2 = beforeEnd(heard2, endAt - offAt - 500, 300);
  const on1 = beforeEnd(heard1, endAt - mixingFrom - 300, endAt - offAt + 300);
  assert.ok(on2.length >= 8 * 1000 && off2.length >= 8 * 1000, `TC2 recorded both phases: ${on2.length}, ${off2.length} samples`);
  assert.ok(share(on2, 440) > 0.2 && share(on2, 600) > 0.2, `with mixing TC2 hears SIPp and TC1: 440 ${share(on2, 440).toFixed(3)}, 600 ${share(on2, 600).toFixed(3)}`);
  assert.ok(share(on1, 440) > 0.9 && share(on1, 600) < 0.001, `TC1 hears SIPp, never itself: 440 ${share(on1, 440).toFixed(3)}, 600 ${share(on1, 600).toFixed(4)}`);
  assert.ok(share(off2, 440) > 0.9 && share(off2, 600) < 0.001, `without mixing TC2 hears SIPp only: 440 ${share(off2, 440).toFixed(3)}, 600 ${share(off2, 600).toFixed(4)}`);
});

test('3. switching (C.27): SIPp’s stream stays continuous across a change of TC — one SSRC, no sequence gap, no pause over 100 ms', async (t) => {
  const remote = await remoteParty();
  const { id, home } = await placeCall('tv', remote.uri);
  const first = await startSession('tv', home);
  await transfer(id, [first]);
  await events.waitFor(id, 'Talking');
  await sleep(1500);
  // C.27: a Media Session on the new TC, ModifyCall with its SDP, StartMediaTransfer to it, the old session stopped.
  const second = await startSession('kitchen', home);
  await cm.invoke('ModifyCall', { ...nonMono, TargetCallID: id, MediaCapabilityInfo: camsInfo({ mediaCapability: { format: 'SDP', content: second.sdp } }) });
  await events.waitFor(id, 'Modified', 5_000);
  await transfer(id, [second]);
  await waitFor(() => events.statuses(id).filter((s) => s === 'Talking').length === 2, 'Talking again');
  await stopSession(first);
  const switchedAt = Date.now();
  await sleep(1500);
  await stopSession(second);
  await hangUp(id, remote);
  const atSipp = await remote.received();
  assert.ok(atSipp.length > 100, `SIPp received ${atSipp.length} RTP packets`);
  assert.equal(new Set(atSipp.map((p) => p.packet.ssrc)).size, 1, 'one SSRC');
  let worstGap = 0;
  for (let i = 1; i < atSipp.length; i++) {
    assert.equal(atSipp[i]!.packet.sequenceNumber, (atSipp[i - 1]!.packet.sequenceNumber + 1) & 0xffff, `sequence continuous at packet ${i}`);
    worstGap = Math.max(worstGap, atSipp[i]!.atMs - atSipp[i - 1]!.atMs);
  }
  assert.ok(worstGap <= 100, `longest pause at SIPp ${worstGap.toFixed(1)} ms`);
  t.diagnostic(`${atSipp.length} packets at SIPp, one SSRC, no sequence gap, longest pause ${worstGap.toFixed(1)} ms`);
  const after = decode(atSipp.filter((p) => p.atMs >= switchedAt + 200));
  const before = decode(atSipp.filter((p) => p.atMs < switchedAt - 1500));
  assert.ok(share(before, 1000) > 0.9, `before the change SIPp hears the first TC: ${share(before, 1000).toFixed(3)}`);
  assert.ok(share(after, 600) > 0.9 && share(after, 1000) < 0.001, `after it the second TC only: 600 ${share(after, 600).toFixed(3)}, 1 kHz ${share(after, 1000).toFixed(4)}`);
});

test('4. TS-based media (2.3.4.2): the TS records SIPp’s 440 Hz itself and plays its own tone to SIPp', async () => {
  const remote = await remoteParty();
  const supported = parseSupportedMediaCapabilityInfo(String((await cm.invoke('GetMediaCapabilities', { TCMediaCapabilityInfo: '' })).SupportedMediaCapabilityInfo));
  assert.ok(supported.ok && supported.value.nativeMediaCapability, 'the TS offers native media');
  const native = supported.value.nativeMediaCapability;
  const before = new Set(await readdir(join(dir, 'ts')).catch(() => []));
  const { CallID } = await cm.invoke('StartCall', { ...nonMono, CalleeID: remote.uri, CallPriority: 'Normal', MediaCapabilityInfo: camsInfo({ nativeMediaCapability: native }), CallMode: 'Non-Monopolize' });
  const id = String(CallID);
  await events.waitFor(id, 'Connected', 10_000);
  await cm.invoke('StartMediaTransfer', { ...nonMono, TargetCallID: id, TCList: '', MediaCapabilityInfo: camsInfo({ nativeMediaCapability: native }) });
  await events.waitFor(id, 'Talking');
  const talkingAt = Date.now();
  await sleep(2500);
  await hangUp(id, remote);
  const talkedMs = Date.now() - talkingAt;
  const recordings = (await readdir(join(dir, 'ts'))).filter((f) => !before.has(f));
  assert.equal(recordings.length, 1, `one recording of the Call at the TS: ${recordings.join(', ')}`);
  assert.match(recordings[0]!, new RegExp(`^home-${id}-`));
  assertTone(new WavFileSource(join(dir, 'ts', recordings[0]!)).samples, 440, talkedMs - 500, 'the TS records SIPp');
  assertTone(decode(await remote.received()), nativeToneHz, talkedMs - 500, 'SIPp hears the TS’s own tone');
});

test('5. abuse: an intruder’s RTP after latching is never heard; 100,000 garbage datagrams leave the call’s sound intact', async (t) => {
  const remote = await remoteParty();
  const { id, home } = await placeCall('tv', remote.uri);
  const session = await startSession('tv', home);
  await transfer(id, [session]);
  await events.waitFor(id, 'Talking');
  let wan: number | undefined;
  for (let tries = 0; wan === undefined && tries < 100; tries++) {
    await sleep(20);
    wan = await remote.firstSourcePort();
  }
  assert.ok(wan !== undefined, 'the TS sends to SIPp');
  const homePort = Number(/^m=audio (\d+)/m.exec(home)![1]);
  const intruder = createSocket('udp4');
  await new Promise<void>((resolve) => intruder.bind(0, host, resolve));
  const talkingAt = Date.now();
  try {
    // A 2 kHz stream at both ports from a source that is neither SIPp nor a TC of the Call, then garbage, paced.
    const tone = new ToneSource(2000, 16000);
    for (let seq = 0; seq < 50; seq++) {
      const packet = serializeRtp({ payloadType: 0, sequenceNumber: seq, timestamp: seq * 160, ssrc: 0x1badcafe, payload: pcmu.encode(tone.nextFrame()!) });
      for (const port of [wan, homePort]) intruder.send(packet, port, host);
      await sleep(20);
    }
    const garbage = Buffer.alloc(172);
    for (let i = 0; i < 100_000; i++) {
      garbage.writeUInt32BE(i, 0);
      garbage[0] = i % 3 === 0 ? 0x80 : i & 0xff; // a third looks like RTP version 2
      intruder.send(garbage, [wan, wan + 1, homePort, homePort + 1][i % 4], host);
      if (i % 100 === 99) await sleep(2);
    }
  } finally {
    intruder.close();
  }
  await sleep(500);
  const recording = await stopSession(session);
  const talkedMs = Date.now() - talkingAt;
  await hangUp(id, remote);
  const atSipp = decode(await remote.received());
  assertTone(recording, 440, talkedMs, 'the TC hears SIPp throughout');
  assertTone(atSipp, 1000, talkedMs, 'SIPp hears the TC throughout');
  assert.ok(share(recording, 2000) < 0.001, `the intruder is not heard at the TC: ${share(recording, 2000).toFixed(4)}`);
  assert.ok(share(atSipp, 2000) < 0.001, `nor at SIPp: ${share(atSipp, 2000).toFixed(4)}`);
  t.diagnostic(`${talkedMs} ms of call under 100,000 garbage datagrams: TC ${audibleMs(recording, 8000)} ms audible, SIPp ${audibleMs(atSipp, 8000)} ms audible`);
});
