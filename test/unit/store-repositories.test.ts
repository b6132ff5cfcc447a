/**
 * The SQLite repositories of CallManagement:1 state (TelCPNames, CallLogs, call-backs) on a store
 * in a temporary directory: what they keep, in which order, and that it survives reopening.
 */
import { test, type TestContext } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  DEFAULT_CALL_LOG_CAP,
  SqliteCallBackRepository,
  SqliteCallLogRepository,
  SqliteTelCPNameRepository,
  Store,
} from '../../src/store/index.js';
import type { CallLogEntry } from '../../src/telephony/domain/repositories.js';

function tempDir(t: TestContext): string {
  const dir = mkdtempSync(join(tmpdir(), 'hometel-repos-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

const hash = (c: string): string => c.repeat(64);

function call(n: number, overrides: Partial<CallLogEntry> = {}): CallLogEntry {
  return {
    callID: `call${n}`,
    direction: n % 2 ? 'incoming' : 'outgoing',
    success: n % 3 !== 0,
    type: 'audio',
    caller: { id: `tel:+4930${n}`, name: `Caller ${n}` },
    callee: { id: 'sip:home@example.com' },
    startTime: new Date(Date.UTC(2026, 0, 1, 0, 0, n)).toISOString(),
    durationMs: n * 1000,
    ...overrides,
  };
}

test('CallManagement 2.6.2: TelCPName records are saved, renewed in place, renamed, removed, and survive reopening', (t) => {
  const dir = tempDir(t);
  let store = Store.open(dir);
  let repo = new SqliteTelCPNameRepository(store);
  assert.deepEqual(repo.list(), []);
  repo.save({ name: 'TV@Living', secretKeyHash: hash('a'), expiresAt: 1000 });
  repo.save({ name: "Alice's TV", secretKeyHash: hash('b'), expiresAt: 2000 });
  repo.save({ name: 'PC@Study', secretKeyHash: hash('c'), expiresAt: 3000 });
  repo.save({ name: 'TV@Living', secretKeyHash: hash('d'), expiresAt: 4000 }); // renewal keeps its place
  assert.deepEqual(repo.list(), [
    { name: 'TV@Living', secretKeyHash: hash('d'), expiresAt: 4000 },
    { name: "Alice's TV", secretKeyHash: hash('b'), expiresAt: 2000 },
    { name: 'PC@Study', secretKeyHash: hash('c'), expiresAt: 3000 },
  ]);
  repo.rename('TV@Living', { name: 'HD-TV@Living', secretKeyHash: hash('e'), expiresAt: 5000 });
  assert.equal(repo.remove('PC@Study'), true);
  assert.equal(repo.remove('PC@Study'), false);
  store.close();

  store = Store.open(dir);
  repo = new SqliteTelCPNameRepository(store);
  assert.deepEqual(repo.list(), [
    { name: "Alice's TV", secretKeyHash: hash('b'), expiresAt: 2000 },
    { name: 'HD-TV@Living', secretKeyHash: hash('e'), expiresAt: 5000 },
  ]);
  store.close();
});

test('CallManagement 2.6.4: a rename is atomic (all or nothing)', (t) => {
  const store = Store.open(tempDir(t));
  t.after(() => store.close());
  const repo = new SqliteTelCPNameRepository(store);
  repo.save({ name: 'TV@Living', secretKeyHash: hash('a'), expiresAt: 1000 });
  // A record the table refuses (NULL hash) makes the insert fail after the delete ran.
  const bad = { name: 'HD-TV@Living', secretKeyHash: null as unknown as string, expiresAt: 2000 };
  assert.throws(() => repo.rename('TV@Living', bad));
  assert.deepEqual(repo.list(), [{ name: 'TV@Living', secretKeyHash: hash('a'), expiresAt: 1000 }]);
});

test('CallManagement 2.4.18 / 2.6.17: call logs are listed newest first with every field, and survive reopening', (t) => {
  const dir = tempDir(t);
  let store = Store.open(dir);
  let repo = new SqliteCallLogRepository(store);
  assert.equal(repo.cap, DEFAULT_CALL_LOG_CAP);
  assert.deepEqual(repo.list(), []);
  const a = call(1);
  const b = call(2, { type: 'video', callee: { id: 'tel:110', name: 'Police' }, success: false, durationMs: 0 });
  // Appended after b but started before it (a long call ends after a short later one).
  const c = call(3, { startTime: '2026-01-01T00:59:59.500+01:00', type: 'data' });
  repo.append(a);
  repo.append(b);
  repo.append(c);
  assert.deepEqual(repo.list(), [b, a, c]);
  store.close();

  store = Store.open(dir);
  repo = new SqliteCallLogRepository(store);
  assert.deepEqual(repo.list(), [b, a, c]);
  store.close();
});

test('CallManagement 2.6.17: the call log is bounded; beyond its cap the oldest entries are dropped first', (t) => {
  const store = Store.open(tempDir(t));
  t.after(() => store.close());
  const repo = new SqliteCallLogRepository(store, 3);
  for (let n = 1; n <= 5; n++) repo.append(call(n));
  assert.deepEqual(
    repo.list().map((e) => e.callID),
    ['call5', 'call4', 'call3'],
  );
  // An entry older than everything kept is dropped at once.
  repo.append(call(0));
  assert.deepEqual(
    repo.list().map((e) => e.callID),
    ['call5', 'call4', 'call3'],
  );
  // Same start time: the later append counts as newer.
  repo.append(call(5, { callID: 'call5b' }));
  assert.deepEqual(
    repo.list().map((e) => e.callID),
    ['call5b', 'call5', 'call4'],
  );
  assert.throws(() => new SqliteCallLogRepository(store, 0), RangeError);
});

test('CallManagement 2.6.17: the default cap is 1000 entries', (t) => {
  const store = Store.open(tempDir(t));
  t.after(() => store.close());
  const repo = new SqliteCallLogRepository(store);
  for (let n = 0; n < DEFAULT_CALL_LOG_CAP + 5; n++) repo.append(call(n));
  const list = repo.list();
  assert.equal(list.length, 1000);
  assert.equal(list[0]!.callID, `call${DEFAULT_CALL_LOG_CAP + 4}`);
  assert.equal(list.at(-1)!.callID, 'call5');
});

test('CallManagement 2.6.18: ClearCallLogs empties the log, and logging starts again afterwards', (t) => {
  const dir = tempDir(t);
  let store = Store.open(dir);
  let repo = new SqliteCallLogRepository(store);
  repo.append(call(1));
  repo.clear();
  assert.deepEqual(repo.list(), []);
  repo.append(call(2));
  store.close();
  store = Store.open(dir);
  repo = new SqliteCallLogRepository(store);
  assert.deepEqual(
    repo.list().map((e) => e.callID),
    ['call2'],
  );
  store.close();
});

test('CallManagement 2.4.18.2: a call log entry needs an ISO 8601 start time and a non-negative integer duration', (t) => {
  const store = Store.open(tempDir(t));
  t.after(() => store.close());
  const repo = new SqliteCallLogRepository(store);
  for (const startTime of ['', 'yesterday', '2026-01-01', '2026-01-01T10:00:00', '2026-13-45T99:00:00Z']) {
    assert.throws(() => repo.append(call(1, { startTime })), RangeError, startTime);
  }
  for (const durationMs of [-1, 1.5, Number.NaN]) {
    assert.throws(() => repo.append(call(1, { durationMs })), RangeError, String(durationMs));
  }
  assert.deepEqual(repo.list(), []);
});

test('CallManagement 2.6.19: RegisterCallBack is idempotent per callee; registrations survive reopening', (t) => {
  const dir = tempDir(t);
  let store = Store.open(dir);
  let repo = new SqliteCallBackRepository(store);
  const first = { callbackID: 'cb-1', calleeID: 'tel:0774940201', registeredAt: '2026-01-01T00:00:00.000Z' };
  assert.deepEqual(repo.register(first), first);
  const again = { callbackID: 'cb-2', calleeID: 'tel:0774940201', registeredAt: '2026-01-02T00:00:00.000Z' };
  assert.deepEqual(repo.register(again), first, 'the existing registration is returned unchanged');
  const other = { callbackID: 'cb-3', calleeID: 'sip:alice@example.com', registeredAt: '2026-01-03T00:00:00.000Z' };
  assert.deepEqual(repo.register(other), other);
  assert.deepEqual(repo.list(), [first, other]);
  store.close();

  store = Store.open(dir);
  repo = new SqliteCallBackRepository(store);
  assert.deepEqual(repo.list(), [first, other]);
  assert.deepEqual(repo.register(again), first);
  store.close();
});

test('CallManagement 2.6.20: ClearCallBack removes one registration by ID, or all of them', (t) => {
  const store = Store.open(tempDir(t));
  t.after(() => store.close());
  const repo = new SqliteCallBackRepository(store);
  const at = '2026-01-01T00:00:00.000Z';
  repo.register({ callbackID: 'cb-1', calleeID: 'tel:1', registeredAt: at });
  repo.register({ callbackID: 'cb-2', calleeID: 'tel:2', registeredAt: at });
  repo.register({ callbackID: 'cb-3', calleeID: 'tel:3', registeredAt: at });
  assert.equal(repo.remove('cb-2'), true);
  assert.equal(repo.remove('cb-2'), false, 'unknown ID (711)');
  assert.deepEqual(
    repo.list().map((e) => e.callbackID),
    ['cb-1', 'cb-3'],
  );
  // After clearing, the callee can be registered again (with a new ID).
  assert.equal(repo.register({ callbackID: 'cb-4', calleeID: 'tel:2', registeredAt: at }).callbackID, 'cb-4');
  assert.equal(repo.removeAll(), 3);
  assert.equal(repo.removeAll(), 0);
  assert.deepEqual(repo.list(), []);
});

test('the store upgrades an existing database (created before these tables) without losing data', (t) => {
  const dir = tempDir(t);
  const a = Store.open(dir);
  const udn = a.udnFor('root');
  a.database.pragma('user_version = 1');
  // Every table the later migrations made goes, so that the database is as version 1 left it.
  const later = a.database
    .prepare<[], string>("SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT IN ('device_identity', 'boot') AND name NOT LIKE 'sqlite_%'")
    .pluck()
    .all();
  for (const name of later) a.database.exec(`DROP TABLE ${name}`);
  a.close();
  const b = Store.open(dir);
  t.after(() => b.close());
  assert.equal(b.udnFor('root'), udn);
  assert.ok((b.database.pragma('user_version', { simple: true }) as number) >= 4);
  new SqliteCallBackRepository(b).register({ callbackID: 'x', calleeID: 'tel:1', registeredAt: '2026-01-01T00:00:00Z' });
  assert.equal(new SqliteCallBackRepository(b).list().length, 1);
});
