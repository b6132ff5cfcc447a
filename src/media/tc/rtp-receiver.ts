/**
 * A receive-only RTP stream that is recorded, never decoded: what a Telephony Client declares for video it only
 * receives. It binds a port pair from a PortPool (RTP on the even port, RTCP above), accepts well-formed RTP packets
 * of the negotiated payload types, latches on the first one (symmetric RTP, as RtpEndpoint: packets from any other
 * source are dropped and counted), and hands each accepted datagram whole to its sink (an rtpdump file).
 *
 * It sends nothing — no RTP and no RTCP (no receiver reports; a sender does not depend on them). Received RTCP is
 * checked and counted, accepted only from the peer's host; a BYE for the stream's SSRC is reported to `onBye`.
 */
import type { RemoteInfo, Socket } from 'node:dgram';
import { errorMessage, type Clock, type Logger } from '../../base/index.js';
import type { PortPool } from '../endpoint/port-pool.js';
import type { RtpAddress } from '../endpoint/rtp-endpoint.js';
import { bindPortPair, closeQuietly, plainAddress } from '../endpoint/udp-socket.js';
import { parseRtp } from '../rtp/packet.js';
import { checkRtcpCompound } from '../rtp/rtcp.js';
import type { RtpPacketSink } from './rtpdump.js';

export interface RtpReceiverOptions {
  readonly address: string;
  readonly ports: PortPool;
  readonly clock: Clock;
  readonly logger: Logger;
  /** The negotiated payload types; packets of others are dropped as malformed. */
  readonly payloadTypes: Iterable<number>;
  /** The peer from SDP, for RTCP before a packet latches; the first valid packet decides. */
  readonly remote?: RtpAddress;
  /** Made once the port is known (an rtpdump file names its port); undefined records nothing. */
  readonly sink?: (localPort: number) => RtpPacketSink | Promise<RtpPacketSink>;
}

export interface RtpReceiverStats {
  readonly packetsReceived: number;
  readonly bytesReceived: number;
  readonly droppedForeign: number;
  readonly malformed: number;
  readonly rtcpReceived: number;
}

export class RtpReceiver {
  /** An RTCP BYE from the peer for the stream being received. */
  onBye?: (reason: string | undefined) => void;
  /** The peer was latched (first valid packet). */
  onLatched?: (remote: RtpAddress) => void;

  private payloadTypes: Set<number>;
  private remote: RtpAddress | undefined;
  private latched: RtpAddress | undefined;
  private ssrc: number | undefined;
  private sink: RtpPacketSink | undefined;
  private closing?: Promise<void>;
  private readonly counters = { packetsReceived: 0, bytesReceived: 0, droppedForeign: 0, malformed: 0, rtcpReceived: 0 };

  private constructor(
    private readonly opts: RtpReceiverOptions,
    private readonly rtpSocket: Socket,
    private readonly rtcpSocket: Socket,
    readonly localPort: number,
  ) {
    this.payloadTypes = new Set(opts.payloadTypes);
    this.remote = opts.remote;
  }

  /** Binds a port pair from the pool (trying further pairs when one is taken by another program), makes the sink, starts. */
  static async open(opts: RtpReceiverOptions): Promise<RtpReceiver> {
    // Datagrams that arrive before the receiver exists are kept (a few) and handed over when it does.
    const opened: { receiver?: RtpReceiver } = {};
    const early: { data: Buffer; rinfo: RemoteInfo; rtcp: boolean }[] = [];
    const on = (rtcp: boolean) => (data: Buffer, rinfo: RemoteInfo) => {
      if (opened.receiver) opened.receiver.receive(data, rinfo, rtcp);
      else if (early.length < 64) early.push({ data, rinfo, rtcp });
    };
    const { port, rtp, rtcp } = await bindPortPair({ address: opts.address, ports: opts.ports, rtcp: true, onRtp: on(false), onRtcp: on(true), log: opts.logger, what: 'RTP receiver socket error' });
    let sink: RtpPacketSink | undefined;
    try {
      sink = opts.sink ? await opts.sink(port) : undefined;
    } catch (e) {
      await Promise.all([closeQuietly(rtp), closeQuietly(rtcp!)]);
      opts.ports.release(port);
      throw e;
    }
    const receiver = new RtpReceiver(opts, rtp, rtcp!, port);
    opened.receiver = receiver;
    receiver.sink = sink;
    for (const r of early.splice(0)) receiver.receive(r.data, r.rinfo, r.rtcp);
    opts.logger.debug('RTP receiver open', { address: opts.address, port });
    return receiver;
  }

