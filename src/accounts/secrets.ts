/**
 * Session cookies, API tokens and the setup token: 32 random bytes (256 bits), base64url, handed out once and
 * stored only as their SHA-256. A fast hash is right here: the secrets are uniformly random, not chosen by
 * people, so there is no dictionary to try and a slow KDF would only add latency to every request. Because the
 * hash is what is stored, a stolen database holds nothing that logs in. Lookups go by hash; an index lookup on
 * SHA-256 values leaks nothing usable, as an attacker cannot steer a hash's bytes.
 */
import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';

const SECRET_BYTES = 32;
const PUBLIC_ID_BYTES = 9;

/** API tokens start with this, so that a leaked one is easy to spot (secret scanners, logs, pastes). */
export const API_TOKEN_PREFIX = 'htk_';

export const newSecret = (): string => randomBytes(SECRET_BYTES).toString('base64url');

/** A short random name for a session or an API token, shown in the UI and logs; it proves nothing. */
export const newPublicId = (): string => randomBytes(PUBLIC_ID_BYTES).toString('base64url');

/** Lower-case hex SHA-256 of a secret, as stored. */
export const hashSecret = (secret: string): string => createHash('sha256').update(secret, 'utf8').digest('hex');

/** Constant-time comparison of two stored-format hashes. */
export function sameHash(a: string, b: string): boolean {
  const x = Buffer.from(a, 'hex');
  const y = Buffer.from(b, 'hex');
  return x.length === y.length && timingSafeEqual(x, y);
}
