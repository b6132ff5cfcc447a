/**
 * The transport layer as the transaction layer sees it: UDP and TCP behind one object. It sends each
 * message over the transport its destination names, moves large requests from UDP to TCP (RFC 3261
 * 18.1.1, rewriting the top Via), and routes responses per RFC 3261 18.2.2 / RFC 3581: over the TCP
 * connection the request came in on while it is open, else to the `received` address and sent-by port;
 * on UDP to `received` and `rport` (or the sent-by port), or `maddr`.
 */
import { isIP } from 'node:net';
import { responseTarget, topVia } from '../message/headers.js';
import type { SipMessage, SipPeer, SipRequest, SipResponse } from '../message/types.js';
import type { Logger } from '../../base/index.js';
import { defaultSipCodec, type SipCodec } from './codec-port.js';
import { defaultMtuThreshold, defaultSipPort, type SipSource, type Transport } from './transport.js';
import { withTopViaTransport } from './via.js';

export interface SipTransportsOptions {
  readonly udp?: Transport & { readonly mtuThreshold?: number };
  readonly tcp?: Transport;
  /** Measures requests for the 18.1.1 size rule; default: hometel's codec. */
  readonly codec?: SipCodec;
  readonly logger: Logger;
  /** Overrides the UDP transport's own threshold; default 1300. */
  readonly mtuThreshold?: number;
}

export class SipTransports {
  onMessage?: (message: SipMessage, from: SipSource) => void;
  onError?: (error: Error, peer?: SipPeer) => void;
  readonly mtuThreshold: number;
  private readonly codec: SipCodec;

  constructor(private readonly opts: SipTransportsOptions) {
    this.codec = opts.codec ?? defaultSipCodec;
    this.mtuThreshold = opts.mtuThreshold ?? opts.udp?.mtuThreshold ?? defaultMtuThreshold;
    for (const t of [opts.udp, opts.tcp]) {
      if (!t) continue;
      t.onMessage = (message, from) => this.onMessage?.(message, from);
      t.onError = (error, peer) => this.onError?.(error, peer);
    }
  }

  transport(protocol: 'udp' | 'tcp'): Transport | undefined {
    return protocol === 'udp' ? this.opts.udp : this.opts.tcp;
  }

  /**
   * RFC 3261 18.1.1: a request for UDP that is larger than the MTU threshold goes over TCP when TCP is
   * available, with the top Via's transport changed to TCP. The transaction layer calls this before it
   * creates the client transaction, so that the transaction knows whether it must retransmit.
   */
  prepareRequest(request: SipRequest, to: SipPeer): { request: SipRequest; to: SipPeer } {
    if (to.transport !== 'udp' || !this.opts.tcp) return { request, to };
    const size = this.codec.serialize(request).length;
    if (size <= this.mtuThreshold) return { request, to };
    this.opts.logger.debug('request larger than the MTU threshold goes over TCP (RFC 3261 18.1.1)', {
      method: request.method,
      bytes: size,
      to: `${to.address}:${to.port}`,
    });
    return { request: withTopViaTransport(request, 'TCP'), to: { ...to, transport: 'tcp' } };
  }

  /** Sends a request (applying the 18.1.1 size rule again, which is idempotent). */
  sendRequest(request: SipRequest, to: SipPeer): Promise<void> {
    const prepared = this.prepareRequest(request, to);
    return this.send(prepared.request, prepared.to);
  }

  /** Sends a response to the request that came from `source`, routed per RFC 3261 18.2.2. */
  sendResponse(response: SipResponse, source: SipSource): Promise<void> {
    return this.send(response, responseDestination(response, source));
  }

  /** Sends over the transport `to.transport` names; rejects when that transport is not configured. */
  send(message: SipMessage | Uint8Array, to: SipSource): Promise<void> {
    const t = this.transport(to.transport);
    if (!t) return Promise.reject(new Error(`no SIP ${to.transport.toUpperCase()} transport`));
    return t.send(message, to);
  }

  async close(): Promise<void> {
    await Promise.all([this.opts.udp?.close(), this.opts.tcp?.close()]);
  }
}

/**
 * RFC 3261 18.2.2 with RFC 3581 4: where a response goes, given the source of its request and the response's
 * top Via (a copy of the request's, stamped with `received`/`rport` on arrival).
 * - TCP: the connection the request came in on (`connectionId`) while open; else a new connection to the
 *   `received` address (the source address) and the sent-by port (default 5060).
 * - UDP: `maddr` and the sent-by port; else `received` and `rport`'s value, else the sent-by port
 *   (the codec's `responseTarget`); a sent-by host name without `received` falls back to the source address.
 */
export function responseDestination(response: SipResponse, source: SipSource): SipSource {
  const via = topVia(response);
  if (!via) return source;
  if (source.transport === 'tcp') {
    return {
      transport: 'tcp',
      address: via.received ?? source.address,
      port: via.port ?? defaultSipPort,
      ...(source.connectionId === undefined ? {} : { connectionId: source.connectionId }),
    };
  }
  const target = responseTarget(via);
  return { transport: 'udp', address: isIP(target.host) !== 0 ? target.host : source.address, port: target.port };
}
