// Helpers that drive the GUPnP 1.6 test peers in test/peers/gupnp/ from node:test
// tests and benchmarks: a C BinaryLight:1 device and a Python control point, both
// pinned to the loopback interface. See test/peers/gupnp/README.md.
import { spawn, type ChildProcess } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { mkdir, rename, rm, stat } from 'node:fs/promises';
import path from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { hasExited, OutputTail, runCommand, terminate, trackChild, waitForExit } from './children.js';

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');

/** Directory holding the GUPnP peers' sources and description documents. */
export const GUPNP_PEER_DIR = path.join(repoRoot, 'test', 'peers', 'gupnp');
const LIGHT_SOURCE = path.join(GUPNP_PEER_DIR, 'light-device.c');
const CONTROL_POINT_SCRIPT = path.join(GUPNP_PEER_DIR, 'control_point.py');
const CACHE_DIR = path.join(repoRoot, 'node_modules', '.cache', 'hometel-peers');
const LIGHT_BINARY = path.join(CACHE_DIR, 'gupnp-light-device');
/** Debian's interpreter: it has PyGObject (gi); a pyenv python3 on PATH does not. */
const SYSTEM_PYTHON = '/usr/bin/python3';

const READY_TIMEOUT_MS = 15_000;
const STOP_GRACE_MS = 5_000;
const DEFAULT_REQUEST_TIMEOUT_MS = 15_000;

function withStderr(message: string, stderr: OutputTail): string {
  const tail = stderr.toString().trim();
  return tail ? `${message}\n--- peer stderr ---\n${tail}` : `${message} (peer stderr empty)`;
}


async function mtimeMs(file: string): Promise<number | undefined> {
  try {
    return (await stat(file)).mtimeMs;
  } catch {
    return undefined;
  }
}

// ---------------------------------------------------------------- light device

let buildPromise: Promise<string> | undefined;

/**
 * Compiles light-device.c against libgupnp-1.6 into node_modules/.cache/hometel-peers/
 * (only when the source is newer than the binary) and returns the binary's path.
 * Throws with the compiler output on failure.
 */
export function buildGupnpLightDevice(): Promise<string> {
  buildPromise ??= doBuild().catch((error: unknown) => {
    buildPromise = undefined;
    throw error;
  });
  return buildPromise;
}

async function doBuild(): Promise<string> {
  const binTime = await mtimeMs(LIGHT_BINARY);
  const srcTime = await mtimeMs(LIGHT_SOURCE);
  if (binTime !== undefined && srcTime !== undefined && srcTime <= binTime) {
    return LIGHT_BINARY;
  }
  await mkdir(CACHE_DIR, { recursive: true });
  const flags = (await runCommand('pkg-config', ['--cflags', '--libs', 'gupnp-1.6'])).stdout
    .trim()
    .split(/\s+/)
    .filter(Boolean);
  // Unique output then rename: parallel test processes may build at the same time.
  const tmp = `${LIGHT_BINARY}.${process.pid}.${randomUUID()}.tmp`;
  try {
    await runCommand('gcc', ['-O2', '-Wall', '-o', tmp, LIGHT_SOURCE, ...flags], { timeoutMs: 120_000 });
    await rename(tmp, LIGHT_BINARY);
  } catch (error) {
    await rm(tmp, { force: true });
    throw new Error(`building the GUPnP light device failed:\n${(error as Error).message}`);
  }
  return LIGHT_BINARY;
}

export interface GupnpLightDeviceOptions {
  /** Full UDN, "uuid:..." */
  udn: string;
  /** friendlyName; default "hometel GUPnP light" */
  name?: string;
  /** HTTP port of the GUPnP context; default 0 (any free port) */
  port?: number;
}

export interface GupnpLightDevice {
  /** Description URL, as GUPnP announces it in LOCATION */
  location: string;
  pid: number;
  /** stderr written by the device so far */
  stderr(): string;
  /** SIGTERM (GUPnP sends ssdp:byebye), SIGKILL after 5 s; resolves on exit. */
  stop(): Promise<void>;
}

