/**
 * The Telephony Server over its SIP line under call load: a Telephony Server in a process of its own
 * (test/support/ts-process.ts --sip: createTelephonyServer over a SipLine in direct mode on 127.0.0.1, UDP),
 * SIPp as the remote party answering at once (test/peers/sipp/uas-answer.xml: 100, 180, 200; it waits for
 * our BYE), and this process as the load driver: a TelCP over real UPnP (raw SOAP with keep-alive, one GENA
 * subscription on 127.0.0.1) that for every call sends StartCall, waits for the Connected CallInfo event,
 * sends StopCall and waits for Disconnected.
 *
 * - Call rate steps (open loop: call i starts at i / rate s): StartCall sent → Connected NOTIFY received,
 *   p50/p99; failures; the peak number of calls in flight; CPU of the TS process and of SIPp. The steps stop
 *   at the first rate with more than 1 % failed calls.
 * - The same rate between two SIPp instances alone (test/peers/sipp/uac-call.xml → uas-answer.xml, SIPp's
 *   INVITE sent → 200 received from its -trace_rtt): what this machine allows SIP itself, as the reference.
 * - Held calls: K calls opened (16 StartCalls at a time) and kept Connected at once, checked with GetCallInfo,
 *   then all stopped; K grows in steps until more than 1 % fail.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { readdir, readFile, rm } from 'node:fs/promises';
import { Agent, createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { DescribedService } from '../src/upnp/description/device-xml.js';
import { parsePropertySet } from '../src/upnp/gena/propertyset.js';
import type { WireArgs } from '../src/upnp/soap/envelope.js';
import { parseCallInfo, parseCallInfoList } from '../src/telephony/contracts/call-management/cams-xml.js';
import { freeLoopbackPort, runSipp, startSippUas, type SippHandle, type SippResult } from '../test/support/sipp.js';
import { callManagementType, mediaInfo, tcAudioSdp } from '../test/support/telephony-server.js';
import { startTsProcess, type TsProcess } from '../test/support/ts-process.js';
import { bareRequest, invokeAction, serviceAt, type BareReply } from './load-driver.js';
import { cpuTicks, USER_HZ } from './proc-stat.js';
import { ms, percentile } from './stats.js';
import { errorMessage } from '../src/base/index.js';

/** How long one call may take to reach Connected, and then Disconnected, before it counts as failed. */
const CALL_TIMEOUT_MS = 10_000;
/** Calls each rig makes before measuring (JIT, connections, the SIP path). */
export const WARMUP_CALLS = 20;
/** A step fails above this share of failed calls. */
export const FAILURE_LIMIT = 0.01;

export interface RateFigures {
  readonly rate: number;
  readonly durationMs: number;
  readonly attempted: number;
  readonly failed: number;
  /** Calls completed per second over the step (StartCall of the first → Disconnected of the last). */
  readonly achieved: number;
  /** StartCall sent → Connected NOTIFY received. */
  readonly p50: number;
  readonly p99: number;
  /** Calls between StartCall and Disconnected at once, at most. */
  readonly peakInFlight: number;
  /** CPU time over wall time, in % of one core. */
  readonly tsCpu: number;
  readonly sippCpu: number;
  /** Calls SIPp's UAS completed (INVITE … BYE answered) in the step. */
  readonly sippCompleted: number;
  /** Whether the TS still had our GENA subscription after the step (false: it dropped us). */
  readonly subscribed: boolean;
  /** Why calls failed, with counts. */
  readonly failures: string;
}

export interface SippRefFigures {
  readonly rate: number;
  readonly attempted: number;
  readonly failed: number;
  /** SIPp UAC: INVITE sent → 200 received. */
  readonly p50: number;
  readonly p99: number;
  /** Both SIPp processes, % of one core. */
  readonly cpu: number;
}

export interface HeldFigures {
  readonly calls: number;
  readonly connected: number;
  readonly failed: number;
  /** Calls GetCallInfo listed as Connected with all of them open, or why it could not tell. */
  readonly listed: number | string;
  /** Time to open all of them (16 StartCalls at a time). */
  readonly openMs: number;
  readonly p50: number;
  readonly p99: number;
  /** Resident memory of the TS process with all calls open, MiB. */
  readonly rssMiB: number;
  readonly failures: string;
}

// ------------------------------------------------------------------ processes and CPU

