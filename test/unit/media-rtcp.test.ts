/** RFC 3550 6.4–6.6 RTCP codec, A.2 compound check, and the A.1/A.3/A.8 reception statistics. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  checkRtcpCompound,
  cnameOf,
  isRtcpPacket,
  ntpFromMs,
  ntpMiddle32,
  parseRtcp,
  sdesCname,
  sdesTool,
  serializeRtcp,
  type ReportBlock,
  type RtcpPacket,
} from '../../src/media/rtp/rtcp.js';
import { RtpReceiveStats } from '../../src/media/rtp/receive-stats.js';
import { serializeRtp } from '../../src/media/rtp/packet.js';

const block: ReportBlock = {
  ssrc: 0xaabbccdd,
  fractionLost: 25,
  cumulativeLost: -3,
  highestSequence: 0x0001_0005,
  jitter: 77,
  lastSr: 0x12345678,
  delaySinceLastSr: 65536,
};

const sr: RtcpPacket = {
  type: 'sr',
  ssrc: 1,
  ntpSeconds: 0xe0000000,
  ntpFraction: 0x80000000,
  rtpTimestamp: 123456,
  packetCount: 50,
  octetCount: 8000,
  reports: [block],
};
const sdes: RtcpPacket = { type: 'sdes', chunks: [{ ssrc: 1, items: [{ type: sdesCname, text: 'alice@127.0.0.1' }, { type: sdesTool, text: 'hometel ✓' }] }] };
const bye: RtcpPacket = { type: 'bye', ssrcs: [1, 2], reason: 'done' };

function parsed(bytes: Uint8Array): RtcpPacket[] {
  const r = parseRtcp(bytes);
  assert.ok(r.ok, r.ok ? '' : r.reason);
  return r.packets;
}

test('RFC 3550 6.4.1: a sender report with a report block round-trips (negative cumulative loss included)', () => {
  const bytes = serializeRtcp([sr]);
  assert.equal(bytes.length, 4 + 24 + 24);
  assert.equal(bytes[0], 0x81);
  assert.equal(bytes[1], 200);
  assert.equal((bytes[2]! << 8) | bytes[3]!, bytes.length / 4 - 1);
  assert.deepEqual(parsed(bytes), [sr]);
});

test('RFC 3550 6.4.2: a receiver report round-trips, with no blocks and with two', () => {
  const rr0: RtcpPacket = { type: 'rr', ssrc: 9, reports: [] };
  const rr2: RtcpPacket = { type: 'rr', ssrc: 9, reports: [block, { ...block, ssrc: 5, cumulativeLost: 0x7fffff }] };
  assert.equal(serializeRtcp([rr0]).length, 8);
  assert.deepEqual(parsed(serializeRtcp([rr0])), [rr0]);
  assert.deepEqual(parsed(serializeRtcp([rr2])), [rr2]);
});

test('RFC 3550 6.5: SDES chunks end with a null item and pad to 32 bits; UTF-8 text round-trips', () => {
  const bytes = serializeRtcp([sdes]);
  assert.equal(bytes.length % 4, 0);
  assert.deepEqual(parsed(bytes), [sdes]);
  assert.equal(cnameOf(parsed(bytes), 1), 'alice@127.0.0.1');
  assert.equal(cnameOf(parsed(bytes), 2), undefined);
  const two: RtcpPacket = { type: 'sdes', chunks: [{ ssrc: 1, items: [] }, { ssrc: 2, items: [{ type: sdesCname, text: 'abc' }] }] };
  assert.deepEqual(parsed(serializeRtcp([two])), [two]);
  assert.throws(() => serializeRtcp([{ type: 'sdes', chunks: [{ ssrc: 1, items: [{ type: 1, text: 'x'.repeat(256) }] }] }]), RangeError);
});

test('RFC 3550 6.6: BYE with and without a reason round-trips', () => {
  assert.deepEqual(parsed(serializeRtcp([bye])), [bye]);
  const plain: RtcpPacket = { type: 'bye', ssrcs: [7] };
  assert.deepEqual(parsed(serializeRtcp([plain])), [plain]);
});

test('RFC 3550 6.1 / A.2: a compound SR+SDES+BYE passes the check; one starting with SDES, or padded in the middle, does not', () => {
  const compound = serializeRtcp([sr, sdes, bye]);
  const ok = checkRtcpCompound(compound);
  assert.ok(ok.ok);
  assert.deepEqual(ok.packets.map((p) => p.type), ['sr', 'sdes', 'bye']);
  const wrongFirst = checkRtcpCompound(serializeRtcp([sdes, sr]));
  assert.equal(wrongFirst.ok, false);
  assert.ok(parseRtcp(serializeRtcp([sdes, sr])).ok, 'lenient parsing still reads it');
  // Set P on the first packet: only the last may be padded.
  const padded = serializeRtcp([{ type: 'rr', ssrc: 1, reports: [] }, sdes]);
  padded[0] = padded[0]! | 0x20;
  padded[7] = 4; // a plausible padding count inside the RR
  assert.equal(checkRtcpCompound(padded).ok, false);
});

test('RTCP packets of other types are carried through as raw bodies', () => {
  const app: RtcpPacket = { type: 'other', packetType: 204, count: 3, body: Uint8Array.of(0, 0, 0, 1, 0x41, 0x42, 0x43, 0x44) };
  assert.deepEqual(parsed(serializeRtcp([app])), [app]);
});

test('RTCP parsing refuses bad lengths, versions and padding without throwing', () => {
  const good = serializeRtcp([sr, sdes]);
  const cases: [string, Uint8Array][] = [
    ['empty', new Uint8Array(0)],
    ['three bytes', good.subarray(0, 3)],
    ['truncated', good.subarray(0, good.length - 4)],
    ['trailing bytes', Uint8Array.of(...good, 0x81)],
    ['version 1', Uint8Array.from(good, (b, i) => (i === 0 ? 0x41 : b))],
    ['length beyond datagram', Uint8Array.from(good, (b, i) => (i === 3 ? 0xff : b))],
    ['report count beyond the packet', Uint8Array.from(serializeRtcp([{ type: 'rr', ssrc: 1, reports: [] }]), (b, i) => (i === 0 ? 0x82 : b))],
    ['SDES item beyond the chunk', (() => {
      const b = serializeRtcp([sdes]);
      b[9] = 250;
      return b;
    })()],
  ];
  for (const [name, bytes] of cases) assert.equal(parseRtcp(bytes).ok, false, name);
  let seed = 7;
  const rnd = (): number => (seed = (seed * 1103515245 + 12345) >>> 0) >>> 24;
  for (let i = 0; i < 20000; i++) {
    const b = Uint8Array.from({ length: rnd() % 80 }, rnd);
    if (b.length > 1) {
      b[0] = 0x80 | (b[0]! & 0x3f);
      b[1] = 200 + (b[1]! % 5);
    }
    parseRtcp(b);
    checkRtcpCompound(b);
  }
});

test('RFC 5761 4: RTCP and RTP are told apart on a multiplexed port by the second octet', () => {
  assert.ok(isRtcpPacket(serializeRtcp([sr])));
  assert.ok(isRtcpPacket(serializeRtcp([{ type: 'rr', ssrc: 1, reports: [] }])));
  assert.ok(!isRtcpPacket(serializeRtp({ payloadType: 0, sequenceNumber: 1, timestamp: 1, ssrc: 1, payload: new Uint8Array(160) })));
  assert.ok(!isRtcpPacket(serializeRtp({ payloadType: 101, marker: true, sequenceNumber: 1, timestamp: 1, ssrc: 1, payload: new Uint8Array(4) })));
});

test('NTP timestamps from wall-clock ms, and the middle 32 bits for LSR', () => {
  const t = ntpFromMs(Date.UTC(2026, 0, 1) + 500);
  assert.equal(t.seconds, (Date.UTC(2026, 0, 1) / 1000 + 2_208_988_800) >>> 0);
  assert.equal(t.fraction, 0x80000000);
  assert.equal(ntpMiddle32(0x12345678, 0x9abcdef0), 0x56789abc);
});

test('RFC 3550 A.1/A.3: sequence tracking counts loss across the 16-bit wrap', () => {
  const s = new RtpReceiveStats(1, 65530);
  for (const seq of [65530, 65531, 65533, 65534, 65535, 0, 1, 3]) assert.notEqual(s.updateSequence(seq), 'bad');
  assert.equal(s.received, 8);
  assert.equal(s.extendedHighest, 65536 + 3);
  assert.equal(s.expected, 10);
  assert.equal(s.lost, 2);
  const i = s.interval();
  assert.equal(i.cumulativeLost, 2);
  assert.equal(i.fractionLost, Math.floor((2 * 256) / 10));
  assert.equal(i.highestSequence, 65539);
  assert.equal(s.interval().fractionLost, 0, 'a new interval with nothing new lost nothing');
});

test('RFC 3550 A.1: a duplicate counts (loss may go negative); a large jump is bad once, then restarts the stream', () => {
  const s = new RtpReceiveStats(1, 100);
  assert.equal(s.updateSequence(100), 'ok');
  assert.equal(s.updateSequence(102), 'ok');
  assert.equal(s.lost, 1);
  assert.equal(s.updateSequence(101), 'duplicate-or-reordered');
  assert.equal(s.lost, 0);
  assert.equal(s.updateSequence(101), 'duplicate-or-reordered');
  assert.equal(s.lost, -1);
  assert.equal(s.updateSequence(20000), 'bad');
  assert.equal(s.updateSequence(20001), 'restarted');
  assert.equal(s.received, 1);
  assert.equal(s.lost, 0);
});

test('RFC 3550 A.8: jitter stays 0 for perfectly paced packets and grows with irregular arrival', () => {
  const even = new RtpReceiveStats(1, 0);
  for (let k = 0; k < 50; k++) even.updateJitter(k * 160, 1_000_000 + k * 160);
  assert.equal(even.jitter, 0);
  const rough = new RtpReceiveStats(1, 0);
  for (let k = 0; k < 200; k++) rough.updateJitter((k * 160) >>> 0, 1_000_000 + k * 160 + (k % 2 === 0 ? 0 : 80));
  assert.ok(rough.jitter > 60 && rough.jitter <= 80, `jitter ${rough.jitter}`);
  // Across the 32-bit timestamp wrap the estimate does not jump.
  const wrap = new RtpReceiveStats(1, 0);
  for (let k = 0; k < 50; k++) wrap.updateJitter((0xffffff00 + k * 160) >>> 0, 5_000_000 + k * 160);
  assert.equal(wrap.jitter, 0);
});
