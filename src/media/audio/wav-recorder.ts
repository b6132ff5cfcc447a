/**
 * Records frames to a RIFF/WAVE file, 16-bit PCM mono (8 kHz by default). The header is written first with the
 * streamed-WAV "unknown size" marker, samples are appended as they come (writes are queued, never blocking the
 * caller), and `close()` patches the real sizes into the header. A recording cut short by a crash still reads
 * (the sizes say "to the end of the file").
 */
import { open, type FileHandle } from 'node:fs/promises';
import { sampleRate as defaultRate, type AudioSink } from './frame.js';
import { wavHeader, wavHeaderBytes, wavUnknownSize } from './wav.js';

export interface WavRecorderOptions {
  readonly sampleRate?: number;
}

/** RIFF sizes are 32 bits; beyond this the recorder stops taking samples. */
const maxDataBytes = 0xffffffff - 36 - 1;

export class WavRecorder implements AudioSink {
  /** Settles when the file is open and its provisional header written; rejects if it cannot be created. */
  readonly ready: Promise<void>;
  private readonly handle: Promise<FileHandle>;
  private pending: Buffer[] = [];
  /** Octets written to the file after the header. */
  private dataBytes = 0;
  /** Octets taken by `write`, queued or written. */
  private takenBytes = 0;
  private flushing?: Promise<void>;
  private failure?: Error;
  private closed?: Promise<void>;
  private readonly sampleRate: number;

  constructor(
    readonly path: string,
    opts: WavRecorderOptions = {},
  ) {
    this.sampleRate = opts.sampleRate ?? defaultRate;
    this.handle = open(path, 'w');
    this.ready = this.handle.then(async (fh) => {
      await fh.write(wavHeader(wavUnknownSize, { sampleRate: this.sampleRate }), 0, wavHeaderBytes, 0);
    });
    this.ready.catch((e: unknown) => {
      this.failure = e instanceof Error ? e : new Error(String(e));
    });
  }

  /** Samples taken so far (queued or written). */
  get samplesWritten(): number {
    return this.takenBytes / 2;
  }

  get durationMs(): number {
    return (this.samplesWritten * 1000) / this.sampleRate;
  }

  write(frame: Int16Array): void {
    if (this.closed || this.failure) return;
    if (this.takenBytes + 2 * frame.length > maxDataBytes) return;
    const buf = Buffer.allocUnsafe(2 * frame.length);
    for (let i = 0; i < frame.length; i++) buf.writeInt16LE(frame[i]!, 2 * i);
    this.pending.push(buf);
    this.takenBytes += buf.length;
    this.flushing ??= this.flush();
  }

  /** Writes what is queued, patches the header and closes the file. Rejects if the file could not be written. */
  close(): Promise<void> {
    this.closed ??= this.finish();
    return this.closed;
  }

  private async finish(): Promise<void> {
    let fh: FileHandle;
    try {
      fh = await this.handle;
    } catch (e) {
      throw e instanceof Error ? e : new Error(String(e));
    }
    try {
      await this.ready;
      while (this.flushing) await this.flushing;
      if (this.pending.length > 0) await this.flush();
      if (this.failure) throw this.failure;
      await fh.write(wavHeader(this.dataBytes, { sampleRate: this.sampleRate }), 0, wavHeaderBytes, 0);
    } finally {
      await fh.close();
    }
  }

  private async flush(): Promise<void> {
    try {
      const fh = await this.handle;
      await this.ready;
      while (this.pending.length > 0) {
        const chunk = Buffer.concat(this.pending);
        this.pending = [];
        await fh.write(chunk, 0, chunk.length, wavHeaderBytes + this.dataBytes);
        this.dataBytes += chunk.length;
      }
    } catch (e) {
      this.failure ??= e instanceof Error ? e : new Error(String(e));
      this.pending = [];
    } finally {
      this.flushing = undefined;
    }
  }
}
