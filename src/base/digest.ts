/**
 * HTTP Digest authentication (RFC 7616; as SIP uses it, RFC 3261 22.4 on RFC 2617), with RFC 7616's algorithms
 * MD5, MD5-sess, SHA-256 and SHA-256-sess (RFC 8760 brings them to SIP). Client side: parse a
 * WWW-Authenticate/Proxy-Authenticate challenge, compute the Authorization/Proxy-Authorization value.
 * Server side: write a challenge, parse and verify credentials in constant time. qop=auth, qop=auth-int
 * and the RFC 2069 form without qop are supported. Parsers return undefined on bad input, never throw.
 */
import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import { Scanner, isTokenChar, quote, readQuoted } from './header-grammar.js';

export type DigestAlgorithm = 'MD5' | 'MD5-sess' | 'SHA-256' | 'SHA-256-sess';

const algorithms: ReadonlyMap<string, { name: DigestAlgorithm; hash: 'md5' | 'sha256'; sess: boolean }> = new Map([
  ['md5', { name: 'MD5', hash: 'md5', sess: false }],
  ['md5-sess', { name: 'MD5-sess', hash: 'md5', sess: true }],
  ['sha-256', { name: 'SHA-256', hash: 'sha256', sess: false }],
  ['sha-256-sess', { name: 'SHA-256-sess', hash: 'sha256', sess: true }],
]);

/** The algorithm named in a challenge or credentials (case-insensitive; absent means MD5), if we support it. */
export function digestAlgorithm(name: string | undefined): DigestAlgorithm | undefined {
  return algorithms.get((name ?? 'MD5').toLowerCase())?.name;
}

export interface DigestChallenge {
  readonly realm: string;
  readonly nonce: string;
  readonly opaque?: string;
  /** As the server wrote it; MD5 when absent. May be one we do not support (see `digestAlgorithm`). */
  readonly algorithm: string;
  /** Offered qop values, lower-cased; empty for an RFC 2069 challenge. */
  readonly qop: readonly string[];
  readonly stale: boolean;
  readonly domain?: string;
  /** Every auth-param, names lower-cased, values unquoted. */
  readonly params: ReadonlyMap<string, string>;
}

/** `scheme 1*SP auth-param *(COMMA auth-param)`; returns the scheme and the params (unquoted) or undefined. */
function parseAuthParams(value: string): { scheme: string; params: Map<string, string> } | undefined {
  if (typeof value !== 'string') return undefined;
  const sc = new Scanner(value);
  sc.skipWs();
  const scheme = sc.readWhile(isTokenChar);
  if (!scheme || sc.skipWs() === 0) return undefined;
  const params = new Map<string, string>();
  for (;;) {
    sc.skipWs();
    const name = sc.readWhile(isTokenChar).toLowerCase();
    if (!name) return undefined;
    sc.skipWs();
    if (!sc.eat('=')) return undefined;
    sc.skipWs();
    let v: string;
    if (sc.peek() === '"') {
      const q = readQuoted(sc.s, sc.pos);
      if (!q) return undefined;
      v = q.value;
      sc.pos = q.end;
    } else {
      v = sc.readWhile((c) => isTokenChar(c) || c === '/' || c === ':' || c === '@' || c === '=');
      if (!v) return undefined;
    }
    if (params.has(name)) return undefined;
    params.set(name, v);
    sc.skipWs();
    if (sc.done) return { scheme, params };
    if (!sc.eat(',')) return undefined;
  }
}

/** Parses a WWW-Authenticate or Proxy-Authenticate value with the Digest scheme. */
export function parseChallenge(value: string): DigestChallenge | undefined {
  const parsed = parseAuthParams(value);
  if (!parsed || parsed.scheme.toLowerCase() !== 'digest') return undefined;
  const { params } = parsed;
  const realm = params.get('realm');
  const nonce = params.get('nonce');
  if (realm === undefined || nonce === undefined) return undefined;
  const qop = (params.get('qop') ?? '')
    .split(',')
    .map((q) => q.trim().toLowerCase())
    .filter((q) => q !== '');
  const opaque = params.get('opaque');
  const domain = params.get('domain');
  return {
    realm,
    nonce,
    algorithm: params.get('algorithm') ?? 'MD5',
    qop,
    stale: (params.get('stale') ?? '').toLowerCase() === 'true',
    params,
    ...(opaque !== undefined ? { opaque } : {}),
    ...(domain !== undefined ? { domain } : {}),
  };
}

