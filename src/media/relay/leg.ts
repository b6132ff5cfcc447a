/**
 * One peer of a relayed stream — the Remote Party on the WAN port, or a TC on the home port — with what was
 * negotiated with it (codecs, telephone-event, where it receives), what the relay sends it (an OutStream: its own
 * SSRC, continuous numbering), what it sends (reception statistics for RTCP, decoded audio for the mixer) and its
 * counters. RTCP is terminated here: the relay reports on each leg as the sender of its OutStream and as the
 * receiver of the peer's stream, and never passes one leg's RTCP to another.
 */
import { Rechunker } from '../audio/rechunk.js';
import { JitterBuffer } from '../endpoint/jitter-buffer.js';
import type { RtpAddress } from '../endpoint/rtp-endpoint.js';
import { RtpReceiveStats } from '../rtp/receive-stats.js';
import { ntpFromMs, ntpMiddle32, sdesCname, type ReportBlock, type RtcpPacket } from '../rtp/rtcp.js';
import { OutStream } from './out-stream.js';
import { sameCodec, type Direction, type SdpStream, type StreamCodec, type TelephoneEventFormat } from '../sdp/index.js';
import { g711Of } from './transcoding.js';

export interface LegMedia {
  /** Where the peer receives RTP (SDP c= and m= port); undefined before it is known or when it is 0.0.0.0. */
  readonly peer?: RtpAddress;
  /** Where the peer receives RTCP (a=rtcp, else the RTP port + 1). */
  readonly rtcpPeer?: RtpAddress;
  /** The codecs the peer may send and receive, in its order of preference. */
  readonly codecs: readonly StreamCodec[];
  readonly telephoneEvent?: TelephoneEventFormat;
  /** The peer's direction as its SDP says (sendonly: it only sends, so nothing is sent to it). */
  readonly direction: Direction;
}

export function legMediaOf(s: SdpStream, codecs: readonly StreamCodec[] = s.codecs, te: TelephoneEventFormat | undefined = s.telephoneEvent): LegMedia {
  const address = s.address;
  const peer = s.port !== 0 && address !== undefined && address !== '0.0.0.0' && address !== '::' ? { address, port: s.port } : undefined;
  const rtcpPeer = !peer ? undefined : s.rtcpMux ? peer : s.rtcp ? { address: s.rtcp.address, port: s.rtcp.port } : { address: peer.address, port: peer.port + 1 };
  return { ...(peer ? { peer } : {}), ...(rtcpPeer ? { rtcpPeer } : {}), codecs, ...(te ? { telephoneEvent: te } : {}), direction: s.direction };
}

export interface LegCounters {
  packetsReceived: number;
  bytesReceived: number;
  packetsSent: number;
  bytesSent: number;
  droppedForeign: number;
  malformed: number;
  unroutable: number;
  transcoded: number;
  rtcpReceived: number;
  rtcpSent: number;
  eventsReceived: number;
  eventsSent: number;
}

/** Decoded audio a peer sent, as 20 ms frames for the mixer: reordered, losses filled, a little held against jitter. */
export class MixInput {
  private jitter = new JitterBuffer({ depthFrames: 3, maxGapSamples: 8000 });
  private readonly chunker = new Rechunker();
  private readonly fifo: Int16Array[] = [];
  private ssrc?: number;
  private primed = false;

  constructor(
    /** Frames held before playing starts (and again after running dry): absorbs arrival jitter against the mixer's clock. */
    private readonly prebuffer = 2,
    /** Frames held at most; older ones are dropped (a sender faster than the mixer's clock). */
    private readonly maxFrames = 6,
  ) {}

  push(ssrc: number, timestamp: number, pcm: Int16Array): void {
    if (this.ssrc !== ssrc) {
      this.add(this.jitter.reset());
      this.ssrc = ssrc;
    }
    this.add(this.jitter.push(timestamp, pcm));
  }

  /** The next 20 ms frame, or undefined while nothing (or not enough) has arrived. */
  pop(): Int16Array | undefined {
    if (!this.primed) {
      if (this.fifo.length < this.prebuffer) return undefined;
      this.primed = true;
    }
    const frame = this.fifo.shift();
    if (!frame) this.primed = false;
    return frame;
  }

  clear(): void {
    this.jitter = new JitterBuffer({ depthFrames: 3, maxGapSamples: 8000 });
    this.chunker.flush();
    this.fifo.length = 0;
    this.ssrc = undefined;
    this.primed = false;
  }

  private add(blocks: Int16Array[]): void {
    for (const b of blocks) {
      for (const f of this.chunker.push(b)) {
        this.fifo.push(f);
        if (this.fifo.length > this.maxFrames) this.fifo.shift();
      }
    }
  }
}

export class Leg {
  media: LegMedia;
  readonly out: OutStream;
  readonly input = new MixInput();
  readonly counters: LegCounters = {
    packetsReceived: 0,
    bytesReceived: 0,
    packetsSent: 0,
    bytesSent: 0,
    droppedForeign: 0,
    malformed: 0,
    unroutable: 0,
    transcoded: 0,
    rtcpReceived: 0,
    rtcpSent: 0,
    eventsReceived: 0,
    eventsSent: 0,
  };
  /** Symmetric RTP (Remote Party only): the address the first valid packet came from. */
  latched?: RtpAddress;
  /** Where RTCP reports go once the peer's own reports showed where it sends them from. */
  rtcpLatched?: RtpAddress;
  lastReceivedAt = -Infinity;
  /** The mixer sends this peer no audio until then: an RFC 4733 event relayed to it is under way. */
  eventUntil = -Infinity;
  private stats?: RtpReceiveStats;
  private lastSr?: { middle: number; at: number };

