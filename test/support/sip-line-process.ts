/**
 * A Telephony Server over a SipLine in a process of its own that places a planned series of Calls and
 * reports each outcome as one JSON line — so that a test can run it where the test process itself cannot
 * be, e.g. inside a network namespace (`ip netns exec <ns> node --import tsx test/support/sip-line-process.ts '<plan>'`).
 *
 * The process wires createTelephonyServer over a SipLine in direct mode (user `home`, RFC 3261 default
 * timers unless the plan shortens them) and invokes the CallManagement actions directly (no UPnP: the
 * namespace has no TelCP). For each planned Call, `intervalMs` after the previous one: StartCall to its
 * callee; once Connected, either StopCall after `holdMs` (`hangup: "hometel"`, our BYE) or wait for the
 * remote party's BYE (`hangup: "remote"`). A wrapped transport counts every SIP message of the Call
 * (retransmissions included), matched by SIP Call-ID.
 *
 * Output on stdout, one line each:
 *   READY {"port":5060,"identity":"sip:home@…"}
 *   CALL {…SipLineCallOutcome…}          once per planned Call, when it is over (or at the deadline)
 *   DONE {"calls":N,"ok":K,"elapsedMs":…}
 * The process exits 0 after DONE; SIGTERM or the end of stdin stops it early.
 *
 * The parent side is runSipLineProcess below.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { createTelephonyServer } from '../../src/app/telephony-server.js';
import { systemClock } from '../../src/base/clock.js';
import { SipLine } from '../../src/sip/bridge/sip-line.js';
import { callId, cseq } from '../../src/sip/message/headers.js';
import type { SipMessage, SipPeer, SipRequest, SipResponse } from '../../src/sip/message/types.js';
import { parseUri } from '../../src/sip/message/uri.js';
import type { TimerConfig } from '../../src/sip/transaction/index.js';
import type { SipSource } from '../../src/sip/transport/transport.js';
import type { UaTransport } from '../../src/sip/user-agent/options.js';
import { Store } from '../../src/store/index.js';
import { parseCallInfo } from '../../src/telephony/contracts/call-management/cams-xml.js';
import type { CallInfo } from '../../src/telephony/contracts/call-management/cams-types.js';
import { defaultMediaProfile } from '../../src/telephony/index.js';
import type { ActionArgs, ActionHandler, UpnpValue } from '../../src/upnp/index.js';
import { OutputTail, terminate, trackChild } from './children.js';
import { testLogger } from './net.js';
import { errorMessage } from '../../src/base/index.js';

export interface PlannedCall {
  /** sip: URI; its user part must be unique within the plan (it tells the Calls apart on the wire). */
  readonly callee: string;
  /** Who ends the Call once it is Connected. */
  readonly hangup: 'hometel' | 'remote';
  /** hangup "hometel": how long the Call stays Connected before StopCall. Default 300 ms. */
  readonly holdMs?: number;
}

export interface SipLinePlan {
  /** The address the line listens on (and writes in Via/Contact). */
  readonly host: string;
  /** Default 5060. */
  readonly port?: number;
  readonly calls: readonly PlannedCall[];
  /** Time between two StartCalls. Default 200 ms. */
  readonly intervalMs?: number;
  /** Calls not over this long after the process started are reported as they stand. Default 60 s. */
  readonly deadlineMs?: number;
  /** RFC 3261 timers of the line; default RFC 3261's (T1 500 ms, T2 4 s, …). */
  readonly timers?: Partial<TimerConfig>;
}

/** Counts of the SIP messages of one Call (one SIP Call-ID), retransmissions included. */
export interface SipCallTrace {
  readonly sipCallId?: string;
  /** Requests we sent, by method (each transmission counted). */
  readonly sent: Record<string, number>;
  /** Requests we received, by method. */
  readonly received: Record<string, number>;
  /** Responses we received, as "<status> <CSeq method>" → count. */
  readonly responsesReceived: Record<string, number>;
  /** Responses we sent, as "<status> <CSeq method>" → count. */
  readonly responsesSent: Record<string, number>;
}

export interface SipLineCallOutcome {
  readonly index: number;
  readonly callee: string;
  readonly hangup: 'hometel' | 'remote';
  readonly callID?: string;
  /** The CallInfo statuses of the Call, as evented (with `/reason` when there is one). */
  readonly statuses: readonly string[];
  /** StartCall invoked → Connected evented. */
  readonly connectedMs?: number;
  /** StartCall invoked → Disconnected evented. */
  readonly disconnectedMs?: number;
  /** StartCall invoked → the end of the SIP exchange (our BYE answered, or the remote BYE answered by us). */
  readonly endedMs?: number;
  readonly sip: SipCallTrace;
  /** Connected, then ended the planned way with a completed BYE transaction. */
  readonly ok: boolean;
  /** Why not ok. */
  readonly problem?: string;
  /** An action that failed (UPnP error or exception). */
  readonly error?: string;
}

