/**
 * The TelCPName registry of CallManagement:1 (2.3.2.1 PHONE-based Call Monopolization, 2.6.2–2.6.5,
 * Appendix C.1–C.11): which TelCPs are registered under which name, the Secret Key each one proves
 * itself with, and how long each registration lasts.
 *
 * Secret Keys are 128 random bits from the injected random source, handed out exactly once (in the
 * action's response) and kept only as their SHA-256 hash. A fast hash is enough here: a key is a
 * uniformly random 128-bit value, not a password, so there is no dictionary to guess from and a slow
 * KDF (scrypt, argon2) would add nothing but latency. Presented keys are hashed and the hashes are
 * compared with `crypto.timingSafeEqual`.
 *
 * Expiry: a registration lapses `expires` seconds after its last (re-)registration. A timer on the
 * injected Clock removes lapsed names, and every public method first sweeps lapsed names, so the
 * answer never depends on when the timer ran. A name that lapses while it monopolises a Call is held
 * (still registered, its key still valid) until that Call no longer needs it: removing it would let
 * another TelCP register the same name and take over the Call. On construction, names that lapsed
 * while hometel was not running are dropped (no Call survives a restart).
 *
 * Every change of the set of names (a new name, an unregistered, renamed or lapsed one) is reported
 * to the `onChange` listeners with the new list, so the service can event TelCPNameList (2.5.3).
 * A renewal does not change the list and is not reported.
 */
import { createHash, randomBytes as cryptoRandomBytes, timingSafeEqual } from 'node:crypto';
import { HometelError, silentLogger, type Clock, type Logger, type TimerHandle } from '../../base/index.js';
import type { TelCPNameRecord, TelCPNameRepository } from './repositories.js';

/**
 * Why the registry refuses, as CallManagement's error codes (Table 2-54) — and UDA's 501 Action Failed when it is
 * full. The codes are the spec's vocabulary; the Telephony Server answers a refusal as that UPnP error.
 */
export const TelCPErrorCode = {
  InvalidTelCP: 701,
  TelCPNameAlreadyUsed: 702,
  InvalidCallStatus: 712,
  RegistryFull: 501,
} as const;
export type TelCPErrorCode = (typeof TelCPErrorCode)[keyof typeof TelCPErrorCode];

/** A registration, renewal, change or unregistration the registry refuses. */
export class TelCPRefusal extends HometelError {
  readonly code = 'telcp.refused';

  constructor(
    readonly errorCode: TelCPErrorCode,
    readonly detail?: string,
  ) {
    super(`TelCPName refused with ${errorCode}${detail ? ` (${detail})` : ''}`);
    this.name = 'TelCPRefusal';
  }
}

function telcpError(code: TelCPErrorCode): TelCPRefusal {
  return new TelCPRefusal(code);
}

/** Bytes of randomness in a Secret Key (128 bits). */
export const SECRET_KEY_BYTES = 16;
/** Longest accepted TelCPName, in characters (the spec sets no limit; this one keeps lists sane). */
export const MAX_TELCP_NAME_LENGTH = 255;
/** Largest Expires: A_ARG_TYPE_Expires is an i4. */
export const MAX_EXPIRES_SEC = 0x7fffffff;
/** setTimeout's longest delay; a later expiry is reached in several steps. */
const MAX_TIMER_MS = 0x7fffffff;

/**
 * Whether `name` can be a TelCPName. The spec only requires uniqueness (2.6.2.3) and, because names
 * travel as comma-separated lists (TelCPNameList 2.4.3, `<targetNames>` 2.4.2.2), no comma. We also
 * refuse "*" (the `<targetNames>` wildcard), leading/trailing white space (lists are split on ","
 * and trimmed), control characters and unpaired surrogates (not representable in XML), and names
 * longer than MAX_TELCP_NAME_LENGTH.
 */
export function isValidTelCPName(name: string): boolean {
  if (name.length === 0 || name === '*' || name !== name.trim()) return false;
  if (name.includes(',') || /[\p{Cc}\p{Cs}]/u.test(name)) return false;
  return [...name].length <= MAX_TELCP_NAME_LENGTH;
}

export interface TelCPRegistration {
  /** The new Secret Key (NewSecretKey). Never stored; the TelCP must keep it. */
  readonly secretKey: string;
  /** Seconds the registration is valid for (Expires). */
  readonly expires: number;
}

export type TelCPNameListener = (names: readonly string[]) => void;

