// Helpers that run SIPp (Debian `sip-tester`, SIPp 3.6.1, /usr/bin/sipp) with the scenarios in
// test/peers/sipp/ as the remote party of the SIP line's tests and benchmarks, on 127.0.0.1 only.
// See test/peers/sipp/README.md. The bottom half hands out free loopback ports (for every peer);
// the child-process plumbing is test/support/children.ts.
import { spawn } from 'node:child_process';
import dgram from 'node:dgram';
import { existsSync } from 'node:fs';
import { readdir, readFile, rm, writeFile } from 'node:fs/promises';
import net from 'node:net';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { hasExited, makeTempDir, OutputTail, runCommand, terminate, trackChild, waitForSocket } from './children.js';

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');

/** Directory holding the SIPp scenarios. */
export const SIPP_SCENARIO_DIR = path.join(repoRoot, 'test', 'peers', 'sipp');
export const SIPP_BINARY = '/usr/bin/sipp';
const LOOPBACK = '127.0.0.1';

/** The scenarios in test/peers/sipp/ (file names without .xml). */
export type SippScenario =
  | 'uas-answer'
  | 'uas-busy'
  | 'uas-notfound'
  | 'uas-decline'
  | 'uas-noanswer'
  | 'uas-reinvite'
  | 'uas-accept-reinvite'
  | 'uas-media'
  | 'uac-call'
  | 'uac-rejected'
  | 'uac-cancel'
  | 'uac-reinvite'
  | 'uac-accept-reinvite';

/** A scenario of test/peers/sipp/ by name, or the path of any scenario file. */
export type SippScenarioRef = SippScenario | `${string}.xml`;

/** Absolute path of a scenario; anything ending in .xml is taken as a path (relative to the cwd). */
export function sippScenarioPath(scenario: SippScenarioRef): string {
  if (scenario.endsWith('.xml')) return path.resolve(scenario);
  return path.join(SIPP_SCENARIO_DIR, `${scenario}.xml`);
}

/** Throws a clear error when SIPp is not installed (tests must fail, never skip). */
export function sippAvailable(): void {
  if (!existsSync(SIPP_BINARY)) {
    throw new Error(
      `SIPp is not installed (${SIPP_BINARY} missing): install the Debian package "sip-tester" ` +
        '(bash scripts/setup-peers.sh does it)',
    );
  }
}

/** "3.6.1" for SIPp v3.6.1-SCTP-PCAP-RTPSTREAM. (`sipp -v` exits 99.) */
export async function sippVersion(): Promise<string> {
  sippAvailable();
  const { stdout, stderr } = await runCommand(SIPP_BINARY, ['-v'], { okCodes: [0, 99] });
  const m = /SIPp v(\d+\.\d+(?:\.\d+)?)/.exec(stdout + stderr);
  if (!m) throw new Error(`cannot parse the SIPp version from: ${stdout}${stderr}`);
  return m[1]!;
}

/**
 * Reads the defaults a scenario declares in its
 * `<!-- hometel-sipp-defaults: -set NAME VALUE -key NAME VALUE ... -->` comment.
 * Every `-set` global and `-key` keyword a scenario uses is listed there, because SIPp refuses
 * to start when a referenced `[key]` is not given, and an unset global reads as "".
 */
export async function sippScenarioDefaults(
  scenario: SippScenarioRef,
): Promise<{ keys: Record<string, string>; vars: Record<string, string> }> {
  const text = await readFile(sippScenarioPath(scenario), 'utf8');
  const keys: Record<string, string> = {};
  const vars: Record<string, string> = {};
  const m = /<!--\s*hometel-sipp-defaults:([\s\S]*?)-->/.exec(text);
  if (!m) return { keys, vars };
  const tokens = m[1]!.trim().split(/\s+/).filter(Boolean);
  for (let i = 0; i < tokens.length; i += 3) {
    const [flag, name, value] = [tokens[i], tokens[i + 1], tokens[i + 2]];
    if (!name || value === undefined) throw new Error(`bad hometel-sipp-defaults in ${scenario}: ${m[1]}`);
    if (flag === '-key') keys[name] = value;
    else if (flag === '-set') vars[name] = value;
    else throw new Error(`bad hometel-sipp-defaults flag ${flag} in ${scenario}`);
  }
  return { keys, vars };
}

