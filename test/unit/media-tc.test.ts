/**
 * RtpMediaSessions (src/media/tc/): the Telephony Client's media endpoint over real UDP on 127.0.0.1, driven as the
 * MediaManagement service drives it (offers negotiated with the shared SDP matcher). Capabilities, answers
 * (ports, codecs, directions, origin versions), audio both ways into in-memory sinks, receive-only video recorded
 * raw, modify keeping streams, failures that leave things as they were, sessions that end on their own, DTMF,
 * recordings on disk, and no port left behind.
 */
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { createSocket, type Socket } from 'node:dgram';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { systemClock } from '../../src/base/clock.js';
import { PortPool } from '../../src/media/endpoint/port-pool.js';
import { RtpEndpoint } from '../../src/media/endpoint/rtp-endpoint.js';
import type { DtmfEvent } from '../../src/media/endpoint/dtmf.js';
import { pcma, pcmu } from '../../src/media/codecs/g711.js';
import { ToneSource } from '../../src/media/audio/sources.js';
import { PcmCollector } from '../../src/media/audio/pcm-collector.js';
import { dominantFrequency } from '../../src/media/audio/analysis.js';
import { wavHeader } from '../../src/media/audio/wav.js';
import { WavFileSource } from '../../src/media/audio/wav-file-source.js';
import { parseRtp, serializeRtp } from '../../src/media/rtp/packet.js';
import { serializeRtcp } from '../../src/media/rtp/rtcp.js';
import { defaultTcVideoCodecs, RtpMediaSessions, tcRecordingName, type RtpMediaSessionsOptions } from '../../src/media/bridge/index.js';
import { parseRtpdump } from '../../src/media/tc/rtpdump.js';
import { MediaSessionError, type MediaSessionOffer } from '../../src/telephony/domain/media-session.js';
import { intersectCapabilities, parseSdpMedia } from '../../src/media/sdp/index.js';
import { testLogger, waitFor } from '../support/net.js';

const host = '127.0.0.1';
const logger = testLogger('tc-media');
/** The TS side's ports (the test's own endpoints). */
const tsPorts = new PortPool({ min: 24000, max: 24099 });
let dir = '';
const made: RtpMediaSessions[] = [];
const pools: PortPool[] = [tsPorts];
let nextRange = 24100;

after(async () => {
  for (const m of made) await m.closeAll();
  if (dir) await rm(dir, { recursive: true, force: true });
  for (const p of pools) assert.equal(p.inUse, 0, `ports still in use: ${p.inUsePorts().join(', ')}`);
});

/** A TC endpoint on its own 50-port range (24100–24849 in all). */
function tc(extra: Partial<RtpMediaSessionsOptions> = {}): { tc: RtpMediaSessions; ports: PortPool; ended: Array<[string, string]> } {
  const ports = new PortPool({ min: nextRange, max: nextRange + 49 });
  nextRange += 50;
  pools.push(ports);
  const m = new RtpMediaSessions({ address: host, ports, clock: systemClock, logger, ...extra });
  made.push(m);
  const ended: Array<[string, string]> = [];
  m.setListener({ ended: (id, reason) => ended.push([id, reason]) });
  return { tc: m, ports, ended };
}

function sdp(media: string, address = host): string {
  return `v=0\r\no=- 7 7 IN IP4 ${address}\r\ns=-\r\nc=IN IP4 ${address}\r\nt=0 0\r\n${media}`;
}
const audio = (port: number, pts = '0 8 101', extra = ''): string =>
  `m=audio ${port} RTP/AVP ${pts}\r\na=rtpmap:0 PCMU/8000\r\na=rtpmap:8 PCMA/8000\r\na=rtpmap:101 telephone-event/8000\r\na=fmtp:101 0-15\r\n${extra}`;
const video = (port: number, extra = ''): string => `m=video ${port} RTP/AVP 97\r\na=rtpmap:97 H264/90000\r\n${extra}`;

/** The offer as the MediaManagement service hands it over: the TS SDP and its intersection with the TC's capabilities. */
function offer(m: RtpMediaSessions, id: string, remoteSdp: string): MediaSessionOffer {
  const theirs = parseSdpMedia(remoteSdp);
  const ours = parseSdpMedia(m.capabilities());
  assert.ok(theirs.ok && ours.ok);
  return { id, remoteSdp, media: intersectCapabilities(theirs.value, ours.value) };
}

