/**
 * RtpEndpoint driven by a manual clock, talking to raw UDP sockets on 127.0.0.1: what exactly goes on the wire
 * (sequence, timestamps, SSRC, marker, RFC 4733 events, RTCP) and what the receiver accepts, latches and counts.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createSocket, type Socket } from 'node:dgram';
import type { Clock } from '../../src/base/clock.js';
import { FakeClock } from '../support/fake-clock.js';
import { silentLogger } from '../../src/base/logger.js';
import { PortPool } from '../../src/media/endpoint/port-pool.js';
import { RtpEndpoint, type RtpEndpointOptions } from '../../src/media/endpoint/rtp-endpoint.js';
import type { DtmfEvent } from '../../src/media/endpoint/dtmf.js';
import { pcma, pcmu } from '../../src/media/codecs/g711.js';
import { ToneSource } from '../../src/media/audio/sources.js';
import { PcmCollector } from '../../src/media/audio/pcm-collector.js';
import { parseRtp, serializeRtp, type RtpPacket } from '../../src/media/rtp/packet.js';
import { checkRtcpCompound, cnameOf, serializeRtcp, type RtcpPacket } from '../../src/media/rtp/rtcp.js';
import { parseTelephoneEvent, serializeTelephoneEvent } from '../../src/media/rtp/telephone-event.js';
import { waitFor } from '../support/net.js';

const host = '127.0.0.1';

interface Raw {
  sock: Socket;
  port: number;
  got: { data: Buffer; port: number }[];
  send(bytes: Uint8Array, port: number): Promise<void>;
  close(): Promise<void>;
}

async function raw(port = 0): Promise<Raw> {
  const sock = createSocket('udp4');
  const got: Raw['got'] = [];
  sock.on('message', (data, rinfo) => got.push({ data, port: rinfo.port }));
  await new Promise<void>((resolve) => sock.bind(port, host, resolve));
  return {
    sock,
    port: sock.address().port,
    got,
    send: (bytes, to) => new Promise((resolve, reject) => sock.send(bytes, to, host, (e) => (e ? reject(e) : resolve()))),
    close: () => new Promise((resolve) => sock.close(() => resolve())),
  };
}

function rtpOf(r: Raw): RtpPacket[] {
  return r.got.map((g) => {
    const p = parseRtp(g.data);
    assert.ok(p.ok);
    return p.packet;
  });
}

/** Returns the given values in turn (SSRC, first sequence number, first timestamp, CNAME, RTCP jitter …). */
function fixedRandom(...values: number[]): () => number {
  let i = 0;
  return () => values[i++ % values.length]!;
}

function options(clock: Clock, ports: PortPool, extra: Partial<RtpEndpointOptions> = {}): RtpEndpointOptions {
  return { address: host, ports, clock, logger: silentLogger, codec: pcmu, ...extra };
}

const rtpFrom = (seq: number, ts: number, payload = pcmu.encode(new ToneSource(440, 8000).nextFrame()!), extra: Partial<Parameters<typeof serializeRtp>[0]> = {}) =>
  serializeRtp({ payloadType: 0, sequenceNumber: seq & 0xffff, timestamp: ts >>> 0, ssrc: 0xcafe, payload, ...extra });

