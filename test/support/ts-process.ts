/**
 * A Telephony Server in a process of its own, so that a test can kill it with SIGKILL and start it
 * again on the same data directory, and so that a benchmark's load driver does not share its CPU:
 *
 *   node --import tsx test/support/ts-process.ts <dataDir> [--max-calls N] [--max-names N] [--clock-offset-ms N] [--http-port N] [--sip]
 *
 * It opens the Store in <dataDir>, wires createTelephonyServer over a ScriptedLine, serves it with a
 * DeviceHost on lo and prints `READY <location> <udn>`. Then it reads JSON commands from stdin, one
 * per line (`{"id":1,"cmd":"answered"}`), which play the WAN side of the scripted line (by default on
 * the last placed call) or move its clock, and answers each with `REPLY {"id":1,"ok":true,"result":…}`.
 * SIGTERM or the end of stdin (the parent went away) shuts it down cleanly.
 *
 * --clock-offset-ms: the Telephony Server's Clock runs this far ahead of the system clock (and the
 * `advanceClock` command moves it further). That is how a test makes TelCPName registrations lapse
 * without waiting (every registration lasts the default 1800 s).
 *
 * --max-calls, --max-names: how many Calls may be alive and TelCPNames registered at once (benchmarks raise them).
 *
 * --sip: the WAN line is a real SipLine in direct mode (`sip:home@127.0.0.1:<port>`, UDP and TCP on a free
 * port) instead of the scripted line; READY then carries the SIP port as a third field
 * (`READY <location> <udn> <sipPort>`), and the scripted-line commands have nothing to act on.
 *
 * The parent side is startTsProcess below.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { resolve } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { systemClock, type Clock } from '../../src/base/clock.js';
import { Store } from '../../src/store/index.js';
import type { LineFailure } from '../../src/telephony/index.js';
import { DeviceHost } from '../../src/upnp/index.js';
import { hasExited, terminate, trackChild } from './children.js';
import { assembleTelephonyServer } from './telephony-server.js';
import { lo, testLogger } from './net.js';
import { errorMessage } from '../../src/base/index.js';

/** What the parent can ask of the process. `lineCallId` defaults to the last placed call. */
export type TsCommand =
  | { readonly cmd: 'placed' }
  | { readonly cmd: 'provisional'; readonly lineCallId?: string }
  | { readonly cmd: 'answered'; readonly lineCallId?: string; readonly sdp?: string }
  | { readonly cmd: 'remoteHangUp'; readonly lineCallId?: string }
  | { readonly cmd: 'remoteCancelled'; readonly lineCallId?: string }
  | { readonly cmd: 'failed'; readonly lineCallId?: string; readonly reason: LineFailure }
  | { readonly cmd: 'ring'; readonly from: string; readonly sdp?: string }
  | { readonly cmd: 'advanceClock'; readonly ms: number };

/** The result of `placed`: every call the Telephony Server placed on the line, oldest first. */
export interface PlacedCall {
  readonly lineCallId: string;
  readonly callee: string;
}

export interface TsProcessOptions {
  readonly dataDir: string;
  readonly maxCalls?: number;
  /** How many TelCPNames may be registered (benchmarks that register fresh names raise it). */
  readonly maxTelCPNames?: number;
  readonly clockOffsetMs?: number;
  readonly httpPort?: number;
  /** How long to wait for READY (tsx compiles on start). Default 30 s. */
  readonly startTimeoutMs?: number;
  /** Run the TS over a real SipLine (direct mode on 127.0.0.1, a free port) instead of the scripted line. */
  readonly sip?: boolean;
}

export interface TsProcess {
  readonly child: ChildProcess;
  readonly location: string;
  readonly udn: string;
  /** The SipLine's port (with `sip: true`). */
  readonly sipPort?: number;
  /** Settles when the process has exited, with the signal that ended it (null for a normal exit). */
  readonly exited: Promise<NodeJS.Signals | null>;
  command<T = unknown>(command: TsCommand, timeoutMs?: number): Promise<T>;
  /** kill -9; resolves with the signal once the process is gone. */
  kill9(): Promise<NodeJS.Signals | null>;
  /** SIGTERM (a clean shutdown); resolves once the process is gone, SIGKILLing it after 5 s. */
  stop(): Promise<void>;
}

