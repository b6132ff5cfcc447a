/**
 * The relay under abuse, on 127.0.0.1: RTP from an unexpected source after the Remote Party latched (WAN) or from
 * no TC of the Call (home) is dropped and counted and never heard; 100,000 garbage datagrams (paced) at the relay's
 * four ports do not disturb a running call; and every port goes back to the pool after a normal end and after
 * failures (no port left, a port held by another program, close while binding, close twice, peers gone).
 */
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { createSocket } from 'node:dgram';
import { systemClock } from '../../src/base/clock.js';
import { PcmCollector } from '../../src/media/audio/pcm-collector.js';
import { ToneSource } from '../../src/media/audio/sources.js';
import { pcmu } from '../../src/media/codecs/g711.js';
import { PortPool } from '../../src/media/endpoint/port-pool.js';
import { serializeRtp } from '../../src/media/rtp/packet.js';
import { RelayMediaPlane } from '../../src/media/bridge/index.js';
import { MediaResourceError } from '../../src/media/relay/relay-session.js';
import { closeSocket, loopbackUdp, waitFor } from '../support/net.js';
import { assertTone, connectCall, host, openPeer, relayLogger, sdpOf, share, sleep, sourceEnded, relayRig } from '../support/relay.js';

const { peers, plane, close } = relayRig(28000);

after(close);

test('intruders: RTP from another source after latching (WAN) and from no TC (home) is dropped, counted and never heard', async () => {
  const atTc = new PcmCollector();
  const atRemote = new PcmCollector();
  const tc = await openPeer(peers, { sink: atTc, source: new ToneSource(1000, 8000, { durationMs: 2000 }) });
  const remote = await openPeer(peers, { sink: atRemote, source: new ToneSource(440, 8000, { durationMs: 2000 }) });
  const ended = Promise.all([sourceEnded(tc), sourceEnded(remote)]);
  const intruder = await loopbackUdp();
  const cm = plane.openCall('intruders');
  let sent = 0;
  try {
    const { wanPort, homePort } = await connectCall(cm, { ep: remote, id: 'remote' }, [{ ep: tc, id: 'media1' }]);
    await waitFor(() => cm.stats().streams[0]!.remote.latched !== undefined, 'the Remote Party latches');
    // Well-formed PCMU (600 Hz, its own SSRC) at the Remote Party's pace, to both relay ports.
    const tone = new ToneSource(600, 16000);
    const timer = setInterval(() => {
      const bytes = serializeRtp({ payloadType: 0, sequenceNumber: sent & 0xffff, timestamp: (sent * 160) >>> 0, ssrc: 0xbad, payload: pcmu.encode(tone.nextFrame()!) });
      intruder.send(bytes, wanPort, host);
      intruder.send(bytes, homePort, host);
      sent++;
    }, 20);
    await ended;
    clearInterval(timer);
    await sleep(100);
    const s = cm.stats().streams[0]!;
    assert.ok(sent > 50);
    assert.equal(s.remote.droppedForeign, sent, 'every intruding packet on the WAN port dropped and counted');
    assert.equal(s.unknownSource, sent, 'every intruding packet on the home port dropped and counted');
    assert.equal(s.remote.latched, `${host}:${remote.localPort}`, 'the latch did not move');
  } finally {
    await Promise.all([tc.close(), remote.close(), closeSocket(intruder)]);
    await cm.close();
  }
  assertTone(atTc.samples(), 440, 2000, 'the TC’s recording');
  assertTone(atRemote.samples(), 1000, 2000, 'the Remote Party’s recording');
  assert.ok(share(atTc.samples(), 600) < 0.001 && share(atRemote.samples(), 600) < 0.001, 'no 600 Hz anywhere');
});

