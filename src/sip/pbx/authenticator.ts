/**
 * Who sent a request from a phone: the Digest check every part of the phones' side runs before it acts (REGISTER,
 * INVITE, SUBSCRIBE, REFER). The registrar's module implements it (nonces bound to the server and expiring, failed
 * attempts rate-limited); tests may fake it.
 */
import type { ServerTransaction } from '../index.js';

export interface RequestAuthenticator {
  /**
   * The extension number whose credentials `tx.request` carries, or undefined when it carries none or wrong ones —
   * then the authenticator has answered `tx` itself (401 with a challenge for REGISTER, 407 otherwise; 403 when
   * the source or the extension is rate-limited).
   */
  authenticate(tx: ServerTransaction): string | undefined;
}
