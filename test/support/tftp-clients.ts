/**
 * TFTP clients for the tests and the benchmark: the real peers — atftp 0.8 (RFC 2347/2348/2349 options) and
 * tftp-hpa 5.2's `tftp` (plain RFC 1350: it sends no options) — run as processes, in a network namespace when
 * asked; and a raw UDP peer speaking the packets of src/tftp, from which `tftpFetch`, a minimal lock-step client,
 * is built. tftp-hpa exits 0 even when the server refused: its stdout says so (`Error code 2: …`).
 */
import { execFile } from 'node:child_process';
import { createSocket, type Socket } from 'node:dgram';
import { decodePacket, encodePacket, type TftpPacket } from '../../src/tftp/index.js';

export interface TftpTarget {
  readonly host: string;
  readonly port: number;
  /** Runs the client inside this network namespace. */
  readonly netns?: string;
}

export interface ClientRun {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

function runClient(t: TftpTarget, command: string, args: readonly string[], timeoutMs: number): Promise<ClientRun> {
  const [cmd, argv] = t.netns ? ['ip', ['netns', 'exec', t.netns, command, ...args]] : [command, [...args]];
  return new Promise((resolve) => {
    execFile(cmd, argv, { timeout: timeoutMs }, (err, stdout, stderr) => {
      const code = err ? (typeof err.code === 'number' ? err.code : -1) : 0;
      resolve({ code, stdout, stderr });
    });
  });
}

export interface AtftpOptions {
  /** RFC 2348 blksize to ask for. */
  readonly blksize?: number;
  /** Ask for tsize (RFC 2349). */
  readonly tsize?: boolean;
  /** atftp's own retransmission timeout, seconds (5 by default). */
  readonly clientTimeoutS?: number;
  readonly timeoutMs?: number;
}

function atftpArgs(o: AtftpOptions): string[] {
  const args = ['--trace'];
  if (o.blksize !== undefined) args.push('--option', `blksize ${o.blksize}`);
  if (o.tsize) args.push('--option', 'tsize 0');
  if (o.clientTimeoutS !== undefined) args.push('--tftp-timeout', String(o.clientTimeoutS));
  return args;
}

/** `atftp --get -r <remote> -l <local> <host> <port>`. */
export function atftpGet(t: TftpTarget, remote: string, local: string, o: AtftpOptions = {}): Promise<ClientRun> {
  return runClient(t, 'atftp', [...atftpArgs(o), '--get', '-r', remote, '-l', local, t.host, String(t.port)], o.timeoutMs ?? 60_000);
}

/** `atftp --put -r <remote> -l <local> <host> <port>`. */
export function atftpPut(t: TftpTarget, remote: string, local: string): Promise<ClientRun> {
  return runClient(t, 'atftp', ['--put', '-r', remote, '-l', local, t.host, String(t.port)], 30_000);
}

/** tftp-hpa: `tftp -m <mode> <host> <port> -c get <remote> <local>` (binary = octet, ascii = netascii). */
export function tftpHpaGet(t: TftpTarget, remote: string, local: string, mode: 'binary' | 'ascii' = 'binary', timeoutMs = 60_000): Promise<ClientRun> {
  return runClient(t, 'tftp', ['-m', mode, t.host, String(t.port), '-c', 'get', remote, local], timeoutMs);
}

/** tftp-hpa: `tftp -m binary <host> <port> -c put <local> <remote>`. */
export function tftpHpaPut(t: TftpTarget, local: string, remote: string): Promise<ClientRun> {
  return runClient(t, 'tftp', ['-m', 'binary', t.host, String(t.port), '-c', 'put', local, remote], 30_000);
}

export interface Received {
  readonly packet: TftpPacket;
  readonly from: { readonly address: string; readonly port: number };
}

/** A UDP socket on 127.0.0.1 that sends and receives TFTP packets one by one; keeps every packet it got. */
export class RawTftpPeer {
  readonly history: Received[] = [];
  private readonly queue: Received[] = [];
  private waiter: ((r: Received) => void) | undefined;

  private constructor(readonly socket: Socket) {
    socket.on('message', (msg, rinfo) => {
      const r = { packet: decodePacket(msg), from: { address: rinfo.address, port: rinfo.port } };
      this.history.push(r);
      const w = this.waiter;
      this.waiter = undefined;
      if (w) w(r);
      else this.queue.push(r);
    });
  }

  static async open(address = '127.0.0.1'): Promise<RawTftpPeer> {
    const s = createSocket('udp4');
    await new Promise<void>((resolve) => s.bind(0, address, resolve));
    return new RawTftpPeer(s);
  }

  get port(): number {
    return this.socket.address().port;
  }

  /** Resolves once the datagram left (closing the socket before that would drop it). */
  send(packet: TftpPacket | Buffer, port: number, address = '127.0.0.1'): Promise<void> {
    return new Promise((resolve, reject) => {
      this.socket.send(Buffer.isBuffer(packet) ? packet : encodePacket(packet), port, address, (e) => (e ? reject(e) : resolve()));
    });
  }

  /** The next packet received; rejects after timeoutMs. */
  next(timeoutMs = 10_000): Promise<Received> {
    const queued = this.queue.shift();
    if (queued) return Promise.resolve(queued);
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.waiter = undefined;
        reject(new Error(`no TFTP packet within ${timeoutMs} ms`));
      }, timeoutMs);
      this.waiter = (r) => {
        clearTimeout(timer);
        resolve(r);
      };
    });
  }

  close(): void {
    this.socket.close();
  }
}

export interface FetchOptions {
  readonly blksize?: number;
  /** Retransmission timeout of the client, ms (default 1000); 5 tries. */
  readonly timeoutMs?: number;
}

/**
 * A minimal octet-mode read (the benchmark's client): RRQ (with blksize when given), ACK 0 to an OACK, one ACK
 * per DATA; a timeout resends the last packet. Throws on an ERROR or after 5 silent timeouts.
 */
export async function tftpFetch(host: string, port: number, file: string, o: FetchOptions = {}): Promise<Buffer> {
  const peer = await RawTftpPeer.open(host);
  try {
    const options = new Map(o.blksize ? [['blksize', String(o.blksize)]] : []);
    let last: TftpPacket = { op: 'RRQ', filename: file, mode: 'octet', options };
    let to = port;
    let blockSize = 512;
    let expected = 1;
    const chunks: Buffer[] = [];
    await peer.send(last, to, host);
    for (let tries = 0; ; ) {
      let r: Received;
      try {
        r = await peer.next(o.timeoutMs ?? 1000);
      } catch (e) {
        if (++tries >= 5) throw e;
        await peer.send(last, to, host);
        continue;
      }
      const p = r.packet;
      if (p.op === 'ERROR') throw new Error(`TFTP error ${p.code}: ${p.message}`);
      to = r.from.port;
      if (p.op === 'OACK' && expected === 1) {
        blockSize = Number(p.options.get('blksize') ?? 512);
        last = { op: 'ACK', block: 0 };
      } else if (p.op === 'DATA' && p.block === expected % 0x10000) {
        chunks.push(p.data);
        last = { op: 'ACK', block: p.block };
        expected += 1;
        tries = 0;
        if (p.data.length < blockSize) {
          await peer.send(last, to, host);
          return Buffer.concat(chunks);
        }
      } else continue;
      await peer.send(last, to, host);
    }
  } finally {
    peer.close();
  }
}
