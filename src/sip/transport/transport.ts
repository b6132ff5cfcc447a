/**
 * The transport layer's contract (RFC 3261 section 18), in SIP.js's shape: a small interface that sends bytes
 * or messages to a peer and hands received messages upward through delegates.
 */
import type { SipMessage, SipPeer } from '../message/types.js';

/** RFC 3261 19.1.2 / 18: the default port for SIP over UDP and TCP. */
export const defaultSipPort = 5060;

/** The largest payload one IPv4 UDP datagram can carry (65,535 − 8 UDP − 20 IP header bytes). */
export const maxUdpPayload = 65_507;

/**
 * RFC 3261 18.1.1: a request larger than 1300 bytes (path MTU unknown), or within 200 bytes of the path MTU,
 * must be sent over a congestion-controlled transport such as TCP.
 */
export const defaultMtuThreshold = 1300;

/**
 * Where a received message came from. On TCP `connectionId` names the connection it arrived on, so that a
 * response can go back over that very connection (RFC 3261 18.2.2).
 */
export interface SipSource extends SipPeer {
  readonly connectionId?: number;
}

export interface Transport {
  readonly protocol: 'udp' | 'tcp';
  /** True for TCP: the transaction layer then does not retransmit (RFC 3261 17). */
  readonly reliable: boolean;
  /**
   * Sends a message (serialized by the codec) or ready bytes. Resolves when handed to the OS; rejects on a
   * transport error (no connection, message too large, transport closed) — RFC 3261 17.1.4 / 17.2.4.
   */
  send(message: SipMessage | Uint8Array, to: SipPeer): Promise<void>;
  /** Each received, parsed message; requests already carry `received`/`rport` on their top Via (18.2.1). */
  onMessage?: (message: SipMessage, from: SipSource) => void;
  /** Socket-level failures that belong to no send (a reset connection, a socket error). */
  onError?: (error: Error, peer?: SipPeer) => void;
  close(): Promise<void>;
}

/** `address:port` with IPv4-mapped IPv6 addresses unmapped; the key of connection reuse. */
export function peerKey(peer: { readonly address: string; readonly port: number }): string {
  return `${normalizeAddress(peer.address)}:${peer.port}`;
}

/** Strips the `::ffff:` of IPv4-mapped IPv6 addresses and IPv6 brackets, and lower-cases. */
export function normalizeAddress(address: string): string {
  return address
    .replace(/^\[(.*)\]$/, '$1')
    .replace(/^::ffff:(\d+\.\d+\.\d+\.\d+)$/i, '$1')
    .toLowerCase();
}