/** Starts the GUPnP BinaryLight:1 device on loopback and waits for READY. */
export async function startGupnpLightDevice(opts: GupnpLightDeviceOptions): Promise<GupnpLightDevice> {
  const binary = await buildGupnpLightDevice();
  const args = [
    '--udn', opts.udn,
    '--port', String(opts.port ?? 0),
    '--name', opts.name ?? 'hometel GUPnP light',
    '--description-dir', GUPNP_PEER_DIR,
  ];
  const child = spawn(binary, args, { stdio: ['ignore', 'pipe', 'pipe'] });
  trackChild(child);
  const stderr = new OutputTail(child.stderr);

  const location = await new Promise<string>((resolve, reject) => {
    const lines = createInterface({ input: child.stdout });
    const finish = (error: Error | undefined, loc?: string): void => {
      clearTimeout(timer);
      child.off('exit', onExit);
      child.off('error', onError);
      lines.off('line', onLine);
      if (error) reject(error);
      else resolve(loc!);
    };
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      finish(new Error(withStderr(`GUPnP light device not READY within ${READY_TIMEOUT_MS} ms`, stderr)));
    }, READY_TIMEOUT_MS);
    const onLine = (line: string): void => {
      const m = /^READY (\S+)$/.exec(line.trim());
      if (m) finish(undefined, m[1]);
    };
    const onExit = (code: number | null, signal: NodeJS.Signals | null): void => {
      // Give stderr a moment to drain before reporting.
      setImmediate(() =>
        finish(new Error(withStderr(`GUPnP light device exited before READY (code ${code}, signal ${signal})`, stderr))),
      );
    };
    const onError = (error: Error): void => finish(error);
    lines.on('line', onLine);
    child.once('exit', onExit);
    child.once('error', onError);
  });

  return {
    location,
    pid: child.pid!,
    stderr: () => stderr.toString(),
    stop: () => terminate(child, STOP_GRACE_MS),
  };
}

// ---------------------------------------------------------------- control point

/** Any line the control point prints with an "event" field. */
export interface GupnpCpEvent {
  event: string;
  [key: string]: unknown;
}

export interface ServiceAvailable extends GupnpCpEvent {
  event: 'service-available';
  udn: string;
  location: string;
  serviceType: string;
  friendlyName: string | null;
  deviceType: string | null;
  serviceId: string | null;
  scpdURL: string | null;
  controlURL: string | null;
  eventSubURL: string | null;
}

export interface ServiceUnavailable extends GupnpCpEvent {
  event: 'service-unavailable';
  udn: string;
  location: string;
  serviceType: string;
}

export interface NotifyEvent extends GupnpCpEvent {
  event: 'notify';
  udn: string;
  serviceType: string;
  variable: string;
  value: unknown;
}

export interface SubscriptionLost extends GupnpCpEvent {
  event: 'subscription-lost';
  udn: string;
  serviceType: string;
  message: string | null;
}

export interface IntrospectedArgument {
  name: string;
  direction: 'in' | 'out';
  relatedStateVariable: string;
  retval: boolean;
}

export interface IntrospectedStateVariable {
  name: string;
  /** UPnP data type as derived from GUPnP's GType (i1/i2/i4 all report "i4", ui* "ui4") */
  dataType: string;
  gtype: string;
  sendEvents: boolean;
  isNumeric: boolean;
  defaultValue: unknown;
  allowedValues: string[];
  minimum?: unknown;
  maximum?: unknown;
  step?: unknown;
}

export interface Introspection {
  udn: string;
  serviceType: string;
  actions: { name: string; arguments: IntrospectedArgument[] }[];
  stateVariables: IntrospectedStateVariable[];
}

