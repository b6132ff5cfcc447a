/**
 * The media of one Call in the Telephony Server (what the Telephony Server's CallMedia port asks for; media/bridge adapts it): its streams (RelayStream), the port pairs they
 * use, and the SDP of the TS's two faces — the WAN leg's offer or answer for the line, the home SDP for CallInfo.
 *
 * Ports are taken from the PortPool when an SDP first needs them (synchronously, so SDP can be written at once) and
 * bound in the background; `ready()` tells when binding is done. Every port goes back to the pool on close(), after
 * whatever path the Call took.
 *
 * Offer/answer (RFC 3264) on the WAN leg: `setRemote(offer)` then `wanSdp(chosen)` writes the answer — one m-line per
 * offered m-line, a rejected stream with port 0, codecs the offer has (the chosen ones first, then the other G.711
 * law the relay transcodes to); otherwise `wanSdp(chosen)` writes an offer that keeps the m-lines of the previous one
 * (a stream no longer chosen gets port 0) and `setRemote(answer)` completes it.
 */
import { randomBytes } from 'node:crypto';
import { errorMessage, HometelError, type Clock, type Logger } from '../../base/index.js';
import { addPacketTotals, noPackets, type CallMediaStats, type RelayPacketTotals } from './stats.js';
import type { PortPool } from '../endpoint/port-pool.js';
import { Leg, legMediaOf } from './leg.js';
import { RelayStream, type NativeMedia } from './relay-stream.js';
import { answerDirection, isPlainRtp, parseStreams, sameCodec, writeStreams, type SdpStream, type StreamCodec, type WrittenStream } from '../sdp/index.js';
import { g711Of, withTranscodable } from './transcoding.js';
import { UdpPair } from './udp-pair.js';

/** No port pair is left for a stream (the PortPool is exhausted). */
export class MediaResourceError extends HometelError {
  readonly code = 'media.no-ports';

  constructor(message: string) {
    super(message);
    this.name = 'MediaResourceError';
  }
}

export interface RelaySessionOptions {
  readonly callID: string;
  /** The TS's own address: bound for every port and written in every SDP (never a wildcard). */
  readonly address: string;
  readonly ports: PortPool;
  readonly clock: Clock;
  readonly logger: Logger;
  /** The TS's own media for a native stream of this Call (source and sink); undefined: silence, nothing recorded. */
  readonly native?: (callID: string, type: string) => NativeMedia | undefined;
  /** Mean RTCP report interval per leg; default 5000 ms. */
  readonly rtcpIntervalMs?: number;
  readonly random?: () => number;
  /** Called once when the session has closed. */
  readonly onClosed?: () => void;
}

interface ClientEntry {
  readonly id: string;
  /** Media Session ID (else UDN): what shareMedia names. */
  readonly sessionId?: string;
  readonly sharing?: string;
  readonly streams: readonly SdpStream[];
}

interface SdpVersioning {
  readonly sessionId: number;
  version: number;
  lastBody?: string;
}

function randomUint32(): number {
  return randomBytes(4).readUInt32BE(0);
}

/** The answer's codecs: the chosen ones the offer has (offer's numbers), then the offered G.711 the relay transcodes to. */
function answerCodecs(offered: readonly StreamCodec[], chosen: readonly StreamCodec[], audio: boolean): StreamCodec[] {
  const out: StreamCodec[] = [];
  for (const c of chosen) {
    const m = offered.find((o) => sameCodec(o, c));
    if (m && !out.includes(m)) out.push(m);
  }
  if (audio && chosen.some((c) => g711Of(c))) {
    for (const o of offered) if (g711Of(o) && !out.some((x) => sameCodec(x, o))) out.push(o);
  }
  return out;
}

/** An SDP body (RFC 4566), CRLF or LF line ends. */
type SdpText = string;

/** A TC taking part in the Call's media: its MediaManagement session and its own SDP (address, ports, codecs). */
export interface RelayClient {
  readonly udn?: string;
  readonly mediaSessionID?: string;
  readonly sdp: SdpText;
}

/** How a change of clients applies: mixing on or off (undefined keeps it), media sharing, joining the clients. */
export interface RelayClientOptions {
  readonly mixing?: boolean;
  readonly shareMedia?: string;
  readonly join?: boolean;
}

