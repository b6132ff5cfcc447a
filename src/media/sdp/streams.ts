/**
 * SDP as one side of a media path reads and writes it: per m-line, where the peer receives (media-level c= over
 * session-level c=, a=rtcp), what it sends and accepts (RTP payload types with their codecs, RFC 4733
 * telephone-event apart), its direction and ptime. Streams are named by media type and ordinal (`audio:0`), which is
 * how the WAN SDP, the home SDP and every TC's SDP of a Call refer to the same stream. Used by the TS's relay, the
 * TC's media endpoint and the echo endpoint.
 *
 * Reading never throws and drops nothing an answer must mirror: an m-line sdp-transform cannot read (a port that is
 * not a number) is a stream at port 0. Writing gives the writer's own SDP: one session-level c= with its address,
 * one m-line per stream.
 */
import { codecOfPayload, isTelephoneEvent } from './codec.js';
import { formatsOf, parseSdp, writeSdp, type MediaDescription, type SessionDescription } from './text.js';

export interface StreamCodec {
  readonly pt: number;
  /** Compared case-insensitively (codec.ts). */
  readonly encodingName: string;
  readonly clockRate: number;
  readonly channels: number;
  readonly fmtp?: string;
}

export interface TelephoneEventFormat {
  readonly pt: number;
  readonly clockRate: number;
  readonly fmtp?: string;
}

export type Direction = 'sendrecv' | 'sendonly' | 'recvonly' | 'inactive';

/** Bandwidth (b=) and frame rate a stream's describer gave, carried into the SDP that describes it on. */
export interface StreamExtras {
  readonly bandwidth?: MediaDescription['bandwidth'];
  readonly framerate?: MediaDescription['framerate'];
}

export interface SdpStream {
  readonly type: string;
  readonly ordinal: number;
  /** `${type}:${ordinal}`. */
  readonly key: string;
  readonly port: number;
  readonly protocol: string;
  /** The connection address (media-level c= wins over session-level); undefined when none is given. */
  readonly address?: string;
  /** a=rtcp (RFC 3605); default port + 1 on the same address. */
  readonly rtcp?: { readonly address: string; readonly port: number };
  readonly rtcpMux: boolean;
  readonly direction: Direction;
  /** The m-line's format tokens as written (kept for a rejected stream's m-line). */
  readonly formats: readonly string[];
  /** RTP codecs in the m-line's order, telephone-event left out. */
  readonly codecs: readonly StreamCodec[];
  readonly telephoneEvent?: TelephoneEventFormat;
  readonly ptime?: number;
  readonly extra: StreamExtras;
}

/** True for an RTP profile relayed and answered as is (plain RTP; SRTP and DTLS are not). */
export function isPlainRtp(protocol: string): boolean {
  return /^RTP\/AVPF?$/i.test(protocol);
}

function addressOf(c: SessionDescription['connection']): string | undefined {
  // A multicast c= carries /ttl after the address.
  return c?.ip === undefined ? undefined : String(c.ip).split('/')[0];
}

/** The RTP codecs and telephone-event of an m-line, in its order. */
function codecsOf(m: MediaDescription): { codecs: StreamCodec[]; telephoneEvent?: TelephoneEventFormat } {
  const codecs: StreamCodec[] = [];
  let telephoneEvent: TelephoneEventFormat | undefined;
  if (!/RTP/i.test(String(m.protocol))) return { codecs };
  for (const f of formatsOf(m)) {
    if (!/^\d+$/.test(f) || Number(f) > 127) continue;
    const pt = Number(f);
    const codec = codecOfPayload(pt, m.rtp?.find((r) => r.payload === pt));
    if (!codec || codec.clockRate === undefined) continue;
    const fmtp = m.fmtp?.find((x) => x.payload === pt)?.config;
    const withFmtp = fmtp !== undefined ? { fmtp: String(fmtp) } : {};
    if (isTelephoneEvent(codec)) telephoneEvent ??= { pt, clockRate: codec.clockRate, ...withFmtp };
    else codecs.push({ pt, encodingName: codec.encodingName, clockRate: codec.clockRate, channels: codec.channels ?? 1, ...withFmtp });
  }
  return telephoneEvent ? { codecs, telephoneEvent } : { codecs };
}

/** The m-line sdp-transform could not read: type, protocol and formats as written, port 0 (the stream is not used). */
function unreadable(m: MediaDescription, mLine: string): MediaDescription {
  const [type = '', , protocol = '', ...formats] = mLine.slice(2).split(/\s+/);
  return { ...m, type: type.toLowerCase(), port: 0, protocol, payloads: formats.join(' ') };
}

