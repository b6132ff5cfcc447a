/**
 * Codec lookup by what SDP says: an rtpmap encoding name and clock rate (`a=rtpmap:0 PCMU/8000`), or a static
 * payload type when the m-line has no rtpmap (RFC 3551 table 4). Names compare case-insensitively
 * (RFC 4566 6: encoding names are case-insensitive).
 */
import type { Codec } from './codec.js';
import { pcma, pcmu } from './g711.js';

/** Every codec hometel can encode and decode, in its default order of preference. */
export const supportedCodecs: readonly Codec[] = Object.freeze([pcmu, pcma]);

/** The codec for a static payload type (0, 8), or undefined. */
export function codecByPayloadType(payloadType: number): Codec | undefined {
  return supportedCodecs.find((c) => c.payloadType === payloadType);
}

/**
 * The codec for an rtpmap encoding name (and clock rate, default the codec's own), or undefined. With
 * `payloadType` the result carries that number — SDP may bind any payload number to a name.
 */
export function codecByName(encodingName: string, clockRate?: number, payloadType?: number): Codec | undefined {
  const name = encodingName.trim().toUpperCase();
  const base = supportedCodecs.find((c) => c.encodingName === name && (clockRate === undefined || c.clockRate === clockRate));
  if (!base || payloadType === undefined || payloadType === base.payloadType) return base;
  if (!Number.isInteger(payloadType) || payloadType < 0 || payloadType > 127) return undefined;
  return Object.freeze({ ...base, payloadType });
}

/** Parses an rtpmap value `PCMU/8000[/1]` and looks it up, keeping the given payload type. */
export function codecByRtpmap(payloadType: number, rtpmap: string): Codec | undefined {
  const m = /^\s*([A-Za-z0-9_.-]+)\/(\d+)(?:\/(\d+))?\s*$/.exec(rtpmap);
  if (!m) return undefined;
  if (m[3] !== undefined && Number(m[3]) !== 1) return undefined;
  return codecByName(m[1]!, Number(m[2]), payloadType);
}
