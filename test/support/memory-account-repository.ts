/** The account service's repository port in memory, for unit tests (the SQLite one is src/store/repositories/accounts.ts). */
import type { AccountRepository, ApiTokenRecord, SessionRecord } from '../../src/accounts/index.js';

export class MemoryAccountRepository implements AccountRepository {
  password: string | undefined;
  setupToken: string | undefined;
  readonly sessions = new Map<string, SessionRecord>();
  readonly tokens = new Map<string, ApiTokenRecord>();
  /** How many last-use writes happened (sessions and tokens), to see the write throttle. */
  touches = 0;

  passwordHash(): string | undefined {
    return this.password;
  }
  setPasswordHash(hash: string | undefined): void {
    this.password = hash;
  }
  setupTokenHash(): string | undefined {
    return this.setupToken;
  }
  setSetupTokenHash(hash: string | undefined): void {
    this.setupToken = hash;
  }

  addSession(session: SessionRecord): void {
    this.sessions.set(session.id, session);
  }
  sessionByTokenHash(tokenHash: string): SessionRecord | undefined {
    return [...this.sessions.values()].find((s) => s.tokenHash === tokenHash);
  }
  touchSession(id: string, lastUsed: number): void {
    const s = this.sessions.get(id);
    if (s) this.sessions.set(id, { ...s, lastUsed });
    this.touches++;
  }
  removeSession(id: string): boolean {
    return this.sessions.delete(id);
  }
  removeOtherSessions(keepId: string | undefined): number {
    return this.removeSessionsWhere((s) => s.id !== keepId);
  }
  removeExpiredSessions(lastUsedBefore: number, createdBefore: number): number {
    return this.removeSessionsWhere((s) => s.lastUsed < lastUsedBefore || s.created < createdBefore);
  }
  private removeSessionsWhere(pred: (s: SessionRecord) => boolean): number {
    const gone = [...this.sessions.values()].filter(pred);
    for (const s of gone) this.sessions.delete(s.id);
    return gone.length;
  }

  addApiToken(token: ApiTokenRecord): void {
    this.tokens.set(token.id, token);
  }
  apiTokenByHash(tokenHash: string): ApiTokenRecord | undefined {
    return [...this.tokens.values()].find((t) => t.tokenHash === tokenHash);
  }
  apiTokens(): ApiTokenRecord[] {
    return [...this.tokens.values()];
  }
  touchApiToken(id: string, lastUsed: number): void {
    const t = this.tokens.get(id);
    if (t) this.tokens.set(id, { ...t, lastUsed });
    this.touches++;
  }
  removeApiToken(id: string): boolean {
    return this.tokens.delete(id);
  }
}