const self = fileURLToPath(import.meta.url);

/** Starts test/support/ts-process.ts as a child process and waits for its READY line. */
export async function startTsProcess(opts: TsProcessOptions): Promise<TsProcess> {
  const args = [opts.dataDir];
  if (opts.maxCalls !== undefined) args.push('--max-calls', String(opts.maxCalls));
  if (opts.maxTelCPNames !== undefined) args.push('--max-names', String(opts.maxTelCPNames));
  if (opts.clockOffsetMs !== undefined) args.push('--clock-offset-ms', String(opts.clockOffsetMs));
  if (opts.httpPort !== undefined) args.push('--http-port', String(opts.httpPort));
  if (opts.sip) args.push('--sip');
  const child = spawn(process.execPath, ['--import', 'tsx', self, ...args], { stdio: ['pipe', 'pipe', 'inherit'] });
  trackChild(child);
  const exited = new Promise<NodeJS.Signals | null>((res) => child.once('exit', (_code, signal) => res(signal)));
  const pending = new Map<number, { resolve: (v: unknown) => void; reject: (e: Error) => void }>();
  let nextId = 1;
  let ready: ((v: [string, string, string | undefined]) => void) | undefined;
  let startTimer: NodeJS.Timeout | undefined;
  const startTimeoutMs = opts.startTimeoutMs ?? 30_000;
  const readyLine = new Promise<[string, string, string | undefined]>((res, rej) => {
    ready = res;
    startTimer = setTimeout(() => rej(new Error(`ts-process: no READY within ${startTimeoutMs} ms`)), startTimeoutMs);
    void exited.then((signal) => rej(new Error(`ts-process exited (${signal ?? 'normally'}) before READY`)));
  });
  createInterface({ input: child.stdout }).on('line', (text) => {
    const r = /^READY (\S+) (\S+)(?: (\d+))?$/.exec(text);
    if (r) return ready?.([r[1]!, r[2]!, r[3]]);
    if (!text.startsWith('REPLY ')) return;
    const reply = JSON.parse(text.slice('REPLY '.length)) as { id: number; ok: boolean; result?: unknown; error?: string };
    const p = pending.get(reply.id);
    pending.delete(reply.id);
    if (reply.ok) p?.resolve(reply.result);
    else p?.reject(new Error(`ts-process: ${reply.error}`));
  });
  void exited.then((signal) => {
    for (const p of pending.values()) p.reject(new Error(`ts-process exited (${signal ?? 'normally'})`));
    pending.clear();
  });
  let location: string;
  let udn: string;
  let sipPort: string | undefined;
  try {
    [location, udn, sipPort] = await readyLine;
  } catch (err) {
    child.kill('SIGKILL');
    throw err;
  } finally {
    clearTimeout(startTimer);
  }
  return {
    child,
    location,
    udn,
    ...(sipPort !== undefined ? { sipPort: Number(sipPort) } : {}),
    exited,
    command<T>(command: TsCommand, timeoutMs = 10_000): Promise<T> {
      const id = nextId++;
      return new Promise<T>((res, rej) => {
        const timer = setTimeout(() => {
          pending.delete(id);
          rej(new Error(`ts-process: no reply to ${command.cmd} within ${timeoutMs} ms`));
        }, timeoutMs);
        pending.set(id, {
          resolve: (v) => {
            clearTimeout(timer);
            res(v as T);
          },
          reject: (e) => {
            clearTimeout(timer);
            rej(e);
          },
        });
        child.stdin.write(`${JSON.stringify({ id, ...command })}\n`);
      });
    },
    async kill9() {
      if (!hasExited(child)) child.kill('SIGKILL');
      return exited;
    },
    stop: () => terminate(child, 5_000),
  };
}

// ------------------------------------------------------------------ the process itself

function option(argv: readonly string[], name: string): number | undefined {
  const i = argv.indexOf(name);
  if (i < 0) return undefined;
  const v = Number(argv[i + 1]);
  if (!Number.isFinite(v)) throw new Error(`${name} needs a number`);
  return v;
}