const mLine = (answer: string, type: string): string | undefined => new RegExp(`^m=${type} .*$`, 'm').exec(answer)?.[0]?.trim();
const portOf = (answer: string, type: string): number => Number(mLine(answer, type)!.split(' ')[1]);

async function peer(extra: Partial<Parameters<typeof RtpEndpoint.open>[0]> = {}): Promise<RtpEndpoint> {
  return RtpEndpoint.open({ address: host, ports: tsPorts, clock: systemClock, logger, codec: pcmu, ...extra });
}

async function udp(): Promise<Socket & { got: Buffer[] }> {
  const s = createSocket('udp4') as Socket & { got: Buffer[] };
  s.got = [];
  s.on('message', (d: Buffer) => s.got.push(d));
  await new Promise<void>((resolve) => s.bind(0, host, resolve));
  return s;
}
const closeSocket = (s: Socket): Promise<void> => new Promise((resolve) => s.close(() => resolve()));
const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

function assertTone(samples: Int16Array, hz: number, what: string): void {
  const f = dominantFrequency(samples, 8000);
  assert.ok(f !== undefined && Math.abs(f - hz) <= 5, `${what}: dominant ${f} Hz, expected ${hz}`);
}

test('capabilities: G.711 both laws and telephone-event at the TC address; receive-only video only when configured', () => {
  const { tc: plain, ports } = tc();
  const caps = plain.capabilities();
  assert.match(caps, /^c=IN IP4 127\.0\.0\.1\r$/m);
  assert.equal(mLine(caps, 'audio'), `m=audio ${ports.min} RTP/AVP 0 8 101`);
  assert.match(caps, /^a=rtpmap:8 PCMA\/8000\r$/m);
  assert.match(caps, /^a=rtpmap:101 telephone-event\/8000\r$/m);
  assert.equal(mLine(caps, 'video'), undefined);
  const parsed = parseSdpMedia(caps);
  assert.ok(parsed.ok);

  const { tc: withVideo, ports: p2 } = tc({ video: defaultTcVideoCodecs });
  const v = withVideo.capabilities();
  assert.equal(mLine(v, 'video'), `m=video ${p2.min + 2} RTP/AVP 96`);
  assert.match(v, /^a=rtpmap:96 H264\/90000\r\na=recvonly\r$/m);
  assert.throws(() => tc({ source: { tone: 5000 } }), /outside/);
  assert.throws(() => tc({ source: { wav: '/nonexistent/x.wav' } }), /ENOENT/);
});

test('open: the answer is the TC SDP with this session’s port and the offer’s codecs and numbers; close releases the ports', async () => {
  const { tc: m, ports } = tc();
  const ts = sdp(audio(40000, '8 0 18 101') + 'a=rtpmap:18 G729/8000\r\n');
  const answer = await m.open(offer(m, 's1', ts));
  const port = portOf(answer, 'audio');
  assert.ok(port >= ports.min && port <= ports.max && port % 2 === 0);
  assert.equal(mLine(answer, 'audio'), `m=audio ${port} RTP/AVP 8 0 101`);
  assert.match(answer, /^o=- \d+ 0 IN IP4 127\.0\.0\.1\r$/m);
  assert.match(answer, /^c=IN IP4 127\.0\.0\.1\r$/m);
  assert.match(answer, /^a=sendrecv\r$/m);
  assert.deepEqual(ports.inUsePorts(), [port]);
  assert.equal(m.session('s1')?.audio?.codec.encodingName, 'PCMA', 'the first common codec is sent');
  await assert.rejects(m.open(offer(m, 's1', ts)), (e: unknown) => e instanceof MediaSessionError && e.failure === 'failed');
  await m.close('s1');
  await m.close('s1');
  await m.close('never-opened');
  assert.equal(ports.inUse, 0);
  assert.deepEqual(m.openSessions(), []);
});

test('audio both ways: the TS side’s 440 Hz reaches the TC’s sink, the TC’s 1 kHz tone reaches the TS side', async () => {
  const atTc = new PcmCollector();
  const { tc: m, ports } = tc({ source: { tone: 1000 }, audioSink: () => atTc });
  const atTs = new PcmCollector();
  const ts = await peer({ sink: atTs, source: new ToneSource(440, 8000) });
  try {
    await m.open(offer(m, 'both', sdp(audio(ts.localPort))));
    await waitFor(() => atTc.durationMs >= 600 && atTs.durationMs >= 600, 'half a second of audio each way', 5000);
  } finally {
    await m.close('both');
    await ts.close();
  }
  assertTone(atTc.samples(), 440, 'the TC hears the TS');
  assertTone(atTs.samples(), 1000, 'the TS hears the TC');
  assert.equal(ports.inUse, 0);
});

