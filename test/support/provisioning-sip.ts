/**
 * The phones' SIP side with provisioning (issue 15) as a process inside a test's network namespace: today the
 * fixture test/support/provisioning-sip-fixture.ts (registrar, notifier, provisioning service, startProvisioningSip);
 * once `startProvisioning` runs startProvisioningSip, `startConfiguredHometel(prefix, config, netns)` does the same
 * with the same config and this helper can go.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { silentLogger, systemClock } from '../../src/base/index.js';
import { loadConfig, type HometelConfig } from '../../src/app/config.js';
import { openProvisioning } from '../../src/app/provisioning.js';
import type { ProvisioningService } from '../../src/provisioning/index.js';
import { hasExited, terminate, trackChild } from './children.js';

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
const fixture = path.join(repoRoot, 'test', 'support', 'provisioning-sip-fixture.ts');

export interface ProvisioningSipProcess {
  readonly dir: string;
  /** The config file (`--config` of the CLI). */
  readonly configFile: string;
  readonly config: HometelConfig;
  readonly child: ChildProcess;
  log(): string;
  /** Runs `f` on the provisioning service over the same store, opened in this process as the CLI opens it. */
  provisioning<T>(f: (p: ProvisioningService) => T): T;
  stop(): Promise<void>;
}

/** `prepare` runs on the written config before the process starts (extensions and devices it finds at its start). */
export async function startProvisioningSipProcess(
  prefix: string,
  config: (dir: string) => object,
  netns: string,
  prepare?: (config: HometelConfig) => void,
): Promise<ProvisioningSipProcess> {
  const dir = await mkdtemp(path.join(tmpdir(), prefix));
  const configFile = path.join(dir, 'hometel.json');
  await writeFile(configFile, JSON.stringify(config(dir)));
  prepare?.(loadConfig(configFile));
  const child = spawn('ip', ['netns', 'exec', netns, process.execPath, '--import', 'tsx', fixture, configFile], { cwd: repoRoot, stdio: ['ignore', 'pipe', 'pipe'] });
  trackChild(child);
  let log = '';
  child.stdout.on('data', (d: Buffer) => (log += d.toString()));
  try {
    await new Promise<void>((resolve, reject) => {
      child.stderr.on('data', (d: Buffer) => {
        log += d.toString();
        if (log.includes('provisioning fixture running')) resolve();
      });
      child.once('exit', (code) => reject(new Error(`the provisioning fixture exited with ${code}: ${log}`)));
    });
  } catch (e) {
    await rm(dir, { recursive: true, force: true });
    throw e;
  }
  return {
    dir,
    configFile,
    config: loadConfig(configFile),
    child,
    log: () => log,
    provisioning: (f) => withProvisioning(loadConfig(configFile), f),
    async stop() {
      if (!hasExited(child)) await terminate(child, 10_000);
      await rm(dir, { recursive: true, force: true });
    },
  };
}

/** Runs `f` on the provisioning service of the config's store (opened and closed around it). */
export function withProvisioning<T>(config: HometelConfig, f: (p: ProvisioningService) => T): T {
  const opened = openProvisioning(config, systemClock, silentLogger);
  try {
    return f(opened.provisioning);
  } finally {
    opened.close();
  }
}
