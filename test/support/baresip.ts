// Runs baresip 1.0.0 (Debian `baresip-core`, /usr/bin/baresip) headless as a SIP phone for the
// line's tests: its own config directory (test/peers/baresip/config.template), SIP/RTP on
// 127.0.0.1, a sine tone as microphone and a null player (no sound card), controlled through
// the ctrl_tcp module (netstring-framed JSON on 127.0.0.1). See test/peers/baresip/README.md.
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { readFile, rm, writeFile } from 'node:fs/promises';
import net from 'node:net';
import path from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { hasExited, makeTempDir, OutputTail, runCommand, trackChild, waitForExit, waitForSocket } from './children.js';

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');

export const BARESIP_PEER_DIR = path.join(repoRoot, 'test', 'peers', 'baresip');
const CONFIG_TEMPLATE = path.join(BARESIP_PEER_DIR, 'config.template');
export const BARESIP_BINARY = '/usr/bin/baresip';
const MODULE_DIR = '/usr/lib/baresip/modules';
const REQUIRED_MODULES = ['g711', 'aubridge', 'ausine', 'account', 'menu', 'ctrl_tcp'];

const START_TIMEOUT_MS = 10_000;
const COMMAND_TIMEOUT_MS = 5_000;

/** Throws a clear error when baresip or a module the tests need is missing (tests never skip). */
export function baresipAvailable(modules: readonly string[] = []): void {
  const missing = [BARESIP_BINARY, ...[...REQUIRED_MODULES, ...modules].map((m) => path.join(MODULE_DIR, `${m}.so`))].filter(
    (f) => !existsSync(f),
  );
  if (missing.length) {
    throw new Error(
      `baresip is not installed (${missing.join(', ')} missing): install the Debian package "baresip-core" ` +
        '(bash scripts/setup-peers.sh does it)',
    );
  }
}

/** "1.0.0" (baresip prints its banner and exits with -h). */
export async function baresipVersion(): Promise<string> {
  baresipAvailable();
  const { stdout, stderr } = await runCommand(BARESIP_BINARY, ['-h'], { okCodes: [0, 254] }); // -h exits -2
  const m = /baresip v(\d+\.\d+\.\d+)/.exec(stdout + stderr);
  if (!m) throw new Error(`cannot parse the baresip version from: ${stdout}${stderr}`);
  return m[1]!;
}

export interface BaresipRegistrar {
  /** SIP domain of the account (AOR sip:user@domain), e.g. Kamailio's domain. */
  domain: string;
  /** Outbound proxy / registrar address on loopback. */
  host?: string;
  port: number;
  transport?: 'udp' | 'tcp';
  password: string;
  /** Digest user if it differs from the AOR user. */
  authUser?: string;
  /** REGISTER interval in seconds (default 600). */
  regint?: number;
}

export interface BaresipOptions {
  /** SIP port on 127.0.0.1 (UDP and TCP; baresip also binds TCP port+1 for TLS). */
  port: number;
  /** SIP user of the account. */
  user: string;
  /** Display name for From. */
  displayName?: string;
  /** Control port (ctrl_tcp) on 127.0.0.1; default port + 2. */
  ctrlPort?: number;
  /**
   * manual (default): incoming calls ring (180) until answer();
   * auto: answered at once with 200; early: 183 with early media.
   */
  answerMode?: 'manual' | 'auto' | 'early';
  /** Register through a registrar (digest auth). Without it: no REGISTER at all (regint=0). */
  registrar?: BaresipRegistrar;
  /** Frequency of the tone sent as audio (ausine), default 440 Hz. */
  toneHz?: number;
  /** RTP port range "min-max" (default 20000-29999, random pick by baresip). */
  rtpPorts?: string;
  /** Extra account parameters, e.g. ";audio_codecs=PCMA". */
  accountParams?: string;
  /** Extra command-line flags, e.g. ['-v'] (verbose) or ['-s'] (SIP trace to stdout). */
  extraArgs?: string[];
  /**
   * Load the `mwi` module (default false): once registered, baresip subscribes to its account's message-summary
   * (RFC 3842) and reports each NOTIFY's body as an event of type MWI_NOTIFY.
   */
  mwi?: boolean;
  startTimeoutMs?: number;
}