/** utime + stime of a process, in seconds. */
async function cpuSeconds(pid: number): Promise<number> {
  try {
    return cpuTicks(await readFile(`/proc/${pid}/stat`, 'utf8')) / USER_HZ;
  } catch {
    return NaN;
  }
}

async function rssMiB(pid: number): Promise<number> {
  const status = await readFile(`/proc/${pid}/status`, 'utf8').catch(() => '');
  return Number(/^VmRSS:\s+(\d+) kB/m.exec(status)?.[1] ?? NaN) / 1024;
}

/** CPU time of some processes over wall time; sampled every 100 ms, so that a process that exits still counts. */
class CpuMeter {
  private readonly start = new Map<number, number>();
  private readonly last = new Map<number, number>();
  private t0 = 0;
  private timer?: NodeJS.Timeout;
  constructor(private readonly pids: readonly number[]) {}
  async begin(): Promise<void> {
    for (const pid of this.pids) this.start.set(pid, await cpuSeconds(pid));
    this.t0 = performance.now();
    this.timer = setInterval(() => void this.sample(), 100);
  }
  private async sample(): Promise<void> {
    for (const pid of this.pids) {
      const v = await cpuSeconds(pid);
      if (Number.isFinite(v)) this.last.set(pid, v);
    }
  }
  /** CPU time used since begin() over wall time, % of one core, summed over the processes. */
  async end(): Promise<number> {
    clearInterval(this.timer);
    await this.sample();
    const wall = (performance.now() - this.t0) / 1000;
    let used = 0;
    for (const pid of this.pids) used += (this.last.get(pid) ?? NaN) - (this.start.get(pid) ?? NaN);
    return (used / wall) * 100;
  }
}

// ------------------------------------------------------------------ the TelCP side

interface Arrival {
  readonly status: string;
  readonly reason?: string;
  readonly at: number;
}

/** One TelCP: raw SOAP over keep-alive connections and one GENA subscription, CallInfo events by CallID. */
class TelCP {
  private readonly agent = new Agent({ keepAlive: true, maxSockets: 64 });
  private readonly events = new Map<string, Arrival[]>();
  private readonly waiters = new Map<string, Array<() => void>>();
  private server?: Server;
  private sid?: string;
  notifies = 0;

  constructor(private readonly cm: DescribedService) {}

  async subscribe(): Promise<void> {
    const server = createServer((req: IncomingMessage, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        const at = performance.now();
        res.end();
        this.notifies++;
        const vars = parsePropertySet(Buffer.concat(chunks).toString('utf8'));
        if (!vars.ok) return;
        const ci = vars.value.find(([n]) => n === 'CallInfo')?.[1];
        if (!ci) return;
        const parsed = parseCallInfo(ci);
        if (!parsed.ok) return;
        const { callID, callStatus, reason } = parsed.value;
        const list = this.events.get(callID) ?? [];
        list.push({ status: callStatus, ...(reason ? { reason } : {}), at });
        this.events.set(callID, list);
        for (const w of this.waiters.get(callID) ?? []) w();
      });
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    this.server = server;
    const callback = `http://127.0.0.1:${(server.address() as AddressInfo).port}/cm`;
    const { status, headers } = await this.subscribeRequest({ CALLBACK: `<${callback}>`, NT: 'upnp:event', TIMEOUT: 'Second-1800' });
    if (status !== 200 || typeof headers.sid !== 'string') throw new Error(`SUBSCRIBE answered ${status}`);
    this.sid = headers.sid;
    await new Promise((r) => setTimeout(r, 300)); // the initial event out of the way
  }

  /** Renews the subscription: false when the TS answers 412, i.e. it has dropped us. */
  async stillSubscribed(): Promise<boolean> {
    const { status } = await this.subscribeRequest({ SID: this.sid ?? '', TIMEOUT: 'Second-1800' });
    return status === 200;
  }

  private subscribeRequest(headers: Record<string, string>): Promise<BareReply> {
    return bareRequest('SUBSCRIBE', this.cm.eventSubUrl, headers, '', '127.0.0.1');
  }

  invoke(action: string, args: WireArgs): Promise<Map<string, string>> {
    return invokeAction(this.cm.controlUrl, callManagementType, action, args, this.agent, CALL_TIMEOUT_MS);
  }

