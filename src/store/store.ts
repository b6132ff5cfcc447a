/**
 * hometel's embedded SQLite store: everything that must survive a restart (and kill -9) lives here.
 * WAL mode with synchronous=FULL: a committed write is on disk before the call returns. Soft state (the registrar's
 * bindings, which phones refresh by themselves) commits with synchronous=NORMAL (`softState`): it survives kill -9
 * at once and a power loss within a second.
 */
import Database from 'better-sqlite3';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { randomUUID } from 'node:crypto';

/** Schema versions in order; each runs once, inside a transaction. */
const migrations: readonly string[] = [
  `CREATE TABLE device_identity (key TEXT PRIMARY KEY, udn TEXT NOT NULL UNIQUE);
   CREATE TABLE boot (id INTEGER PRIMARY KEY CHECK (id = 1), boot_id INTEGER NOT NULL);`,
  // CallManagement:1 TelCPName registry (2.6.2-2.6.5); seq keeps registration order.
  `CREATE TABLE telcp_name (
     seq INTEGER PRIMARY KEY AUTOINCREMENT,
     name TEXT NOT NULL UNIQUE,
     secret_key_hash TEXT NOT NULL,
     expires_at INTEGER NOT NULL);`,
  // CallManagement:1 CallLogs (2.4.18, 2.6.17-2.6.18).
  `CREATE TABLE call_log (
     seq INTEGER PRIMARY KEY AUTOINCREMENT,
     call_id TEXT NOT NULL,
     direction TEXT NOT NULL CHECK (direction IN ('incoming', 'outgoing')),
     success INTEGER NOT NULL CHECK (success IN (0, 1)),
     type TEXT NOT NULL CHECK (type IN ('audio', 'video', 'data')),
     caller_id TEXT NOT NULL,
     caller_name TEXT,
     callee_id TEXT NOT NULL,
     callee_name TEXT,
     start_time TEXT NOT NULL,
     start_ms INTEGER NOT NULL,
     duration_ms INTEGER NOT NULL CHECK (duration_ms >= 0));
   CREATE INDEX call_log_order ON call_log (start_ms, seq);`,
  // CallManagement:1 call-back registrations (2.6.19-2.6.21); one per callee.
  `CREATE TABLE callback (
     seq INTEGER PRIMARY KEY AUTOINCREMENT,
     callback_id TEXT NOT NULL UNIQUE,
     callee_id TEXT NOT NULL UNIQUE,
     registered_at TEXT NOT NULL);`,
  // The web UI's and HTTP API's accounts (issue 11): hashes only, never a password or token.
  `CREATE TABLE account_secret (
     name TEXT PRIMARY KEY CHECK (name IN ('admin_password', 'setup_token')),
     hash TEXT NOT NULL);
   CREATE TABLE account_session (
     id TEXT PRIMARY KEY,
     token_hash TEXT NOT NULL UNIQUE,
     created INTEGER NOT NULL,
     last_used INTEGER NOT NULL);
   CREATE TABLE api_token (
     seq INTEGER PRIMARY KEY AUTOINCREMENT,
     id TEXT NOT NULL UNIQUE,
     label TEXT NOT NULL,
     token_hash TEXT NOT NULL UNIQUE,
     created INTEGER NOT NULL,
     last_used INTEGER);`,
  // The address book (issue 12). Each address keeps its matching key (contacts/numbers.ts), indexed for the
  // lookup on every incoming call, and its search text; search_name is the folded name the list is ordered by.
  // The photo has its own table so that searches scan small rows. contact_meta records the plan the keys follow.
  `CREATE TABLE contact (
     seq INTEGER PRIMARY KEY AUTOINCREMENT,
     id TEXT NOT NULL UNIQUE,
     name TEXT NOT NULL,
     search_name TEXT NOT NULL,
     note TEXT,
     vip INTEGER NOT NULL CHECK (vip IN (0, 1)),
     blocked INTEGER NOT NULL CHECK (blocked IN (0, 1)),
     created INTEGER NOT NULL,
     updated INTEGER NOT NULL);
   CREATE INDEX contact_order ON contact (search_name, created, id);
   CREATE TABLE contact_address (
     contact_seq INTEGER NOT NULL REFERENCES contact (seq) ON DELETE CASCADE,
     position INTEGER NOT NULL,
     value TEXT NOT NULL,
     label TEXT NOT NULL CHECK (label IN ('home', 'mobile', 'work', 'fax', 'other')),
     address_key TEXT,
     search TEXT NOT NULL,
     PRIMARY KEY (contact_seq, position)) WITHOUT ROWID;
   CREATE INDEX contact_address_by_key ON contact_address (address_key, contact_seq);
   CREATE TABLE contact_group (
     contact_seq INTEGER NOT NULL REFERENCES contact (seq) ON DELETE CASCADE,
     position INTEGER NOT NULL,
     name TEXT NOT NULL,
     PRIMARY KEY (contact_seq, position)) WITHOUT ROWID;
   CREATE INDEX contact_group_by_name ON contact_group (name, contact_seq);
   CREATE TABLE contact_photo (
     contact_seq INTEGER PRIMARY KEY REFERENCES contact (seq) ON DELETE CASCADE,
     media_type TEXT NOT NULL,
     data TEXT NOT NULL);
   CREATE TABLE contact_meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);`,
  // Contacts: one search text per contact (name and every address) instead of one per address — a search scans
  // one table, 4x faster. The service fills it when it re-keys (key plan keys-v2).
  `ALTER TABLE contact ADD COLUMN search TEXT NOT NULL DEFAULT '';
   ALTER TABLE contact_address DROP COLUMN search;`,
  // Call handling (issue 13): the screening rules and do-not-disturb (callhandling/rules). A rule's match is its
  // kind and its pattern or group as written, with the pattern's key and the number plan it was keyed by (reused
  // while the plan stays, so 100,000 rules load without libphonenumber); action and schedule are JSON. rule_change
  // counts every change so that another process notices one (RuleBook.refreshIfChanged). IF NOT EXISTS: the store
  // tests replay migrations on a database whose user_version they set back.
  `CREATE TABLE IF NOT EXISTS rule (
     seq INTEGER PRIMARY KEY AUTOINCREMENT,
     id TEXT NOT NULL UNIQUE,
     match_kind TEXT NOT NULL CHECK (match_kind IN ('number', 'anonymous', 'blocked', 'vip', 'not-in-contacts', 'group')),
     match_value TEXT,
     match_key TEXT,
     match_prefix INTEGER CHECK (match_prefix IN (0, 1)),
     key_plan TEXT,
     action TEXT NOT NULL,
     schedule TEXT,
     note TEXT,
     created INTEGER NOT NULL);
   CREATE TABLE IF NOT EXISTS dnd (id INTEGER PRIMARY KEY CHECK (id = 1), settings TEXT NOT NULL);
   CREATE TABLE IF NOT EXISTS rule_change (id INTEGER PRIMARY KEY CHECK (id = 1), counter INTEGER NOT NULL);
   INSERT OR IGNORE INTO rule_change (id, counter) VALUES (1, 0);`,
  // Call handling (issue 13): the full record of each handled incoming Call (callhandling), as JSON with the
  // columns a search and the order need; and the call-handling settings (the activation).
  `CREATE TABLE IF NOT EXISTS call_record (
     line TEXT NOT NULL,
     call_id TEXT NOT NULL,
     at INTEGER NOT NULL,
     search TEXT NOT NULL,
     data TEXT NOT NULL,
     PRIMARY KEY (line, call_id));
   CREATE INDEX IF NOT EXISTS call_record_by_time ON call_record (at DESC);
   CREATE TABLE IF NOT EXISTS call_handling_setting (key TEXT PRIMARY KEY, value TEXT NOT NULL);`,
  // Voicemail (issue 13): the messages (voicemail); their WAV files live in the voicemail directory, a row appears
  // only once its file is complete. read is one state for the whole home.
  `CREATE TABLE IF NOT EXISTS voicemail_message (
     seq INTEGER PRIMARY KEY AUTOINCREMENT,
     id TEXT NOT NULL UNIQUE,
     line TEXT NOT NULL,
     call_id TEXT NOT NULL,
     caller_number TEXT NOT NULL,
     caller_name TEXT,
     received_at INTEGER NOT NULL,
     duration_ms INTEGER NOT NULL CHECK (duration_ms >= 0),
     bytes INTEGER NOT NULL CHECK (bytes >= 0),
     file TEXT NOT NULL,
     read INTEGER NOT NULL CHECK (read IN (0, 1)));
   CREATE INDEX IF NOT EXISTS voicemail_message_by_line ON voicemail_message (line);`,
  // The phones (issue 14): extensions with their Digest HA1 values only (never a password), and the bindings their
  // devices registered (RFC 3261 10.3), kept so that registrations survive a restart.
  `CREATE TABLE IF NOT EXISTS extension (
     number TEXT PRIMARY KEY,
     display_name TEXT,
     user_name TEXT,
     realm TEXT NOT NULL,
     ha1_md5 TEXT NOT NULL,
     ha1_sha256 TEXT NOT NULL,
     created INTEGER NOT NULL);
   CREATE TABLE IF NOT EXISTS registration_binding (
     extension TEXT NOT NULL REFERENCES extension (number) ON DELETE CASCADE,
     contact TEXT NOT NULL,
     expires_at INTEGER NOT NULL,
     call_id TEXT NOT NULL,
     cseq INTEGER NOT NULL,
     transport TEXT NOT NULL CHECK (transport IN ('udp', 'tcp')),
     address TEXT NOT NULL,
     port INTEGER NOT NULL,
     user_agent TEXT,
     instance TEXT,
     registered_at INTEGER NOT NULL,
     PRIMARY KEY (extension, contact));`,
  // Provisioning (issue 15): the devices by MAC with their history (fetch and notification as JSON), and the
  // sealed passwords provisioned phones are given (AES-GCM under the key file in the data directory, never here).
  `CREATE TABLE IF NOT EXISTS provisioning_device (
     mac TEXT PRIMARY KEY CHECK (length(mac) = 12),
     vendor TEXT,
     model TEXT,
     firmware TEXT,
     state TEXT NOT NULL CHECK (state IN ('pending', 'enrolled')),
     extensions TEXT NOT NULL,
     template TEXT,
     secret_generation INTEGER NOT NULL,
     first_seen INTEGER NOT NULL,
     first_seen_from TEXT NOT NULL,
     last_fetch TEXT,
     last_notification TEXT,
     resync_requested_at INTEGER);
   CREATE TABLE IF NOT EXISTS sealed_secret (
     name TEXT PRIMARY KEY,
     sealed TEXT NOT NULL);`,
];