/** Writes a Digest challenge (server side, 401/407). */
export function formatChallenge(c: {
  realm: string;
  nonce: string;
  opaque?: string;
  algorithm?: DigestAlgorithm;
  qop?: readonly string[];
  stale?: boolean;
  domain?: string;
}): string {
  const parts = [`realm=${quote(c.realm)}`];
  if (c.domain !== undefined) parts.push(`domain=${quote(c.domain)}`);
  parts.push(`nonce=${quote(c.nonce)}`);
  if (c.opaque !== undefined) parts.push(`opaque=${quote(c.opaque)}`);
  if (c.stale) parts.push('stale=TRUE');
  parts.push(`algorithm=${c.algorithm ?? 'MD5'}`);
  const qop = c.qop ?? ['auth'];
  if (qop.length > 0) parts.push(`qop=${quote(qop.join(','))}`);
  return `Digest ${parts.join(', ')}`;
}

/** A fresh server nonce: 128 random bits, base64url. */
export function generateNonce(): string {
  return randomBytes(16).toString('base64url');
}

export interface DigestResponseInput {
  readonly algorithm?: string;
  readonly username: string;
  readonly realm: string;
  /** The password, or `ha1` = H(username:realm:password) as a registrar may store it. */
  readonly password?: string;
  readonly ha1?: string;
  readonly nonce: string;
  readonly method: string;
  /** digest-uri: the Request-URI as sent. */
  readonly uri: string;
  /** `auth`, `auth-int`, or undefined for RFC 2069. */
  readonly qop?: string;
  readonly cnonce?: string;
  /** nc as 8 hex digits. */
  readonly nc?: string;
  /** Message body, for qop=auth-int. */
  readonly body?: string;
}

/** The `response` value (RFC 2617 3.2.2.1, RFC 7616 3.4.1), lower-case hex; undefined if it cannot be computed. */
export function digestResponse(input: DigestResponseInput): string | undefined {
  const alg = algorithms.get((input.algorithm ?? 'MD5').toLowerCase());
  if (!alg) return undefined;
  const h = (s: string): string => createHash(alg.hash).update(s, 'utf8').digest('hex');
  let ha1 = input.ha1?.toLowerCase() ?? (input.password !== undefined ? h(`${input.username}:${input.realm}:${input.password}`) : undefined);
  if (ha1 === undefined) return undefined;
  if (alg.sess) {
    if (input.cnonce === undefined) return undefined;
    ha1 = h(`${ha1}:${input.nonce}:${input.cnonce}`);
  }
  const qop = input.qop?.toLowerCase();
  let ha2: string;
  if (qop === undefined || qop === 'auth') ha2 = h(`${input.method}:${input.uri}`);
  else if (qop === 'auth-int') ha2 = h(`${input.method}:${input.uri}:${h(input.body ?? '')}`);
  else return undefined;
  if (qop === undefined) return h(`${ha1}:${input.nonce}:${ha2}`);
  if (input.cnonce === undefined || input.nc === undefined || !/^[0-9a-fA-F]{8}$/.test(input.nc)) return undefined;
  return h(`${ha1}:${input.nonce}:${input.nc}:${input.cnonce}:${qop}:${ha2}`);
}

export interface DigestAuthorizationInput {
  readonly challenge: DigestChallenge;
  readonly method: string;
  /** digest-uri: the Request-URI of the request being authorized. */
  readonly uri: string;
  readonly username: string;
  readonly password: string;
  /** Client nonce; random when absent. */
  readonly cnonce?: string;
  /** Nonce count for this nonce, starting at 1. */
  readonly nc?: number;
  /** Body, used only when the server offers auth-int and not auth. */
  readonly body?: string;
}

/**
 * The Authorization/Proxy-Authorization value answering `challenge` (RFC 3261 22.2, 22.3): qop=auth when
 * offered, else auth-int, else the RFC 2069 form. Undefined for an unsupported algorithm or qop.
 */