/** Rejection of GupnpControlPoint requests. For SOAP faults, code is the UPnP errorCode. */
export class GupnpControlError extends Error {
  constructor(
    message: string,
    /** UPnP errorCode (GUPnPControlError) or null for transport/other errors */
    readonly code: number | null,
    /** GLib error domain, e.g. "gupnp-control-error", "gupnp-server-error", "control_point" */
    readonly domain: string,
  ) {
    super(message);
    this.name = 'GupnpControlError';
  }
}

interface ReplyLine {
  id: number | null;
  ok: boolean;
  error?: { code: number | null; message: string; domain: string };
  [key: string]: unknown;
}

interface PendingRequest {
  resolve: (reply: ReplyLine) => void;
  reject: (error: Error) => void;
  timer: NodeJS.Timeout;
}

interface EventWaiter {
  predicate: (ev: GupnpCpEvent) => boolean;
  since: number;
  resolve: (ev: GupnpCpEvent) => void;
  /** Clears the timeout; rejects with error if given, else leaves the promise pending. */
  cancel: (error: Error | undefined) => void;
}

export interface RequestOptions {
  /** Pick one service when the UDN hosts several (device targets). */
  serviceType?: string;
  timeoutMs?: number;
}

export interface InvokeOptions extends RequestOptions {
  /**
   * Send every in-argument as a string, verbatim, instead of converting it to the
   * SCPD type (booleans become "1"/"0"). Use it to provoke the device's own
   * argument checks, e.g. newTargetValue "maybe" -> 600.
   */
  raw?: boolean;
}

/**
 * A GUPnP 1.6 control point (test/peers/gupnp/control_point.py) in a child process.
 * Every event line is recorded in `events`; the waitFor* helpers look at recorded
 * events first (from index `since`, default 0), so events that arrived before the
 * call are found too.
 */
export class GupnpControlPoint {
  /** All event lines received so far, in order. */
  readonly events: GupnpCpEvent[] = [];
  private readonly pending = new Map<number, PendingRequest>();
  private readonly waiters = new Set<EventWaiter>();
  private nextId = 1;
  private closing: Promise<void> | undefined;

  private constructor(
    private readonly child: ChildProcess,
    private readonly stderrTail: OutputTail,
    readonly target: string,
  ) {}

  /** Spawns the control point for `target` (a service or device type) on lo. */
  static async start(target: string): Promise<GupnpControlPoint> {
    const child = spawn(
      SYSTEM_PYTHON,
      [CONTROL_POINT_SCRIPT, '--interface', 'lo', '--target', target],
      { stdio: ['pipe', 'pipe', 'pipe'], env: { ...process.env, PYTHONUNBUFFERED: '1' } },
    );
    trackChild(child);
    const cp = new GupnpControlPoint(child, new OutputTail(child.stderr), target);
    cp.attach();
    try {
      await cp.waitForEvent((ev) => ev.event === 'ready', READY_TIMEOUT_MS);
    } catch (error) {
      await cp.close();
      throw error;
    }
    return cp;
  }

  get pid(): number {
    return this.child.pid!;
  }

  /** stderr written by the control point so far (GLib warnings land here). */
  stderr(): string {
    return this.stderrTail.toString();
  }

  /** Index to pass as `since` to only consider events after this point. */
  mark(): number {
    return this.events.length;
  }

  private attach(): void {
    const lines = createInterface({ input: this.child.stdout! });
    lines.on('line', (line) => this.onLine(line));
    this.child.stdin!.on('error', () => {
      /* EPIPE after the child died: reported through the exit handler */
    });
    this.child.once('exit', (code, signal) => {
      // After close() nobody should still be waiting: drop silently rather than
      // produce unhandled rejections from promises a finished test abandoned.
      const error = this.closing
        ? undefined
        : new Error(withStderr(`GUPnP control point exited (code ${code}, signal ${signal})`, this.stderrTail));
      for (const [id, req] of this.pending) {
        clearTimeout(req.timer);
        this.pending.delete(id);
        if (error) req.reject(error);
      }
      this.settleWaiters(error);
    });
  }

