/**
 * The admin password: the rule it must meet, and its hash. scrypt (node:crypto, asynchronous so that the event
 * loop keeps serving) with a random 16-byte salt; the result is a PHC-style string that carries its own cost
 * parameters — `$scrypt$ln=15,r=8,p=1$<salt>$<key>` — so the defaults can be raised later and old hashes still
 * verify (and are re-hashed at the next good login, see needsRehash). Passwords are NFKC-normalised first
 * (NIST SP 800-63B 5.1.1.2), so the same password typed on another keyboard or OS gives the same bytes.
 */
import { randomBytes, scrypt, timingSafeEqual, type ScryptOptions } from 'node:crypto';

/** scrypt's cost: N = 2^log2N, block size r, parallelisation p. */
export interface ScryptParams {
  readonly log2N: number;
  readonly r: number;
  readonly p: number;
}

/**
 * N = 2^15, r = 8, p = 1: 32 MiB and about 0.1–0.2 s per hash on a small home server — the interactive-login
 * figure of RFC 7914's author and Go's x/crypto. OWASP's 2^17 (128 MiB) would make a Raspberry-class hub wait
 * most of a second and hold 128 MiB per login in flight; online guessing is held back by the rate limit anyway.
 */
export const DEFAULT_SCRYPT: ScryptParams = { log2N: 15, r: 8, p: 1 };

/** The password rule, in characters (Unicode code points after normalisation). */
export const PASSWORD_MIN_LENGTH = 10;

const SALT_BYTES = 16;
const KEY_BYTES = 32;
const FORMAT = /^\$scrypt\$ln=(\d{1,2}),r=(\d{1,2}),p=(\d{1,2})\$([A-Za-z0-9+/]+)\$([A-Za-z0-9+/]+)$/;

const normalise = (password: string): string => password.normalize('NFKC');

/** Why `password` may not be set, as a sentence; undefined when it meets the rule. */
export function passwordRuleViolation(password: string): string | undefined {
  return [...normalise(password)].length < PASSWORD_MIN_LENGTH ? `a password needs at least ${PASSWORD_MIN_LENGTH} characters` : undefined;
}

function derive(password: string, salt: Buffer, params: ScryptParams): Promise<Buffer> {
  const N = 2 ** params.log2N;
  // scrypt needs 128·N·r bytes (plus a little); Node refuses more than 32 MiB unless told.
  const options: ScryptOptions = { N, r: params.r, p: params.p, maxmem: 128 * N * params.r + 16 * 1024 * 1024 };
  return new Promise((resolve, reject) => {
    scrypt(normalise(password), salt, KEY_BYTES, options, (err, key) => (err ? reject(err) : resolve(key)));
  });
}

const b64 = (b: Buffer): string => b.toString('base64').replace(/=+$/, '');

export async function hashPassword(password: string, params: ScryptParams = DEFAULT_SCRYPT): Promise<string> {
  const salt = randomBytes(SALT_BYTES);
  const key = await derive(password, salt, params);
  return `$scrypt$ln=${params.log2N},r=${params.r},p=${params.p}$${b64(salt)}$${b64(key)}`;
}

interface ParsedHash {
  readonly params: ScryptParams;
  readonly salt: Buffer;
  readonly key: Buffer;
}

function parse(stored: string | undefined): ParsedHash | undefined {
  const m = stored === undefined ? null : FORMAT.exec(stored);
  if (!m) return undefined;
  const key = Buffer.from(m[5]!, 'base64');
  if (key.length !== KEY_BYTES) return undefined;
  return { params: { log2N: Number(m[1]), r: Number(m[2]), p: Number(m[3]) }, salt: Buffer.from(m[4]!, 'base64'), key };
}

/**
 * True when `password` matches `stored`. With no (or no usable) stored hash it still runs scrypt with `params`
 * and answers false, so "wrong password" and "no password set yet" take the same time.
 */
export async function verifyPassword(password: string, stored: string | undefined, params: ScryptParams = DEFAULT_SCRYPT): Promise<boolean> {
  const parsed = parse(stored);
  if (!parsed) {
    const key = await derive(password, randomBytes(SALT_BYTES), params);
    timingSafeEqual(key, Buffer.alloc(KEY_BYTES));
    return false;
  }
  return timingSafeEqual(await derive(password, parsed.salt, parsed.params), parsed.key);
}

/** True when `stored` was made with other parameters than `params` (raised defaults): hash again at the next good login. */
export function needsRehash(stored: string, params: ScryptParams = DEFAULT_SCRYPT): boolean {
  const p = parse(stored)?.params;
  return !p || p.log2N !== params.log2N || p.r !== params.r || p.p !== params.p;
}
