/**
 * A small playout buffer that puts received audio back in timestamp order. Packets are released as soon as they
 * continue the stream, so in-order audio passes with no added delay; after a gap it waits for up to `depthFrames`
 * later packets for the missing one to arrive out of order, then gives up and fills the gap with silence.
 * Packets older than what was already played are dropped as late, repeated ones as duplicates. A timestamp jump
 * larger than `maxGapSamples` (the sender restarted or paused) re-synchronises without filling. Pure: no timers.
 */
import { tsAdd, tsDiff } from '../rtp/sequence.js';

export interface JitterBufferOptions {
  /** How many packets beyond a gap to hold before declaring the missing audio lost; default 3. */
  readonly depthFrames?: number;
  /** Largest gap filled with silence (timestamp units); default 8000 (1 s at 8 kHz). */
  readonly maxGapSamples?: number;
}

export interface JitterBufferStats {
  readonly late: number;
  readonly duplicates: number;
  /** Samples of silence written for audio that never arrived. */
  readonly concealedSamples: number;
  readonly resyncs: number;
}

export class JitterBuffer {
  private readonly depth: number;
  private readonly maxGap: number;
  private readonly pending = new Map<number, Int16Array>();
  private next: number | undefined;
  private late = 0;
  private duplicates = 0;
  private concealed = 0;
  private resyncs = 0;

  constructor(opts: JitterBufferOptions = {}) {
    this.depth = Math.max(1, Math.floor(opts.depthFrames ?? 3));
    this.maxGap = Math.max(0, Math.floor(opts.maxGapSamples ?? 8000));
  }

  get stats(): JitterBufferStats {
    return { late: this.late, duplicates: this.duplicates, concealedSamples: this.concealed, resyncs: this.resyncs };
  }

  /** Packets held, waiting for a gap to fill. */
  get held(): number {
    return this.pending.size;
  }

  /** Takes one packet's decoded samples at RTP `timestamp`; returns the samples now ready, in order. */
  push(timestamp: number, samples: Int16Array): Int16Array[] {
    if (samples.length === 0) return [];
    const out: Int16Array[] = [];
    if (this.next === undefined) this.next = timestamp;
    const d = tsDiff(timestamp, this.next);
    if (d > this.maxGap || d < -this.maxGap) {
      // A jump, not jitter: play what is held, then continue from here.
      out.push(...this.flush());
      this.resyncs++;
      this.next = timestamp;
    } else if (d < 0) {
      this.late++;
      return out;
    }
    if (this.pending.has(timestamp)) {
      this.duplicates++;
      return out;
    }
    this.pending.set(timestamp, samples);
    this.drain(out, false);
    return out;
  }

  /** Everything held, gaps filled with silence; the buffer keeps its position. */
  flush(): Int16Array[] {
    const out: Int16Array[] = [];
    this.drain(out, true);
    return out;
  }

  /** Forgets the stream (a new SSRC): the next packet starts afresh. */
  reset(): Int16Array[] {
    const out = this.flush();
    this.next = undefined;
    return out;
  }

  private drain(out: Int16Array[], all: boolean): void {
    while (this.pending.size > 0 && this.next !== undefined) {
      const here = this.pending.get(this.next);
      if (here) {
        this.pending.delete(this.next);
        out.push(here);
        this.next = tsAdd(this.next, here.length);
        continue;
      }
      if (!all && this.pending.size < this.depth) return;
      // Give up on the missing audio: silence up to the earliest packet held.
      let earliest = Infinity;
      for (const ts of this.pending.keys()) earliest = Math.min(earliest, tsDiff(ts, this.next));
      const gap = Math.min(earliest, this.maxGap);
      if (gap > 0) {
        out.push(new Int16Array(gap));
        this.concealed += gap;
      }
      this.next = tsAdd(this.next, earliest);
    }
  }
}
