/**
 * The registrar's bindings as soft state (docs/decisions.md, "Bindings: durable across kill -9 at once, across
 * power loss within a second"): each binding transaction commits with synchronous=NORMAL while every other write
 * stays FULL, on the store's one connection (so `PRAGMA data_version`, which tells the voicemail and the rules of
 * other processes' writes, does not move); what is written is read back by a store opened afterwards; one passive
 * checkpoint a second after the commits of that second syncs them. (Surviving kill -9: bindings-kill9.test.ts.)
 */
import { mock, test, type TestContext } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Binding } from '../../src/phones/index.js';
import { SqliteBindingRepository, SqliteExtensionRepository, Store } from '../../src/store/index.js';

function tempDir(t: TestContext): string {
  const dir = mkdtempSync(join(tmpdir(), 'hometel-bindings-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

const binding = (contact: string): Binding => ({
  extension: '21',
  contact,
  expiresAt: 2_000_000_000_000,
  callId: 'reg-1',
  cseq: 1,
  source: { transport: 'udp', address: '127.0.0.1', port: 5062 },
  registeredAt: 1_700_000_000_000,
});

function storeWith21(dir: string): Store {
  const store = Store.open(dir);
  new SqliteExtensionRepository(store).put({ number: '21', realm: 'hometel', ha1Md5: 'a'.repeat(32), ha1Sha256: 'b'.repeat(64), created: 1 });
  return store;
}

const synchronous = (store: Store): unknown => store.database.pragma('synchronous', { simple: true });

test('a binding commits with synchronous=NORMAL, everything else with FULL; data_version stays; a later store reads it', (t) => {
  const dir = tempDir(t);
  const store = storeWith21(dir);
  const bindings = new SqliteBindingRepository(store);
  const version = store.database.pragma('data_version', { simple: true });
  assert.equal(synchronous(store), 2, 'FULL');
  // A repository whose transactions note the setting they run under.
  let during: unknown;
  const transaction = store.database.transaction.bind(store.database);
  const spy = mock.method(store.database, 'transaction', (fn: (...a: unknown[]) => unknown) => transaction((...a: unknown[]) => ((during = synchronous(store)), fn(...a))));
  const writing = new SqliteBindingRepository(store);
  spy.mock.restore();
  writing.replace('21', [binding('sip:21@127.0.0.1:5062')]);
  assert.equal(during, 1, 'NORMAL while the binding commits');
  assert.equal(synchronous(store), 2, 'FULL again afterwards');
  assert.equal(store.database.pragma('data_version', { simple: true }), version, 'not an "external" change');
  assert.deepEqual(bindings.list('21').map((b) => b.contact), ['sip:21@127.0.0.1:5062']);
  // Removing the extension takes its bindings.
  new SqliteExtensionRepository(store).remove('21');
  assert.deepEqual(bindings.list('21'), []);
  new SqliteExtensionRepository(store).put({ number: '21', realm: 'hometel', ha1Md5: 'a'.repeat(32), ha1Sha256: 'b'.repeat(64), created: 1 });
  bindings.replace('21', [binding('sip:21@127.0.0.1:5064')]);
  store.close();
  const again = Store.open(dir);
  t.after(() => again.close());
  assert.deepEqual(new SqliteBindingRepository(again).list('21').map((b) => b.contact), ['sip:21@127.0.0.1:5064']);
});

test('the commits of one second are synced by one passive checkpoint a second later; closing cancels it', (t) => {
  mock.timers.enable({ apis: ['setTimeout'] });
  t.after(() => mock.timers.reset());
  const store = storeWith21(tempDir(t));
  const bindings = new SqliteBindingRepository(store);
  const pragma = mock.method(store.database, 'pragma');
  const checkpoints = (): number => pragma.mock.calls.filter((c) => c.arguments[0] === 'wal_checkpoint(PASSIVE)').length;
  bindings.replace('21', [binding('sip:21@127.0.0.1:5062')]);
  mock.timers.tick(500);
  bindings.replace('21', [binding('sip:21@127.0.0.1:5064')]);
  assert.equal(checkpoints(), 0, 'not before the second is over');
  mock.timers.tick(500);
  assert.equal(checkpoints(), 1, 'one for both commits');
  mock.timers.tick(5000);
  assert.equal(checkpoints(), 1, 'none without a commit');
  assert.deepEqual(bindings.removeExpired(3_000_000_000_000), ['21']);
  store.close();
  mock.timers.tick(5000);
  assert.equal(checkpoints(), 1, 'none after close');
});
