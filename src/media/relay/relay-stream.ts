/**
 * One media stream of a Call (one m-line: `audio:0`, `video:0` …) as the relay runs it: the WAN port pair towards
 * the Remote Party, the home port pair every TC of the stream sends to, the peers (legs), and how media goes
 * between them.
 *
 * - **forward** (one TC, or any non-audio stream): each packet is relayed as it comes — payload untouched when the
 *   receiving peer has the same codec (its own payload number written), re-encoded when it has the other G.711 law;
 *   the Remote Party's stream goes to every TC, the stream of the TC that sends goes to the Remote Party.
 * - **mix** (audio with two or more TCs, or the TS's own media): every input is decoded into 20 ms frames and, every
 *   20 ms, the Remote Party gets the sum of the TCs (and the TS's source), each TC the Remote Party (and the TS's
 *   source) plus, with mixing on, the other TCs — never itself (the total minus its own frame); sums saturate.
 *
 * Whatever is relayed, each peer receives one RTP stream of the relay's own (OutStream: one SSRC per leg, sequence
 * numbers and timestamps continuous across changes of source). RFC 4733 telephone-events pass between the Remote
 * Party and the TCs (payload numbers mapped, never decoded). TCs that share media (shareMedia) receive copies of the
 * named session's stream. RTCP is terminated per leg (Leg). Packets on the home port from an address that is no TC
 * of the stream are dropped and counted; on the WAN port the first valid packet latches the Remote Party's address
 * (symmetric RTP) and other sources are dropped and counted.
 */
import { errorMessage, type Clock, type Logger, type TimerHandle } from '../../base/index.js';
import { frameSamples, type AudioSink, type AudioSource } from '../audio/frame.js';
import { FramePacer } from '../audio/frame-pacer.js';
import { clampToInt16, mixInto, subtractFrom } from '../audio/mix.js';
import type { RtpAddress } from '../endpoint/rtp-endpoint.js';
import { parseRtp, serializeRtp, type RtpPacket } from '../rtp/packet.js';
import { checkRtcpCompound, isRtcpPacket, serializeRtcp } from '../rtp/rtcp.js';
import { seqAdd, tsAdd } from '../rtp/sequence.js';
import { addPacketTotals, noPackets, type MediaStreamStats, type RelayPacketTotals } from './stats.js';
import { Leg, type LegMedia } from './leg.js';
import type { MappedHeader } from './out-stream.js';
import type { StreamCodec, TelephoneEventFormat } from '../sdp/index.js';
import { g711Of } from './transcoding.js';
import type { UdpPair } from './udp-pair.js';

/** The TS's own media endpoint for one stream (TS-based media handling): what it plays and where it records. */
export interface NativeMedia {
  readonly source?: AudioSource;
  readonly sink?: AudioSink;
  /** Releases the source and sink (closes a recording); called when the stream stops being native or closes. */
  close?(): Promise<void>;
}

export interface RelayStreamOptions {
  readonly key: string;
  readonly type: string;
  readonly clock: Clock;
  readonly logger: Logger;
  readonly random: () => number;
  /** SDES CNAME of the relay in this Call. */
  readonly cname: string;
  /** Mean RTCP report interval per leg; default 5000 ms. */
  readonly rtcpIntervalMs?: number;
}

const maxPayloadBytes = 1500;
/** After an RFC 4733 packet relayed to a peer the mixer sends it no audio for this long (the event replaces audio). */
const eventHoldMs = 70;
/** A TC that sent within this long is the one whose stream the Remote Party gets (several TCs, no mixing). */
const recentSenderMs = 1000;

function sameAddress(a: RtpAddress | undefined, b: RtpAddress | undefined): boolean {
  return a !== undefined && b !== undefined && a.address === b.address && a.port === b.port;
}

interface NativeState {
  readonly media: NativeMedia;
  sourceDone: boolean;
  framesPlayed: number;
  framesRecorded: number;
  events: number;
}

function legTotals(l: Leg): RelayPacketTotals {
  const c = l.counters;
  return { relayed: c.packetsSent, foreign: c.droppedForeign, malformed: c.malformed, unroutable: c.unroutable };
}

