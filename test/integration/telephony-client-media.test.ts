/**
 * A Telephony Client with real media, over real UPnP on lo: the TelephonyClient:1 device on a DeviceHost with the
 * MediaManagement service over RtpMediaSessions (a 1 kHz tone as its source, WAV and rtpdump recordings in a
 * temporary directory, receive-only H.264), driven by a hometel ControlPoint as a TelCP would. The TS leg is
 * played by the test's own RtpEndpoints: sound both ways with PCMU and PCMA, receive-only video recorded raw,
 * a codec switch by ModifyMediaSession, ports released by StopMediaSession, and the MediaSessionInfo events.
 */
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { createSocket, type Socket } from 'node:dgram';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { systemClock } from '../../src/base/clock.js';
import { audibleMs, dominantFrequency } from '../../src/media/audio/analysis.js';
import { PcmCollector } from '../../src/media/audio/pcm-collector.js';
import { ToneSource } from '../../src/media/audio/sources.js';
import { WavFileSource } from '../../src/media/audio/wav-file-source.js';
import type { Codec } from '../../src/media/codecs/codec.js';
import { pcma, pcmu } from '../../src/media/codecs/g711.js';
import { PortPool } from '../../src/media/endpoint/port-pool.js';
import { RtpEndpoint } from '../../src/media/endpoint/rtp-endpoint.js';
import { serializeRtp } from '../../src/media/rtp/packet.js';
import { defaultTcVideoCodecs, RtpMediaSessions, tcRecordingName } from '../../src/media/bridge/index.js';
import { parseRtpdump } from '../../src/media/tc/rtpdump.js';
import { MediaManagementService } from '../../src/telephony/client/media-management-service.js';
import { telephonyClientDevice, telephonyClientType } from '../../src/telephony/client/telephony-client-device.js';
import {
  buildMmsMediaCapabilityInfo,
  mediaManagementServiceType,
  parseMediaSessionInfo,
  parseMmsMediaCapabilityInfo,
  type MediaSessionInfo,
} from '../../src/telephony/contracts/media-management/index.js';
import { ControlPoint, DeviceHost, findService, type RemoteService, type UpnpValue } from '../../src/upnp/index.js';
import { lo, testLogger, waitFor } from '../support/net.js';

const host = lo.address;
const toneMs = 2000;
const recordDir = await mkdtemp(join(tmpdir(), 'hometel-tc-media-'));
const tcPorts = new PortPool({ min: 25000, max: 25099 });
const tsPorts = new PortPool({ min: 25100, max: 25199 });

const media = new RtpMediaSessions({
  address: host,
  ports: tcPorts,
  clock: systemClock,
  logger: testLogger('tc-media'),
  source: { tone: 1000 },
  recordDir,
  video: defaultTcVideoCodecs,
});
const service = new MediaManagementService({ port: media, clock: systemClock, logger: testLogger('tc') });
const udn = `uuid:${randomUUID()}`;
const device = new DeviceHost({
  root: telephonyClientDevice({ udn, friendlyName: 'hometel media TC', mediaManagement: service }),
  interfaces: [lo],
  bootId: 1,
  logger: testLogger('tc-device'),
});
await device.start();
const cp = new ControlPoint({ interfaces: [lo], logger: testLogger('telcp'), searchTarget: telephonyClientType, mx: 1 });
await cp.start();
const mm: RemoteService = findService(await cp.waitForDevice((d) => d.udn === udn), (s) => s.serviceType === mediaManagementServiceType)!;
const events: MediaSessionInfo[] = [];
const subscription = await cp.subscribe(mm);
subscription.on('event', (vars: Map<string, UpnpValue>) => {
  const v = vars.get('MediaSessionInfo');
  if (typeof v !== 'string' || v === '') return;
  const parsed = parseMediaSessionInfo(v);
  assert.ok(parsed.ok, parsed.ok ? '' : parsed.reason);
  events.push(parsed.value);
});

after(async () => {
  await cp.stop();
  await device.stop();
  await service.close();
  await media.closeAll();
  await rm(recordDir, { recursive: true, force: true });
  assert.equal(tcPorts.inUse, 0, `TC ports still in use: ${tcPorts.inUsePorts().join(', ')}`);
  assert.equal(tsPorts.inUse, 0, `TS ports still in use: ${tsPorts.inUsePorts().join(', ')}`);
});

