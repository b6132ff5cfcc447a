/**
 * TelCPNameRepository on the store's SQLite database (table `telcp_name`). Each method is one
 * transaction; with WAL + synchronous=FULL it is on disk when the method returns.
 */
import type Database from 'better-sqlite3';
import type { TelCPNameRecord, TelCPNameRepository } from '../../telephony/domain/index.js';
import type { Store } from '../store.js';

interface Row {
  name: string;
  secret_key_hash: string;
  expires_at: number;
}

const toRecord = (row: Row): TelCPNameRecord => ({
  name: row.name,
  secretKeyHash: row.secret_key_hash,
  expiresAt: row.expires_at,
});

export class SqliteTelCPNameRepository implements TelCPNameRepository {
  private readonly upsert: Database.Statement<[string, string, number]>;
  private readonly insert: Database.Statement<[string, string, number]>;
  private readonly delete: Database.Statement<[string]>;
  private readonly all: Database.Statement<[], Row>;
  private readonly renameTx: (oldName: string, record: TelCPNameRecord) => void;

  constructor(store: Store) {
    const db = store.database;
    this.upsert = db.prepare(
      `INSERT INTO telcp_name (name, secret_key_hash, expires_at) VALUES (?, ?, ?)
       ON CONFLICT(name) DO UPDATE SET secret_key_hash = excluded.secret_key_hash, expires_at = excluded.expires_at`,
    );
    this.insert = db.prepare('INSERT INTO telcp_name (name, secret_key_hash, expires_at) VALUES (?, ?, ?)');
    this.delete = db.prepare('DELETE FROM telcp_name WHERE name = ?');
    this.all = db.prepare('SELECT name, secret_key_hash, expires_at FROM telcp_name ORDER BY seq');
    this.renameTx = db.transaction((oldName: string, record: TelCPNameRecord) => {
      this.delete.run(oldName);
      this.delete.run(record.name);
      this.insert.run(record.name, record.secretKeyHash, record.expiresAt);
    });
  }

  save(record: TelCPNameRecord): void {
    this.upsert.run(record.name, record.secretKeyHash, record.expiresAt);
  }

  remove(name: string): boolean {
    return this.delete.run(name).changes > 0;
  }

  rename(oldName: string, record: TelCPNameRecord): void {
    this.renameTx(oldName, record);
  }

  list(): TelCPNameRecord[] {
    return this.all.all().map(toRecord);
  }
}