export class RelayStream {
  readonly audio: boolean;
  readonly clockRate: number;
  readonly remote: Leg;
  wan?: UdpPair;
  home?: UdpPair;
  private clientLegs: Leg[] = [];
  private nativeState?: NativeState;
  private mixingOn = false;
  private currentMode: 'forward' | 'mix' = 'forward';
  /** The Remote Party's SDP is known (until then what the relay offered is accepted from it). */
  private remoteKnown = false;
  private readonly mixer: FramePacer;
  private rtcpTimer?: TimerHandle;
  /** The mixer's own numbering, mapped per leg by its OutStream. */
  private mixSeq = 0;
  private mixTs = 0;
  private unknownSource = 0;
  private homeMalformed = 0;
  /** What the legs of TCs that left the stream counted (totals never go down). */
  private departed: RelayPacketTotals = noPackets;
  private closed = false;
  private readonly pending = new Set<Promise<unknown>>();
  private readonly log: Logger;
  private readonly clock: Clock;

  constructor(private readonly opts: RelayStreamOptions) {
    this.audio = opts.type === 'audio';
    this.clockRate = this.audio ? 8000 : 90000;
    this.log = opts.logger;
    this.clock = opts.clock;
    this.mixer = new FramePacer(this.clock, (now) => this.mixFrame(now), () => !this.closed && this.currentMode === 'mix');
    this.remote = new Leg('remote', { codecs: [], direction: 'sendrecv' }, opts.random, this.clockRate, this.audio);
    this.scheduleRtcp();
  }

  get key(): string {
    return this.opts.key;
  }

  get type(): string {
    return this.opts.type;
  }

  get mode(): 'forward' | 'mix' {
    return this.currentMode;
  }

  get clients(): readonly Leg[] {
    return this.clientLegs;
  }

  get native(): NativeMedia | undefined {
    return this.nativeState?.media;
  }

  /** The TCs that take part (not those that only share another session's stream). */
  private get participants(): Leg[] {
    return this.clientLegs.filter((c) => c.sharing === undefined);
  }

  // ------------------------------------------------------------------------------------------ configuration

  /** What the relay offered the Remote Party: accepted from it until its own SDP is known. */
  offered(codecs: readonly StreamCodec[], te: TelephoneEventFormat | undefined): void {
    if (this.remoteKnown) return;
    this.remote.media = { ...this.remote.media, codecs, ...(te ? { telephoneEvent: te } : {}) };
  }

  /** The Remote Party's negotiated media (its offer as answered, or its answer). */
  setRemoteMedia(media: LegMedia): void {
    const before = this.remote.media.peer;
    this.remote.media = media;
    this.remoteKnown = true;
    if (!sameAddress(before, media.peer)) {
      // Another address in SDP: the next valid packet latches afresh.
      this.remote.latched = undefined;
      this.remote.rtcpLatched = undefined;
    }
  }

  setClients(legs: readonly Leg[]): void {
    const removed = this.clientLegs.filter((l) => !legs.includes(l));
    this.clientLegs = [...legs];
    for (const l of removed) this.departed = addPacketTotals(this.departed, legTotals(l));
    for (const l of removed) this.goodbye(l, this.home);
    this.recompute();
  }

  setMixing(on: boolean): void {
    this.mixingOn = on;
    this.recompute();
  }

  /** Makes the stream TS-native (its own source and sink) or not; closes the previous native media. */
  setNative(media: NativeMedia | undefined): void {
    if (this.nativeState?.media === media) return;
    const old = this.nativeState;
    this.nativeState = media ? { media, sourceDone: false, framesPlayed: 0, framesRecorded: 0, events: 0 } : undefined;
    if (old?.media.close) this.track(old.media.close());
    this.recompute();
  }

  private recompute(): void {
    if (this.closed) return;
    const mix = this.audio && (this.nativeState !== undefined || this.participants.length >= 2);
    if (mix && this.currentMode !== 'mix') {
      this.currentMode = 'mix';
      for (const l of [this.remote, ...this.clientLegs]) l.input.clear();
      this.mixer.run();
      this.log.debug('stream mixes', { stream: this.key, clients: this.participants.length, native: this.nativeState !== undefined });
    } else if (!mix && this.currentMode === 'mix') {
      this.currentMode = 'forward';
      this.mixer.stop();
      this.log.debug('stream forwards', { stream: this.key, clients: this.participants.length });
    }
  }

  // ------------------------------------------------------------------------------------------ receiving

