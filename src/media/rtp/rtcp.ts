/**
 * RTCP codec, the minimum a G.711 endpoint needs (RFC 3550 6.4–6.6): SR, RR, SDES, BYE; any other packet type
 * (APP, feedback, XR) is carried through as `other`. Parsing never throws; serializing throws a RangeError
 * on values that do not fit (our own bugs, never network input).
 *
 * `parseRtcp` reads a (compound) datagram leniently — each packet checked for version and length.
 * `checkRtcpCompound` adds RFC 3550 A.2's header validity checks for a compound packet: the first packet is
 * an SR or RR, only the last may be padded, and the lengths add up to the datagram.
 */
import { errorMessage } from '../../base/index.js';

export const rtcpSr = 200;
export const rtcpRr = 201;
export const rtcpSdes = 202;
export const rtcpBye = 203;
export const rtcpApp = 204;

/** RFC 3550 6.5: SDES item types. */
export const sdesCname = 1;
export const sdesName = 2;
export const sdesTool = 6;

/** RFC 3550 6.4.1: one reception report block. */
export interface ReportBlock {
  readonly ssrc: number;
  /** Fraction of packets lost since the last report, in 1/256 (0–255). */
  readonly fractionLost: number;
  /** Cumulative packets lost, signed 24 bits (duplicates can make it negative). */
  readonly cumulativeLost: number;
  /** Extended highest sequence number received (cycles << 16 | highest). */
  readonly highestSequence: number;
  /** Interarrival jitter in timestamp units. */
  readonly jitter: number;
  /** Middle 32 bits of the NTP timestamp of the last SR received (0 if none). */
  readonly lastSr: number;
  /** Delay since that SR, in 1/65536 s. */
  readonly delaySinceLastSr: number;
}

export interface SenderReport {
  readonly type: 'sr';
  readonly ssrc: number;
  readonly ntpSeconds: number;
  readonly ntpFraction: number;
  readonly rtpTimestamp: number;
  readonly packetCount: number;
  readonly octetCount: number;
  readonly reports: readonly ReportBlock[];
}

export interface ReceiverReport {
  readonly type: 'rr';
  readonly ssrc: number;
  readonly reports: readonly ReportBlock[];
}

export interface SdesItem {
  readonly type: number;
  readonly text: string;
}

export interface SdesChunk {
  readonly ssrc: number;
  readonly items: readonly SdesItem[];
}

export interface SourceDescription {
  readonly type: 'sdes';
  readonly chunks: readonly SdesChunk[];
}

export interface Goodbye {
  readonly type: 'bye';
  readonly ssrcs: readonly number[];
  readonly reason?: string;
}

/** A packet type this codec does not interpret (APP, RTPFB, PSFB, XR …): header fields and raw body. */
export interface OtherRtcp {
  readonly type: 'other';
  readonly packetType: number;
  /** The 5-bit count/subtype field. */
  readonly count: number;
  /** The octets after the 4-octet header, without padding. */
  readonly body: Uint8Array;
}

export type RtcpPacket = SenderReport | ReceiverReport | SourceDescription | Goodbye | OtherRtcp;

export type RtcpParseResult = { readonly ok: true; readonly packets: RtcpPacket[] } | { readonly ok: false; readonly reason: string };

const fail = (reason: string): { ok: false; reason: string } => ({ ok: false, reason });

/** RFC 5761 4: on a multiplexed port, a second octet of 192–223 (PT 64–95 with marker) is RTCP. */
export function isRtcpPacket(data: Uint8Array): boolean {
  const b1 = data[1];
  return data.length >= 8 && b1 !== undefined && b1 >= 192 && b1 <= 223;
}

interface Framed {
  readonly packetType: number;
  readonly count: number;
  readonly padded: boolean;
  /** Body without the header and without padding. */
  readonly body: DataView;
  readonly bodyBytes: Uint8Array;
}

