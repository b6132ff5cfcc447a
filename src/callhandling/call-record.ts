/**
 * The full record of each incoming Call (seed 004 2.2 4 and 3.2 5: calling time, number, name, processing method,
 * result), with what the home adds: who decided (a screen, a user, a rule), the forward's target and result, the
 * voicemail message, the device that answered and the duration. CallManagement's GetCallLogs keeps its own format.
 */
import type { Call, Decided, ForwardResult } from '../telephony/domain/index.js';

/** What was done with the Call; `unanswered`: nobody decided before the caller hung up; `ringing`: still open. */
export type ProcessingMethod = 'accept' | 'reject' | 'forward' | 'voicemail' | 'unanswered' | 'ringing';

export interface CallRecord {
  readonly callID: string;
  readonly line: string;
  /** Calling time, ms since the epoch. */
  readonly at: number;
  /** The caller's number or URI; undefined when withheld. */
  readonly number?: string;
  readonly name?: string;
  readonly method: ProcessingMethod;
  /** A TelCPName, `web:<user>`, `cli`, `rule:<id>`, `dnd`, `no-response` or `nobody-home`. */
  readonly decidedBy?: string;
  /** Success / fail once the Call ended; undefined while it goes on. */
  readonly result?: 'success' | 'fail';
  readonly forwardTarget?: string;
  readonly forwardResult?: ForwardResult;
  readonly voicemailMessage?: string;
  readonly answeredBy?: string;
  /** Seconds connected (to a TC, the TS, the forward target or voicemail). */
  readonly durationSec?: number;
  readonly endedAt?: number;
}

export interface CallRecordQuery {
  /** Matches number, name, decider or forward target (case-insensitive substring). */
  readonly query?: string;
  readonly offset?: number;
  readonly limit?: number;
}

export interface CallRecordPage {
  readonly records: CallRecord[];
  readonly total: number;
}

/** Where the records live (SQLite in src/store); newest first. */
export interface CallRecordRepository {
  save(record: CallRecord): void;
  get(line: string, callID: string): CallRecord | undefined;
  list(query: CallRecordQuery): CallRecordPage;
  /** The persisted activation setting (seed 004 2.2 5 ii), undefined when never set. */
  activation(): string | undefined;
  saveActivation(value: string): void;
  /** Forward all (a PBX's unconditional forward): its target, undefined when off. */
  forwardAll(): string | undefined;
  saveForwardAll(target: string | undefined): void;
}

const methodOf = (d: Decided): ProcessingMethod => (d.decision.action === 'accept-native' ? 'accept' : d.decision.action);

/** The record after a decision. */
export function decidedRecord(r: CallRecord, d: Decided, by: string): CallRecord {
  const forward = d.decision.action === 'forward' ? { forwardTarget: d.decision.target } : {};
  return { ...r, method: methodOf(d), decidedBy: by, ...forward };
}

/** The record of a Call that ended: what came of the decision. */
export function endedRecord(r: CallRecord, call: Call, now: number, message: string | undefined): CallRecord {
  const connected = call.connectedAt !== undefined;
  const forwardResult = call.forward?.result;
  const method: ProcessingMethod = r.method === 'ringing' ? (connected ? 'accept' : 'unanswered') : r.method;
  const success = ((): boolean => {
    switch (method) {
      case 'accept':
        return connected;
      case 'forward':
        return forwardResult === 'answered' || forwardResult === 'redirected';
      case 'voicemail':
        return message !== undefined || connected;
      case 'reject':
        return true;
      default:
        return false;
    }
  })();
  const endedAt = call.endedAt ?? now;
  return {
    ...r,
    method,
    result: success ? 'success' : 'fail',
    ...(forwardResult ? { forwardResult } : {}),
    ...(message !== undefined ? { voicemailMessage: message } : {}),
    ...(call.answeredBy !== undefined ? { answeredBy: call.answeredBy } : {}),
    ...(call.connectedAt !== undefined ? { durationSec: Math.round((endedAt - call.connectedAt) / 100) / 10 } : {}),
    endedAt,
  };
}