  /** The first event of a Call in one of `statuses` (already arrived or to come). */
  waitFor(callID: string, statuses: readonly string[], timeoutMs: number): Promise<Arrival> {
    return new Promise((resolve, reject) => {
      const check = (): boolean => {
        const hit = this.events.get(callID)?.find((e) => statuses.includes(e.status));
        if (hit) resolve(hit);
        return hit !== undefined;
      };
      if (check()) return;
      const list = this.waiters.get(callID) ?? [];
      const timer = setTimeout(() => {
        const seen = (this.events.get(callID) ?? []).map((e) => e.status).join(',');
        reject(new Error(`no ${statuses.join('/')} within ${timeoutMs} ms (seen: ${seen || 'nothing'})`));
      }, timeoutMs);
      list.push(() => {
        if (check()) clearTimeout(timer);
      });
      this.waiters.set(callID, list);
    });
  }

  forget(callID: string): void {
    this.events.delete(callID);
    this.waiters.delete(callID);
  }

  async close(): Promise<void> {
    this.agent.destroy();
    const s = this.server;
    if (s) {
      s.closeAllConnections();
      await new Promise<void>((r) => s.close(() => r()));
    }
  }
}

const nonMono: WireArgs = [
  ['TelCPName', ''],
  ['SecretKey', ''],
];

interface CallOutcome {
  readonly ok: boolean;
  readonly connectedMs?: number;
  readonly error?: string;
}

/** StartCall → Connected; then StopCall → Disconnected unless `hold` (the caller stops it later). */
async function oneCall(telcp: TelCP, callee: string, hold?: (stop: () => Promise<void>) => void): Promise<CallOutcome> {
  const t0 = performance.now();
  let callID: string | undefined;
  try {
    callID = (await telcp.invoke('StartCall', [...nonMono, ['CalleeID', callee], ['CallPriority', 'Normal'], ['MediaCapabilityInfo', mediaInfo(tcAudioSdp)], ['CallMode', 'Non-Monopolize']])).get('CallID');
    if (!callID) throw new Error('StartCall returned no CallID');
    const first = await telcp.waitFor(callID, ['Connected', 'Disconnected'], CALL_TIMEOUT_MS);
    if (first.status !== 'Connected') throw new Error(`Disconnected before Connected${first.reason ? ` (${first.reason})` : ''}`);
    const connectedMs = first.at - t0;
    const id = callID;
    const stop = async (): Promise<void> => {
      await telcp.invoke('StopCall', [...nonMono, ['CallID', id]]);
      await telcp.waitFor(id, ['Disconnected'], CALL_TIMEOUT_MS);
      telcp.forget(id);
    };
    if (hold) hold(stop);
    else await stop();
    return { ok: true, connectedMs };
  } catch (e) {
    if (callID) telcp.forget(callID);
    return { ok: false, error: errorMessage(e).replace(/call-[\w-]+/g, 'call-…') };
  }
}

function describeFailures(outcomes: readonly CallOutcome[]): string {
  const counts = new Map<string, number>();
  for (const o of outcomes) if (!o.ok) counts.set(o.error ?? '?', (counts.get(o.error ?? '?') ?? 0) + 1);
  return [...counts].map(([k, v]) => `${v}× ${k}`).join('; ');
}

// ------------------------------------------------------------------ one TS + SIPp UAS

interface Rig {
  readonly ts: TsProcess;
  readonly uas: SippHandle;
  readonly uasPort: number;
  readonly telcp: TelCP;
}

async function withRig<T>(fn: (rig: Rig) => Promise<T>): Promise<T> {
  const dataDir = mkdtempSync(join(tmpdir(), 'hometel-bench-sip-'));
  let ts: TsProcess | undefined;
  let uas: SippHandle | undefined;
  let telcp: TelCP | undefined;
  try {
    ts = await startTsProcess({ dataDir, sip: true, maxCalls: 20_000 });
    const cm = await serviceAt(ts.location, callManagementType);
    const uasPort = await freeLoopbackPort();
    uas = await startSippUas({ scenario: 'uas-answer', localPort: uasPort, transport: 'u1', vars: { hangup: 'peer', ringms: '0' }, traceMessages: false, timeoutMs: 15 * 60_000 });
    telcp = new TelCP(cm);
    await telcp.subscribe();
    for (let i = 0; i < WARMUP_CALLS; i++) await oneCall(telcp, `sip:warm${i}@127.0.0.1:${uasPort}`);
    return await fn({ ts, uas, uasPort, telcp });
  } finally {
    await telcp?.close();
    await uas?.stop();
    await ts?.stop();
    rmSync(dataDir, { recursive: true, force: true });
  }
}

