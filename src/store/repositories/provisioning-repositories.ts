/**
 * Provisioning's repositories (issue 15): the device registry and the sealed secrets, synchronous=FULL like every
 * administrative change. A device's last fetch and last notification are JSON columns: they are shown, never queried.
 */
import type Database from 'better-sqlite3';
import type { Device, DeviceRepository, SealedSecretRepository, Vendor } from '../../provisioning/index.js';
import type { Store } from '../store.js';

interface DeviceRow {
  mac: string;
  vendor: string | null;
  model: string | null;
  firmware: string | null;
  state: 'pending' | 'enrolled';
  extensions: string;
  template: string | null;
  secret_generation: number;
  first_seen: number;
  first_seen_from: string;
  last_fetch: string | null;
  last_notification: string | null;
  resync_requested_at: number | null;
}

const deviceOf = (r: DeviceRow): Device => ({
  mac: r.mac,
  ...(r.vendor !== null ? { vendor: r.vendor as Vendor } : {}),
  ...(r.model !== null ? { model: r.model } : {}),
  ...(r.firmware !== null ? { firmware: r.firmware } : {}),
  state: r.state,
  extensions: JSON.parse(r.extensions) as string[],
  ...(r.template !== null ? { template: r.template as Vendor } : {}),
  secretGeneration: r.secret_generation,
  firstSeen: r.first_seen,
  firstSeenFrom: r.first_seen_from,
  ...(r.last_fetch !== null ? { lastFetch: JSON.parse(r.last_fetch) as Device['lastFetch'] } : {}),
  ...(r.last_notification !== null ? { lastNotification: JSON.parse(r.last_notification) as Device['lastNotification'] } : {}),
  ...(r.resync_requested_at !== null ? { resyncRequestedAt: r.resync_requested_at } : {}),
});

const json = (v: unknown): string | null => (v === undefined ? null : JSON.stringify(v));

export class SqliteDeviceRepository implements DeviceRepository {
  private readonly db: Database.Database;
  private readonly all: Database.Statement<[], DeviceRow>;
  private readonly one: Database.Statement<[string], DeviceRow>;
  private readonly upsert: Database.Statement<unknown[]>;
  private readonly delete: Database.Statement<[string]>;

  constructor(store: Store) {
    this.db = store.database;
    this.all = this.db.prepare('SELECT * FROM provisioning_device ORDER BY first_seen, mac');
    this.one = this.db.prepare('SELECT * FROM provisioning_device WHERE mac = ?');
    this.upsert = this.db.prepare(
      `INSERT OR REPLACE INTO provisioning_device (mac, vendor, model, firmware, state, extensions, template, secret_generation,
         first_seen, first_seen_from, last_fetch, last_notification, resync_requested_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
    );
    this.delete = this.db.prepare('DELETE FROM provisioning_device WHERE mac = ?');
  }

  list(): Device[] {
    return this.all.all().map(deviceOf);
  }

  get(mac: string): Device | undefined {
    const row = this.one.get(mac);
    return row && deviceOf(row);
  }

  put(d: Device): void {
    this.upsert.run(
      d.mac,
      d.vendor ?? null,
      d.model ?? null,
      d.firmware ?? null,
      d.state,
      JSON.stringify(d.extensions),
      d.template ?? null,
      d.secretGeneration,
      d.firstSeen,
      d.firstSeenFrom,
      json(d.lastFetch),
      json(d.lastNotification),
      d.resyncRequestedAt ?? null,
    );
  }

  remove(mac: string): boolean {
    return this.delete.run(mac).changes > 0;
  }

  version(): number {
    return this.db.pragma('data_version', { simple: true }) as number;
  }
}

export class SqliteSealedSecretRepository implements SealedSecretRepository {
  private readonly one: Database.Statement<[string], { sealed: string }>;
  private readonly upsert: Database.Statement<[string, string]>;
  private readonly delete: Database.Statement<[string]>;

  constructor(store: Store) {
    const db = store.database;
    this.one = db.prepare('SELECT sealed FROM sealed_secret WHERE name = ?');
    this.upsert = db.prepare('INSERT OR REPLACE INTO sealed_secret (name, sealed) VALUES (?, ?)');
    this.delete = db.prepare('DELETE FROM sealed_secret WHERE name = ?');
  }

  get(name: string): string | undefined {
    return this.one.get(name)?.sealed;
  }

  put(name: string, sealed: string): void {
    this.upsert.run(name, sealed);
  }

  remove(name: string): void {
    this.delete.run(name);
  }
}