test('RFC 3550 5.1: the send loop sends one PCMU packet per 20 ms — constant SSRC, sequence +1 across the wrap, timestamp +160, marker on the first', async () => {
  const clock = new FakeClock(1_750_000_000_000);
  const ports = new PortPool({ min: 21000, max: 21099 });
  const peer = await raw();
  const ep = await RtpEndpoint.open(
    options(clock, ports, { source: new ToneSource(440, 8000), remote: { address: host, port: peer.port }, random: fixedRandom(0x5eed5eed, 65534, 0xfffffe00, 7) }),
  );
  try {
    clock.advance(200); // ticks at 0, 20, … 200
    await waitFor(() => peer.got.length >= 11, '11 RTP packets');
    const pkts = rtpOf(peer);
    assert.equal(pkts.length, 11);
    assert.ok(pkts.every((p) => p.ssrc === 0x5eed5eed && p.payloadType === 0 && p.payload.length === 160));
    assert.deepEqual(pkts.map((p) => p.sequenceNumber).slice(0, 4), [65534, 65535, 0, 1]);
    assert.deepEqual(pkts.map((p) => p.timestamp).slice(0, 4), [0xfffffe00, 0xfffffea0, 0xffffff40, 0xffffffe0]);
    assert.equal(pkts[4]!.timestamp, 0x80, 'the timestamp wraps too');
    assert.deepEqual(pkts.map((p) => p.marker), [true, ...Array<boolean>(10).fill(false)]);
    assert.ok(peer.got.every((g) => g.port === ep.localPort), 'sent from the RTP port (symmetric RTP)');
    assert.equal(ep.stats().packetsSent, 11);
    assert.equal(ep.stats().bytesSent, 11 * 172);
  } finally {
    await ep.close();
    await peer.close();
  }
  assert.equal(ports.inUse, 0);
  assert.equal(clock.pending, 0, 'no timers left');
});

test('a late event loop is caught up with a short burst, a long stall is skipped rather than flooded', async () => {
  const clock = new FakeClock(1_750_000_000_000);
  const ports = new PortPool({ min: 21100, max: 21199 });
  const peer = await raw();
  const ep = await RtpEndpoint.open(options(clock, ports, { source: new ToneSource(440, 8000), remote: { address: host, port: peer.port } }));
  try {
    clock.advance(0);
    // The timer fires once after 60 ms (the loop was busy): 3 ticks were due, so 3 packets.
    clock.jump(60);
    clock.advance(0);
    await waitFor(() => peer.got.length >= 4, '4 packets');
    assert.equal(peer.got.length, 4);
    clock.jump(10_000);
    clock.advance(0);
    await new Promise((r) => setTimeout(r, 50));
    assert.ok(peer.got.length <= 4 + 5, `a stall of 10 s sends at most a burst of 5, got ${peer.got.length - 4}`);
    const ts = rtpOf(peer).map((p) => p.timestamp);
    for (let i = 1; i < ts.length; i++) assert.equal((ts[i]! - ts[i - 1]!) >>> 0, 160, 'media time stays continuous');
  } finally {
    await ep.close();
    await peer.close();
  }
});

test('without a configured remote nothing is sent until a valid packet latches the peer; then RTP goes back to its source', async () => {
  const clock = new FakeClock(1_750_000_000_000);
  const ports = new PortPool({ min: 21200, max: 21299 });
  const peer = await raw();
  const ep = await RtpEndpoint.open(options(clock, ports, { source: new ToneSource(440, 8000), sink: new PcmCollector() }));
  const latched: string[] = [];
  ep.onLatched = (r) => latched.push(`${r.address}:${r.port}`);
  try {
    clock.advance(100);
    await peer.send(Uint8Array.of(1, 2, 3), ep.localPort); // garbage does not latch
    await waitFor(() => ep.stats().malformed === 1, 'garbage counted');
    await new Promise((r) => setTimeout(r, 30));
    assert.equal(peer.got.length, 0);
    assert.equal(ep.remote, undefined);
    await peer.send(rtpFrom(1, 0), ep.localPort);
    await waitFor(() => latched.length === 1, 'latched');
    assert.deepEqual(latched, [`${host}:${peer.port}`]);
    clock.advance(40);
    await waitFor(() => peer.got.length >= 2, 'RTP to the latched peer');
    assert.equal(rtpOf(peer)[0]!.marker, true, 'the first packet sent is marked, however late it starts');
  } finally {
    await ep.close();
    await peer.close();
  }
});

