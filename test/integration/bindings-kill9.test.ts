/**
 * A registrar binding survives `kill -9` at the instant its write returns (issue 14, acceptance 9; the bindings'
 * connection commits with synchronous=NORMAL, docs/decisions.md): a child process stores one and SIGKILLs itself
 * before the WAL is synced or checkpointed; the store reopened has it.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SqliteBindingRepository, SqliteExtensionRepository, Store } from '../../src/store/index.js';

test('acceptance 9: a binding whose write returned survives kill -9 before any sync of the WAL', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'hometel-bindings-kill9-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const store = Store.open(dir);
  new SqliteExtensionRepository(store).put({ number: '21', realm: 'hometel', ha1Md5: 'a'.repeat(32), ha1Sha256: 'b'.repeat(64), created: 1 });
  store.close();

  const child = spawn(process.execPath, ['--import', 'tsx', 'test/support/bindings-writer.ts', dir], { stdio: ['ignore', 'inherit', 'inherit'] });
  const signal = await new Promise<NodeJS.Signals | null>((resolve) => child.once('exit', (_code, s) => resolve(s)));
  assert.equal(signal, 'SIGKILL');
  // Nothing was checkpointed or closed: the binding is only in the write-ahead log.
  assert.ok(statSync(join(dir, 'hometel.db-wal')).size > 0);

  const reopened = Store.open(dir);
  t.after(() => reopened.close());
  const bound = new SqliteBindingRepository(reopened).list('21');
  assert.deepEqual(bound.map((b) => [b.contact, b.callId, b.cseq]), [['sip:21@127.0.0.1:5062', 'reg-kill9', 7]]);
});
