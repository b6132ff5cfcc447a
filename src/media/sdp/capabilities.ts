/**
 * Media capabilities in SDP (UPnP Telephony Table 2-7 "SDP"): which media (audio, video, …) with which codecs, and
 * the offer/answer logic on them — intersection (CallManagement 2.6.6, MediaManagement GetMediaCapabilities), the
 * subset check (707 Invalid Media Capability), and an SDP of one's own restricted to a chosen set. Codecs compare by
 * identity (codec.ts). Pure functions, no I/O.
 */
import { codecOfPayload, describeCodec, sameCodec, type CodecName } from './codec.js';
import { formatsOf, parseSdp, writeSdp, type MediaAttributes, type MediaDescription, type SdpResult } from './text.js';

export interface SdpCodec extends CodecName {
  /** The format token of the m= line: the payload type number for RTP media. */
  format: string;
  /** Encoding name from a=rtpmap (or RFC 3551 for static payload types); the format token for non-RTP media. */
  encodingName: string;
  clockRate?: number;
  channels?: number;
  /** The a=fmtp parameters, if any (carried along, not compared). */
  fmtp?: string;
}

export interface SdpMedia {
  /** The media type of the m= line: audio, video, text, application, message, image, … (lower case). */
  type: string;
  port: number;
  protocol: string;
  /** In the order of the m= line (the sender's preference). */
  codecs: SdpCodec[];
}

/** Whether a transport protocol carries RTP (RTP/AVP, RTP/SAVPF, UDP/TLS/RTP/SAVP, …). */
function isRtp(protocol: string): boolean {
  return /RTP/i.test(protocol);
}

function codecsOf(m: MediaDescription, rtp: boolean): SdpResult<SdpCodec[]> {
  const formats = formatsOf(m);
  if (formats.length === 0) return { ok: false, reason: `m=${m.type} lists no formats` };
  const codecs: SdpCodec[] = [];
  for (const format of formats) {
    if (!rtp) {
      codecs.push({ format, encodingName: format });
      continue;
    }
    if (!/^\d+$/.test(format) || Number(format) > 127) {
      return { ok: false, reason: `m=${m.type}: "${format}" is not an RTP payload type` };
    }
    const pt = Number(format);
    const fmtp = (m.fmtp ?? []).find((f) => f.payload === pt);
    // A dynamic payload type without rtpmap keeps an empty name: it matches nothing.
    const codec: SdpCodec = { format, ...(codecOfPayload(pt, (m.rtp ?? []).find((r) => r.payload === pt)) ?? { encodingName: '' }) };
    if (fmtp) codec.fmtp = String(fmtp.config);
    codecs.push(codec);
  }
  return { ok: true, value: codecs };
}

/**
 * The media descriptions of an SDP body. Lenient about line ends and indentation; `{ ok: false }` for text
 * that is not SDP, an m= line that cannot be read, or an RTP format that is not a payload type number.
 */
export function parseSdpMedia(sdp: string): SdpResult<SdpMedia[]> {
  const parsed = parseSdp(sdp);
  if (!parsed.ok) return parsed;
  const { session, mLines } = parsed.value;
  const out: SdpMedia[] = [];
  for (const [i, m] of (session.media ?? []).entries()) {
    if (typeof m.type !== 'string' || m.type === '' || typeof m.port !== 'number' || typeof m.protocol !== 'string') {
      return { ok: false, reason: `malformed media line "${mLines[i] ?? 'm='}"` };
    }
    const codecs = codecsOf(m, isRtp(m.protocol));
    if (!codecs.ok) return codecs;
    out.push({ type: m.type.toLowerCase(), port: m.port, protocol: m.protocol, codecs: codecs.value });
  }
  return { ok: true, value: out };
}

function supportedCodecsOfType(supported: SdpMedia[], type: string): SdpCodec[] {
  return supported.filter((m) => m.type === type && m.port !== 0).flatMap((m) => m.codecs);
}