/** One ctrl_tcp event, e.g. {event:true, class:'call', type:'CALL_ESTABLISHED', peeruri, id, param}. */
export interface BaresipEvent {
  event: true;
  class: string;
  type: string;
  param?: string;
  accountaor?: string;
  direction?: 'incoming' | 'outgoing';
  peeruri?: string;
  id?: string;
  [key: string]: unknown;
}

export interface BaresipCommandResult {
  ok: boolean;
  data: string;
}

export interface Baresip {
  pid: number;
  port: number;
  ctrlPort: number;
  user: string;
  /** The account's AOR, e.g. sip:bob@127.0.0.1:5070 or sip:alice@hometel.test */
  aor: string;
  /** Temporary config directory. */
  configDir: string;
  /** All events received so far, in order. */
  readonly events: BaresipEvent[];
  /** Index to pass as `since` to waitForEvent(). */
  mark(): number;
  /** Calls `listener` for every future event; returns an unsubscribe function. */
  onEvent(listener: (ev: BaresipEvent) => void): () => void;
  /** Resolves with the first recorded or future event (index >= since) of this type / matching predicate. */
  waitForEvent(what: string | ((ev: BaresipEvent) => boolean), timeoutMs?: number, since?: number): Promise<BaresipEvent>;
  /** Any long command of baresip's menu module, e.g. command('listcalls'). Rejects when not ok. */
  command(command: string, params?: string): Promise<BaresipCommandResult>;
  /** Places a call (the call's events follow: CALL_RINGING, CALL_ESTABLISHED, CALL_CLOSED). */
  dial(uri: string): Promise<void>;
  /** Answers the current incoming call (after CALL_INCOMING). */
  answer(): Promise<void>;
  /** Hangs up the current call. */
  hangup(): Promise<void>;
  /** Resolves once the account is registered (REGISTER_OK event or "OK" in reginfo). */
  waitForRegistration(timeoutMs?: number): Promise<void>;
  /** baresip's stdout (its log) so far. */
  output(): string;
  /** SIGTERM (unregisters, hangs up), a second SIGTERM after 3 s (forced exit), SIGKILL after 5 s. Idempotent. */
  stop(): Promise<void>;
}

