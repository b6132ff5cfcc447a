/**
 * The Telephony Server's CallManagement:1 service under load: action throughput and latency of
 * GetCallInfo (every Call, with 100 active Calls) and RegisterTelCPName (fresh names, so every call
 * is a new registration written to SQLite), and the CallInfo event latency from StartCall sent
 * until each of N subscribed TelCPs has the Dialing NOTIFY, for N = 1, 10, 100.
 *
 * The Telephony Server runs in a process of its own (test/support/ts-process.ts: the real
 * createTelephonyServer over a scripted line, its store in a fresh temporary directory), a new one
 * per figure; the load driver runs here and speaks raw SOAP/GENA over HTTP, as the other benchmarks do.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import type { Agent } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { DescribedService } from '../src/upnp/description/device-xml.js';
import { parsePropertySet } from '../src/upnp/gena/propertyset.js';
import { buildActionRequest, type WireArgs } from '../src/upnp/soap/envelope.js';
import { parseCallInfo, parseCallInfoList } from '../src/telephony/contracts/call-management/cams-xml.js';
import { callManagementType, mediaInfo, remoteOfferSdp, tcAudioSdp } from '../test/support/telephony-server.js';
import { startTsProcess, type PlacedCall, type TsProcess } from '../test/support/ts-process.js';
import { subscribeMany } from './gena-subscribers.js';
import { invokeAction, keepAliveLoad, postSoap, serviceAt, type LoadFigures, type SoapReply } from './load-driver.js';
import { deliveryFigures, ms } from './stats.js';

/** Calls alive at once in the GetCallInfo figures. */
export const ACTIVE_CALLS = 100;

export interface CmActionFigures extends LoadFigures {
  readonly action: string;
  /** Calls the Telephony Server had while the action ran. */
  readonly activeCalls: number;
  /** Size of one response body, in bytes (the last one). */
  readonly responseBytes: number;
}

export interface CallInfoEventFigures {
  readonly subscribers: number;
  readonly rounds: number;
  readonly p50: number;
  readonly p99: number;
  /** Median over rounds of the time until the last subscriber had the Dialing NOTIFY. */
  readonly allP50: number;
}

interface RunningTs {
  readonly proc: TsProcess;
  readonly cm: DescribedService;
}

/** Runs `fn` against a fresh Telephony Server process on a fresh data directory. */
async function withTelephonyServer<T>(limits: { maxCalls?: number; maxTelCPNames?: number }, fn: (ts: RunningTs) => Promise<T>): Promise<T> {
  const dataDir = mkdtempSync(join(tmpdir(), 'hometel-bench-ts-'));
  let proc: TsProcess | undefined;
  try {
    proc = await startTsProcess({ dataDir, ...limits });
    return await fn({ proc, cm: await serviceAt(proc.location, callManagementType) });
  } finally {
    await proc?.stop();
    rmSync(dataDir, { recursive: true, force: true });
  }
}

function post(controlUrl: string, action: string, args: WireArgs, agent: Agent): Promise<SoapReply> {
  return postSoap(new URL(controlUrl), `${callManagementType}#${action}`, buildActionRequest({ serviceType: callManagementType, action, args }), agent);
}

/** Invokes an action (a connection of its own) and returns its out-arguments; throws on a fault. */
function invoke(controlUrl: string, action: string, args: WireArgs): Promise<Map<string, string>> {
  return invokeAction(controlUrl, callManagementType, action, args, false);
}

const nonMono: WireArgs = [
  ['TelCPName', ''],
  ['SecretKey', ''],
];

function startCallArgs(i: number): WireArgs {
  // Alternately a SIP and a TEL callee, TC-based media and the TS's native media.
  const callee = i % 2 === 0 ? `sip:user${i}@127.0.0.1` : `tel:+3312345${String(i).padStart(4, '0')}`;
  return [...nonMono, ['CalleeID', callee], ['CallPriority', 'Normal'], ['MediaCapabilityInfo', i % 2 === 0 ? mediaInfo(tcAudioSdp) : ''], ['CallMode', 'Non-Monopolize']];
}

/** Brings up `n` Calls: a third stay Dialing, a third are Calling, a third Connected. */
async function createActiveCalls(ts: RunningTs, n: number): Promise<void> {
  for (let i = 0; i < n; i++) await invoke(ts.cm.controlUrl, 'StartCall', startCallArgs(i));
  const placed = await ts.proc.command<PlacedCall[]>({ cmd: 'placed' });
  if (placed.length !== n) throw new Error(`expected ${n} placed calls, the line has ${placed.length}`);
  for (const [i, p] of placed.entries()) {
    if (i % 3 >= 1) await ts.proc.command({ cmd: 'provisional', lineCallId: p.lineCallId });
    if (i % 3 === 2) await ts.proc.command({ cmd: 'answered', lineCallId: p.lineCallId, sdp: remoteOfferSdp });
  }
  const list = parseCallInfoList((await invoke(ts.cm.controlUrl, 'GetCallInfo', [...nonMono, ['TargetCallID', '']])).get('CallInfoList') ?? '');
  if (!list.ok) throw new Error(`GetCallInfo: ${list.reason}`);
  if (list.value.length !== n) throw new Error(`GetCallInfo lists ${list.value.length} Calls, expected ${n}`);
}

