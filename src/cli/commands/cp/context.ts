/**
 * What every `hometel cp` command shares: its options, a Telephony Control Point that finds the Telephony Server
 * (and its Telephony Clients), a TsSession on it, the TelCPName kept between runs, and how results and errors are
 * printed (text for people, --json for scripts; exit 2 for a UPnP error, 1 for anything else).
 */
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { dirname, join } from 'node:path';
import type { Command } from 'commander';
import { asError, createLogger, HometelError, resolveInterface } from '../../../base/index.js';
import { timeoutMs as cliTimeoutMs, withControlPointOptions, type ControlPointCliOptions } from '../control-point-options.js';
import { TelephonyControlPoint, TelephonyError, type TelephonyClient, type TelephonyServer, type TsSession } from '../../../telephony/control/index.js';

export interface CpOptions extends ControlPointCliOptions {
  ts?: string;
  name?: string;
  state?: string;
}

export function withCpOptions(cmd: Command): Command {
  return withControlPointOptions(cmd)
    .option('--ts <name>', 'the Telephony Server (line) to use, by friendly name or UDN (default: the first found)')
    .option('--name <TelCPName>', 'the TelCPName to register (needed for monopolised calls; kept in the state file)')
    .option('--state <file>', 'where the TelCPName and its SecretKey are kept between runs (default: $HOMETEL_CP_STATE or ~/.config/hometel/telcp.json)');
}

export function seconds(value: string, what: string): number {
  const s = Number(value);
  if (!Number.isFinite(s) || s <= 0) throw new UsageError(`${what} must be a positive number of seconds, got ${value}`);
  return s * 1000;
}

/** A mistake in how the command was used (exit 1, no UPnP involved). */
/** A command line that cannot be carried out as given (exit 1). */
export class UsageError extends HometelError {
  readonly code = 'cli.usage';
}

/** A registered TelCPName and its SecretKey, per Telephony Server UDN. */
type StateFile = Record<string, { name: string; secretKey: string }>;

function statePath(opts: CpOptions): string {
  return opts.state ?? process.env.HOMETEL_CP_STATE ?? join(homedir(), '.config', 'hometel', 'telcp.json');
}

function readState(path: string): StateFile {
  try {
    return JSON.parse(readFileSync(path, 'utf8')) as StateFile;
  } catch {
    return {};
  }
}

export interface CpContext {
  readonly tcp: TelephonyControlPoint;
  readonly server: TelephonyServer;
  readonly session: TsSession;
  readonly timeoutMs: number;
  /** A Telephony Client by friendly name or UDN, waiting for it to be found. */
  client(ref: string): Promise<TelephonyClient>;
  /** hometel's own Telephony Clients: those embedded in the same root device as the Telephony Server. */
  localClients(): TelephonyClient[];
}

/**
 * Runs `fn` with a session on the Telephony Server, then closes everything (the TelCPName stays registered, so a
 * later run can still manage a monopolised call). Prints `fn`'s result, or the error, and sets the exit code.
 */
export async function runCp<T>(opts: CpOptions, fn: (c: CpContext) => Promise<T>, print: (result: T) => string): Promise<void> {
  const logger = createLogger({ level: opts.verbose ? 'debug' : 'error', component: 'cp' });
  const timeoutMs = cliTimeoutMs(opts);
  const tcp = new TelephonyControlPoint({ logger, interfaces: [resolveInterface(opts.interface)], mx: 1 });
  let session: TsSession | undefined;
  try {
    await tcp.start();
    const server = await tcp.waitForServer((s) => opts.ts === undefined || s.friendlyName === opts.ts || s.udn === opts.ts, timeoutMs);
    const path = statePath(opts);
    const state = readState(path);
    const kept = state[server.udn];
    const name = opts.name ?? kept?.name;
    session = await tcp.openSession(server, {
      ...(name !== undefined ? { name } : {}),
      ...(kept && kept.name === name ? { identity: { name: kept.name, secretKey: kept.secretKey } } : {}),
    });
    const identity = session.identity;
    if (identity && (kept?.name !== identity.name || kept.secretKey !== identity.secretKey)) {
      mkdirSync(dirname(path), { recursive: true });
      writeFileSync(path, JSON.stringify({ ...state, [server.udn]: identity }, null, 2), { mode: 0o600 });
    }
    const result = await fn({
      tcp,
      server,
      session,
      timeoutMs,
      client: (ref) => tcp.waitForClient((c) => c.friendlyName === ref || c.udn === ref, timeoutMs),
      localClients: () => tcp.clients().filter((c) => c.rootUdn === server.rootUdn),
    });
    if (result !== undefined) process.stdout.write(opts.json ? `${JSON.stringify(result, null, 2)}\n` : print(result));
  } catch (e) {
    reportError(e, opts);
  } finally {
    await session?.close({ unregister: false }).catch(() => undefined);
    await tcp.stop().catch(() => undefined);
  }
}

function reportError(e: unknown, opts: CpOptions): void {
  const err = asError(e);
  const upnp = err instanceof TelephonyError && err.errorCode !== undefined;
  if (opts.json) {
    const body = err instanceof TelephonyError
      ? { kind: err.kind, code: err.errorCode, description: err.errorDescription, sentence: err.sentence, action: err.action, callID: err.callID, reason: err.reason }
      : { kind: err instanceof UsageError ? 'usage' : 'error', sentence: err.message };
    process.stdout.write(`${JSON.stringify({ error: body }, null, 2)}\n`);
  }
  process.stderr.write(`hometel cp: ${err.message}\n`);
  process.exitCode = upnp ? 2 : 1;
}
