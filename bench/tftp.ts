/**
 * TFTP (issue 15's benchmark): 1,000 configuration files of about 2 KiB each, fetched by 8 concurrent clients
 * from hometel's TftpServer and, in the same run, from Debian's tftpd-hpa (`in.tftpd`) serving the same files.
 * Both servers run as processes of their own on 127.0.0.1; the client is the same for both: a minimal lock-step
 * Node client (test/support/tftp-clients.ts `tftpFetch`), one socket per file, 8 files in flight (closed loop),
 * every file checked byte for byte. Rows alternate between the servers, with 512-byte blocks and with blksize
 * 1428. CPU is that of a cgroup (v1 cpuacct) each server is moved into before its first request, so that
 * tftpd-hpa's per-request children count too (it does not wait for them, so /proc/<pid>/stat's cutime misses
 * them), over the row's wall time. `npm run bench:tftp` prints the section and replaces it in
 * docs/benchmarks.md.
 */
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { chmod, mkdir, mkdtemp, readFile, rm, rmdir, writeFile } from 'node:fs/promises';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { OutputTail, processTree, terminate, trackChild, waitForSocket } from '../test/support/children.js';
import { freeLoopbackPort } from '../test/support/sipp.js';
import { tftpFetch } from '../test/support/tftp-clients.js';
import { startTftpServerProcess } from '../test/support/tftp-fixture.js';
import { replaceSection } from './doc-section.js';
import { ms, percentile, table } from './stats.js';

const FILES = Number(process.env.BENCH_TFTP_FILES ?? 1000);
const CLIENTS = 8;
const heading = '## Provisioning: TFTP (hometel against tftpd-hpa)';

interface Server {
  readonly name: string;
  readonly port: number;
  /** CPU seconds used so far by the server and every process it started. */
  cpu(): Promise<number>;
  stop(): Promise<void>;
}

/** A cpuacct cgroup of its own for a process and whatever it forks later; removed once the process is gone. */
async function cpuAccount(tag: string, pid: number): Promise<{ seconds(): Promise<number>; remove(): Promise<void> }> {
  const dir = `/sys/fs/cgroup/cpuacct/hometel-bench-tftp-${process.pid}-${tag}`;
  await mkdir(dir);
  await writeFile(join(dir, 'cgroup.procs'), String(pid));
  return {
    seconds: async () => Number(await readFile(join(dir, 'cpuacct.usage'), 'utf8')) / 1e9,
    remove: () => rmdir(dir),
  };
}

interface Figures {
  readonly server: string;
  readonly blksize: number;
  readonly files: number;
  readonly failed: number;
  readonly perSecond: number;
  readonly p50: number;
  readonly p99: number;
  readonly cpu: number;
  readonly cpuPerFile: number;
}

/** Text of about 2 KiB (1,800–2,300 bytes) like a phone's configuration file. */
function configFile(i: number): Buffer {
  const size = 1800 + Math.floor(Math.random() * 500);
  const lines: string[] = [`#!version:1.0.0.1`, `# bench file ${i}`];
  while (lines.join('\n').length < size) lines.push(`account.${lines.length}.value = ${randomBytes(12).toString('base64url')}`);
  return Buffer.from(lines.join('\n').slice(0, size));
}

async function startTftpdHpa(dir: string): Promise<Server> {
  const port = await freeLoopbackPort();
  const child = spawn('/usr/sbin/in.tftpd', ['--foreground', '--address', `127.0.0.1:${port}`, '--secure', dir], { stdio: ['ignore', 'pipe', 'pipe'] });
  trackChild(child);
  const log = new OutputTail(child.stderr);
  try {
    await waitForSocket({ pids: () => processTree(child.pid!), port, protocol: 'udp', timeoutMs: 10_000, child });
  } catch (e) {
    child.kill('SIGKILL');
    throw new Error(`in.tftpd did not start: ${(e as Error).message}\n${log.toString()}`);
  }
  const account = await cpuAccount('tftpd', child.pid!);
  return {
    name: 'tftpd-hpa 5.2 (C)',
    port,
    cpu: () => account.seconds(),
    stop: async () => {
      await terminate(child, 5000);
      await account.remove();
    },
  };
}

async function startHometel(dir: string): Promise<Server> {
  const p = await startTftpServerProcess({ host: '127.0.0.1', dir });
  const account = await cpuAccount('hometel', p.child.pid!);
  return {
    name: 'hometel (Node.js)',
    port: p.port,
    cpu: () => account.seconds(),
    stop: async () => {
      await p.stop();
      await account.remove();
    },
  };
}

