/**
 * The 20 ms frame loop of a media sender (the RTP endpoint's sending, the relay's mixer) on a Clock: it counts
 * ticks from the start (no drift), catches up at most 5 frames, and skips what is further behind.
 */
import type { Clock, TimerHandle } from '../../base/index.js';
import { frameMs } from './frame.js';

const maxBurst = 5;

export class FramePacer {
  private start = 0;
  private ticks = 0;
  private timer?: TimerHandle;

  constructor(
    private readonly clock: Clock,
    /** One 20 ms slot of media time; `now` is the clock when the tick ran. */
    private readonly frame: (now: number) => void,
    /** Whether the loop should still run when a tick comes (closing, or no longer mixing: no). */
    private readonly active: () => boolean,
  ) {}

  /** Starts (or restarts) counting from now; the first frame comes at once. */
  run(): void {
    this.timer?.cancel();
    this.start = this.clock.now();
    this.ticks = 0;
    this.timer = this.clock.setTimer(0, () => this.tick());
  }

  stop(): void {
    this.timer?.cancel();
    this.timer = undefined;
  }

  private tick(): void {
    this.timer = undefined;
    if (!this.active()) return;
    const now = this.clock.now();
    let due = Math.floor((now - this.start) / frameMs) + 1 - this.ticks;
    if (due < -maxBurst) {
      // The clock went backwards: start counting again from now.
      this.start = now;
      this.ticks = 0;
      due = 1;
    }
    let burst = 0;
    while (due > 0 && burst < maxBurst) {
      this.frame(now);
      this.ticks++;
      due--;
      burst++;
    }
    // Far behind (the event loop was blocked): skip the missed ticks rather than sending a long burst.
    if (due > 0) this.ticks += due;
    const wait = Math.max(0, Math.min(frameMs, this.start + this.ticks * frameMs - now));
    this.timer = this.clock.setTimer(wait, () => this.tick());
  }
}