export interface SippOptions {
  /** Scenario name in test/peers/sipp/ or path to an XML file. */
  scenario: SippScenarioRef;
  /** "host:port" to send to (UAC scenarios). Must be on 127.0.0.0/8. */
  remote?: string;
  /** Local SIP port (-p). UAS scenarios listen here. */
  localPort: number;
  /** u1: UDP, one socket; t1: TCP, one connection. */
  transport: 'u1' | 't1';
  /** -m: exit after this many calls. UAC default 1; UAS default unlimited (until stop()). */
  calls?: number;
  /** -r: calls per second (UAC), with ratePeriodMs (-rp, default 1000). */
  rate?: number;
  ratePeriodMs?: number;
  /** -l: maximum simultaneous calls. */
  maxConcurrent?: number;
  /** -key NAME VALUE: [NAME] keywords in the scenario's messages (merged over the scenario's defaults). */
  keys?: Record<string, string>;
  /** -set NAME VALUE: scenario globals such as hangup, ringms, holdms (merged over defaults). */
  vars?: Record<string, string>;
  /** Hard limit: SIPp is stopped (SIGTERM, then SIGKILL) and the run counts as failed. */
  timeoutMs: number;
  /** -s: user part of the Request-URI (UAC) / Contact user (UAS). Default "service". */
  service?: string;
  /** -mp: first local RTP port (SIPp binds it and port+2; default: from 6000 on, first free). */
  mediaPort?: number;
  /** -rtp_echo: echo RTP received on the media port back to its sender. */
  rtpEcho?: boolean;
  /** -aa: answer in-dialog INFO/NOTIFY/OPTIONS/UPDATE with 200 automatically (default true). */
  autoAnswer?: boolean;
  /** -trace_msg: log every message (default true; switch off for load). */
  traceMessages?: boolean;
  /** Anything else for the command line. */
  extraArgs?: string[];
  /** Files written into SIPp's working directory before it starts (e.g. the audio an rtp_stream action plays). */
  files?: Record<string, Uint8Array>;
  /** Runs SIPp inside this network namespace (`ip netns exec`), bound to `address` there instead of 127.0.0.1. */
  netns?: { readonly name: string; readonly address: string };
}

/** Final statistics of a run (from SIPp's -trace_stat CSV, cumulative columns). */
export interface SippStats {
  /** TotalCallCreated */
  created: number;
  /** SuccessfulCall(C) */
  successful: number;
  /** FailedCall(C) */
  failed: number;
  /** CurrentCall when SIPp exited */
  current: number;
  /** Retransmissions(C) */
  retransmissions: number;
  /** Every column of the last line, by header name. */
  raw: Record<string, string>;
}

export interface SippResult {
  /** Process exit code: 0 all calls succeeded, 1 some failed, 97 internal stop, 99 normal exit without calls, 255 fatal (-1), 254 bind error (-2). */
  exitCode: number | null;
  signal: NodeJS.Signals | null;
  /** timeoutMs hit: SIPp was killed (a SIGTERMed SIPp may still exit 0). */
  timedOut: boolean;
  /** stop() was called before SIPp exited on its own. */
  stopped: boolean;
  /** exitCode 0, not timed out, and no failed call. */
  ok: boolean;
  stats: SippStats | null;
  /** -trace_counts columns of the last line, e.g. "2_180_Sent": 1, "5_ACK_Recv": 1. */
  counts: Record<string, number>;
  /** -trace_err log (unexpected messages, aborted calls). */
  errors: string;
  /** -trace_screen final screen. */
  screen: string;
  /** -trace_msg log ("" when traceMessages is false). */
  messages: string;
  stderr: string;
  stdoutTail: string;
  args: string[];
  /** Human-readable summary with logs, for assertion messages. */
  report(): string;
}

export interface SippHandle {
  pid: number;
  args: string[];
  /** Temporary directory SIPp runs in (removed once done settles unless HOMETEL_KEEP_PEER_LOGS is set). */
  workDir: string;
  /** Settles when SIPp exits (never rejects). */
  done: Promise<SippResult>;
  /** SIGTERM (SIPp then exits 0 if no call failed), SIGKILL after 3 s. Resolves with the result. */
  stop(): Promise<SippResult>;
  /** Resolves once SIPp has bound 127.0.0.1:localPort (UDP for u1, TCP listen for t1). */
  waitListening(timeoutMs?: number): Promise<void>;
}

