/** RFC 3550 5.1 RTP packet codec and the wrapping sequence/timestamp arithmetic. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseRtp, serializeRtp, type RtpPacket } from '../../src/media/rtp/packet.js';
import { seqAdd, seqDiff, seqLess, tsAdd, tsDiff, tsLess } from '../../src/media/rtp/sequence.js';

function roundTrip(p: Parameters<typeof serializeRtp>[0]): RtpPacket {
  const r = parseRtp(serializeRtp(p));
  assert.ok(r.ok, r.ok ? '' : r.reason);
  return r.packet;
}

test('RFC 3550 5.1: a minimal packet round-trips and its header is laid out as the RFC draws it', () => {
  const bytes = serializeRtp({ payloadType: 0, sequenceNumber: 0x1234, timestamp: 0xdeadbeef, ssrc: 0x01020304, marker: true, payload: Uint8Array.of(1, 2, 3) });
  assert.deepEqual([...bytes.subarray(0, 12)], [0x80, 0x80, 0x12, 0x34, 0xde, 0xad, 0xbe, 0xef, 1, 2, 3, 4]);
  const p = roundTrip({ payloadType: 0, sequenceNumber: 0x1234, timestamp: 0xdeadbeef, ssrc: 0x01020304, marker: true, payload: Uint8Array.of(1, 2, 3) });
  assert.equal(p.marker, true);
  assert.equal(p.payloadType, 0);
  assert.equal(p.sequenceNumber, 0x1234);
  assert.equal(p.timestamp, 0xdeadbeef);
  assert.equal(p.ssrc, 0x01020304);
  assert.deepEqual([...p.payload], [1, 2, 3]);
  assert.deepEqual(p.csrcs, []);
  assert.equal(p.extension, undefined);
  assert.equal(p.paddingBytes, 0);
});

test('RFC 3550 5.1: extreme field values (PT 127, seq 65535, timestamp and SSRC 2^32−1) round-trip', () => {
  const p = roundTrip({ payloadType: 127, sequenceNumber: 65535, timestamp: 0xffffffff, ssrc: 0xffffffff, payload: new Uint8Array(0) });
  assert.equal(p.payloadType, 127);
  assert.equal(p.sequenceNumber, 65535);
  assert.equal(p.timestamp, 0xffffffff);
  assert.equal(p.ssrc, 0xffffffff);
  assert.equal(p.marker, false);
});

test('RFC 3550 5.1: padding — the P bit, and the last octet counts the padding, which is not payload', () => {
  const bytes = serializeRtp({ payloadType: 8, sequenceNumber: 1, timestamp: 2, ssrc: 3, payload: Uint8Array.of(9, 9), paddingBytes: 6 });
  assert.equal(bytes.length, 12 + 2 + 6);
  assert.equal(bytes[0]! & 0x20, 0x20);
  assert.equal(bytes[bytes.length - 1], 6);
  const p = roundTrip({ payloadType: 8, sequenceNumber: 1, timestamp: 2, ssrc: 3, payload: Uint8Array.of(9, 9), paddingBytes: 6 });
  assert.deepEqual([...p.payload], [9, 9]);
  assert.equal(p.paddingBytes, 6);
});

test('RFC 3550 5.1: a CSRC list of 15 sources round-trips', () => {
  const csrcs = Array.from({ length: 15 }, (_, i) => 0x10000000 + i);
  const p = roundTrip({ payloadType: 0, sequenceNumber: 1, timestamp: 2, ssrc: 3, csrcs, payload: Uint8Array.of(7) });
  assert.deepEqual(p.csrcs, csrcs);
  assert.deepEqual([...p.payload], [7]);
  assert.throws(() => serializeRtp({ payloadType: 0, sequenceNumber: 1, timestamp: 2, ssrc: 3, csrcs: [...csrcs, 1], payload: new Uint8Array(0) }), RangeError);
});

test('RFC 3550 5.3.1: a header extension round-trips with CSRCs and padding together', () => {
  const extension = { profile: 0xbede, data: Uint8Array.of(0x10, 0xaa, 0, 0, 1, 2, 3, 4) };
  const p = roundTrip({ payloadType: 0, sequenceNumber: 1, timestamp: 2, ssrc: 3, csrcs: [42], extension, payload: Uint8Array.of(5, 6), paddingBytes: 2 });
  assert.equal(p.extension?.profile, 0xbede);
  assert.deepEqual([...p.extension?.data ?? []], [...extension.data]);
  assert.deepEqual(p.csrcs, [42]);
  assert.deepEqual([...p.payload], [5, 6]);
  assert.throws(() => serializeRtp({ payloadType: 0, sequenceNumber: 1, timestamp: 2, ssrc: 3, extension: { profile: 1, data: new Uint8Array(3) }, payload: new Uint8Array(0) }), RangeError);
});

test('RFC 3550 5.1: bad packets are refused with a reason, never a throw', () => {
  const good = serializeRtp({ payloadType: 0, sequenceNumber: 1, timestamp: 2, ssrc: 3, payload: new Uint8Array(4) });
  const cases: [string, Uint8Array][] = [
    ['empty', new Uint8Array(0)],
    ['short header', good.subarray(0, 11)],
    ['version 1', Uint8Array.from(good, (b, i) => (i === 0 ? 0x40 : b))],
    ['version 0', Uint8Array.from(good, (b, i) => (i === 0 ? 0x00 : b))],
    ['version 3', Uint8Array.from(good, (b, i) => (i === 0 ? 0xc0 : b))],
    ['CSRC count beyond the packet', Uint8Array.from(good, (b, i) => (i === 0 ? 0x85 : b))],
    ['extension beyond the packet', Uint8Array.from(good, (b, i) => (i === 0 ? 0x90 : b)).subarray(0, 14)],
    ['extension length beyond the packet', (() => {
      const b = serializeRtp({ payloadType: 0, sequenceNumber: 1, timestamp: 2, ssrc: 3, extension: { profile: 1, data: new Uint8Array(4) }, payload: new Uint8Array(0) });
      b[15] = 9;
      return b;
    })()],
    ['padding count 0', Uint8Array.from(good, (b, i) => (i === 0 ? 0xa0 : i === good.length - 1 ? 0 : b))],
    ['padding beyond the packet', Uint8Array.from(good, (b, i) => (i === 0 ? 0xa0 : i === good.length - 1 ? 200 : b))],
  ];
  for (const [name, bytes] of cases) {
    const r = parseRtp(bytes);
    assert.equal(r.ok, false, name);
    if (!r.ok) assert.ok(r.reason.length > 0);
  }
  assert.equal(parseRtp('not bytes' as unknown as Uint8Array).ok, false);
});

test('RTP parsing never throws on random bytes', () => {
  let seed = 12345;
  const rnd = (): number => (seed = (seed * 1103515245 + 12345) >>> 0) >>> 24;
  for (let i = 0; i < 20000; i++) {
    const b = Uint8Array.from({ length: rnd() % 64 }, rnd);
    if (b.length > 0 && i % 2 === 0) b[0] = 0x80 | (b[0]! & 0x3f); // half of them look like version 2
    const r = parseRtp(b);
    if (r.ok) assert.ok(r.packet.payload.length + 12 <= b.length);
  }
});

test('serializeRtp refuses fields that do not fit', () => {
  const base = { payloadType: 0, sequenceNumber: 0, timestamp: 0, ssrc: 0, payload: new Uint8Array(0) };
  assert.throws(() => serializeRtp({ ...base, payloadType: 128 }), RangeError);
  assert.throws(() => serializeRtp({ ...base, sequenceNumber: 65536 }), RangeError);
  assert.throws(() => serializeRtp({ ...base, timestamp: -1 }), RangeError);
  assert.throws(() => serializeRtp({ ...base, ssrc: 2 ** 32 }), RangeError);
  assert.throws(() => serializeRtp({ ...base, paddingBytes: 256 }), RangeError);
});

test('sequence numbers wrap at 16 bits: 65535 + 1 is 0 and 0 comes after 65535', () => {
  assert.equal(seqAdd(65535, 1), 0);
  assert.equal(seqAdd(0, -1), 65535);
  assert.equal(seqAdd(65000, 1000), 464);
  assert.equal(seqDiff(0, 65535), 1);
  assert.equal(seqDiff(65535, 0), -1);
  assert.equal(seqDiff(100, 100), 0);
  assert.equal(seqDiff(32767, 0), 32767);
  assert.equal(seqDiff(32768, 0), -32768);
  assert.ok(seqLess(65535, 0));
  assert.ok(!seqLess(0, 65535));
  // A sender's stream across the wrap round-trips through the codec.
  let seq = 65533;
  for (let i = 0; i < 5; i++) {
    const p = roundTrip({ payloadType: 0, sequenceNumber: seq, timestamp: 0, ssrc: 1, payload: new Uint8Array(0) });
    assert.equal(p.sequenceNumber, (65533 + i) % 65536);
    seq = seqAdd(seq, 1);
  }
});

test('timestamps wrap at 32 bits', () => {
  assert.equal(tsAdd(0xffffff60, 160), 0);
  assert.equal(tsAdd(0xffffffff, 161), 160);
  assert.equal(tsAdd(0, -160), 0xffffff60);
  assert.equal(tsDiff(0, 0xffffff60), 160);
  assert.equal(tsDiff(0xffffff60, 0), -160);
  assert.equal(tsDiff(0x7fffffff, 0), 0x7fffffff);
  assert.equal(tsDiff(0x80000000, 0), -0x80000000);
  assert.ok(tsLess(0xffffff60, 0));
  assert.ok(!tsLess(160, 0));
});