export interface TelCPRegistryOptions {
  readonly repository: TelCPNameRepository;
  readonly clock: Clock;
  /** Source of the Secret Keys' randomness; crypto.randomBytes by default. */
  readonly randomBytes?: (size: number) => Uint8Array;
  /** Whether `name` monopolises a Call now (712 for unregister/change; holds a lapsed name). */
  readonly isMonopolizing?: (name: string) => boolean;
  /** Expires used when a call does not give one (ChangeTelCPName). Default 1800 s. */
  readonly defaultExpiresSec?: number;
  /** How often a lapsed name held by a monopolised Call is looked at again. Default 10 s. */
  readonly heldRecheckMs?: number;
  readonly logger?: Logger;
  /** Names registered at most; one more new name is refused with 501 (a home has a handful of TelCPs). */
  readonly maxNames?: number;
}

const sha256 = (key: string): Buffer => createHash('sha256').update(key, 'utf8').digest();
const ZERO_HASH = Buffer.alloc(32);

export class TelCPRegistry {
  private readonly repository: TelCPNameRepository;
  private readonly clock: Clock;
  private readonly randomBytes: (size: number) => Uint8Array;
  private readonly isMonopolizing: (name: string) => boolean;
  private readonly defaultExpiresSec: number;
  private readonly heldRecheckMs: number;
  private readonly maxNames: number;
  private readonly logger: Logger;
  /** The registered names in registration order; mirrors the repository. */
  private readonly records = new Map<string, TelCPNameRecord>();
  private readonly listeners = new Set<TelCPNameListener>();
  private timer: { handle: TimerHandle; at: number } | undefined;
  private closed = false;

  constructor(options: TelCPRegistryOptions) {
    this.repository = options.repository;
    this.clock = options.clock;
    this.randomBytes = options.randomBytes ?? ((size) => cryptoRandomBytes(size));
    this.isMonopolizing = options.isMonopolizing ?? (() => false);
    this.defaultExpiresSec = checkExpires(options.defaultExpiresSec ?? 1800);
    this.heldRecheckMs = options.heldRecheckMs ?? 10_000;
    this.maxNames = options.maxNames ?? 256;
    this.logger = options.logger ?? silentLogger;
    const now = this.clock.now();
    for (const record of this.repository.list()) {
      if (record.expiresAt > now) this.records.set(record.name, record);
      else this.repository.remove(record.name);
    }
    this.schedule(now);
  }

  /**
   * RegisterTelCPName (2.6.2). A name nobody holds is registered with a new key, whatever
   * `currentSecretKey` says. A held name is renewed (new key, new expiry) when `currentSecretKey`
   * is its key (C.3); with "" it is someone else's first registration: 702 (C.2); with another
   * key: 701 (C.4). An invalid name: 701.
   */
  register(name: string, currentSecretKey: string, expiresSec: number = this.defaultExpiresSec): TelCPRegistration {
    checkExpires(expiresSec);
    this.sweep();
    if (!isValidTelCPName(name)) throw telcpError(TelCPErrorCode.InvalidTelCP);
    const existing = this.records.get(name);
    if (existing) {
      if (currentSecretKey === '') throw telcpError(TelCPErrorCode.TelCPNameAlreadyUsed);
      if (!keyMatches(existing, currentSecretKey)) throw telcpError(TelCPErrorCode.InvalidTelCP);
    } else if (this.records.size >= this.maxNames) {
      this.logger.warn('TelCPName refused: registry full', { name, max: this.maxNames });
      throw new TelCPRefusal(TelCPErrorCode.RegistryFull, 'too many TelCPNames registered');
    }
    const { secretKey, record } = this.issue(name, expiresSec);
    this.repository.save(record);
    this.records.set(name, record);
    this.schedule(this.clock.now());
    if (!existing) this.notify();
    return { secretKey, expires: expiresSec };
  }

  /** UnregisterTelCPName (2.6.3): 701 unless `secretKey` is `name`'s key (C.9); 712 while it monopolises a Call. */
  unregister(name: string, secretKey: string): void {
    this.sweep();
    this.authenticate(name, secretKey);
    if (this.isMonopolizing(name)) throw telcpError(TelCPErrorCode.InvalidCallStatus);
    this.repository.remove(name);
    this.records.delete(name);
    this.schedule(this.clock.now());
    this.notify();
  }

