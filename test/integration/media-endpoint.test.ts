/**
 * Two RtpEndpoints on 127.0.0.1 with the system clock: audio end to end through real sockets, G.711 both laws,
 * both directions at once, symmetric-RTP latching against a third party, a garbage flood during a call, RFC 4733
 * DTMF, and no port left behind.
 */
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { createSocket } from 'node:dgram';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { systemClock } from '../../src/base/clock.js';
import { PortPool } from '../../src/media/endpoint/port-pool.js';
import { RtpEndpoint, type RtpEndpointOptions } from '../../src/media/endpoint/rtp-endpoint.js';
import type { DtmfEvent } from '../../src/media/endpoint/dtmf.js';
import type { Codec } from '../../src/media/codecs/codec.js';
import { pcma, pcmu } from '../../src/media/codecs/g711.js';
import { ToneSource } from '../../src/media/audio/sources.js';
import { WavRecorder } from '../../src/media/audio/wav-recorder.js';
import { WavFileSource } from '../../src/media/audio/wav-file-source.js';
import { PcmCollector } from '../../src/media/audio/pcm-collector.js';
import { audibleMs, dominantFrequency, energyAt, meanSquare } from '../../src/media/audio/analysis.js';
import { serializeRtp } from '../../src/media/rtp/packet.js';
import { closeSocket, loopbackUdp, testLogger, waitFor } from '../support/net.js';

const host = '127.0.0.1';
const ports = new PortPool({ min: 23000, max: 23999 });
const logger = testLogger('media');
const toneMs = 2000;
let dir = '';

after(async () => {
  if (dir) await rm(dir, { recursive: true, force: true });
  assert.equal(ports.inUse, 0, `ports still in use: ${ports.inUsePorts().join(', ')}`);
});

async function recordingPath(name: string): Promise<string> {
  dir ||= await mkdtemp(join(tmpdir(), 'hometel-media-it-'));
  return join(dir, name);
}

function open(extra: Partial<RtpEndpointOptions>): Promise<RtpEndpoint> {
  return RtpEndpoint.open({ address: host, ports, clock: systemClock, logger, codec: pcmu, ...extra });
}

/** Resolves when the endpoint's source has played to its end. */
function sourceEnded(ep: RtpEndpoint): Promise<void> {
  return new Promise((resolve) => (ep.onSourceEnd = resolve));
}

function assertTone(samples: Int16Array, hz: number, what: string): void {
  const f = dominantFrequency(samples, 8000);
  assert.ok(f !== undefined && Math.abs(f - hz) <= 5, `${what}: dominant frequency ${f} Hz, expected ${hz} ± 5`);
  const heard = audibleMs(samples, 8000);
  assert.ok(heard >= 0.8 * toneMs, `${what}: ${heard} ms of sound, expected at least ${0.8 * toneMs}`);
}

/** A plays a 440 Hz tone for 2 s with `codec`, B records it to a WAV file; returns what the file holds. */
async function oneWay(codec: Codec, name: string): Promise<Int16Array> {
  const path = await recordingPath(name);
  const recorder = new WavRecorder(path);
  const b = await open({ codec, sink: recorder });
  const a = await open({ codec, source: new ToneSource(440, 8000, { durationMs: toneMs }), remote: { address: host, port: b.localPort } });
  try {
    await sourceEnded(a);
    await new Promise((r) => setTimeout(r, 100));
    assert.ok(a.stats().packetsSent >= 0.95 * (toneMs / 20), `sent ${a.stats().packetsSent}`);
    assert.ok(b.stats().packetsReceived >= 0.95 * (toneMs / 20), `received ${b.stats().packetsReceived}`);
    assert.deepEqual(b.latchedRemote, { address: host, port: a.localPort });
  } finally {
    await a.close();
    await b.close();
    await recorder.close();
  }
  return new WavFileSource(path).samples;
}

test('PCMU: A plays 440 Hz for 2 s, B’s WAV recording is 440 Hz ± 5 and at least 80% of 2 s', async () => {
  const samples = await oneWay(pcmu, 'pcmu.wav');
  assertTone(samples, 440, 'PCMU recording');
  assert.equal(ports.inUse, 0);
});

test('PCMA: the same with A-law', async () => {
  const samples = await oneWay(pcma, 'pcma.wav');
  assertTone(samples, 440, 'PCMA recording');
  assert.equal(ports.inUse, 0);
});

test('both ways at once: A plays 440 Hz to B while B plays 1 kHz back (B learns A by latching)', async () => {
  const atA = new PcmCollector();
  const atB = new PcmCollector();
  const b = await open({ sink: atB, source: new ToneSource(1000, 8000, { durationMs: toneMs }) });
  const a = await open({ sink: atA, source: new ToneSource(440, 8000, { durationMs: toneMs }), remote: { address: host, port: b.localPort } });
  try {
    await Promise.all([sourceEnded(a), sourceEnded(b)]);
    await new Promise((r) => setTimeout(r, 100));
  } finally {
    await a.close();
    await b.close();
  }
  assertTone(atB.samples(), 440, 'B hears A');
  assertTone(atA.samples(), 1000, 'A hears B');
  assert.ok(energyAt(atA.samples(), 8000, 440) / meanSquare(atA.samples()) < 0.001, 'A does not hear itself');
  assert.equal(ports.inUse, 0);
});