function frame(data: Uint8Array): { ok: true; frames: Framed[] } | { ok: false; reason: string } {
  const frames: Framed[] = [];
  const view = new DataView(data.buffer, data.byteOffset, data.byteLength);
  let offset = 0;
  if (data.length < 4) return fail(`${data.length} bytes is shorter than an RTCP header`);
  while (offset < data.length) {
    if (data.length - offset < 4) return fail('trailing bytes after the last RTCP packet');
    const b0 = data[offset]!;
    if (b0 >> 6 !== 2) return fail(`RTCP version ${b0 >> 6}`);
    const bytes = (view.getUint16(offset + 2) + 1) * 4;
    if (offset + bytes > data.length) return fail('RTCP length exceeds the datagram');
    let end = offset + bytes;
    const padded = (b0 & 0x20) !== 0;
    if (padded) {
      const pad = data[end - 1]!;
      if (pad === 0 || pad > bytes - 4) return fail('bad RTCP padding');
      end -= pad;
    }
    const bodyBytes = data.subarray(offset + 4, end);
    frames.push({
      packetType: data[offset + 1]!,
      count: b0 & 0x1f,
      padded,
      body: new DataView(bodyBytes.buffer, bodyBytes.byteOffset, bodyBytes.byteLength),
      bodyBytes,
    });
    offset += bytes;
  }
  return { ok: true, frames };
}

function reportBlocks(body: DataView, offset: number, count: number): ReportBlock[] | undefined {
  if (body.byteLength < offset + 24 * count) return undefined;
  const out: ReportBlock[] = [];
  for (let i = 0; i < count; i++, offset += 24) {
    const lostWord = body.getUint32(offset + 4);
    const cum = lostWord & 0xffffff;
    out.push({
      ssrc: body.getUint32(offset),
      fractionLost: lostWord >>> 24,
      cumulativeLost: cum & 0x800000 ? cum - 0x1000000 : cum,
      highestSequence: body.getUint32(offset + 8),
      jitter: body.getUint32(offset + 12),
      lastSr: body.getUint32(offset + 16),
      delaySinceLastSr: body.getUint32(offset + 20),
    });
  }
  return out;
}

const utf8 = new TextDecoder('utf-8', { fatal: false });

function parseSdes(f: Framed): SourceDescription | string {
  const chunks: SdesChunk[] = [];
  const b = f.bodyBytes;
  let offset = 0;
  for (let c = 0; c < f.count; c++) {
    if (b.length < offset + 4) return 'SDES chunk exceeds the packet';
    const ssrc = f.body.getUint32(offset);
    offset += 4;
    const items: SdesItem[] = [];
    for (;;) {
      if (offset >= b.length) return 'SDES chunk without an end item';
      const type = b[offset]!;
      if (type === 0) {
        offset += 1;
        offset = (offset + 3) & ~3; // null octets up to the next 32-bit boundary
        break;
      }
      if (b.length < offset + 2) return 'SDES item exceeds the packet';
      const len = b[offset + 1]!;
      if (b.length < offset + 2 + len) return 'SDES item exceeds the packet';
      items.push({ type, text: utf8.decode(b.subarray(offset + 2, offset + 2 + len)) });
      offset += 2 + len;
    }
    chunks.push({ ssrc, items });
  }
  return { type: 'sdes', chunks };
}

function parseBye(f: Framed): Goodbye | string {
  const b = f.bodyBytes;
  if (b.length < 4 * f.count) return 'BYE source list exceeds the packet';
  const ssrcs: number[] = [];
  for (let i = 0; i < f.count; i++) ssrcs.push(f.body.getUint32(4 * i));
  const at = 4 * f.count;
  if (b.length > at) {
    const len = b[at]!;
    if (b.length < at + 1 + len) return 'BYE reason exceeds the packet';
    return { type: 'bye', ssrcs, reason: utf8.decode(b.subarray(at + 1, at + 1 + len)) };
  }
  return { type: 'bye', ssrcs };
}

function interpret(f: Framed): RtcpPacket | string {
  switch (f.packetType) {
    case rtcpSr: {
      if (f.body.byteLength < 24) return 'SR shorter than its sender info';
      const reports = reportBlocks(f.body, 24, f.count);
      if (!reports) return 'SR report blocks exceed the packet';
      return {
        type: 'sr',
        ssrc: f.body.getUint32(0),
        ntpSeconds: f.body.getUint32(4),
        ntpFraction: f.body.getUint32(8),
        rtpTimestamp: f.body.getUint32(12),
        packetCount: f.body.getUint32(16),
        octetCount: f.body.getUint32(20),
        reports,
      };
    }
    case rtcpRr: {
      if (f.body.byteLength < 4) return 'RR without its SSRC';
      const reports = reportBlocks(f.body, 4, f.count);
      if (!reports) return 'RR report blocks exceed the packet';
      return { type: 'rr', ssrc: f.body.getUint32(0), reports };
    }
    case rtcpSdes:
      return parseSdes(f);
    case rtcpBye:
      return parseBye(f);
    default:
      return { type: 'other', packetType: f.packetType, count: f.count, body: f.bodyBytes.slice() };
  }
}