test('after latching, RTP from another source is dropped and counted; garbage and unnegotiated payload types are counted as malformed', async () => {
  const clock = new FakeClock(1_750_000_000_000);
  const ports = new PortPool({ min: 21300, max: 21399 });
  const peer = await raw();
  const intruder = await raw();
  const sink = new PcmCollector();
  const ep = await RtpEndpoint.open(options(clock, ports, { sink, remote: { address: host, port: peer.port } }));
  try {
    await peer.send(rtpFrom(10, 1600), ep.localPort);
    await waitFor(() => ep.stats().packetsReceived === 1, 'first packet');
    for (let i = 0; i < 5; i++) await intruder.send(rtpFrom(500 + i, 99999 + i * 160), ep.localPort);
    await intruder.send(rtpFrom(11, 1760), ep.localPort);
    await peer.send(rtpFrom(11, 1760, undefined, { payloadType: 18 }), ep.localPort);
    await peer.send(Uint8Array.of(0x40, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0), ep.localPort);
    await peer.send(rtpFrom(11, 1760), ep.localPort);
    await waitFor(() => ep.stats().packetsReceived === 2, 'second packet');
    const s = ep.stats();
    assert.equal(s.droppedForeign, 6);
    assert.equal(s.malformed, 2);
    assert.equal(s.packetsReceived, 2);
    assert.equal(sink.frames, 2, 'only the peer’s audio reached the sink');
  } finally {
    await ep.close();
    await peer.close();
    await intruder.close();
  }
});

test('the receiver reorders, conceals a loss with silence, counts it (RFC 3550 A.3) and decodes the codecs it was given', async () => {
  const clock = new FakeClock(1_750_000_000_000);
  const ports = new PortPool({ min: 21400, max: 21499 });
  const peer = await raw();
  const sink = new PcmCollector();
  const ep = await RtpEndpoint.open(options(clock, ports, { sink, receiveCodecs: [pcma] }));
  try {
    const f = (k: number) => new Int16Array(160).fill(k * 1000);
    const order = [0, 2, 1, 3, 5, 6, 7, 8]; // 4 is lost, 1 and 2 swapped
    for (const k of order) {
      const codec = k === 7 ? pcma : pcmu;
      await peer.send(serializeRtp({ payloadType: codec.payloadType, sequenceNumber: 100 + k, timestamp: 8000 + k * 160, ssrc: 0xcafe, payload: codec.encode(f(k)) }), ep.localPort);
      clock.advance(20);
    }
    await waitFor(() => ep.stats().packetsReceived === order.length, 'all packets');
    await ep.close();
    const frames = [];
    const all = sink.samples();
    for (let i = 0; i < all.length; i += 160) frames.push(all[i]!);
    assert.equal(all.length, 9 * 160);
    assert.deepEqual(frames.map((v) => Math.round(v / 1000)), [0, 1, 2, 3, 0, 5, 6, 7, 8]);
    const s = ep.stats();
    assert.equal(s.lost, 1);
    assert.equal(s.concealedSamples, 160);
    assert.equal(s.late, 0);
  } finally {
    await ep.close();
    await peer.close();
  }
});

test('RFC 4733: sendDtmf replaces audio with telephone-events (same timestamp, marker, E three times), sequence numbers continue', async () => {
  const clock = new FakeClock(1_750_000_000_000);
  const ports = new PortPool({ min: 21500, max: 21599 });
  const peer = await raw();
  const ep = await RtpEndpoint.open(options(clock, ports, { source: new ToneSource(440, 8000), remote: { address: host, port: peer.port }, telephoneEventPayloadType: 96 }));
  try {
    clock.advance(40);
    const sent = ep.sendDtmf('7', { durationMs: 60, pauseMs: 20 });
    for (let i = 0; i < 10; i++) clock.advance(20);
    await sent;
    await waitFor(() => peer.got.length >= 13, 'packets');
    const pkts = rtpOf(peer);
    for (let i = 1; i < pkts.length; i++) assert.equal((pkts[i]!.sequenceNumber - pkts[i - 1]!.sequenceNumber) & 0xffff, 1);
    const events = pkts.filter((p) => p.payloadType === 96);
    assert.equal(events.length, 5, '3 ticks of 60 ms, the last one twice more');
    assert.ok(events.every((p) => p.timestamp === events[0]!.timestamp));
    assert.deepEqual(events.map((p) => p.marker), [true, false, false, false, false]);
    const parsed = events.map((p) => {
      const r = parseTelephoneEvent(p.payload);
      assert.ok(r.ok);
      return r.event;
    });
    assert.deepEqual(parsed.map((e) => [e.event, e.end, e.duration]), [[7, false, 160], [7, false, 320], [7, true, 480], [7, true, 480], [7, true, 480]]);
    const firstEvent = pkts.indexOf(events[0]!);
    const audioAfter = pkts.slice(firstEvent + 5).filter((p) => p.payloadType === 0);
    assert.ok(audioAfter.length > 0, 'audio resumes');
    // The pause separates events from each other; audio fills it, right after the event's last packet.
    assert.equal((audioAfter[0]!.timestamp - events[0]!.timestamp) >>> 0, 5 * 160);
    assert.throws(() => ep.sendDtmf('x'), RangeError);
  } finally {
    await ep.close();
    await peer.close();
  }
  const none = await RtpEndpoint.open(options(clock, ports, { telephoneEventPayloadType: null }));
  assert.throws(() => none.sendDtmf('1'), /not negotiated/);
  await none.close();
});