// ------------------------------------------------------------------------------------------------

function sdp(m: string): string {
  return `v=0\r\no=- 1 1 IN IP4 ${host}\r\ns=TS leg\r\nc=IN IP4 ${host}\r\nt=0 0\r\n${m}`;
}
const audioLine = (port: number, pts: string): string =>
  `m=audio ${port} RTP/AVP ${pts}\r\na=rtpmap:0 PCMU/8000\r\na=rtpmap:8 PCMA/8000\r\na=rtpmap:101 telephone-event/8000\r\na=fmtp:101 0-15\r\na=ptime:20\r\n`;
const videoLine = (port: number): string => `m=video ${port} RTP/AVP 97\r\na=rtpmap:97 H264/90000\r\n`;
const info = (s: string): string => buildMmsMediaCapabilityInfo({ mediaCapability: { format: 'SDP', content: s } });

function capabilityOf(value: UpnpValue | undefined): string {
  const r = parseMmsMediaCapabilityInfo(String(value));
  assert.ok(r.ok && r.value.mediaCapability, 'a <mediaCapability>');
  return r.value.mediaCapability.content;
}
const mLine = (answer: string, type: string): string | undefined => new RegExp(`^m=${type} .*$`, 'm').exec(answer)?.[0]?.trim();
const portOf = (answer: string, type: string): number => Number(mLine(answer, type)!.split(' ')[1]);
const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

async function nextEvent(id: string, status: 'Started' | 'Stopped'): Promise<MediaSessionInfo> {
  let found: MediaSessionInfo | undefined;
  await waitFor(() => (found = events.find((e) => e.mediaSessionID === id && e.mediaSessionStatus === status)) !== undefined, `${status} event for ${id}`);
  return found!;
}

/** The TS leg: an endpoint that plays 440 Hz for `toneMs` once it knows where the TC is, and collects what it hears. */
async function tsLeg(codec: Codec): Promise<{ ep: RtpEndpoint; heard: PcmCollector; played: Promise<void> }> {
  const heard = new PcmCollector();
  const ep = await RtpEndpoint.open({
    address: host,
    ports: tsPorts,
    clock: systemClock,
    logger: testLogger('ts-leg'),
    codec,
    sink: heard,
    source: new ToneSource(440, 8000, { durationMs: toneMs }),
  });
  const played = new Promise<void>((resolve) => (ep.onSourceEnd = resolve));
  return { ep, heard, played };
}

/** Dominant 440 ± 5 Hz overall and in at least 80% of the tone's 200 ms windows; at least 80% of it audible. */
function assertTone(samples: Int16Array, hz: number, what: string): void {
  const f = dominantFrequency(samples, 8000);
  assert.ok(f !== undefined && Math.abs(f - hz) <= 5, `${what}: dominant frequency ${f} Hz, expected ${hz} ± 5`);
  const heard = audibleMs(samples, 8000);
  assert.ok(heard >= 0.8 * toneMs, `${what}: ${heard} ms of sound, expected at least ${0.8 * toneMs}`);
  const window = 1600;
  let matching = 0;
  for (let at = 0; at + window <= samples.length; at += window) {
    const w = dominantFrequency(samples.subarray(at, at + window), 8000);
    if (w !== undefined && Math.abs(w - hz) <= 5) matching++;
  }
  const expected = toneMs / 200;
  assert.ok(matching >= 0.8 * expected, `${what}: ${matching} windows of 200 ms at ${hz} Hz, expected at least ${0.8 * expected}`);
}

async function recording(id: string): Promise<Int16Array> {
  return new WavFileSource(join(recordDir, tcRecordingName(id, 'audio'))).samples;
}