export interface SipLineProcessResult {
  readonly ready: { port: number; identity: string };
  readonly calls: SipLineCallOutcome[];
  readonly done?: { calls: number; ok: number; elapsedMs: number };
  readonly exitCode: number | null;
  readonly signal: NodeJS.Signals | null;
  readonly stderr: string;
}

const self = fileURLToPath(import.meta.url);

/**
 * Runs the process (through `prefix`, e.g. ['ip', 'netns', 'exec', 'ns-a']) and resolves once it has
 * exited, with everything it reported. Killed (SIGTERM, then SIGKILL) after `timeoutMs`.
 */
export async function runSipLineProcess(plan: SipLinePlan, opts: { prefix?: readonly string[]; timeoutMs: number; onLine?: (line: string) => void }): Promise<SipLineProcessResult> {
  const argv = [...(opts.prefix ?? []), process.execPath, '--import', 'tsx', self, JSON.stringify(plan)];
  const child = spawn(argv[0]!, argv.slice(1), { stdio: ['pipe', 'pipe', 'pipe'] });
  trackChild(child);
  const calls: SipLineCallOutcome[] = [];
  let ready: SipLineProcessResult['ready'] | undefined;
  let done: SipLineProcessResult['done'];
  const stderr = new OutputTail(child.stderr, 16_000);
  createInterface({ input: child.stdout }).on('line', (text) => {
    opts.onLine?.(text);
    const m = /^(READY|CALL|DONE) (.*)$/.exec(text);
    if (!m) return;
    const value: unknown = JSON.parse(m[2]!);
    if (m[1] === 'READY') ready = value as SipLineProcessResult['ready'];
    else if (m[1] === 'CALL') calls.push(value as SipLineCallOutcome);
    else done = value as SipLineProcessResult['done'];
  });
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((res) => child.once('close', (code, signal) => res({ code, signal })));
  const killer = setTimeout(() => void terminate(child, 3_000), opts.timeoutMs);
  const { code, signal } = await exited;
  clearTimeout(killer);
  if (!ready) throw new Error(`sip-line-process never became ready (exit ${code}, signal ${signal})\n${stderr.toString()}`);
  return { ready, calls, ...(done ? { done } : {}), exitCode: code, signal, stderr: stderr.toString() };
}

// ------------------------------------------------------------------ the process itself

interface Tracked {
  readonly index: number;
  readonly plan: PlannedCall;
  readonly user: string;
  startedAt: number;
  callID?: string;
  connectedAt?: number;
  disconnectedAt?: number;
  endedAt?: number;
  stopInvokedAt?: number;
  error?: string;
  reported: boolean;
  readonly trace: {
    sipCallId?: string;
    sent: Record<string, number>;
    received: Record<string, number>;
    responsesReceived: Record<string, number>;
    responsesSent: Record<string, number>;
  };
}

function bump(map: Record<string, number>, key: string): void {
  map[key] = (map[key] ?? 0) + 1;
}