/** Sum of the count columns for a message (e.g. "180", "INVITE", "Pause") and kind (Sent, Recv, Retrans, Timeout, Unexp). */
export function sippCount(result: SippResult, message: string, kind: string): number {
  let n = 0;
  for (const [column, value] of Object.entries(result.counts)) {
    const m = /^\d+_(.+)_([A-Za-z]+)$/.exec(column);
    if (m && m[1] === message && m[2] === kind) n += value;
  }
  return n;
}

export interface SippLoggedMessage {
  direction: 'sent' | 'received';
  transport: string;
  /** Start line, e.g. "INVITE sip:bob@127.0.0.1:5060 SIP/2.0" or "SIP/2.0 180 Ringing". */
  firstLine: string;
  /** The whole message as logged. */
  text: string;
}

/** The messages of a run with traceMessages (the -trace_msg log), in order. */
export function sippMessages(result: SippResult): SippLoggedMessage[] {
  const out: SippLoggedMessage[] = [];
  const re = /^-{20,} [^\n]*\n(\w+) message (sent|received) (?:\[\d+\] bytes ?|\(\d+ bytes\)):\n\n([\s\S]*?)(?=\n-{20,} |\s*(?![\s\S]))/gm;
  for (const m of result.messages.matchAll(re)) {
    const text = m[3]!.trim();
    out.push({
      transport: m[1]!,
      direction: m[2] as 'sent' | 'received',
      firstLine: text.split('\n', 1)[0]!.trim(),
      text,
    });
  }
  return out;
}

/** Throws an Error carrying the run's report unless result.ok. */
export function expectSippSuccess(result: SippResult, what = 'SIPp run'): void {
  if (!result.ok) throw new Error(`${what} failed\n${result.report()}`);
}

/**
 * Spawns SIPp with a scenario, everything bound to 127.0.0.1 (-i, -mi, -ci, -bind_local),
 * logs (-trace_err, -trace_stat, -trace_counts, -trace_screen, -trace_msg) in a temp dir.
 */
