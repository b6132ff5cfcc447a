/**
 * One end of an RTP audio session (RFC 3550, RFC 3551 audio profile): a UDP socket on an explicit address with a
 * port pair from a `PortPool`, a send loop that takes a 20 ms frame from its source every 20 ms of the injected
 * Clock and sends it encoded with the negotiated codec, and a receiver that decodes into its sink through a small
 * jitter buffer (reordering put right, losses filled with silence, 20 ms frames out).
 *
 * Symmetric RTP (RFC 4961; "latching"): the first valid RTP packet fixes the remote address — the endpoint sends
 * there from then on, even when SDP named another (a NAT rewrote it), and drops and counts packets from any other
 * source. A valid packet is a well-formed RTP packet with a negotiated payload type; garbage never latches.
 *
 * RTCP: on port+1, or on the RTP port with rtcp-mux (RFC 5761); a compound SR or RR with SDES CNAME every
 * ~5 s (RFC 3550 6.2's minimum, randomised by ±50%), BYE on close. Received RTCP is checked (RFC 3550 A.2),
 * counted and remembered for the LSR/DLSR of our reports; it is accepted only from the latched peer's address.
 *
 * DTMF is RFC 4733 telephone-event both ways: `sendDtmf` replaces audio while an event lasts; received events
 * are reported once each to `onDtmf`.
 *
 * `close()` stops every timer, sends BYE, plays out what the jitter buffer holds, closes the sockets and returns
 * the port pair to the pool. The sink is the caller's: it is written to, never closed.
 */
import { randomBytes } from 'node:crypto';
import type { RemoteInfo, Socket } from 'node:dgram';
import { errorMessage, type Clock, type Logger, type TimerHandle } from '../../base/index.js';
import type { AudioSink, AudioSource } from '../audio/frame.js';
import { FramePacer } from '../audio/frame-pacer.js';
import { Rechunker } from '../audio/rechunk.js';
import type { Codec } from '../codecs/codec.js';
import { parseRtp, serializeRtp, type RtpPacket } from '../rtp/packet.js';
import { RtpReceiveStats } from '../rtp/receive-stats.js';
import {
  checkRtcpCompound,
  isRtcpPacket,
  ntpFromMs,
  ntpMiddle32,
  sdesCname,
  serializeRtcp,
  type ReportBlock,
  type RtcpPacket,
} from '../rtp/rtcp.js';
import { seqAdd, tsAdd } from '../rtp/sequence.js';
import { defaultTelephoneEventPayloadType, parseTelephoneEvent } from '../rtp/telephone-event.js';
import { DtmfReceiver, DtmfSender, type DtmfEvent, type DtmfSendOptions } from './dtmf.js';
import { JitterBuffer } from './jitter-buffer.js';
import type { PortPool } from './port-pool.js';
import { bindPortPair, closeQuietly, plainAddress } from './udp-socket.js';

export interface RtpAddress {
  readonly address: string;
  readonly port: number;
}

export interface RtpEndpointOptions {
  /** The local address to bind (an interface hometel serves), never a wildcard by default. */
  readonly address: string;
  readonly ports: PortPool;
  readonly clock: Clock;
  readonly logger: Logger;
  /** The negotiated codec: what is sent, and (with `receiveCodecs`) what is accepted. */
  readonly codec: Codec;
  /** Further codecs whose payload types are accepted and decoded (the rest of the negotiated set). */
  readonly receiveCodecs?: readonly Codec[];
  /** Where to send until a packet latches the peer (SDP c= and m= port); without it nothing is sent until then. */
  readonly remote?: RtpAddress;
  /** The peer's RTCP address (SDP a=rtcp); default the remote's port + 1, or the remote itself with rtcp-mux. */
  readonly remoteRtcp?: RtpAddress;
  /** RTP and RTCP on one port (RFC 5761). */
  readonly rtcpMux?: boolean;
  readonly source?: AudioSource;
  readonly sink?: AudioSink;
  /** The negotiated telephone-event payload type; default 101; null when DTMF was not negotiated. */
  readonly telephoneEventPayloadType?: number | null;
  /** Jitter-buffer depth in packets; default 3. */
  readonly jitterFrames?: number;
  /** Mean RTCP report interval; default 5000 ms. */
  readonly rtcpIntervalMs?: number;
  /** The SDES CNAME; default a random one. */
  readonly cname?: string;
  /** Random 32-bit unsigned integers (SSRC, initial sequence number and timestamp); default crypto. */
  readonly random?: () => number;
  /** Largest payload accepted, in octets; default 1500. */
  readonly maxPayloadBytes?: number;
}

