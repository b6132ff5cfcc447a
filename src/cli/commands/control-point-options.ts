/** Options and set-up shared by the subcommands that act as a UPnP control point. */
import type { Command } from 'commander';
import { createLogger, resolveInterface } from '../../base/index.js';
import { ControlPoint } from '../../upnp/index.js';

export interface ControlPointCliOptions {
  interface: string;
  timeout: string;
  json?: boolean;
  verbose?: boolean;
}

export function withControlPointOptions(cmd: Command): Command {
  return cmd
    .option('-i, --interface <name>', 'interface name or IPv4 address to search on', 'lo')
    .option('-t, --timeout <seconds>', 'how long to wait for devices', '3')
    .option('--json', 'print JSON for scripts')
    .option('-v, --verbose', 'log what the control point does to stderr');
}

export async function startControlPoint(opts: ControlPointCliOptions, searchTarget = 'ssdp:all'): Promise<ControlPoint> {
  const cp = new ControlPoint({
    interfaces: [resolveInterface(opts.interface)],
    logger: createLogger({ level: opts.verbose ? 'debug' : 'error', component: 'cp' }),
    searchTarget,
    mx: 1,
  });
  await cp.start();
  return cp;
}

export function timeoutMs(opts: ControlPointCliOptions): number {
  const s = Number(opts.timeout);
  if (!Number.isFinite(s) || s <= 0) throw new Error(`--timeout must be a positive number of seconds, got ${opts.timeout}`);
  return s * 1000;
}
