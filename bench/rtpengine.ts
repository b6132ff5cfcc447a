/**
 * rtpengine (Debian's rtpengine-daemon) as the reference relay of the media benchmark: the daemon in the foreground
 * in userspace-only mode (--table=-1, no kernel module), on 127.0.0.1, and a client of its ng control protocol
 * (bencoded dictionaries over UDP, each datagram `<cookie> <dict>`).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { createSocket, type Socket } from 'node:dgram';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { hasExited, OutputTail, terminate, trackChild } from '../test/support/children.js';
import { asError } from '../src/base/index.js';

// ------------------------------------------------------------------ bencode

export type BValue = string | number | Buffer | readonly BValue[] | { readonly [key: string]: BValue };

export function bencode(v: BValue): Buffer {
  const parts: Buffer[] = [];
  const put = (x: BValue): void => {
    if (typeof x === 'number') {
      if (!Number.isInteger(x)) throw new TypeError(`bencode: ${x} is no integer`);
      parts.push(Buffer.from(`i${x}e`));
    } else if (typeof x === 'string' || Buffer.isBuffer(x)) {
      const b = typeof x === 'string' ? Buffer.from(x, 'utf8') : x;
      parts.push(Buffer.from(`${b.length}:`), b);
    } else if (Array.isArray(x)) {
      parts.push(Buffer.from('l'));
      for (const e of x as readonly BValue[]) put(e);
      parts.push(Buffer.from('e'));
    } else {
      const dict = x as { readonly [key: string]: BValue };
      parts.push(Buffer.from('d'));
      // Keys in byte order, as bencode requires.
      for (const k of Object.keys(dict).sort((a, b) => Buffer.compare(Buffer.from(a), Buffer.from(b)))) {
        put(k);
        put(dict[k]!);
      }
      parts.push(Buffer.from('e'));
    }
  };
  put(v);
  return Buffer.concat(parts);
}

/** Decodes one bencoded value; byte strings come back as UTF-8 strings (the ng protocol's are text). */
export function bdecode(buf: Buffer): BValue {
  let i = 0;
  const fail = (why: string): never => {
    throw new Error(`bdecode: ${why} at byte ${i}`);
  };
  const value = (): BValue => {
    const c = buf[i];
    if (c === undefined) return fail('unexpected end');
    if (c === 0x69 /* i */) {
      const end = buf.indexOf(0x65, i);
      if (end < 0) fail('unterminated integer');
      const n = Number(buf.toString('latin1', i + 1, end));
      if (!Number.isInteger(n)) fail('bad integer');
      i = end + 1;
      return n;
    }
    if (c === 0x6c /* l */) {
      i++;
      const list: BValue[] = [];
      while (buf[i] !== 0x65) list.push(value());
      i++;
      return list;
    }
    if (c === 0x64 /* d */) {
      i++;
      const dict: Record<string, BValue> = {};
      while (buf[i] !== 0x65) {
        const k = value();
        if (typeof k !== 'string') fail('dictionary key is no string');
        dict[k as string] = value();
      }
      i++;
      return dict;
    }
    if (c >= 0x30 && c <= 0x39) {
      const colon = buf.indexOf(0x3a, i);
      if (colon < 0) fail('string without length');
      const len = Number(buf.toString('latin1', i, colon));
      if (!Number.isInteger(len) || colon + 1 + len > buf.length) fail('bad string length');
      const s = buf.toString('utf8', colon + 1, colon + 1 + len);
      i = colon + 1 + len;
      return s;
    }
    return fail(`unexpected byte 0x${c.toString(16)}`);
  };
  const v = value();
  if (i !== buf.length) fail('trailing bytes');
  return v;
}

// ------------------------------------------------------------------ ng client

export type NgReply = { readonly [key: string]: BValue };

export class NgClient {
  private readonly sock: Socket;
  private readonly pending = new Map<string, { resolve: (r: NgReply) => void; reject: (e: Error) => void }>();
  private next = 1;
  private readonly prefix = `${process.pid}_${Date.now().toString(36)}_`;