export interface RtpEndpointStats {
  readonly packetsSent: number;
  /** RTP packet octets (header and payload) sent. */
  readonly bytesSent: number;
  readonly packetsReceived: number;
  readonly bytesReceived: number;
  /** RFC 3550 A.3 cumulative loss of the current remote source (never negative here). */
  readonly lost: number;
  /** Valid RTP from a source other than the latched one, and RTCP from another host. */
  readonly droppedForeign: number;
  /** Datagrams that are not RTP/RTCP, oversized, or carry a payload type that was not negotiated. */
  readonly malformed: number;
  /** Packets too late for playout, and duplicates. */
  readonly late: number;
  readonly duplicates: number;
  /** Samples of silence inserted for lost audio. */
  readonly concealedSamples: number;
  /** RFC 3550 A.8 interarrival jitter, timestamp units and ms. */
  readonly jitter: number;
  readonly jitterMs: number;
  readonly rtcpSent: number;
  readonly rtcpReceived: number;
  readonly dtmfReceived: number;
}

function randomUint32(): number {
  return randomBytes(4).readUInt32BE(0);
}

function sameAddress(a: RtpAddress, b: RtpAddress): boolean {
  return a.port === b.port && a.address === b.address;
}

export class RtpEndpoint {
  /** A DTMF digit (or other telephone-event) from the peer, once per event. */
  onDtmf?: (event: DtmfEvent) => void;
  /** The peer address was latched (first valid packet). */
  onLatched?: (remote: RtpAddress) => void;
  /** The source returned no more frames; sending stops until `setSource`. */
  onSourceEnd?: () => void;
  /** An RTCP BYE from the peer. */
  onBye?: (reason: string | undefined) => void;

  readonly ssrc: number;
  private readonly log: Logger;
  private readonly clock: Clock;
  private readonly rtcpMux: boolean;
  private tePt: number | undefined;
  private readonly maxPayload: number;
  private readonly cname: string;
  private readonly rtcpIntervalMs: number;
  private readonly random: () => number;
  private codec: Codec;
  private receiveCodecs: Map<number, Codec>;
  private source: AudioSource | undefined;
  private sink: AudioSink | undefined;

  // Sending.
  private destination: RtpAddress | undefined;
  private rtcpDestination: RtpAddress | undefined;
  private configuredRtcp: RtpAddress | undefined;
  private sequence: number;
  private timestamp: number;
  private firstAudio = true;
  private readonly dtmfOut: DtmfSender;
  private readonly pacer: FramePacer;
  private rtcpTimer?: TimerHandle;
  private lastSentAt = 0;
  /** The media timestamp of the slot last sent (an event packet carries its start instead). */
  private lastSentMediaTs = 0;
  private sentSinceReport = false;

  // Receiving.
  private latched: RtpAddress | undefined;
  private rtcpLatched = false;
  private remoteStats: RtpReceiveStats | undefined;
  private readonly jitterBuffer: JitterBuffer;
  private readonly chunker = new Rechunker();
  private readonly dtmfIn = new DtmfReceiver();
  private lastSr: { middle: number; at: number } | undefined;

  private readonly counters = {
    packetsSent: 0,
    bytesSent: 0,
    payloadOctetsSent: 0,
    packetsReceived: 0,
    bytesReceived: 0,
    droppedForeign: 0,
    malformed: 0,
    rtcpSent: 0,
    rtcpReceived: 0,
    dtmfReceived: 0,
  };
  private closing?: Promise<void>;

