/**
 * SDP as the relay reads and writes it: per m-line, where the peer receives (media-level c= over session-level c=,
 * a=rtcp), what it sends and accepts (payload types with rtpmap/fmtp, RFC 4733 telephone-event apart), its
 * direction and ptime. Streams are named by media type and ordinal (`audio:0`), which is how the WAN SDP, the home
 * SDP and every TC's SDP of a Call refer to the same stream.
 *
 * Parsing is lenient (indentation, LF line ends, the spec's typos) and never throws; what cannot be read is left
 * out. Writing produces the TS's own SDP: one session-level c= with the TS's address, one m-line per stream.
 */
import type { Codec } from '../codecs/codec.js';
import { pcma, pcmu } from '../codecs/g711.js';

export interface StreamCodec {
  readonly pt: number;
  /** Encoding name as written (compared case-insensitively). */
  readonly name: string;
  readonly rate: number;
  readonly channels: number;
  readonly fmtp?: string;
}

export interface TelephoneEventFormat {
  readonly pt: number;
  readonly rate: number;
  readonly fmtp?: string;
}

export type Direction = 'sendrecv' | 'sendonly' | 'recvonly' | 'inactive';

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
  /** Bandwidth and frame-rate lines carried along when the TS describes the stream itself. */
  readonly extra: readonly string[];
}

/** RFC 3551 tables 4 and 5, the static payload types an m-line may use without rtpmap. */
const staticTypes: Record<number, { name: string; rate: number; channels?: number }> = {
  0: { name: 'PCMU', rate: 8000 },
  3: { name: 'GSM', rate: 8000 },
  4: { name: 'G723', rate: 8000 },
  8: { name: 'PCMA', rate: 8000 },
  9: { name: 'G722', rate: 8000 },
  13: { name: 'CN', rate: 8000 },
  18: { name: 'G729', rate: 8000 },
  26: { name: 'JPEG', rate: 90000 },
  31: { name: 'H261', rate: 90000 },
  34: { name: 'H263', rate: 90000 },
};

const directions: readonly Direction[] = ['sendrecv', 'sendonly', 'recvonly', 'inactive'];

function lines(sdp: string): string[] {
  return sdp
    .split(/\r\n|\r|\n/)
    .map((l) => l.trim())
    .filter((l) => l !== '');
}

function connectionAddress(line: string): string | undefined {
  const m = /^c=IN\s+IP[46]\s+([^\s/]+)/i.exec(line);
  return m ? m[1] : undefined;
}

/** True for an RTP profile the relay speaks (plain RTP; SRTP and DTLS are not relayed). */
export function isPlainRtp(protocol: string): boolean {
  return /^RTP\/AVPF?$/i.test(protocol);
}

/** The m-lines of an SDP as streams; [] for text that is not SDP. */
export function parseStreams(sdp: string | undefined): SdpStream[] {
  if (typeof sdp !== 'string') return [];
  const all = lines(sdp);
  if (!all[0]?.startsWith('v=')) return [];
  let sessionAddress: string | undefined;
  let sessionDirection: Direction = 'sendrecv';
  const ordinals = new Map<string, number>();
  const out: SdpStream[] = [];
  type Draft = {
    type: string;
    port: number;
    protocol: string;
    formats: string[];
    address?: string;
    rtcp?: { address?: string; port: number };
    rtcpMux: boolean;
    direction?: Direction;
    rtpmap: Map<number, { name: string; rate: number; channels: number }>;
    fmtp: Map<number, string>;
    ptime?: number;
    extra: string[];
  };
  let cur: Draft | undefined;
  const finish = (d: Draft): void => {
    const ordinal = ordinals.get(d.type) ?? 0;
    ordinals.set(d.type, ordinal + 1);
    const address = d.address ?? sessionAddress;
    const codecs: StreamCodec[] = [];
    let te: TelephoneEventFormat | undefined;
    if (/RTP/i.test(d.protocol)) {
      for (const f of d.formats) {
        if (!/^\d+$/.test(f)) continue;
        const pt = Number(f);
        if (pt > 127) continue;
        const map = d.rtpmap.get(pt) ?? staticTypes[pt];
        if (!map) continue;
        const fmtp = d.fmtp.get(pt);
        if (map.name.toLowerCase() === 'telephone-event') {
          te ??= { pt, rate: map.rate, ...(fmtp !== undefined ? { fmtp } : {}) };
          continue;
        }
        codecs.push({ pt, name: map.name, rate: map.rate, channels: map.channels ?? 1, ...(fmtp !== undefined ? { fmtp } : {}) });
      }
    }
    const rtcp = d.rtcp && address !== undefined ? { address: d.rtcp.address ?? address, port: d.rtcp.port } : undefined;
    out.push({
      type: d.type,
      ordinal,
      key: `${d.type}:${ordinal}`,
      port: d.port,
      protocol: d.protocol,
      ...(address !== undefined ? { address } : {}),
      ...(rtcp ? { rtcp } : {}),
      rtcpMux: d.rtcpMux,
      direction: d.direction ?? sessionDirection,
      formats: d.formats,
      codecs,
      ...(te ? { telephoneEvent: te } : {}),
      ...(d.ptime !== undefined ? { ptime: d.ptime } : {}),
      extra: d.extra,
    });
  };
  for (const line of all) {
    if (line.startsWith('m=')) {
      if (cur) finish(cur);
      const parts = line.slice(2).split(/\s+/);
      const port = Number.parseInt(parts[1]?.split('/')[0] ?? '', 10);
      cur = {
        type: (parts[0] ?? '').toLowerCase(),
        port: Number.isInteger(port) && port >= 0 && port <= 65535 ? port : 0,
        protocol: parts[2] ?? '',
        formats: parts.slice(3),
        rtcpMux: false,
        rtpmap: new Map(),
        fmtp: new Map(),
        extra: [],
      };
      continue;
    }
    if (line.startsWith('c=')) {
      const a = connectionAddress(line);
      if (cur) {
        if (a !== undefined) cur.address = a;
      } else sessionAddress = a ?? sessionAddress;
      continue;
    }
    const dir = directions.find((d) => line === `a=${d}`);
    if (dir) {
      if (cur) cur.direction = dir;
      else sessionDirection = dir;
      continue;
    }
    if (!cur) continue;
    let m: RegExpExecArray | null;
    if ((m = /^a=rtpmap:(\d+)\s+([^/\s]+)\/(\d+)(?:\/(\d+))?/i.exec(line))) {
      cur.rtpmap.set(Number(m[1]), { name: m[2]!, rate: Number(m[3]), channels: m[4] !== undefined ? Number(m[4]) : 1 });
    } else if ((m = /^a=fmtp:(\d+)\s+(.*)$/i.exec(line))) {
      cur.fmtp.set(Number(m[1]), m[2]!);
    } else if ((m = /^a=rtcp:(\d+)(?:\s+IN\s+IP[46]\s+(\S+))?/i.exec(line))) {
      cur.rtcp = { port: Number(m[1]), ...(m[2] !== undefined ? { address: m[2] } : {}) };
    } else if (line === 'a=rtcp-mux') {
      cur.rtcpMux = true;
    } else if ((m = /^a=ptime:(\d+)/i.exec(line))) {
      cur.ptime = Number(m[1]);
    } else if (/^b=/.test(line) || /^a=framerate:/i.test(line)) {
      cur.extra.push(line);
    }
  }
  if (cur) finish(cur);
  return out;
}

