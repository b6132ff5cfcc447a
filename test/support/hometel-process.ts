/** `hometel start` as a user runs it (the CLI in a process of its own, from the sources through tsx). */
import { spawn, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { trackChild } from './children.js';

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
/** node arguments that run the hometel CLI from the sources. */
export const hometelCli = ['--import', 'tsx', path.join(repoRoot, 'src', 'cli', 'main.ts')];

export interface HometelProcess {
  readonly child: ChildProcess;
  readonly udn: string;
  /** Everything it logged so far (stderr). */
  log(): string;
}

/** Starts `hometel start …` and resolves with its UDN once it logs that it runs. */
export async function startHometelProcess(args: string[]): Promise<HometelProcess> {
  const child = spawn(process.execPath, [...hometelCli, 'start', ...args], { cwd: repoRoot, stdio: ['ignore', 'ignore', 'pipe'] });
  trackChild(child);
  let log = '';
  const udn = await new Promise<string>((resolve, reject) => {
    child.stderr.on('data', (d: Buffer) => {
      log += d.toString();
      const m = /hometel running udn=(uuid:\S+)/.exec(log);
      if (m) resolve(m[1]!);
    });
    child.once('exit', (code) => reject(new Error(`hometel start exited with ${code}: ${log}`)));
  });
  return { child, udn, log: () => log };
}
