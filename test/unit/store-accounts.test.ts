/**
 * The SQLite AccountRepository: every method round-trips, and the admin password, setup token, sessions and API
 * tokens survive reopening the store — with the account service on top, a session and a token issued before a
 * restart still authenticate after it. (kill -9: test/integration/store-kill9.test.ts.)
 */
import { test, type TestContext } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { silentLogger } from '../../src/base/index.js';
import { AccountService } from '../../src/accounts/index.js';
import { SqliteAccountRepository, Store } from '../../src/store/index.js';
import { FakeClock } from '../support/fake-clock.js';

function tempDir(t: TestContext): string {
  const dir = mkdtempSync(join(tmpdir(), 'hometel-accounts-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

const hash = (c: string): string => c.repeat(64);

test('accounts store: the password and setup token hashes are set, replaced, removed, and survive reopening', (t) => {
  const dir = tempDir(t);
  let store = Store.open(dir);
  let repo = new SqliteAccountRepository(store);
  assert.equal(repo.passwordHash(), undefined);
  assert.equal(repo.setupTokenHash(), undefined);
  repo.setSetupTokenHash(hash('a'));
  repo.setSetupTokenHash(hash('b'));
  assert.equal(repo.setupTokenHash(), hash('b'));
  repo.setPasswordHash('$scrypt$ln=15,r=8,p=1$c2FsdA$a2V5');
  store.close();

  store = Store.open(dir);
  repo = new SqliteAccountRepository(store);
  assert.equal(repo.setupTokenHash(), hash('b'));
  assert.equal(repo.passwordHash(), '$scrypt$ln=15,r=8,p=1$c2FsdA$a2V5');
  repo.setSetupTokenHash(undefined);
  repo.setSetupTokenHash(undefined);
  repo.setPasswordHash('$scrypt$ln=16,r=8,p=1$c2FsdA$a2V5');
  store.close();

  store = Store.open(dir);
  repo = new SqliteAccountRepository(store);
  assert.equal(repo.setupTokenHash(), undefined);
  assert.equal(repo.passwordHash(), '$scrypt$ln=16,r=8,p=1$c2FsdA$a2V5');
  store.close();
});

test('accounts store: sessions are found by hash, touched, removed one by one, all but one, or when expired', (t) => {
  const dir = tempDir(t);
  let store = Store.open(dir);
  let repo = new SqliteAccountRepository(store);
  repo.addSession({ id: 's1', tokenHash: hash('1'), created: 1000, lastUsed: 1000 });
  repo.addSession({ id: 's2', tokenHash: hash('2'), created: 2000, lastUsed: 2000 });
  repo.addSession({ id: 's3', tokenHash: hash('3'), created: 3000, lastUsed: 3000 });
  repo.addSession({ id: 's4', tokenHash: hash('4'), created: 4000, lastUsed: 4000 });
  assert.throws(() => repo.addSession({ id: 's5', tokenHash: hash('1'), created: 5000, lastUsed: 5000 }), /UNIQUE/);
  repo.touchSession('s1', 9000);
  store.close();

  store = Store.open(dir);
  repo = new SqliteAccountRepository(store);
  assert.deepEqual(repo.sessionByTokenHash(hash('1')), { id: 's1', tokenHash: hash('1'), created: 1000, lastUsed: 9000 });
  assert.equal(repo.sessionByTokenHash(hash('9')), undefined);
  // Last used before 2500 or created before 1500: s2 (idle) and s1 (old, however recently used).
  assert.equal(repo.removeExpiredSessions(2500, 1500), 2);
  assert.equal(repo.sessionByTokenHash(hash('1')), undefined);
  assert.equal(repo.removeSession('s3'), true);
  assert.equal(repo.removeSession('s3'), false);
  repo.addSession({ id: 's6', tokenHash: hash('6'), created: 6000, lastUsed: 6000 });
  assert.equal(repo.removeOtherSessions('s6'), 1);
  assert.ok(repo.sessionByTokenHash(hash('6')));
  assert.equal(repo.removeOtherSessions(undefined), 1);
  assert.equal(repo.sessionByTokenHash(hash('6')), undefined);
  store.close();
});

test('accounts store: API tokens are listed oldest first, found by hash, touched, revoked, and survive reopening', (t) => {
  const dir = tempDir(t);
  let store = Store.open(dir);
  let repo = new SqliteAccountRepository(store);
  repo.addApiToken({ id: 't1', label: 'Home Assistant', tokenHash: hash('a'), created: 1000 });
  repo.addApiToken({ id: 't2', label: "Alice's script", tokenHash: hash('b'), created: 2000, lastUsed: 2500 });
  repo.addApiToken({ id: 't3', label: 'old', tokenHash: hash('c'), created: 3000 });
  repo.touchApiToken('t1', 4000);
  store.close();

  store = Store.open(dir);
  repo = new SqliteAccountRepository(store);
  assert.deepEqual(repo.apiTokens(), [
    { id: 't1', label: 'Home Assistant', tokenHash: hash('a'), created: 1000, lastUsed: 4000 },
    { id: 't2', label: "Alice's script", tokenHash: hash('b'), created: 2000, lastUsed: 2500 },
    { id: 't3', label: 'old', tokenHash: hash('c'), created: 3000 },
  ]);
  assert.deepEqual(repo.apiTokenByHash(hash('c')), { id: 't3', label: 'old', tokenHash: hash('c'), created: 3000 });
  assert.equal(repo.apiTokenByHash(hash('d')), undefined);
  assert.equal(repo.removeApiToken('t2'), true);
  assert.equal(repo.removeApiToken('t2'), false);
  store.close();

  store = Store.open(dir);
  repo = new SqliteAccountRepository(store);
  assert.deepEqual(
    repo.apiTokens().map((x) => x.id),
    ['t1', 't3'],
  );
  store.close();
});

test('accounts store: with the account service, the password, a session and an API token outlive a restart', async (t) => {
  const dir = tempDir(t);
  const clock = new FakeClock(1_700_000_000_000);
  const open = (store: Store): AccountService =>
    new AccountService({ repository: new SqliteAccountRepository(store), clock, logger: silentLogger, scrypt: { log2N: 10, r: 8, p: 1 } });
  let store = Store.open(dir);
  let service = open(store);
  const setup = service.issueSetupToken()!;
  const session = await service.completeSetup(setup, 'correct horse battery');
  const token = service.createApiToken('ci');
  store.close();

  clock.advance(60 * 60_000);
  store = Store.open(dir);
  t.after(() => store.close());
  service = open(store);
  assert.equal(service.setupNeeded(), false);
  assert.equal(service.issueSetupToken(), undefined);
  assert.equal(service.authenticate({ session: session.token })?.kind, 'session');
  assert.deepEqual(service.authenticate({ token: token.token }), { kind: 'token', id: token.id, label: 'ci' });
  await service.login('10.0.0.2', 'correct horse battery');
  await assert.rejects(service.completeSetup(setup, 'another long password'), { code: 'accounts.setup-done' });
});

test('accounts store: a database from before the accounts tables gets them, its other data kept', (t) => {
  const dir = tempDir(t);
  const a = Store.open(dir);
  const udn = a.udnFor('root');
  // The accounts tables and those of every later migration go, so that the database is as version 4 left it.
  const later = a.database
    .prepare<[], string>("SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT IN ('device_identity', 'boot', 'telcp_name', 'call_log', 'callback') AND name NOT LIKE 'sqlite_%'")
    .pluck()
    .all();
  for (const name of later) a.database.exec(`DROP TABLE ${name}`);
  a.database.pragma('user_version = 4');
  a.close();
  const b = Store.open(dir);
  t.after(() => b.close());
  assert.equal(b.udnFor('root'), udn);
  const repo = new SqliteAccountRepository(b);
  repo.setPasswordHash('$scrypt$ln=15,r=8,p=1$c2FsdA$a2V5');
  assert.equal(repo.passwordHash(), '$scrypt$ln=15,r=8,p=1$c2FsdA$a2V5');
});
