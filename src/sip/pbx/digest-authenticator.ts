/**
 * Digest authentication of the phones' requests (RFC 3261 22, RFC 7616, RFC 8760): 401 with WWW-Authenticate for
 * REGISTER, 407 with Proxy-Authenticate for everything else; SHA-256 offered before MD5 (unless configured
 * otherwise), qop="auth". Nonces are the server's own (base's DigestNonces): a timestamp and random bits with an HMAC under a per-process secret, so they need no table,
 * expire (an old one with otherwise right credentials gets stale=true) and cannot be forged. Nonce counts are
 * remembered to refuse a replayed request. The stored HA1 values are checked, never a password.
 *
 * Before any of that, a request budget per source address bounds floods (503 with Retry-After), and failed
 * authentications block their address and extension for a while (403). Every refusal is logged in one line
 * without credentials; a flood only at its start and every thousandth request.
 */
import { DigestNonces, silentLogger, type Clock, type Logger } from '../../base/index.js';
import { AuthLimiter, RequestRateLimiter, type PhoneDirectory } from '../../phones/index.js';
import {
  formatChallenge,
  normalizeAddress,
  parseCredentials,
  responseTo,
  uriTextEquals,
  verifyDigest,
  type DigestCredentials,
  type HeaderInput,
  type ServerTransaction,
} from '../index.js';
import type { RequestAuthenticator } from './authenticator.js';

export interface DigestAuthenticatorOptions {
  readonly realm: string;
  /** The extensions' HA1 values, and their bindings (a registered device's address is not locked out). */
  readonly directory: Pick<PhoneDirectory, 'credentials' | 'bindings'>;
  readonly clock: Clock;
  readonly logger?: Logger;
  readonly limiter?: AuthLimiter;
  readonly budget?: RequestRateLimiter;
  /** How long a nonce is good for; default 5 minutes. */
  readonly nonceLifetimeMs?: number;
  /** The HMAC key of the nonces; default random per process (a restart makes old nonces stale, nothing worse). */
  readonly secret?: Buffer;
  /** The algorithms offered, most preferred first; default SHA-256 then MD5 (RFC 8760 2.3). */
  readonly algorithms?: readonly DigestAlgorithmName[];
  /** Headers every response carries (Server, Allow). */
  readonly describe?: () => HeaderInput;
}

/** The algorithms a challenge may offer, with the stored HA1 of each. */
const supported = [
  { algorithm: 'SHA-256', ha1: 'ha1Sha256' },
  { algorithm: 'MD5', ha1: 'ha1Md5' },
] as const;

export type DigestAlgorithmName = (typeof supported)[number]['algorithm'];

const maxTrackedNonces = 10_000;
const floodLogEvery = 1000;

/** Why a request is answered without being authenticated (the log line's words, the response). */
interface Refusal {
  readonly status: number;
  readonly reason?: string;
  /** Logged; never a credential. */
  readonly why: string;
  readonly extension?: string;
  readonly challenge?: { readonly stale: boolean };
  readonly headers?: HeaderInput;
  /** A normal challenge (no credentials yet): logged at debug level only. */
  readonly quiet?: boolean;
}

export class DigestAuthenticator implements RequestAuthenticator {
  private readonly nonces: DigestNonces;
  private readonly logger: Logger;
  /** In the order of preference, which RFC 8760 2.3 makes the order of the challenges. */
  private readonly offered: ReadonlyArray<(typeof supported)[number]>;
  readonly limiter: AuthLimiter;
  readonly budget: RequestRateLimiter;
  /** Highest nonce count accepted per nonce (RFC 7616 3.4: a count not above it is a replay). */
  private readonly counts = new Map<string, number>();

  constructor(private readonly o: DigestAuthenticatorOptions) {
    this.nonces = new DigestNonces({ realm: o.realm, clock: o.clock, lifetimeMs: o.nonceLifetimeMs ?? 300_000, ...(o.secret ? { secret: o.secret } : {}) });
    this.logger = o.logger ?? silentLogger;
    this.offered = (o.algorithms ?? ['SHA-256', 'MD5']).map((name) => supported.find((a) => a.algorithm === name)!);
    this.limiter = o.limiter ?? new AuthLimiter(o.clock);
    this.budget = o.budget ?? new RequestRateLimiter(o.clock);
  }

  authenticate(tx: ServerTransaction): string | undefined {
    const result = this.check(tx);
    if (typeof result === 'string') return result;
    this.refuse(tx, result);
    return undefined;
  }

  /** A fresh nonce (exported for tests and the benchmark's clients: what a 401 would carry). */
  nonce(): string {
    return this.nonces.nonce();
  }

