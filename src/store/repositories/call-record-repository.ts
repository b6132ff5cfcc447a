/**
 * The call-handling records (callhandling's CallRecordRepository) on the store's SQLite database: one row per
 * incoming Call, rewritten as the Call goes on (ringing, decided, ended), bounded like the call log (the oldest
 * records go beyond the cap), searchable by number, name, decider and forward target. Also the activation setting.
 */
import type Database from 'better-sqlite3';
import type { CallRecord, CallRecordPage, CallRecordQuery, CallRecordRepository } from '../../callhandling/index.js';
import type { Store } from '../store.js';

export const DEFAULT_CALL_RECORD_CAP = 10_000;
const maxPage = 500;

export class SqliteCallRecordRepository implements CallRecordRepository {
  private readonly db: Database.Database;
  private readonly upsert: Database.Statement<[string, string, number, string, string]>;
  private readonly trim: Database.Statement<[number]>;
  private readonly one: Database.Statement<[string, string], { data: string }>;
  private readonly saveTx: (r: CallRecord) => void;

  constructor(
    store: Store,
    readonly cap: number = DEFAULT_CALL_RECORD_CAP,
  ) {
    this.db = store.database;
    this.upsert = this.db.prepare(
      `INSERT INTO call_record (line, call_id, at, search, data) VALUES (?, ?, ?, ?, ?)
       ON CONFLICT (line, call_id) DO UPDATE SET at = excluded.at, search = excluded.search, data = excluded.data`,
    );
    this.trim = this.db.prepare('DELETE FROM call_record WHERE rowid IN (SELECT rowid FROM call_record ORDER BY at DESC LIMIT -1 OFFSET ?)');
    this.one = this.db.prepare('SELECT data FROM call_record WHERE line = ? AND call_id = ?');
    this.saveTx = this.db.transaction((r: CallRecord) => {
      const search = [r.number, r.name, r.decidedBy, r.forwardTarget, r.answeredBy, r.method].filter((x) => x !== undefined).join('\n').toLowerCase();
      this.upsert.run(r.line, r.callID, r.at, search, JSON.stringify(r));
      this.trim.run(this.cap);
    });
  }

  save(record: CallRecord): void {
    this.saveTx(record);
  }

  get(line: string, callID: string): CallRecord | undefined {
    const row = this.one.get(line, callID);
    return row ? (JSON.parse(row.data) as CallRecord) : undefined;
  }

  list(q: CallRecordQuery): CallRecordPage {
    const text = q.query?.trim().toLowerCase() ?? '';
    const where = text ? "WHERE instr(search, ?) > 0" : '';
    const args = text ? [text] : [];
    const limit = Math.min(Math.max(q.limit ?? 50, 0), maxPage);
    const offset = Math.max(q.offset ?? 0, 0);
    const total = (this.db.prepare(`SELECT count(*) AS n FROM call_record ${where}`).get(...args) as { n: number }).n;
    const rows = this.db.prepare(`SELECT data FROM call_record ${where} ORDER BY at DESC, rowid DESC LIMIT ? OFFSET ?`).all(...args, limit, offset) as { data: string }[];
    return { records: rows.map((r) => JSON.parse(r.data) as CallRecord), total };
  }

  activation(): string | undefined {
    return (this.db.prepare("SELECT value FROM call_handling_setting WHERE key = 'activation'").get() as { value: string } | undefined)?.value;
  }

  saveActivation(value: string): void {
    this.db.prepare("INSERT INTO call_handling_setting (key, value) VALUES ('activation', ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value").run(value);
  }

  forwardAll(): string | undefined {
    return (this.db.prepare("SELECT value FROM call_handling_setting WHERE key = 'forward-all'").get() as { value: string } | undefined)?.value;
  }

  saveForwardAll(target: string | undefined): void {
    if (target === undefined) this.db.prepare("DELETE FROM call_handling_setting WHERE key = 'forward-all'").run();
    else this.db.prepare("INSERT INTO call_handling_setting (key, value) VALUES ('forward-all', ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value").run(target);
  }
}