/** Same codec: encoding name (case-insensitive), clock rate, channels; never the payload number. */
export function sameCodec(a: StreamCodec, b: StreamCodec): boolean {
  return a.name.toLowerCase() === b.name.toLowerCase() && a.rate === b.rate && a.channels === b.channels;
}

/** The G.711 codec a stream codec is, if it is one (the relay decodes, mixes and transcodes only these). */
export function g711Of(c: StreamCodec | undefined): Codec | undefined {
  if (!c || c.rate !== 8000 || c.channels !== 1) return undefined;
  const name = c.name.toUpperCase();
  if (name === 'PCMU') return pcmu;
  if (name === 'PCMA') return pcma;
  return undefined;
}

/**
 * `codecs` and, when they hold one G.711 law and not the other, the other law after them (the relay transcodes
 * between µ-law and A-law), with its static payload type when that number is free.
 */
export function withTranscodable(codecs: readonly StreamCodec[]): StreamCodec[] {
  const out = [...codecs];
  const has = (name: string): boolean => out.some((c) => c.name.toUpperCase() === name && c.rate === 8000);
  const taken = (pt: number): boolean => out.some((c) => c.pt === pt);
  if (has('PCMU') && !has('PCMA') && !taken(8)) out.push({ pt: 8, name: 'PCMA', rate: 8000, channels: 1 });
  else if (has('PCMA') && !has('PCMU') && !taken(0)) out.push({ pt: 0, name: 'PCMU', rate: 8000, channels: 1 });
  return out;
}

/** One m-line of an SDP the TS writes. */
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
  readonly extra?: readonly string[];
}

export interface SdpOrigin {
  readonly address: string;
  readonly sessionId: number;
  readonly version: number;
}

/** The TS's SDP: origin, one session-level c=, the streams (CRLF line ends). */
export function writeSdp(origin: SdpOrigin, streams: readonly WrittenStream[]): string {
  const ip = origin.address.includes(':') ? 'IP6' : 'IP4';
  const out: string[] = [
    'v=0',
    `o=hometel ${origin.sessionId} ${origin.version} IN ${ip} ${origin.address}`,
    's=hometel',
    `c=IN ${ip} ${origin.address}`,
    't=0 0',
  ];
  for (const s of streams) {
    const pts = s.codecs.map((c) => c.pt);
    if (s.telephoneEvent) pts.push(s.telephoneEvent.pt);
    const formats = pts.length > 0 ? pts.map(String) : s.formats?.length ? [...s.formats] : ['0'];
    out.push(`m=${s.type} ${s.port} ${s.protocol} ${formats.join(' ')}`);
    if (s.port === 0) continue;
    out.push(...(s.extra ?? []));
    for (const c of s.codecs) {
      out.push(`a=rtpmap:${c.pt} ${c.name}/${c.rate}${c.channels !== 1 ? `/${c.channels}` : ''}`);
      if (c.fmtp !== undefined) out.push(`a=fmtp:${c.pt} ${c.fmtp}`);
    }
    if (s.telephoneEvent) {
      out.push(`a=rtpmap:${s.telephoneEvent.pt} telephone-event/${s.telephoneEvent.rate}`);
      out.push(`a=fmtp:${s.telephoneEvent.pt} ${s.telephoneEvent.fmtp ?? '0-15'}`);
    }
    if (s.ptime !== undefined) out.push(`a=ptime:${s.ptime}`);
    out.push(`a=${s.direction ?? 'sendrecv'}`);
  }
  return out.map((l) => `${l}\r\n`).join('');
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