test('directions: sendonly is answered recvonly and the TC stays silent; recvonly is answered sendonly; c=0.0.0.0 holds', async () => {
  const { tc: m } = tc({ source: { tone: 1000 } });
  const sock = await udp();
  try {
    const port = sock.address().port;
    const a1 = await m.open(offer(m, 'so', sdp(audio(port, '0', 'a=sendonly\r\n'))));
    assert.match(a1, /^a=recvonly\r$/m);
    const a2 = await m.open(offer(m, 'ro', sdp(audio(port, '0', 'a=recvonly\r\n'))));
    assert.match(a2, /^a=sendonly\r$/m);
    await sleep(300);
    const fromRo = sock.got.filter((d) => parseRtp(d).ok).length;
    assert.ok(fromRo >= 5, `recvonly: the TC sends (${fromRo} packets)`);
    assert.equal(m.session('so')!.audio!.endpoint.stats().packetsSent, 0, 'sendonly: the TC sends nothing');
    await m.close('ro');
    const hold = await m.open(offer(m, 'hold', sdp(audio(port, '0'), '0.0.0.0')));
    assert.match(hold, /^m=audio \d+ RTP\/AVP 0\r$/m);
    await sleep(200);
    assert.equal(m.session('hold')!.audio!.endpoint.stats().packetsSent, 0, 'on hold: nothing sent');
  } finally {
    await m.closeAll();
    await closeSocket(sock);
  }
});

test('video: answered recvonly on its own port; accepted RTP is recorded whole, other payload types and sources are not', async () => {
  const packets: Uint8Array[] = [];
  const { tc: m, ports } = tc({ video: defaultTcVideoCodecs, videoSink: () => ({ write: (p) => void packets.push(p.slice()) }) });
  const sender = await udp();
  const intruder = await udp();
  try {
    const ts = sdp(audio(intruder.address().port, '0') + video(sender.address().port));
    const answer = await m.open(offer(m, 'v', ts));
    assert.equal(mLine(answer, 'video'), `m=video ${portOf(answer, 'video')} RTP/AVP 97`);
    assert.match(answer, /m=video[^]*a=recvonly\r\n/);
    assert.match(answer, /m=audio[^]*a=sendrecv\r\nm=video/);
    assert.equal(ports.inUse, 2);
    const vport = portOf(answer, 'video');
    const pkt = (pt: number, seq: number, size = 900): Uint8Array =>
      serializeRtp({ payloadType: pt, sequenceNumber: seq, timestamp: seq * 3000, ssrc: 0x1234, marker: seq % 3 === 0, payload: new Uint8Array(size).fill(seq) });
    for (let i = 0; i < 10; i++) sender.send(pkt(97, i), vport, host);
    sender.send(pkt(96, 99), vport, host);
    sender.send(Buffer.from('garbage'), vport, host);
    await waitFor(() => packets.length >= 10, '10 video packets');
    intruder.send(pkt(97, 50), vport, host);
    await sleep(100);
    assert.equal(packets.length, 10);
    assert.deepEqual(
      packets.map((p) => {
        const r = parseRtp(p);
        assert.ok(r.ok);
        return [r.packet.payloadType, r.packet.sequenceNumber, r.packet.payload.length];
      }),
      Array.from({ length: 10 }, (_, i) => [97, i, 900]),
    );
    const stats = m.session('v')!.video!.receiver.stats();
    assert.equal(stats.packetsReceived, 10);
    assert.equal(stats.malformed, 2);
    assert.equal(stats.droppedForeign, 1);
    assert.equal(sender.got.length, 0, 'nothing is sent on video, not even RTCP');
  } finally {
    await m.close('v');
    await closeSocket(sender);
    await closeSocket(intruder);
  }
  assert.equal(ports.inUse, 0);
});