/** Calls at `rate` per second for `durationMs` (open loop), each StartCall → Connected → StopCall → Disconnected. */
export async function sipLineRate(rate: number, durationMs: number): Promise<RateFigures> {
  return withRig(async ({ ts, uas, uasPort, telcp }) => {
    const n = Math.max(1, Math.round((rate * durationMs) / 1000));
    let inFlight = 0;
    let peak = 0;
    const cpu = new CpuMeter([ts.child.pid!]);
    const sippCpu = new CpuMeter([uas.pid]);
    await cpu.begin();
    await sippCpu.begin();
    const t0 = performance.now();
    const calls: Array<Promise<CallOutcome>> = [];
    for (let i = 0; i < n; i++) {
      const due = t0 + (i * 1000) / rate;
      const wait = due - performance.now();
      if (wait > 0) await new Promise((r) => setTimeout(r, wait));
      inFlight++;
      peak = Math.max(peak, inFlight);
      calls.push(
        oneCall(telcp, `sip:b${i}@127.0.0.1:${uasPort}`).finally(() => {
          inFlight--;
        }),
      );
    }
    const outcomes = await Promise.all(calls);
    const elapsed = performance.now() - t0;
    const tsCpu = await cpu.end();
    const uasCpu = await sippCpu.end();
    const subscribed = await telcp.stillSubscribed();
    await new Promise((r) => setTimeout(r, 400)); // SIPp counts a call once its 200 ms timewait is over
    const uasResult = await uas.stop();
    const latencies = outcomes.flatMap((o) => (o.connectedMs !== undefined ? [o.connectedMs] : [])).sort((a, b) => a - b);
    const failed = outcomes.filter((o) => !o.ok).length;
    return {
      rate,
      durationMs,
      attempted: n,
      failed,
      achieved: ((n - failed) / elapsed) * 1000,
      p50: percentile(latencies, 50),
      p99: percentile(latencies, 99),
      peakInFlight: peak,
      tsCpu,
      sippCpu: uasCpu,
      sippCompleted: (uasResult.stats?.successful ?? NaN) - WARMUP_CALLS,
      subscribed,
      failures: describeFailures(outcomes),
    };
  });
}

/** The same rate between two SIPp instances alone: uac-call (BYE at once) → uas-answer. */
export async function sippReference(rate: number, durationMs: number): Promise<SippRefFigures> {
  const n = Math.max(1, Math.round((rate * durationMs) / 1000));
  const uasPort = await freeLoopbackPort();
  const uas = await startSippUas({ scenario: 'uas-answer', localPort: uasPort, transport: 'u1', vars: { hangup: 'peer', ringms: '0' }, traceMessages: false, timeoutMs: durationMs + 120_000 });
  // runSipp removes its work directory when SIPp exits, unless HOMETEL_KEEP_PEER_LOGS is set: keep it to read
  // the -trace_rtt file, then remove it here.
  const keep = process.env.HOMETEL_KEEP_PEER_LOGS;
  process.env.HOMETEL_KEEP_PEER_LOGS = '1';
  let uac: SippHandle | undefined;
  let result: SippResult | undefined;
  let cpu = NaN;
  try {
    uac = await runSipp({
      scenario: 'uac-call',
      remote: `127.0.0.1:${uasPort}`,
      localPort: await freeLoopbackPort(),
      transport: 'u1',
      calls: n,
      rate,
      vars: { hangup: 'sipp', holdms: '0' },
      traceMessages: false,
      extraArgs: ['-trace_rtt', '-rtt_freq', '1'],
      timeoutMs: durationMs + 60_000,
    });
    const meter = new CpuMeter([uac.pid, uas.pid]);
    await meter.begin();
    result = await uac.done;
    cpu = await meter.end();
  } finally {
    await uas.stop();
    if (keep === undefined) delete process.env.HOMETEL_KEEP_PEER_LOGS;
    else process.env.HOMETEL_KEEP_PEER_LOGS = keep;
  }
  const rttFile = (await readdir(uac.workDir)).find((f) => f.endsWith('_rtt.csv'));
  const rtts = rttFile
    ? (await readFile(join(uac.workDir, rttFile), 'utf8'))
        .split('\n')
        .slice(1)
        .map((l) => Number(l.split(';')[1]))
        .filter((v) => Number.isFinite(v))
        .sort((a, b) => a - b)
    : [];
  if (keep === undefined) {
    await rm(uac.workDir, { recursive: true, force: true });
    await rm(uas.workDir, { recursive: true, force: true });
  }
  const failed = result.stats ? result.stats.failed + Math.max(0, n - result.stats.successful - result.stats.failed) : n;
  return { rate, attempted: n, failed, p50: percentile(rtts, 50), p99: percentile(rtts, 99), cpu };
}