async function main(argv: readonly string[]): Promise<void> {
  const dataDir = argv[0];
  if (!dataDir || dataDir.startsWith('--')) throw new Error('usage: ts-process.ts <dataDir> [--max-calls N] [--max-names N] [--clock-offset-ms N] [--http-port N] [--sip]');
  const maxCalls = option(argv, '--max-calls');
  const maxTelCPNames = option(argv, '--max-names');
  let offsetMs = option(argv, '--clock-offset-ms') ?? 0;
  const httpPort = option(argv, '--http-port') ?? 0;

  const clock: Clock = { now: () => Date.now() + offsetMs, setTimer: (ms, fn) => systemClock.setTimer(ms, fn) };
  const store = Store.open(dataDir);
  const { line, sip, parts } = await assembleTelephonyServer({
    store,
    clock,
    component: 'ts-process',
    ...(argv.includes('--sip') ? { sip: { mode: 'direct', user: 'home' } } : {}),
    ts: { ...(maxCalls !== undefined ? { maxCalls } : {}), ...(maxTelCPNames !== undefined ? { maxTelCPNames } : {}) },
  });
  const host = new DeviceHost({ root: parts.device, interfaces: [lo], httpPort, bootId: store.nextBootId(), logger: testLogger('ts-process-device') });
  await host.start();

  let stopping = false;
  const shutdown = (): void => {
    if (stopping) return;
    stopping = true;
    const hardStop = setTimeout(() => process.exit(1), 5_000);
    hardStop.unref();
    void host
      .stop()
      .catch(() => undefined)
      .then(async () => {
        parts.close();
        await sip?.stop().catch(() => undefined);
        store.close();
        process.exit(0);
      });
  };
  process.on('SIGTERM', shutdown);
  process.on('SIGINT', shutdown);

  const lastPlaced = (): string => {
    const placed = line.last('place');
    if (!placed) throw new Error('no call has been placed');
    return placed.lineCallId;
  };
  const run = (c: TsCommand): unknown => {
    const remote = line.remote;
    switch (c.cmd) {
      case 'placed':
        return line.commands.flatMap((x): PlacedCall[] => (x.kind === 'place' ? [{ lineCallId: x.lineCallId, callee: x.request.callee }] : []));
      case 'provisional': {
        const id = c.lineCallId ?? lastPlaced();
        remote.provisional(id);
        return id;
      }
      case 'answered': {
        const id = c.lineCallId ?? lastPlaced();
        remote.answered(id, c.sdp);
        return id;
      }
      case 'remoteHangUp': {
        const id = c.lineCallId ?? lastPlaced();
        remote.remoteHangUp(id);
        return id;
      }
      case 'remoteCancelled': {
        const id = c.lineCallId ?? lastPlaced();
        remote.remoteCancelled(id);
        return id;
      }
      case 'failed': {
        const id = c.lineCallId ?? lastPlaced();
        remote.failed(id, c.reason);
        return id;
      }
      case 'ring':
        return line.ring({ id: c.from }, c.sdp);
      case 'advanceClock':
        if (!Number.isFinite(c.ms)) throw new Error('advanceClock needs ms');
        offsetMs += c.ms;
        return clock.now();
      default:
        throw new Error(`unknown command ${JSON.stringify((c as { cmd?: unknown }).cmd)}`);
    }
  };
  const reply = (r: { id: unknown; ok: boolean; result?: unknown; error?: string }): void => {
    process.stdout.write(`REPLY ${JSON.stringify(r)}\n`);
  };
  createInterface({ input: process.stdin })
    .on('line', (text) => {
      if (text.trim() === '') return;
      let id: unknown = null;
      try {
        const c = JSON.parse(text) as TsCommand & { id?: unknown };
        id = c.id ?? null;
        reply({ id, ok: true, result: run(c) ?? null });
      } catch (err) {
        reply({ id, ok: false, error: errorMessage(err) });
      }
    })
    .on('close', shutdown);

  process.stdout.write(`READY ${host.locations[0]} ${parts.device.info.udn}${sip ? ` ${sip.port}` : ''}\n`);
}

if (process.argv[1] !== undefined && resolve(process.argv[1]) === self) {
  await main(process.argv.slice(2));
}
