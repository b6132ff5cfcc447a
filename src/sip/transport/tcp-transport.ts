/**
 * SIP over TCP (RFC 3261 18, 18.3): listens for connections and opens its own, and reuses one connection
 * per remote address:port for both directions. The byte stream is framed by the codec (`incomplete` asks
 * for more bytes, `consumed` says where a message ends, Content-Length being mandatory on streams); CRLFs
 * before a start line are ignored (RFC 3261 7.5, and RFC 5626 keep-alives). A connection whose unframed
 * bytes exceed `maxMessageBytes` is answered 513 where possible and closed; a malformed message is
 * answered 400 where possible and its connection closed, because after it the framing is lost.
 * Connections idle for `idleTimeoutMs` (no byte either way) are closed.
 */
import { createConnection, createServer, isIP, type AddressInfo, type Server, type Socket } from 'node:net';
import type { SipMessage, SipPeer } from '../message/types.js';
import { errorDetail, type Logger } from '../../base/index.js';
import { defaultSipCodec, type SipCodec } from './codec-port.js';
import { rawErrorResponse } from './raw-response.js';
import { defaultSipPort, normalizeAddress, peerKey, type SipSource, type Transport } from './transport.js';
import { stampReceived } from './via.js';

export interface TcpTransportOptions {
  /** The local address to listen on and to connect from. */
  readonly address: string;
  /** Default 5060; 0 for an ephemeral port. */
  readonly port?: number;
  /** Default: hometel's codec. Keep `maxMessageBytes` at or below the codec's own size limit (64 KiB). */
  readonly codec?: SipCodec;
  readonly logger: Logger;
  /** Per-connection limit on bytes buffered while framing one message; default 64 KiB. */
  readonly maxMessageBytes?: number;
  /** Close a connection after this long without traffic; default 120 s. */
  readonly idleTimeoutMs?: number;
  /** Give up connecting after this long; default 10 s. */
  readonly connectTimeoutMs?: number;
}

interface Connection {
  readonly id: number;
  readonly socket: Socket;
  readonly remote: SipSource;
  readonly key: string;
  buffer: Buffer;
  closing: boolean;
}

const empty = Buffer.alloc(0);

export class TcpTransport implements Transport {
  readonly protocol = 'tcp' as const;
  readonly reliable = true;
  onMessage?: (message: SipMessage, from: SipSource) => void;
  onError?: (error: Error, peer?: SipPeer) => void;
  private server?: Server;
  private boundPort = 0;
  private nextId = 1;
  private dropped = 0;
  private closed = false;
  private readonly connections = new Map<number, Connection>();
  private readonly byRemote = new Map<string, Connection>();
  private readonly connecting = new Map<string, Promise<Connection>>();
  private readonly sockets = new Set<Socket>();
  private readonly maxMessageBytes: number;
  private readonly idleTimeoutMs: number;
  private readonly connectTimeoutMs: number;
  private readonly codec: SipCodec;

  constructor(private readonly opts: TcpTransportOptions) {
    this.codec = opts.codec ?? defaultSipCodec;
    this.maxMessageBytes = opts.maxMessageBytes ?? 64 * 1024;
    this.idleTimeoutMs = opts.idleTimeoutMs ?? 120_000;
    this.connectTimeoutMs = opts.connectTimeoutMs ?? 10_000;
  }

  get address(): string {
    return this.opts.address;
  }

  /** The listening port (after `listen`); 0 when only connecting out. */
  get port(): number {
    return this.boundPort;
  }

  /** Open connections, inbound and outbound. */
  get connectionCount(): number {
    return this.connections.size;
  }

  /** Messages dropped (requests without a usable Via) and connections closed for malformed or oversize input. */
  get droppedCount(): number {
    return this.dropped;
  }

  /** True while the connection a message arrived on (`SipSource.connectionId`) is open. */
  hasConnection(id: number): boolean {
    const c = this.connections.get(id);
    return c !== undefined && !c.closing;
  }

