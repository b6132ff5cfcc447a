/**
 * What the relay sends one peer, as one RTP stream of its own: one SSRC per leg whatever is relayed, sequence
 * numbers and timestamps that continue when the source changes (another TC, the mixer, a TC restarting its stream).
 *
 * Packets of one source keep their own spacing: a fixed offset maps their sequence numbers and timestamps, so loss
 * and reordering stay visible to the receiver. When the source changes, the next packet continues the stream: its
 * sequence number follows the last one sent, its timestamp the last one by the time elapsed since (at least one
 * frame, so no audio overlaps). Pure: time comes from the caller.
 */
import { seqAdd, seqDiff, tsAdd, tsDiff } from '../rtp/sequence.js';

export interface MappedHeader {
  readonly sequenceNumber: number;
  readonly timestamp: number;
  /** The source changed with this packet (audio marks it as the start of a talkspurt). */
  readonly switched: boolean;
}

interface SourceMapping {
  readonly key: string;
  readonly ssrc: number;
  readonly seqOffset: number;
  readonly tsOffset: number;
}

export class OutStream {
  readonly ssrc: number;
  private readonly firstSeq: number;
  private readonly firstTs: number;
  private source?: SourceMapping;
  private lastSeq?: number;
  /** The newest timestamp sent and when it first went out: a new source continues from them, the SR extrapolates them. */
  private newestTs?: number;
  private newestAt = 0;
  packets = 0;
  /** Payload octets sent (the SR's octet count). */
  payloadOctets = 0;
  /** Something was sent since the last report. */
  sentSinceReport = false;

  constructor(
    random: () => number,
    /** RTP clock rate of the stream. */
    readonly clockRate: number,
    /** The smallest timestamp step after a change of source, and its unit (one 20 ms frame for audio; 1 for video). */
    private readonly minStep: number,
  ) {
    this.ssrc = random() >>> 0;
    this.firstSeq = random() & 0xffff;
    this.firstTs = random() >>> 0;
  }

  /** Whether anything was sent yet. */
  get started(): boolean {
    return this.lastSeq !== undefined;
  }

  /** The header of the next packet of `key`'s stream `ssrc` that had sequence number `seq` and timestamp `ts`. */
  map(key: string, ssrc: number, seq: number, ts: number, now: number): MappedHeader {
    let switched = false;
    if (!this.source || this.source.key !== key || this.source.ssrc !== ssrc) {
      const nextSeq = this.lastSeq === undefined ? this.firstSeq : seqAdd(this.lastSeq, 1);
      // Since the newest timestamp first went out (an RFC 4733 event repeats its start timestamp while it lasts).
      // Whole frames for audio, so the receiver's playout sees frames, not slivers, between the two sources.
      const elapsed = ((now - this.newestAt) * this.clockRate) / 1000;
      const step = Math.max(this.minStep, Math.round(elapsed / this.minStep) * this.minStep);
      const nextTs = this.newestTs === undefined ? this.firstTs : tsAdd(this.newestTs, step);
      this.source = { key, ssrc, seqOffset: (nextSeq - seq) & 0xffff, tsOffset: (nextTs - ts) >>> 0 };
      switched = true;
    }
    const sequenceNumber = seqAdd(seq, this.source.seqOffset);
    const timestamp = tsAdd(ts, this.source.tsOffset);
    return { sequenceNumber, timestamp, switched };
  }

  /** Records that a packet with this header went out now with `payloadBytes` of payload. */
  sent(h: MappedHeader, payloadBytes: number, now: number): void {
    if (this.lastSeq === undefined || seqDiff(h.sequenceNumber, this.lastSeq) > 0) this.lastSeq = h.sequenceNumber;
    if (this.newestTs === undefined || tsDiff(h.timestamp, this.newestTs) > 0) {
      this.newestTs = h.timestamp;
      this.newestAt = now;
    }
    this.packets++;
    this.payloadOctets += payloadBytes;
    this.sentSinceReport = true;
  }

  /** The RTP timestamp that corresponds to `now` (RFC 3550 6.4.1: the SR's timestamp), extrapolated from the newest sent. */
  timestampAt(now: number): number {
    if (this.newestTs === undefined) return this.firstTs;
    return tsAdd(this.newestTs, Math.max(0, Math.floor(((now - this.newestAt) * this.clockRate) / 1000)));
  }
}
