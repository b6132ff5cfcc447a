/** RFC 3261 17 / Table 4 timer values; every one configurable, all defaults as the RFC recommends. */

export interface TimerConfig {
  /** RTT estimate; default 500 ms. A and E start at T1, B/F/H/J are 64·T1. */
  readonly t1: number;
  /** Maximum retransmit interval for non-INVITE requests and INVITE responses; default 4 s. */
  readonly t2: number;
  /** Maximum duration a message remains in the network; default 5 s (Timers I and K on UDP). */
  readonly t4: number;
  /** Timer D, the INVITE client's wait for response retransmissions on UDP; at least 32 s. */
  readonly timerD: number;
  /** RFC 3261 17.2.1: the INVITE server transaction sends 100 Trying when the TU is silent this long; 200 ms. */
  readonly tryingDelay: number;
}

export const defaultTimers: TimerConfig = { t1: 500, t2: 4_000, t4: 5_000, timerD: 32_000, tryingDelay: 200 };

export function resolveTimers(partial: Partial<TimerConfig> = {}): TimerConfig {
  return { ...defaultTimers, ...partial };
}
