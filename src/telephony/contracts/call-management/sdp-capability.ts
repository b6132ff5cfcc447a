/**
 * Media Capabilities in SDP (Table 2-7 format "SDP", RFC 4566) as the CallManagement service compares
 * them: which media (audio, video, …) and which codecs. Used for GetMediaCapabilities() with a
 * TCMediaCapabilityInfo (2.6.6: the answer is the subset of the TC's capabilities the TS supports) and
 * to check that the Media Capability of StartCall()/AcceptCall()/ModifyCall()/AcceptModifyCall() is a
 * subset of what it must be a subset of (707 Invalid Media Capability otherwise).
 *
 * Codecs are compared by encoding name (ignoring letter case), clock rate and channel count, never by
 * payload type number (dynamic numbers differ between parties) and not by fmtp parameters. Static
 * payload types without an rtpmap line get their RFC 3551 meaning. Pure functions, no I/O.
 */
import { parse, write } from 'sdp-transform';
import type { MediaAttributes, MediaDescription, SessionDescription } from 'sdp-transform';

export interface SdpCodec {
  /** The format token of the m= line: the payload type number for RTP media. */
  format: string;
  /** Encoding name from a=rtpmap (or RFC 3551 for static payload types); the format token for non-RTP media. */
  encodingName: string;
  clockRate?: number;
  /** Audio channels (rtpmap encoding parameters); 1 when absent. */
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

export type SdpResult<T> = { ok: true; value: T } | { ok: false; reason: string };

/** RFC 3551 tables 4 and 5: the static payload types. */
const staticPayloadTypes: Record<number, { name: string; rate: number; channels?: number }> = {
  0: { name: 'PCMU', rate: 8000 },
  3: { name: 'GSM', rate: 8000 },
  4: { name: 'G723', rate: 8000 },
  5: { name: 'DVI4', rate: 8000 },
  6: { name: 'DVI4', rate: 16000 },
  7: { name: 'LPC', rate: 8000 },
  8: { name: 'PCMA', rate: 8000 },
  9: { name: 'G722', rate: 8000 },
  10: { name: 'L16', rate: 44100, channels: 2 },
  11: { name: 'L16', rate: 44100 },
  12: { name: 'QCELP', rate: 8000 },
  13: { name: 'CN', rate: 8000 },
  14: { name: 'MPA', rate: 90000 },
  15: { name: 'G728', rate: 8000 },
  16: { name: 'DVI4', rate: 11025 },
  17: { name: 'DVI4', rate: 22050 },
  18: { name: 'G729', rate: 8000 },
  25: { name: 'CelB', rate: 90000 },
  26: { name: 'JPEG', rate: 90000 },
  28: { name: 'nv', rate: 90000 },
  31: { name: 'H261', rate: 90000 },
  32: { name: 'MPV', rate: 90000 },
  33: { name: 'MP2T', rate: 90000 },
  34: { name: 'H263', rate: 90000 },
};

function isRtp(protocol: string): boolean {
  return /RTP/i.test(protocol);
}

/** SDP lines trimmed of indentation, blank lines dropped, CRLF line ends (what sdp-transform reads reliably). */
function cleanLines(sdp: string): string[] {
  return sdp
    .split(/\r\n|\r|\n/)
    .map((l) => l.trim())
    .filter((l) => l !== '');
}

function safeParse(lines: string[]): SdpResult<SessionDescription> {
  if (lines.length === 0) return { ok: false, reason: 'empty SDP' };
  if (!lines[0]!.startsWith('v=')) return { ok: false, reason: 'not SDP: the first line is not v=' };
  try {
    return { ok: true, value: parse(`${lines.join('\r\n')}\r\n`) };
  } catch (e) {
    return { ok: false, reason: `unreadable SDP: ${e instanceof Error ? e.message : String(e)}` };
  }
}

function codecsOf(m: MediaDescription, rtp: boolean): SdpResult<SdpCodec[]> {
  // sdp-transform turns a single numeric payload into a number, whatever its typings say.
  const raw: unknown = m.payloads;
  const payloads = typeof raw === 'string' || typeof raw === 'number' ? String(raw) : '';
  const formats = payloads.split(/\s+/).filter((f) => f !== '');
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
    const map = (m.rtp ?? []).find((r) => r.payload === pt);
    const fmtp = (m.fmtp ?? []).find((f) => f.payload === pt);
    const codec: SdpCodec = { format, encodingName: '' };
    if (map) {
      codec.encodingName = String(map.codec);
      if (map.rate !== undefined) codec.clockRate = Number(map.rate);
      if (map.encoding !== undefined) codec.channels = Number(map.encoding);
    } else if (staticPayloadTypes[pt]) {
      const s = staticPayloadTypes[pt];
      codec.encodingName = s.name;
      codec.clockRate = s.rate;
      if (s.channels !== undefined) codec.channels = s.channels;
    }
    // A dynamic payload type without rtpmap keeps an empty name: it matches nothing.
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
  if (typeof sdp !== 'string') return { ok: false, reason: 'not a string' };
  const lines = cleanLines(sdp);
  const parsed = safeParse(lines);
  if (!parsed.ok) return parsed;
  const mLines = lines.filter((l) => l.startsWith('m='));
  const media = parsed.value.media ?? [];
  const out: SdpMedia[] = [];
  for (let i = 0; i < media.length; i++) {
    const m = media[i]!;
    if (typeof m.type !== 'string' || m.type === '' || typeof m.port !== 'number' || typeof m.protocol !== 'string') {
      return { ok: false, reason: `malformed media line "${mLines[i] ?? 'm='}"` };
    }
    const codecs = codecsOf(m, isRtp(m.protocol));
    if (!codecs.ok) return codecs;
    out.push({ type: m.type.toLowerCase(), port: m.port, protocol: m.protocol, codecs: codecs.value });
  }
  return { ok: true, value: out };
}

/** Whether two codecs are the same codec (name, clock rate, channels; not payload number, not fmtp). */
export function sameCodec(a: SdpCodec, b: SdpCodec): boolean {
  if (a.encodingName === '' || b.encodingName === '') return false;
  return (
    a.encodingName.toLowerCase() === b.encodingName.toLowerCase() &&
    a.clockRate === b.clockRate &&
    (a.channels ?? 1) === (b.channels ?? 1)
  );
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

export function describeCodec(c: SdpCodec): string {
  const name = c.encodingName === '' ? `payload ${c.format}` : c.encodingName;
  return c.clockRate === undefined ? name : `${name}/${c.clockRate}${c.channels !== undefined ? `/${c.channels}` : ''}`;
}

/**
 * `base` (an SDP of this side: its addresses, ports, other attributes) reduced to the media and codecs of
 * `media`, in `media`'s order and with `media`'s payload numbers, rtpmap and fmtp. A description of
 * `media` whose type `base` lacks is left out. E.g. GetMediaCapabilities() answers
 * `restrictSdp(ownSdp, intersectCapabilities(tcMedia, ownMedia))`. The result has CRLF line ends.
 */
export function restrictSdp(base: string, media: SdpMedia[]): SdpResult<string> {
  if (typeof base !== 'string') return { ok: false, reason: 'not a string' };
  const parsed = safeParse(cleanLines(base));
  if (!parsed.ok) return parsed;
  const session = parsed.value;
  const available = [...(session.media ?? [])];
  const out: MediaDescription[] = [];
  for (const m of media) {
    const i = available.findIndex((b) => typeof b.type === 'string' && b.type.toLowerCase() === m.type);
    if (i < 0) continue;
    const b = available.splice(i, 1)[0]!;
    const keepFormats = new Set(m.codecs.map((c) => c.format));
    const rtp: MediaAttributes['rtp'] = [];
    const fmtp: MediaAttributes['fmtp'] = [];
    if (isRtp(b.protocol)) {
      for (const c of m.codecs) {
        if (c.encodingName === '') continue;
        const entry: MediaAttributes['rtp'][number] = { payload: Number(c.format), codec: c.encodingName };
        if (c.clockRate !== undefined) entry.rate = c.clockRate;
        if (c.channels !== undefined) entry.encoding = c.channels;
        rtp.push(entry);
        if (c.fmtp !== undefined) fmtp.push({ payload: Number(c.format), config: c.fmtp });
      }
    }
    const next: MediaDescription = {
      ...b,
      payloads: m.codecs.map((c) => c.format).join(' '),
      rtp,
      fmtp,
    };
    if (b.rtcpFb) {
      next.rtcpFb = b.rtcpFb.filter((f) => f.payload === '*' || keepFormats.has(String(f.payload)));
    }
    out.push(next);
  }
  try {
    return { ok: true, value: write({ ...session, media: out }) };
  } catch (e) {
    return { ok: false, reason: `cannot write SDP: ${e instanceof Error ? e.message : String(e)}` };
  }
}

/** An SDP split into its session part and its media sections (each from its m= line on), CRLF line ends. */
function sections(sdp: string): { session: string[]; media: Array<{ type: string; lines: string[] }> } {
  const session: string[] = [];
  const media: Array<{ type: string; lines: string[] }> = [];
  for (const line of cleanLines(sdp)) {
    const m = /^m=(\S+)/.exec(line);
    if (m) media.push({ type: m[1]!.toLowerCase(), lines: [line] });
    else if (media.length) media[media.length - 1]!.lines.push(line);
    else session.push(line);
  }
  return { session, media };
}

function join(session: string[], media: Array<{ lines: string[] }>): string {
  return [...session, ...media.flatMap((m) => m.lines)].map((l) => `${l}\r\n`).join('');
}

/**
 * `base` with the media sections of `extra` whose media type `base` does not have yet, as written
 * (no re-serialisation). Combines TC-based and TS-based media into one offer (C.34), or a second TC's
 * stream into a Call that already runs (C.19 F23).
 */
export function mergeSdp(base: string, extra: string): string {
  const a = sections(base);
  const b = sections(extra);
  const have = new Set(a.media.map((m) => m.type));
  return join(a.session, [...a.media, ...b.media.filter((m) => !have.has(m.type))]);
}

/** `sdp` with only the media sections of these types; undefined when none is left. */
export function sdpOfTypes(sdp: string, types: ReadonlySet<string>): string | undefined {
  const s = sections(sdp);
  const kept = s.media.filter((m) => types.has(m.type));
  return kept.length ? join(s.session, kept) : undefined;
}

/** The media types of an SDP's sections, lower case. */
export function mediaTypesOf(sdp: string): Set<string> {
  return new Set(sections(sdp).media.map((m) => m.type));
}
