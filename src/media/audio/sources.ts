/** Generated sources: a sine tone and silence, each optionally limited to a duration. */
import { frameMs, frameSamples, sampleRate, type AudioSource } from './frame.js';

const twoPi = 2 * Math.PI;

export interface GeneratedSourceOptions {
  /** Ends the source after this many ms (rounded up to whole frames); default: never ends. */
  readonly durationMs?: number;
}

function framesFor(durationMs: number | undefined): number {
  if (durationMs === undefined) return Infinity;
  if (!Number.isFinite(durationMs) || durationMs < 0) throw new RangeError(`duration ${durationMs} ms is not a non-negative number`);
  return Math.ceil(durationMs / frameMs);
}

/** A sine tone at `hz` with peak `amplitude` in sample units (0–32767), phase-continuous across frames. */
export class ToneSource implements AudioSource {
  private phase = 0;
  private frames = 0;
  private readonly maxFrames: number;
  private readonly step: number;
  private readonly amplitude: number;

  constructor(
    readonly hz: number,
    amplitude: number,
    opts: GeneratedSourceOptions = {},
  ) {
    if (!Number.isFinite(hz) || hz < 0 || hz >= sampleRate / 2) throw new RangeError(`tone ${hz} Hz is outside 0–${sampleRate / 2} Hz`);
    if (!Number.isFinite(amplitude) || amplitude < 0) throw new RangeError(`tone amplitude ${amplitude} is not a non-negative number`);
    this.amplitude = Math.min(32767, amplitude);
    this.step = (2 * Math.PI * hz) / sampleRate;
    this.maxFrames = framesFor(opts.durationMs);
  }

  nextFrame(): Int16Array | undefined {
    if (this.frames >= this.maxFrames) return undefined;
    this.frames++;
    const out = new Int16Array(frameSamples);
    for (let i = 0; i < frameSamples; i++) {
      out[i] = Math.round(this.amplitude * Math.sin(this.phase));
      this.phase += this.step;
      if (this.phase >= twoPi) this.phase -= twoPi; // kept small, so precision does not erode over a long call
    }
    return out;
  }
}

/** Digital silence. */
export class SilenceSource implements AudioSource {
  private frames = 0;
  private readonly maxFrames: number;

  constructor(opts: GeneratedSourceOptions = {}) {
    this.maxFrames = framesFor(opts.durationMs);
  }

  nextFrame(): Int16Array | undefined {
    if (this.frames >= this.maxFrames) return undefined;
    this.frames++;
    return new Int16Array(frameSamples);
  }
}
