/**
 * RuleRepository on the store's SQLite database (tables `rule`, `dnd`, `rule_change`). Every write also counts
 * up `rule_change` in its transaction; version() combines that counter with `PRAGMA data_version` (which moves only
 * when another connection commits) so that checking for another process's change costs one pragma when nothing
 * changed. With WAL + synchronous=FULL a write is on disk when the method returns.
 */
import type Database from 'better-sqlite3';
import type { DndSettings, HandlingAction, Rule, RuleMatch, RuleRepository, StoredKey, WeeklySchedule } from '../../callhandling/index.js';
import type { Store } from '../store.js';

interface RuleRow {
  id: string;
  match_kind: RuleMatch['kind'];
  match_value: string | null;
  action: string;
  schedule: string | null;
  note: string | null;
  created: number;
  match_key: string | null;
  match_prefix: number | null;
  key_plan: string | null;
}

function matchOf(row: RuleRow): RuleMatch {
  if (row.match_kind === 'number') return { kind: 'number', pattern: row.match_value ?? '' };
  if (row.match_kind === 'group') return { kind: 'group', group: row.match_value ?? '' };
  return { kind: row.match_kind };
}

/** Reads rows into rules; the many rules with the same action or schedule share one parsed (readonly) object. */
function reader(): (row: RuleRow) => Rule {
  const parsed = new Map<string, unknown>();
  const parse = <T>(json: string): T => {
    let value = parsed.get(json);
    if (value === undefined) parsed.set(json, (value = JSON.parse(json)));
    return value as T;
  };
  return (row) => ({
    id: row.id,
    created: row.created,
    match: matchOf(row),
    action: parse<HandlingAction>(row.action),
    ...(row.schedule !== null ? { schedule: parse<WeeklySchedule>(row.schedule) } : {}),
    ...(row.note !== null ? { note: row.note } : {}),
  });
}

function valueOf(m: RuleMatch): string | null {
  return m.kind === 'number' ? m.pattern : m.kind === 'group' ? m.group : null;
}

export class SqliteRuleRepository implements RuleRepository {
  private readonly db: Database.Database;
  private readonly all: Database.Statement<[], RuleRow>;
  private readonly insert: Database.Statement<[string, string, string | null, string | null, number | null, string | null, string, string | null, string | null, number]>;
  private readonly delete: Database.Statement<[string]>;
  private readonly dndGet: Database.Statement<[], { settings: string }>;
  private readonly dndPut: Database.Statement<[string]>;
  private readonly bump: Database.Statement<[]>;
  private readonly counter: Database.Statement<[], { counter: number }>;
  private cached: { dataVersion: number; counter: number } | undefined;

  constructor(store: Store) {
    const db = (this.db = store.database);
    this.all = db.prepare('SELECT id, match_kind, match_value, match_key, match_prefix, key_plan, action, schedule, note, created FROM rule ORDER BY created, id');
    this.insert = db.prepare(
      'INSERT INTO rule (id, match_kind, match_value, match_key, match_prefix, key_plan, action, schedule, note, created) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)',
    );
    this.delete = db.prepare('DELETE FROM rule WHERE id = ?');
    this.dndGet = db.prepare('SELECT settings FROM dnd WHERE id = 1');
    this.dndPut = db.prepare('INSERT INTO dnd (id, settings) VALUES (1, ?) ON CONFLICT(id) DO UPDATE SET settings = excluded.settings');
    this.bump = db.prepare('UPDATE rule_change SET counter = counter + 1 WHERE id = 1');
    this.counter = db.prepare('SELECT counter FROM rule_change WHERE id = 1');
  }

  list(): Rule[] {
    return this.all.all().map(reader());
  }

  keyed(): { rule: Rule; key?: StoredKey }[] {
    const toRule = reader();
    return this.all.all().map((row) => {
      const rule = toRule(row);
      if (row.match_key === null || row.key_plan === null) return { rule };
      return { rule, key: { key: row.match_key, prefix: row.match_prefix === 1, plan: row.key_plan } };
    });
  }

  add(rule: Rule, key?: StoredKey): void {
    this.addMany([rule], [key]);
  }

  addMany(rules: readonly Rule[], keys: readonly (StoredKey | undefined)[] = []): void {
    this.db.transaction(() => {
      rules.forEach((r, i) => {
        const k = keys[i];
        const schedule = r.schedule ? JSON.stringify(r.schedule) : null;
        this.insert.run(r.id, r.match.kind, valueOf(r.match), k?.key ?? null, k ? (k.prefix ? 1 : 0) : null, k?.plan ?? null, JSON.stringify(r.action), schedule, r.note ?? null, r.created);
      });
      this.bump.run();
    })();
    this.cached = undefined;
  }

  remove(id: string): boolean {
    const removed = this.db.transaction(() => {
      const removed = this.delete.run(id).changes > 0;
      if (removed) this.bump.run();
      return removed;
    })();
    this.cached = undefined;
    return removed;
  }

  dnd(): DndSettings | undefined {
    const row = this.dndGet.get();
    return row && (JSON.parse(row.settings) as DndSettings);
  }

  saveDnd(settings: DndSettings): void {
    this.db.transaction(() => {
      this.dndPut.run(JSON.stringify(settings));
      this.bump.run();
    })();
    this.cached = undefined;
  }

  /** The change counter of the rules and DND (see the module comment). */
  version(): number {
    const dataVersion = this.db.pragma('data_version', { simple: true }) as number;
    // Our own commits do not move data_version: each of them drops the cache instead.
    if (this.cached?.dataVersion === dataVersion) return this.cached.counter;
    const counter = this.counter.get()?.counter ?? 0;
    this.cached = { dataVersion, counter };
    return counter;
  }
}