test('latching: once A’s packets latch B, RTP from a third socket is dropped, counted, and never reaches the recording', async () => {
  const atB = new PcmCollector();
  const b = await open({ sink: atB });
  const a = await open({ source: new ToneSource(440, 8000, { durationMs: toneMs }), remote: { address: host, port: b.localPort } });
  const intruder = await loopbackUdp();
  let sent = 0;
  try {
    await waitFor(() => b.latchedRemote !== undefined, 'B latches A');
    // The intruder streams a 600 Hz tone as well-formed PCMU at the same pace, with its own SSRC.
    const tone = new ToneSource(600, 16000);
    const timer = setInterval(() => {
      const frame = tone.nextFrame()!;
      const bytes = serializeRtp({ payloadType: 0, sequenceNumber: sent & 0xffff, timestamp: (sent * 160) >>> 0, ssrc: 0xbad, payload: pcmu.encode(frame) });
      intruder.send(bytes, b.localPort, host);
      sent++;
    }, 20);
    await sourceEnded(a);
    clearInterval(timer);
    await new Promise((r) => setTimeout(r, 100));
  } finally {
    await a.close();
    await b.close();
    await closeSocket(intruder);
  }
  const samples = atB.samples();
  assertTone(samples, 440, 'B’s recording');
  assert.ok(sent > 50);
  assert.equal(b.stats().droppedForeign, sent, 'every intruding packet dropped and counted');
  assert.ok(energyAt(samples, 8000, 600) / meanSquare(samples) < 0.001, 'no 600 Hz in the recording');
  assert.deepEqual(b.latchedRemote, { address: host, port: a.localPort });
  assert.equal(ports.inUse, 0);
});

test('10,000 garbage datagrams to B’s port during a call do not disturb the recording', async () => {
  const atB = new PcmCollector();
  const b = await open({ sink: atB });
  const a = await open({ source: new ToneSource(440, 8000, { durationMs: toneMs }), remote: { address: host, port: b.localPort } });
  const flooder = await loopbackUdp();
  let seed = 99;
  const rnd = (): number => (seed = (seed * 1103515245 + 12345) >>> 0) >>> 24;
  const garbage = (i: number): Uint8Array => {
    const len = 1 + (rnd() % 200);
    const b = Uint8Array.from({ length: len }, rnd);
    switch (i % 5) {
      case 0: // looks like RTP v2 with a random payload type
        if (len > 1) b[0] = 0x80 | (b[0]! & 0x3f);
        break;
      case 1: // a header shorter than 12 octets
        return b.subarray(0, Math.min(len, 11));
      case 2: // version 1
        b[0] = 0x40;
        break;
      case 3: // a valid PCMU packet carrying noise
        return serializeRtp({ payloadType: 0, sequenceNumber: i & 0xffff, timestamp: i * 160, ssrc: 0xbad, payload: b });
    }
    return b;
  };
  let sent = 0;
  try {
    await waitFor(() => b.latchedRemote !== undefined, 'B latches A');
    // 10,000 datagrams in bursts of 250 over about 1 s, in the middle of the tone.
    while (sent < 10_000) {
      await Promise.all(
        Array.from({ length: 250 }, () => {
          const bytes = garbage(sent++);
          return new Promise<void>((resolve) => flooder.send(bytes, b.localPort, host, () => resolve()));
        }),
      );
      await new Promise((r) => setTimeout(r, 25));
    }
    await sourceEnded(a);
    await new Promise((r) => setTimeout(r, 100));
  } finally {
    await a.close();
    await b.close();
    await closeSocket(flooder);
  }
  const s = b.stats();
  assertTone(atB.samples(), 440, 'B’s recording under the flood');
  assert.ok(s.malformed + s.droppedForeign >= 9_000, `flood accounted for: ${s.malformed} malformed, ${s.droppedForeign} foreign`);
  assert.ok(s.droppedForeign >= 1_800, 'the well-formed ones were dropped as foreign');
  assert.deepEqual(b.latchedRemote, { address: host, port: a.localPort });
  assert.equal(ports.inUse, 0);
});

test('RFC 4733: DTMF digits sent by A during a call are reported by B once each, in order', async () => {
  const b = await open({ sink: new PcmCollector() });
  const a = await open({ source: new ToneSource(440, 8000), remote: { address: host, port: b.localPort } });
  const digits: DtmfEvent[] = [];
  b.onDtmf = (e) => digits.push(e);
  try {
    await a.sendDtmf('1234567890*#ABCD', { durationMs: 60, pauseMs: 40 });
    await waitFor(() => digits.length === 16, '16 digits', 5000);
    await new Promise((r) => setTimeout(r, 100));
  } finally {
    await a.close();
    await b.close();
  }
  assert.equal(digits.map((d) => d.digit).join(''), '1234567890*#ABCD');
  assert.equal(b.stats().dtmfReceived, 16);
  assert.equal(ports.inUse, 0);
});

test('closing both endpoints frees their ports: the pool has none in use and the ports can be bound again', async () => {
  const b = await open({ sink: new PcmCollector() });
  const a = await open({ source: new ToneSource(440, 8000), remote: { address: host, port: b.localPort } });
  const used = [a.localPort, a.localRtcpPort, b.localPort, b.localRtcpPort];
  assert.equal(ports.inUse, 2);
  await waitFor(() => b.stats().packetsReceived > 5, 'audio flowing');
  await Promise.all([a.close(), b.close()]);
  assert.equal(ports.inUse, 0);
  for (const port of used) {
    const s = createSocket('udp4');
    await new Promise<void>((resolve, reject) => {
      s.once('error', reject);
      s.bind(port, host, () => resolve());
    });
    await closeSocket(s);
  }
});
