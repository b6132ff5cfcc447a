/**
 * Records frames to a RIFF/WAVE file, 16-bit PCM mono (8 kHz by default). The header is written first with the
 * streamed-WAV "unknown size" marker, samples are appended as they come (writes are queued, never blocking the
 * caller), and `close()` patches the real sizes into the header. A recording cut short by a crash still reads
 * (the sizes say "to the end of the file").
 */
import { AppendFile } from '../../base/index.js';
import { sampleRate as defaultRate, type AudioSink } from './frame.js';
import { wavHeader, wavUnknownSize } from './wav.js';

export interface WavRecorderOptions {
  readonly sampleRate?: number;
}

/** RIFF sizes are 32 bits; beyond this the recorder stops taking samples. */
const maxDataBytes = 0xffffffff - 36 - 1;

export class WavRecorder implements AudioSink {
  /** Settles when the file is open and its provisional header written; rejects if it cannot be created. */
  readonly ready: Promise<void>;
  private readonly file: AppendFile;
  /** Octets taken by `write`, queued or written. */
  private takenBytes = 0;
  private readonly sampleRate: number;

  constructor(
    readonly path: string,
    opts: WavRecorderOptions = {},
  ) {
    this.sampleRate = opts.sampleRate ?? defaultRate;
    this.file = new AppendFile(path, wavHeader(wavUnknownSize, { sampleRate: this.sampleRate }));
    this.ready = this.file.ready;
  }

  /** Samples taken so far (queued or written). */
  get samplesWritten(): number {
    return this.takenBytes / 2;
  }

  get durationMs(): number {
    return (this.samplesWritten * 1000) / this.sampleRate;
  }

  write(frame: Int16Array): void {
    if (this.file.stopped) return;
    if (this.takenBytes + 2 * frame.length > maxDataBytes) return;
    const buf = Buffer.allocUnsafe(2 * frame.length);
    for (let i = 0; i < frame.length; i++) buf.writeInt16LE(frame[i]!, 2 * i);
    this.takenBytes += buf.length;
    this.file.append(buf);
  }

  /** Writes what is queued, patches the header and closes the file. Rejects if the file could not be written. */
  close(): Promise<void> {
    return this.file.close((dataBytes) => wavHeader(dataBytes, { sampleRate: this.sampleRate }));
  }
}