/** `k` calls opened and held Connected at once, listed by GetCallInfo, then all stopped. */
export async function heldCalls(k: number): Promise<HeldFigures> {
  return withRig(async ({ ts, uasPort, telcp }) => {
    const stops: Array<() => Promise<void>> = [];
    const outcomes: CallOutcome[] = [];
    let next = 0;
    const t0 = performance.now();
    await Promise.all(
      Array.from({ length: 16 }, async () => {
        while (next < k) {
          const i = next++;
          outcomes.push(await oneCall(telcp, `sip:h${i}@127.0.0.1:${uasPort}`, (stop) => stops.push(stop)));
        }
      }),
    );
    const openMs = performance.now() - t0;
    const rss = await rssMiB(ts.child.pid!);
    let listed: number | string;
    try {
      const list = parseCallInfoList((await telcp.invoke('GetCallInfo', [...nonMono, ['TargetCallID', '']])).get('CallInfoList') ?? '');
      listed = list.ok ? list.value.filter((c) => c.callStatus === 'Connected').length : `unparsable: ${list.reason}`;
    } catch (e) {
      const message = errorMessage(e);
      const size = /larger than \d+ bytes \((\d+) bytes\)/.exec(message)?.[1];
      listed = size ? `n/a: its ${(Number(size) / 1048576).toFixed(1)} MiB answer is over the 1 MiB XML limit` : message;
    }
    let stopFailures = 0;
    let s = 0;
    await Promise.all(
      Array.from({ length: 16 }, async () => {
        while (s < stops.length) {
          const stop = stops[s++]!;
          await stop().catch(() => stopFailures++);
        }
      }),
    );
    const latencies = outcomes.flatMap((o) => (o.connectedMs !== undefined ? [o.connectedMs] : [])).sort((a, b) => a - b);
    const connected = outcomes.filter((o) => o.ok).length;
    return {
      calls: k,
      connected,
      failed: k - connected + stopFailures,
      listed,
      openMs,
      p50: percentile(latencies, 50),
      p99: percentile(latencies, 99),
      rssMiB: rss,
      failures: [describeFailures(outcomes), stopFailures ? `${stopFailures}× StopCall/Disconnected failed` : ''].filter(Boolean).join('; '),
    };
  });
}

export const rateHeader = [
  'calls/s',
  'calls',
  'failed',
  'done/s',
  'StartCall→Connected p50 ms',
  'p99 ms',
  'peak in flight',
  'TS CPU %',
  'SIPp UAS CPU %',
  'SIPp UAS completed',
  'TelCP still subscribed',
  'SIPp→SIPp failed',
  'SIPp INVITE→200 p50 ms',
  'p99 ms',
  'SIPp pair CPU %',
];

export function describeRate(f: RateFigures, ref: SippRefFigures | undefined): string[] {
  return [
    String(f.rate),
    String(f.attempted),
    `${f.failed}${f.failures ? ` (${f.failures})` : ''}`,
    f.achieved.toFixed(1),
    ms(f.p50),
    ms(f.p99),
    String(f.peakInFlight),
    f.tsCpu.toFixed(0),
    f.sippCpu.toFixed(0),
    String(f.sippCompleted),
    f.subscribed ? 'yes' : 'no (dropped by the TS)',
    ref ? String(ref.failed) : '–',
    ref ? String(ref.p50) : '–',
    ref ? String(ref.p99) : '–',
    ref ? ref.cpu.toFixed(0) : '–',
  ];
}

export const heldHeader = ['calls held', 'Connected', 'GetCallInfo lists Connected', 'failed', 'open all s', 'StartCall→Connected p50 ms', 'p99 ms', 'TS RSS MiB'];

export function describeHeld(f: HeldFigures): string[] {
  return [
    String(f.calls),
    String(f.connected),
    String(f.listed),
    `${f.failed}${f.failures ? ` (${f.failures})` : ''}`,
    (f.openMs / 1000).toFixed(1),
    ms(f.p50),
    ms(f.p99),
    f.rssMiB.toFixed(0),
  ];
}