  private constructor(
    private readonly opts: RtpEndpointOptions,
    private readonly rtpSocket: Socket,
    private readonly rtcpSocket: Socket | undefined,
    readonly localPort: number,
  ) {
    this.log = opts.logger;
    this.clock = opts.clock;
    this.pacer = new FramePacer(this.clock, () => this.sendFrame(), () => !this.closing);
    this.rtcpMux = opts.rtcpMux ?? false;
    this.tePt = opts.telephoneEventPayloadType === null ? undefined : (opts.telephoneEventPayloadType ?? defaultTelephoneEventPayloadType);
    this.maxPayload = opts.maxPayloadBytes ?? 1500;
    this.random = opts.random ?? randomUint32;
    this.ssrc = this.random() >>> 0;
    this.sequence = this.random() & 0xffff;
    this.timestamp = this.random() >>> 0;
    this.cname = opts.cname ?? `hometel-${(this.random() >>> 0).toString(16)}@${opts.address}`;
    this.rtcpIntervalMs = opts.rtcpIntervalMs ?? 5000;
    this.codec = opts.codec;
    this.receiveCodecs = this.codecMap(opts.codec, opts.receiveCodecs);
    this.source = opts.source;
    this.sink = opts.sink;
    this.destination = opts.remote;
    this.configuredRtcp = opts.remoteRtcp;
    this.rtcpDestination = this.defaultRtcpDestination();
    this.jitterBuffer = new JitterBuffer({ depthFrames: opts.jitterFrames ?? 3, maxGapSamples: opts.codec.clockRate });
    this.dtmfOut = new DtmfSender(opts.codec.clockRate, opts.codec.samplesPerFrame);
  }

  /** Binds a port pair from the pool (trying further pairs when one is taken by another program) and starts. */
  static async open(opts: RtpEndpointOptions): Promise<RtpEndpoint> {
    let endpoint: RtpEndpoint | undefined;
    const received: { data: Buffer; rinfo: RemoteInfo; rtcp: boolean }[] = [];
    const early = (rtcp: boolean) => (data: Buffer, rinfo: RemoteInfo) => {
      if (endpoint) endpoint.receive(data, rinfo, rtcp);
      else if (received.length < 64) received.push({ data, rinfo, rtcp });
    };
    const pair = await bindPortPair({ address: opts.address, ports: opts.ports, rtcp: !opts.rtcpMux, onRtp: early(false), onRtcp: early(true), log: opts.logger, what: 'RTP socket error' });
    try {
      endpoint = new RtpEndpoint(opts, pair.rtp, pair.rtcp, pair.port);
    } catch (e) {
      await Promise.all([closeQuietly(pair.rtp), pair.rtcp ? closeQuietly(pair.rtcp) : undefined]);
      opts.ports.release(pair.port);
      throw e;
    }
    for (const r of received.splice(0)) endpoint.receive(r.data, r.rinfo, r.rtcp);
    endpoint.start();
    return endpoint;
  }

  get address(): string {
    return this.opts.address;
  }

  /** The RTCP port: port+1, or the RTP port with rtcp-mux. */
  get localRtcpPort(): number {
    return this.rtcpMux ? this.localPort : this.localPort + 1;
  }

  /** Where RTP goes: the latched peer, else the configured remote. */
  get remote(): RtpAddress | undefined {
    return this.destination;
  }

  /** The latched peer, once a valid packet arrived. */
  get latchedRemote(): RtpAddress | undefined {
    return this.latched;
  }

  get closed(): boolean {
    return this.closing !== undefined;
  }

  stats(): RtpEndpointStats {
    const jb = this.jitterBuffer.stats;
    const jitter = this.remoteStats?.jitter ?? 0;
    return {
      packetsSent: this.counters.packetsSent,
      bytesSent: this.counters.bytesSent,
      packetsReceived: this.counters.packetsReceived,
      bytesReceived: this.counters.bytesReceived,
      lost: Math.max(0, this.remoteStats?.lost ?? 0),
      droppedForeign: this.counters.droppedForeign,
      malformed: this.counters.malformed,
      late: jb.late,
      duplicates: jb.duplicates,
      concealedSamples: jb.concealedSamples,
      jitter,
      jitterMs: (jitter * 1000) / this.codec.clockRate,
      rtcpSent: this.counters.rtcpSent,
      rtcpReceived: this.counters.rtcpReceived,
      dtmfReceived: this.counters.dtmfReceived,
    };
  }

  /** Replaces the source (undefined: send nothing, as for recvonly). */
  setSource(source: AudioSource | undefined): void {
    this.source = source;
  }

  /** Replaces the sink (undefined: decode nothing). */
  setSink(sink: AudioSink | undefined): void {
    this.sink = sink;
  }