/** A whole call's media with one codec: StartMediaSession, tones both ways for 2 s, StopMediaSession. */
async function soundBothWays(codec: Codec, pts: string): Promise<void> {
  const ts = await tsLeg(codec);
  const started = await mm.invoke('StartMediaSession', { TSMediaCapabilityInfo: info(sdp(audioLine(ts.ep.localPort, pts))) });
  const id = String(started.MediaSessionID);
  const answer = capabilityOf(started.TCMediaCapabilityInfo);
  const port = portOf(answer, 'audio');
  assert.equal(mLine(answer, 'audio'), `m=audio ${port} RTP/AVP ${pts}`);
  assert.match(answer, new RegExp(`^c=IN IP4 ${host.replace(/\./g, '\\.')}\r$`, 'm'));
  assert.deepEqual(tcPorts.inUsePorts(), [port]);
  assert.equal((await nextEvent(id, 'Started')).mediaCapability?.content, answer);
  try {
    ts.ep.setRemote({ address: host, port });
    await ts.played;
    await sleep(200);
  } finally {
    await mm.invoke('StopMediaSession', { TargetMediaSessionID: id });
    await ts.ep.close();
  }
  await nextEvent(id, 'Stopped');
  assert.equal(tcPorts.inUse, 0, 'StopMediaSession released the TC’s ports');
  assert.deepEqual(ts.ep.latchedRemote, { address: host, port }, 'the TC sends from the port it answered (symmetric RTP)');
  assertTone(await recording(id), 440, `${codec.encodingName}: the TC’s recording`);
  assertTone(ts.heard.samples(), 1000, `${codec.encodingName}: the TS leg hears the TC`);
}

// ------------------------------------------------------------------------------------------------

test('PCMU: the TS leg’s 440 Hz is in the TC’s WAV recording (± 5 Hz, ≥ 80%), the TC’s 1 kHz reaches the TS leg', async () => {
  await soundBothWays(pcmu, '0 8 101');
});

test('PCMA: the same with A-law only', async () => {
  await soundBothWays(pcma, '8 101');
});

test('video: answered receive-only on its own port, its RTP recorded raw into an rtpdump file', async () => {
  const sender: Socket = createSocket('udp4');
  await new Promise<void>((resolve) => sender.bind(0, host, resolve));
  const got: Buffer[] = [];
  sender.on('message', (d: Buffer) => got.push(d));
  const vport = sender.address().port;
  const ts = sdp(audioLine(vport + 10, '0') + videoLine(vport));
  const started = await mm.invoke('StartMediaSession', { TSMediaCapabilityInfo: info(ts) });
  const id = String(started.MediaSessionID);
  const answer = capabilityOf(started.TCMediaCapabilityInfo);
  const tcVideo = portOf(answer, 'video');
  assert.equal(mLine(answer, 'video'), `m=video ${tcVideo} RTP/AVP 97`);
  assert.match(answer, /m=video[^]*a=rtpmap:97 H264\/90000\r\na=recvonly\r\n$/);
  assert.notEqual(tcVideo, portOf(answer, 'audio'));
  const sent: Uint8Array[] = [];
  try {
    for (let i = 0; i < 50; i++) {
      const p = serializeRtp({ payloadType: 97, sequenceNumber: 1000 + i, timestamp: i * 3000, ssrc: 0xbeef, marker: i % 5 === 4, payload: new Uint8Array(1000 + i).fill(i) });
      sent.push(p);
      sender.send(p, tcVideo, host);
      if (i % 10 === 9) await sleep(5);
    }
    await waitFor(() => media.session(id)?.video?.receiver.stats().packetsReceived === 50, '50 video packets at the TC');
  } finally {
    await mm.invoke('StopMediaSession', { TargetMediaSessionID: id });
    await new Promise<void>((resolve) => sender.close(() => resolve()));
  }
  await nextEvent(id, 'Stopped');
  assert.equal(got.length, 0, 'the TC sends nothing on a receive-only video stream');
  const dump = parseRtpdump(await readFile(join(recordDir, tcRecordingName(id, 'video'))));
  assert.ok(dump.ok, dump.ok ? '' : dump.reason);
  assert.equal(dump.value.port, tcVideo);
  assert.deepEqual(dump.value.packets.map((p) => Buffer.from(p.data).toString('hex')), sent.map((p) => Buffer.from(p).toString('hex')));
  assert.equal(tcPorts.inUse, 0);
});