export async function runSipp(opts: SippOptions): Promise<SippHandle> {
  sippAvailable();
  if (opts.remote !== undefined && !opts.netns && !/^127\.\d+\.\d+\.\d+:\d+$/.test(opts.remote)) {
    throw new Error(`SIPp remote must be 127.x.x.x:port, got ${opts.remote}`);
  }
  const scenarioPath = sippScenarioPath(opts.scenario);
  const defaults = await sippScenarioDefaults(opts.scenario);
  const keys = { ...defaults.keys, ...opts.keys };
  const vars = { ...defaults.vars, ...opts.vars };
  const isUac = opts.remote !== undefined;
  const calls = opts.calls ?? (isUac ? 1 : undefined);

  const workDir = await makeTempDir('hometel-sipp-');
  for (const [name, content] of Object.entries(opts.files ?? {})) await writeFile(path.join(workDir, path.basename(name)), content);
  const args: string[] = [];
  const local = opts.netns?.address ?? LOOPBACK;
  if (opts.remote) args.push(opts.remote);
  args.push(
    '-sf', scenarioPath,
    '-i', local,
    '-mi', local,
    '-ci', local,
    '-bind_local',
    '-p', String(opts.localPort),
    '-t', opts.transport,
    '-s', opts.service ?? 'service',
    '-nostdin',
    '-trace_err', '-error_file', path.join(workDir, 'errors.log'),
    '-trace_stat', '-stf', path.join(workDir, 'stat.csv'), '-fd', '1',
    '-trace_counts',
    '-trace_screen', '-screen_file', path.join(workDir, 'screen.log'),
  );
  if (opts.traceMessages ?? true) args.push('-trace_msg', '-message_file', path.join(workDir, 'messages.log'));
  if (opts.autoAnswer ?? true) args.push('-aa');
  if (calls !== undefined) args.push('-m', String(calls));
  if (opts.rate !== undefined) args.push('-r', String(opts.rate), '-rp', `${opts.ratePeriodMs ?? 1000}ms`);
  if (opts.maxConcurrent !== undefined) args.push('-l', String(opts.maxConcurrent));
  if (opts.mediaPort !== undefined) args.push('-mp', String(opts.mediaPort));
  if (opts.rtpEcho) args.push('-rtp_echo');
  for (const [k, v] of Object.entries(keys)) args.push('-key', k, v);
  for (const [k, v] of Object.entries(vars)) args.push('-set', k, v);
  if (opts.extraArgs) args.push(...opts.extraArgs);

  // cwd = workDir: -trace_counts has no file-name option and writes <scenario>_<pid>_counts.csv there.
  const child = opts.netns
    ? spawn('ip', ['netns', 'exec', opts.netns.name, SIPP_BINARY, ...args], { cwd: workDir, stdio: ['ignore', 'pipe', 'pipe'] })
    : spawn(SIPP_BINARY, args, { cwd: workDir, stdio: ['ignore', 'pipe', 'pipe'] });
  trackChild(child);
  const stderr = new OutputTail(child.stderr);
  const stdout = new OutputTail(child.stdout, 16 * 1024);

  let timedOut = false;
  let stopped = false;
  const timer = setTimeout(() => {
    timedOut = true;
    void terminate(child, 3_000);
  }, opts.timeoutMs);

  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null; spawnError?: Error }>((resolve) => {
    child.once('error', (error) => resolve({ code: null, signal: null, spawnError: error }));
    child.once('close', (code, signal) => resolve({ code, signal }));
  });

  const done: Promise<SippResult> = exited.then(async ({ code, signal, spawnError }) => {
    clearTimeout(timer);
    const result = await collectResult({
      workDir,
      args,
      code,
      signal,
      timedOut,
      stopped,
      stderr: (spawnError ? `spawn error: ${spawnError.message}\n` : '') + stderr.toString(),
      stdoutTail: stdout.toString(),
    });
    if (!process.env.HOMETEL_KEEP_PEER_LOGS) await rm(workDir, { recursive: true, force: true }).catch(() => undefined);
    return result;
  });

  return {
    pid: child.pid ?? -1,
    args,
    workDir,
    done,
    stop: async () => {
      if (!hasExited(child)) {
        stopped = true;
        await terminate(child, 3_000);
      }
      return done;
    },
    waitListening: async (timeoutMs = 5_000) => {
      try {
        await waitForSocket({
          pids: [child.pid ?? -1],
          port: opts.localPort,
          protocol: opts.transport === 't1' ? 'tcp' : 'udp',
          timeoutMs,
          child,
        });
      } catch (error) {
        throw new Error(`${(error as Error).message}\nSIPp ${args.join(' ')}\n--- SIPp stderr ---\n${stderr.toString()}`);
      }
    },
  };
}

/** runSipp + waitListening: for UAS scenarios the line will call. */
export async function startSippUas(opts: SippOptions): Promise<SippHandle> {
  const handle = await runSipp(opts);
  try {
    await handle.waitListening();
  } catch (error) {
    await handle.stop();
    throw error;
  }
  return handle;
}

async function collectResult(r: {
  workDir: string;
  args: string[];
  code: number | null;
  signal: NodeJS.Signals | null;
  timedOut: boolean;
  stopped: boolean;
  stderr: string;
  stdoutTail: string;
}): Promise<SippResult> {
  const read = async (name: string): Promise<string> => {
    try {
      return await readFile(path.join(r.workDir, name), 'utf8');
    } catch {
      return '';
    }
  };
  const statCsv = await read('stat.csv');
  let countsCsv = '';
  try {
    const countsFile = (await readdir(r.workDir)).find((f) => f.endsWith('_counts.csv'));
    if (countsFile) countsCsv = await read(countsFile);
  } catch {
    /* workDir gone */
  }
  const stats = parseStats(statCsv);
  const counts: Record<string, number> = {};
  for (const [k, v] of Object.entries(lastCsvRow(countsCsv))) {
    if (/^\d+_/.test(k)) counts[k] = Number(v);
  }
  const errors = await read('errors.log');
  const screen = await read('screen.log');
  const messages = await read('messages.log');
  const ok = r.code === 0 && !r.timedOut && (stats === null || stats.failed === 0);
  const result: SippResult = {
    exitCode: r.code,
    signal: r.signal,
    timedOut: r.timedOut,
    stopped: r.stopped,
    ok,
    stats,
    counts,
    errors,
    screen,
    messages,
    stderr: r.stderr,
    stdoutTail: r.stdoutTail,
    args: r.args,
    report: () => {
      const parts = [
        `sipp ${r.args.join(' ')}`,
        `exit code ${r.code}, signal ${r.signal}${r.timedOut ? ', TIMED OUT' : ''}${r.stopped ? ', stopped' : ''}`,
        stats
          ? `calls: created ${stats.created}, successful ${stats.successful}, failed ${stats.failed}, current ${stats.current}`
          : 'no statistics (SIPp did not write its stat file)',
      ];
      const failures = stats
        ? Object.entries(stats.raw)
            .filter(([k, v]) => /^Failed.*\(C\)$/.test(k) && v !== '0')
            .map(([k, v]) => `${k}=${v}`)
        : [];
      if (failures.length) parts.push(`failure counters: ${failures.join(', ')}`);
      const nonZero = Object.entries(counts).filter(([, v]) => v !== 0).map(([k, v]) => `${k}=${v}`);
      if (nonZero.length) parts.push(`message counts: ${nonZero.join(' ')}`);
      if (r.stderr.trim()) parts.push(`--- stderr ---\n${tail(r.stderr, 8_000)}`);
      if (errors.trim()) parts.push(`--- errors.log ---\n${tail(errors, 8_000)}`);
      if (screen.trim()) parts.push(`--- screen ---\n${tail(screen, 6_000)}`);
      if (messages.trim()) parts.push(`--- messages (tail) ---\n${tail(messages, 12_000)}`);
      return parts.join('\n');
    },
  };
  return result;
}