  get address(): string {
    return this.opts.address;
  }

  get localRtcpPort(): number {
    return this.localPort + 1;
  }

  get latchedRemote(): RtpAddress | undefined {
    return this.latched;
  }

  get closed(): boolean {
    return this.closing !== undefined;
  }

  stats(): RtpReceiverStats {
    return { ...this.counters };
  }

  /** A renegotiated set of payload types. */
  setPayloadTypes(payloadTypes: Iterable<number>): void {
    this.payloadTypes = new Set(payloadTypes);
  }

  /** A new remote from SDP: the next valid packet latches afresh. */
  setRemote(remote: RtpAddress | undefined): void {
    this.remote = remote;
    this.latched = undefined;
    this.ssrc = undefined;
  }

  /** Closes the sockets, returns the port pair, and closes the sink. Idempotent. */
  close(): Promise<void> {
    this.closing ??= this.shutdown();
    return this.closing;
  }

  private receive(data: Buffer, rinfo: RemoteInfo, rtcp: boolean): void {
    if (this.closing) return;
    const from: RtpAddress = { address: plainAddress(rinfo.address), port: rinfo.port };
    if (rtcp) return this.receiveRtcp(data, from);
    const parsed = parseRtp(data);
    if (!parsed.ok || !this.payloadTypes.has(parsed.packet.payloadType)) {
      this.counters.malformed++;
      return;
    }
    if (!this.latched) {
      this.latched = from;
      this.opts.logger.debug('RTP receiver latched', { port: this.localPort, from: `${from.address}:${from.port}` });
      this.safely('latch listener', () => this.onLatched?.(from));
    } else if (this.latched.address !== from.address || this.latched.port !== from.port) {
      this.counters.droppedForeign++;
      return;
    }
    this.ssrc = parsed.packet.ssrc;
    this.counters.packetsReceived++;
    this.counters.bytesReceived += data.length;
    const sink = this.sink;
    if (sink) this.safely('RTP packet sink', () => sink.write(data, this.opts.clock.now()));
  }

  private receiveRtcp(data: Buffer, from: RtpAddress): void {
    const peer = this.latched ?? this.remote;
    if (!peer || peer.address !== from.address) {
      this.counters.droppedForeign++;
      return;
    }
    const parsed = checkRtcpCompound(data);
    if (!parsed.ok) {
      this.counters.malformed++;
      return;
    }
    this.counters.rtcpReceived++;
    for (const p of parsed.packets) {
      if (p.type === 'bye' && this.ssrc !== undefined && p.ssrcs.includes(this.ssrc)) {
        this.safely('BYE listener', () => this.onBye?.(p.reason));
      }
    }
  }

  private safely(what: string, fn: () => void): void {
    try {
      fn();
    } catch (e) {
      this.opts.logger.error(`${what} failed`, { error: errorMessage(e) });
    }
  }

  private async shutdown(): Promise<void> {
    await Promise.all([closeQuietly(this.rtpSocket), closeQuietly(this.rtcpSocket)]);
    this.opts.ports.release(this.localPort);
    const sink = this.sink;
    this.sink = undefined;
    try {
      await sink?.close?.();
    } catch (e) {
      this.opts.logger.warn('RTP recording could not be finished', { port: this.localPort, error: errorMessage(e) });
    }
    this.opts.logger.debug('RTP receiver closed', { port: this.localPort, ...this.counters });
  }
}
