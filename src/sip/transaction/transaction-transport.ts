/**
 * What the transaction layer needs from the transport layer. `SipTransports` (src/sip/transport) provides
 * it; tests provide a recording fake.
 */
import type { SipPeer, SipRequest, SipResponse } from '../message/types.js';
import type { SipSource } from '../transport/transport.js';

export interface TransactionTransport {
  /** Sends a request; rejects on a transport error (RFC 3261 17.1.4). */
  sendRequest(request: SipRequest, to: SipPeer): Promise<void>;
  /** Sends a response to the request that came from `source` (routing per RFC 3261 18.2.2); rejects on error. */
  sendResponse(response: SipResponse, source: SipSource): Promise<void>;
  /**
   * Optional RFC 3261 18.1.1 hook: may move a large request from UDP to TCP (rewriting its top Via) before
   * the client transaction is created, so the transaction knows whether its transport is reliable.
   */
  prepareRequest?(request: SipRequest, to: SipPeer): { request: SipRequest; to: SipPeer };
}