  /** A datagram on the WAN RTP port. */
  onWanRtp = (data: Buffer, from: RtpAddress): void => {
    if (this.closed) return;
    if (isRtcpPacket(data)) return this.onWanRtcp(data, from);
    const remote = this.remote;
    const parsed = parseRtp(data);
    if (!parsed.ok) {
      remote.counters.malformed++;
      return;
    }
    const p = parsed.packet;
    if (!remote.accepts(p.payloadType) || p.payload.length > maxPayloadBytes) {
      remote.counters.malformed++;
      return;
    }
    if (!remote.latched) {
      remote.latched = from;
      this.log.debug('remote party latched', { stream: this.key, from: `${from.address}:${from.port}` });
    } else if (!sameAddress(remote.latched, from)) {
      remote.counters.droppedForeign++;
      return;
    }
    const now = this.clock.now();
    if (!remote.received(p.ssrc, p.sequenceNumber, data.length, now)) return;
    this.route(remote, p, now);
  };

  /** A datagram on the WAN RTCP port. */
  onWanRtcp = (data: Buffer, from: RtpAddress): void => {
    if (this.closed) return;
    const remote = this.remote;
    // RTCP only from the Remote Party's host (a NAT may map its RTCP port apart).
    const peer = remote.latched ?? remote.media.peer;
    if (!peer || peer.address !== from.address) {
      remote.counters.droppedForeign++;
      return;
    }
    this.rtcpFrom(remote, data, from);
  };

  /** A datagram on the home RTP port: from one of the stream's TCs, told apart by source address. */
  onHomeRtp = (data: Buffer, from: RtpAddress): void => {
    if (this.closed) return;
    if (isRtcpPacket(data)) return this.onHomeRtcp(data, from);
    const parsed = parseRtp(data);
    if (!parsed.ok) {
      this.homeMalformed++;
      return;
    }
    const client = this.clientLegs.find((c) => sameAddress(c.media.peer, from));
    if (!client) {
      this.countUnknown(from);
      return;
    }
    const p = parsed.packet;
    if (!client.accepts(p.payloadType) || p.payload.length > maxPayloadBytes) {
      client.counters.malformed++;
      return;
    }
    const now = this.clock.now();
    if (!client.received(p.ssrc, p.sequenceNumber, data.length, now)) return;
    this.route(client, p, now);
  };

  /** A datagram on the home RTCP port. */
  onHomeRtcp = (data: Buffer, from: RtpAddress): void => {
    if (this.closed) return;
    const client = this.clientLegs.find((c) => sameAddress(c.media.rtcpPeer, from) || sameAddress(c.media.peer, from));
    if (!client) {
      this.countUnknown(from);
      return;
    }
    this.rtcpFrom(client, data, from);
  };

  private countUnknown(from: RtpAddress): void {
    this.unknownSource++;
    if (this.unknownSource <= 5 || this.unknownSource % 10_000 === 0) {
      this.log.debug('dropped a datagram from no TC of the stream', { stream: this.key, from: `${from.address}:${from.port}`, count: this.unknownSource });
    }
  }

  private rtcpFrom(leg: Leg, data: Buffer, from: RtpAddress): void {
    const parsed = checkRtcpCompound(data);
    if (!parsed.ok) {
      leg.counters.malformed++;
      return;
    }
    leg.rtcpReceived(parsed.packets, from, this.clock.now());
    for (const p of parsed.packets) {
      if (p.type === 'bye') this.log.debug('RTCP BYE', { stream: this.key, leg: leg.key, reason: p.reason });
    }
  }

  // ------------------------------------------------------------------------------------------ routing

  private route(src: Leg, p: RtpPacket, now: number): void {
    const event = src.isEvent(p.payloadType);
    if (event) src.counters.eventsReceived++;
    else src.jitterSample(p.timestamp, now);
    if (src !== this.remote) {
      // Media sharing: copies of this TC's stream to the sessions that share it.
      for (const c of this.clientLegs) {
        if (c.sharing !== undefined && c.sharing === src.sessionId) this.forward(src, c, p, event, now);
      }
      // What a sharing session sends is not relayed.
      if (src.sharing !== undefined) return;
    }
    if (this.currentMode === 'forward') {
      if (src === this.remote) {
        for (const c of this.participants) this.forward(src, c, p, event, now);
      } else if (src === this.sender(now)) {
        this.forward(src, this.remote, p, event, now);
      }
      return;
    }
    if (event) {
      if (src === this.remote) {
        for (const c of this.participants) this.forward(src, c, p, event, now);
        if (this.nativeState) this.nativeState.events++;
      } else {
        this.forward(src, this.remote, p, event, now);
      }
      return;
    }
    const codec = g711Of(src.codecByPt(p.payloadType));
    if (!codec) {
      src.counters.unroutable++;
      return;
    }
    src.input.push(p.ssrc, p.timestamp, codec.decode(p.payload));
  }