test('100,000 garbage datagrams (paced) at the relay’s RTP and RTCP ports do not disturb a running call', async (t) => {
  const toneMs = 5000;
  const atTc = new PcmCollector();
  const atRemote = new PcmCollector();
  const tc = await openPeer(peers, { sink: atTc, source: new ToneSource(1000, 8000, { durationMs: toneMs }) });
  const remote = await openPeer(peers, { sink: atRemote, source: new ToneSource(440, 8000, { durationMs: toneMs }) });
  // Listened for now: on a loaded machine the flood can outlast the tones, and a later listener would wait forever.
  const ended = Promise.all([sourceEnded(tc), sourceEnded(remote)]);
  const flooder = await loopbackUdp();
  const cm = plane.openCall('flood');
  let seed = 7;
  const rnd = (): number => (seed = (seed * 1103515245 + 12345) >>> 0) >>> 24;
  const garbage = (i: number): Uint8Array => {
    const len = 1 + (rnd() % 300);
    const b = Uint8Array.from({ length: len }, rnd);
    switch (i % 6) {
      case 0: // RTP v2 with a random payload type
        b[0] = 0x80 | (b[0]! & 0x3f);
        return b;
      case 1: // shorter than an RTP header
        return b.subarray(0, Math.min(len, 11));
      case 2: // a well-formed PCMU packet carrying noise, from a source that is nobody
        return serializeRtp({ payloadType: 0, sequenceNumber: i & 0xffff, timestamp: (i * 160) >>> 0, ssrc: 0xbad, payload: b });
      case 3: // looks like RTCP (version 2, SR) but is not
        if (len > 1) b[1] = 200;
        b[0] = 0x80;
        return b;
      case 4: // a well-formed telephone-event packet
        return serializeRtp({ payloadType: 101, sequenceNumber: i & 0xffff, timestamp: 0, ssrc: 0xbad, payload: Uint8Array.of(1, 0x0a, 0, 160) });
      default:
        return b;
    }
  };
  let sent = 0;
  let elapsed = 0;
  try {
    const { wanPort, homePort } = await connectCall(cm, { ep: remote, id: 'remote' }, [{ ep: tc, id: 'media1' }]);
    await waitFor(() => cm.stats().streams[0]!.remote.latched !== undefined, 'the Remote Party latches');
    const targets = [wanPort, wanPort + 1, homePort, homePort + 1];
    const start = Date.now();
    // 100,000 datagrams in bursts of 400 every 8 ms (paced so that the kernel's socket buffers keep up), during the tones.
    while (sent < 100_000) {
      await Promise.all(
        Array.from({ length: 400 }, () => {
          const i = sent++;
          return new Promise<void>((resolve) => flooder.send(garbage(i), targets[i % 4], host, () => resolve()));
        }),
      );
      await sleep(8);
    }
    elapsed = Date.now() - start;
    await ended;
    await sleep(100);
    const s = cm.stats().streams[0]!;
    const accounted = s.remote.malformed + s.remote.droppedForeign + s.unknownSource + s.homeMalformed;
    t.diagnostic(`${sent} datagrams in ${elapsed} ms; ${accounted} dropped and counted by the relay (any rest lost in socket buffers)`);
    assert.ok(accounted >= 90_000, `flood accounted for: ${JSON.stringify({ ...s, clients: undefined })}`);
    assert.equal(s.remote.latched, `${host}:${remote.localPort}`);
    assert.equal(s.remote.eventsReceived + s.clients[0]!.eventsReceived, 0, 'no forged event relayed');
  } finally {
    await Promise.all([tc.close(), remote.close(), closeSocket(flooder)]);
    await cm.close();
  }
  assert.ok(elapsed < toneMs, `the flood (${elapsed} ms) ran during the tones`);
  assertTone(atTc.samples(), 440, toneMs, 'the TC’s recording under the flood');
  assertTone(atRemote.samples(), 1000, toneMs, 'the Remote Party’s recording under the flood');
});

