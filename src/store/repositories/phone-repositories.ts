/**
 * The phones' repositories on the store's SQLite database: extensions (HA1 values only, synchronous=FULL) and the
 * bindings their devices registered, on the store's soft-state connection (synchronous=NORMAL): a binding is
 * committed when the REGISTER is answered, so it survives kill -9, and is synced to the disk within a second, so a
 * power loss can take at most the last second's registrations (the phones register again when they refresh).
 */
import type Database from 'better-sqlite3';
import type { Binding, BindingRepository, Extension, ExtensionRepository } from '../../phones/index.js';
import type { Store } from '../store.js';

interface ExtensionRow {
  number: string;
  display_name: string | null;
  user_name: string | null;
  realm: string;
  ha1_md5: string;
  ha1_sha256: string;
  created: number;
}

interface BindingRow {
  extension: string;
  contact: string;
  expires_at: number;
  call_id: string;
  cseq: number;
  transport: 'udp' | 'tcp';
  address: string;
  port: number;
  user_agent: string | null;
  instance: string | null;
  registered_at: number;
}

const extensionOf = (r: ExtensionRow): Extension => ({
  number: r.number,
  ...(r.display_name !== null ? { displayName: r.display_name } : {}),
  ...(r.user_name !== null ? { user: r.user_name } : {}),
  realm: r.realm,
  ha1Md5: r.ha1_md5,
  ha1Sha256: r.ha1_sha256,
  created: r.created,
});

const bindingOf = (r: BindingRow): Binding => ({
  extension: r.extension,
  contact: r.contact,
  expiresAt: r.expires_at,
  callId: r.call_id,
  cseq: r.cseq,
  source: { transport: r.transport, address: r.address, port: r.port },
  ...(r.user_agent !== null ? { userAgent: r.user_agent } : {}),
  ...(r.instance !== null ? { instance: r.instance } : {}),
  registeredAt: r.registered_at,
});

export class SqliteExtensionRepository implements ExtensionRepository {
  private readonly db: Database.Database;

  constructor(store: Store) {
    this.db = store.database;
  }

  list(): Extension[] {
    return (this.db.prepare('SELECT * FROM extension ORDER BY length(number), number').all() as ExtensionRow[]).map(extensionOf);
  }

  get(number: string): Extension | undefined {
    const row = this.db.prepare('SELECT * FROM extension WHERE number = ?').get(number) as ExtensionRow | undefined;
    return row && extensionOf(row);
  }

  put(e: Extension): void {
    this.db
      .prepare(
        `INSERT INTO extension (number, display_name, user_name, realm, ha1_md5, ha1_sha256, created) VALUES (?, ?, ?, ?, ?, ?, ?)
         ON CONFLICT (number) DO UPDATE SET display_name = excluded.display_name, user_name = excluded.user_name,
           realm = excluded.realm, ha1_md5 = excluded.ha1_md5, ha1_sha256 = excluded.ha1_sha256`,
      )
      .run(e.number, e.displayName ?? null, e.user ?? null, e.realm, e.ha1Md5, e.ha1Sha256, e.created);
  }

  remove(number: string): boolean {
    // Foreign keys are not enforced on this connection: the bindings go explicitly, in the same transaction.
    return this.db.transaction(() => {
      this.db.prepare('DELETE FROM registration_binding WHERE extension = ?').run(number);
      return this.db.prepare('DELETE FROM extension WHERE number = ?').run(number).changes > 0;
    })();
  }
}

export class SqliteBindingRepository implements BindingRepository {
  private readonly db: Database.Database;

  constructor(private readonly store: Store) {
    this.db = store.softStateDatabase;
  }

  list(extension?: string): Binding[] {
    const rows = extension === undefined
      ? this.db.prepare('SELECT * FROM registration_binding ORDER BY extension, registered_at').all()
      : this.db.prepare('SELECT * FROM registration_binding WHERE extension = ? ORDER BY registered_at').all(extension);
    return (rows as BindingRow[]).map(bindingOf);
  }

  replace(extension: string, bindings: readonly Binding[]): void {
    const insert = this.db.prepare(
      `INSERT INTO registration_binding (extension, contact, expires_at, call_id, cseq, transport, address, port, user_agent, instance, registered_at)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
    );
    this.db.transaction(() => {
      this.db.prepare('DELETE FROM registration_binding WHERE extension = ?').run(extension);
      for (const b of bindings) {
        insert.run(extension, b.contact, b.expiresAt, b.callId, b.cseq, b.source.transport, b.source.address, b.source.port, b.userAgent ?? null, b.instance ?? null, b.registeredAt);
      }
    })();
    this.store.softStateWritten();
  }

  removeExpired(now: number): string[] {
    const gone = this.db.transaction(() => {
      const expired = this.db.prepare('SELECT DISTINCT extension FROM registration_binding WHERE expires_at <= ?').all(now) as Array<{ extension: string }>;
      this.db.prepare('DELETE FROM registration_binding WHERE expires_at <= ?').run(now);
      return expired.map((g) => g.extension);
    })();
    if (gone.length > 0) this.store.softStateWritten();
    return gone;
  }
}