test('what the TC cannot serve: video left out when not configured, video-only and telephone-event-only offers are unsupported', async () => {
  const { tc: m } = tc();
  const answer = await m.open(offer(m, 'a', sdp(audio(40000, '0') + video(40002))));
  assert.equal(mLine(answer, 'video'), undefined);
  await m.close('a');
  const teOnly: MediaSessionOffer = {
    id: 'te',
    remoteSdp: sdp('m=audio 40000 RTP/AVP 18 101\r\na=rtpmap:18 G729/8000\r\na=rtpmap:101 telephone-event/8000\r\n'),
    media: [{ type: 'audio', port: 40000, protocol: 'RTP/AVP', codecs: [{ format: '101', encodingName: 'telephone-event', clockRate: 8000 }] }],
  };
  await assert.rejects(m.open(teOnly), (e: unknown) => e instanceof MediaSessionError && e.failure === 'unsupported');
  const videoOnly: MediaSessionOffer = { id: 'vo', remoteSdp: sdp(video(40002)), media: [{ type: 'video', port: 40002, protocol: 'RTP/AVP', codecs: [{ format: '97', encodingName: 'H264', clockRate: 90000 }] }] };
  await assert.rejects(m.open(videoOnly), (e: unknown) => e instanceof MediaSessionError && e.failure === 'unsupported');
  assert.deepEqual(m.openSessions(), []);
});

test('modify: a codec switch keeps the port and SSRC; video added on a new port and removed again; the o= version grows', async () => {
  const { tc: m, ports } = tc({ source: { tone: 1000 }, video: defaultTcVideoCodecs });
  const sock = await udp();
  const port = sock.address().port;
  try {
    const a0 = await m.open(offer(m, 'mod', sdp(audio(port, '0 101'))));
    const aport = portOf(a0, 'audio');
    const ep = m.session('mod')!.audio!.endpoint;
    await waitFor(() => sock.got.length >= 3, 'PCMU packets');
    const a1 = await m.modify(offer(m, 'mod', sdp(audio(port, '8 101'))));
    assert.equal(mLine(a1, 'audio'), `m=audio ${aport} RTP/AVP 8 101`);
    assert.match(a1, /^o=- \d+ 1 IN IP4/m);
    assert.equal(m.session('mod')!.audio!.endpoint, ep, 'the same endpoint');
    sock.got.length = 0; // a PCMU packet may still be on its way
    const pts = (): number[] => sock.got.map((d) => parseRtp(d)).flatMap((r) => (r.ok ? [r.packet.payloadType] : []));
    await waitFor(() => pts().filter((pt) => pt === 8).length >= 3, 'PCMA packets');
    const sent = pts();
    assert.deepEqual([...new Set(sent.slice(sent.indexOf(8)))], [8], 'only PCMA after the switch');
    assert.ok(sent.indexOf(8) <= 1);
    const ssrcs = new Set(sock.got.map((d) => parseRtp(d)).flatMap((r) => (r.ok ? [r.packet.ssrc] : [])));
    assert.deepEqual([...ssrcs], [ep.ssrc]);

    const a2 = await m.modify(offer(m, 'mod', sdp(audio(port, '8 101') + video(port + 2))));
    assert.equal(portOf(a2, 'audio'), aport);
    const vport = portOf(a2, 'video');
    assert.notEqual(vport, aport);
    assert.equal(ports.inUse, 2);
    assert.match(a2, /^o=- \d+ 2 IN IP4/m);

    const a3 = await m.modify(offer(m, 'mod', sdp(audio(port, '0'))));
    assert.equal(mLine(a3, 'video'), undefined);
    assert.equal(mLine(a3, 'audio'), `m=audio ${aport} RTP/AVP 0`);
    assert.deepEqual(ports.inUsePorts(), [aport]);
    assert.equal(m.session('mod')!.audio!.codec.encodingName, 'PCMU');
    await assert.rejects(m.modify(offer(m, 'nope', sdp(audio(port, '0')))), (e: unknown) => e instanceof MediaSessionError && e.failure === 'failed');
  } finally {
    await m.close('mod');
    await closeSocket(sock);
  }
  assert.equal(ports.inUse, 0);
});

test('modify to another TS leg: the TC sends to the new address and latches afresh', async () => {
  const { tc: m } = tc({ source: { tone: 1000 } });
  const first = await udp();
  const second = await udp();
  try {
    await m.open(offer(m, 'leg', sdp(audio(first.address().port, '0'))));
    await waitFor(() => first.got.length >= 3, 'packets at the first leg');
    await m.modify(offer(m, 'leg', sdp(audio(second.address().port, '0'))));
    const before = first.got.length;
    await waitFor(() => second.got.filter((d) => parseRtp(d).ok).length >= 3, 'packets at the second leg');
    await sleep(100);
    assert.ok(first.got.length - before <= 2, 'the first leg gets nothing more');
  } finally {
    await m.close('leg');
    await closeSocket(first);
    await closeSocket(second);
  }
});

