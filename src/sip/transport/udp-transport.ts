/**
 * SIP over UDP (RFC 3261 18.1.1, 18.2.1, 18.3): one socket bound to address:port. Each datagram is one
 * message; datagrams larger than `maxDatagramBytes` or that the codec refuses are dropped (debug log,
 * counter) — UDP has no way to answer a message whose framing is unknown, and a flood must stay cheap.
 * Datagrams of only CR/LF are keep-alives and are ignored without counting.
 *
 * RFC 3261 18.1.1: a request larger than `mtuThreshold` (1300 bytes) should go over TCP; the transport
 * sends what it is given, `SipTransports` makes that choice.
 */
import { createSocket, type RemoteInfo, type Socket } from 'node:dgram';
import { isIPv6 } from 'node:net';
import type { SipMessage, SipPeer } from '../message/types.js';
import { asError, errorDetail, type Logger } from '../../base/index.js';
import { defaultSipCodec, type SipCodec } from './codec-port.js';
import {
  defaultMtuThreshold,
  defaultSipPort,
  maxUdpPayload,
  normalizeAddress,
  type SipSource,
  type Transport,
} from './transport.js';
import { stampReceived } from './via.js';

export interface UdpTransportOptions {
  /** The local address to bind (hometel binds to the interfaces the user chose). */
  readonly address: string;
  /** Default 5060; 0 for an ephemeral port. */
  readonly port?: number;
  /** Default: hometel's codec. */
  readonly codec?: SipCodec;
  readonly logger: Logger;
  /** Received datagrams larger than this are dropped; default 64 KiB. */
  readonly maxDatagramBytes?: number;
  /** RFC 3261 18.1.1 size rule: requests larger than this should use TCP; default 1300. */
  readonly mtuThreshold?: number;
}

export class UdpTransport implements Transport {
  readonly protocol = 'udp' as const;
  readonly reliable = false;
  readonly mtuThreshold: number;
  readonly maxDatagramBytes: number;
  onMessage?: (message: SipMessage, from: SipSource) => void;
  onError?: (error: Error, peer?: SipPeer) => void;
  private socket?: Socket;
  private dropped = 0;
  private boundPort = 0;
  private readonly codec: SipCodec;

  constructor(private readonly opts: UdpTransportOptions) {
    this.codec = opts.codec ?? defaultSipCodec;
    this.mtuThreshold = opts.mtuThreshold ?? defaultMtuThreshold;
    this.maxDatagramBytes = opts.maxDatagramBytes ?? 64 * 1024;
  }

  /** Datagrams dropped as oversize, unparseable or without a usable Via. */
  get droppedCount(): number {
    return this.dropped;
  }

  get address(): string {
    return this.opts.address;
  }

  /** The bound port (after `listen`). */
  get port(): number {
    return this.boundPort;
  }

  async listen(): Promise<void> {
    const sock = createSocket({ type: isIPv6(this.opts.address) ? 'udp6' : 'udp4' });
    sock.on('message', (data, rinfo) => this.receive(data, rinfo));
    await new Promise<void>((resolve, reject) => {
      sock.once('error', reject);
      sock.bind(this.opts.port ?? defaultSipPort, this.opts.address, () => {
        sock.off('error', reject);
        resolve();
      });
    });
    sock.on('error', (err) => {
      this.opts.logger.warn('SIP UDP socket error', { error: err.message });
      this.onError?.(err);
    });
    this.socket = sock;
    this.boundPort = sock.address().port;
    this.opts.logger.debug('SIP UDP listening', { address: this.opts.address, port: this.boundPort });
  }

  send(message: SipMessage | Uint8Array, to: SipPeer): Promise<void> {
    const sock = this.socket;
    if (!sock) return Promise.reject(new Error('SIP UDP transport is not listening'));
    let bytes: Uint8Array;
    try {
      bytes = message instanceof Uint8Array ? message : this.codec.serialize(message);
    } catch (e) {
      return Promise.reject(asError(e));
    }
    if (bytes.length > maxUdpPayload) {
      return Promise.reject(new Error(`SIP message of ${bytes.length} bytes is too large for UDP`));
    }
    if (bytes.length > this.mtuThreshold) {
      this.opts.logger.debug('SIP message over UDP exceeds the MTU threshold (RFC 3261 18.1.1)', {
        bytes: bytes.length,
        threshold: this.mtuThreshold,
      });
    }
    return new Promise((resolve, reject) => {
      sock.send(bytes, to.port, to.address, (err) => (err ? reject(err) : resolve()));
    });
  }

  async close(): Promise<void> {
    const sock = this.socket;
    this.socket = undefined;
    if (!sock) return;
    await new Promise<void>((resolve) => {
      try {
        sock.close(() => resolve());
      } catch {
        resolve(); // already closed
      }
    });
  }

  private drop(why: string, rinfo: RemoteInfo, bytes: number): void {
    this.dropped++;
    this.opts.logger.debug('dropped SIP datagram', { why, from: `${rinfo.address}:${rinfo.port}`, bytes, dropped: this.dropped });
  }

  private receive(data: Buffer, rinfo: RemoteInfo): void {
    if (data.length > this.maxDatagramBytes) return this.drop('oversize', rinfo, data.length);
    if (isKeepAlive(data)) return;
    const parsed = this.codec.parse(data, { stream: false });
    if (!parsed.ok) return this.drop(parsed.reason, rinfo, data.length);
    const from: SipSource = { transport: 'udp', address: normalizeAddress(rinfo.address), port: rinfo.port };
    let message = parsed.message;
    if (message.kind === 'request') {
      const stamped = stampReceived(message, from);
      if (!stamped) return this.drop('request without a valid Via', rinfo, data.length);
      message = stamped;
    }
    try {
      this.onMessage?.(message, from);
    } catch (e) {
      this.opts.logger.error('SIP message handler failed', { error: errorDetail(e) });
    }
  }
}

/** RFC 5626 / common practice: CRLF-only datagrams keep NAT bindings open and carry no message. */
export function isKeepAlive(data: Buffer): boolean {
  for (const b of data) if (b !== 0x0d && b !== 0x0a && b !== 0x20 && b !== 0x09 && b !== 0x00) return false;
  return true;
}
