/**
 * The registrar's bindings on the store's soft-state connection (docs/decisions.md, issue 14 "REGISTER
 * throughput"): committed with synchronous=NORMAL while the rest of the store stays FULL, read back by the other
 * connection and by a store opened afterwards, and synced to the disk by one passive checkpoint a second after the
 * commits of that second. (Surviving kill -9 is test/integration/phones-registrar.test.ts, acceptance 9.)
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

test('bindings are written with synchronous=NORMAL, everything else with FULL; both connections and a later store read them', (t) => {
  const dir = tempDir(t);
  const store = storeWith21(dir);
  const bindings = new SqliteBindingRepository(store);
  bindings.replace('21', [binding('sip:21@127.0.0.1:5062')]);
  assert.equal(store.softStateDatabase.pragma('synchronous', { simple: true }), 1, 'NORMAL');
  assert.equal(store.database.pragma('synchronous', { simple: true }), 2, 'FULL');
  assert.equal(store.softStateDatabase.pragma('journal_mode', { simple: true }), 'wal');
  assert.deepEqual(store.database.prepare('SELECT contact FROM registration_binding').all(), [{ contact: 'sip:21@127.0.0.1:5062' }]);
  // Removing the extension (main connection) takes its bindings, as the soft-state connection then sees.
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
  const pragma = mock.method(store.softStateDatabase, 'pragma');
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
