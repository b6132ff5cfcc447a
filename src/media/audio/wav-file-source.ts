/**
 * Plays a WAV file as 20 ms frames of 8 kHz mono PCM. The file is read whole when the source is made (8 kHz PCM is
 * 16 KB a second, so even a long announcement is small). 16-bit PCM at any rate and channel count is accepted —
 * channels are averaged, other rates resampled; any other encoding is refused with an error that says what the
 * file is and what is needed.
 */
import { readFileSync } from 'node:fs';
import { frameSamples, sampleRate, type AudioSource } from './frame.js';
import { resample } from './resample.js';
import { parseWav, wavFormatPcm } from './wav.js';

export interface WavFileSourceOptions {
  /** Start again from the beginning at the end instead of ending; default false. */
  readonly loop?: boolean;
}

const formatNames: Record<number, string> = { 1: 'PCM', 3: 'IEEE float', 6: 'A-law', 7: 'µ-law', 2: 'ADPCM', 17: 'IMA ADPCM' };

/** Decodes WAV bytes to 8 kHz mono 16-bit samples, or explains why not. */
export function wavToPcm8k(bytes: Uint8Array, name = 'WAV data'): Int16Array {
  const parsed = parseWav(bytes);
  if (!parsed.ok) throw new Error(`${name}: ${parsed.reason}`);
  const { format, data } = parsed;
  if (format.audioFormat !== wavFormatPcm || format.bitsPerSample !== 16) {
    const kind = `${formatNames[format.audioFormat] ?? `format ${format.audioFormat}`} ${format.bitsPerSample}-bit`;
    throw new Error(`${name}: unsupported WAV encoding ${kind}; hometel plays 16-bit PCM (mono, 8 kHz preferred; other rates and channel counts are converted)`);
  }
  if (format.channels < 1 || format.sampleRate < 1) throw new Error(`${name}: WAV header with ${format.channels} channels at ${format.sampleRate} Hz`);
  const channels = format.channels;
  const frames = Math.floor(data.length / (2 * channels));
  const view = new DataView(data.buffer, data.byteOffset, data.byteLength);
  const mono = new Int16Array(frames);
  for (let i = 0; i < frames; i++) {
    let sum = 0;
    for (let c = 0; c < channels; c++) sum += view.getInt16(2 * (i * channels + c), true);
    mono[i] = Math.round(sum / channels);
  }
  return format.sampleRate === sampleRate ? mono : resample(mono, format.sampleRate, sampleRate);
}

export class WavFileSource implements AudioSource {
  private position = 0;
  private readonly loop: boolean;

  /** Reads and converts `path` now; throws if it cannot be read or is not a usable WAV file. */
  constructor(path: string, opts: WavFileSourceOptions = {}) {
    this.samples = wavToPcm8k(readFileSync(path), path);
    this.loop = opts.loop ?? false;
  }

  /** The whole file as 8 kHz mono samples. */
  readonly samples: Int16Array;

  get durationMs(): number {
    return (this.samples.length * 1000) / sampleRate;
  }

  nextFrame(): Int16Array | undefined {
    const total = this.samples.length;
    if (total === 0 || (!this.loop && this.position >= total)) return undefined;
    const out = new Int16Array(frameSamples); // the last frame is padded with silence
    let filled = 0;
    while (filled < frameSamples) {
      if (this.position >= total) {
        if (!this.loop) break;
        this.position = 0;
      }
      const n = Math.min(frameSamples - filled, total - this.position);
      out.set(this.samples.subarray(this.position, this.position + n), filled);
      filled += n;
      this.position += n;
    }
    return out;
  }
}
