/** A Clock for unit tests: time moves only when the test moves it, and timers that fall due fire in order. */
import type { Clock, TimerHandle } from '../../src/base/clock.js';

interface Timer {
  readonly at: number;
  /** Ties fire in the order they were set. */
  readonly seq: number;
  readonly fn: () => void;
}

export class FakeClock implements Clock {
  private timers: Timer[] = [];
  private seq = 0;

  constructor(protected t = 0) {}

  now(): number {
    return this.t;
  }

  setTimer(ms: number, fn: () => void): TimerHandle {
    const timer = { at: this.t + Math.max(0, ms), seq: this.seq++, fn };
    this.timers.push(timer);
    return { cancel: () => void (this.timers = this.timers.filter((x) => x !== timer)) };
  }

  /** Timers set and neither fired nor cancelled. */
  get pending(): number {
    return this.timers.length;
  }

  /** Moves time forward by `ms`, firing every timer that falls due on the way, in order. */
  advance(ms: number): void {
    const end = this.t + ms;
    while (this.fireNext(end));
    this.t = end;
  }

  /** Moves time forward without firing anything (as when the event loop was blocked). */
  jump(ms: number): void {
    this.t += ms;
  }

  /** Fires the earliest timer due by `end` (time moves to it); false when none is. */
  protected fireNext(end: number): boolean {
    let due: Timer | undefined;
    for (const x of this.timers) if (x.at <= end && (!due || x.at < due.at || (x.at === due.at && x.seq < due.seq))) due = x;
    if (!due) return false;
    this.timers = this.timers.filter((x) => x !== due);
    this.t = Math.max(this.t, due.at);
    due.fn();
    return true;
  }
}