  /**
   * ChangeTelCPName (2.6.4): 701 unless `secretKey` is `name`'s key (C.6) or when `newName` is not a
   * valid name; 702 when `newName` is registered by another TelCP (C.7); 712 while `name`
   * monopolises a Call. Returns a new key and a new expiry for `newName` (C.5). Changing a name to
   * itself renews it.
   */
  change(name: string, secretKey: string, newName: string, expiresSec: number = this.defaultExpiresSec): TelCPRegistration {
    checkExpires(expiresSec);
    this.sweep();
    this.authenticate(name, secretKey);
    if (!isValidTelCPName(newName)) throw telcpError(TelCPErrorCode.InvalidTelCP);
    if (newName !== name && this.records.has(newName)) throw telcpError(TelCPErrorCode.TelCPNameAlreadyUsed);
    if (this.isMonopolizing(name)) throw telcpError(TelCPErrorCode.InvalidCallStatus);
    const { secretKey: newKey, record } = this.issue(newName, expiresSec);
    if (newName === name) {
      this.repository.save(record);
      this.records.set(name, record);
    } else {
      this.repository.rename(name, record);
      this.records.delete(name);
      this.records.set(newName, record);
    }
    this.schedule(this.clock.now());
    if (newName !== name) this.notify();
    return { secretKey: newKey, expires: expiresSec };
  }

  /** GetTelCPNameList (2.6.5): the registered names, in registration order. */
  list(): string[] {
    this.sweep();
    return [...this.records.keys()];
  }

  isRegistered(name: string): boolean {
    this.sweep();
    return this.records.has(name);
  }

  /** Whether `secretKey` is the current key of the registered `name` (constant-time comparison). */
  verify(name: string, secretKey: string): boolean {
    this.sweep();
    const record = this.records.get(name);
    if (!record) {
      timingSafeEqual(sha256(secretKey), ZERO_HASH); // same work whether or not the name exists
      return false;
    }
    return keyMatches(record, secretKey);
  }

  /** Adds a listener for changes of the name list; returns a function that removes it. */
  onChange(listener: TelCPNameListener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** Stops the expiry timer. */
  close(): void {
    this.closed = true;
    this.timer?.handle.cancel();
    this.timer = undefined;
    this.listeners.clear();
  }

  private authenticate(name: string, secretKey: string): void {
    if (!this.verify(name, secretKey)) throw telcpError(TelCPErrorCode.InvalidTelCP);
  }

  private issue(name: string, expiresSec: number): { secretKey: string; record: TelCPNameRecord } {
    const bytes = this.randomBytes(SECRET_KEY_BYTES);
    if (bytes.length < SECRET_KEY_BYTES) throw new Error('random source returned too few bytes');
    const secretKey = Buffer.from(bytes).toString('base64url');
    const record: TelCPNameRecord = {
      name,
      secretKeyHash: sha256(secretKey).toString('hex'),
      expiresAt: this.clock.now() + expiresSec * 1000,
    };
    return { secretKey, record };
  }

  /** Removes lapsed names that no Call needs, reports the change, and re-arms the timer. */
  private sweep(): void {
    const now = this.clock.now();
    let removed = false;
    for (const record of this.records.values()) {
      if (record.expiresAt > now || this.isMonopolizing(record.name)) continue;
      this.repository.remove(record.name);
      this.records.delete(record.name);
      removed = true;
    }
    this.schedule(now);
    if (removed) this.notify();
  }

  /** Arms the timer for the next expiry (or the next look at a held name), if it is not already. */
  private schedule(now: number): void {
    if (this.closed) return;
    let next = Infinity;
    for (const record of this.records.values()) {
      next = Math.min(next, record.expiresAt > now ? record.expiresAt : now + this.heldRecheckMs);
    }
    if (this.timer && this.timer.at === next) return;
    this.timer?.handle.cancel();
    this.timer = undefined;
    if (next === Infinity) return;
    const handle = this.clock.setTimer(Math.min(Math.max(next - now, 0), MAX_TIMER_MS), () => {
      this.timer = undefined;
      try {
        this.sweep();
      } catch (err) {
        this.logger.error('TelCPName expiry failed', { error: String(err) });
        this.schedule(this.clock.now());
      }
    });
    this.timer = { handle, at: next };
  }

  private notify(): void {
    const names: readonly string[] = Object.freeze([...this.records.keys()]);
    for (const listener of [...this.listeners]) {
      try {
        listener(names);
      } catch (err) {
        this.logger.error('TelCPNameList listener failed', { error: String(err) });
      }
    }
  }
}

function keyMatches(record: TelCPNameRecord, secretKey: string): boolean {
  const stored = Buffer.from(record.secretKeyHash, 'hex');
  const presented = sha256(secretKey);
  if (stored.length !== presented.length) return false;
  return timingSafeEqual(presented, stored);
}

function checkExpires(expiresSec: number): number {
  if (!Number.isInteger(expiresSec) || expiresSec <= 0 || expiresSec > MAX_EXPIRES_SEC) {
    throw new RangeError(`Expires must be an integer in 1..${MAX_EXPIRES_SEC}, got ${expiresSec}`);
  }
  return expiresSec;
}