  /** A new negotiated codec (a re-INVITE or ModifyMediaSession); SSRC, sequence and timestamps continue. */
  setCodec(codec: Codec, receiveCodecs?: readonly Codec[]): void {
    if (codec.clockRate !== this.codec.clockRate || codec.samplesPerFrame !== this.codec.samplesPerFrame) {
      throw new RangeError(`cannot switch from ${this.codec.encodingName}/${this.codec.clockRate} to ${codec.encodingName}/${codec.clockRate}`);
    }
    this.codec = codec;
    this.receiveCodecs = this.codecMap(codec, receiveCodecs);
  }

  /**
   * A new negotiated telephone-event payload type (null: DTMF no longer negotiated; digits still queued are
   * dropped, their promises rejected).
   */
  setTelephoneEventPayloadType(payloadType: number | null): void {
    if (payloadType !== null && (!Number.isInteger(payloadType) || payloadType < 0 || payloadType > 127)) {
      throw new RangeError(`telephone-event payload type ${payloadType} is not 0–127`);
    }
    if (payloadType === null && this.tePt !== undefined) this.dtmfOut.cancel(new Error('telephone-event is no longer negotiated'));
    this.tePt = payloadType ?? undefined;
  }

  /** A new remote from SDP: packets go there, and the next valid packet latches afresh. */
  setRemote(remote: RtpAddress, remoteRtcp?: RtpAddress): void {
    this.destination = remote;
    this.configuredRtcp = remoteRtcp;
    this.latched = undefined;
    this.rtcpLatched = false;
    this.rtcpDestination = this.defaultRtcpDestination();
  }

  /**
   * Sends DTMF digits (0–9 * # A–D) as RFC 4733 events; resolves when the last one's final packet is sent, rejects
   * when the endpoint closes first. Throws when telephone-event was not negotiated or a character is not a digit.
   */
  sendDtmf(digits: string, opts?: DtmfSendOptions): Promise<void> {
    if (this.tePt === undefined) throw new Error('telephone-event was not negotiated on this RTP session');
    if (this.closing) return Promise.reject(new Error('RTP endpoint is closed'));
    return this.dtmfOut.enqueue(digits, opts);
  }

  /** Stops the loops, sends BYE, plays out the jitter buffer, closes the sockets and returns the ports. Idempotent. */
  close(): Promise<void> {
    this.closing ??= this.shutdown();
    return this.closing;
  }

  // ---- sending ----

  private start(): void {
    this.pacer.run();
    this.scheduleRtcp();
    this.log.debug('RTP endpoint open', { address: this.address, port: this.localPort, ssrc: this.ssrc, codec: this.codec.encodingName });
  }

  /** One 20 ms slot of media time. Nothing moves until there is somewhere to send. */
  private sendFrame(): void {
    if (!this.destination) return;
    const event = this.tePt !== undefined ? this.dtmfOut.tick(this.timestamp) : undefined;
    let frame: Int16Array | undefined;
    if (this.source) {
      try {
        frame = this.source.nextFrame();
      } catch (e) {
        this.log.warn('audio source failed; sending stops', { error: errorMessage(e) });
      }
      if (!frame) {
        this.source = undefined;
        this.safely('source-end listener', () => this.onSourceEnd?.());
      }
    }
    if (event || frame) this.lastSentMediaTs = this.timestamp;
    if (event && this.tePt !== undefined) {
      this.sendRtp(this.tePt, event.marker, event.timestamp, event.payload);
    } else if (frame) {
      this.sendRtp(this.codec.payloadType, this.firstAudio, this.timestamp, this.codec.encode(frame));
      this.firstAudio = false;
    }
    this.timestamp = tsAdd(this.timestamp, this.codec.samplesPerFrame);
  }

  private sendRtp(payloadType: number, marker: boolean, timestamp: number, payload: Uint8Array): void {
    const to = this.destination;
    if (!to) return;
    const bytes = serializeRtp({ payloadType, marker, sequenceNumber: this.sequence, timestamp, ssrc: this.ssrc, payload });
    this.sequence = seqAdd(this.sequence, 1);
    this.counters.packetsSent++;
    this.counters.bytesSent += bytes.length;
    this.counters.payloadOctetsSent += payload.length;
    this.lastSentAt = this.clock.now();
    this.sentSinceReport = true;
    this.rtpSocket.send(bytes, to.port, to.address, (err) => {
      if (err) this.log.debug('RTP send failed', { to: `${to.address}:${to.port}`, error: err.message });
    });
  }

