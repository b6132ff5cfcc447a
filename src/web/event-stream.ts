/**
 * The live-event stream (Server-Sent Events on /api/events): one per open page. Every page gets the console's
 * events; a page can also be sent events of its own (the WebRTC offers for the browser it runs in). A stream has
 * an id, told in its first event, so that the page can name it when it asks for something tied to its life
 * (the browser's Telephony Client goes when the stream goes).
 *
 * SSE rather than a WebSocket: the events flow one way; the page's requests are ordinary API calls, which keeps
 * one authentication and CSRF rule for everything. A comment line every 15 s keeps proxies and the browser from
 * deciding the stream is dead, and lets the server notice a page that went away without closing.
 */
import { randomBytes } from 'node:crypto';
import type { ServerResponse } from 'node:http';
import type { Clock, Logger, TimerHandle } from '../base/index.js';

export interface StreamEvent {
  readonly type: string;
  readonly [key: string]: unknown;
}

interface Stream {
  readonly id: string;
  readonly res: ServerResponse;
  readonly label: string;
  readonly onClose: Array<() => void>;
}

export class EventStreams {
  private readonly streams = new Map<string, Stream>();
  private keepAlive: TimerHandle | undefined;

  constructor(
    private readonly clock: Clock,
    private readonly logger: Logger,
    private readonly keepAliveMs = 15_000,
  ) {}

  get size(): number {
    return this.streams.size;
  }

  /** Takes over a response as an event stream; resolves when it closes. */
  open(res: ServerResponse, label: string): Promise<void> {
    const id = randomBytes(12).toString('base64url');
    const stream: Stream = { id, res, label, onClose: [] };
    this.streams.set(id, stream);
    res.writeHead(200, {
      'content-type': 'text/event-stream; charset=utf-8',
      'cache-control': 'no-store',
      connection: 'keep-alive',
      'x-accel-buffering': 'no',
    });
    this.write(stream, { type: 'hello', stream: id });
    this.logger.debug('event stream opened', { stream: id, who: label, open: this.streams.size });
    this.scheduleKeepAlive();
    return new Promise((resolve) => {
      res.on('close', () => {
        this.streams.delete(id);
        this.logger.debug('event stream closed', { stream: id, open: this.streams.size });
        for (const f of stream.onClose) f();
        resolve();
      });
    });
  }

  has(id: string): boolean {
    return this.streams.has(id);
  }

  /** Runs `f` when the stream closes (at once when it is already gone). */
  onClose(id: string, f: () => void): void {
    const s = this.streams.get(id);
    if (s) s.onClose.push(f);
    else f();
  }

  broadcast(event: StreamEvent): void {
    for (const s of this.streams.values()) this.write(s, event);
  }

  /** Sends one page an event; false when its stream is gone. */
  send(id: string, event: StreamEvent): boolean {
    const s = this.streams.get(id);
    if (!s) return false;
    this.write(s, event);
    return true;
  }

  close(): void {
    this.keepAlive?.cancel();
    this.keepAlive = undefined;
    for (const s of [...this.streams.values()]) s.res.end();
  }

  private write(s: Stream, event: StreamEvent): void {
    // JSON has no raw newlines, so one data: line per event is enough.
    s.res.write(`event: ${event.type}\ndata: ${JSON.stringify(event)}\n\n`);
  }

  private scheduleKeepAlive(): void {
    if (this.keepAlive || this.streams.size === 0) return;
    this.keepAlive = this.clock.setTimer(this.keepAliveMs, () => {
      this.keepAlive = undefined;
      for (const s of this.streams.values()) s.res.write(': keep-alive\n\n');
      this.scheduleKeepAlive();
    });
  }
}
