/**
 * The persistence port of the account service: the admin password hash, the pending setup token's hash, the
 * sessions and the API tokens. Plain data, synchronous (the store is embedded); a method that returns has made
 * its change durable. No secret is ever passed in: only hashes (see credentials.ts). The SQLite implementation
 * is in src/store/repositories/.
 */

/** A logged-in browser session. The cookie value itself is never stored. */
export interface SessionRecord {
  /** Public and random: names the session in logs and in the API, proves nothing. */
  readonly id: string;
  /** Lower-case hex SHA-256 of the cookie value. */
  readonly tokenHash: string;
  /** When it was created and last used, in ms since the epoch (the Clock's scale). */
  readonly created: number;
  readonly lastUsed: number;
}

/** An API token for automation. The token itself is shown once and never stored. */
export interface ApiTokenRecord {
  /** Public and random: names the token in the UI, in logs and in revoke. */
  readonly id: string;
  readonly label: string;
  /** Lower-case hex SHA-256 of the token. */
  readonly tokenHash: string;
  readonly created: number;
  readonly lastUsed?: number;
}

export interface AccountRepository {
  /** The admin password in the password-hash format (`$scrypt$…`), or undefined before setup. */
  passwordHash(): string | undefined;
  /** undefined removes the password (a reset: setup is needed again). */
  setPasswordHash(hash: string | undefined): void;
  /** The hash of the one pending setup token, if any. */
  setupTokenHash(): string | undefined;
  /** Replaces the pending setup token's hash; undefined removes it. */
  setSetupTokenHash(hash: string | undefined): void;

  addSession(session: SessionRecord): void;
  sessionByTokenHash(tokenHash: string): SessionRecord | undefined;
  touchSession(id: string, lastUsed: number): void;
  /** False when there was no such session. */
  removeSession(id: string): boolean;
  /** Removes every session but `keepId` (every session when undefined); how many went. */
  removeOtherSessions(keepId: string | undefined): number;
  /** Removes the sessions last used before `lastUsedBefore` or created before `createdBefore`; how many went. */
  removeExpiredSessions(lastUsedBefore: number, createdBefore: number): number;

  addApiToken(token: ApiTokenRecord): void;
  apiTokenByHash(tokenHash: string): ApiTokenRecord | undefined;
  /** Every API token, oldest first. */
  apiTokens(): ApiTokenRecord[];
  touchApiToken(id: string, lastUsed: number): void;
  /** False when there was no such token. */
  removeApiToken(id: string): boolean;
}
