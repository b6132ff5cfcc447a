/**
 * The browser as a Telephony Client's media endpoint: `MediaSessionPort` (telephony/domain/media-session.ts) with
 * each Media Session bridged between two legs, without transcoding:
 * - the TS leg: plain RTP over UDP on a port pair from the pool, answered with the hub's address and that port and
 *   exactly the negotiated audio (PCMU/PCMA, telephone-event);
 * - the browser leg: a werift peer connection (browser-leg.ts) whose offer goes to the browser through the
 *   `BrowserSignalling` port and whose answer comes back through it.
 * G.711 passes through as it is: only the payload type number is mapped between the legs (payload-map.ts). The
 * browser is offered both laws, the TS leg's first, so a codec switch by ModifyMediaSession needs no new offer.
 *
 * A session ends on its own (closed, `BrowserSignalling.closed`, then `listener.ended`) when its peer connection
 * fails or closes (a browser that vanishes is noticed when ICE consent expires, 30 s), does not connect within
 * `connectTimeoutMs` of the answer, or the web application reports the browser gone (`browserEnded`).
 */
import type { Socket } from 'node:dgram';
import { errorMessage, type Clock, type Logger } from '../../base/index.js';
import { MediaSessionError, type MediaSessionListener, type MediaSessionOffer, type MediaSessionPort } from '../../telephony/domain/index.js';
import { bindPortPair, closeQuietly, g711AudioStream, plainAddress, serializeRtp, type BoundPortPair, type PortPool, type RtpAddress } from '../index.js';
import { answerDirection, parseStreams, restrictSdp, writeStreams, type Direction, type SdpMedia, type SdpOrigin } from '../sdp/index.js';
import { BrowserLeg } from './browser-leg.js';
import { browserCodecsFor, PayloadMap, type BrowserCodec } from './payload-map.js';

/** How the hub reaches the browser that is this Telephony Client (the web application's event stream and HTTP API). */
export interface BrowserSignalling {
  /** Sends the browser the hub's SDP offer (ICE candidates included) for a session; resolves with its SDP answer. */
  offer(sessionId: string, sdp: string): Promise<string>;
  /** The session is over (closed or ended): the browser closes its peer connection. */
  closed(sessionId: string): void;
}

export interface WebRtcMediaSessionsOptions {
  /** The address the TS leg binds and answers with (an interface hometel serves). */
  readonly address: string;
  readonly ports: PortPool;
  readonly signalling: BrowserSignalling;
  /** The host addresses offered to the browser as ICE candidates (tests: 127.0.0.1 only). */
  readonly iceAddresses: readonly string[];
  /** UDP ports werift binds for ICE, inclusive; default any. */
  readonly icePortRange?: readonly [number, number];
  readonly clock: Clock;
  readonly logger: Logger;
  /** How long open() waits for the browser's answer; default 15000 ms. */
  readonly answerTimeoutMs?: number;
  /** How long after the answer the peer connection may take to connect before the session ends; default 15000 ms. */
  readonly connectTimeoutMs?: number;
  /** Sessions open at once; one more open() fails with no-resources. Default 16. */
  readonly maxSessions?: number;
}

/** Running totals over all sessions, for a metrics module. */
export interface WebRtcMediaCounters {
  readonly sessions: number;
  /** RTP packets from TS legs sent on to browsers. */
  readonly packetsToBrowser: number;
  /** RTP packets from browsers sent on to TS legs. */
  readonly packetsFromBrowser: number;
  /** Packets not passed on: not RTP, from a stranger, a codec the other leg lacks, on hold, or before connecting. */
  readonly dropped: number;
}

interface TsPlan {
  readonly media: SdpMedia;
  /** Where the TS leg receives; undefined on hold (c= 0.0.0.0) or without an address. */
  readonly remote: RtpAddress | undefined;
  /** Our direction in the answer. */
  readonly direction: Direction;
}

interface Session {
  readonly id: string;
  readonly originId: number;
  version: number;
  readonly pair: BoundPortPair;
  readonly leg: BrowserLeg;
  plan: TsPlan;
  /** The codecs the browser accepted at open(). */
  readonly accepted: readonly BrowserCodec[];
  map: PayloadMap;
  answer: string;
  connectTimer?: { cancel(): void };
}

const sends = (d: Direction): boolean => d === 'sendrecv' || d === 'sendonly';
const receives = (d: Direction): boolean => d === 'sendrecv' || d === 'recvonly';

export class WebRtcMediaSessions implements MediaSessionPort {
  private listener?: MediaSessionListener;
  private readonly sessions = new Map<string, Session>();
  /** Sessions between open() and their registration, and whether a close() came meanwhile. */
  private readonly opening = new Map<string, { cancelled: boolean }>();
  private readonly log: Logger;
  private readonly caps: string;
  private nextOrigin = 1;
  private readonly count = { packetsToBrowser: 0, packetsFromBrowser: 0, dropped: 0 };