  private check(tx: ServerTransaction): string | Refusal {
    const req = tx.request;
    const source = normalizeAddress(tx.source.address);
    const budget = this.budget.take(source);
    if (!budget.ok) {
      return {
        status: 503,
        why: `request budget of the address exceeded (flood, ${budget.refused} refused in a row)`,
        headers: [['Retry-After', String(Math.max(1, Math.ceil(budget.retryAfterMs / 1000)))]],
        quiet: budget.refused % floodLogEvery !== 1,
      };
    }
    if (this.limiter.blocked(source)) return { status: 403, reason: 'Too Many Failed Authentications', why: 'the address is blocked after failed authentications' };
    const header = req.method === 'REGISTER' ? 'Authorization' : 'Proxy-Authorization';
    const values = req.headers.all(header);
    if (values.length === 0) return { status: 0, why: 'no credentials', challenge: { stale: false }, quiet: true };
    const all = values.map((v) => parseCredentials(v));
    if (all.some((c) => c === undefined)) return this.failed(source, undefined, { status: 400, reason: `Malformed ${header} header`, why: `malformed ${header}` });
    const cred = (all as DigestCredentials[]).find((c) => c.realm === this.o.realm);
    if (!cred) return this.failed(source, undefined, { status: 0, why: 'credentials for another realm', challenge: { stale: false } });
    const extension = this.o.directory.credentials(cred.username);
    // The Digest username is the extension number: an unknown one is answered as a wrong password (no enumeration).
    if (!extension) return this.failed(source, undefined, { status: 0, why: 'unknown user', challenge: { stale: false } });
    const number = extension.number;
    const trusted = this.o.directory.bindings(number).some((b) => normalizeAddress(b.source.address) === source);
    if (this.limiter.blocked(source, number, trusted)) {
      return { status: 403, reason: 'Too Many Failed Authentications', why: 'the extension is blocked after failed authentications', extension: number };
    }
    const alg = this.offered.find((a) => a.algorithm.toLowerCase() === cred.algorithm.toLowerCase());
    if (!alg) return this.failed(source, number, { status: 400, reason: 'Unsupported Digest Algorithm', why: `algorithm ${cred.algorithm} not offered`, extension: number });
    if (cred.qop?.toLowerCase() !== 'auth' || cred.cnonce === undefined || cred.nc === undefined || !/^[0-9a-fA-F]{8}$/.test(cred.nc)) {
      return this.failed(source, number, { status: 400, reason: 'Digest Without qop=auth', why: 'credentials without qop=auth, cnonce and nc', extension: number });
    }
    // RFC 7616 3.4.6: the digest-uri must name the Request-URI.
    if (!uriTextEquals(cred.uri, req.uri)) return this.failed(source, number, { status: 400, reason: 'Digest URI Mismatch', why: 'digest uri is not the Request-URI', extension: number });
    if (!verifyDigest({ authorization: cred, method: req.method, realm: this.o.realm, ha1: extension[alg.ha1] })) {
      return this.failed(source, number, { status: 0, why: 'wrong credentials', challenge: { stale: false }, extension: number });
    }
    // Right credentials on a nonce that is not (or no longer) good: a new nonce, no failure (RFC 7616 3.3 stale).
    const state = this.nonces.state(cred.nonce);
    const nc = parseInt(cred.nc, 16);
    if (state !== 'valid') return { status: 0, why: `${state} nonce`, challenge: { stale: true }, extension: number, quiet: true };
    if (nc <= (this.counts.get(cred.nonce) ?? 0)) return { status: 0, why: 'nonce count replayed', challenge: { stale: true }, extension: number };
    this.counted(cred.nonce, nc);
    return number;
  }

  private counted(nonce: string, nc: number): void {
    this.counts.delete(nonce);
    this.counts.set(nonce, nc);
    if (this.counts.size > maxTrackedNonces) this.counts.delete(this.counts.keys().next().value!);
  }

  /** Counts a failed authentication: a refusal becomes 403 when it starts a block. */
  private failed(source: string, extension: string | undefined, refusal: Refusal): Refusal {
    const blocks = this.limiter.failed(source, extension);
    if (blocks.length === 0) return refusal;
    return { ...refusal, status: 403, reason: 'Too Many Failed Authentications', challenge: undefined, why: `${refusal.why}; now blocked: ${blocks.join(', ')}` };
  }

  private refuse(tx: ServerTransaction, r: Refusal): void {
    const req = tx.request;
    const register = req.method === 'REGISTER';
    let status = r.status;
    const headers: Array<readonly [string, string]> = [...(this.o.describe?.() ?? []), ...(r.headers ?? [])];
    if (r.challenge) {
      // 401 from a registrar (RFC 3261 22.2), 407 for requests a proxy-like server authenticates (22.3).
      status = register ? 401 : 407;
      const nonce = this.nonce();
      const name = register ? 'WWW-Authenticate' : 'Proxy-Authenticate';
      for (const a of this.offered) headers.push([name, formatChallenge({ realm: this.o.realm, nonce, algorithm: a.algorithm, qop: ['auth'], stale: r.challenge.stale })]);
    }
    const fields = {
      method: req.method,
      status,
      why: r.why,
      source: `${tx.source.transport}:${tx.source.address}:${tx.source.port}`,
      ...(r.extension !== undefined ? { extension: r.extension } : {}),
    };
    if (r.quiet) this.logger.debug('challenged', fields);
    else this.logger.warn('request refused', fields);
    tx.respond(responseTo(req, status, r.reason, headers, { toTag: true }));
  }
}