  /** Rejects every event waiter with error, or just drops them (timers cleared). */
  private settleWaiters(error: Error | undefined): void {
    for (const w of [...this.waiters]) {
      this.waiters.delete(w);
      w.cancel(error);
    }
  }

  private onLine(line: string): void {
    let msg: unknown;
    try {
      msg = JSON.parse(line);
    } catch {
      return; // not ours (should not happen: the peer only prints JSON)
    }
    if (typeof msg !== 'object' || msg === null) return;
    const obj = msg as Record<string, unknown>;
    if (typeof obj.event === 'string') {
      const ev = obj as GupnpCpEvent;
      const index = this.events.push(ev) - 1;
      for (const w of [...this.waiters]) {
        if (index >= w.since && w.predicate(ev)) {
          this.waiters.delete(w);
          w.resolve(ev);
        }
      }
      return;
    }
    if ('id' in obj && 'ok' in obj) {
      const reply = obj as unknown as ReplyLine;
      if (typeof reply.id !== 'number') return;
      const req = this.pending.get(reply.id);
      if (!req) return;
      this.pending.delete(reply.id);
      clearTimeout(req.timer);
      req.resolve(reply);
    }
  }

  /** Resolves with the first recorded or future event (index >= since) matching predicate. */
  waitForEvent<T extends GupnpCpEvent = GupnpCpEvent>(
    predicate: (ev: GupnpCpEvent) => boolean,
    timeoutMs: number,
    since = 0,
  ): Promise<T> {
    for (let i = since; i < this.events.length; i++) {
      const ev = this.events[i]!;
      if (predicate(ev)) return Promise.resolve(ev as T);
    }
    if (hasExited(this.child) || this.closing) {
      return Promise.reject(new Error(withStderr('GUPnP control point is not running', this.stderrTail)));
    }
    return new Promise<T>((resolve, reject) => {
      const waiter: EventWaiter = {
        predicate,
        since,
        resolve: (ev) => {
          clearTimeout(timer);
          resolve(ev as T);
        },
        cancel: (error) => {
          clearTimeout(timer);
          if (error) reject(error);
        },
      };
      const timer = setTimeout(() => {
        this.waiters.delete(waiter);
        const recent = this.events.slice(-10).map((e) => JSON.stringify(e)).join('\n');
        reject(
          new Error(
            withStderr(`timed out after ${timeoutMs} ms waiting for a control point event; last events:\n${recent}`, this.stderrTail),
          ),
        );
      }, timeoutMs);
      this.waiters.add(waiter);
    });
  }

  waitForService(
    predicate: (ev: ServiceAvailable) => boolean = () => true,
    timeoutMs = READY_TIMEOUT_MS,
    since = 0,
  ): Promise<ServiceAvailable> {
    return this.waitForEvent<ServiceAvailable>(
      (ev) => ev.event === 'service-available' && predicate(ev as ServiceAvailable),
      timeoutMs,
      since,
    );
  }

  waitForServiceUnavailable(
    predicate: (ev: ServiceUnavailable) => boolean = () => true,
    timeoutMs = READY_TIMEOUT_MS,
    since = 0,
  ): Promise<ServiceUnavailable> {
    return this.waitForEvent<ServiceUnavailable>(
      (ev) => ev.event === 'service-unavailable' && predicate(ev as ServiceUnavailable),
      timeoutMs,
      since,
    );
  }

  waitForNotify(
    predicate: (ev: NotifyEvent) => boolean = () => true,
    timeoutMs = READY_TIMEOUT_MS,
    since = 0,
  ): Promise<NotifyEvent> {
    return this.waitForEvent<NotifyEvent>(
      (ev) => ev.event === 'notify' && predicate(ev as NotifyEvent),
      timeoutMs,
      since,
    );
  }

