/**
 * RFC 4733 DTMF over RTP, both directions, as pure state machines driven by the endpoint's 20 ms send loop.
 *
 * Sending (2.5.1): an event's packets all carry the RTP timestamp of its start and a growing duration; the first
 * has the marker bit; the final one (E bit) is sent three times (2.5.1.4), each with its own sequence number as any
 * RTP packet; then a pause before the next digit. Audio is not sent while an event is (2.5.1.5: the event replaces it).
 *
 * Receiving (2.5.2): packets repeat, so an event is reported once, at its first packet, keyed by its timestamp.
 */
import { dtmfDigitOf, dtmfEventOf, serializeTelephoneEvent, type TelephoneEvent } from '../rtp/telephone-event.js';

export interface DtmfSendOptions {
  /** Tone duration; default 100 ms (ETSI/ITU minimum is 40 ms). */
  readonly durationMs?: number;
  /** Silence after each digit before the next; default 60 ms. */
  readonly pauseMs?: number;
  /** Power level, −dBm0 (0–63); default 10. */
  readonly volume?: number;
}

export interface TelephoneEventPacket {
  readonly timestamp: number;
  readonly marker: boolean;
  readonly payload: Uint8Array;
}

interface QueuedDigit {
  readonly event: number;
  readonly durationSamples: number;
  readonly pauseTicks: number;
  readonly volume: number;
  readonly done?: () => void;
}

interface Active {
  readonly digit: QueuedDigit;
  readonly startTs: number;
  elapsed: number;
  endsSent: number;
}

const endRepeats = 3;

export class DtmfSender {
  private readonly queue: QueuedDigit[] = [];
  private active?: Active;
  private pause = 0;
  private rejects: ((e: Error) => void)[] = [];

  constructor(
    private readonly clockRate = 8000,
    private readonly samplesPerTick = 160,
  ) {}

  /** True while an event or its pause is under way or digits wait. */
  get busy(): boolean {
    return this.active !== undefined || this.pause > 0 || this.queue.length > 0;
  }

  /**
   * Queues `digits` (0–9 * # A–D); resolves when the last one's final packet has gone out. Throws a RangeError
   * for a character that is not a DTMF digit or options out of range.
   */
  enqueue(digits: string, opts: DtmfSendOptions = {}): Promise<void> {
    const durationMs = opts.durationMs ?? 100;
    const pauseMs = opts.pauseMs ?? 60;
    const volume = opts.volume ?? 10;
    const tickMs = (this.samplesPerTick * 1000) / this.clockRate;
    const durationSamples = Math.max(this.samplesPerTick, Math.round((durationMs * this.clockRate) / 1000));
    if (!(durationMs > 0) || durationSamples > 0xffff) throw new RangeError(`DTMF duration ${durationMs} ms is outside 1 ms–8 s`);
    if (!(pauseMs >= 0) || pauseMs > 10_000) throw new RangeError(`DTMF pause ${pauseMs} ms is outside 0–10 s`);
    if (!Number.isInteger(volume) || volume < 0 || volume > 63) throw new RangeError(`DTMF volume ${volume} is outside 0–63`);
    const events = [...digits].map((d) => {
      const e = dtmfEventOf(d);
      if (e === undefined) throw new RangeError(`${JSON.stringify(d)} is not a DTMF digit (0–9 * # A–D)`);
      return e;
    });
    if (events.length === 0) return Promise.resolve();
    return new Promise<void>((resolve, reject) => {
      this.rejects.push(reject);
      const pauseTicks = Math.ceil(pauseMs / tickMs);
      events.forEach((event, i) => {
        const last = i === events.length - 1;
        this.queue.push({ event, durationSamples, pauseTicks, volume, ...(last ? { done: () => this.settle(reject, resolve) } : {}) });
      });
    });
  }

  /**
   * One 20 ms tick at media timestamp `timestamp`: the telephone-event packet to send instead of audio, or
   * undefined when audio should be sent.
   */
  tick(timestamp: number): TelephoneEventPacket | undefined {
    if (!this.active) {
      if (this.pause > 0) {
        this.pause--;
        return undefined;
      }
      const digit = this.queue.shift();
      if (!digit) return undefined;
      this.active = { digit, startTs: timestamp, elapsed: 0, endsSent: 0 };
    }
    const a = this.active;
    const first = a.elapsed === 0;
    a.elapsed = Math.min(a.digit.durationSamples, a.elapsed + this.samplesPerTick);
    const end = a.elapsed >= a.digit.durationSamples;
    if (end) a.endsSent++;
    const ev: TelephoneEvent = { event: a.digit.event, end, volume: a.digit.volume, duration: a.elapsed };
    const packet = { timestamp: a.startTs, marker: first, payload: serializeTelephoneEvent(ev) };
    if (a.endsSent >= endRepeats) {
      this.active = undefined;
      this.pause = a.digit.pauseTicks;
      a.digit.done?.();
    }
    return packet;
  }

  /** Drops everything queued; pending promises reject with `reason`. */
  cancel(reason: Error): void {
    this.queue.length = 0;
    this.active = undefined;
    this.pause = 0;
    const rejects = this.rejects;
    this.rejects = [];
    for (const r of rejects) r(reason);
  }

  private settle(reject: (e: Error) => void, resolve: () => void): void {
    this.rejects = this.rejects.filter((r) => r !== reject);
    resolve();
  }
}

/** A DTMF digit (or other telephone-event) received. */
export interface DtmfEvent {
  /** 0–9 * # A–D, or undefined for events other than DTMF. */
  readonly digit: string | undefined;
  readonly event: number;
  readonly volume: number;
  /** The event's RTP timestamp. */
  readonly timestamp: number;
}

export class DtmfReceiver {
  /** Recently seen events, so that repeats and late copies are not reported again. */
  private readonly seen: string[] = [];

  /** One telephone-event packet; returns the event when it is the first packet seen of it. */
  receive(timestamp: number, ev: TelephoneEvent): DtmfEvent | undefined {
    const key = `${timestamp}:${ev.event}`;
    if (this.seen.includes(key)) return undefined;
    this.seen.push(key);
    if (this.seen.length > 16) this.seen.shift();
    return { digit: dtmfDigitOf(ev.event), event: ev.event, volume: ev.volume, timestamp };
  }
}
