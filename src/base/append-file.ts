/**
 * A file written as a header and then appended to, for recordings (WAV, rtpdump): `append` queues and returns at
 * once (a media path must never wait for the disk), the queue is written in order, and `close` writes what is left
 * and may rewrite the header with the final sizes. After a write failure the file takes nothing more and `close`
 * rejects with that failure.
 */
import { open, type FileHandle } from 'node:fs/promises';
import { asError } from './errors.js';

export class AppendFile {
  /** Settles when the file is open and its header written; rejects if it cannot be created. */
  readonly ready: Promise<void>;
  private readonly handle: Promise<FileHandle>;
  private offset: number;
  private pending: Buffer[] = [];
  private flushing?: Promise<void>;
  private failure?: Error;
  private closed?: Promise<void>;

  constructor(
    readonly path: string,
    private readonly header: Uint8Array,
  ) {
    this.offset = header.length;
    this.handle = open(path, 'w');
    this.ready = this.handle.then(async (fh) => {
      await fh.write(header, 0, header.length, 0);
    });
    this.ready.catch((e: unknown) => {
      this.failure ??= asError(e);
    });
  }

  /** True once the file takes nothing more: closed, or a write failed. */
  get stopped(): boolean {
    return this.closed !== undefined || this.failure !== undefined;
  }

  /** Octets written after the header so far (not those still queued). */
  get writtenBytes(): number {
    return this.offset - this.header.length;
  }

  append(chunk: Buffer): void {
    if (this.stopped) return;
    this.pending.push(chunk);
    this.flushing ??= this.flush();
  }

  /** Writes what is queued, then `finalHeader(writtenBytes)` over the header if given, and closes the file. */
  close(finalHeader?: (writtenBytes: number) => Uint8Array): Promise<void> {
    this.closed ??= this.finish(finalHeader);
    return this.closed;
  }

  private async finish(finalHeader: ((writtenBytes: number) => Uint8Array) | undefined): Promise<void> {
    let fh: FileHandle;
    try {
      fh = await this.handle;
    } catch (e) {
      throw asError(e);
    }
    try {
      await this.ready;
      while (this.flushing) await this.flushing;
      if (this.pending.length > 0) await this.flush();
      if (this.failure) throw this.failure;
      if (finalHeader) {
        const h = finalHeader(this.writtenBytes);
        await fh.write(h, 0, h.length, 0);
      }
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
        await fh.write(chunk, 0, chunk.length, this.offset);
        this.offset += chunk.length;
      }
    } catch (e) {
      this.failure ??= asError(e);
      this.pending = [];
    } finally {
      this.flushing = undefined;
    }
  }
}
