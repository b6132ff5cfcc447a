/**
 * VoiceMailRepository on the store's SQLite database (table `voicemail_message`). With WAL + synchronous=FULL a row
 * is on disk when the call returns; `PRAGMA data_version` tells the running hometel that another process (the CLI)
 * changed a message.
 */
import type Database from 'better-sqlite3';
import type { VoiceMailRepository, VoiceMessage } from '../../voicemail/index.js';
import type { Store } from '../store.js';

interface MessageRow {
  id: string;
  line: string;
  call_id: string;
  caller_number: string;
  caller_name: string | null;
  received_at: number;
  duration_ms: number;
  bytes: number;
  file: string;
  read: number;
}

const columns = 'id, line, call_id, caller_number, caller_name, received_at, duration_ms, bytes, file, read';

function toMessage(r: MessageRow): VoiceMessage {
  return {
    id: r.id,
    line: r.line,
    callID: r.call_id,
    callerNumber: r.caller_number,
    ...(r.caller_name !== null ? { callerName: r.caller_name } : {}),
    receivedAt: r.received_at,
    durationMs: r.duration_ms,
    bytes: r.bytes,
    file: r.file,
    read: r.read === 1,
  };
}

export class SqliteVoiceMailRepository implements VoiceMailRepository {
  private readonly db: Database.Database;
  private readonly all: Database.Statement<[], MessageRow>;
  private readonly byId: Database.Statement<[string], MessageRow>;
  private readonly insertRow: Database.Statement<[string, string, string, string, string | null, number, number, number, string, number]>;
  private readonly updateRead: Database.Statement<[number, string]>;
  private readonly deleteRow: Database.Statement<[string]>;
  private readonly lineCount: Database.Statement<[string], { n: number }>;
  private readonly totalBytes: Database.Statement<[], { b: number | null }>;

  constructor(store: Store) {
    this.db = store.database;
    this.all = this.db.prepare(`SELECT ${columns} FROM voicemail_message ORDER BY received_at DESC, seq DESC`);
    this.byId = this.db.prepare(`SELECT ${columns} FROM voicemail_message WHERE id = ?`);
    this.insertRow = this.db.prepare(`INSERT INTO voicemail_message (${columns}) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`);
    this.updateRead = this.db.prepare('UPDATE voicemail_message SET read = ? WHERE id = ?');
    this.deleteRow = this.db.prepare('DELETE FROM voicemail_message WHERE id = ?');
    this.lineCount = this.db.prepare('SELECT count(*) AS n FROM voicemail_message WHERE line = ?');
    this.totalBytes = this.db.prepare('SELECT sum(bytes) AS b FROM voicemail_message');
  }

  list(): VoiceMessage[] {
    return this.all.all().map(toMessage);
  }

  get(id: string): VoiceMessage | undefined {
    const r = this.byId.get(id);
    return r ? toMessage(r) : undefined;
  }

  insert(m: VoiceMessage): void {
    this.insertRow.run(m.id, m.line, m.callID, m.callerNumber, m.callerName ?? null, m.receivedAt, m.durationMs, m.bytes, m.file, m.read ? 1 : 0);
  }

  setRead(id: string, read: boolean): boolean {
    return this.updateRead.run(read ? 1 : 0, id).changes > 0;
  }

  remove(id: string): boolean {
    return this.deleteRow.run(id).changes > 0;
  }

  usage(line: string): { lineMessages: number; totalBytes: number } {
    return { lineMessages: this.lineCount.get(line)!.n, totalBytes: this.totalBytes.get()!.b ?? 0 };
  }

  externalVersion(): number {
    return this.db.pragma('data_version', { simple: true }) as number;
  }
}
