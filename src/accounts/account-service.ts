/**
 * Who may use hometel's web UI and HTTP API (issue 11, Security): one admin password, set once through a
 * one-time setup token printed at the first start; browser sessions; API tokens for automation.
 *
 * Sessions end after `sessionIdleMs` without use (sliding) and `sessionMaxMs` after login (absolute), whichever
 * comes first. Using one refreshes its last use, written at most every `touchEveryMs` so that a busy page does not
 * write SQLite on every request (a session may so end up to that much early — a minute of twelve hours).
 * API tokens do not expire; they are revoked.
 *
 * Secrets (passwords, tokens, their hashes) are never logged: log lines name the source address and the public
 * id (and label) of a session or token.
 */
import type { Clock, Logger } from '../base/index.js';
import { AccountError } from './errors.js';
import { DEFAULT_LOGIN_LIMIT, LoginLimiter, type LoginLimit } from './login-limiter.js';
import { DEFAULT_SCRYPT, hashPassword, needsRehash, passwordRuleViolation, verifyPassword, type ScryptParams } from './password-hash.js';
import type { AccountRepository, ApiTokenRecord } from './repository.js';
import { API_TOKEN_PREFIX, hashSecret, newPublicId, newSecret, sameHash } from './secrets.js';

export interface AccountServiceOptions {
  repository: AccountRepository;
  clock: Clock;
  logger: Logger;
  /** A session unused this long has ended. Default 12 h. */
  sessionIdleMs?: number;
  /** A session this old has ended, used or not. Default 30 days. */
  sessionMaxMs?: number;
  /** Failed logins per source address. Default 5 failures in 15 min lock the source for 15 min. */
  loginLimit?: LoginLimit;
  /** scrypt's cost for new password hashes. Default N = 2^15, r = 8, p = 1 (tests lower it to run fast). */
  scrypt?: ScryptParams;
}

/** A session just created: the cookie value (shown once) and when the session ends at the latest. */
export interface NewSession {
  token: string;
  /** The absolute end (login + sessionMaxMs), e.g. the cookie's Expires; it ends earlier when left idle. */
  expires: number;
}

/** Who a request is: a browser session or an API token, by its public id. */
export interface Principal {
  kind: 'session' | 'token';
  id: string;
  /** An API token's label. */
  label?: string;
}

export interface ApiTokenInfo {
  id: string;
  label: string;
  created: number;
  lastUsed?: number;
}

export interface NewApiToken {
  id: string;
  label: string;
  /** The token itself: shown once, never again. */
  token: string;
  created: number;
}

export const DEFAULT_SESSION_IDLE_MS = 12 * 60 * 60_000;
export const DEFAULT_SESSION_MAX_MS = 30 * 24 * 60 * 60_000;
/** Longest API token label, in characters. */
export const MAX_LABEL_LENGTH = 100;
/** changePassword's failures count under this one source: only a logged-in principal reaches it. */
const PASSWORD_CHANGE_SOURCE = 'password-change';

const toInfo = (t: ApiTokenRecord): ApiTokenInfo => ({
  id: t.id,
  label: t.label,
  created: t.created,
  ...(t.lastUsed !== undefined ? { lastUsed: t.lastUsed } : {}),
});

export class AccountService {
  private readonly repository: AccountRepository;
  private readonly clock: Clock;
  private readonly logger: Logger;
  private readonly idleMs: number;
  private readonly maxMs: number;
  /** Last-use writes at most this often per session or token. */
  private readonly touchEveryMs: number;
  private readonly scrypt: ScryptParams;
  private readonly limiter: LoginLimiter;

  constructor(o: AccountServiceOptions) {
    this.repository = o.repository;
    this.clock = o.clock;
    this.logger = o.logger;
    this.idleMs = o.sessionIdleMs ?? DEFAULT_SESSION_IDLE_MS;
    this.maxMs = o.sessionMaxMs ?? DEFAULT_SESSION_MAX_MS;
    this.touchEveryMs = Math.min(60_000, this.idleMs / 10);
    this.scrypt = o.scrypt ?? DEFAULT_SCRYPT;
    this.limiter = new LoginLimiter(o.loginLimit ?? DEFAULT_LOGIN_LIMIT, o.clock);
    this.pruneSessions();
  }