export function digestAuthorization(input: DigestAuthorizationInput): string | undefined {
  const { challenge } = input;
  const alg = digestAlgorithm(challenge.algorithm);
  if (!alg) return undefined;
  let qop: string | undefined;
  if (challenge.qop.length > 0) {
    if (challenge.qop.includes('auth')) qop = 'auth';
    else if (challenge.qop.includes('auth-int')) qop = 'auth-int';
    else return undefined;
  }
  const cnonce = qop !== undefined || alg.endsWith('-sess') ? (input.cnonce ?? randomBytes(12).toString('hex')) : undefined;
  if (qop === undefined && cnonce !== undefined) return undefined; // -sess needs cnonce, which RFC 2617 only sends with qop
  const nc = qop !== undefined ? (input.nc ?? 1).toString(16).padStart(8, '0').slice(-8) : undefined;
  const response = digestResponse({
    algorithm: alg,
    username: input.username,
    realm: challenge.realm,
    password: input.password,
    nonce: challenge.nonce,
    method: input.method,
    uri: input.uri,
    qop,
    cnonce,
    nc,
    body: input.body,
  });
  if (response === undefined) return undefined;
  const parts = [
    `username=${quote(input.username)}`,
    `realm=${quote(challenge.realm)}`,
    `nonce=${quote(challenge.nonce)}`,
    `uri=${quote(input.uri)}`,
    `response="${response}"`,
    `algorithm=${alg}`,
  ];
  if (cnonce !== undefined) parts.push(`cnonce=${quote(cnonce)}`);
  if (challenge.opaque !== undefined) parts.push(`opaque=${quote(challenge.opaque)}`);
  if (qop !== undefined) parts.push(`qop=${qop}`, `nc=${nc}`);
  return `Digest ${parts.join(', ')}`;
}

export interface DigestCredentials {
  readonly username: string;
  readonly realm: string;
  readonly nonce: string;
  readonly uri: string;
  readonly response: string;
  readonly algorithm: string;
  readonly cnonce?: string;
  readonly opaque?: string;
  readonly qop?: string;
  readonly nc?: string;
  readonly params: ReadonlyMap<string, string>;
}

/** Parses an Authorization or Proxy-Authorization value with the Digest scheme. */
export function parseCredentials(value: string): DigestCredentials | undefined {
  const parsed = parseAuthParams(value);
  if (!parsed || parsed.scheme.toLowerCase() !== 'digest') return undefined;
  const p = parsed.params;
  const username = p.get('username');
  const realm = p.get('realm');
  const nonce = p.get('nonce');
  const uri = p.get('uri');
  const response = p.get('response');
  if (username === undefined || realm === undefined || nonce === undefined || uri === undefined || response === undefined) return undefined;
  const optional: Record<string, string> = {};
  for (const key of ['cnonce', 'opaque', 'qop', 'nc'] as const) {
    const v = p.get(key);
    if (v !== undefined) optional[key] = v;
  }
  return { username, realm, nonce, uri, response, algorithm: p.get('algorithm') ?? 'MD5', params: p, ...optional };
}

export interface VerifyDigestInput {
  /** The Authorization/Proxy-Authorization value, or its parsed form. */
  readonly authorization: string | DigestCredentials;
  /** Method of the request carrying it (for ACK and CANCEL: the method itself, RFC 3261 22.4). */
  readonly method: string;
  /** Our realm; credentials for another realm fail. */
  readonly realm: string;
  /** The user's password, or its `ha1`. */
  readonly password?: string;
  readonly ha1?: string;
  /** When given, the credentials' nonce must be this one (nonce lifetime is the caller's business). */
  readonly nonce?: string;
  /** When given, the digest-uri must be this Request-URI. */
  readonly uri?: string;
  /** Request body, for qop=auth-int. */
  readonly body?: string;
}

/** Server-side check of Digest credentials; the response is compared in constant time. */
export function verifyDigest(input: VerifyDigestInput): boolean {
  const cred = typeof input.authorization === 'string' ? parseCredentials(input.authorization) : input.authorization;
  if (!cred) return false;
  if (cred.realm !== input.realm) return false;
  if (input.nonce !== undefined && cred.nonce !== input.nonce) return false;
  if (input.uri !== undefined && cred.uri !== input.uri) return false;
  const expected = digestResponse({
    algorithm: cred.algorithm,
    username: cred.username,
    realm: cred.realm,
    password: input.password,
    ha1: input.ha1,
    nonce: cred.nonce,
    method: input.method,
    uri: cred.uri,
    qop: cred.qop,
    cnonce: cred.cnonce,
    nc: cred.nc,
    body: input.body,
  });
  if (expected === undefined) return false;
  return constantTimeEqual(expected, cred.response.toLowerCase());
}

function constantTimeEqual(a: string, b: string): boolean {
  const x = Buffer.from(a, 'utf8');
  const y = Buffer.from(b, 'utf8');
  if (x.length !== y.length) {
    timingSafeEqual(x, x); // same work either way; the length of a hex digest is public anyway
    return false;
  }
  return timingSafeEqual(x, y);
}