export class RelaySession {
  readonly callID: string;
  private readonly streams = new Map<string, RelayStream>();
  private readonly pairs: UdpPair[] = [];
  private readonly acquired: number[] = [];
  /** The WAN m-lines of the last SDP the TS wrote, in order (stream keys), and each one's media type and formats. */
  private wanOrder: string[] = [];
  private readonly wanLines = new Map<string, { type: string; formats: readonly string[] }>();
  /** The Remote Party's offer, until the next wanSdp() answers it. */
  private pendingOffer?: SdpStream[];
  /** An offer of ours waits for the Remote Party's answer. */
  private awaitingAnswer = false;
  private nativeTypes = new Set<string>();
  private mixing = false;
  private clients: ClientEntry[] = [];
  private nextClient = 1;
  private readonly wanSdpState: SdpVersioning;
  private readonly homeSdpState: SdpVersioning;
  private readonly random: () => number;
  private readonly cname: string;
  private readonly log: Logger;
  private closing?: Promise<void>;

  constructor(private readonly opts: RelaySessionOptions) {
    this.callID = opts.callID;
    this.random = opts.random ?? randomUint32;
    this.log = opts.logger;
    const id = (this.random() >>> 0) % 1_000_000_000;
    this.wanSdpState = { sessionId: id, version: 1 };
    this.homeSdpState = { sessionId: id + 1, version: 1 };
    this.cname = `hometel-${(this.random() >>> 0).toString(16)}@${opts.address}`;
  }

  get closed(): boolean {
    return this.closing !== undefined;
  }

  // ------------------------------------------------------------------------------------------ SDP

  wanSdp(chosenMedia: SdpText): SdpText {
    if (this.closed) throw new Error(`the media of ${this.callID} is closed`);
    const chosen = parseStreams(chosenMedia).filter((s) => s.port !== 0);
    const offer = this.pendingOffer;
    if (offer) {
      this.pendingOffer = undefined;
      try {
        return this.answer(offer, chosen);
      } catch (e) {
        this.pendingOffer = offer;
        throw e;
      }
    }
    return this.offer(chosen);
  }

  private answer(offer: readonly SdpStream[], chosen: readonly SdpStream[]): string {
    const lines: WrittenStream[] = [];
    const applied: Array<() => void> = [];
    for (const r of offer) {
      const c = chosen.find((s) => s.key === r.key);
      const codecs = c ? answerCodecs(r.codecs, c.codecs, r.type === 'audio') : [];
      if (!c || r.port === 0 || !isPlainRtp(r.protocol) || codecs.length === 0) {
        lines.push({ type: r.type, port: 0, protocol: r.protocol, codecs: [], formats: r.formats });
        const existing = this.streams.get(r.key);
        if (existing) applied.push(() => existing.setRemoteMedia({ codecs: [], direction: 'inactive' }));
        continue;
      }
      const te = r.telephoneEvent && c.telephoneEvent ? r.telephoneEvent : undefined;
      const stream = this.stream(r.key, r.type);
      const port = this.wanPort(stream);
      applied.push(() => stream.setRemoteMedia(legMediaOf(r, codecs, te)));
      lines.push({
        type: r.type,
        port,
        protocol: r.protocol,
        codecs,
        ...(te ? { telephoneEvent: te } : {}),
        ...((c.ptime ?? r.ptime) !== undefined ? { ptime: c.ptime ?? r.ptime } : {}),
        direction: answerDirection(r.direction),
        extra: c.extra,
      });
    }
    for (const apply of applied) apply();
    this.wanOrder = offer.map((r) => r.key);
    this.awaitingAnswer = false;
    return this.write(this.wanSdpState, lines);
  }

  private offer(chosen: readonly SdpStream[]): string {
    const keys = [...this.wanOrder];
    for (const s of chosen) if (!keys.includes(s.key)) keys.push(s.key);
    const lines: WrittenStream[] = [];
    for (const key of keys) {
      const c = chosen.find((s) => s.key === key);
      const codecs = c ? (c.type === 'audio' ? withTranscodable(c.codecs) : [...c.codecs]) : [];
      if (!c || codecs.length === 0 || !isPlainRtp(c.protocol)) {
        // RFC 3264 8: an m-line is never removed from a later offer; one no longer wanted gets port 0.
        const before = this.wanLines.get(key);
        lines.push({ type: c?.type ?? before?.type ?? key.split(':')[0]!, port: 0, protocol: 'RTP/AVP', codecs: [], formats: before?.formats ?? c?.formats ?? ['0'] });
        continue;
      }
      const stream = this.stream(key, c.type);
      const port = this.wanPort(stream);
      stream.offered(codecs, c.telephoneEvent);
      lines.push({
        type: c.type,
        port,
        protocol: 'RTP/AVP',
        codecs,
        ...(c.telephoneEvent ? { telephoneEvent: c.telephoneEvent } : {}),
        ...(c.ptime !== undefined ? { ptime: c.ptime } : {}),
        direction: c.direction,
        extra: c.extra,
      });
    }
    this.wanOrder = keys;
    this.awaitingAnswer = true;
    return this.write(this.wanSdpState, lines);
  }

