/**
 * CallLogRepository on the store's SQLite database (table `call_log`), bounded: appending beyond
 * the cap drops the oldest entries (earliest start) in the same transaction. With WAL +
 * synchronous=FULL an appended entry is on disk when `append` returns.
 */
import type Database from 'better-sqlite3';
import type {
  CallDirection,
  CallLogEntry,
  CallLogRepository,
  CallParty,
  CallType,
} from '../../telephony/domain/index.js';
import type { Store } from '../store.js';

/** Default number of entries kept (2.6.17 leaves the limit to the implementation). */
export const DEFAULT_CALL_LOG_CAP = 1000;

/** ISO 8601 date-time with an explicit offset, so that entries from any zone order correctly. */
const ISO_8601 = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:?\d{2})$/;

interface Row {
  call_id: string;
  direction: CallDirection;
  success: number;
  type: CallType;
  caller_id: string;
  caller_name: string | null;
  callee_id: string;
  callee_name: string | null;
  start_time: string;
  duration_ms: number;
}

const party = (id: string, name: string | null): CallParty => (name === null ? { id } : { id, name });

const toEntry = (row: Row): CallLogEntry => ({
  callID: row.call_id,
  direction: row.direction,
  success: row.success === 1,
  type: row.type,
  caller: party(row.caller_id, row.caller_name),
  callee: party(row.callee_id, row.callee_name),
  startTime: row.start_time,
  durationMs: row.duration_ms,
});

export class SqliteCallLogRepository implements CallLogRepository {
  private readonly insert: Database.Statement<unknown[]>;
  private readonly trim: Database.Statement<[number]>;
  private readonly all: Database.Statement<[], Row>;
  private readonly deleteAll: Database.Statement<[]>;
  private readonly appendTx: (entry: CallLogEntry, startMs: number) => void;

  constructor(
    store: Store,
    readonly cap: number = DEFAULT_CALL_LOG_CAP,
  ) {
    if (!Number.isInteger(cap) || cap < 1) throw new RangeError(`call log cap must be a positive integer, got ${cap}`);
    const db = store.database;
    this.insert = db.prepare(
      `INSERT INTO call_log (call_id, direction, success, type, caller_id, caller_name, callee_id, callee_name,
                             start_time, start_ms, duration_ms)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
    );
    this.trim = db.prepare(
      'DELETE FROM call_log WHERE seq IN (SELECT seq FROM call_log ORDER BY start_ms DESC, seq DESC LIMIT -1 OFFSET ?)',
    );
    this.all = db.prepare(
      `SELECT call_id, direction, success, type, caller_id, caller_name, callee_id, callee_name, start_time, duration_ms
       FROM call_log ORDER BY start_ms DESC, seq DESC`,
    );
    this.deleteAll = db.prepare('DELETE FROM call_log');
    this.appendTx = db.transaction((e: CallLogEntry, startMs: number) => {
      this.insert.run(
        e.callID,
        e.direction,
        e.success ? 1 : 0,
        e.type,
        e.caller.id,
        e.caller.name ?? null,
        e.callee.id,
        e.callee.name ?? null,
        e.startTime,
        startMs,
        e.durationMs,
      );
      this.trim.run(this.cap);
    });
  }

  append(entry: CallLogEntry): void {
    const startMs = ISO_8601.test(entry.startTime) ? Date.parse(entry.startTime) : NaN;
    if (Number.isNaN(startMs)) throw new RangeError(`call log startTime is not an ISO 8601 date-time: ${entry.startTime}`);
    if (!Number.isSafeInteger(entry.durationMs) || entry.durationMs < 0) {
      throw new RangeError(`call log durationMs must be a non-negative integer, got ${entry.durationMs}`);
    }
    this.appendTx(entry, startMs);
  }

  list(): CallLogEntry[] {
    return this.all.all().map(toEntry);
  }

  clear(): void {
    this.deleteAll.run();
  }
}
