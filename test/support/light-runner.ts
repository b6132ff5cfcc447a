/** Starts test/support/light-process.ts (hometel's test light) as a child process and waits until it is online. */
import { spawn, type ChildProcess } from 'node:child_process';
import { trackChild } from './children.js';

export interface LightProcess {
  readonly child: ChildProcess;
  readonly location: string;
}

export async function startLightProcess(udn: string, port = 0, bootId = 1, maxAge = 1800): Promise<LightProcess> {
  const child = spawn(process.execPath, ['--import', 'tsx', 'test/support/light-process.ts', udn, String(port), String(bootId), String(maxAge)], {
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  trackChild(child);
  let out = '';
  const location = await new Promise<string>((resolve, reject) => {
    child.stdout.on('data', (d: Buffer) => {
      out += d.toString();
      const m = /READY (\S+)/.exec(out);
      if (m) resolve(m[1]!);
    });
    child.once('exit', (code) => reject(new Error(`light process exited with ${code}`)));
  });
  return { child, location };
}