  homeSdp(negotiated: SdpText): SdpText {
    const lines: WrittenStream[] = parseStreams(negotiated).map((s) => {
      if (s.port === 0) return { type: s.type, port: 0, protocol: s.protocol, codecs: [], formats: s.formats };
      const stream = this.closed ? undefined : this.stream(s.key, s.type);
      const port = stream ? this.homePort(stream) : 0;
      return {
        type: s.type,
        port,
        protocol: isPlainRtp(s.protocol) ? s.protocol : 'RTP/AVP',
        codecs: s.type === 'audio' ? withTranscodable(s.codecs) : [...s.codecs],
        ...(s.telephoneEvent ? { telephoneEvent: s.telephoneEvent } : {}),
        ...(s.ptime !== undefined ? { ptime: s.ptime } : {}),
        direction: s.direction,
        extra: s.extra,
      };
    });
    return this.write(this.homeSdpState, lines);
  }

  /** Writes an SDP; its o= version grows whenever its content changes (RFC 3264 8). */
  private write(state: SdpVersioning, lines: readonly WrittenStream[]): string {
    if (state === this.wanSdpState) {
      this.wanOrder.forEach((key, i) => {
        const l = lines[i];
        if (l && l.port !== 0) this.wanLines.set(key, { type: l.type, formats: [...l.codecs.map((c) => String(c.pt)), ...(l.telephoneEvent ? [String(l.telephoneEvent.pt)] : [])] });
      });
    }
    let body = writeStreams({ address: this.opts.address, sessionId: state.sessionId, version: state.version }, lines);
    if (state.lastBody !== undefined && body !== state.lastBody) {
      state.version++;
      body = writeStreams({ address: this.opts.address, sessionId: state.sessionId, version: state.version }, lines);
    }
    state.lastBody = body;
    return body;
  }

  setRemote(sdp: SdpText, kind?: 'offer' | 'answer'): void {
    if (this.closed) return;
    const streams = parseStreams(sdp);
    if (streams.length === 0) return;
    const answer = kind ? kind === 'answer' : this.awaitingAnswer;
    if (!answer) {
      this.pendingOffer = streams;
      return;
    }
    this.awaitingAnswer = false;
    this.pendingOffer = undefined;
    for (const r of streams) {
      const stream = this.streams.get(r.key);
      if (!stream) continue;
      stream.setRemoteMedia(r.port === 0 ? { codecs: [], direction: 'inactive' } : legMediaOf(r));
    }
  }

  // ------------------------------------------------------------------------------------------ home side

  setClients(tcs: readonly RelayClient[], opts: RelayClientOptions): void {
    if (this.closed) return;
    if (opts.mixing !== undefined) this.mixing = opts.mixing;
    const entries: ClientEntry[] = tcs.map((tc) => {
      const sessionId = tc.mediaSessionID ?? tc.udn;
      return {
        id: sessionId ?? `tc${this.nextClient++}`,
        ...(sessionId !== undefined ? { sessionId } : {}),
        ...(opts.shareMedia !== undefined ? { sharing: opts.shareMedia } : {}),
        streams: parseStreams(tc.sdp).filter((s) => s.port !== 0),
      };
    });
    if (opts.join) {
      for (const e of entries) {
        const i = this.clients.findIndex((c) => c.id === e.id && c.sharing === e.sharing);
        if (i >= 0) this.clients[i] = e;
        else this.clients.push(e);
      }
    } else {
      this.clients = entries;
    }
    for (const stream of this.streams.values()) this.applyClients(stream);
  }

