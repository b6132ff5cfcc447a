/**
 * What the commands that work on hometel's store share (`hometel web …`, `hometel contacts …`): the options that find
 * the store (the config file's dataDir, or --data-dir) and one way to print results and errors, with --json.
 * They work while `hometel start` runs (the store is SQLite in WAL mode) or without it.
 */
import type { Command } from 'commander';
import { loadConfig, type HometelConfig } from '../../app/index.js';
import { createLogger, errorMessage, systemClock, type Clock, type Logger } from '../../base/index.js';

export interface StoreOptions {
  config?: string;
  dataDir?: string;
  json?: boolean;
}

export function withStoreOptions(c: Command): Command {
  return c
    .option('-c, --config <file>', 'the JSON config file hometel start uses (its dataDir, number plan and web address)')
    .option('-d, --data-dir <dir>', "where the store lives (default: the config's, else ./data)")
    .option('--json', 'machine-readable output');
}

/**
 * Opens what `open` makes of the configured store, runs `f`, prints its result (a string as is, anything with
 * --json as JSON) and closes; an error is printed (as `{"error":{"message"}}` with --json) with exit status 1.
 */
export async function onStore<T extends { close(): void }>(
  command: string,
  opts: StoreOptions,
  open: (config: HometelConfig, clock: Clock, logger: Logger) => T,
  f: (opened: T) => unknown,
): Promise<void> {
  let opened: T | undefined;
  try {
    const config = loadConfig(opts.config);
    // Warnings only: the services log what they did (never a secret) on stderr.
    const logger = createLogger({ level: 'warn', component: 'hometel' });
    opened = open(opts.dataDir ? { ...config, dataDir: opts.dataDir } : config, systemClock, logger);
    const out = await f(opened);
    process.stdout.write(opts.json ? `${JSON.stringify(out)}\n` : typeof out === 'string' ? `${out}\n` : '');
  } catch (e) {
    process.exitCode = 1;
    if (opts.json) process.stdout.write(`${JSON.stringify({ error: { message: errorMessage(e) } })}\n`);
    else process.stderr.write(`hometel ${command}: ${errorMessage(e)}\n`);
  } finally {
    opened?.close();
  }
}
