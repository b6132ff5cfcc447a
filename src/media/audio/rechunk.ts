/** Re-cuts a stream of sample blocks of any size into frames of a fixed size (20 ms for sinks and mixers). */
import { frameSamples } from './frame.js';

export class Rechunker {
  private buffer: Int16Array;
  private filled = 0;

  constructor(readonly size = frameSamples) {
    if (!Number.isInteger(size) || size < 1) throw new RangeError(`frame size ${size}`);
    this.buffer = new Int16Array(size);
  }

  /** Appends samples; returns the whole frames completed by them (each a fresh array). */
  push(samples: Int16Array): Int16Array[] {
    const out: Int16Array[] = [];
    let at = 0;
    while (at < samples.length) {
      const n = Math.min(this.size - this.filled, samples.length - at);
      this.buffer.set(samples.subarray(at, at + n), this.filled);
      this.filled += n;
      at += n;
      if (this.filled === this.size) {
        out.push(this.buffer);
        this.buffer = new Int16Array(this.size);
        this.filled = 0;
      }
    }
    return out;
  }

  /** The samples of an incomplete last frame, if any (a shorter array), and a fresh start. */
  flush(): Int16Array | undefined {
    if (this.filled === 0) return undefined;
    const rest = this.buffer.slice(0, this.filled);
    this.filled = 0;
    return rest;
  }
}
