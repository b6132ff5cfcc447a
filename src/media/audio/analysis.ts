/**
 * Frequency analysis for checking audio that went through the media plane: which frequency dominates a recording
 * (a Hann-windowed FFT zero-padded to ≤ 1 Hz bins, refined by parabolic interpolation), how much power sits at one
 * frequency (Goertzel), and how much of a recording is more than silence.
 */
import { frameSamples } from './frame.js';

/** Mean of the squared samples: the signal's total power in sample units². */
export function meanSquare(samples: ArrayLike<number>): number {
  if (samples.length === 0) return 0;
  let acc = 0;
  for (let i = 0; i < samples.length; i++) acc += samples[i]! * samples[i]!;
  return acc / samples.length;
}

export function rms(samples: ArrayLike<number>): number {
  return Math.sqrt(meanSquare(samples));
}

function hann(n: number, length: number): number {
  return length <= 1 ? 1 : 0.5 - 0.5 * Math.cos((2 * Math.PI * n) / (length - 1));
}

/**
 * The power of the component at `hz` (Goertzel over the Hann-windowed samples, corrected for the window's gain), in
 * the same units as `meanSquare`: a sine of amplitude A at `hz` gives about A²/2, so `energyAt / meanSquare` is the
 * share of the signal's power at that frequency.
 */
export function energyAt(samples: ArrayLike<number>, sampleRate: number, hz: number): number {
  const n = samples.length;
  if (n === 0) return 0;
  const coeff = 2 * Math.cos((2 * Math.PI * hz) / sampleRate);
  let s1 = 0;
  let s2 = 0;
  let windowSum = 0;
  for (let i = 0; i < n; i++) {
    const w = hann(i, n);
    windowSum += w;
    const s0 = samples[i]! * w + coeff * s1 - s2;
    s2 = s1;
    s1 = s0;
  }
  const power = s1 * s1 + s2 * s2 - coeff * s1 * s2; // |X(hz)|²
  const amplitude = (2 * Math.sqrt(Math.max(0, power))) / windowSum;
  return (amplitude * amplitude) / 2;
}

/** In-place iterative radix-2 FFT; `re.length` must be a power of two. */
function fft(re: Float64Array, im: Float64Array): void {
  const n = re.length;
  for (let i = 1, j = 0; i < n; i++) {
    let bit = n >> 1;
    for (; j & bit; bit >>= 1) j ^= bit;
    j ^= bit;
    if (i < j) {
      [re[i], re[j]] = [re[j]!, re[i]!];
      [im[i], im[j]] = [im[j]!, im[i]!];
    }
  }
  for (let len = 2; len <= n; len <<= 1) {
    const angle = (-2 * Math.PI) / len;
    const wr = Math.cos(angle);
    const wi = Math.sin(angle);
    for (let i = 0; i < n; i += len) {
      let cr = 1;
      let ci = 0;
      const half = len >> 1;
      for (let k = 0; k < half; k++) {
        const a = i + k;
        const b = a + half;
        const xr = re[b]! * cr - im[b]! * ci;
        const xi = re[b]! * ci + im[b]! * cr;
        re[b] = re[a]! - xr;
        im[b] = im[a]! - xi;
        re[a] = re[a]! + xr;
        im[a] = im[a]! + xi;
        const t = cr * wr - ci * wi;
        ci = cr * wi + ci * wr;
        cr = t;
      }
    }
  }
}

export interface DominantFrequencyOptions {
  /** Lowest frequency considered; default 50 Hz. */
  readonly minHz?: number;
  /** Highest frequency considered; default 4000 Hz (capped at half the sampling rate). */
  readonly maxHz?: number;
}

/**
 * The frequency with the most energy between `minHz` and `maxHz`, to better than 1 Hz, or undefined for an empty
 * or silent signal.
 */
export function dominantFrequency(samples: ArrayLike<number>, sampleRate: number, opts: DominantFrequencyOptions = {}): number | undefined {
  const n = samples.length;
  if (n === 0) return undefined;
  const minHz = Math.max(0, opts.minHz ?? 50);
  const maxHz = Math.min(sampleRate / 2, opts.maxHz ?? 4000);
  // Zero-pad so that bins are at most 1 Hz apart, whatever the length.
  let size = 1;
  while (size < n || sampleRate / size > 1) size <<= 1;
  const re = new Float64Array(size);
  const im = new Float64Array(size);
  for (let i = 0; i < n; i++) re[i] = samples[i]! * hann(i, n);
  fft(re, im);
  const binHz = sampleRate / size;
  const first = Math.max(1, Math.ceil(minHz / binHz));
  const last = Math.min(size / 2 - 1, Math.floor(maxHz / binHz));
  let best = -1;
  let bestPower = 0;
  for (let k = first; k <= last; k++) {
    const p = re[k]! * re[k]! + im[k]! * im[k]!;
    if (p > bestPower) {
      bestPower = p;
      best = k;
    }
  }
  if (best < 0) return undefined;
  // Parabolic interpolation on log magnitudes around the peak bin.
  const mag = (k: number): number => Math.log(Math.sqrt(re[k]! * re[k]! + im[k]! * im[k]!) + 1e-12);
  let offset = 0;
  if (best > first && best < last) {
    const a = mag(best - 1);
    const b = mag(best);
    const c = mag(best + 1);
    const denom = a - 2 * b + c;
    if (denom < 0) offset = Math.max(-0.5, Math.min(0.5, (0.5 * (a - c)) / denom));
  }
  return (best + offset) * binHz;
}

/**
 * How much of the signal is sound: the duration of its 20 ms frames whose RMS exceeds `threshold` (sample units,
 * default 100 ≈ −50 dBFS), in ms.
 */
export function audibleMs(samples: ArrayLike<number>, sampleRate: number, threshold = 100): number {
  const size = Math.round((frameSamples * sampleRate) / 8000);
  let frames = 0;
  for (let start = 0; start + size <= samples.length; start += size) {
    let acc = 0;
    for (let i = start; i < start + size; i++) acc += samples[i]! * samples[i]!;
    if (Math.sqrt(acc / size) > threshold) frames++;
  }
  return (frames * size * 1000) / sampleRate;
}