  // ---- receiving ----

  private receive(data: Buffer, rinfo: RemoteInfo, onRtcpSocket: boolean): void {
    if (this.closing) return;
    const from: RtpAddress = { address: plainAddress(rinfo.address), port: rinfo.port };
    if (onRtcpSocket || (this.rtcpMux && isRtcpPacket(data))) {
      this.receiveRtcp(data, from);
      return;
    }
    const parsed = parseRtp(data);
    if (!parsed.ok) return this.malformed(parsed.reason, from);
    const p = parsed.packet;
    const isEvent = this.tePt !== undefined && p.payloadType === this.tePt;
    const codec = isEvent ? undefined : this.receiveCodecs.get(p.payloadType);
    if (!isEvent && !codec) return this.malformed(`payload type ${p.payloadType} not negotiated`, from);
    if (p.payload.length > this.maxPayload) return this.malformed(`payload of ${p.payload.length} octets`, from);
    if (!this.latched) {
      this.latched = from;
      this.destination = from;
      this.rtcpDestination = this.defaultRtcpDestination();
      this.log.debug('RTP peer latched', { port: this.localPort, from: `${from.address}:${from.port}` });
      this.safely('latch listener', () => this.onLatched?.(from));
    } else if (!sameAddress(this.latched, from)) {
      this.counters.droppedForeign++;
      return;
    }
    if (!this.remoteStats || this.remoteStats.ssrc !== p.ssrc) {
      // A new stream (first packet, or the peer changed its SSRC): play out the old one and start afresh.
      this.deliver(this.jitterBuffer.reset());
      this.remoteStats = new RtpReceiveStats(p.ssrc, p.sequenceNumber);
    }
    if (this.remoteStats.updateSequence(p.sequenceNumber) === 'bad') return;
    this.counters.packetsReceived++;
    this.counters.bytesReceived += data.length;
    if (isEvent) return this.receiveEvent(p);
    this.remoteStats.updateJitter(p.timestamp, (this.clock.now() * this.codec.clockRate) / 1000);
    if (!this.sink || !codec) return;
    this.deliver(this.jitterBuffer.push(p.timestamp, codec.decode(p.payload)));
  }

  private receiveEvent(p: RtpPacket): void {
    const ev = parseTelephoneEvent(p.payload);
    if (!ev.ok) return;
    const report = this.dtmfIn.receive(p.timestamp, ev.event);
    if (!report) return;
    this.counters.dtmfReceived++;
    this.safely('DTMF listener', () => this.onDtmf?.(report));
  }

  private deliver(blocks: Int16Array[]): void {
    const sink = this.sink;
    if (!sink) return;
    this.safely('audio sink', () => {
      for (const block of blocks) {
        for (const frame of this.chunker.push(block)) sink.write(frame);
      }
    });
  }

  /** Runs caller-supplied code (listeners, sinks) so that its failure is logged, never thrown into a socket handler. */
  private safely(what: string, fn: () => void): void {
    try {
      fn();
    } catch (e) {
      this.log.error(`${what} failed`, { error: errorMessage(e) });
    }
  }

  private malformed(reason: string, from: RtpAddress): void {
    this.counters.malformed++;
    if (this.counters.malformed <= 10 || this.counters.malformed % 1000 === 0) {
      this.log.debug('dropped RTP datagram', { reason, from: `${from.address}:${from.port}`, count: this.counters.malformed });
    }
  }

  // ---- RTCP ----

  private defaultRtcpDestination(): RtpAddress | undefined {
    const rtp = this.destination;
    if (this.rtcpMux) return rtp;
    if (this.configuredRtcp && !this.latched) return this.configuredRtcp;
    return rtp ? { address: rtp.address, port: rtp.port + 1 } : undefined;
  }