/** Parses an RTCP datagram (one packet or a compound). Never throws. */
export function parseRtcp(data: Uint8Array): RtcpParseResult {
  try {
    if (!(data instanceof Uint8Array)) return fail('not bytes');
    const framed = frame(data);
    if (!framed.ok) return framed;
    const packets: RtcpPacket[] = [];
    for (const f of framed.frames) {
      const p = interpret(f);
      if (typeof p === 'string') return fail(p);
      packets.push(p);
    }
    return { ok: true, packets };
  } catch (e) {
    return fail(`internal RTCP parser error: ${errorMessage(e)}`);
  }
}

/**
 * RFC 3550 A.2 and 6.1: a valid compound packet — version 2 throughout, the first packet an SR or RR, padding only
 * on the last one, lengths adding up to the datagram — and, beyond A.2, every packet well-formed. Never throws.
 */
export function checkRtcpCompound(data: Uint8Array): RtcpParseResult {
  if (!(data instanceof Uint8Array)) return fail('not bytes');
  const framed = frame(data);
  if (!framed.ok) return framed;
  const first = framed.frames[0];
  if (!first || (first.packetType !== rtcpSr && first.packetType !== rtcpRr)) return fail('a compound RTCP packet must start with an SR or RR');
  if (framed.frames.slice(0, -1).some((f) => f.padded)) return fail('only the last RTCP packet of a compound may be padded');
  return parseRtcp(data);
}

function checkUint(name: string, value: number, bits: number): void {
  if (!Number.isInteger(value) || value < 0 || value >= 2 ** bits) throw new RangeError(`RTCP ${name} ${value} is not a ${bits}-bit unsigned integer`);
}

const utf8Encoder = new TextEncoder();

function text255(name: string, s: string): Uint8Array {
  const bytes = utf8Encoder.encode(s);
  if (bytes.length > 255) throw new RangeError(`RTCP ${name} is longer than 255 octets`);
  return bytes;
}

class Writer {
  private readonly parts: Uint8Array[] = [];
  private size = 0;
  u8(v: number): void {
    this.push(Uint8Array.of(v));
  }
  u32(v: number): void {
    const b = new Uint8Array(4);
    new DataView(b.buffer).setUint32(0, v >>> 0);
    this.push(b);
  }
  bytes(b: Uint8Array): void {
    this.push(b);
  }
  zeroTo4(): void {
    while (this.size % 4 !== 0) this.u8(0);
  }
  get length(): number {
    return this.size;
  }
  done(): Uint8Array {
    const out = new Uint8Array(this.size);
    let o = 0;
    for (const p of this.parts) {
      out.set(p, o);
      o += p.length;
    }
    return out;
  }
  private push(b: Uint8Array): void {
    this.parts.push(b);
    this.size += b.length;
  }
}

function writeReports(w: Writer, reports: readonly ReportBlock[]): void {
  for (const r of reports) {
    checkUint('report SSRC', r.ssrc, 32);
    checkUint('fraction lost', r.fractionLost, 8);
    if (!Number.isInteger(r.cumulativeLost)) throw new RangeError('RTCP cumulative lost must be an integer');
    // RFC 3550 6.4.1: clamp to the signed 24-bit range.
    const cum = Math.max(-0x800000, Math.min(0x7fffff, r.cumulativeLost));
    w.u32(r.ssrc);
    w.u32(((r.fractionLost << 24) | (cum & 0xffffff)) >>> 0);
    writeU32s(w, [
      ['highest sequence', r.highestSequence],
      ['jitter', r.jitter],
      ['LSR', r.lastSr],
      ['DLSR', r.delaySinceLastSr],
    ]);
  }
}

/** 32-bit fields in order, each checked (its name goes into the RangeError). */
function writeU32s(w: Writer, fields: readonly (readonly [string, number])[]): void {
  for (const [name, v] of fields) {
    checkUint(name, v, 32);
    w.u32(v);
  }
}