/** How soon after a soft-state commit its WAL frames are synced to the disk. */
const softStateSyncMs = 1000;

export class Store {
  private readonly db: Database.Database;
  private softSync?: NodeJS.Timeout;

  constructor(path: string) {
    this.db = new Database(path);
    this.db.pragma('journal_mode = WAL');
    this.db.pragma('synchronous = FULL');
    this.migrate();
  }

  /** The open database, for the repositories in src/store/repositories/. */
  get database(): Database.Database {
    return this.db;
  }

  /**
   * Runs `commit` (one transaction of soft state: the registrar's bindings) with synchronous=NORMAL: it appends to
   * the WAL without waiting for the disk (SQLite: "transactions are durable across application crashes regardless
   * of the synchronous setting"; a power loss or an OS crash may roll back the commits since the WAL was last
   * synced). Within a second a passive checkpoint syncs the WAL, once for all the commits of that second, which
   * bounds what a power loss can take. The same connection as every other write (its commits do not move
   * `PRAGMA data_version`, which tells of other processes' writes); only this commit is relaxed.
   */
  softState<T>(commit: () => T): T {
    // Set anew each time: a prepared PRAGMA takes effect when it is compiled, not when it runs.
    this.db.pragma('synchronous = NORMAL');
    try {
      return commit();
    } finally {
      this.db.pragma('synchronous = FULL');
      this.softSync ??= setTimeout(() => {
        this.softSync = undefined;
        this.db.pragma('wal_checkpoint(PASSIVE)');
      }, softStateSyncMs).unref();
    }
  }

