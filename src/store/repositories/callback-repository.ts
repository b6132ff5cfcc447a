/**
 * CallBackRepository on the store's SQLite database (table `callback`, one row per callee). With
 * WAL + synchronous=FULL a registration is on disk when `register` returns.
 */
import type Database from 'better-sqlite3';
import type { CallBackEntry, CallBackRepository } from '../../telephony/domain/index.js';
import type { Store } from '../store.js';

interface Row {
  callback_id: string;
  callee_id: string;
  registered_at: string;
}

const toEntry = (row: Row): CallBackEntry => ({
  callbackID: row.callback_id,
  calleeID: row.callee_id,
  registeredAt: row.registered_at,
});

export class SqliteCallBackRepository implements CallBackRepository {
  private readonly insert: Database.Statement<[string, string, string]>;
  private readonly byCallee: Database.Statement<[string], Row>;
  private readonly deleteOne: Database.Statement<[string]>;
  private readonly deleteAll: Database.Statement<[]>;
  private readonly all: Database.Statement<[], Row>;
  private readonly registerTx: (candidate: CallBackEntry) => CallBackEntry;

  constructor(store: Store) {
    const db = store.database;
    this.insert = db.prepare(
      'INSERT INTO callback (callback_id, callee_id, registered_at) VALUES (?, ?, ?) ON CONFLICT(callee_id) DO NOTHING',
    );
    this.byCallee = db.prepare('SELECT callback_id, callee_id, registered_at FROM callback WHERE callee_id = ?');
    this.deleteOne = db.prepare('DELETE FROM callback WHERE callback_id = ?');
    this.deleteAll = db.prepare('DELETE FROM callback');
    this.all = db.prepare('SELECT callback_id, callee_id, registered_at FROM callback ORDER BY seq');
    this.registerTx = db.transaction((candidate: CallBackEntry) => {
      this.insert.run(candidate.callbackID, candidate.calleeID, candidate.registeredAt);
      return toEntry(this.byCallee.get(candidate.calleeID)!);
    });
  }

  register(candidate: CallBackEntry): CallBackEntry {
    return this.registerTx(candidate);
  }

  remove(callbackID: string): boolean {
    return this.deleteOne.run(callbackID).changes > 0;
  }

  removeAll(): number {
    return this.deleteAll.run().changes;
  }

  list(): CallBackEntry[] {
    return this.all.all().map(toEntry);
  }
}
