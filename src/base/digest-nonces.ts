/**
 * Stateless Digest nonces (RFC 7616 3.3 leaves the nonce to the server): a timestamp and random bits with an HMAC
 * under a per-process key, so a server needs no table of the nonces it gave, an old one is recognised as stale, and
 * a forged one as foreign. Shared by the phones' SIP Digest and the provisioning files' HTTP Digest.
 */
import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import type { Clock } from './clock.js';

export type NonceState = 'valid' | 'stale' | 'foreign';

const nonceBytes = 8 + 8 + 16; // timestamp, random, HMAC (truncated)

export class DigestNonces {
  private readonly secret: Buffer;

  /** `realm` is bound into the HMAC, so one realm's nonce is foreign to another's. */
  constructor(
    private readonly o: { readonly realm: string; readonly clock: Clock; readonly lifetimeMs: number; readonly secret?: Buffer },
  ) {
    this.secret = o.secret ?? randomBytes(32);
  }

  /** A fresh nonce. */
  nonce(): string {
    const raw = Buffer.alloc(16);
    raw.writeBigUInt64BE(BigInt(Math.max(0, Math.floor(this.o.clock.now()))));
    randomBytes(8).copy(raw, 8);
    return Buffer.concat([raw, this.mac(raw)]).toString('base64url');
  }

  state(nonce: string): NonceState {
    const bytes = Buffer.from(nonce, 'base64url');
    if (bytes.length !== nonceBytes || bytes.toString('base64url') !== nonce) return 'foreign';
    const raw = bytes.subarray(0, 16);
    if (!timingSafeEqual(bytes.subarray(16), this.mac(raw))) return 'foreign';
    const age = this.o.clock.now() - Number(raw.readBigUInt64BE());
    return age >= -1000 && age <= this.o.lifetimeMs ? 'valid' : 'stale';
  }

  private mac(raw: Buffer): Buffer {
    return createHmac('sha256', this.secret).update(raw).update(this.o.realm, 'utf8').digest().subarray(0, 16);
  }
}
