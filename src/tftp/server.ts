/**
 * hometel's TFTP server: read requests only (RFC 1350), with the options of RFC 2347/2348/2349. It listens on one
 * address and port; each read request that passes the checks (mode, filename) is answered from the `read`
 * callback — the server itself knows no files — by a transfer on a socket of its own (RFC 1350 section 4: the
 * server's TID). Write requests are refused (error 2), a datagram that is no request gets error 4, and the server
 * keeps serving everyone else. Every transfer ends with one log line.
 */
import { createSocket, type RemoteInfo, type Socket } from 'node:dgram';
import { isIPv6 } from 'node:net';
import { errorDetail, systemClock, type Clock, type Logger } from '../base/index.js';
import { negotiate } from './options.js';
import { decodePacket, ErrorCode, errorPacket, TftpPacketError, type TftpErrorCode, type TftpPacket } from './packets.js';
import { filenameProblem, printable, toNetascii, transferMode } from './requests.js';
import { ReadTransfer, type TftpPeer, type TransferTiming } from './transfer.js';

/** A file's bytes, or the TFTP error to answer instead (1 "File not found", 2 "Access violation", …). */
export type TftpReadAnswer = Buffer | { readonly code: TftpErrorCode; readonly message: string };
export type TftpReadHandler = (path: string, peer: TftpPeer) => Promise<TftpReadAnswer>;

export interface TftpServerOptions {
  readonly host: string;
  /** 0: any free port (see `port` once started). */
  readonly port: number;
  readonly read: TftpReadHandler;
  readonly logger: Logger;
  readonly clock?: Clock;
  /** Transfers at once (requests being looked up count); a request beyond is dropped, and the client retries. Default 64. */
  readonly maxTransfers?: number;
  /**
   * The largest blksize granted (RFC 2348): what fits one datagram on the path. Default 1468 (an Ethernet MTU of
   * 1500 less the IPv4, UDP and TFTP headers), so 1428 — what many phones ask for — is granted as asked.
   */
  readonly maxBlockSize?: number;
  readonly timing?: Partial<TransferTiming>;
  /** How a requested path appears in log lines (e.g. with a secret masked); as it is by default. */
  readonly logPath?: (path: string) => string;
}

const defaultTiming: TransferTiming = { timeoutMs: 1000, maxTimeoutMs: 8000, retries: 5 };

const key = (peer: TftpPeer): string => `${peer.address}|${peer.port}`;

export class TftpServer {
  /** Transfers by client TID; undefined while the file is being looked up. */
  private readonly live = new Map<string, ReadTransfer | undefined>();
  private readonly clock: Clock;
  private readonly timing: TransferTiming;
  private readonly log: Logger;
  private readonly logPath: (path: string) => string;
  private closed = false;

  private constructor(
    private readonly o: TftpServerOptions,
    private readonly socket: Socket,
  ) {
    this.clock = o.clock ?? systemClock;
    this.timing = { ...defaultTiming, ...o.timing };
    this.log = o.logger;
    this.logPath = o.logPath ?? ((p) => p);
    socket.on('message', (msg, rinfo) => this.onRequest(msg, rinfo));
    socket.on('error', (e) => this.log.error('TFTP socket error', { error: e.message }));
  }

  static async start(o: TftpServerOptions): Promise<TftpServer> {
    const socket = createSocket(isIPv6(o.host) ? 'udp6' : 'udp4');
    await new Promise<void>((resolve, reject) => {
      socket.once('error', reject);
      socket.bind(o.port, o.host, () => {
        socket.off('error', reject);
        resolve();
      });
    });
    const server = new TftpServer(o, socket);
    server.log.info('TFTP listening', { address: `${o.host}:${server.port}` });
    return server;
  }

  get port(): number {
    return this.socket.address().port;
  }

  /** Transfers running (and requests being looked up) now. */
  get transfers(): number {
    return this.live.size;
  }