test('every port goes back to the pool: normal end, no port left, a port held by another program, close while binding, close twice', async () => {
  const small = new PortPool({ min: 28400, max: 28403 }); // two pairs
  const tight = new RelayMediaPlane({ address: host, ports: small, clock: systemClock, logger: relayLogger });
  const tc = await openPeer(peers);
  const remote = await openPeer(peers);

  // No port left: the first stream takes both pairs (WAN and home), the second stream finds none.
  const a = tight.openCall('exhausted');
  a.homeSdp(sdpOf(remote));
  assert.throws(() => a.wanSdp(sdpOf(tc, [pcmu], { video: 5000 })), MediaResourceError);
  assert.equal(small.inUse, 2);
  const starved = tight.openCall('starved');
  assert.match(starved.homeSdp(sdpOf(remote)), /m=audio 0 /, 'the home SDP says port 0 rather than failing');
  await Promise.all([a.close(), starved.close()]);
  assert.equal(small.inUse, 0);

  // A port held by another program: binding fails, the stream stays silent, close still releases it.
  const squatter = createSocket('udp4');
  await new Promise<void>((r) => squatter.bind(small.min + 2, host, r));
  const b = tight.openCall('squatted');
  b.wanSdp(sdpOf(tc)); // 28400 (free)
  b.homeSdp(sdpOf(remote)); // 28402 (held)
  await b.ready();
  await b.close();
  await closeSocket(squatter);
  assert.equal(small.inUse, 0);

  // Close while the sockets are still binding, then close again.
  const c = tight.openCall('hasty');
  c.wanSdp(sdpOf(tc));
  c.homeSdp(sdpOf(remote));
  await Promise.all([c.close(), c.close()]);
  await c.close();
  assert.equal(small.inUse, 0);
  assert.throws(() => c.wanSdp(sdpOf(tc)), /closed/);

  // A normal call whose peers vanish before the end.
  const d = tight.openCall('vanished');
  await connectCall(d, { ep: remote, id: 'remote' }, [{ ep: tc, id: 'media1' }]);
  await Promise.all([tc.close(), remote.close()]);
  await sleep(50);
  await d.close();
  assert.equal(small.inUse, 0);
  assert.equal(tight.openCalls, 0);
  await tight.close();
});

test('the plane’s packet totals (metrics): what every leg relayed and dropped, kept after a TC leaves and after the Call closes', async () => {
  const tc = await openPeer(peers, { sink: new PcmCollector(), source: new ToneSource(1000, 8000, { durationMs: 600 }) });
  const remote = await openPeer(peers, { sink: new PcmCollector(), source: new ToneSource(440, 8000, { durationMs: 600 }) });
  // Listened for at once: setting up the call may take longer than the tones on a loaded machine.
  const ended = Promise.all([sourceEnded(tc), sourceEnded(remote)]);
  const intruder = await loopbackUdp();
  const before = plane.packetTotals();
  const cm = plane.openCall('totals');
  let during: ReturnType<typeof plane.packetTotals> | undefined;
  try {
    const { wanPort } = await connectCall(cm, { ep: remote, id: 'remote' }, [{ ep: tc, id: 'media1' }]);
    await waitFor(() => cm.stats().streams[0]!.remote.latched !== undefined, 'the Remote Party latches');
    for (let i = 0; i < 10; i++) intruder.send(serializeRtp({ payloadType: 0, sequenceNumber: i, timestamp: i * 160, ssrc: 0xbad, payload: new Uint8Array(160) }), wanPort, host);
    intruder.send(Uint8Array.of(1, 2, 3), wanPort, host);
    await ended;
    await Promise.all([tc.close(), remote.close()]);
    await sleep(100);
    const s = cm.stats().streams[0]!;
    during = plane.packetTotals();
    assert.ok(s.remote.packetsSent > 0 && s.clients[0]!.packetsSent > 0, JSON.stringify(s));
    assert.deepEqual(
      { relayed: during.relayed - before.relayed, foreign: during.foreign - before.foreign, malformed: during.malformed - before.malformed },
      { relayed: s.remote.packetsSent + s.clients[0]!.packetsSent, foreign: 10, malformed: 1 },
    );
    cm.setClients([], { join: false });
    assert.deepEqual(plane.packetTotals(), during, 'the TC’s leg left the stream, its packets stay counted');
  } finally {
    await closeSocket(intruder);
    await cm.close();
  }
  assert.deepEqual(plane.packetTotals(), during, 'the Call closed, its packets stay counted');
});
