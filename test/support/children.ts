/**
 * The tests' (and benchmarks') child processes: the exit hook that never leaves one behind, stopping one by PID
 * (SIGTERM, then SIGKILL), the tail of its output, its work directory, its process tree, and waiting until it has
 * bound a loopback port. Used by every peer (SIPp, Kamailio, baresip, GUPnP, tcpdump, rtpengine) and by the
 * processes hometel's own tests start.
 */
import { execFile, type ChildProcess } from 'node:child_process';
import { mkdtemp, readdir, readFile, readlink } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';

const liveChildren = new Map<ChildProcess, NodeJS.Signals>();
let exitHookInstalled = false;

/**
 * Remembers a child so that it gets `signal` if this process exits without stopping it: the last resort when a
 * test (or a benchmark) forgot stop() or died, so that no peer is left behind. SIGTERM by default, so that a peer
 * still cleans up (a GUPnP device sends byebye and removes its description directory, Kamailio stops its own
 * children). Only our own children.
 */
export function trackChild(child: ChildProcess, signal: NodeJS.Signals = 'SIGTERM'): void {
  liveChildren.set(child, signal);
  child.once('exit', () => liveChildren.delete(child));
  if (!exitHookInstalled) {
    exitHookInstalled = true;
    process.once('exit', () => {
      for (const [c, s] of liveChildren) {
        if (!hasExited(c)) c.kill(s);
      }
    });
  }
}

export function hasExited(child: ChildProcess): boolean {
  return child.exitCode !== null || child.signalCode !== null;
}

export function waitForExit(child: ChildProcess, timeoutMs: number): Promise<boolean> {
  if (hasExited(child)) return Promise.resolve(true);
  return new Promise((resolve) => {
    const timer = setTimeout(() => {
      child.off('exit', onExit);
      resolve(false);
    }, timeoutMs);
    const onExit = (): void => {
      clearTimeout(timer);
      resolve(true);
    };
    child.once('exit', onExit);
  });
}

/** SIGTERM to the child's PID, SIGKILL after graceMs; resolves once it has exited. */
export async function terminate(child: ChildProcess, graceMs: number): Promise<void> {
  if (hasExited(child) || child.pid === undefined) return;
  child.kill('SIGTERM');
  if (await waitForExit(child, graceMs)) return;
  child.kill('SIGKILL');
  await waitForExit(child, graceMs);
}

/** Keeps the last `limit` characters a stream produced. */
export class OutputTail {
  private text = '';
  constructor(
    stream: NodeJS.ReadableStream | null,
    private readonly limit = 64 * 1024,
  ) {
    stream?.setEncoding('utf8');
    stream?.on('data', (chunk: string) => this.append(chunk));
  }
  append(chunk: string): void {
    this.text += chunk;
    if (this.text.length > this.limit) this.text = this.text.slice(-this.limit);
  }
  toString(): string {
    return this.text;
  }
}

export function makeTempDir(prefix: string): Promise<string> {
  return mkdtemp(path.join(os.tmpdir(), prefix));
}

export function runCommand(
  cmd: string,
  args: string[],
  opts: { okCodes?: number[]; timeoutMs?: number } = {},
): Promise<{ stdout: string; stderr: string; code: number }> {
  const okCodes = opts.okCodes ?? [0];
  return new Promise((resolve, reject) => {
    execFile(cmd, args, { maxBuffer: 16 * 1024 * 1024, timeout: opts.timeoutMs ?? 10_000 }, (error, stdout, stderr) => {
      const code = error ? (typeof error.code === 'number' ? error.code : -1) : 0;
      if (okCodes.includes(code)) resolve({ stdout, stderr, code });
      else reject(new Error(`${cmd} ${args.join(' ')} failed (${error?.message ?? code})\n${stderr}${stdout}`));
    });
  });
}

/** Inodes of the sockets bound to 127.0.0.1:port (or 0.0.0.0:port) in /proc/net/{udp,tcp}; TCP: LISTEN only. */
async function boundSocketInodes(port: number, protocol: 'udp' | 'tcp'): Promise<Set<string>> {
  const table = await readFile(`/proc/net/${protocol}`, 'utf8');
  const wanted = port.toString(16).toUpperCase().padStart(4, '0');
  const inodes = new Set<string>();
  for (const line of table.split('\n').slice(1)) {
    const f = line.trim().split(/\s+/);
    if (f.length < 10) continue;
    const [addr, p] = f[1]!.split(':');
    if (p !== wanted) continue;
    if (addr !== '0100007F' && addr !== '00000000') continue;
    if (protocol === 'tcp' && f[3] !== '0A') continue; // LISTEN
    inodes.add(f[9]!);
  }
  return inodes;
}

async function socketInodesOf(pid: number): Promise<Set<string>> {
  const out = new Set<string>();
  let fds: string[];
  try {
    fds = await readdir(`/proc/${pid}/fd`);
  } catch {
    return out;
  }
  for (const fd of fds) {
    try {
      const m = /^socket:\[(\d+)\]$/.exec(await readlink(`/proc/${pid}/fd/${fd}`));
      if (m) out.add(m[1]!);
    } catch {
      /* fd closed meanwhile */
    }
  }
  return out;
}

/**
 * Waits until one of `pids` owns a socket bound to 127.0.0.1:port (UDP) or listening on it (TCP).
 * Rejects when `child` exits first or after timeoutMs.
 */
export async function waitForSocket(o: {
  pids: number[] | (() => Promise<number[]>);
  port: number;
  protocol: 'udp' | 'tcp';
  timeoutMs: number;
  child?: ChildProcess;
}): Promise<void> {
  const deadline = Date.now() + o.timeoutMs;
  for (;;) {
    if (o.child && hasExited(o.child)) {
      throw new Error(`process exited (code ${o.child.exitCode}, signal ${o.child.signalCode}) before binding ${o.protocol}/${o.port}`);
    }
    const bound = await boundSocketInodes(o.port, o.protocol);
    if (bound.size > 0) {
      const pids = typeof o.pids === 'function' ? await o.pids() : o.pids;
      for (const pid of pids) {
        for (const inode of await socketInodesOf(pid)) {
          if (bound.has(inode)) return;
        }
      }
    }
    if (Date.now() > deadline) {
      throw new Error(`timed out after ${o.timeoutMs} ms waiting for ${o.protocol} port ${o.port} on 127.0.0.1 to be bound`);
    }
    await new Promise((r) => setTimeout(r, 25));
  }
}

/** PIDs of a process and all its descendants (from /proc/<pid>/task/<pid>/children). */
export async function processTree(pid: number): Promise<number[]> {
  const out: number[] = [];
  const queue = [pid];
  while (queue.length) {
    const p = queue.shift()!;
    out.push(p);
    try {
      const children = (await readFile(`/proc/${p}/task/${p}/children`, 'utf8')).trim();
      if (children) queue.push(...children.split(/\s+/).map(Number));
    } catch {
      /* gone */
    }
  }
  return out;
}
