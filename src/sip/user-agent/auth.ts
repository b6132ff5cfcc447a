/**
 * The client side of Digest authentication for the UA (RFC 3261 22.2, 22.3): remembers the challenges a
 * request met (401 → Authorization, 407 → Proxy-Authorization, one per realm), decides whether a retry is
 * worth it, and writes credentials into each new attempt with the nonce count going up.
 */
import { digestAlgorithm, digestAuthorization, parseChallenge, type DigestChallenge } from '../message/digest.js';
import { addHeader, removeHeader } from '../message/headers.js';
import type { SipRequest, SipResponse } from '../message/types.js';
import type { UaCredentials } from './options.js';

interface Challenge {
  readonly header: 'Authorization' | 'Proxy-Authorization';
  readonly challenge: DigestChallenge;
}

/** The challenges one request (and its retries) has met. */
export class AuthState {
  private readonly challenges: Challenge[] = [];
  private attempts = 0;

  /** True while a retry is worth it: first challenge, a new realm, or a stale nonce; at most three attempts. */
  accept(response: SipResponse): boolean {
    if (response.status !== 401 && response.status !== 407) return false;
    const header = response.status === 401 ? 'Authorization' : 'Proxy-Authorization';
    const name = response.status === 401 ? 'WWW-Authenticate' : 'Proxy-Authenticate';
    let worth = false;
    for (const value of response.headers.all(name)) {
      const challenge = parseChallenge(value);
      if (!challenge || !digestAlgorithm(challenge.algorithm)) continue;
      const i = this.challenges.findIndex((c) => c.header === header && c.challenge.realm === challenge.realm);
      if (i < 0 || challenge.stale || this.attempts === 0) worth = true;
      if (i >= 0) this.challenges.splice(i, 1);
      this.challenges.push({ header, challenge });
    }
    this.attempts++;
    return worth && this.attempts <= 3;
  }

  get hasChallenges(): boolean {
    return this.challenges.length > 0;
  }

  /** The request with credentials for every remembered challenge (older credentials removed). */
  apply(request: SipRequest, credentials: UaCredentials, nonceCounts: NonceCounter): SipRequest {
    let out = removeHeader(removeHeader(request, 'Authorization'), 'Proxy-Authorization');
    for (const { header, challenge } of this.challenges) {
      const value = digestAuthorization({
        challenge,
        method: request.method,
        uri: request.uri,
        username: credentials.username,
        password: credentials.password,
        nc: nonceCounts.next(challenge.nonce),
        body: request.body,
      });
      if (value !== undefined) out = addHeader(out, header, value);
    }
    return out;
  }
}

/** Nonce counts (RFC 2617 3.2.2): each use of a nonce counts one more. */
export class NonceCounter {
  private readonly counts = new Map<string, number>();

  next(nonce: string): number {
    const n = (this.counts.get(nonce) ?? 0) + 1;
    this.counts.set(nonce, n);
    // keep the table small: nonces are short-lived
    if (this.counts.size > 64) {
      const oldest = this.counts.keys().next().value;
      if (oldest !== undefined) this.counts.delete(oldest);
    }
    return n;
  }
}