  /** The TC whose stream the Remote Party gets in forward mode: the first that sent lately, else the first. */
  private sender(now: number): Leg | undefined {
    const ps = this.participants;
    if (ps.length <= 1) return ps[0];
    return ps.find((c) => now - c.lastReceivedAt < recentSenderMs) ?? ps[0];
  }

  private forward(src: Leg, dst: Leg, p: RtpPacket, event: boolean, now: number): void {
    if (!dst.receives) return;
    let pt: number;
    let payload = p.payload;
    let transcoded = false;
    if (event) {
      const te = dst.media.telephoneEvent;
      if (!te) {
        dst.counters.unroutable++;
        return;
      }
      pt = te.pt;
    } else {
      const codec = src.codecByPt(p.payloadType);
      const same = codec && dst.sameAs(codec);
      if (same) {
        pt = same.pt;
      } else {
        const from = g711Of(codec);
        const target = dst.sendCodec;
        const to = g711Of(target);
        if (!from || !to || !target) {
          dst.counters.unroutable++;
          return;
        }
        payload = to.encode(from.decode(p.payload));
        pt = target.pt;
        transcoded = true;
      }
    }
    const h = dst.out.map(src.key, p.ssrc, p.sequenceNumber, p.timestamp, now);
    // Audio marks the first packet from a new source as a talkspurt's start; video's marker ends a frame, kept as is.
    const marker = event || !this.audio ? p.marker : p.marker || h.switched;
    if (!this.send(dst, pt, marker, h, payload, now)) return;
    if (transcoded) dst.counters.transcoded++;
    if (event) {
      dst.counters.eventsSent++;
      dst.eventUntil = now + eventHoldMs;
    }
  }

  private send(dst: Leg, pt: number, marker: boolean, h: MappedHeader, payload: Uint8Array, now: number): boolean {
    const to = dst.destination;
    const pair = dst === this.remote ? this.wan : this.home;
    if (!to || !pair) return false;
    const bytes = serializeRtp({ payloadType: pt, marker, sequenceNumber: h.sequenceNumber, timestamp: h.timestamp, ssrc: dst.out.ssrc, payload });
    pair.sendRtp(bytes, to);
    dst.out.sent(h, payload.length, now);
    dst.counters.packetsSent++;
    dst.counters.bytesSent += bytes.length;
    return true;
  }

  // ------------------------------------------------------------------------------------------ mixing

  /** One 20 ms frame: every input's frame, the total, and each output as the total minus what it must not hear. */
  mixFrame(now: number): void {
    const ps = this.participants;
    const remoteFrame = this.remote.input.pop();
    const clientFrames = ps.map((c) => c.input.pop());
    const native = this.nativeState;
    let nativeFrame: Int16Array | undefined;
    // The TS's source starts once the Remote Party can be sent to (nothing of an announcement is lost while it rings).
    if (native?.media.source && !native.sourceDone && this.remote.destination) {
      try {
        nativeFrame = native.media.source.nextFrame();
      } catch (e) {
        this.log.warn('TS-native audio source failed', { stream: this.key, error: errorMessage(e) });
      }
      if (nativeFrame) native.framesPlayed++;
      else native.sourceDone = true;
    }
    const total = new Int32Array(frameSamples);
    if (remoteFrame) mixInto(total, remoteFrame);
    for (const f of clientFrames) if (f) mixInto(total, f);
    if (nativeFrame) mixInto(total, nativeFrame);

    // The Remote Party hears everyone but itself.
    const toRemote = total.slice();
    if (remoteFrame) subtractFrom(toRemote, remoteFrame);
    this.sendMixed(this.remote, toRemote, now);
    // Each TC hears the Remote Party and the TS's source, and with mixing the other TCs: never itself.
    ps.forEach((c, i) => {
      let acc: Int32Array;
      if (this.mixingOn) {
        acc = total.slice();
        const own = clientFrames[i];
        if (own) subtractFrom(acc, own);
      } else {
        acc = new Int32Array(frameSamples);
        if (remoteFrame) mixInto(acc, remoteFrame);
        if (nativeFrame) mixInto(acc, nativeFrame);
      }
      this.sendMixed(c, acc, now);
    });
    // The TS's own sink records everything but its own source.
    if (native?.media.sink) {
      const acc = total.slice();
      if (nativeFrame) subtractFrom(acc, nativeFrame);
      try {
        native.media.sink.write(clampToInt16(acc));
        native.framesRecorded++;
      } catch (e) {
        this.log.warn('TS-native audio sink failed', { stream: this.key, error: errorMessage(e) });
      }
    }
    this.mixSeq = seqAdd(this.mixSeq, 1);
    this.mixTs = tsAdd(this.mixTs, frameSamples);
  }

