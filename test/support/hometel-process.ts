/** `hometel start` as a user runs it (the CLI in a process of its own, from the sources through tsx). */
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { hasExited, terminate, trackChild } from './children.js';

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
/** node arguments that run the hometel CLI from the sources. */
export const hometelCli = ['--import', 'tsx', path.join(repoRoot, 'src', 'cli', 'main.ts')];

/** Runs a `hometel` command to its end (30 s at most): its exit code and output. */
export function runHometel(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(process.execPath, [...hometelCli, ...args], { cwd: repoRoot, timeout: 30_000 }, (err, stdout, stderr) => {
      const code = err ? (typeof err.code === 'number' ? err.code : 1) : 0;
      resolve({ code, stdout, stderr });
    });
  });
}

export interface HometelProcess {
  readonly child: ChildProcess;
  readonly udn: string;
  /** Everything it logged so far (stderr). */
  log(): string;
  /** Everything it printed for its user so far (stdout: the web application's URL, the setup link). */
  output(): string;
}

/**
 * Starts `hometel start …` and resolves with its UDN once it logs that it runs; inside network namespace `netns`
 * when given (`ip netns exec` execs node, so the child's PID is hometel's).
 */
export async function startHometelProcess(args: string[], netns?: string): Promise<HometelProcess> {
  const argv = [...hometelCli, 'start', ...args];
  const child = netns
    ? spawn('ip', ['netns', 'exec', netns, process.execPath, ...argv], { cwd: repoRoot, stdio: ['ignore', 'pipe', 'pipe'] })
    : spawn(process.execPath, argv, { cwd: repoRoot, stdio: ['ignore', 'pipe', 'pipe'] });
  trackChild(child);
  let log = '';
  let output = '';
  child.stdout.on('data', (d: Buffer) => (output += d.toString()));
  const udn = await new Promise<string>((resolve, reject) => {
    child.stderr.on('data', (d: Buffer) => {
      log += d.toString();
      const m = /hometel running udn=(uuid:\S+)/.exec(log);
      if (m) resolve(m[1]!);
    });
    child.once('exit', (code) => reject(new Error(`hometel start exited with ${code}: ${log}`)));
  });
  return { child, udn, log: () => log, output: () => output };
}

export interface ConfiguredHometel extends HometelProcess {
  /** The temporary directory that holds hometel.json and whatever the config puts there (data, recordings). */
  readonly dir: string;
  /**
   * SIGTERM by PID (SIGKILL after 10 s), then removes the directory. Resolves with what it logged when it was
   * still running (so a test can check it stopped cleanly), with undefined when it had exited already.
   */
  stop(): Promise<string | undefined>;
}

/**
 * `hometel start --config <dir>/hometel.json` in a fresh temporary directory (`prefix`…), the config written by
 * `config(dir)`. When the start fails, the directory is removed and the error thrown.
 */
export async function startConfiguredHometel(prefix: string, config: (dir: string) => object | Promise<object>, netns?: string): Promise<ConfiguredHometel> {
  const dir = await mkdtemp(path.join(tmpdir(), prefix));
  try {
    const file = path.join(dir, 'hometel.json');
    await writeFile(file, JSON.stringify(await config(dir)));
    const hometel = await startHometelProcess(['--config', file], netns);
    return {
      ...hometel,
      dir,
      async stop() {
        const running = !hasExited(hometel.child);
        await terminate(hometel.child, 10_000);
        await rm(dir, { recursive: true, force: true });
        return running ? hometel.log() : undefined;
      },
    };
  } catch (e) {
    await rm(dir, { recursive: true, force: true });
    throw e;
  }
}