test('RFC 4733: received events are reported once each, in order; a pending sendDtmf rejects when the endpoint closes', async () => {
  const clock = new FakeClock(1_750_000_000_000);
  const ports = new PortPool({ min: 21600, max: 21699 });
  const peer = await raw();
  const ep = await RtpEndpoint.open(options(clock, ports, { remote: { address: host, port: peer.port }, sink: new PcmCollector() }));
  const digits: DtmfEvent[] = [];
  ep.onDtmf = (e) => digits.push(e);
  try {
    let seq = 1;
    for (const [k, ev] of [1, 10, 11].entries()) {
      for (const [dur, end] of [[160, false], [320, false], [480, true], [480, true], [480, true]] as const) {
        await peer.send(serializeRtp({ payloadType: 101, marker: dur === 160 && !end, sequenceNumber: seq++, timestamp: 16000 * (k + 1), ssrc: 0xcafe, payload: serializeTelephoneEvent({ event: ev, end, volume: 10, duration: dur }) }), ep.localPort);
      }
    }
    await waitFor(() => ep.stats().packetsReceived === 15, 'events');
    assert.deepEqual(digits.map((d) => d.digit), ['1', '*', '#']);
    assert.equal(ep.stats().dtmfReceived, 3);
    const pending = ep.sendDtmf('123');
    await ep.close();
    await assert.rejects(pending, /closed/);
    await assert.rejects(ep.sendDtmf('1'), /closed/);
  } finally {
    await ep.close();
    await peer.close();
  }
});

test('RFC 3550 6: RTCP SR with SDES CNAME goes to port+1 every ~5 s, BYE on close; received reports are checked and counted', async () => {
  const clock = new FakeClock(1_750_000_000_000);
  const ports = new PortPool({ min: 21700, max: 21799 });
  const peer = await raw(0);
  const peerRtcp = await raw(0);
  const ep = await RtpEndpoint.open(
    options(clock, ports, { source: new ToneSource(440, 8000), remote: { address: host, port: peer.port }, remoteRtcp: { address: host, port: peerRtcp.port }, cname: 'tc1@home' }),
  );
  try {
    assert.equal(ep.localRtcpPort, ep.localPort + 1);
    clock.advance(7600); // the first report is due within 2.5–7.5 s
    await waitFor(() => peerRtcp.got.length >= 1, 'an RTCP report');
    const r = checkRtcpCompound(peerRtcp.got[0]!.data);
    assert.ok(r.ok, r.ok ? '' : r.reason);
    const sr = r.packets[0]!;
    assert.equal(sr.type, 'sr');
    if (sr.type === 'sr') {
      assert.equal(sr.ssrc, ep.ssrc);
      assert.ok(sr.packetCount > 100);
      assert.equal(sr.octetCount, sr.packetCount * 160);
    }
    assert.equal(cnameOf(r.packets, ep.ssrc), 'tc1@home');
    assert.equal(peerRtcp.got[0]!.port, ep.localRtcpPort);
    // The peer's RTP latches, then its SR is accepted on our RTCP port.
    await peer.send(rtpFrom(1, 0), ep.localPort);
    const theirs: RtcpPacket[] = [
      { type: 'sr', ssrc: 0xcafe, ntpSeconds: 1, ntpFraction: 2, rtpTimestamp: 3, packetCount: 4, octetCount: 5, reports: [] },
      { type: 'sdes', chunks: [{ ssrc: 0xcafe, items: [{ type: 1, text: 'peer' }] }] },
    ];
    await peerRtcp.send(serializeRtcp(theirs), ep.localRtcpPort);
    await peerRtcp.send(serializeRtcp([theirs[1]!]), ep.localRtcpPort); // not a valid compound (no SR/RR first)
    await waitFor(() => ep.stats().rtcpReceived === 1 && ep.stats().malformed === 1, 'RTCP counted');
  } finally {
    await ep.close();
  }
  await waitFor(() => peerRtcp.got.some((g) => checkRtcpCompound(g.data).ok && (checkRtcpCompound(g.data) as { packets: RtcpPacket[] }).packets.some((p) => p.type === 'bye')), 'BYE');
  await peer.close();
  await peerRtcp.close();
});