/** Starts baresip with a generated config dir, waits for "baresip is ready." and connects to ctrl_tcp. */
export async function startBaresip(opts: BaresipOptions): Promise<Baresip> {
  const appModules = opts.mwi ? ['mwi'] : [];
  baresipAvailable(appModules);
  if (!/^[A-Za-z0-9._~+-]+$/.test(opts.user)) throw new Error(`bad baresip user ${JSON.stringify(opts.user)}`);
  const ctrlPort = opts.ctrlPort ?? opts.port + 2;
  const template = await readFile(CONFIG_TEMPLATE, 'utf8');
  const values: Record<string, string> = {
    SIP_PORT: String(opts.port),
    CTRL_PORT: String(ctrlPort),
    TONE_HZ: String(opts.toneHz ?? 440),
    RTP_PORTS: opts.rtpPorts ?? '20000-29999',
    APP_MODULES: appModules.map((m) => `module_app\t\t${m}.so`).join('\n'),
  };
  const config = template.replace(/@([A-Z_]+)@/g, (m, name: string) => {
    const v = values[name];
    if (v === undefined) throw new Error(`baresip config.template: unknown placeholder ${m}`);
    return v;
  });
  const { account, aor } = accountLine(opts);

  const configDir = await makeTempDir('hometel-baresip-');
  try {
    await writeFile(path.join(configDir, 'config'), config);
    await writeFile(path.join(configDir, 'accounts'), `${account}\n`);
    await writeFile(path.join(configDir, 'contacts'), '');
  } catch (error) {
    await rm(configDir, { recursive: true, force: true });
    throw error;
  }

  const args = ['-f', configDir, ...(opts.extraArgs ?? [])];
  const child = spawn(BARESIP_BINARY, args, { cwd: configDir, stdio: ['ignore', 'pipe', 'pipe'] });
  trackChild(child);
  const output = new OutputTail(null, 256 * 1024);
  const stderr = new OutputTail(child.stderr);
  const logs = (): string => `${output.toString()}${stderr.toString() ? `\n--- stderr ---\n${stderr.toString()}` : ''}`;
  let ready = false;
  const lines = createInterface({ input: child.stdout });
  lines.on('line', (line) => {
    output.append(`${line}\n`);
    if (line.includes('baresip is ready.')) ready = true;
  });

  let stopping: Promise<void> | undefined;
  let ctrl: CtrlConnection | undefined;
  const stop = (): Promise<void> => {
    stopping ??= (async () => {
      ctrl?.close();
      if (!hasExited(child)) {
        child.kill('SIGTERM');
        // the first SIGTERM unregisters and ends calls gracefully; a second one forces the exit
        if (!(await waitForExit(child, 3_000))) {
          child.kill('SIGTERM');
          if (!(await waitForExit(child, 2_000))) {
            child.kill('SIGKILL');
            await waitForExit(child, 2_000);
          }
        }
      }
      if (!process.env.HOMETEL_KEEP_PEER_LOGS) await rm(configDir, { recursive: true, force: true });
    })();
    return stopping;
  };

  try {
    const deadline = Date.now() + (opts.startTimeoutMs ?? START_TIMEOUT_MS);
    while (!ready) {
      if (hasExited(child)) throw new Error(`baresip exited (code ${child.exitCode}, signal ${child.signalCode})`);
      if (Date.now() > deadline) throw new Error('no "baresip is ready." line');
      await new Promise((r) => setTimeout(r, 20));
    }
    const pids = [child.pid ?? -1];
    await waitForSocket({ pids, port: opts.port, protocol: 'udp', timeoutMs: Math.max(1, deadline - Date.now()), child });
    await waitForSocket({ pids, port: ctrlPort, protocol: 'tcp', timeoutMs: Math.max(1, deadline - Date.now()), child });
    ctrl = await CtrlConnection.open(ctrlPort);
    // The control connection is live only once baresip has answered on it: ask something harmless first,
    // so that a test's first command (a dial) is not lost while baresip still sets the connection up.
    const probe = await ctrl.command('reginfo');
    if (!probe.ok) throw new Error(`ctrl_tcp answered reginfo with ${probe.data}`);
  } catch (error) {
    await stop();
    throw new Error(`baresip did not start: ${(error as Error).message}\nbaresip ${args.join(' ')}\naccount: ${account}\n--- baresip output ---\n${logs()}`);
  }
  const c = ctrl;
  child.once('exit', (code, signal) => c.fail(new Error(`baresip exited (code ${code}, signal ${signal})\n${logs().slice(-4_000)}`)));

  const command = async (cmd: string, params?: string): Promise<BaresipCommandResult> => {
    const res = await c.command(cmd, params);
    if (!res.ok) throw new Error(`baresip command "${cmd}${params ? ` ${params}` : ''}" failed: ${res.data}\n${logs().slice(-4_000)}`);
    return res;
  };

  const waitForEvent = (
    what: string | ((ev: BaresipEvent) => boolean),
    timeoutMs = 10_000,
    since = 0,
  ): Promise<BaresipEvent> => {
    const pred = typeof what === 'string' ? (ev: BaresipEvent) => ev.type === what : what;
    return c.waitForEvent(pred, timeoutMs, since).catch((error: Error) => {
      throw new Error(`${error.message}\n--- baresip output (tail) ---\n${logs().slice(-4_000)}`);
    });
  };

  return {
    pid: child.pid!,
    port: opts.port,
    ctrlPort,
    user: opts.user,
    aor,
    configDir,
    events: c.events,
    mark: () => c.events.length,
    onEvent: (listener) => c.onEvent(listener),
    waitForEvent,
    command,
    dial: async (uri) => {
      await command('dial', uri);
    },
    answer: async () => {
      await command('accept');
    },
    hangup: async () => {
      await command('hangup');
    },
    waitForRegistration: async (timeoutMs = 10_000) => {
      // REGISTER_OK may have happened before the control connection existed: poll reginfo too.
      const deadline = Date.now() + timeoutMs;
      for (;;) {
        if (c.events.some((ev) => ev.type === 'REGISTER_OK')) return;
        const info = stripAnsi((await command('reginfo')).data);
        if (/\sOK\s/.test(info)) return;
        const failed = c.events.find((ev) => ev.type === 'REGISTER_FAIL');
        if (Date.now() > deadline) {
          throw new Error(
            `baresip ${aor} not registered after ${timeoutMs} ms${failed ? ` (REGISTER_FAIL: ${failed.param})` : ''}\n` +
              `reginfo: ${info}\n--- baresip output (tail) ---\n${logs().slice(-4_000)}`,
          );
        }
        await new Promise((r) => setTimeout(r, 100));
      }
    },
    output: logs,
    stop,
  };
}