  private constructor(
    private readonly port: number,
    sock: Socket,
  ) {
    this.sock = sock;
    sock.on('message', (msg) => {
      const space = msg.indexOf(0x20);
      if (space < 0) return;
      const cookie = msg.toString('latin1', 0, space);
      const p = this.pending.get(cookie);
      if (!p) return; // a late answer to a retransmission
      this.pending.delete(cookie);
      try {
        const reply = bdecode(msg.subarray(space + 1));
        if (typeof reply !== 'object' || Array.isArray(reply) || Buffer.isBuffer(reply)) throw new Error('ng reply is no dictionary');
        p.resolve(reply as NgReply);
      } catch (e) {
        p.reject(asError(e));
      }
    });
  }

  static async open(port: number): Promise<NgClient> {
    const sock = createSocket('udp4');
    await new Promise<void>((r) => sock.bind(0, '127.0.0.1', r));
    return new NgClient(port, sock);
  }

  /** One command; UDP, so it is sent again (same cookie: rtpengine answers a repeat from its cache) until answered. */
  async request(command: string, args: { readonly [key: string]: BValue } = {}, timeoutMs = 5000): Promise<NgReply> {
    const cookie = `${this.prefix}${this.next++}`;
    const body = Buffer.concat([Buffer.from(`${cookie} `), bencode({ ...args, command })]);
    const reply = new Promise<NgReply>((resolve, reject) => this.pending.set(cookie, { resolve, reject }));
    const send = (): void => this.sock.send(body, this.port, '127.0.0.1');
    send();
    const resend = setInterval(send, 500);
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error(`rtpengine ng ${command}: no answer within ${timeoutMs} ms`)), timeoutMs);
    });
    try {
      const r = await Promise.race([reply, timeout]);
      if (r.result !== 'ok' && r.result !== 'pong') throw new Error(`rtpengine ng ${command}: ${JSON.stringify(r.result)} ${JSON.stringify(r['error-reason'] ?? '')}`);
      return r;
    } finally {
      clearInterval(resend);
      clearTimeout(timer);
      this.pending.delete(cookie);
    }
  }

  close(): void {
    this.sock.close();
  }
}

// ------------------------------------------------------------------ the daemon

export interface Rtpengine {
  readonly pid: number;
  readonly ng: NgClient;
  /** SIGTERM, then SIGKILL after 5 s; removes its working directory. */
  stop(): Promise<void>;
}

export interface RtpengineOptions {
  readonly ngPort: number;
  readonly portMin: number;
  readonly portMax: number;
}

/** Starts rtpengine in the foreground and waits until it answers an ng ping. */
export async function startRtpengine(opts: RtpengineOptions): Promise<Rtpengine> {
  const dir = mkdtempSync(join(tmpdir(), 'hometel-bench-rtpengine-'));
  const args = [
    '--config-file=none', // not /etc/rtpengine/rtpengine.conf: every setting is here
    '--foreground',
    '--log-stderr',
    '--log-level=4',
    '--table=-1', // userspace forwarding only
    '--interface=127.0.0.1',
    `--listen-ng=127.0.0.1:${opts.ngPort}`,
    `--port-min=${opts.portMin}`,
    `--port-max=${opts.portMax}`,
    '--delete-delay=0', // ports back at once after "delete"
    '--timeout=60',
  ];
  const child: ChildProcess = spawn('rtpengine', args, { cwd: dir, stdio: ['ignore', 'ignore', 'pipe'] });
  const stderr = new OutputTail(child.stderr, 4000);
  // A daemon outlives its parent: should the bench die without its finally blocks, take rtpengine along.
  trackChild(child, 'SIGKILL');
  const spawnError = new Promise<never>((_, reject) => child.once('error', reject));
  const stop = async (): Promise<void> => {
    await terminate(child, 5000);
    rmSync(dir, { recursive: true, force: true });
  };
  let ng: NgClient | undefined;
  try {
    ng = await NgClient.open(opts.ngPort);
    const deadline = Date.now() + 10_000;
    for (;;) {
      if (hasExited(child)) throw new Error(`rtpengine exited at start: ${stderr.toString().trim()}`);
      try {
        await Promise.race([ng.request('ping', {}, 500), spawnError]);
        break;
      } catch (e) {
        if (Date.now() > deadline || (e as NodeJS.ErrnoException).code === 'ENOENT') throw e;
      }
    }
  } catch (e) {
    ng?.close();
    await stop();
    throw e;
  }
  const client = ng;
  return {
    pid: child.pid!,
    ng: client,
    stop: async () => {
      client.close();
      await stop();
    },
  };
}