test('ModifyMediaSession switches PCMU to PCMA on the same port and stream; both sides keep hearing each other', async () => {
  const ts = await tsLeg(pcmu);
  const started = await mm.invoke('StartMediaSession', { TSMediaCapabilityInfo: info(sdp(audioLine(ts.ep.localPort, '0 101'))) });
  const id = String(started.MediaSessionID);
  const port = portOf(capabilityOf(started.TCMediaCapabilityInfo), 'audio');
  await nextEvent(id, 'Started');
  try {
    ts.ep.setRemote({ address: host, port });
    await waitFor(() => ts.heard.durationMs >= 400 && (media.session(id)?.audio?.endpoint.stats().packetsReceived ?? 0) >= 20, 'PCMU both ways');
    const ssrc = media.session(id)!.audio!.endpoint.ssrc;
    const before = events.length;
    const modified = await mm.invoke('ModifyMediaSession', { TargetMediaSessionID: id, NewMediaCapabilityInfo: info(sdp(audioLine(ts.ep.localPort, '8 101'))) });
    const answer = capabilityOf(modified.TCMediaCapabilityInfo);
    assert.equal(mLine(answer, 'audio'), `m=audio ${port} RTP/AVP 8 101`, 'same port, A-law');
    assert.match(answer, /^o=- \d+ 1 IN IP4/m, 'a new version of the TC’s session description');
    await waitFor(() => events.length > before, 'the modify is evented');
    assert.equal(events.at(-1)!.mediaCapability?.content, answer);
    // The TS leg switches too; from now on it accepts A-law only, so anything it still hears came as PCMA.
    ts.ep.setCodec(pcma);
    const heardAt = ts.heard.durationMs;
    const malformedAt = ts.ep.stats().malformed;
    await ts.played;
    await sleep(200);
    assert.equal(media.session(id)!.audio!.endpoint.ssrc, ssrc, 'the same RTP stream');
    assert.equal(media.session(id)!.audio!.codec.encodingName, 'PCMA');
    assert.ok(ts.heard.durationMs - heardAt >= 1000, `${ts.heard.durationMs - heardAt} ms heard after the switch`);
    assert.ok(ts.ep.stats().malformed - malformedAt <= 3, 'the TC stopped sending PCMU');
  } finally {
    await mm.invoke('StopMediaSession', { TargetMediaSessionID: id });
    await ts.ep.close();
  }
  await nextEvent(id, 'Stopped');
  assertTone(await recording(id), 440, 'the TC’s recording across the switch');
  assertTone(ts.heard.samples(), 1000, 'the TS leg across the switch');
  assert.equal(tcPorts.inUse, 0);
});

test('StopMediaSession releases the ports (they can be bound again); a BYE from the TS leg stops a session by itself', async () => {
  const ts = await tsLeg(pcmu);
  const started = await mm.invoke('StartMediaSession', { TSMediaCapabilityInfo: info(sdp(audioLine(ts.ep.localPort, '0') + videoLine(ts.ep.localPort + 20))) });
  const id = String(started.MediaSessionID);
  const answer = capabilityOf(started.TCMediaCapabilityInfo);
  const used = [portOf(answer, 'audio'), portOf(answer, 'video')];
  assert.deepEqual(tcPorts.inUsePorts(), [...used].sort((a, b) => a - b));
  await mm.invoke('StopMediaSession', { TargetMediaSessionID: id });
  await nextEvent(id, 'Stopped');
  assert.equal(tcPorts.inUse, 0);
  for (const p of used.flatMap((p) => [p, p + 1])) {
    const s = createSocket('udp4');
    await new Promise<void>((resolve, reject) => {
      s.once('error', reject);
      s.bind(p, host, () => resolve());
    });
    await new Promise<void>((resolve) => s.close(() => resolve()));
  }

  const again = await mm.invoke('StartMediaSession', { TSMediaCapabilityInfo: info(sdp(audioLine(ts.ep.localPort, '0'))) });
  const id2 = String(again.MediaSessionID);
  ts.ep.setRemote({ address: host, port: portOf(capabilityOf(again.TCMediaCapabilityInfo), 'audio') });
  await waitFor(() => (media.session(id2)?.audio?.endpoint.stats().packetsReceived ?? 0) >= 10, 'audio at the TC');
  await ts.ep.close(); // RTCP BYE
  const stopped = await nextEvent(id2, 'Stopped');
  assert.equal(stopped.mediaSessionStatus, 'Stopped');
  assert.equal(tcPorts.inUse, 0);
  assert.deepEqual(media.openSessions(), []);
});