/** reginfo colours its status (ESC[32mOK ESC[;m). */
function stripAnsi(text: string): string {
  return text.split(String.fromCharCode(27)).join('').replace(/\[[0-9;]*m/g, '');
}

function accountLine(opts: BaresipOptions): { account: string; aor: string } {
  const display = opts.displayName ? `"${opts.displayName.replace(/["\\]/g, '')}" ` : '';
  const answermode = `;answermode=${opts.answerMode ?? 'manual'}`;
  const extra = opts.accountParams ?? '';
  const r = opts.registrar;
  if (!r) {
    const aor = `sip:${opts.user}@127.0.0.1:${opts.port}`;
    return { aor, account: `${display}<${aor}>;regint=0${answermode}${extra}` };
  }
  const host = r.host ?? '127.0.0.1';
  if (!/^127\.\d+\.\d+\.\d+$/.test(host)) throw new Error(`baresip registrar host must be on 127.0.0.0/8, got ${host}`);
  if (/["\\;\s]/.test(r.password)) throw new Error('baresip registrar password must not contain quotes, backslashes, ";" or spaces');
  const aor = `sip:${opts.user}@${r.domain}`;
  const outbound = `sip:${host}:${r.port}${r.transport === 'tcp' ? ';transport=tcp' : ''}`;
  const account =
    `${display}<${aor}>;auth_pass=${r.password}` +
    (r.authUser ? `;auth_user=${r.authUser}` : '') +
    `;outbound="${outbound}";regint=${r.regint ?? 600}${answermode}${extra}`;
  return { aor, account };
}

// ----------------------------------------------------------------- ctrl_tcp client

interface PendingCommand {
  resolve: (r: BaresipCommandResult) => void;
  reject: (e: Error) => void;
  timer: NodeJS.Timeout;
}

interface EventWaiter {
  pred: (ev: BaresipEvent) => boolean;
  since: number;
  resolve: (ev: BaresipEvent) => void;
  reject: (e: Error) => void;
  timer: NodeJS.Timeout;
}

/**
 * ctrl_tcp speaks netstrings ("<len>:<json>,") both ways. Commands: {command, params, token};
 * responses: {response:true, ok, data, token}; events: {event:true, class, type, ...}.
 * Only one control connection is allowed (a new one replaces the old).
 */
class CtrlConnection {
  readonly events: BaresipEvent[] = [];
  private buf = Buffer.alloc(0);
  private readonly pending = new Map<string, PendingCommand>();
  private readonly waiters = new Set<EventWaiter>();
  private readonly listeners = new Set<(ev: BaresipEvent) => void>();
  private nextToken = 1;
  private failure: Error | undefined;
  private closed = false;

  private constructor(private readonly sock: net.Socket) {
    sock.on('data', (d: Buffer) => this.onData(d));
    sock.on('error', (e) => this.fail(e));
    sock.on('close', () => this.fail(new Error('baresip control connection closed')));
  }

  static open(port: number): Promise<CtrlConnection> {
    return new Promise((resolve, reject) => {
      const sock = net.connect({ port, host: '127.0.0.1', localAddress: '127.0.0.1' });
      sock.once('connect', () => {
        sock.off('error', reject);
        resolve(new CtrlConnection(sock));
      });
      sock.once('error', reject);
    });
  }

  close(): void {
    this.closed = true;
    this.sock.destroy();
    this.fail(new Error('baresip stopped'));
  }

  /** Rejects pending commands and waiters (silently drops them after close()). */
  fail(error: Error): void {
    this.failure ??= error;
    for (const [token, p] of this.pending) {
      clearTimeout(p.timer);
      this.pending.delete(token);
      if (!this.closed) p.reject(error);
    }
    for (const w of [...this.waiters]) {
      clearTimeout(w.timer);
      this.waiters.delete(w);
      if (!this.closed) w.reject(error);
    }
  }

  command(command: string, params?: string): Promise<BaresipCommandResult> {
    if (this.failure) return Promise.reject(this.failure);
    const token = `t${this.nextToken++}`;
    const json = JSON.stringify({ command, ...(params !== undefined ? { params } : {}), token });
    const body = Buffer.from(json, 'utf8');
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.pending.delete(token);
        reject(new Error(`baresip did not answer command ${json} within ${COMMAND_TIMEOUT_MS} ms`));
      }, COMMAND_TIMEOUT_MS);
      this.pending.set(token, { resolve, reject, timer });
      this.sock.write(Buffer.concat([Buffer.from(`${body.length}:`), body, Buffer.from(',')]));
    });
  }

  onEvent(listener: (ev: BaresipEvent) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  waitForEvent(pred: (ev: BaresipEvent) => boolean, timeoutMs: number, since: number): Promise<BaresipEvent> {
    for (let i = since; i < this.events.length; i++) {
      if (pred(this.events[i]!)) return Promise.resolve(this.events[i]!);
    }
    if (this.failure) return Promise.reject(this.failure);
    return new Promise((resolve, reject) => {
      const waiter: EventWaiter = {
        pred,
        since,
        resolve,
        reject,
        timer: setTimeout(() => {
          this.waiters.delete(waiter);
          const recent = this.events.slice(-8).map((e) => `${e.class}/${e.type} ${e.param ?? ''}`).join('\n');
          reject(new Error(`timed out after ${timeoutMs} ms waiting for a baresip event; last events:\n${recent}`));
        }, timeoutMs),
      };
      this.waiters.add(waiter);
    });
  }

  private onData(d: Buffer): void {
    this.buf = Buffer.concat([this.buf, d]);
    for (;;) {
      const colon = this.buf.indexOf(0x3a); // ':'
      if (colon < 0) return;
      const len = Number(this.buf.subarray(0, colon).toString('latin1'));
      if (!Number.isInteger(len) || len < 0) {
        this.fail(new Error(`bad netstring from baresip: ${this.buf.subarray(0, 40).toString('latin1')}`));
        this.sock.destroy();
        return;
      }
      if (this.buf.length < colon + 1 + len + 1) return;
      const body = this.buf.subarray(colon + 1, colon + 1 + len).toString('utf8');
      this.buf = this.buf.subarray(colon + 1 + len + 1); // skip the ',' too
      this.onMessage(body);
    }
  }

  private onMessage(body: string): void {
    let msg: Record<string, unknown>;
    try {
      msg = JSON.parse(body) as Record<string, unknown>;
    } catch {
      return;
    }
    if (msg.response === true && typeof msg.token === 'string') {
      const p = this.pending.get(msg.token);
      if (!p) return;
      this.pending.delete(msg.token);
      clearTimeout(p.timer);
      p.resolve({ ok: msg.ok === true, data: typeof msg.data === 'string' ? msg.data : '' });
      return;
    }
    if (msg.event === true) {
      const ev = msg as BaresipEvent;
      const index = this.events.push(ev) - 1;
      for (const l of this.listeners) l(ev);
      for (const w of [...this.waiters]) {
        if (index >= w.since && w.pred(ev)) {
          clearTimeout(w.timer);
          this.waiters.delete(w);
          w.resolve(ev);
        }
      }
    }
  }
}
