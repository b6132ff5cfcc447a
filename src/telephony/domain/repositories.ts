/**
 * Persistence ports of the CallManagement:1 domain: what the TelCPName registry, the call log and
 * the call-back registrations need from storage. Interfaces and plain data only; the SQLite
 * implementations live in src/store/repositories/. All methods are synchronous (the store is
 * embedded) and a method that returns has made its change durable.
 */
import type { CallDirection, CallType } from './call.js';

/** One registered TelCPName (2.3.2.1, 2.6.2). The Secret Key itself is never stored. */
export interface TelCPNameRecord {
  readonly name: string;
  /** Lower-case hex SHA-256 of the Secret Key handed out at the last (re-)registration. */
  readonly secretKeyHash: string;
  /** When the registration lapses, in ms since the epoch (the Clock's `now()` scale). */
  readonly expiresAt: number;
}

export interface TelCPNameRepository {
  /** Inserts or replaces the record for `record.name`; a replaced name keeps its place in `list()`. */
  save(record: TelCPNameRecord): void;
  /** Removes `name`; false when it was not there. */
  remove(name: string): boolean;
  /**
   * Removes `oldName` and saves `record` (under its new name) as one atomic change
   * (ChangeTelCPName, 2.6.4): a crash never leaves both names or neither.
   */
  rename(oldName: string, record: TelCPNameRecord): void;
  /** Every record, in registration order (oldest first; a renamed entry counts as new). */
  list(): TelCPNameRecord[];
}

/** A party of a logged call (peer:peerType of 2.4.18.2: id REQUIRED, name OPTIONAL). */
export interface CallParty {
  readonly id: string;
  readonly name?: string;
}


/** One `<call>` of the CallLogs structure (2.4.18.2), written when a Call has finished. */
export interface CallLogEntry {
  readonly callID: string;
  readonly direction: CallDirection;
  /** The `success` attribute: whether the Call was established. */
  readonly success: boolean;
  readonly type: CallType;
  readonly caller: CallParty;
  readonly callee: CallParty;
  /** ISO 8601 date-time the Call started (`startDateTime` in the schema). */
  readonly startTime: string;
  /** The Call's duration in milliseconds (0 for a Call that never connected). */
  readonly durationMs: number;
}

export interface CallLogRepository {
  /**
   * Appends a finished call. The log is bounded: once it holds more than its cap, the oldest
   * entries (earliest start) are dropped (2.6.17: "cleared ... when it reaches the maximum limit").
   */
  append(entry: CallLogEntry): void;
  /** Every entry, newest first (latest start; entries with the same start: latest appended first). */
  list(): CallLogEntry[];
  /** ClearCallLogs (2.6.18). */
  clear(): void;
}

/** One call-back registration (2.6.19, 2.4.20). */
export interface CallBackEntry {
  readonly callbackID: string;
  readonly calleeID: string;
  /** ISO 8601 date-time of the registration. */
  readonly registeredAt: string;
}

export interface CallBackRepository {
  /**
   * Registers `candidate` unless its callee already has a call-back, and returns the entry now
   * stored for that callee: the candidate, or the existing one unchanged (2.6.19: "succeed without
   * any changes"). The domain generates the candidate's id and time.
   */
  register(candidate: CallBackEntry): CallBackEntry;
  /** Removes one registration (ClearCallBack with an ID); false when no such ID (711). */
  remove(callbackID: string): boolean;
  /** Removes every registration (ClearCallBack with ""); returns how many there were. */
  removeAll(): number;
  /** Every registration, oldest first. */
  list(): CallBackEntry[];
}
