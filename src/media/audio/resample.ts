/**
 * Sample-rate conversion for file sources: windowed-sinc interpolation (Hann window, 16 zero crossings each side),
 * with the cutoff lowered to the output's Nyquist frequency when downsampling so nothing aliases into the band.
 */

const zeroCrossings = 16;

function sinc(x: number): number {
  if (x === 0) return 1;
  const px = Math.PI * x;
  return Math.sin(px) / px;
}

/** Converts 16-bit PCM from `fromRate` to `toRate` Hz. */
export function resample(samples: Int16Array, fromRate: number, toRate: number): Int16Array {
  if (!(fromRate > 0) || !(toRate > 0)) throw new RangeError(`cannot resample ${fromRate} Hz to ${toRate} Hz`);
  if (fromRate === toRate) return samples.slice();
  const ratio = toRate / fromRate;
  const cutoff = Math.min(1, ratio); // relative to the input's Nyquist frequency
  const halfWidth = zeroCrossings / cutoff; // in input samples
  const outLength = Math.floor(samples.length * ratio);
  const out = new Int16Array(outLength);
  for (let i = 0; i < outLength; i++) {
    const t = i / ratio;
    const first = Math.max(0, Math.ceil(t - halfWidth));
    const last = Math.min(samples.length - 1, Math.floor(t + halfWidth));
    let acc = 0;
    for (let k = first; k <= last; k++) {
      const x = t - k;
      const w = 0.5 * (1 + Math.cos((Math.PI * x) / halfWidth));
      acc += samples[k]! * cutoff * sinc(cutoff * x) * w;
    }
    out[i] = Math.max(-32768, Math.min(32767, Math.round(acc)));
  }
  return out;
}