test('RFC 5761: with rtcp-mux RTCP shares the RTP port, and only the even port is bound', async () => {
  const clock = new FakeClock(1_750_000_000_000);
  const ports = new PortPool({ min: 21800, max: 21899 });
  const peer = await raw();
  const ep = await RtpEndpoint.open(options(clock, ports, { rtcpMux: true, sink: new PcmCollector() }));
  const squatter = await raw(ep.localPort + 1); // the odd port is free to bind
  try {
    assert.equal(ep.localRtcpPort, ep.localPort);
    await peer.send(rtpFrom(1, 0), ep.localPort);
    await waitFor(() => ep.stats().packetsReceived === 1, 'latched');
    clock.advance(8000);
    await waitFor(() => peer.got.length > 0, 'RTCP on the RTP port');
    const r = checkRtcpCompound(peer.got[0]!.data);
    assert.ok(r.ok);
    const rr = r.packets[0]!;
    assert.equal(rr.type, 'rr', 'a receiver report: nothing was sent');
    if (rr.type === 'rr') assert.deepEqual(rr.reports.map((b) => [b.ssrc, b.highestSequence, b.cumulativeLost]), [[0xcafe, 1, 0]]);
    assert.equal(peer.got[0]!.port, ep.localPort);
    // The peer's RTCP on the same port is told apart from RTP.
    await peer.send(serializeRtcp([{ type: 'rr', ssrc: 0xcafe, reports: [] }, { type: 'sdes', chunks: [{ ssrc: 0xcafe, items: [{ type: 1, text: 'p' }] }] }]), ep.localPort);
    await waitFor(() => ep.stats().rtcpReceived === 1, 'muxed RTCP received');
    assert.equal(ep.stats().malformed, 0);
  } finally {
    await ep.close();
    await squatter.close();
    await peer.close();
  }
});

test('ports: a pair taken by another program is skipped; an exhausted pool is a clear error; close releases the pair', async () => {
  const clock = new FakeClock(1_750_000_000_000);
  const ports = new PortPool({ min: 21900, max: 21905 });
  const squatter = await raw(21901); // the RTCP port of the first pair
  const a = await RtpEndpoint.open(options(clock, ports));
  assert.equal(a.localPort, 21902);
  assert.deepEqual(ports.inUsePorts(), [21902]);
  const b = await RtpEndpoint.open(options(clock, ports));
  assert.equal(b.localPort, 21904);
  await assert.rejects(RtpEndpoint.open(options(clock, ports)), /no free RTP port pair on 127\.0\.0\.1 in 21900–21905/);
  await a.close();
  await b.close();
  await squatter.close();
  assert.equal(ports.inUse, 0);
  assert.equal(clock.pending, 0);
});
