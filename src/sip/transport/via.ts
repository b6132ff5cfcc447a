/**
 * The Via work of the transport layer, on top of the codec's Via helpers (src/sip/message/headers.ts):
 * stamping `received`/`rport` on a received request (RFC 3261 18.2.1, RFC 3581 4), the sent-by key of
 * request matching (RFC 3261 17.2.3), and changing the top Via's transport (RFC 3261 18.1.1).
 */
import { formatVia, parseVia, setHeader, topVia, withReceivedParams, type Via } from '../message/headers.js';
import type { SipMessage, SipRequest } from '../message/types.js';
import { defaultSipPort, normalizeAddress, type SipSource } from './transport.js';

/**
 * A received request with `received` (and a valueless `rport` filled in) on its top Via; the request itself
 * when nothing needs adding; undefined when it has no parseable top Via (the transport then drops it).
 */
export function stampReceived(request: SipRequest, from: SipSource): SipRequest | undefined {
  if (!topVia(request)) return undefined;
  return withReceivedParams(request, { address: normalizeAddress(from.address), port: from.port });
}

/** `host:port`, host lower-cased and the default port filled in: the sent-by of RFC 3261 17.2.3. */
export function viaSentBy(via: Via): string {
  const port = via.port ?? (via.transport === 'TLS' ? 5061 : defaultSipPort);
  return `${via.host.toLowerCase()}:${port}`;
}

/** The message with its top Via's transport replaced (`TCP` when 18.1.1 moves a request off UDP). */
export function withTopViaTransport<M extends SipMessage>(message: M, transport: string): M {
  const values = message.headers.all('Via');
  const top = values[0] === undefined ? undefined : parseVia(values[0]);
  if (!top) return message;
  return setHeader(message, 'Via', [formatVia({ ...top, transport }), ...values.slice(1)]);
}