  private receiveRtcp(data: Buffer, from: RtpAddress): void {
    // RTCP is accepted from the peer's host only (its port may differ: a NAT maps RTCP separately).
    const peer = this.latched ?? this.destination;
    if (!peer || peer.address !== from.address) {
      this.counters.droppedForeign++;
      return;
    }
    const parsed = checkRtcpCompound(data);
    if (!parsed.ok) return this.malformed(`RTCP: ${parsed.reason}`, from);
    this.counters.rtcpReceived++;
    if (!this.rtcpMux && !this.rtcpLatched && this.latched) {
      // Symmetric RTCP: answer where the peer's reports come from.
      this.rtcpLatched = true;
      this.rtcpDestination = from;
    }
    for (const p of parsed.packets) {
      if (p.type === 'sr') this.lastSr = { middle: ntpMiddle32(p.ntpSeconds, p.ntpFraction), at: this.clock.now() };
      if (p.type === 'bye' && this.remoteStats && p.ssrcs.includes(this.remoteStats.ssrc)) {
        this.deliver(this.jitterBuffer.flush());
        this.safely('BYE listener', () => this.onBye?.(p.reason));
      }
    }
  }

  private scheduleRtcp(): void {
    const interval = this.rtcpIntervalMs * (0.5 + (this.random() >>> 0) / 0x1_0000_0000);
    this.rtcpTimer = this.clock.setTimer(interval, () => {
      this.rtcpTimer = undefined;
      if (this.closing) return;
      void this.sendReport(false);
      this.scheduleRtcp();
    });
  }

  private report(): RtcpPacket {
    const blocks: ReportBlock[] = [];
    if (this.remoteStats) {
      const i = this.remoteStats.interval();
      const now = this.clock.now();
      blocks.push({
        ssrc: this.remoteStats.ssrc,
        ...i,
        lastSr: this.lastSr?.middle ?? 0,
        delaySinceLastSr: this.lastSr ? Math.min(0xffffffff, Math.floor(((now - this.lastSr.at) * 65536) / 1000)) : 0,
      });
    }
    if (!this.sentSinceReport) return { type: 'rr', ssrc: this.ssrc, reports: blocks };
    this.sentSinceReport = false;
    const now = this.clock.now();
    const ntp = ntpFromMs(now);
    const elapsed = Math.max(0, Math.floor(((now - this.lastSentAt) * this.codec.clockRate) / 1000));
    return {
      type: 'sr',
      ssrc: this.ssrc,
      ntpSeconds: ntp.seconds,
      ntpFraction: ntp.fraction,
      rtpTimestamp: tsAdd(this.lastSentMediaTs, elapsed),
      packetCount: this.counters.packetsSent >>> 0,
      octetCount: this.counters.payloadOctetsSent >>> 0,
      reports: blocks,
    };
  }

  private sendReport(bye: boolean): Promise<void> {
    const to = this.rtcpDestination;
    const sock = this.rtcpSocket ?? this.rtpSocket;
    if (!to || (this.counters.packetsSent === 0 && this.counters.packetsReceived === 0)) return Promise.resolve();
    const packets: RtcpPacket[] = [this.report(), { type: 'sdes', chunks: [{ ssrc: this.ssrc, items: [{ type: sdesCname, text: this.cname }] }] }];
    if (bye) packets.push({ type: 'bye', ssrcs: [this.ssrc] });
    const bytes = serializeRtcp(packets);
    this.counters.rtcpSent++;
    return new Promise((resolve) => {
      sock.send(bytes, to.port, to.address, (err) => {
        if (err) this.log.debug('RTCP send failed', { error: err.message });
        resolve();
      });
    });
  }

  // ---- teardown ----

  private async shutdown(): Promise<void> {
    this.pacer.stop();
    this.rtcpTimer?.cancel();
    this.rtcpTimer = undefined;
    this.dtmfOut.cancel(new Error('RTP endpoint closed'));
    try {
      await this.sendReport(true);
    } catch (e) {
      this.log.debug('RTCP BYE not sent', { error: errorMessage(e) });
    }
    this.deliver(this.jitterBuffer.flush());
    const rest = this.chunker.flush();
    const sink = this.sink;
    if (rest && sink) this.safely('audio sink', () => sink.write(rest));
    await Promise.all([closeQuietly(this.rtpSocket), this.rtcpSocket ? closeQuietly(this.rtcpSocket) : undefined]);
    this.opts.ports.release(this.localPort);
    this.log.debug('RTP endpoint closed', { port: this.localPort, ...this.stats() });
  }

  private codecMap(codec: Codec, extra: readonly Codec[] | undefined): Map<number, Codec> {
    const map = new Map<number, Codec>();
    for (const c of extra ?? []) map.set(c.payloadType, c);
    map.set(codec.payloadType, codec);
    return map;
  }
}
