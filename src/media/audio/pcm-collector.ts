/** An in-memory sink: keeps every frame it is given, for tests and for analysis. */
import { sampleRate, type AudioSink } from './frame.js';

export class PcmCollector implements AudioSink {
  private chunks: Int16Array[] = [];
  private count = 0;

  write(frame: Int16Array): void {
    this.chunks.push(frame.slice());
    this.count += frame.length;
  }

  /** Frames written so far. */
  get frames(): number {
    return this.chunks.length;
  }

  get sampleCount(): number {
    return this.count;
  }

  get durationMs(): number {
    return (this.count * 1000) / sampleRate;
  }

  /** Everything written, as one array. */
  samples(): Int16Array {
    const out = new Int16Array(this.count);
    let o = 0;
    for (const c of this.chunks) {
      out.set(c, o);
      o += c.length;
    }
    return out;
  }

  clear(): void {
    this.chunks = [];
    this.count = 0;
  }
}
