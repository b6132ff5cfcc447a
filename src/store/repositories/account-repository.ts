/**
 * AccountRepository on the store's SQLite database (tables `account_secret`, `account_session`, `api_token`).
 * Each method is one statement; with WAL + synchronous=FULL it is on disk when the method returns.
 */
import type Database from 'better-sqlite3';
import type { AccountRepository, ApiTokenRecord, SessionRecord } from '../../accounts/index.js';
import type { Store } from '../store.js';

type SecretName = 'admin_password' | 'setup_token';

interface SessionRow {
  id: string;
  token_hash: string;
  created: number;
  last_used: number;
}

interface TokenRow {
  id: string;
  label: string;
  token_hash: string;
  created: number;
  last_used: number | null;
}

const toSession = (r: SessionRow): SessionRecord => ({ id: r.id, tokenHash: r.token_hash, created: r.created, lastUsed: r.last_used });

const toToken = (r: TokenRow): ApiTokenRecord => ({
  id: r.id,
  label: r.label,
  tokenHash: r.token_hash,
  created: r.created,
  ...(r.last_used !== null ? { lastUsed: r.last_used } : {}),
});

export class SqliteAccountRepository implements AccountRepository {
  private readonly secret: Database.Statement<[SecretName], { hash: string }>;
  private readonly putSecret: Database.Statement<[SecretName, string]>;
  private readonly deleteSecret: Database.Statement<[SecretName]>;
  private readonly insertSession: Database.Statement<[string, string, number, number]>;
  private readonly sessionByHash: Database.Statement<[string], SessionRow>;
  private readonly updateSession: Database.Statement<[number, string]>;
  private readonly deleteSession: Database.Statement<[string]>;
  private readonly deleteOtherSessions: Database.Statement<[string | null]>;
  private readonly deleteExpiredSessions: Database.Statement<[number, number]>;
  private readonly insertToken: Database.Statement<[string, string, string, number, number | null]>;
  private readonly tokenByHash: Database.Statement<[string], TokenRow>;
  private readonly allTokens: Database.Statement<[], TokenRow>;
  private readonly updateToken: Database.Statement<[number, string]>;
  private readonly deleteToken: Database.Statement<[string]>;

  constructor(store: Store) {
    const db = store.database;
    this.secret = db.prepare('SELECT hash FROM account_secret WHERE name = ?');
    this.putSecret = db.prepare('INSERT INTO account_secret (name, hash) VALUES (?, ?) ON CONFLICT(name) DO UPDATE SET hash = excluded.hash');
    this.deleteSecret = db.prepare('DELETE FROM account_secret WHERE name = ?');
    const sessionColumns = 'id, token_hash, created, last_used';
    this.insertSession = db.prepare(`INSERT INTO account_session (${sessionColumns}) VALUES (?, ?, ?, ?)`);
    this.sessionByHash = db.prepare(`SELECT ${sessionColumns} FROM account_session WHERE token_hash = ?`);
    this.updateSession = db.prepare('UPDATE account_session SET last_used = ? WHERE id = ?');
    this.deleteSession = db.prepare('DELETE FROM account_session WHERE id = ?');
    this.deleteOtherSessions = db.prepare<[string | null]>('DELETE FROM account_session WHERE id IS NOT ?');
    this.deleteExpiredSessions = db.prepare('DELETE FROM account_session WHERE last_used < ? OR created < ?');
    const tokenColumns = 'id, label, token_hash, created, last_used';
    this.insertToken = db.prepare(`INSERT INTO api_token (${tokenColumns}) VALUES (?, ?, ?, ?, ?)`);
    this.tokenByHash = db.prepare(`SELECT ${tokenColumns} FROM api_token WHERE token_hash = ?`);
    this.allTokens = db.prepare(`SELECT ${tokenColumns} FROM api_token ORDER BY seq`);
    this.updateToken = db.prepare('UPDATE api_token SET last_used = ? WHERE id = ?');
    this.deleteToken = db.prepare('DELETE FROM api_token WHERE id = ?');
  }

  passwordHash(): string | undefined {
    return this.secret.get('admin_password')?.hash;
  }

  setPasswordHash(hash: string | undefined): void {
    if (hash === undefined) this.deleteSecret.run('admin_password');
    else this.putSecret.run('admin_password', hash);
  }

  setupTokenHash(): string | undefined {
    return this.secret.get('setup_token')?.hash;
  }

  setSetupTokenHash(hash: string | undefined): void {
    if (hash === undefined) this.deleteSecret.run('setup_token');
    else this.putSecret.run('setup_token', hash);
  }

  addSession(s: SessionRecord): void {
    this.insertSession.run(s.id, s.tokenHash, s.created, s.lastUsed);
  }

  sessionByTokenHash(tokenHash: string): SessionRecord | undefined {
    const row = this.sessionByHash.get(tokenHash);
    return row && toSession(row);
  }

  touchSession(id: string, lastUsed: number): void {
    this.updateSession.run(lastUsed, id);
  }

  removeSession(id: string): boolean {
    return this.deleteSession.run(id).changes > 0;
  }

  removeOtherSessions(keepId: string | undefined): number {
    return this.deleteOtherSessions.run(keepId ?? null).changes;
  }

  removeExpiredSessions(lastUsedBefore: number, createdBefore: number): number {
    return this.deleteExpiredSessions.run(lastUsedBefore, createdBefore).changes;
  }

  addApiToken(t: ApiTokenRecord): void {
    this.insertToken.run(t.id, t.label, t.tokenHash, t.created, t.lastUsed ?? null);
  }

  apiTokenByHash(tokenHash: string): ApiTokenRecord | undefined {
    const row = this.tokenByHash.get(tokenHash);
    return row && toToken(row);
  }

  apiTokens(): ApiTokenRecord[] {
    return this.allTokens.all().map(toToken);
  }

  touchApiToken(id: string, lastUsed: number): void {
    this.updateToken.run(lastUsed, id);
  }

  removeApiToken(id: string): boolean {
    return this.deleteToken.run(id).changes > 0;
  }
}