  constructor(
    /** `remote`, or `tc:<Media Session ID, UDN or address>`. */
    readonly key: string,
    media: LegMedia,
    random: () => number,
    clockRate: number,
    audio: boolean,
    /** The Media Session whose stream this TC receives instead of the Call's (shareMedia). */
    readonly sharing?: string,
    /** The Media Session ID (or UDN) of a TC. */
    readonly sessionId?: string,
  ) {
    this.media = media;
    this.out = new OutStream(random, clockRate, audio ? (clockRate * 20) / 1000 : 1);
  }

  /** Where RTP for the peer goes: the latched address, else SDP's. */
  get destination(): RtpAddress | undefined {
    return this.latched ?? this.media.peer;
  }

  get rtcpDestination(): RtpAddress | undefined {
    if (this.rtcpLatched) return this.rtcpLatched;
    if (this.latched) return { address: this.latched.address, port: this.latched.port + 1 };
    return this.media.rtcpPeer;
  }

  /** Whether the peer wants to receive (its SDP is not sendonly or inactive). */
  get receives(): boolean {
    return this.media.direction === 'sendrecv' || this.media.direction === 'recvonly';
  }

  accepts(pt: number): boolean {
    return this.media.telephoneEvent?.pt === pt || this.media.codecs.some((c) => c.pt === pt);
  }

  isEvent(pt: number): boolean {
    return this.media.telephoneEvent?.pt === pt;
  }

  codecByPt(pt: number): StreamCodec | undefined {
    return this.media.codecs.find((c) => c.pt === pt);
  }

  /** The codec this peer is sent: its first that the relay can encode (G.711), else its first. */
  get sendCodec(): StreamCodec | undefined {
    return this.media.codecs.find((c) => g711Of(c) !== undefined) ?? this.media.codecs[0];
  }

  /** The peer's own payload type for `codec`, if it has that codec. */
  sameAs(codec: StreamCodec): StreamCodec | undefined {
    return this.media.codecs.find((c) => sameCodec(c, codec));
  }

  /** Counts a valid packet from the peer, for RTCP reception reports. */
  received(ssrc: number, seq: number, bytes: number, now: number): boolean {
    if (!this.stats || this.stats.ssrc !== ssrc) this.stats = new RtpReceiveStats(ssrc, seq);
    if (this.stats.updateSequence(seq) === 'bad') return false;
    this.counters.packetsReceived++;
    this.counters.bytesReceived += bytes;
    this.lastReceivedAt = now;
    return true;
  }

  jitterSample(timestamp: number, now: number): void {
    this.stats?.updateJitter(timestamp, (now * this.out.clockRate) / 1000);
  }

  /** A checked RTCP compound from the peer. */
  rtcpReceived(packets: readonly RtcpPacket[], from: RtpAddress, now: number): void {
    this.counters.rtcpReceived++;
    if (this.latched && !this.rtcpLatched) this.rtcpLatched = from;
    for (const p of packets) if (p.type === 'sr') this.lastSr = { middle: ntpMiddle32(p.ntpSeconds, p.ntpFraction), at: now };
  }

  /** The RTCP compound the relay sends this peer now: SR or RR for its OutStream, SDES, and BYE when it leaves. */
  report(now: number, cname: string, bye: boolean): RtcpPacket[] {
    const blocks: ReportBlock[] = [];
    if (this.stats) {
      blocks.push({
        ssrc: this.stats.ssrc,
        ...this.stats.interval(),
        lastSr: this.lastSr?.middle ?? 0,
        delaySinceLastSr: this.lastSr ? Math.min(0xffffffff, Math.floor(((now - this.lastSr.at) * 65536) / 1000)) : 0,
      });
    }
    const out = this.out;
    let first: RtcpPacket;
    if (out.sentSinceReport) {
      out.sentSinceReport = false;
      const ntp = ntpFromMs(now);
      first = {
        type: 'sr',
        ssrc: out.ssrc,
        ntpSeconds: ntp.seconds,
        ntpFraction: ntp.fraction,
        rtpTimestamp: out.timestampAt(now),
        packetCount: out.packets >>> 0,
        octetCount: out.payloadOctets >>> 0,
        reports: blocks,
      };
    } else {
      first = { type: 'rr', ssrc: out.ssrc, reports: blocks };
    }
    const packets: RtcpPacket[] = [first, { type: 'sdes', chunks: [{ ssrc: out.ssrc, items: [{ type: sdesCname, text: cname }] }] }];
    if (bye) packets.push({ type: 'bye', ssrcs: [out.ssrc] });
    return packets;
  }

  /** Whether there is anything to report (RFC 3550: a participant that neither sent nor received stays quiet). */
  get active(): boolean {
    return this.out.packets > 0 || this.counters.packetsReceived > 0;
  }
}