function lastCsvRow(csv: string): Record<string, string> {
  const lines = csv.split('\n').map((l) => l.trimEnd()).filter(Boolean);
  if (lines.length < 2) return {};
  const header = lines[0]!.split(';');
  const row = lines[lines.length - 1]!.split(';');
  const out: Record<string, string> = {};
  header.forEach((h, i) => {
    if (h) out[h] = row[i] ?? '';
  });
  return out;
}

function parseStats(csv: string): SippStats | null {
  const raw = lastCsvRow(csv);
  if (!('SuccessfulCall(C)' in raw)) return null;
  const num = (k: string): number => Number(raw[k] ?? 'NaN');
  return {
    created: num('TotalCallCreated'),
    successful: num('SuccessfulCall(C)'),
    failed: num('FailedCall(C)'),
    current: num('CurrentCall'),
    retransmissions: num('Retransmissions(C)'),
    raw,
  };
}

function tail(text: string, max: number): string {
  return text.length > max ? `...${text.slice(-max)}` : text;
}

// =====================================================================================
// Free loopback ports
// =====================================================================================

function canBind(port: number, protocol: 'udp' | 'tcp'): Promise<boolean> {
  return new Promise((resolve) => {
    if (protocol === 'tcp') {
      const srv = net.createServer();
      srv.once('error', () => resolve(false));
      srv.listen({ port, host: LOOPBACK, exclusive: true }, () => srv.close(() => resolve(true)));
    } else {
      const sock = dgram.createSocket('udp4');
      sock.once('error', () => {
        sock.close();
        resolve(false);
      });
      sock.bind({ port, address: LOOPBACK, exclusive: true }, () => sock.close(() => resolve(true)));
    }
  });
}

function ephemeralTcpPort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.once('error', reject);
    srv.listen({ port: 0, host: LOOPBACK }, () => {
      const { port } = srv.address() as net.AddressInfo;
      srv.close(() => resolve(port));
    });
  });
}

/**
 * A port p on 127.0.0.1 such that p .. p+span-1 are all free for both UDP and TCP right now
 * (span 2 for baresip, which also binds TCP port+1 for TLS). Ports handed out by this process
 * are not handed out again.
 */
export async function freeLoopbackPort(span = 1): Promise<number> {
  for (let attempt = 0; attempt < 100; attempt++) {
    const p = await ephemeralTcpPort();
    if (p + span - 1 > 65535) continue;
    let ok = true;
    for (let i = 0; i < span && ok; i++) {
      ok = !handedOut.has(p + i) && (await canBind(p + i, 'tcp')) && (await canBind(p + i, 'udp'));
    }
    if (ok) {
      for (let i = 0; i < span; i++) handedOut.add(p + i);
      return p;
    }
  }
  throw new Error(`no ${span} consecutive free UDP+TCP ports found on ${LOOPBACK}`);
}
const handedOut = new Set<number>();
