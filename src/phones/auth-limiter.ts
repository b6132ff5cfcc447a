/**
 * What keeps password guessing and floods off the registrar (issue 14, Protection): failed authentications
 * counted per source address and per extension, and then refused (403) for a while; and a request budget per
 * source address so that one flooding address is answered cheaply without slowing the others down.
 * Both keep a bounded number of entries: beyond it the oldest entry is forgotten.
 */
import type { Clock } from '../base/index.js';

export interface AuthLimits {
  /** Failures from one address within `windowMs` that block the address. */
  readonly sourceFailures: number;
  /**
   * Failures for one extension (from any addresses) within `windowMs` that block the extension — for addresses
   * other than those its devices are registered from, so that a guesser cannot lock a registered phone out.
   */
  readonly extensionFailures: number;
  readonly windowMs: number;
  /** How long a block lasts. */
  readonly blockMs: number;
  /** Addresses and extensions tracked at most. */
  readonly maxTracked: number;
}

export const defaultAuthLimits: AuthLimits = { sourceFailures: 5, extensionFailures: 20, windowMs: 60_000, blockMs: 300_000, maxTracked: 10_000 };

interface FailureRecord {
  /** Times of the recent failures (at most the threshold's count). */
  times: number[];
  blockedUntil: number;
}

/** Remembers recent failures of one kind of key and blocks keys that had too many. */
class FailureCounter {
  private readonly records = new Map<string, FailureRecord>();

  constructor(
    private readonly threshold: number,
    private readonly limits: AuthLimits,
  ) {}

  blocked(key: string, now: number): boolean {
    const r = this.records.get(key);
    return r !== undefined && r.blockedUntil > now;
  }

  /** Counts a failure; true when it starts a block. */
  fail(key: string, now: number): boolean {
    let r = this.records.get(key);
    if (r) this.records.delete(key); // re-inserted below: the Map's order is least recently failed first
    else r = { times: [], blockedUntil: 0 };
    this.records.set(key, r);
    if (this.records.size > this.limits.maxTracked) this.records.delete(this.records.keys().next().value!);
    r.times = [...r.times.filter((t) => t > now - this.limits.windowMs), now].slice(-this.threshold);
    if (r.blockedUntil <= now && r.times.length >= this.threshold) {
      r.blockedUntil = now + this.limits.blockMs;
      r.times = [];
      return true;
    }
    return false;
  }
}

export type AuthBlock = 'source' | 'extension';

export class AuthLimiter {
  private readonly sources: FailureCounter;
  private readonly extensions: FailureCounter;

  constructor(
    private readonly clock: Clock,
    readonly limits: AuthLimits = defaultAuthLimits,
  ) {
    this.sources = new FailureCounter(limits.sourceFailures, limits);
    this.extensions = new FailureCounter(limits.extensionFailures, limits);
  }

  /**
   * Whether a request from `source` for `extension` is refused now; `trusted` says that the address is one of the
   * extension's registered devices' (an extension's block does not apply to it).
   */
  blocked(source: string, extension?: string, trusted = false): AuthBlock | undefined {
    const now = this.clock.now();
    if (this.sources.blocked(source, now)) return 'source';
    if (extension !== undefined && !trusted && this.extensions.blocked(extension, now)) return 'extension';
    return undefined;
  }

  /** Counts a failed authentication; returns what it blocked (for the log), if anything. */
  failed(source: string, extension?: string): AuthBlock[] {
    const now = this.clock.now();
    const started: AuthBlock[] = [];
    if (this.sources.fail(source, now)) started.push('source');
    if (extension !== undefined && this.extensions.fail(extension, now)) started.push('extension');
    return started;
  }
}

export interface RequestBudget {
  /** Requests per second one address may send on average. */
  readonly perSecond: number;
  /** Requests it may send at once (a phone starting: REGISTER, SUBSCRIBEs for its keys, their retries). */
  readonly burst: number;
  readonly maxTracked: number;
}

export const defaultRequestBudget: RequestBudget = { perSecond: 20, burst: 60, maxTracked: 10_000 };

interface Bucket {
  tokens: number;
  at: number;
  /** Requests refused in the current run of refusals. */
  refused: number;
}

/** A token bucket per source address (constant work per request, no timers). */
export class RequestRateLimiter {
  private readonly buckets = new Map<string, Bucket>();

  constructor(
    private readonly clock: Clock,
    readonly budget: RequestBudget = defaultRequestBudget,
  ) {}

  /**
   * Takes one request of `source`'s budget: `{ ok: true }`, or how long until it has one again and how many were
   * refused in a row (1 for the first refusal of a run: the caller logs that one).
   */
  take(source: string): { readonly ok: true } | { readonly ok: false; readonly retryAfterMs: number; readonly refused: number } {
    const now = this.clock.now();
    let b = this.buckets.get(source);
    if (!b) {
      b = { tokens: this.budget.burst, at: now, refused: 0 };
      this.buckets.set(source, b);
      // The oldest source is forgotten (a fresh bucket for it later is a small gift, O(1) is what matters here).
      if (this.buckets.size > this.budget.maxTracked) this.buckets.delete(this.buckets.keys().next().value!);
    }
    b.tokens = Math.min(this.budget.burst, b.tokens + ((now - b.at) / 1000) * this.budget.perSecond);
    b.at = now;
    if (b.tokens >= 1) {
      b.tokens -= 1;
      b.refused = 0;
      return { ok: true };
    }
    b.refused += 1;
    return { ok: false, retryAfterMs: Math.ceil(((1 - b.tokens) / this.budget.perSecond) * 1000), refused: b.refused };
  }
}