  constructor(private readonly opts: WebRtcMediaSessionsOptions) {
    if (opts.iceAddresses.length === 0) throw new RangeError('WebRtcMediaSessions needs at least one ICE host address');
    this.log = opts.logger;
    this.caps = writeStreams(this.origin(0, 0), [g711AudioStream(opts.ports.min)]);
  }

  capabilities(): string {
    return this.caps;
  }

  setListener(listener: MediaSessionListener): void {
    this.listener = listener;
  }

  get counters(): WebRtcMediaCounters {
    return { sessions: this.sessions.size, ...this.count };
  }

  /** The ids of the sessions open now. */
  openSessions(): string[] {
    return [...this.sessions.keys()];
  }

  async open(offer: MediaSessionOffer): Promise<string> {
    if (this.sessions.has(offer.id) || this.opening.has(offer.id)) throw new MediaSessionError('failed', `media session ${offer.id} is already open`);
    if (this.sessions.size + this.opening.size >= (this.opts.maxSessions ?? 16)) throw new MediaSessionError('no-resources', `${this.opts.maxSessions ?? 16} media sessions are open`);
    const plan = this.plan(offer);
    const state = { cancelled: false };
    this.opening.set(offer.id, state);
    let pair: BoundPortPair | undefined;
    let leg: BrowserLeg | undefined;
    try {
      // The socket handlers look the session up: nothing passes before it is registered.
      pair = await bindPortPair({
        address: this.opts.address,
        ports: this.opts.ports,
        rtcp: true,
        onRtp: (data, rinfo) => this.fromTs(offer.id, data, plainAddress(rinfo.address)),
        onRtcp: () => undefined,
        log: this.log,
        what: `media session ${offer.id}`,
      }).catch((e: unknown) => {
        throw new MediaSessionError('no-resources', errorMessage(e));
      });
      leg = await BrowserLeg.create({
        iceAddresses: this.opts.iceAddresses,
        ...(this.opts.icePortRange ? { icePortRange: this.opts.icePortRange } : {}),
        codecs: browserCodecsFor(plan.media),
      });
      const answer = await this.browserAnswer(offer.id, leg.offer);
      const accepted = await leg.accept(answer);
      if (state.cancelled) throw new MediaSessionError('failed', `media session ${offer.id} was closed while opening`);
      const s: Session = { id: offer.id, originId: this.nextOrigin++, version: 0, pair, leg, plan, accepted, map: new PayloadMap(plan.media, accepted), answer: '' };
      s.answer = this.answer(s, plan);
      this.register(s);
      this.log.info('media session open', { id: s.id, port: pair.port, codec: plan.media.codecs[0]?.encodingName });
      return s.answer;
    } catch (e) {
      if (pair) await closePair(pair, this.opts.ports);
      if (leg) {
        await leg.close();
        this.opts.signalling.closed(offer.id);
      }
      throw this.failure(e, 'open');
    } finally {
      this.opening.delete(offer.id);
    }
  }

  async modify(offer: MediaSessionOffer): Promise<string> {
    const s = this.sessions.get(offer.id);
    if (!s) throw new MediaSessionError('failed', `no media session ${offer.id}`);
    const plan = this.plan(offer);
    const answer = this.answer(s, plan, s.version + 1);
    // The browser keeps what it accepted at open(); only the TS leg's numbers and address change.
    s.map = new PayloadMap(plan.media, s.accepted);
    s.plan = plan;
    s.version++;
    s.answer = answer;
    this.log.info('media session modified', { id: s.id, codec: plan.media.codecs[0]?.encodingName });
    return answer;
  }

  async close(id: string): Promise<void> {
    const pending = this.opening.get(id);
    if (pending) pending.cancelled = true;
    const s = this.sessions.get(id);
    if (!s) return;
    await this.release(s);
    this.log.info('media session closed', { id });
  }

  /**
   * The browser side is gone or hung up (its event stream closed, it said so through the HTTP API): the session
   * ends now, as when its peer connection fails, instead of when ICE consent expires (RFC 7675: 30 s).
   */
  browserEnded(id: string, reason = 'the browser ended the media session'): Promise<void> {
    return this.end(id, reason);
  }

  /** Closes every session (no listener reports: the owner is going away). */
  async closeAll(): Promise<void> {
    await Promise.all([...this.sessions.keys()].map((id) => this.close(id)));
  }

  // ---------------------------------------------------------------- sessions

  private register(s: Session): void {
    this.sessions.set(s.id, s);
    s.leg.onRtp = (packet) => this.fromBrowser(s, packet.header.payloadType, packet.header, packet.payload);
    s.leg.onEnd = (reason) => void this.end(s.id, reason);
    const connectMs = this.opts.connectTimeoutMs ?? 15_000;
    if (s.leg.connectionState !== 'connected') {
      s.connectTimer = this.opts.clock.setTimer(connectMs, () => {
        if (s.leg.connectionState !== 'connected') void this.end(s.id, `the browser did not connect within ${connectMs} ms`);
      });
    }
  }