async function measure(s: Server, names: readonly string[], bodies: ReadonlyMap<string, Buffer>, blksize: number, count: number): Promise<Figures> {
  const latencies: number[] = [];
  let failed = 0;
  let next = 0;
  const cpuBefore = await s.cpu();
  const started = performance.now();
  const worker = async (): Promise<void> => {
    while (next < count) {
      const name = names[next++ % names.length]!;
      const t0 = performance.now();
      try {
        const got = await tftpFetch('127.0.0.1', s.port, name, blksize === 512 ? {} : { blksize });
        if (got.equals(bodies.get(name)!)) latencies.push(performance.now() - t0);
        else failed += 1;
      } catch {
        failed += 1;
      }
    }
  };
  await Promise.all(Array.from({ length: CLIENTS }, worker));
  const elapsed = performance.now() - started;
  const seconds = (await s.cpu()) - cpuBefore;
  latencies.sort((a, b) => a - b);
  return {
    server: s.name,
    blksize,
    files: latencies.length,
    failed,
    perSecond: latencies.length / (elapsed / 1000),
    p50: percentile(latencies, 50),
    p99: percentile(latencies, 99),
    cpu: (seconds / (elapsed / 1000)) * 100,
    cpuPerFile: (seconds * 1000) / Math.max(1, latencies.length),
  };
}

async function run(): Promise<Figures[]> {
  const dir = await mkdtemp(join(tmpdir(), 'hometel-bench-tftp-'));
  // tftpd-hpa drops to the user nobody after its chroot: the files must be world-readable.
  await chmod(dir, 0o755);
  const bodies = new Map<string, Buffer>();
  for (let i = 0; i < FILES; i++) {
    const name = `cfg${(0x001565000000 + i).toString(16).padStart(12, '0')}.cfg`;
    const body = configFile(i);
    bodies.set(name, body);
    await writeFile(join(dir, name), body, { mode: 0o644 });
  }
  const names = [...bodies.keys()];
  const servers: Server[] = [];
  const all: Figures[] = [];
  try {
    servers.push(await startHometel(dir), await startTftpdHpa(dir));
    for (const s of servers) await measure(s, names, bodies, 512, 200); // warm-up (JIT, page cache)
    for (const blksize of [512, 1428]) for (const s of servers) all.push(await measure(s, names, bodies, blksize, FILES));
  } finally {
    for (const s of servers) await s.stop();
    await rm(dir, { recursive: true, force: true });
  }
  return all;
}

function section(figures: readonly Figures[]): string {
  const [load1] = loadavg();
  return `${heading}

bench/tftp.ts (\`npm run bench:tftp\`): ${FILES} configuration files of 1,800–2,300 bytes, each fetched once per row by
${CLIENTS} concurrent clients (closed loop: a client asks for the next file when it has the last), every file compared
byte for byte. Both servers run at the same time on 127.0.0.1 serving the same directory, and the rows alternate
after a warm-up of 200 files each.

- hometel: its TftpServer (src/tftp) in a Node process of its own (test/support/tftp-server-process.ts), reading each
  file from the directory when asked and logging each transfer (info), retransmission timeout 1 s.
- tftpd-hpa 5.2: Debian's \`in.tftpd --foreground --address 127.0.0.1:<port> --secure <dir>\`, which forks a process
  per request.

Each server is moved into a cpuacct cgroup of its own before its first request, and its CPU is that cgroup's usage:
tftpd-hpa's per-request children count (it does not wait for them, so the listener's /proc/<pid>/stat has them
neither in its own time nor in cutime).

The client is the same for both and runs in the benchmark's process (its CPU is not counted): a minimal lock-step
Node client (test/support/tftp-clients.ts \`tftpFetch\`), a socket of its own per file, octet mode, with
\`blksize 1428\` (RFC 2348) in the 1428 rows, where a 2 KiB file takes 2 DATA blocks instead of 4–5. Spawning atftp
or tftp per file would measure process start-up rather than the servers. Latency is per file, from the RRQ to the
last DATA. CPU % is of one core over the row's wall time; CPU ms/file is the server's CPU time per file served.
${cpus().length} cores (${cpus()[0]?.model.trim() ?? ''}), Node ${process.versions.node}, ${new Date().toISOString().slice(0, 10)}; 1-minute load average ${load1!.toFixed(1)} at the end.
The machine is shared with other work: compare rows of the same run.

${table(
  ['server', 'blksize', 'files', 'failed', 'files/s', 'p50 ms', 'p99 ms', 'CPU %', 'CPU ms/file'],
  figures.map((f) => [f.server, String(f.blksize), String(f.files), String(f.failed), f.perSecond.toFixed(0), ms(f.p50), ms(f.p99), f.cpu.toFixed(0), f.cpuPerFile.toFixed(3)]),
)}
`;
}

const text = section(await run());
console.log(text);
await replaceSection(heading, text);
process.exit(0);