  /** Opens (creating if needed) the store in a data directory. */
  static open(dataDir: string): Store {
    mkdirSync(dataDir, { recursive: true });
    return new Store(join(dataDir, 'hometel.db'));
  }

  private migrate(): void {
    const version = this.db.pragma('user_version', { simple: true }) as number;
    for (let v = version; v < migrations.length; v++) {
      this.db.transaction(() => {
        this.db.exec(migrations[v]!);
        this.db.pragma(`user_version = ${v + 1}`);
      })();
    }
  }

  /** The UDN of the device known by `key`, created once and then the same forever. */
  udnFor(key: string): string {
    const row = this.db.prepare('SELECT udn FROM device_identity WHERE key = ?').get(key) as { udn: string } | undefined;
    if (row) return row.udn;
    const udn = `uuid:${randomUUID()}`;
    this.db.prepare('INSERT INTO device_identity (key, udn) VALUES (?, ?)').run(key, udn);
    return udn;
  }

  /** The BOOTID.UPNP.ORG for this start: one more than the last start's (UDA 1.1 1.2.2). */
  nextBootId(): number {
    return this.db.transaction(() => {
      const row = this.db.prepare('SELECT boot_id FROM boot WHERE id = 1').get() as { boot_id: number } | undefined;
      const next = row ? (row.boot_id % 0x7fffffff) + 1 : 1;
      this.db.prepare('INSERT INTO boot (id, boot_id) VALUES (1, ?) ON CONFLICT(id) DO UPDATE SET boot_id = excluded.boot_id').run(next);
      return next;
    })();
  }

  close(): void {
    clearTimeout(this.softSync);
    this.softSync = undefined;
    this.db.close();
  }
}