/** The m-lines of an SDP as streams; [] for text that is not SDP. */
export function parseStreams(sdp: string | undefined): SdpStream[] {
  if (typeof sdp !== 'string') return [];
  const parsed = parseSdp(sdp);
  if (!parsed.ok) return [];
  const { session, mLines } = parsed.value;
  const ordinals = new Map<string, number>();
  return (session.media ?? []).map((read, i): SdpStream => {
    const m = typeof read.type === 'string' && typeof read.port === 'number' ? read : unreadable(read, mLines[i] ?? 'm=');
    const type = m.type.toLowerCase();
    const ordinal = ordinals.get(type) ?? 0;
    ordinals.set(type, ordinal + 1);
    const address = addressOf(m.connection ?? session.connection);
    const rtcp = m.rtcp && address !== undefined ? { address: m.rtcp.address ?? address, port: m.rtcp.port } : undefined;
    const extra: StreamExtras = { ...(m.bandwidth?.length ? { bandwidth: m.bandwidth } : {}), ...(m.framerate !== undefined ? { framerate: m.framerate } : {}) };
    return {
      type,
      ordinal,
      key: `${type}:${ordinal}`,
      port: m.port,
      protocol: m.protocol,
      ...(address !== undefined ? { address } : {}),
      ...(rtcp ? { rtcp } : {}),
      rtcpMux: m.rtcpMux !== undefined,
      direction: m.direction ?? session.direction ?? 'sendrecv',
      formats: formatsOf(m),
      ...codecsOf(m),
      ...(m.ptime !== undefined ? { ptime: Number(m.ptime) } : {}),
      extra,
    };
  });
}

/** The direction an answerer writes for an offered one (RFC 3264 6.1). */
export function answerDirection(offered: Direction): Direction {
  switch (offered) {
    case 'sendonly':
      return 'recvonly';
    case 'recvonly':
      return 'sendonly';
    default:
      return offered;
  }
}

/** One m-line of an SDP one writes. */
export interface WrittenStream {
  readonly type: string;
  /** 0 rejects or disables the stream. */
  readonly port: number;
  readonly protocol: string;
  readonly codecs: readonly StreamCodec[];
  readonly telephoneEvent?: TelephoneEventFormat;
  /** Format tokens for a rejected stream (port 0) whose codecs are not known. */
  readonly formats?: readonly string[];
  readonly ptime?: number;
  readonly direction?: Direction;
  readonly extra?: StreamExtras;
}

export interface SdpOrigin {
  /** o= username; default `hometel`. */
  readonly username?: string;
  readonly address: string;
  readonly sessionId: number;
  readonly version: number;
}

function mediaOf(s: WrittenStream): MediaDescription {
  const formats = [...s.codecs.map((c) => c.pt), ...(s.telephoneEvent ? [s.telephoneEvent.pt] : [])].map(String);
  const payloads = (formats.length > 0 ? formats : s.formats?.length ? [...s.formats] : ['0']).join(' ');
  if (s.port === 0) return { type: s.type, port: 0, protocol: s.protocol, payloads, rtp: [], fmtp: [] };
  const rtp: MediaDescription['rtp'] = s.codecs.map((c) => ({ payload: c.pt, codec: c.encodingName, rate: c.clockRate, ...(c.channels !== 1 ? { encoding: c.channels } : {}) }));
  const fmtp: MediaDescription['fmtp'] = s.codecs.flatMap((c) => (c.fmtp !== undefined ? [{ payload: c.pt, config: c.fmtp }] : []));
  const te = s.telephoneEvent;
  if (te) {
    rtp.push({ payload: te.pt, codec: 'telephone-event', rate: te.clockRate });
    fmtp.push({ payload: te.pt, config: te.fmtp ?? '0-15' });
  }
  return {
    type: s.type,
    port: s.port,
    protocol: s.protocol,
    payloads,
    ...(s.extra?.bandwidth ? { bandwidth: s.extra.bandwidth.map((b) => ({ ...b })) } : {}),
    rtp,
    fmtp,
    ...(s.ptime !== undefined ? { ptime: s.ptime } : {}),
    direction: s.direction ?? 'sendrecv',
    ...(s.extra?.framerate !== undefined ? { framerate: s.extra.framerate } : {}),
  };
}

/** One's own SDP: origin, one session-level c=, the streams (CRLF line ends). */
export function writeStreams(origin: SdpOrigin, streams: readonly WrittenStream[]): string {
  const ipVer = origin.address.includes(':') ? 6 : 4;
  return writeSdp({
    version: 0,
    origin: { username: origin.username ?? 'hometel', sessionId: origin.sessionId, sessionVersion: origin.version, netType: 'IN', ipVer, address: origin.address },
    name: 'hometel',
    connection: { version: ipVer, ip: origin.address },
    timing: { start: 0, stop: 0 },
    media: streams.map(mediaOf),
  });
}