/** Runs `concurrency` keep-alive loops of one action for `durationMs`; `args(k)` builds the k-th request. */
async function load(
  ts: RunningTs,
  action: string,
  expect: string,
  args: (k: number) => WireArgs,
  concurrency: number,
  durationMs: number,
): Promise<Omit<CmActionFigures, 'action' | 'activeCalls'>> {
  let k = 0;
  let responseBytes = 0;
  const once = async (agent: Agent): Promise<boolean> => {
    try {
      const r = await post(ts.cm.controlUrl, action, args(k++), agent);
      responseBytes = Buffer.byteLength(r.body);
      return r.status === 200 && r.body.includes(expect);
    } catch {
      return false;
    }
  };
  // Three warm-up rounds: open the connections and let the JIT settle.
  const figures = await keepAliveLoad({ concurrency, durationMs, warmups: 3 }, once);
  return { ...figures, responseBytes };
}

/** GetCallInfo(TargetCallID="") with ACTIVE_CALLS Calls alive, from a non-monopolizing TelCP. */
export async function getCallInfoLoad(concurrency: number, durationMs: number): Promise<CmActionFigures> {
  return withTelephonyServer({ maxCalls: ACTIVE_CALLS + 8 }, async (ts) => {
    await createActiveCalls(ts, ACTIVE_CALLS);
    const args: WireArgs = [...nonMono, ['TargetCallID', '']];
    const f = await load(ts, 'GetCallInfo', 'CallInfoList', () => args, concurrency, durationMs);
    return { action: 'GetCallInfo (all Calls)', activeCalls: ACTIVE_CALLS, ...f };
  });
}

/** RegisterTelCPName with a fresh name each time (a new registration, persisted and evented). */
export async function registerLoad(concurrency: number, durationMs: number): Promise<CmActionFigures> {
  return withTelephonyServer({ maxTelCPNames: 1_000_000 }, async (ts) => {
    const f = await load(ts, 'RegisterTelCPName', 'NewSecretKey', (k) => [['TelCPName', `Bench-${k}@Room`], ['CurrentSecretKey', '']], concurrency, durationMs);
    return { action: 'RegisterTelCPName (fresh name)', activeCalls: 0, ...f };
  });
}

interface Arrival {
  readonly at: number;
  readonly body: string;
}

/** The first arrival that carries `callID` in `status` (cheap string test on the escaped CallInfo). */
function firstWith(arrivals: readonly Arrival[], callID: string, status: string): Arrival | undefined {
  return arrivals.find((a) => a.body.includes(`&gt;${callID}&lt;`) && a.body.includes(`${status}&lt;/callStatus&gt;`));
}

/** Checks with the real parsers that an arrival is the CallInfo of `callID` in `status`. */
function confirm(arrival: Arrival, callID: string, status: string): void {
  const vars = parsePropertySet(arrival.body);
  if (!vars.ok) throw new Error(`NOTIFY body: ${vars.reason}`);
  const ci = vars.value.find(([n]) => n === 'CallInfo');
  const parsed = ci ? parseCallInfo(ci[1]) : undefined;
  if (!parsed?.ok || parsed.value.callID !== callID || parsed.value.callStatus !== status) {
    throw new Error(`NOTIFY matched as ${callID} ${status} is not: ${arrival.body.slice(0, 300)}`);
  }
}

/**
 * StartCall sent → Dialing CallInfo NOTIFY received, at each of `subscribers` TelCPs (25 per loopback
 * address from 127.0.0.10, raw HTTP callback servers). Each round's Call is stopped (and its
 * Disconnected event delivered everywhere) before the next round starts.
 */
export async function callInfoLatency(subscribers: number, rounds: number): Promise<CallInfoEventFigures> {
  return withTelephonyServer({}, async (ts) => {
    const arrivals: Arrival[][] = Array.from({ length: subscribers }, () => []);
    const subscribed = await subscribeMany(ts.cm.eventSubUrl, subscribers, (req, res) => {
      const index = Number(/^\/s\/(\d+)$/.exec(req.url ?? '')?.[1] ?? -1);
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        const at = performance.now();
        arrivals[index]?.push({ at, body: Buffer.concat(chunks).toString('utf8') });
        res.end();
      });
    });
    try {
      const waitAll = async (callID: string, status: string, t0: number): Promise<Arrival[]> => {
        const deadline = t0 + 10_000;
        for (;;) {
          const got = arrivals.map((a) => firstWith(a, callID, status));
          if (got.every((a) => a !== undefined)) return got;
          if (performance.now() > deadline) throw new Error(`${callID} ${status}: ${got.filter(Boolean).length}/${subscribers} NOTIFYs within 10 s`);
          await new Promise((r) => setTimeout(r, 1));
        }
      };

      const latencies: number[] = [];
      const all: number[] = [];
      for (let round = 0; round < rounds; round++) {
        const t0 = performance.now();
        const callID = (await invoke(ts.cm.controlUrl, 'StartCall', startCallArgs(round))).get('CallID') ?? '';
        const got = await waitAll(callID, 'Dialing', t0);
        for (const a of got) confirm(a, callID, 'Dialing');
        const times = got.map((a) => a.at - t0).sort((x, y) => x - y);
        latencies.push(...times);
        all.push(times[times.length - 1]!);
        const t1 = performance.now();
        await invoke(ts.cm.controlUrl, 'StopCall', [...nonMono, ['CallID', callID]]);
        await waitAll(callID, 'Disconnected', t1);
        for (const a of arrivals) a.length = 0;
      }
      return { subscribers, rounds, ...deliveryFigures(latencies, all) };
    } finally {
      await subscribed.close();
    }
  });
}

export function describeCmAction(f: CmActionFigures): string[] {
  return [f.action, String(f.activeCalls), String(f.concurrency), String(f.requests), String(f.errors), f.perSecond.toFixed(0), ms(f.p50), ms(f.p99), String(f.responseBytes)];
}

export function describeCallInfoEvents(f: CallInfoEventFigures): string[] {
  return [String(f.subscribers), String(f.rounds), ms(f.p50), ms(f.p99), ms(f.allP50)];
}
