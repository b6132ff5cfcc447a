/**
 * What a screen shows of the home's telephony, as plain JSON-ready values: the lines (Telephony Servers), the
 * Telephony Clients, the control points registered at each line, the live Calls and the call log. The web API
 * sends exactly these; they are made from the control point library's views, never from UPnP values directly.
 */
import type { CallLog, CallView } from '../telephony/control/index.js';

export interface LineView {
  /** The Telephony Server's UDN: names the line in every operation. */
  readonly udn: string;
  readonly friendlyName: string;
  /** GetTelephonyIdentity (2.6.1), when the TS has one (a SIP line's address of record). */
  readonly identity?: string;
  readonly online: boolean;
  /** TelCPNames registered at the line (GetTelCPNameList, 2.6.5): the control points online. */
  readonly controlPoints: string[];
  /** This console's own TelCPName at the line. */
  readonly telCPName?: string;
}

export interface ClientView {
  readonly udn: string;
  readonly friendlyName: string;
  readonly online: boolean;
  /** A browser's Telephony Client that this hub hosts (the web server marks these; the console cannot tell). */
  readonly browser?: boolean;
}

export interface LiveCall {
  /** The line (TS UDN) that carries the Call. */
  readonly line: string;
  readonly callID: string;
  readonly status: string;
  readonly reason?: string;
  readonly direction?: 'incoming' | 'outgoing';
  /** The Remote Party's number or SIP URI and name, when this console is entitled to full information (2.3.3). */
  readonly remote?: RemoteView;
  /** UDNs of the Telephony Clients carrying the Call (its TCList, or this console's own Media Sessions). */
  readonly clients: string[];
  readonly mixing?: boolean;
  /** This console manages the Call (placed, answered, or handed it). */
  readonly managed: boolean;
  readonly ended: boolean;
  /** When this console first saw the Call (ms since the epoch). */
  readonly since: number;
}

export interface RemoteView {
  readonly id: string;
  readonly name?: string;
  /**
   * Where the name comes from: the home's address book, or the caller ID the network sent (only what the caller
   * claims). Set by an interface that can ask the address book; the TS's CallInfo cannot say.
   */
  readonly nameSource?: 'contact' | 'caller-id';
  /** The contact is a VIP or blocked (the address book's classes). */
  readonly vip?: boolean;
  readonly blocked?: boolean;
}

export interface HomeView {
  readonly lines: LineView[];
  readonly clients: ClientView[];
}

export type LogOutcome = 'answered' | 'missed' | 'rejected' | 'failed';

export interface LogEntry {
  readonly line: string;
  readonly direction?: 'incoming' | 'outgoing';
  readonly outcome: LogOutcome;
  readonly caller: string;
  readonly callerName?: string;
  readonly callee: string;
  readonly calleeName?: string;
  /** Where the name of the other party (caller of an incoming, callee of an outgoing call) comes from. */
  readonly nameSource?: 'contact' | 'caller-id';
  /** ISO 8601, as the TS logged it. */
  readonly start: string;
  readonly durationMs?: number;
  readonly type: string;
}

export function liveCallOf(line: string, v: CallView, since: number): LiveCall {
  const fromList = (v.info.tcList ?? []).map((tc) => tc.udn).filter((u): u is string => u !== undefined);
  const clients = [...new Set([...fromList, ...v.media.map((b) => b.client)])];
  const remote = v.info.remoteParty;
  return {
    line,
    callID: v.callID,
    status: v.status,
    ...(v.reason !== undefined ? { reason: v.reason } : {}),
    ...(v.direction ? { direction: v.direction } : {}),
    ...(remote ? { remote: { id: remote.id, ...(remote.name !== undefined ? { name: remote.name } : {}) } } : {}),
    clients,
    ...(v.info.enableMediaMixing !== undefined ? { mixing: v.info.enableMediaMixing } : {}),
    managed: v.mine,
    ended: v.ended,
    since,
  };
}

/**
 * A call log entry as a person reads it. CallLogs (2.4.18) says only whether a Call succeeded; an incoming Call
 * that did not succeed is "missed" (the TS logs a rejected one the same way), an outgoing one "failed".
 */
export function logEntryOf(line: string, l: CallLog): LogEntry {
  const [caller] = l.caller;
  const [callee] = l.callee;
  const outcome: LogOutcome = l.success === false ? (l.direction === 'incoming' ? 'missed' : 'failed') : 'answered';
  return {
    line,
    ...(l.direction ? { direction: l.direction } : {}),
    outcome,
    caller: caller.id,
    ...(caller.name !== undefined ? { callerName: caller.name } : {}),
    callee: callee.id,
    ...(callee.name !== undefined ? { calleeName: callee.name } : {}),
    start: l.startDateTime,
    ...(l.durationMs !== undefined ? { durationMs: l.durationMs } : {}),
    type: l.type,
  };
}

/** Newest first; `query` matches numbers and names, case-insensitively. */
export function searchLog(entries: readonly LogEntry[], query = ''): LogEntry[] {
  const q = query.trim().toLowerCase();
  const hit = (e: LogEntry): boolean =>
    q === '' || [e.caller, e.callerName, e.callee, e.calleeName].some((s) => s !== undefined && s.toLowerCase().includes(q));
  return entries.filter(hit).sort((a, b) => (a.start < b.start ? 1 : a.start > b.start ? -1 : 0));
}
