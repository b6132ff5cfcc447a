/**
 * Per-source reception statistics of RFC 3550 appendix A: sequence-number tracking with wrap, dropout and
 * restart detection (A.1, without probation — a call's peer is known from SDP), packets expected and lost
 * (A.3) and interarrival jitter (A.8). Pure: arrival times come from the caller, in RTP timestamp units.
 */
import { tsDiff } from './sequence.js';

const seqMod = 0x10000;
const maxDropout = 3000;
const maxMisorder = 100;

export type SequenceVerdict = 'ok' | 'duplicate-or-reordered' | 'bad' | 'restarted';

export interface ReceptionInterval {
  /** Fraction lost since the previous call, in 1/256. */
  readonly fractionLost: number;
  readonly cumulativeLost: number;
  readonly highestSequence: number;
  readonly jitter: number;
}

export class RtpReceiveStats {
  private baseSeq = 0;
  private maxSeq = 0;
  private badSeq = seqMod + 1;
  private cycles = 0;
  private receivedCount = 0;
  private expectedPrior = 0;
  private receivedPrior = 0;
  private transit: number | undefined;
  private jitterValue = 0;

  constructor(
    readonly ssrc: number,
    firstSequence: number,
  ) {
    this.init(firstSequence);
  }

  /**
   * A.1 update_seq for a packet's sequence number: counts it unless it is a large jump (`bad`, dropped; a second
   * packet continuing that jump restarts tracking, as when a peer restarts its stream).
   */
  updateSequence(seq: number): SequenceVerdict {
    const udelta = (seq - this.maxSeq) & 0xffff;
    let verdict: SequenceVerdict = 'ok';
    if (udelta < maxDropout) {
      if (seq < this.maxSeq) this.cycles += seqMod; // wrapped
      this.maxSeq = seq;
    } else if (udelta <= seqMod - maxMisorder) {
      if (seq !== this.badSeq) {
        this.badSeq = (seq + 1) & 0xffff;
        return 'bad';
      }
      this.init(seq);
      verdict = 'restarted';
    } else {
      verdict = 'duplicate-or-reordered';
    }
    this.receivedCount++;
    return verdict;
  }

  /**
   * A.8: updates the jitter estimate with one packet's RTP timestamp and its arrival time, both in timestamp
   * units. Feed only packets whose timestamps advance with sampling time (not repeated telephone-event ones).
   */
  updateJitter(rtpTimestamp: number, arrival: number): void {
    const transit = arrival - rtpTimestamp;
    if (this.transit !== undefined) {
      // Differences taken modulo 2^32 so that a timestamp wrap is not a jump.
      const d = Math.abs(tsDiff(Math.round(transit) >>> 0, Math.round(this.transit) >>> 0));
      this.jitterValue += (d - this.jitterValue) / 16;
    }
    this.transit = transit;
  }

  get received(): number {
    return this.receivedCount;
  }

  /** Extended highest sequence number: cycles << 16 | highest. */
  get extendedHighest(): number {
    return this.cycles + this.maxSeq;
  }

  get expected(): number {
    return this.extendedHighest - this.baseSeq + 1;
  }

  /** Cumulative lost (expected − received); negative with duplicates, as A.3 allows. */
  get lost(): number {
    return this.expected - this.receivedCount;
  }

  /** Interarrival jitter in timestamp units. */
  get jitter(): number {
    return this.jitterValue;
  }

  /** A.3: the figures of one report block; starts a new interval for the fraction lost. */
  interval(): ReceptionInterval {
    const expected = this.expected;
    const expectedInterval = expected - this.expectedPrior;
    this.expectedPrior = expected;
    const receivedInterval = this.receivedCount - this.receivedPrior;
    this.receivedPrior = this.receivedCount;
    const lostInterval = expectedInterval - receivedInterval;
    const fractionLost = expectedInterval === 0 || lostInterval <= 0 ? 0 : Math.min(255, Math.floor((lostInterval * 256) / expectedInterval));
    return {
      fractionLost,
      cumulativeLost: this.lost,
      highestSequence: this.extendedHighest >>> 0,
      jitter: Math.floor(this.jitterValue) >>> 0,
    };
  }

  private init(seq: number): void {
    this.baseSeq = seq;
    this.maxSeq = seq;
    this.badSeq = seqMod + 1;
    this.cycles = 0;
    this.receivedCount = 0;
    this.receivedPrior = 0;
    this.expectedPrior = 0;
  }
}