test('resources: more sessions than allowed, or more streams than free ports, are no-resources; a failed modify changes nothing', async () => {
  const { tc: m } = tc({ maxSessions: 2 });
  await m.open(offer(m, 'r1', sdp(audio(40000, '0'))));
  await m.open(offer(m, 'r2', sdp(audio(40000, '0'))));
  await assert.rejects(m.open(offer(m, 'r3', sdp(audio(40000, '0')))), (e: unknown) => e instanceof MediaSessionError && e.failure === 'no-resources');
  await m.closeAll();

  const small = new PortPool({ min: 24900, max: 24903 }); // two pairs
  pools.push(small);
  const tiny = new RtpMediaSessions({ address: host, ports: small, clock: systemClock, logger, video: defaultTcVideoCodecs });
  made.push(tiny);
  const a0 = await tiny.open(offer(tiny, 't1', sdp(audio(40000, '0'))));
  await tiny.open(offer(tiny, 't2', sdp(audio(40000, '0'))));
  await assert.rejects(tiny.modify(offer(tiny, 't1', sdp(audio(40000, '8') + video(40002)))), (e: unknown) => e instanceof MediaSessionError && e.failure === 'no-resources');
  assert.equal(tiny.session('t1')!.answer, a0, 'the session goes on as before');
  assert.equal(tiny.session('t1')!.audio!.codec.encodingName, 'PCMU');
  await assert.rejects(tiny.open(offer(tiny, 't3', sdp(audio(40000, '0')))), (e: unknown) => e instanceof MediaSessionError && e.failure === 'no-resources');
  await tiny.closeAll();
  assert.equal(small.inUse, 0);
});

test('a session ends on its own when a WAV played once is over, or when the TS side sends RTCP BYE; the ports are free when it is reported', async () => {
  dir ||= await mkdtemp(join(tmpdir(), 'hometel-tc-unit-'));
  // 300 ms of 8 kHz silence-free PCM.
  const samples = new Int16Array(2400).map((_, i) => Math.round(8000 * Math.sin((2 * Math.PI * 600 * i) / 8000)));
  const wav = join(dir, 'short.wav');
  await writeFile(wav, Buffer.concat([Buffer.from(wavHeader(samples.length * 2, { sampleRate: 8000 })), Buffer.from(samples.buffer)]));
  const { tc: m, ports, ended } = tc({ source: { wav } });
  const sock = await udp();
  try {
    await m.open(offer(m, 'once', sdp(audio(sock.address().port, '0'))));
    await waitFor(() => ended.length === 1, 'the session ends', 3000);
    assert.deepEqual(ended[0], ['once', 'the audio source ended']);
    assert.equal(ports.inUse, 0);
    assert.deepEqual(m.openSessions(), []);
    assert.ok(sock.got.filter((d) => parseRtp(d).ok).length >= 14, 'the file was played');
  } finally {
    await closeSocket(sock);
  }

  const { tc: m2, ports: p2, ended: ended2 } = tc();
  const ts = await peer({ source: new ToneSource(440, 8000) });
  await m2.open(offer(m2, 'bye', sdp(audio(ts.localPort, '0'))));
  await waitFor(() => (m2.session('bye')?.audio?.endpoint.stats().packetsReceived ?? 0) > 3, 'audio from the TS side');
  // A BYE from a foreign SSRC means nothing.
  const s = createSocket('udp4');
  await new Promise<void>((resolve) => s.bind(0, host, resolve));
  s.send(serializeRtcp([{ type: 'rr', ssrc: 1, reports: [] }, { type: 'bye', ssrcs: [1] }]), m2.session('bye')!.audio!.endpoint.localRtcpPort, host);
  await sleep(100);
  await closeSocket(s);
  assert.equal(ended2.length, 0);
  await ts.close(); // sends RTCP BYE
  await waitFor(() => ended2.length === 1, 'the session ends on BYE', 3000);
  assert.equal(ended2[0]![0], 'bye');
  assert.match(ended2[0]![1], /RTCP BYE/);
  assert.equal(p2.inUse, 0);
});

