/**
 * One read transfer (RFC 1350 section 2): from its own socket — the server's transfer identifier (TID) — it sends
 * the OACK (RFC 2347) or DATA 1, then one DATA block per ACK, in lock step. Only a timeout retransmits, with the
 * wait doubling up to a bound: a duplicate ACK is ignored, so the Sorcerer's Apprentice never starts (RFC 1123
 * 4.2.3.1). A packet from any other address or port gets error 5 and leaves the transfer alone (RFC 1350 section
 * 4). The OACK alone is not retransmitted on the timer but when the client repeats its request (RFC 1350 section 2
 * lets either side retransmit its last packet): a client whose ACK 0 was lost retransmits it itself, and atftp 0.8
 * aborts a transfer that brings it a second OACK. The block after the one whose data is shorter than the block size is never sent: that block ends the
 * transfer, an empty one when the file is a multiple of the block size (RFC 1350 section 6).
 */
import type { Socket } from 'node:dgram';
import type { Clock, TimerHandle } from '../base/index.js';
import { BLOCK_MODULO, decodePacket, encodePacket, ErrorCode, errorPacket, TftpPacketError } from './packets.js';
import type { Negotiated } from './options.js';

export interface TftpPeer {
  readonly address: string;
  readonly port: number;
}

export interface TransferTiming {
  /** First retransmission after this long when the client did not negotiate a timeout (RFC 2349). */
  readonly timeoutMs: number;
  /** Each further wait doubles, up to this (or the negotiated timeout when that is longer). */
  readonly maxTimeoutMs: number;
  /** Retransmissions of one packet before the transfer gives up. */
  readonly retries: number;
}

export type TransferOutcome =
  /** The last block was acknowledged. */
  | 'complete'
  /** No answer after every retransmission. */
  | 'timeout'
  /** The client answered the OACK with error 8 (RFC 2347). */
  | 'options-refused'
  /** The client sent an error. */
  | 'peer-error'
  /** The client sent a packet that has no place in a read transfer (answered with error 4). */
  | 'illegal'
  /** The server stopped. */
  | 'aborted';

export interface TransferResult {
  readonly outcome: TransferOutcome;
  /** DATA blocks acknowledged. */
  readonly blocks: number;
  readonly retransmissions: number;
  readonly detail?: string;
}

export interface TransferOptions {
  /** Bound to the server's address on a port of its own; the transfer closes it when it ends. */
  readonly socket: Socket;
  readonly peer: TftpPeer;
  readonly data: Buffer;
  readonly negotiated: Negotiated;
  readonly timing: TransferTiming;
  readonly clock: Clock;
}

export class ReadTransfer {
  readonly done: Promise<TransferResult>;
  private finish!: (r: TransferResult) => void;
  /** The block whose ACK is awaited: 0 while the OACK is. */
  private expected: number;
  private readonly lastBlock: number;
  private last: Buffer = Buffer.alloc(0);
  private tries = 0;
  private retransmissions = 0;
  private timer: TimerHandle | undefined;
  private ended = false;

  constructor(private readonly o: TransferOptions) {
    this.done = new Promise((resolve) => (this.finish = resolve));
    this.lastBlock = Math.floor(o.data.length / o.negotiated.blockSize) + 1;
    o.socket.on('message', (msg, rinfo) => this.onMessage(msg, rinfo));
    o.socket.on('error', (e) => this.end('aborted', `socket error: ${e.message}`));
    if (o.negotiated.acknowledged.size > 0) {
      this.expected = 0;
      this.send(encodePacket({ op: 'OACK', options: o.negotiated.acknowledged }));
    } else {
      this.expected = 1;
      this.sendBlock(1);
    }
  }

  /** Ends the transfer at once, telling the client (error 0), as when the server stops. */
  abort(reason: string): void {
    if (this.ended) return;
    this.o.socket.send(errorPacket(ErrorCode.NOT_DEFINED, reason), this.o.peer.port, this.o.peer.address, () => this.end('aborted', reason));
    this.ended = true;
  }

  private sendBlock(block: number): void {
    const size = this.o.negotiated.blockSize;
    const data = this.o.data.subarray((block - 1) * size, block * size);
    this.send(encodePacket({ op: 'DATA', block: block % BLOCK_MODULO, data }));
  }

  private send(packet: Buffer): void {
    this.last = packet;
    this.tries = 0;
    this.transmit();
  }

  private transmit(): void {
    this.o.socket.send(this.last, this.o.peer.port, this.o.peer.address);
    this.timer?.cancel();
    this.timer = this.o.clock.setTimer(this.wait(), () => this.onTimeout());
  }

  private wait(): number {
    const { timeoutS } = this.o.negotiated;
    const base = timeoutS === undefined ? this.o.timing.timeoutMs : timeoutS * 1000;
    return Math.min(base * 2 ** this.tries, Math.max(base, this.o.timing.maxTimeoutMs));
  }

  private onTimeout(): void {
    if (this.ended) return;
    if (this.tries >= this.o.timing.retries) {
      this.end('timeout', `no ACK ${this.expected} after ${this.tries} timeouts`);
      return;
    }
    this.tries += 1;
    if (this.expected > 0) {
      this.retransmissions += 1;
      this.transmit();
    } else this.timer = this.o.clock.setTimer(this.wait(), () => this.onTimeout());
  }

  /** The client sent its request again: its OACK was lost (or is late), so it is sent again. */
  requestRepeated(): void {
    if (this.ended || this.expected !== 0) return;
    this.retransmissions += 1;
    this.o.socket.send(this.last, this.o.peer.port, this.o.peer.address);
  }

  private onMessage(msg: Buffer, from: TftpPeer): void {
    if (this.ended) return;
    if (from.address !== this.o.peer.address || from.port !== this.o.peer.port) {
      this.o.socket.send(errorPacket(ErrorCode.UNKNOWN_TID, 'Unknown transfer ID'), from.port, from.address);
      return;
    }
    let packet;
    try {
      packet = decodePacket(msg);
    } catch (e) {
      if (!(e instanceof TftpPacketError)) throw e;
      this.refuse(e.message);
      return;
    }
    if (packet.op === 'ACK') {
      // A duplicate (or any other) ACK is not an answer to what is outstanding: only the timer retransmits.
      if (packet.block !== this.expected % BLOCK_MODULO) return;
      if (this.expected === this.lastBlock) {
        this.end('complete');
        return;
      }
      this.expected += 1;
      this.sendBlock(this.expected);
    } else if (packet.op === 'ERROR') {
      const refused = packet.code === ErrorCode.OPTIONS_REFUSED && this.expected === 0;
      this.end(refused ? 'options-refused' : 'peer-error', `error ${packet.code} ${packet.message}`);
    } else {
      this.refuse(`${packet.op} in a read transfer`);
    }
  }

  private refuse(detail: string): void {
    this.o.socket.send(errorPacket(ErrorCode.ILLEGAL_OPERATION, 'Illegal TFTP operation'), this.o.peer.port, this.o.peer.address, () => this.end('illegal', detail));
    this.ended = true;
  }

  private end(outcome: TransferOutcome, detail?: string): void {
    this.ended = true;
    this.timer?.cancel();
    this.o.socket.removeAllListeners('message');
    try {
      this.o.socket.close();
    } catch {
      /* already closed */
    }
    const blocks = outcome === 'complete' ? this.lastBlock : Math.max(0, this.expected - 1);
    this.finish({ outcome, blocks, retransmissions: this.retransmissions, ...(detail === undefined ? {} : { detail }) });
  }
}