  /** True until the admin password is set. */
  setupNeeded(): boolean {
    return this.repository.passwordHash() === undefined;
  }

  /** A new one-time setup token (replacing an unused earlier one), or undefined once the admin password is set. */
  issueSetupToken(): string | undefined {
    if (!this.setupNeeded()) return undefined;
    const token = newSecret();
    this.repository.setSetupTokenHash(hashSecret(token));
    this.logger.info('setup token issued');
    return token;
  }

  /**
   * Forgets the admin password and ends every session (API tokens stay): setup is needed again, with the new
   * one-time setup token returned. For whoever can reach the store (`hometel web reset-password`), not the API.
   */
  resetPassword(): string {
    this.repository.setPasswordHash(undefined);
    const ended = this.repository.removeOtherSessions(undefined);
    this.logger.warn('admin password reset: setup needed again', { sessionsEnded: ended });
    return this.issueSetupToken()!;
  }

  /** Sets the admin password with the setup token; the token works once. Logs the admin in. */
  async completeSetup(token: string, password: string): Promise<NewSession> {
    if (!this.setupNeeded()) throw new AccountError('setup-done', 'setup is done: the admin password is set');
    const stored = this.repository.setupTokenHash();
    if (stored === undefined || !sameHash(hashSecret(token), stored)) {
      this.logger.warn('setup refused', { reason: 'unknown or used token' });
      throw new AccountError('setup-invalid', 'the setup link is unknown or was used already');
    }
    this.checkRule(password);
    // Used up before the (asynchronous) hashing, so that a second request with the same token is refused.
    this.repository.setSetupTokenHash(undefined);
    this.repository.setPasswordHash(await hashPassword(password, this.scrypt));
    const { id, session } = this.startSession();
    this.logger.info('setup done: admin password set', { session: id });
    return session;
  }

  /** Logs in from `source` (the client's address). */
  async login(source: string, password: string): Promise<NewSession> {
    const stored = await this.checkPassword(source, password);
    if (stored === undefined) {
      this.logger.warn('login refused', { source, reason: 'wrong password' });
      throw wrongPassword();
    }
    await this.rehashIfOld(stored, password);
    this.pruneSessions();
    const { id, session } = this.startSession();
    this.logger.info('login ok', { source, session: id });
    return session;
  }

  /**
   * Who presents `c`: an API token (Bearer) when one is given — a wrong token is not rescued by a cookie — else
   * a session cookie value. Undefined when neither is valid.
   */
  authenticate(c: { session?: string; token?: string }): Principal | undefined {
    if (c.token !== undefined) return this.authenticateToken(c.token);
    if (c.session !== undefined) return this.authenticateSession(c.session);
    return undefined;
  }

  /** Ends the session with this cookie value (nothing happens for an unknown one). */
  logout(session: string): void {
    const record = this.repository.sessionByTokenHash(hashSecret(session));
    if (record && this.repository.removeSession(record.id)) this.logger.info('logout', { session: record.id });
  }

  /** A new API token; the token itself is in the answer and nowhere else. */
  createApiToken(label: string): NewApiToken {
    const clean = label.trim();
    // eslint-disable-next-line no-control-regex
    if (clean === '' || [...clean].length > MAX_LABEL_LENGTH || /[\u0000-\u001f\u007f]/.test(clean)) {
      throw new AccountError('label-invalid', `a token label needs 1 to ${MAX_LABEL_LENGTH} characters and no control characters`);
    }
    const token = API_TOKEN_PREFIX + newSecret();
    const record: ApiTokenRecord = { id: newPublicId(), label: clean, tokenHash: hashSecret(token), created: this.clock.now() };
    this.repository.addApiToken(record);
    this.logger.info('API token created', { token: record.id, label: record.label });
    return { id: record.id, label: record.label, token, created: record.created };
  }

  /** Every API token, oldest first, without the tokens themselves. */
  listApiTokens(): ApiTokenInfo[] {
    return this.repository.apiTokens().map(toInfo);
  }

  /** Revokes an API token by id; false when there is none. */
  revokeApiToken(id: string): boolean {
    const removed = this.repository.removeApiToken(id);
    if (removed) this.logger.info('API token revoked', { token: id });
    return removed;
  }

