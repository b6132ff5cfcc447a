/**
 * What a caller hears: the line's greeting (the user's WAV, else the one hometel ships), the beep before the
 * recording, and the "mailbox full" announcement. hometel ships no speech: its default greeting and the full
 * announcement are tone patterns generated here, recognisable and language-free.
 */
import { frameSamples, parseWav, sampleRate, ToneSource, wavFormatAlaw, wavFormatMulaw, wavFormatPcm, wavHeader, wavToPcm8k, pcma, pcmu, type AudioSource } from '../media/index.js';
import { GreetingRefused } from './model.js';

/** The largest greeting upload (a minute of 48 kHz stereo PCM is 11 MB; hometel keeps 8 kHz mono). */
export const maxGreetingBytes = 10 * 1024 * 1024;
/** The longest greeting, in seconds. */
export const maxGreetingSeconds = 120;

const amplitude = 8000;

/** Tones and pauses as samples: [Hz (0 = pause), ms]. */
export function tonePattern(steps: ReadonlyArray<readonly [number, number]>): Int16Array {
  const parts = steps.map(([hz, ms]) => {
    const n = Math.round((ms * sampleRate) / 1000);
    if (hz === 0) return new Int16Array(n);
    const out = new Int16Array(n);
    const tone = new ToneSource(hz, amplitude);
    for (let at = 0; at < n; at += frameSamples) out.set(tone.nextFrame()!.subarray(0, Math.min(frameSamples, n - at)), at);
    return out;
  });
  const all = new Int16Array(parts.reduce((s, p) => s + p.length, 0));
  let at = 0;
  for (const p of parts) {
    all.set(p, at);
    at += p.length;
  }
  return all;
}

/** The default greeting: a rising three-note chime twice (about 2 s), hometel's "leave a message". */
export const defaultGreeting = (): Int16Array => tonePattern([[523, 200], [0, 50], [659, 200], [0, 50], [784, 300], [0, 400], [523, 200], [0, 50], [659, 200], [0, 50], [784, 300], [0, 300]]);

/** The beep after the greeting: 1 kHz for 400 ms, then 100 ms of silence. */
export const beep = (): Int16Array => tonePattern([[1000, 400], [0, 100]]);

/** "Mailbox full": the special information tone (ITU-T E.180: 950, 1400, 1800 Hz) three times. */
export const mailboxFullAnnouncement = (): Int16Array => tonePattern([[950, 330], [1400, 330], [1800, 330], [0, 700], [950, 330], [1400, 330], [1800, 330], [0, 700], [950, 330], [1400, 330], [1800, 330], [0, 300]]);

/** Plays samples once as 20 ms frames (the last one padded with silence). */
export class SamplesSource implements AudioSource {
  private at = 0;
  constructor(private readonly samples: Int16Array) {}

  nextFrame(): Int16Array | undefined {
    if (this.at >= this.samples.length) return undefined;
    const out = new Int16Array(frameSamples);
    out.set(this.samples.subarray(this.at, this.at + frameSamples));
    this.at += frameSamples;
    return out;
  }
}

/** 8 kHz mono 16-bit samples as a canonical PCM WAV file. */
export function pcmWav(samples: Int16Array): Buffer {
  const data = Buffer.from(samples.buffer, samples.byteOffset, samples.byteLength);
  return Buffer.concat([wavHeader(data.length, { sampleRate }), data]);
}

/**
 * Checks an uploaded greeting and converts it to what hometel plays: RIFF/WAVE with 16-bit PCM (any rate and
 * channel count) or G.711 A-law/µ-law at 8 kHz mono; anything else is refused with a message that says what it is.
 */
export function normalizeGreeting(bytes: Uint8Array): Int16Array {
  if (bytes.length > maxGreetingBytes) throw new GreetingRefused(`the greeting is ${(bytes.length / 1048576).toFixed(1)} MiB; at most ${maxGreetingBytes / 1048576} MiB`);
  const parsed = parseWav(bytes);
  if (!parsed.ok) throw new GreetingRefused(`the greeting is not a WAV file (${parsed.reason}); upload RIFF/WAVE with 16-bit PCM or G.711`);
  const { format, data } = parsed;
  let samples: Int16Array;
  if (format.audioFormat === wavFormatAlaw || format.audioFormat === wavFormatMulaw) {
    if (format.sampleRate !== sampleRate || format.channels !== 1 || format.bitsPerSample !== 8) {
      throw new GreetingRefused(`G.711 greetings must be 8 kHz mono 8-bit; this one is ${format.sampleRate} Hz, ${format.channels} channels, ${format.bitsPerSample}-bit`);
    }
    samples = (format.audioFormat === wavFormatAlaw ? pcma : pcmu).decode(data);
  } else if (format.audioFormat === wavFormatPcm && format.bitsPerSample === 16) {
    try {
      samples = wavToPcm8k(bytes, 'the greeting');
    } catch (e) {
      throw new GreetingRefused((e as Error).message);
    }
  } else {
    throw new GreetingRefused(`the greeting's WAV encoding (format ${format.audioFormat}, ${format.bitsPerSample}-bit) is not supported; use 16-bit PCM or G.711`);
  }
  if (samples.length === 0) throw new GreetingRefused('the greeting has no audio');
  if (samples.length > maxGreetingSeconds * sampleRate) throw new GreetingRefused(`the greeting lasts ${Math.round(samples.length / sampleRate)} s; at most ${maxGreetingSeconds} s`);
  return samples;
}
