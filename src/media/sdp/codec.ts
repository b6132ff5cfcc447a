/**
 * Codec identity: two RTP formats are the same codec when their encoding names (case-insensitive, RFC 4566 6),
 * clock rates and channel counts agree — never by payload number (dynamic numbers differ between parties) and not
 * by fmtp parameters. A static payload type without rtpmap has its RFC 3551 meaning (static-payload-types.ts).
 */
import { staticPayloadType } from './static-payload-types.js';

/** What `a=rtpmap:<pt> <encoding name>/<clock rate>[/<channels>]` says of a format. */
export interface CodecName {
  /** Empty when unknown (a dynamic payload type without rtpmap): such a format is no codec one can match. */
  readonly encodingName: string;
  /** Undefined for non-RTP formats, which are compared by their token alone. */
  readonly clockRate?: number;
  /** Audio channels; 1 when absent. */
  readonly channels?: number;
}

/** Whether two formats are the same codec (see above). */
export function sameCodec(a: CodecName, b: CodecName): boolean {
  if (a.encodingName === '' || b.encodingName === '') return false;
  return (
    a.encodingName.toLowerCase() === b.encodingName.toLowerCase() &&
    a.clockRate === b.clockRate &&
    (a.channels ?? 1) === (b.channels ?? 1)
  );
}

/** An rtpmap entry as sdp-transform reads it (`encoding` is the channel count). */
export interface Rtpmap {
  readonly codec: string;
  readonly rate?: number;
  readonly encoding?: number | string;
}

/**
 * The codec an RTP payload type names: its rtpmap, else its RFC 3551 static meaning; undefined when neither. Only
 * what is said is set (no channels for a mono rtpmap), so that writing it back gives the same rtpmap.
 */
export function codecOfPayload(payloadType: number, rtpmap: Rtpmap | undefined): CodecName | undefined {
  if (rtpmap) {
    const rate = positive(rtpmap.rate);
    const channels = positive(rtpmap.encoding);
    return { encodingName: String(rtpmap.codec), ...(rate !== undefined ? { clockRate: rate } : {}), ...(channels !== undefined ? { channels } : {}) };
  }
  const s = staticPayloadType(payloadType);
  if (!s) return undefined;
  return { encodingName: s.encodingName, clockRate: s.clockRate, ...(s.channels !== 1 ? { channels: s.channels } : {}) };
}

function positive(v: number | string | undefined): number | undefined {
  const n = Number(v);
  return v !== undefined && v !== '' && Number.isInteger(n) && n > 0 ? n : undefined;
}

/** RFC 4733 telephone-event. */
export function isTelephoneEvent(c: CodecName): boolean {
  return c.encodingName.toLowerCase() === 'telephone-event';
}

/** `PCMU/8000`, `opus/48000/2`; `payload <format>` for an unknown one. */
export function describeCodec(c: CodecName & { readonly format?: string }): string {
  const name = c.encodingName === '' ? `payload ${c.format ?? '?'}` : c.encodingName;
  return c.clockRate === undefined ? name : `${name}/${c.clockRate}${c.channels !== undefined ? `/${c.channels}` : ''}`;
}