  async listen(): Promise<void> {
    const server = createServer((socket) => this.adopt(socket));
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(this.opts.port ?? defaultSipPort, this.opts.address, () => {
        server.off('error', reject);
        resolve();
      });
    });
    server.on('error', (err) => {
      this.opts.logger.warn('SIP TCP server error', { error: err.message });
      this.onError?.(err);
    });
    this.server = server;
    this.boundPort = (server.address() as AddressInfo).port;
    this.opts.logger.debug('SIP TCP listening', { address: this.opts.address, port: this.boundPort });
  }

  /**
   * Sends over the connection named by `to.connectionId` when it is still open, else over the open connection
   * to `to.address:to.port`, else over a new connection to it.
   */
  async send(message: SipMessage | Uint8Array, to: SipSource): Promise<void> {
    if (this.closed) throw new Error('SIP TCP transport is closed');
    const bytes = message instanceof Uint8Array ? message : this.codec.serialize(message);
    const byId = to.connectionId === undefined ? undefined : this.connections.get(to.connectionId);
    const existing = byId && !byId.closing ? byId : this.byRemote.get(peerKey(to));
    const conn = existing && !existing.closing ? existing : await this.connect(to);
    await new Promise<void>((resolve, reject) => {
      conn.socket.write(bytes, (err) => (err ? reject(err) : resolve()));
    });
  }

  async close(): Promise<void> {
    this.closed = true;
    for (const s of this.sockets) s.destroy();
    this.sockets.clear();
    this.connections.clear();
    this.byRemote.clear();
    const server = this.server;
    this.server = undefined;
    if (server) await new Promise<void>((resolve) => server.close(() => resolve()));
  }

  private connect(to: SipPeer): Promise<Connection> {
    const key = peerKey(to);
    const pending = this.connecting.get(key);
    if (pending) return pending;
    const local = this.opts.address;
    const bindLocal = isIP(local) !== 0 && local !== '0.0.0.0' && local !== '::' && isIP(local) === isIP(to.address);
    const attempt = new Promise<Connection>((resolve, reject) => {
      const socket = createConnection({ host: to.address, port: to.port, ...(bindLocal ? { localAddress: local } : {}) });
      this.sockets.add(socket);
      socket.setTimeout(this.connectTimeoutMs, () => socket.destroy(new Error(`SIP TCP connect to ${key} timed out`)));
      const failed = (err: Error): void => {
        this.sockets.delete(socket);
        reject(err);
      };
      socket.once('error', failed);
      socket.once('connect', () => {
        socket.off('error', failed);
        if (this.closed) {
          socket.destroy();
          reject(new Error('SIP TCP transport is closed'));
          return;
        }
        resolve(this.adopt(socket));
      });
    });
    const tracked = attempt.finally(() => this.connecting.delete(key));
    this.connecting.set(key, tracked);
    return tracked;
  }

  private adopt(socket: Socket): Connection {
    const id = this.nextId++;
    const remote: SipSource = {
      transport: 'tcp',
      address: normalizeAddress(socket.remoteAddress ?? ''),
      port: socket.remotePort ?? 0,
      connectionId: id,
    };
    const conn: Connection = { id, socket, remote, key: peerKey(remote), buffer: empty, closing: false };
    this.sockets.add(socket);
    this.connections.set(id, conn);
    this.byRemote.set(conn.key, conn);
    socket.setNoDelay(true);
    socket.setTimeout(this.idleTimeoutMs, () => {
      this.opts.logger.debug('SIP TCP connection idle, closing', { connection: id, remote: conn.key });
      this.closeConnection(conn);
    });
    socket.on('data', (chunk: Buffer) => this.receive(conn, chunk));
    socket.on('error', (err) => {
      this.opts.logger.debug('SIP TCP connection error', { connection: id, remote: conn.key, error: err.message });
      this.onError?.(err, remote);
    });
    socket.on('close', () => this.forget(conn));
    this.opts.logger.debug('SIP TCP connection open', { connection: id, remote: conn.key });
    return conn;
  }

  private forget(conn: Connection): void {
    conn.closing = true;
    conn.buffer = empty;
    this.sockets.delete(conn.socket);
    this.connections.delete(conn.id);
    if (this.byRemote.get(conn.key) === conn) this.byRemote.delete(conn.key);
    // another open connection to the same remote (one inbound, one outbound) takes over reuse
    for (const other of this.connections.values()) {
      if (other.key === conn.key && !other.closing && !this.byRemote.has(conn.key)) this.byRemote.set(conn.key, other);
    }
    this.opts.logger.debug('SIP TCP connection closed', { connection: conn.id, remote: conn.key });
  }

  /** Stops reading; sends `last` (an error response) first when given, then closes. */
  private closeConnection(conn: Connection, last?: Buffer): void {
    if (conn.closing) return;
    conn.closing = true;
    conn.buffer = empty;
    if (this.byRemote.get(conn.key) === conn) this.byRemote.delete(conn.key);
    const s = conn.socket;
    if (last && s.writable) s.end(last, () => s.destroy());
    else s.destroy();
  }

  private receive(conn: Connection, chunk: Buffer): void {
    if (conn.closing) return;
    conn.buffer = conn.buffer.length ? Buffer.concat([conn.buffer, chunk]) : chunk;
    while (!conn.closing) {
      let buf = conn.buffer;
      let skip = 0;
      while (skip < buf.length && (buf[skip] === 0x0d || buf[skip] === 0x0a)) skip++;
      if (skip) conn.buffer = buf = buf.subarray(skip);
      if (!buf.length) return;
      // the head ends with an empty line (CRLF CRLF, or LF LF from lenient senders): until then, wait —
      // unless what has arrived is already not SIP (a bad start line fails at once, not at the idle timeout)
      const headEnd = headTerminator(buf);
      if (headEnd < 0 || headEnd > this.maxMessageBytes) {
        const early = this.codec.parse(buf, { stream: true });
        if (!early.ok && !early.incomplete) this.reject(conn, buf, 400, 'Bad Request', early.reason);
        else if (buf.length > this.maxMessageBytes) this.reject(conn, buf, 513, 'Message Too Large', 'message exceeds the buffer limit');
        return;
      }
      const parsed = this.codec.parse(buf, { stream: true });
      if (parsed.ok && parsed.consumed > 0) {
        conn.buffer = buf.subarray(parsed.consumed);
        this.deliver(conn, parsed.message);
        continue;
      }
      if (!parsed.ok && parsed.incomplete) {
        if (buf.length > this.maxMessageBytes) this.reject(conn, buf, 513, 'Message Too Large', 'message exceeds the buffer limit');
        return;
      }
      this.reject(conn, buf, 400, 'Bad Request', parsed.ok ? 'codec consumed nothing' : parsed.reason);
      return;
    }
  }

  private reject(conn: Connection, buf: Buffer, status: number, reason: string, why: string): void {
    this.dropped++;
    const response = rawErrorResponse(buf, status, reason);
    this.opts.logger.debug('closing SIP TCP connection after bad input', {
      connection: conn.id,
      remote: conn.key,
      why,
      answered: response ? status : 'no',
      dropped: this.dropped,
    });
    this.closeConnection(conn, response);
  }

  private deliver(conn: Connection, parsed: SipMessage): void {
    let message = parsed;
    if (message.kind === 'request') {
      const stamped = stampReceived(message, conn.remote);
      if (!stamped) {
        this.dropped++;
        this.opts.logger.debug('dropped SIP request without a valid Via', { connection: conn.id, remote: conn.key });
        return;
      }
      message = stamped;
    }
    try {
      this.onMessage?.(message, conn.remote);
    } catch (e) {
      this.opts.logger.error('SIP message handler failed', { error: errorDetail(e) });
    }
  }
}

/** Where the empty line ending a message head starts (CRLF CRLF, or a lenient LF LF), or -1. */
function headTerminator(buf: Buffer): number {
  const crlf = buf.indexOf('\n\r\n');
  const lf = buf.indexOf('\n\n');
  return crlf < 0 ? lf : lf < 0 ? crlf : Math.min(crlf, lf);
}
