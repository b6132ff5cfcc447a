/**
 * RTP packet codec (RFC 3550 5.1): bytes ⇄ `RtpPacket`.
 *
 * Parsing is a pure function of the bytes that never throws: a datagram that is not a well-formed RTP
 * packet (wrong version, too short for its CSRC list, header extension or padding) is `{ ok: false, reason }`.
 * Serializing checks the fields it is given and throws on values that cannot be encoded — those come from
 * our own code, never from the network.
 */

/** RFC 3550 5.1: the fixed header is 12 octets. */
export const rtpHeaderBytes = 12;

/** RFC 3550 5.3.1: a header extension (profile-defined 16 bits, then 32-bit words of data). */
export interface RtpHeaderExtension {
  readonly profile: number;
  /** The extension data; its length is a multiple of 4 octets. */
  readonly data: Uint8Array;
}

export interface RtpPacket {
  readonly marker: boolean;
  readonly payloadType: number;
  readonly sequenceNumber: number;
  readonly timestamp: number;
  readonly ssrc: number;
  /** Up to 15 contributing sources (RFC 3550 5.1 CC). */
  readonly csrcs: readonly number[];
  readonly extension?: RtpHeaderExtension;
  readonly payload: Uint8Array;
  /** Padding octets after the payload (the last one is the count); 0 for none. */
  readonly paddingBytes: number;
}

export type RtpParseResult = { readonly ok: true; readonly packet: RtpPacket } | { readonly ok: false; readonly reason: string };

const fail = (reason: string): RtpParseResult => ({ ok: false, reason });

/** Parses one RTP packet (the whole datagram). Never throws. */
export function parseRtp(data: Uint8Array): RtpParseResult {
  if (!(data instanceof Uint8Array)) return fail('not bytes');
  const len = data.length;
  if (len < rtpHeaderBytes) return fail(`${len} bytes is shorter than the RTP header`);
  const b0 = data[0]!;
  const b1 = data[1]!;
  const version = b0 >> 6;
  if (version !== 2) return fail(`RTP version ${version}`);
  const padding = (b0 & 0x20) !== 0;
  const hasExtension = (b0 & 0x10) !== 0;
  const cc = b0 & 0x0f;
  const view = new DataView(data.buffer, data.byteOffset, data.byteLength);
  let offset = rtpHeaderBytes;
  if (len < offset + 4 * cc) return fail(`CSRC count ${cc} exceeds the packet`);
  const csrcs: number[] = [];
  for (let i = 0; i < cc; i++, offset += 4) csrcs.push(view.getUint32(offset));
  let extension: RtpHeaderExtension | undefined;
  if (hasExtension) {
    if (len < offset + 4) return fail('header extension exceeds the packet');
    const profile = view.getUint16(offset);
    const words = view.getUint16(offset + 2);
    offset += 4;
    if (len < offset + 4 * words) return fail('header extension length exceeds the packet');
    extension = { profile, data: data.slice(offset, offset + 4 * words) };
    offset += 4 * words;
  }
  let end = len;
  let paddingBytes = 0;
  if (padding) {
    paddingBytes = data[len - 1]!;
    // RFC 3550 5.1: the count includes itself, so it is at least 1.
    if (paddingBytes === 0) return fail('padding count 0');
    if (offset + paddingBytes > len) return fail('padding exceeds the packet');
    end = len - paddingBytes;
  }
  return {
    ok: true,
    packet: {
      marker: (b1 & 0x80) !== 0,
      payloadType: b1 & 0x7f,
      sequenceNumber: view.getUint16(2),
      timestamp: view.getUint32(4),
      ssrc: view.getUint32(8),
      csrcs,
      ...(extension ? { extension } : {}),
      payload: data.slice(offset, end),
      paddingBytes,
    },
  };
}

export interface RtpPacketInit {
  readonly marker?: boolean;
  readonly payloadType: number;
  readonly sequenceNumber: number;
  readonly timestamp: number;
  readonly ssrc: number;
  readonly csrcs?: readonly number[];
  readonly extension?: RtpHeaderExtension;
  readonly payload: Uint8Array;
  /** Pad to this many octets after the payload (1–255); 0 or absent for none. */
  readonly paddingBytes?: number;
}

function checkUint(name: string, value: number, bits: number): void {
  if (!Number.isInteger(value) || value < 0 || value >= 2 ** bits) throw new RangeError(`RTP ${name} ${value} is not a ${bits}-bit unsigned integer`);
}

/** Serializes an RTP packet. Throws a RangeError on a field that does not fit. */
export function serializeRtp(p: RtpPacketInit): Uint8Array {
  const csrcs = p.csrcs ?? [];
  const paddingBytes = p.paddingBytes ?? 0;
  checkUint('payload type', p.payloadType, 7);
  checkUint('sequence number', p.sequenceNumber, 16);
  checkUint('timestamp', p.timestamp, 32);
  checkUint('SSRC', p.ssrc, 32);
  if (csrcs.length > 15) throw new RangeError(`${csrcs.length} CSRCs; RTP carries at most 15`);
  csrcs.forEach((c) => checkUint('CSRC', c, 32));
  checkUint('padding', paddingBytes, 8);
  const ext = p.extension;
  if (ext) {
    checkUint('extension profile', ext.profile, 16);
    if (ext.data.length % 4 !== 0 || ext.data.length / 4 > 0xffff) throw new RangeError('RTP extension data must be 32-bit words (at most 65535)');
  }
  const extBytes = ext ? 4 + ext.data.length : 0;
  const total = rtpHeaderBytes + 4 * csrcs.length + extBytes + p.payload.length + paddingBytes;
  const out = new Uint8Array(total);
  const view = new DataView(out.buffer);
  out[0] = 0x80 | (paddingBytes > 0 ? 0x20 : 0) | (ext ? 0x10 : 0) | csrcs.length;
  out[1] = (p.marker ? 0x80 : 0) | p.payloadType;
  view.setUint16(2, p.sequenceNumber);
  view.setUint32(4, p.timestamp);
  view.setUint32(8, p.ssrc);
  let offset = rtpHeaderBytes;
  for (const c of csrcs) {
    view.setUint32(offset, c);
    offset += 4;
  }
  if (ext) {
    view.setUint16(offset, ext.profile);
    view.setUint16(offset + 2, ext.data.length / 4);
    out.set(ext.data, offset + 4);
    offset += extBytes;
  }
  out.set(p.payload, offset);
  if (paddingBytes > 0) out[total - 1] = paddingBytes;
  return out;
}