  private sendMixed(dst: Leg, acc: Int32Array, now: number): void {
    if (!dst.receives || now < dst.eventUntil || !dst.destination) return;
    const target = dst.sendCodec;
    const codec = g711Of(target);
    if (!codec || !target) {
      dst.counters.unroutable++;
      return;
    }
    const payload = codec.encode(clampToInt16(acc));
    const h = dst.out.map('mix', 0, this.mixSeq, this.mixTs, now);
    if (this.send(dst, target.pt, h.switched, h, payload, now)) dst.counters.transcoded++;
  }

  // ------------------------------------------------------------------------------------------ RTCP

  private scheduleRtcp(): void {
    const mean = this.opts.rtcpIntervalMs ?? 5000;
    const interval = mean * (0.5 + (this.opts.random() >>> 0) / 0x1_0000_0000);
    this.rtcpTimer = this.clock.setTimer(interval, () => {
      this.rtcpTimer = undefined;
      if (this.closed) return;
      void this.report(this.remote, this.wan, false);
      for (const c of this.clientLegs) void this.report(c, this.home, false);
      this.scheduleRtcp();
    });
  }

  private report(leg: Leg, pair: UdpPair | undefined, bye: boolean): Promise<void> {
    const to = leg.rtcpDestination;
    if (!pair || !to || !leg.active) return Promise.resolve();
    leg.counters.rtcpSent++;
    const bytes = serializeRtcp(leg.report(this.clock.now(), this.opts.cname, bye));
    return bye ? pair.sendRtcpNow(bytes, to) : (pair.sendRtcp(bytes, to), Promise.resolve());
  }

  /** A leg leaves the stream: it gets an RTCP BYE for the stream the relay sent it. */
  private goodbye(leg: Leg, pair: UdpPair | undefined): void {
    this.track(this.report(leg, pair, true));
  }

  private track(p: Promise<unknown>): void {
    const guarded = p.catch((e: unknown) => this.log.debug('relay cleanup step failed', { stream: this.key, error: errorMessage(e) }));
    this.pending.add(guarded);
    void guarded.finally(() => this.pending.delete(guarded));
  }

  // ------------------------------------------------------------------------------------------ end

  /** Stops the timers, says BYE on every leg, closes the TS-native media and the sockets. Idempotent. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    this.mixer.stop();
    this.rtcpTimer?.cancel();
    this.rtcpTimer = undefined;
    const byes = [this.report(this.remote, this.wan, true), ...this.clientLegs.map((c) => this.report(c, this.home, true))];
    await Promise.allSettled(byes);
    // The native state stays for stats(); its source and sink are released.
    const native = this.nativeState;
    if (native?.media.close) this.track(native.media.close());
    await Promise.allSettled([...this.pending]);
    await Promise.allSettled([this.wan?.close(), this.home?.close()]);
  }

  /** Every packet the stream relayed and dropped since it opened. */
  packetTotals(): RelayPacketTotals {
    const own = { relayed: 0, foreign: this.unknownSource, malformed: this.homeMalformed, unroutable: 0 };
    return [this.remote, ...this.clientLegs].map(legTotals).reduce(addPacketTotals, addPacketTotals(own, this.departed));
  }

  stats(): MediaStreamStats {
    const leg = (l: Leg) => ({ ...l.counters, ssrc: l.out.ssrc });
    return {
      key: this.key,
      type: this.type,
      mode: this.currentMode,
      native: this.nativeState !== undefined,
      mixing: this.mixingOn,
      ...(this.wan ? { wanPort: this.wan.port } : {}),
      ...(this.home ? { homePort: this.home.port } : {}),
      remote: { ...leg(this.remote), ...(this.remote.latched ? { latched: `${this.remote.latched.address}:${this.remote.latched.port}` } : {}) },
      clients: this.clientLegs.map((c) => ({
        ...leg(c),
        id: c.key,
        address: c.media.peer?.address ?? '',
        port: c.media.peer?.port ?? 0,
        ...(c.sharing !== undefined ? { sharing: c.sharing } : {}),
      })),
      unknownSource: this.unknownSource,
      homeMalformed: this.homeMalformed,
      nativeFramesPlayed: this.nativeState?.framesPlayed ?? 0,
      nativeFramesRecorded: this.nativeState?.framesRecorded ?? 0,
      nativeEvents: this.nativeState?.events ?? 0,
    };
  }
}
