/**
 * The media side of the echo test endpoint: an RTP/RTCP port pair from a PortPool that sends every RTP packet it
 * receives straight back to where it came from (symmetric RTP, RFC 4961), payload untouched — audio and RFC 4733
 * telephone-events alike, whatever the codec.
 *
 * What goes back is one RTP stream of the echo's own (an `OutStream`: its own SSRC, the caller's sequence numbers
 * and timestamps shifted by fixed offsets, continued when the caller changes SSRC), so a caller never receives
 * packets carrying its own SSRC (which RFC 3550 8.2 would treat as a collision or a loop).
 *
 * Only packets of the negotiated payload types are echoed; the first such packet latches the peer (as RtpEndpoint
 * does) and packets from any other address are dropped and counted, so the echo cannot be turned on a third party.
 * RTCP is read and dropped: the echo sends none (a sender does not depend on receiver reports).
 */
import type { Socket } from 'node:dgram';
import type { Clock, Logger } from '../../base/index.js';
import { bindPortPair, closeQuietly, OutStream, parseRtp, plainAddress, serializeRtp, type PortPool, type RtpAddress } from '../../media/index.js';

export interface RtpEchoOptions {
  /** The local address to bind (an interface hometel serves). */
  readonly address: string;
  readonly ports: PortPool;
  readonly clock: Clock;
  readonly logger: Logger;
  /** Random 32-bit unsigned integers (SSRC, first sequence number and timestamp); default Math.random. */
  readonly random?: () => number;
}

export interface RtpEchoStats {
  /** Valid RTP packets from the latched peer. */
  readonly received: number;
  /** Packets sent back. */
  readonly echoed: number;
  /** Valid RTP from another address than the latched peer. */
  readonly droppedForeign: number;
  /** Datagrams that are not RTP or carry a payload type that was not negotiated. */
  readonly malformed: number;
  readonly rtcpReceived: number;
}

const randomUint32 = (): number => Math.floor(Math.random() * 0x1_0000_0000);

export class RtpEcho {
  private accepted = new Set<number>();
  private latched?: RtpAddress;
  private readonly out: OutStream;
  private closing?: Promise<void>;
  private readonly counters = { received: 0, echoed: 0, droppedForeign: 0, malformed: 0, rtcpReceived: 0 };

  private constructor(
    private readonly opts: RtpEchoOptions,
    private readonly rtp: Socket,
    private readonly rtcp: Socket | undefined,
    /** The RTP port (even); RTCP is on the port above it. */
    readonly localPort: number,
  ) {
    this.out = new OutStream(opts.random ?? randomUint32, 8000, 160);
  }

  /** Binds a port pair from the pool; throws when none is free. Nothing is echoed until `accept` names payload types. */
  static async open(opts: RtpEchoOptions): Promise<RtpEcho> {
    // Datagrams before the echo exists are dropped: nothing is echoed before `accept` anyway.
    const bound: { echo?: RtpEcho } = {};
    const pair = await bindPortPair({
      address: opts.address,
      ports: opts.ports,
      rtcp: true,
      onRtp: (data, rinfo) => bound.echo?.receive(data, { address: plainAddress(rinfo.address), port: rinfo.port }),
      onRtcp: () => bound.echo?.counted('rtcpReceived'),
      log: opts.logger,
      what: 'echo RTP socket error',
    });
    bound.echo = new RtpEcho(opts, pair.rtp, pair.rtcp, pair.port);
    return bound.echo;
  }

  /** The payload types that are echoed (the negotiated codecs and telephone-event); anything else is dropped. */
  accept(payloadTypes: Iterable<number>): void {
    this.accepted = new Set(payloadTypes);
  }

  /** Forgets the latched peer: the next valid packet latches afresh (the caller's SDP named a new address). */
  relatch(): void {
    this.latched = undefined;
  }

  /** The peer the echo answers, once a valid packet arrived. */
  get peer(): RtpAddress | undefined {
    return this.latched;
  }

  stats(): RtpEchoStats {
    return { ...this.counters };
  }

  /** Closes both sockets and returns the port pair to the pool; idempotent. */
  close(): Promise<void> {
    this.closing ??= (async () => {
      await Promise.all([closeQuietly(this.rtp), this.rtcp ? closeQuietly(this.rtcp) : undefined]);
      this.opts.ports.release(this.localPort);
    })();
    return this.closing;
  }

  private counted(what: 'rtcpReceived' | 'malformed' | 'droppedForeign'): void {
    this.counters[what]++;
  }

  private receive(data: Buffer, from: RtpAddress): void {
    if (this.closing) return;
    const parsed = parseRtp(data);
    if (!parsed.ok || !this.accepted.has(parsed.packet.payloadType)) return this.counted('malformed');
    if (!this.latched) {
      this.latched = from;
      this.opts.logger.debug('echo RTP peer latched', { port: this.localPort, from: `${from.address}:${from.port}` });
    } else if (this.latched.address !== from.address || this.latched.port !== from.port) {
      return this.counted('droppedForeign');
    }
    this.counters.received++;
    const p = parsed.packet;
    const now = this.opts.clock.now();
    const h = this.out.map('peer', p.ssrc, p.sequenceNumber, p.timestamp, now);
    const bytes = serializeRtp({
      payloadType: p.payloadType,
      marker: p.marker || h.switched,
      sequenceNumber: h.sequenceNumber,
      timestamp: h.timestamp,
      ssrc: this.out.ssrc,
      payload: p.payload,
    });
    this.out.sent(h, p.payload.length, now);
    this.rtp.send(bytes, from.port, from.address, (err) => {
      if (err) this.opts.logger.debug('echo RTP send failed', { to: `${from.address}:${from.port}`, error: err.message });
      else this.counters.echoed++;
    });
  }
}
