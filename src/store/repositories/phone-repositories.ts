/**
 * The phones' repositories on the store's SQLite database: extensions (HA1 values only, synchronous=FULL) and the
 * bindings their devices registered, committed as soft state (`Store.softState`, synchronous=NORMAL): a binding is
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

/**
 * The statements are prepared once: a REGISTER reads an extension and its bindings several times (Digest, the
 * registrar, presence), and preparing costs more than running them.
 */
export class SqliteExtensionRepository implements ExtensionRepository {
  private readonly all: Database.Statement<[], ExtensionRow>;
  private readonly one: Database.Statement<[string], ExtensionRow>;
  private readonly upsert: Database.Statement<[string, string | null, string | null, string, string, string, number]>;
  private readonly removeBoth: (number: string) => boolean;

  constructor(store: Store) {
    const db = store.database;
    this.all = db.prepare('SELECT * FROM extension ORDER BY length(number), number');
    this.one = db.prepare('SELECT * FROM extension WHERE number = ?');
    this.upsert = db.prepare(
      `INSERT INTO extension (number, display_name, user_name, realm, ha1_md5, ha1_sha256, created) VALUES (?, ?, ?, ?, ?, ?, ?)
       ON CONFLICT (number) DO UPDATE SET display_name = excluded.display_name, user_name = excluded.user_name,
         realm = excluded.realm, ha1_md5 = excluded.ha1_md5, ha1_sha256 = excluded.ha1_sha256`,
    );
    const unbind = db.prepare<[string]>('DELETE FROM registration_binding WHERE extension = ?');
    const remove = db.prepare<[string]>('DELETE FROM extension WHERE number = ?');
    // Foreign keys are not enforced on this connection: the bindings go explicitly, in the same transaction.
    this.removeBoth = db.transaction((number: string) => {
      unbind.run(number);
      return remove.run(number).changes > 0;
    });
  }

  list(): Extension[] {
    return this.all.all().map(extensionOf);
  }

  get(number: string): Extension | undefined {
    const row = this.one.get(number);
    return row && extensionOf(row);
  }

  put(e: Extension): void {
    this.upsert.run(e.number, e.displayName ?? null, e.user ?? null, e.realm, e.ha1Md5, e.ha1Sha256, e.created);
  }

  remove(number: string): boolean {
    return this.removeBoth(number);
  }
}

export class SqliteBindingRepository implements BindingRepository {
  private readonly all: Database.Statement<[], BindingRow>;
  private readonly ofExtension: Database.Statement<[string], BindingRow>;
  private readonly replaceAll: (extension: string, bindings: readonly Binding[]) => void;
  private readonly removeExpiredAt: (now: number) => string[];

  constructor(private readonly store: Store) {
    const db = store.database;
    this.all = db.prepare('SELECT * FROM registration_binding ORDER BY extension, registered_at');
    this.ofExtension = db.prepare('SELECT * FROM registration_binding WHERE extension = ? ORDER BY registered_at');
    const unbind = db.prepare<[string]>('DELETE FROM registration_binding WHERE extension = ?');
    const insert = db.prepare(
      `INSERT INTO registration_binding (extension, contact, expires_at, call_id, cseq, transport, address, port, user_agent, instance, registered_at)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
    );
    this.replaceAll = db.transaction((extension: string, bindings: readonly Binding[]) => {
      unbind.run(extension);
      for (const b of bindings) {
        insert.run(extension, b.contact, b.expiresAt, b.callId, b.cseq, b.source.transport, b.source.address, b.source.port, b.userAgent ?? null, b.instance ?? null, b.registeredAt);
      }
    });
    const expired = db.prepare<[number], { extension: string }>('SELECT DISTINCT extension FROM registration_binding WHERE expires_at <= ?');
    const removeExpired = db.prepare<[number]>('DELETE FROM registration_binding WHERE expires_at <= ?');
    this.removeExpiredAt = db.transaction((now: number) => {
      const gone = expired.all(now).map((g) => g.extension);
      removeExpired.run(now);
      return gone;
    });
  }

  list(extension?: string): Binding[] {
    return (extension === undefined ? this.all.all() : this.ofExtension.all(extension)).map(bindingOf);
  }

  replace(extension: string, bindings: readonly Binding[]): void {
    this.store.softState(() => this.replaceAll(extension, bindings));
  }

  removeExpired(now: number): string[] {
    return this.store.softState(() => this.removeExpiredAt(now));
  }
}