  private async request(cmd: Record<string, unknown>, timeoutMs = DEFAULT_REQUEST_TIMEOUT_MS): Promise<ReplyLine> {
    if (hasExited(this.child) || this.closing) {
      throw new Error(withStderr('GUPnP control point is not running', this.stderrTail));
    }
    const id = this.nextId++;
    const reply = await new Promise<ReplyLine>((resolve, reject) => {
      const timer = setTimeout(() => {
        this.pending.delete(id);
        reject(new Error(withStderr(`control point did not answer ${JSON.stringify(cmd)} within ${timeoutMs} ms`, this.stderrTail)));
      }, timeoutMs);
      this.pending.set(id, { resolve, reject, timer });
      this.child.stdin!.write(`${JSON.stringify({ ...cmd, id })}\n`);
    });
    if (!reply.ok) {
      const err = reply.error ?? { code: null, message: 'unknown error', domain: 'control_point' };
      throw new GupnpControlError(
        err.code !== null ? `UPnP error ${err.code}: ${err.message}` : err.message,
        err.code,
        err.domain,
      );
    }
    return reply;
  }

  /**
   * Invokes an action. Argument GTypes come from GUPnP's introspection of the SCPD;
   * `outNames` defaults to all out arguments. Rejects with GupnpControlError whose
   * `code` is the UPnP errorCode of a SOAP fault.
   */
  async invoke(
    udn: string,
    action: string,
    inArgs: Record<string, unknown> = {},
    outNames?: string[],
    opts: InvokeOptions = {},
  ): Promise<Record<string, unknown>> {
    const reply = await this.request(
      {
        cmd: 'invoke',
        udn,
        action,
        in: inArgs,
        ...(outNames ? { out: outNames } : {}),
        ...(opts.raw ? { raw: true } : {}),
        ...serviceTypeOf(opts),
      },
      opts.timeoutMs,
    );
    return (reply.out ?? {}) as Record<string, unknown>;
  }

  async introspect(udn: string, opts: RequestOptions = {}): Promise<Introspection> {
    const reply = await this.request({ cmd: 'introspect', udn, ...serviceTypeOf(opts) }, opts.timeoutMs);
    return {
      udn: reply.udn as string,
      serviceType: reply.serviceType as string,
      actions: reply.actions as Introspection['actions'],
      stateVariables: reply.stateVariables as IntrospectedStateVariable[],
    };
  }

  /**
   * Registers notify callbacks for `variables` and subscribes (GUPnP sends the
   * SUBSCRIBE asynchronously; the initial event arrives as a notify event, a
   * failed subscription as subscription-lost).
   */
  async subscribe(udn: string, variables: string[], opts: RequestOptions = {}): Promise<void> {
    await this.request({ cmd: 'subscribe', udn, variables, ...serviceTypeOf(opts) }, opts.timeoutMs);
  }

  async unsubscribe(udn: string, opts: RequestOptions = {}): Promise<void> {
    await this.request({ cmd: 'unsubscribe', udn, ...serviceTypeOf(opts) }, opts.timeoutMs);
  }

  /**
   * Sends quit (UNSUBSCRIBEs, exit 0); SIGTERM/SIGKILL if it does not exit within 3 s.
   * Idempotent. Event waiters and requests still pending are dropped (never settle).
   */
  close(): Promise<void> {
    this.closing ??= this.doClose();
    return this.closing;
  }

  private async doClose(): Promise<void> {
    // Waiters still pending belong to a test that is cleaning up: drop them.
    this.settleWaiters(undefined);
    if (hasExited(this.child)) return;
    try {
      this.child.stdin!.write(`${JSON.stringify({ id: 0, cmd: 'quit' })}\n`);
      this.child.stdin!.end();
    } catch {
      /* stdin already closed */
    }
    if (await waitForExit(this.child, 3_000)) return;
    await terminate(this.child, 2_000);
  }
}

function serviceTypeOf(opts: RequestOptions): { serviceType?: string } {
  return opts.serviceType ? { serviceType: opts.serviceType } : {};
}
