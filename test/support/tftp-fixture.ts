/**
 * Starts test/support/tftp-server-process.ts (hometel's TftpServer serving one directory) as a process of its own,
 * inside a network namespace when asked, and stops it by PID.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { OutputTail, terminate, trackChild } from './children.js';

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
const script = path.join(repoRoot, 'test', 'support', 'tftp-server-process.ts');

export interface TftpServerProcess {
  readonly child: ChildProcess;
  readonly port: number;
  /** What it logged so far (one line per transfer). */
  log(): string;
  stop(): Promise<void>;
}

export async function startTftpServerProcess(o: { host: string; port?: number; dir: string; timeoutMs?: number; netns?: string }): Promise<TftpServerProcess> {
  const argv = ['--import', 'tsx', script, o.host, String(o.port ?? 0), o.dir, ...(o.timeoutMs ? [String(o.timeoutMs)] : [])];
  const child = o.netns
    ? spawn('ip', ['netns', 'exec', o.netns, process.execPath, ...argv], { cwd: repoRoot, stdio: ['ignore', 'pipe', 'pipe'] })
    : spawn(process.execPath, argv, { cwd: repoRoot, stdio: ['ignore', 'pipe', 'pipe'] });
  trackChild(child);
  const log = new OutputTail(child.stderr, 1024 * 1024);
  const port = await new Promise<number>((resolve, reject) => {
    let out = '';
    child.stdout.on('data', (d: Buffer) => {
      out += d.toString();
      const m = /READY (\d+)/.exec(out);
      if (m) resolve(Number(m[1]));
    });
    child.once('exit', (code) => reject(new Error(`the TFTP server process exited with ${code}: ${log.toString()}`)));
  });
  return { child, port, log: () => log.toString(), stop: () => terminate(child, 5000) };
}