  /**
   * Changes the admin password and ends every session but `keepSession` (the cookie value of the session that
   * asks; every session when absent). API tokens stay: they are revoked one by one.
   */
  async changePassword(current: string, next: string, keepSession?: string): Promise<void> {
    this.checkRule(next);
    if ((await this.checkPassword(PASSWORD_CHANGE_SOURCE, current)) === undefined) {
      this.logger.warn('password change refused', { reason: 'wrong password' });
      throw wrongPassword();
    }
    this.repository.setPasswordHash(await hashPassword(next, this.scrypt));
    const keep = keepSession === undefined ? undefined : this.repository.sessionByTokenHash(hashSecret(keepSession))?.id;
    const ended = this.repository.removeOtherSessions(keep);
    this.logger.info('password changed', { sessionsEnded: ended });
  }

  /**
   * Checks `password` against the admin password under the rate limit of `source`: the stored hash when it
   * matches, else undefined. Always runs scrypt, also before setup, so every wrong answer takes the same time.
   */
  private async checkPassword(source: string, password: string): Promise<string | undefined> {
    const retryAfterMs = this.limiter.begin(source);
    if (retryAfterMs !== undefined) {
      this.logger.debug('attempt refused: rate limited', { source, retryAfterMs });
      throw new AccountError('rate-limited', `too many failed attempts: try again in ${Math.ceil(retryAfterMs / 1000)} s`, retryAfterMs);
    }
    const stored = this.repository.passwordHash();
    let ok = false;
    try {
      ok = await verifyPassword(password, stored, this.scrypt);
    } finally {
      if (this.limiter.end(source, ok)) this.logger.warn('source locked after failed attempts', { source });
    }
    return ok ? stored : undefined;
  }

  private checkRule(password: string): void {
    const violation = passwordRuleViolation(password);
    if (violation) throw new AccountError('weak-password', violation);
  }

  /** Hashes the password again when its stored hash used other (older) scrypt parameters. */
  private async rehashIfOld(stored: string, password: string): Promise<void> {
    if (!needsRehash(stored, this.scrypt)) return;
    const hash = await hashPassword(password, this.scrypt);
    // Only if the password did not change meanwhile.
    if (this.repository.passwordHash() === stored) this.repository.setPasswordHash(hash);
    this.logger.info('password hash upgraded to current scrypt parameters');
  }

  private startSession(): { id: string; session: NewSession } {
    const token = newSecret();
    const now = this.clock.now();
    const id = newPublicId();
    this.repository.addSession({ id, tokenHash: hashSecret(token), created: now, lastUsed: now });
    return { id, session: { token, expires: now + this.maxMs } };
  }

  private authenticateSession(cookie: string): Principal | undefined {
    const record = this.repository.sessionByTokenHash(hashSecret(cookie));
    if (!record) return undefined;
    const now = this.clock.now();
    if (now - record.lastUsed >= this.idleMs || now - record.created >= this.maxMs) {
      this.repository.removeSession(record.id);
      this.logger.info('session expired', { session: record.id });
      return undefined;
    }
    if (now - record.lastUsed >= this.touchEveryMs) this.repository.touchSession(record.id, now);
    return { kind: 'session', id: record.id };
  }

  private authenticateToken(token: string): Principal | undefined {
    if (!token.startsWith(API_TOKEN_PREFIX)) return undefined;
    const record = this.repository.apiTokenByHash(hashSecret(token));
    if (!record) return undefined;
    const now = this.clock.now();
    if (record.lastUsed === undefined || now - record.lastUsed >= this.touchEveryMs) this.repository.touchApiToken(record.id, now);
    return { kind: 'token', id: record.id, label: record.label };
  }

  /** Drops sessions that ended while nobody looked (at start and at each login, so the table stays small). */
  private pruneSessions(): void {
    const now = this.clock.now();
    // + 1: a session idle for exactly idleMs (or maxMs old) has ended, as in authenticateSession.
    const removed = this.repository.removeExpiredSessions(now - this.idleMs + 1, now - this.maxMs + 1);
    if (removed > 0) this.logger.debug('expired sessions removed', { count: removed });
  }
}

const wrongPassword = (): AccountError => new AccountError('wrong-password', 'wrong password');