async function main(planText: string | undefined): Promise<void> {
  if (!planText) throw new Error("usage: sip-line-process.ts '<JSON plan>'");
  const plan = JSON.parse(planText) as SipLinePlan;
  const t0 = performance.now();
  const now = (): number => performance.now() - t0;
  const calls: Tracked[] = plan.calls.map((p, index) => {
    const uri = parseUri(p.callee);
    if (!uri || uri.kind !== 'sip' || !uri.user) throw new Error(`callee ${p.callee} is not a sip: URI with a user`);
    return { index, plan: p, user: uri.user, startedAt: NaN, reported: false, trace: { sent: {}, received: {}, responsesReceived: {}, responsesSent: {} } };
  });
  if (new Set(calls.map((c) => c.user)).size !== calls.length) throw new Error('every planned callee needs its own user part');
  const bySipCallId = new Map<string, Tracked>();
  const byUser = new Map(calls.map((c) => [c.user, c]));

  // Every message of a planned Call, counted at the transport (the transaction layer sends each retransmission through it).
  const traceOf = (m: SipMessage): Tracked | undefined => {
    const id = callId(m);
    return id === undefined ? undefined : bySipCallId.get(id);
  };
  const onByeDone = (c: Tracked): void => {
    c.endedAt ??= now();
    check(c);
  };
  const wrap = (t: UaTransport): UaTransport => ({
    prepareRequest: t.prepareRequest?.bind(t),
    sendRequest: (r: SipRequest, to: SipPeer) => {
      if (r.method === 'INVITE') {
        const uri = parseUri(r.uri);
        const c = uri?.kind === 'sip' && uri.user ? byUser.get(uri.user) : undefined;
        const id = callId(r);
        if (c && id !== undefined && c.trace.sipCallId === undefined) {
          c.trace.sipCallId = id;
          bySipCallId.set(id, c);
        }
      }
      const c = traceOf(r);
      if (c) bump(c.trace.sent, r.method);
      return t.sendRequest(r, to);
    },
    sendResponse: (r: SipResponse, s: SipSource) => {
      const c = traceOf(r);
      const method = cseq(r)?.method ?? '?';
      if (c) {
        bump(c.trace.responsesSent, `${r.status} ${method}`);
        if (method === 'BYE' && r.status >= 200 && c.plan.hangup === 'remote') onByeDone(c);
      }
      return t.sendResponse(r, s);
    },
    set onMessage(fn: ((m: SipMessage, f: SipSource) => void) | undefined) {
      t.onMessage = fn
        ? (m, f) => {
            const c = traceOf(m);
            if (c) {
              if (m.kind === 'request') bump(c.trace.received, m.method);
              else {
                const method = cseq(m)?.method ?? '?';
                bump(c.trace.responsesReceived, `${m.status} ${method}`);
                if (method === 'BYE' && m.status >= 200 && c.plan.hangup === 'hometel') onByeDone(c);
              }
            }
            fn(m, f);
          }
        : undefined;
    },
    get onMessage() {
      return t.onMessage;
    },
  });

  const dataDir = mkdtempSync(join(tmpdir(), 'hometel-sip-line-process-'));
  const store = Store.open(dataDir);
  const media = defaultMediaProfile(plan.host);
  const line = new SipLine({
    mode: 'direct',
    user: 'home',
    host: plan.host,
    port: plan.port ?? 5060,
    transports: ['udp'],
    localSdp: () => media.native ?? media.tcBased,
    wrapTransport: wrap,
    ...(plan.timers ? { timers: plan.timers } : {}),
    clock: systemClock,
    logger: testLogger('sip-line-process.line'),
  });
  const parts = createTelephonyServer({
    lineName: 'sip',
    friendlyName: 'sip line',
    store,
    line,
    media,
    clock: systemClock,
    logger: testLogger('sip-line-process.ts'),
    maxCalls: calls.length + 4,
  });
  const byCallID = new Map<string, Tracked>();
  const statuses = new Map<string, string[]>();
  const values = new Map<string, UpnpValue>();
  const handlers: Readonly<Record<string, ActionHandler>> = parts.service.attach({
    get: (name) => values.get(name) ?? '',
    set: (changes) => {
      for (const [k, v] of Object.entries(changes)) {
        values.set(k, v);
        if (k !== 'CallInfo' || v === '') continue;
        const parsed = parseCallInfo(String(v));
        if (parsed.ok) onCallInfo(parsed.value);
      }
    },
  });
  const invoke = async (action: string, args: ActionArgs): Promise<ActionArgs> => await handlers[action]!(args, { remoteAddress: plan.host });
  const nonMono = { TelCPName: '', SecretKey: '' };

  function onCallInfo(ci: CallInfo): void {
    const list = statuses.get(ci.callID) ?? [];
    list.push(`${ci.callStatus}${ci.reason ? `/${ci.reason}` : ''}`);
    statuses.set(ci.callID, list);
    const c = byCallID.get(ci.callID);
    if (c) onStatus(c, ci.callStatus);
  }

  function onStatus(c: Tracked, status: string): void {
    if (status === 'Connected' && c.connectedAt === undefined) {
      c.connectedAt = now();
      if (c.plan.hangup === 'hometel') {
        setTimeout(() => {
          c.stopInvokedAt = now();
          invoke('StopCall', { ...nonMono, CallID: c.callID! }).catch((e: unknown) => {
            c.error = `StopCall: ${errorMessage(e)}`;
            check(c);
          });
        }, c.plan.holdMs ?? 300);
      }
    }
    if (status === 'Disconnected' && c.disconnectedAt === undefined) c.disconnectedAt = now();
    check(c);
  }

  /** The verdict on a Call; null while it is still going. */
  function verdict(c: Tracked, final: boolean): { ok: boolean; problem?: string } | null {
    const seen = c.callID ? (statuses.get(c.callID) ?? []) : [];
    if (c.error) return { ok: false, problem: c.error };
    const last = seen.at(-1);
    const over = last?.startsWith('Disconnected') === true && c.endedAt !== undefined;
    if (!over && !final) {
      // A Call that ended without Connected is over too (nothing more will come).
      if (last?.startsWith('Disconnected') && c.connectedAt === undefined) return { ok: false, problem: `ended before Connected: ${seen.join(' → ')}` };
      return null;
    }
    if (c.connectedAt === undefined) return { ok: false, problem: `never Connected: ${seen.join(' → ') || 'no CallInfo'}` };
    if (!last?.startsWith('Disconnected')) return { ok: false, problem: `not Disconnected by the deadline: ${seen.join(' → ')}` };
    if (last !== 'Disconnected') return { ok: false, problem: `ended with a reason: ${seen.join(' → ')}` };
    if (c.plan.hangup === 'hometel' && (c.stopInvokedAt === undefined || (c.disconnectedAt ?? 0) < c.stopInvokedAt)) {
      return { ok: false, problem: `Disconnected by the remote side before our StopCall: ${JSON.stringify(c.trace)}` };
    }
    if (c.endedAt === undefined) {
      return { ok: false, problem: c.plan.hangup === 'hometel' ? 'our BYE was never answered' : 'no BYE from the remote side answered by us' };
    }
    return { ok: true };
  }

  let reported = 0;
  let okCount = 0;
  let finish: () => void = () => undefined;
  const allReported = new Promise<void>((r) => (finish = r));
  function check(c: Tracked, final = false): void {
    if (c.reported) return;
    const v = verdict(c, final);
    if (!v) return;
    c.reported = true;
    const outcome: SipLineCallOutcome = {
      index: c.index,
      callee: c.plan.callee,
      hangup: c.plan.hangup,
      ...(c.callID ? { callID: c.callID } : {}),
      statuses: c.callID ? (statuses.get(c.callID) ?? []) : [],
      ...(c.connectedAt !== undefined ? { connectedMs: c.connectedAt - c.startedAt } : {}),
      ...(c.disconnectedAt !== undefined ? { disconnectedMs: c.disconnectedAt - c.startedAt } : {}),
      ...(c.endedAt !== undefined ? { endedMs: c.endedAt - c.startedAt } : {}),
      sip: c.trace,
      ok: v.ok,
      ...(v.problem ? { problem: v.problem } : {}),
      ...(c.error ? { error: c.error } : {}),
    };
    process.stdout.write(`CALL ${JSON.stringify(outcome)}\n`);
    reported++;
    if (v.ok) okCount++;
    if (reported === calls.length) finish();
  }

  let stopping = false;
  const shutdown = async (code: number): Promise<void> => {
    if (stopping) return;
    stopping = true;
    const hard = setTimeout(() => process.exit(1), 5_000);
    hard.unref();
    parts.close();
    await line.stop().catch(() => undefined);
    store.close();
    rmSync(dataDir, { recursive: true, force: true });
    process.exit(code);
  };
  process.on('SIGTERM', () => void shutdown(143));
  createInterface({ input: process.stdin }).on('close', () => void shutdown(0));

  await line.start();
  process.stdout.write(`READY ${JSON.stringify({ port: line.port, identity: line.identity() })}\n`);

  const deadline = setTimeout(() => {
    for (const c of calls) check(c, true);
  }, plan.deadlineMs ?? 60_000);
  const interval = plan.intervalMs ?? 200;
  for (const c of calls) {
    const due = c.index * interval;
    if (due > now()) await new Promise((r) => setTimeout(r, due - now()));
    c.startedAt = now();
    try {
      const { CallID } = await invoke('StartCall', { ...nonMono, CalleeID: c.plan.callee, CallPriority: 'Normal', MediaCapabilityInfo: '', CallMode: 'Non-Monopolize' });
      c.callID = String(CallID);
      byCallID.set(c.callID, c);
      // Events evented before StartCall returned (Dialing at least).
      for (const s of statuses.get(c.callID) ?? []) onStatus(c, s.split('/')[0]!);
    } catch (e) {
      c.error = `StartCall: ${errorMessage(e)}`;
      check(c);
    }
  }
  await allReported;
  clearTimeout(deadline);
  process.stdout.write(`DONE ${JSON.stringify({ calls: calls.length, ok: okCount, elapsedMs: now() })}\n`);
  await shutdown(0);
}

if (process.argv[1] !== undefined && resolve(process.argv[1]) === self) {
  await main(process.argv[2]);
}