test('DTMF from the TS side is reported per session; the TC sends DTMF with sendDtmf', async () => {
  const digits: Array<[string, DtmfEvent]> = [];
  const { tc: m } = tc({ onDtmf: (id, e) => digits.push([id, e]) });
  const got: DtmfEvent[] = [];
  const ts = await peer({ source: new ToneSource(440, 8000) });
  ts.onDtmf = (e) => got.push(e);
  try {
    await m.open(offer(m, 'dtmf', sdp(audio(ts.localPort, '0 101'))));
    await waitFor(() => ts.latchedRemote !== undefined, 'the TS side latches the TC');
    await ts.sendDtmf('42#', { durationMs: 60, pauseMs: 40 });
    await waitFor(() => digits.length === 3, 'three digits at the TC');
    assert.deepEqual(digits.map(([id, e]) => `${id}:${e.digit}`), ['dtmf:4', 'dtmf:2', 'dtmf:#']);
    await m.sendDtmf('dtmf', '7', { durationMs: 60 });
    await waitFor(() => got.length === 1, 'a digit at the TS side');
    assert.equal(got[0]!.digit, '7');
    // Renegotiated without telephone-event: the TC cannot send DTMF any more.
    await m.modify(offer(m, 'dtmf', sdp(audio(ts.localPort, '0'))));
    await assert.rejects(m.sendDtmf('dtmf', '1'), /not negotiated/);
  } finally {
    await m.close('dtmf');
    await ts.close();
  }
});

test('recordDir: a WAV per audio stream and an rtpdump per video stream, named after the session', async () => {
  dir ||= await mkdtemp(join(tmpdir(), 'hometel-tc-unit-'));
  const recordDir = await mkdtemp(join(dir, 'rec-'));
  const { tc: m } = tc({ recordDir, video: defaultTcVideoCodecs });
  const ts = await peer({ codec: pcma, source: new ToneSource(440, 8000) });
  const vsock = await udp();
  let vport = 0;
  try {
    const answer = await m.open(offer(m, 'media-x-1', sdp(audio(ts.localPort, '8') + video(vsock.address().port))));
    vport = portOf(answer, 'video');
    assert.equal(m.session('media-x-1')!.audio!.recording, join(recordDir, tcRecordingName('media-x-1', 'audio')));
    for (let i = 0; i < 5; i++) vsock.send(serializeRtp({ payloadType: 97, sequenceNumber: i, timestamp: i, ssrc: 9, payload: new Uint8Array([i, i, i]) }), vport, host);
    await waitFor(() => (m.session('media-x-1')?.video?.receiver.stats().packetsReceived ?? 0) === 5, 'video packets');
    await waitFor(() => (m.session('media-x-1')?.audio?.endpoint.stats().packetsReceived ?? 0) >= 30, '600 ms of audio');
  } finally {
    await m.close('media-x-1');
    await ts.close();
    await closeSocket(vsock);
  }
  assert.equal(tcRecordingName('media-x-1', 'audio'), 'media-x-1.wav');
  assert.equal(tcRecordingName('a/b', 'video', 2), 'a_b-2.video.rtpdump');
  const wav = new WavFileSource(join(recordDir, 'media-x-1.wav'));
  assert.ok(wav.durationMs >= 500, `${wav.durationMs} ms recorded`);
  assertTone(wav.samples, 440, 'the WAV recording');
  const dump = parseRtpdump(await readFile(join(recordDir, 'media-x-1.video.rtpdump')));
  assert.ok(dump.ok, dump.ok ? '' : dump.reason);
  assert.equal(dump.value.port, vport);
  assert.equal(dump.value.address, host);
  assert.deepEqual(dump.value.packets.map((p) => [...p.data.subarray(12)]), [0, 1, 2, 3, 4].map((i) => [i, i, i]));
});

test('StopMediaSession during a modify waits for it: operations on one session are serialised', async () => {
  const { tc: m, ports } = tc({ video: defaultTcVideoCodecs });
  await m.open(offer(m, 'ser', sdp(audio(40000, '0'))));
  const modifying = m.modify(offer(m, 'ser', sdp(audio(40000, '0') + video(40002))));
  const closing = m.close('ser');
  await modifying;
  await closing;
  assert.equal(ports.inUse, 0);
  await assert.rejects(m.modify(offer(m, 'ser', sdp(audio(40000, '0')))), /no media session/);
});
