/**
 * The echo test endpoint's RTP side (src/app/echo/rtp-echo.ts) against raw UDP sockets on 127.0.0.1: every packet
 * of a negotiated payload type goes back to its sender with the payload untouched, on one SSRC of the echo's own
 * whose numbering continues when the sender changes SSRC; the first valid packet latches the peer, others and
 * other payload types are dropped; RTCP is never echoed; the port pair goes back to the pool on close.
 * RTP ports 49450–49459.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createSocket, type Socket } from 'node:dgram';
import { RtpEcho } from '../../src/app/echo/rtp-echo.js';
import { systemClock } from '../../src/base/clock.js';
import { silentLogger } from '../../src/base/logger.js';
import { PortPool } from '../../src/media/endpoint/port-pool.js';
import { parseRtp, serializeRtp, type RtpPacket } from '../../src/media/rtp/packet.js';
import { serializeRtcp } from '../../src/media/rtp/rtcp.js';
import { waitFor } from '../support/net.js';
import { sleep } from '../support/relay.js';

const host = '127.0.0.1';

interface Peer {
  readonly sock: Socket;
  readonly got: RtpPacket[];
  send(bytes: Uint8Array, port: number): void;
}

async function peer(): Promise<Peer> {
  const sock = createSocket('udp4');
  const got: RtpPacket[] = [];
  sock.on('message', (m) => {
    const r = parseRtp(m);
    got.push(r.ok ? r.packet : ({ payloadType: -1 } as RtpPacket));
  });
  await new Promise<void>((resolve) => sock.bind(0, host, resolve));
  return { sock, got, send: (bytes, port) => void sock.send(bytes, port, host) };
}

const packet = (ssrc: number, seq: number, payloadType = 0, marker = false): Uint8Array =>
  serializeRtp({ payloadType, marker, sequenceNumber: seq, timestamp: seq * 160, ssrc, payload: new Uint8Array(160).fill(seq & 0xff) });

test('every packet of a negotiated payload type comes back, payload untouched, on the echo’s own SSRC, numbering continued across a change of SSRC', async (t) => {
  const ports = new PortPool({ min: 49450, max: 49459 });
  const echo = await RtpEcho.open({ address: host, ports, clock: systemClock, logger: silentLogger });
  const a = await peer();
  t.after(() => a.sock.close());
  echo.accept([0, 101]);
  for (let seq = 1000; seq < 1010; seq++) a.send(packet(0xaaaa, seq), echo.localPort);
  await waitFor(() => a.got.length === 10, 'ten echoes');
  for (let seq = 7; seq < 12; seq++) a.send(packet(0xbbbb, seq, 101), echo.localPort);
  await waitFor(() => a.got.length === 15, 'five more');
  assert.deepEqual(new Set(a.got.map((p) => p.ssrc)).size, 1, 'one SSRC');
  assert.ok(![0xaaaa, 0xbbbb].includes(a.got[0]!.ssrc), 'not the sender’s');
  a.got.forEach((p, i) => {
    if (i > 0) assert.equal(p.sequenceNumber, (a.got[i - 1]!.sequenceNumber + 1) & 0xffff, `sequence continues at ${i}`);
    assert.equal(p.payload[0], i < 10 ? (1000 + i) & 0xff : 7 + i - 10, `payload ${i} untouched`);
    assert.equal(p.payloadType, i < 10 ? 0 : 101);
  });
  assert.equal(a.got[10]!.marker, true, 'the new source starts with the marker bit');
  assert.ok(((a.got[10]!.timestamp - a.got[9]!.timestamp) >>> 0) >= 160, 'its timestamp moves on by at least a frame');
  assert.deepEqual(echo.stats(), { received: 15, echoed: 15, droppedForeign: 0, malformed: 0, rtcpReceived: 0 });
  await echo.close();
  assert.equal(ports.inUse, 0, 'the port pair is back in the pool');
});

test('the first valid packet latches the peer: another sender, other payload types, garbage and RTCP get nothing back', async (t) => {
  const ports = new PortPool({ min: 49450, max: 49459 });
  const echo = await RtpEcho.open({ address: host, ports, clock: systemClock, logger: silentLogger });
  t.after(() => echo.close());
  const [a, b] = [await peer(), await peer()];
  t.after(() => {
    a.sock.close();
    b.sock.close();
  });
  echo.accept([8]);
  a.send(packet(1, 1, 0), echo.localPort); // µ-law was not negotiated: dropped, and it latches nothing
  b.send(Buffer.from('not RTP at all'), echo.localPort);
  b.send(packet(2, 1, 8), echo.localPort); // b latches
  a.send(packet(1, 2, 8), echo.localPort); // a is foreign now
  a.send(serializeRtcp([{ type: 'rr', ssrc: 1, reports: [] }]), echo.localPort + 1);
  await waitFor(() => b.got.length === 1, 'the echo to b');
  await sleep(200);
  assert.deepEqual(a.got, [], 'a gets nothing');
  assert.equal(echo.peer?.port, b.sock.address().port);
  assert.deepEqual(echo.stats(), { received: 1, echoed: 1, droppedForeign: 1, malformed: 2, rtcpReceived: 1 });
  // After a new offer (re-INVITE) the next valid packet latches afresh.
  echo.relatch();
  a.send(packet(1, 3, 8), echo.localPort);
  await waitFor(() => a.got.length === 1, 'the echo to a after relatching');
});