  /** Stops listening and ends the running transfers (error 0 to their clients). */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await new Promise<void>((resolve) => this.socket.close(() => resolve()));
    const running = [...this.live.values()].filter((t): t is ReadTransfer => t !== undefined);
    for (const t of running) t.abort('Server shutting down');
    await Promise.all(running.map((t) => t.done));
  }

  private onRequest(msg: Buffer, rinfo: RemoteInfo): void {
    const peer: TftpPeer = { address: rinfo.address, port: rinfo.port };
    let packet: TftpPacket;
    try {
      packet = decodePacket(msg);
    } catch (e) {
      if (!(e instanceof TftpPacketError)) throw e;
      this.log.warn('not a TFTP request', { peer: `${peer.address}:${peer.port}`, bytes: msg.length, error: e.message });
      this.socket.send(errorPacket(ErrorCode.ILLEGAL_OPERATION, 'Illegal TFTP operation'), peer.port, peer.address);
      return;
    }
    // An error is never answered (RFC 1350 section 7): the sender is done with whatever it was.
    if (packet.op === 'ERROR') return;
    if (packet.op !== 'RRQ' && packet.op !== 'WRQ') {
      this.log.warn('not a TFTP request', { peer: `${peer.address}:${peer.port}`, op: packet.op });
      this.socket.send(errorPacket(ErrorCode.ILLEGAL_OPERATION, 'Illegal TFTP operation'), peer.port, peer.address);
      return;
    }
    const file = this.logPath(printable(packet.filename));
    const fields = { peer: `${peer.address}:${peer.port}`, file };
    if (packet.op === 'WRQ') {
      this.log.info('write request refused', fields);
      void this.answerError(peer, ErrorCode.ACCESS_VIOLATION, 'Access violation: this server does not accept writes');
      return;
    }
    const k = key(peer);
    if (this.live.has(k)) {
      // The client repeated its request before our first answer reached it: no second transfer (see ReadTransfer).
      this.log.debug('repeated request', fields);
      this.live.get(k)?.requestRepeated();
      return;
    }
    const mode = transferMode(packet.mode);
    if (!mode) {
      this.log.info('request refused', { ...fields, reason: `mode ${printable(packet.mode)}` });
      void this.answerError(peer, ErrorCode.ILLEGAL_OPERATION, `Illegal TFTP operation: mode ${printable(packet.mode)} (octet or netascii only)`);
      return;
    }
    const problem = filenameProblem(packet.filename);
    if (problem) {
      this.log.warn('request refused', { ...fields, reason: problem });
      void this.answerError(peer, ErrorCode.ACCESS_VIOLATION, 'Access violation');
      return;
    }
    if (this.live.size >= (this.o.maxTransfers ?? 64)) {
      this.log.warn('request dropped: too many transfers', { ...fields, transfers: this.live.size });
      return;
    }
    this.live.set(k, undefined);
    void this.serve(packet.filename, mode, packet.options, peer, fields).finally(() => this.live.delete(k));
  }

  private async serve(filename: string, mode: 'octet' | 'netascii', options: ReadonlyMap<string, string>, peer: TftpPeer, fields: { peer: string; file: string }): Promise<void> {
    const started = this.clock.now();
    let answer: TftpReadAnswer;
    try {
      answer = await this.o.read(filename, peer);
    } catch (e) {
      this.log.error('reading the file failed', { ...fields, error: errorDetail(e) });
      answer = { code: ErrorCode.NOT_DEFINED, message: 'Internal error' };
    }
    if (this.closed) return;
    if (!Buffer.isBuffer(answer)) {
      this.log.info('request refused', { ...fields, error: answer.code, reason: answer.message });
      await this.answerError(peer, answer.code, answer.message);
      return;
    }
    const data = mode === 'netascii' ? toNetascii(answer) : answer;
    const negotiated = negotiate(options, data.length, this.o.maxBlockSize ?? 1468);
    const socket = await this.transferSocket();
    if (this.closed) {
      socket.close();
      return;
    }
    const transfer = new ReadTransfer({ socket, peer, data, negotiated, timing: this.timing, clock: this.clock });
    this.live.set(key(peer), transfer);
    const r = await transfer.done;
    const line = {
      ...fields,
      mode,
      bytes: data.length,
      blksize: negotiated.blockSize,
      blocks: r.blocks,
      retransmissions: r.retransmissions,
      ms: this.clock.now() - started,
      outcome: r.outcome,
      detail: r.detail,
    };
    if (r.outcome === 'complete') this.log.info('file served', line);
    else this.log.warn('transfer ended early', line);
  }

  /** A fresh socket on the server's address: a new TID, as for any answer to a request (RFC 1350 section 4). */
  private async transferSocket(): Promise<Socket> {
    const s = createSocket(isIPv6(this.o.host) ? 'udp6' : 'udp4');
    await new Promise<void>((resolve, reject) => {
      s.once('error', reject);
      s.bind(0, this.o.host, () => {
        s.off('error', reject);
        resolve();
      });
    });
    return s;
  }

  /** An error in answer to a request, from a TID of its own (clients take the first answer's port as the server's). */
  private async answerError(peer: TftpPeer, code: TftpErrorCode, message: string): Promise<void> {
    try {
      const s = await this.transferSocket();
      s.send(errorPacket(code, message), peer.port, peer.address, () => s.close());
    } catch (e) {
      this.log.warn('could not answer a request', { peer: `${peer.address}:${peer.port}`, error: errorDetail(e) });
    }
  }
}