/**
 * The part of `offered` that `supported` also has: per media description of `offered` (in its order), the
 * codecs (in its order, with its payload numbers) for which some description of the same media type in
 * `supported` has the same codec. Descriptions left without codecs, and disabled ones (port 0), are
 * dropped, so nothing in common gives `[]`.
 */
export function intersectCapabilities(offered: SdpMedia[], supported: SdpMedia[]): SdpMedia[] {
  const out: SdpMedia[] = [];
  for (const m of offered) {
    if (m.port === 0) continue;
    const theirs = supportedCodecsOfType(supported, m.type);
    const codecs = m.codecs.filter((c) => theirs.some((s) => sameCodec(c, s)));
    if (codecs.length > 0) out.push({ ...m, codecs: codecs.map((c) => ({ ...c })) });
  }
  return out;
}

/**
 * Whether `candidate` only uses what `reference` offers: every enabled media description of `candidate`
 * has its own enabled description of the same type in `reference` (in order) that has every one of its
 * codecs. For AcceptCall() against the Call's `<mediaCapability>`, StartCall() against GetMediaCapabilities().
 */
export function checkSubset(candidate: SdpMedia[], reference: SdpMedia[]): { ok: true } | { ok: false; reason: string } {
  const used = new Set<number>();
  for (const m of candidate) {
    if (m.port === 0) continue;
    let found = false;
    let missing: SdpCodec | undefined;
    for (let i = 0; i < reference.length; i++) {
      const r = reference[i]!;
      if (used.has(i) || r.type !== m.type || r.port === 0) continue;
      missing = m.codecs.find((c) => !r.codecs.some((rc) => sameCodec(c, rc)));
      if (missing === undefined) {
        used.add(i);
        found = true;
        break;
      }
    }
    if (!found) {
      return {
        ok: false,
        reason: missing
          ? `${m.type} codec ${describeCodec(missing)} is not offered`
          : `no ${m.type} media offered for this ${m.type} description`,
      };
    }
  }
  return { ok: true };
}

/** `m` with only the formats of `media`, under their numbers, rtpmap and fmtp (rtcp-fb of other formats dropped). */
function restricted(m: MediaDescription, media: SdpMedia): MediaDescription {
  const keep = new Set(media.codecs.map((c) => c.format));
  const rtp: MediaAttributes['rtp'] = [];
  const fmtp: MediaAttributes['fmtp'] = [];
  if (isRtp(m.protocol)) {
    for (const c of media.codecs) {
      if (c.encodingName === '') continue;
      const entry: MediaAttributes['rtp'][number] = { payload: Number(c.format), codec: c.encodingName };
      if (c.clockRate !== undefined) entry.rate = c.clockRate;
      if (c.channels !== undefined) entry.encoding = c.channels;
      rtp.push(entry);
      if (c.fmtp !== undefined) fmtp.push({ payload: Number(c.format), config: c.fmtp });
    }
  }
  const next: MediaDescription = { ...m, payloads: media.codecs.map((c) => c.format).join(' '), rtp, fmtp };
  if (m.rtcpFb) next.rtcpFb = m.rtcpFb.filter((f) => f.payload === '*' || keep.has(String(f.payload)));
  return next;
}

/**
 * `base` (an SDP of this side: its addresses, ports, other attributes) reduced to the media and codecs of
 * `media`, in `media`'s order and with `media`'s payload numbers, rtpmap and fmtp. A description of
 * `media` whose type `base` lacks is left out. E.g. GetMediaCapabilities() answers
 * `restrictSdp(ownSdp, intersectCapabilities(tcMedia, ownMedia))`. The result has CRLF line ends.
 */
export function restrictSdp(base: string, media: SdpMedia[]): SdpResult<string> {
  const parsed = parseSdp(base);
  if (!parsed.ok) return parsed;
  const session = parsed.value.session;
  const available = [...(session.media ?? [])];
  const out: MediaDescription[] = [];
  for (const m of media) {
    const i = available.findIndex((b) => typeof b.type === 'string' && b.type.toLowerCase() === m.type);
    if (i < 0) continue;
    out.push(restricted(available.splice(i, 1)[0]!, m));
  }
  return { ok: true, value: writeSdp({ ...session, media: out }) };
}