function body(p: RtcpPacket): { count: number; packetType: number; bytes: Uint8Array } {
  const w = new Writer();
  switch (p.type) {
    case 'sr':
      if (p.reports.length > 31) throw new RangeError('at most 31 report blocks');
      writeU32s(w, [
        ['SSRC', p.ssrc],
        ['NTP seconds', p.ntpSeconds],
        ['NTP fraction', p.ntpFraction],
        ['RTP timestamp', p.rtpTimestamp],
        ['packet count', p.packetCount],
        ['octet count', p.octetCount],
      ]);
      writeReports(w, p.reports);
      return { count: p.reports.length, packetType: rtcpSr, bytes: w.done() };
    case 'rr':
      if (p.reports.length > 31) throw new RangeError('at most 31 report blocks');
      checkUint('SSRC', p.ssrc, 32);
      w.u32(p.ssrc);
      writeReports(w, p.reports);
      return { count: p.reports.length, packetType: rtcpRr, bytes: w.done() };
    case 'sdes':
      if (p.chunks.length > 31) throw new RangeError('at most 31 SDES chunks');
      for (const c of p.chunks) {
        checkUint('SSRC', c.ssrc, 32);
        w.u32(c.ssrc);
        for (const item of c.items) {
          checkUint('SDES item type', item.type, 8);
          if (item.type === 0) throw new RangeError('SDES item type 0 is the end marker');
          const t = text255('SDES item', item.text);
          w.u8(item.type);
          w.u8(t.length);
          w.bytes(t);
        }
        w.u8(0); // end of the item list, then null octets to the boundary
        w.zeroTo4();
      }
      return { count: p.chunks.length, packetType: rtcpSdes, bytes: w.done() };
    case 'bye':
      if (p.ssrcs.length > 31) throw new RangeError('at most 31 SSRCs in a BYE');
      for (const s of p.ssrcs) {
        checkUint('SSRC', s, 32);
        w.u32(s);
      }
      if (p.reason !== undefined) {
        const t = text255('BYE reason', p.reason);
        w.u8(t.length);
        w.bytes(t);
        w.zeroTo4();
      }
      return { count: p.ssrcs.length, packetType: rtcpBye, bytes: w.done() };
    case 'other':
      checkUint('packet type', p.packetType, 8);
      checkUint('count', p.count, 5);
      if (p.body.length % 4 !== 0) throw new RangeError('RTCP packet body must be 32-bit words');
      return { count: p.count, packetType: p.packetType, bytes: p.body };
  }
}

/** Serializes RTCP packets back to back (a compound packet when there are several). */
export function serializeRtcp(packets: readonly RtcpPacket[]): Uint8Array {
  const parts = packets.map((p) => {
    const b = body(p);
    const words = b.bytes.length / 4; // (4 + body) / 4 − 1
    if (words > 0xffff) throw new RangeError('RTCP packet too long');
    const out = new Uint8Array(4 + b.bytes.length);
    const view = new DataView(out.buffer);
    out[0] = 0x80 | b.count;
    out[1] = b.packetType;
    view.setUint16(2, words);
    out.set(b.bytes, 4);
    return out;
  });
  const total = parts.reduce((n, p) => n + p.length, 0);
  const out = new Uint8Array(total);
  let o = 0;
  for (const p of parts) {
    out.set(p, o);
    o += p.length;
  }
  return out;
}

/** The CNAME of the first SDES chunk for `ssrc` in `packets`, if any. */
export function cnameOf(packets: readonly RtcpPacket[], ssrc: number): string | undefined {
  for (const p of packets) {
    if (p.type !== 'sdes') continue;
    for (const c of p.chunks) if (c.ssrc === ssrc) return c.items.find((i) => i.type === sdesCname)?.text;
  }
  return undefined;
}

/** Seconds between the NTP epoch (1900) and the Unix epoch (1970). */
const ntpUnixOffset = 2_208_988_800;

/** A wall-clock time in ms since 1970 as a 64-bit NTP timestamp (RFC 3550 4). */
export function ntpFromMs(ms: number): { seconds: number; fraction: number } {
  const whole = Math.floor(ms / 1000);
  const seconds = (whole + ntpUnixOffset) >>> 0;
  const fraction = Math.floor(((ms - whole * 1000) / 1000) * 0x1_0000_0000) >>> 0;
  return { seconds, fraction };
}

/** The middle 32 bits of an NTP timestamp, as LSR carries it (RFC 3550 6.4.1). */
export function ntpMiddle32(seconds: number, fraction: number): number {
  return (((seconds & 0xffff) << 16) | (fraction >>> 16)) >>> 0;
}
