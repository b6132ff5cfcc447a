/**
 * Failed-login rate limiting per source address: after `failures` failures within `windowMs` of the first, the
 * source is refused (right password or not) until `lockMs` has passed; a good login resets it. An attempt still
 * being checked counts against the limit, so a burst of parallel guesses cannot slip past it while scrypt runs.
 *
 * Kept in memory, not in SQLite: the limit only has to make online guessing slow, and a restart (which an
 * attacker cannot cause) forgetting a lock costs at most one more round of `failures` guesses; writing every
 * failed attempt to disk would instead let an attacker drive the database. Memory is bounded: at most
 * `maxSources` entries, the least recently seen evicted first — an attacker with that many addresses is not held
 * back by a per-address limit anyway, and cannot grow the map without limit.
 *
 * IPv6 sources are counted per /64 (one home or one host's privacy addresses), an IPv4-mapped IPv6 address as its
 * IPv4 address; otherwise one host could rotate addresses and never be limited.
 */
import { isIPv6 } from 'node:net';
import type { Clock } from '../base/index.js';

export interface LoginLimit {
  readonly failures: number;
  readonly windowMs: number;
  readonly lockMs: number;
}

/** 5 failures in 15 minutes lock the source for 15 minutes: room for typos, about 500 guesses a day at most. */
export const DEFAULT_LOGIN_LIMIT: LoginLimit = { failures: 5, windowMs: 15 * 60_000, lockMs: 15 * 60_000 };

/** Sources remembered at most (about 100 bytes each). */
export const DEFAULT_MAX_SOURCES = 10_000;

/** When the limit is taken up by attempts still being checked: they end within a second. */
const PENDING_RETRY_MS = 1_000;

interface Entry {
  failures: number;
  /** When the first counted failure happened. */
  windowStart: number;
  /** Attempts begun and not ended. */
  pending: number;
  /** 0 when not locked. */
  lockedUntil: number;
}

/** The key a source is counted under: IPv4 as it is, IPv6 as its /64. */
export function sourceKey(source: string): string {
  const address = source.replace(/%.*$/, '');
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(address);
  if (mapped) return mapped[1]!;
  if (!isIPv6(address)) return address;
  const [head = '', tail] = address.toLowerCase().split('::');
  const front = head ? head.split(':') : [];
  const back = tail ? tail.split(':') : [];
  const groups = tail === undefined ? front : [...front, ...Array<string>(8 - front.length - back.length).fill('0'), ...back];
  return `${groups
    .slice(0, 4)
    .map((g) => g.padStart(4, '0'))
    .join(':')}::/64`;
}

export class LoginLimiter {
  private readonly sources = new Map<string, Entry>();

  constructor(
    private readonly limit: LoginLimit,
    private readonly clock: Clock,
    private readonly maxSources = DEFAULT_MAX_SOURCES,
  ) {}

  /** Begins an attempt from `source`: undefined when it may go ahead, else the ms until it may try again. */
  begin(source: string): number | undefined {
    const key = sourceKey(source);
    const now = this.clock.now();
    const e = this.current(key, now) ?? { failures: 0, windowStart: now, pending: 0, lockedUntil: 0 };
    if (e.lockedUntil > now) return e.lockedUntil - now;
    if (e.failures + e.pending >= this.limit.failures) return PENDING_RETRY_MS;
    e.pending++;
    this.remember(key, e);
    return undefined;
  }

  /** Ends an attempt begun with begin(); true when this failure locked the source. */
  end(source: string, ok: boolean): boolean {
    const key = sourceKey(source);
    const now = this.clock.now();
    const e = this.current(key, now) ?? { failures: 0, windowStart: now, pending: 1, lockedUntil: 0 };
    e.pending = Math.max(0, e.pending - 1);
    if (ok) {
      e.failures = 0;
      e.lockedUntil = 0;
    } else {
      if (e.failures === 0) e.windowStart = now;
      e.failures++;
    }
    const locks = e.failures === this.limit.failures && e.lockedUntil === 0;
    if (locks) e.lockedUntil = now + this.limit.lockMs;
    if (e.failures === 0 && e.pending === 0) this.sources.delete(key);
    else this.remember(key, e);
    return locks;
  }

  /** Sources remembered now (for tests of the bound). */
  get size(): number {
    return this.sources.size;
  }

  /** The entry of `key` with a passed lock or window forgotten; undefined when nothing is left of it. */
  private current(key: string, now: number): Entry | undefined {
    const e = this.sources.get(key);
    if (!e) return undefined;
    const lockPassed = e.lockedUntil !== 0 && e.lockedUntil <= now;
    const windowPassed = e.lockedUntil === 0 && now - e.windowStart >= this.limit.windowMs;
    if (lockPassed || windowPassed) {
      e.failures = 0;
      e.lockedUntil = 0;
    }
    if (e.failures === 0 && e.pending === 0) {
      this.sources.delete(key);
      return undefined;
    }
    return e;
  }

  /** Stores `e` as the most recently seen source, evicting the least recently seen beyond the bound. */
  private remember(key: string, e: Entry): void {
    this.sources.delete(key);
    this.sources.set(key, e);
    for (const oldest of this.sources.keys()) {
      if (this.sources.size <= this.maxSources) break;
      this.sources.delete(oldest);
    }
  }
}