  private async release(s: Session): Promise<void> {
    if (this.sessions.get(s.id) !== s) return;
    this.sessions.delete(s.id);
    s.connectTimer?.cancel();
    s.leg.onEnd = undefined;
    await Promise.all([s.leg.close(), closePair(s.pair, this.opts.ports)]);
    this.opts.signalling.closed(s.id);
  }

  /** The session ends on its own: closed, then reported. */
  private async end(id: string, reason: string): Promise<void> {
    const s = this.sessions.get(id);
    if (!s) return;
    this.log.info('media session ended', { id, reason });
    await this.release(s);
    try {
      this.listener?.ended(id, reason);
    } catch (e) {
      this.log.error('media session listener failed', { id, error: errorMessage(e) });
    }
  }

  private browserAnswer(id: string, sdp: string): Promise<string> {
    const ms = this.opts.answerTimeoutMs ?? 15_000;
    return new Promise<string>((resolve, reject) => {
      const timer = this.opts.clock.setTimer(ms, () => reject(new MediaSessionError('failed', `the browser did not answer within ${ms} ms`)));
      this.opts.signalling.offer(id, sdp).then(
        (answer) => {
          timer.cancel();
          resolve(answer);
        },
        (e: unknown) => {
          timer.cancel();
          reject(new MediaSessionError('failed', `the browser did not answer: ${errorMessage(e)}`));
        },
      );
    });
  }

  // ---------------------------------------------------------------- media

  /** RTP from the TS leg: on to the browser under its payload number. */
  private fromTs(id: string, data: Buffer, from: string): void {
    const s = this.sessions.get(id);
    // Version 2 and a whole fixed header; the TS leg's own address only (c= of its SDP).
    const codec = s && data.length >= 12 && data[0]! >> 6 === 2 && from === s.plan.remote?.address && receives(s.plan.direction) ? s.map.toBrowser(data[1]! & 0x7f) : undefined;
    if (s && codec && s.leg.send(data, codec)) this.count.packetsToBrowser++;
    else this.count.dropped++;
  }

  /** RTP from the browser: on to the TS leg under its payload number, header extensions left behind. */
  private fromBrowser(s: Session, browserPt: number, h: { marker: boolean; sequenceNumber: number; timestamp: number; ssrc: number }, payload: Buffer): void {
    const pt = s.map.toTs(browserPt);
    const to = s.plan.remote;
    if (pt === undefined || !to || !sends(s.plan.direction) || this.sessions.get(s.id) !== s) {
      this.count.dropped++;
      return;
    }
    const packet = serializeRtp({ payloadType: pt, marker: h.marker, sequenceNumber: h.sequenceNumber, timestamp: h.timestamp, ssrc: h.ssrc, payload });
    s.pair.rtp.send(packet, to.port, to.address);
    this.count.packetsFromBrowser++;
  }

  // ---------------------------------------------------------------- SDP

  /** The TS leg's audio to serve: the first negotiated audio with G.711; `unsupported` when there is none. */
  private plan(offer: MediaSessionOffer): TsPlan {
    const media = offer.media.find((m) => m.type === 'audio' && m.codecs.some((c) => /^PCM[UA]$/i.test(c.encodingName) && (c.clockRate ?? 8000) === 8000));
    if (!media) throw new MediaSessionError('unsupported', 'no G.711 audio was negotiated');
    const stream = parseStreams(offer.remoteSdp).find((r) => r.type === 'audio');
    const ip = stream?.address;
    const held = ip === undefined || ip === '0.0.0.0' || ip === '::';
    return {
      media,
      remote: held ? undefined : { address: ip, port: media.port },
      direction: answerDirection(stream?.direction ?? 'sendrecv'),
    };
  }

  private origin(sessionId: number, version: number): SdpOrigin {
    return { username: '-', address: this.opts.address, sessionId, version };
  }

  private answer(s: Pick<Session, 'originId' | 'version' | 'pair'>, plan: TsPlan, version = s.version): string {
    const sdp = restrictSdp(writeStreams(this.origin(s.originId, version), [g711AudioStream(s.pair.port, plan.direction)]), [plan.media]);
    if (!sdp.ok) throw new MediaSessionError('failed', `cannot write the answer: ${sdp.reason}`);
    return sdp.value;
  }

  private failure(e: unknown, what: string): MediaSessionError {
    if (e instanceof MediaSessionError) return e;
    const text = errorMessage(e);
    this.log.warn(`could not ${what} a media session`, { error: text });
    return new MediaSessionError('failed', text);
  }
}

async function closePair(pair: BoundPortPair, ports: PortPool): Promise<void> {
  const socks: Socket[] = [pair.rtp, ...(pair.rtcp ? [pair.rtcp] : [])];
  await Promise.all(socks.map(closeQuietly));
  ports.release(pair.port);
}