  /** Gives a stream the legs of the TCs that have it (none while it is native); a TC that stays keeps its leg. */
  private applyClients(stream: RelayStream): void {
    stream.setMixing(this.mixing);
    const legs: Leg[] = [];
    if (!this.nativeTypes.has(stream.type)) {
      for (const e of this.clients) {
        for (const s of e.streams) {
          if (s.key !== stream.key) continue;
          const media = legMediaOf(s);
          if (!media.peer) continue;
          if (legs.some((l) => l.media.peer?.address === media.peer!.address && l.media.peer.port === media.peer!.port)) continue;
          const key = `tc:${e.id}${e.sharing !== undefined ? `>${e.sharing}` : ''}`;
          const kept = stream.clients.find((l) => l.key === key && l.media.peer?.address === media.peer!.address && l.media.peer.port === media.peer!.port);
          if (kept) {
            kept.media = media;
            legs.push(kept);
          } else {
            legs.push(new Leg(key, media, this.random, stream.clockRate, stream.audio, e.sharing, e.sessionId));
          }
        }
      }
    }
    stream.setClients(legs);
  }

  setNative(types: readonly string[] | undefined): void {
    if (this.closed) return;
    this.nativeTypes = new Set((types ?? []).map((t) => t.toLowerCase()));
    for (const stream of this.streams.values()) this.applyNative(stream);
  }

  private applyNative(stream: RelayStream): void {
    const want = this.nativeTypes.has(stream.type);
    if (want && !stream.native) {
      if (!stream.audio) this.log.info('TS-native media of this type is not supported; the stream carries nothing', { callID: this.callID, stream: stream.key });
      else stream.setNative(this.opts.native?.(this.callID, stream.type) ?? {});
    } else if (!want && stream.native) {
      stream.setNative(undefined);
    }
    this.applyClients(stream);
  }

  // ------------------------------------------------------------------------------------------ streams and ports

  private stream(key: string, type: string): RelayStream {
    let s = this.streams.get(key);
    if (!s) {
      s = new RelayStream({
        key,
        type,
        clock: this.opts.clock,
        logger: this.log,
        random: this.random,
        cname: this.cname,
        ...(this.opts.rtcpIntervalMs !== undefined ? { rtcpIntervalMs: this.opts.rtcpIntervalMs } : {}),
      });
      this.streams.set(key, s);
      this.applyNative(s);
    }
    return s;
  }

  private pair(stream: RelayStream, side: 'wan' | 'home'): UdpPair | undefined {
    const port = this.opts.ports.acquire();
    if (port === undefined) return undefined;
    this.acquired.push(port);
    const pair =
      side === 'wan'
        ? new UdpPair(this.opts.address, port, stream.onWanRtp, stream.onWanRtcp, this.log)
        : new UdpPair(this.opts.address, port, stream.onHomeRtp, stream.onHomeRtcp, this.log);
    this.pairs.push(pair);
    return pair;
  }

  private wanPort(stream: RelayStream): number {
    if (!stream.wan) {
      const pair = this.pair(stream, 'wan');
      if (!pair) throw new MediaResourceError(`no RTP port pair left for the ${stream.type} of ${this.callID}`);
      stream.wan = pair;
    }
    return stream.wan.port;
  }

  private homePort(stream: RelayStream): number {
    if (!stream.home) {
      const pair = this.pair(stream, 'home');
      if (!pair) {
        this.log.warn('no RTP port pair left for the home side of a stream', { callID: this.callID, stream: stream.key });
        return 0;
      }
      stream.home = pair;
    }
    return stream.home.port;
  }

  // ------------------------------------------------------------------------------------------ life

  ready(): Promise<void> {
    return Promise.all(this.pairs.map((p) => p.ready)).then(() => undefined);
  }

  close(): Promise<void> {
    this.closing ??= (async () => {
      try {
        await Promise.allSettled([...this.streams.values()].map((s) => s.close()));
        await Promise.allSettled(this.pairs.map((p) => p.close()));
      } finally {
        for (const port of this.acquired) this.opts.ports.release(port);
        this.acquired.length = 0;
        this.log.debug('call media closed', { callID: this.callID });
        try {
          this.opts.onClosed?.();
        } catch (e) {
          this.log.error('media close listener failed', { error: errorMessage(e) });
        }
      }
    })();
    return this.closing;
  }

  /** Every packet the Call's streams relayed and dropped. */
  packetTotals(): RelayPacketTotals {
    return [...this.streams.values()].map((s) => s.packetTotals()).reduce(addPacketTotals, noPackets);
  }

  stats(): CallMediaStats {
    return { callID: this.callID, closed: this.closed, streams: [...this.streams.values()].map((s) => s.stats()) };
  }
}
