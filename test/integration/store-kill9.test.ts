/**
 * CallManagement and account state survive `kill -9`: a child process writes a TelCPName registration, a call
 * log entry and a call-back (or the admin password, sessions and an API token) through the real store and is
 * killed with SIGKILL right after its writes return. Reopening the store shows them all; a registration whose
 * Expires passed while the process was dead is gone once the registry starts again. A contacts import killed in
 * the middle leaves nothing of itself, and an import completed before it everything.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { systemClock, type Clock } from '../../src/base/clock.js';
import { silentLogger } from '../../src/base/logger.js';
import { AccountService } from '../../src/accounts/index.js';
import { ContactsService } from '../../src/contacts/index.js';
import { SqliteAccountRepository, SqliteCallBackRepository, SqliteCallLogRepository, SqliteContactRepository, SqliteTelCPNameRepository, Store } from '../../src/store/index.js';
import { TelCPRegistry } from '../../src/telephony/domain/telcp-registry.js';

interface Written {
  tvKey: string;
  shortKey: string;
  callbackID: string;
}

/** Runs a writer (test/support/<writer>.ts) and SIGKILLs it the moment it reports its writes done. */
async function writeAndKill<T>(writer: string, dataDir: string): Promise<T> {
  const child = spawn(process.execPath, ['--import', 'tsx', `test/support/${writer}.ts`, dataDir], {
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const exited = new Promise<NodeJS.Signals | null>((resolve) => child.once('exit', (_code, signal) => resolve(signal)));
  let out = '';
  const written = await new Promise<T>((resolve, reject) => {
    child.stdout.on('data', (d: Buffer) => {
      out += d.toString();
      const m = /WRITTEN (\{.*\})\n/.exec(out);
      if (m) {
        child.kill('SIGKILL');
        resolve(JSON.parse(m[1]!) as T);
      }
    });
    void exited.then((signal) => reject(new Error(`writer exited (${signal}) before writing: ${out}`)));
  });
  assert.equal(await exited, 'SIGKILL');
  return written;
}

test('CallManagement 2.6.2 / 2.6.17 / 2.6.19: a registration, a call log and a call-back written before kill -9 are there after reopening', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'hometel-kill9-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const written = await writeAndKill<Written>('callmanagement-writer', dir);
  // Nothing was checkpointed or closed: the writes are only in the write-ahead log.
  assert.ok(statSync(join(dir, 'hometel.db-wal')).size > 0);

  const store = Store.open(dir);
  t.after(() => store.close());
  const names = new SqliteTelCPNameRepository(store);
  assert.deepEqual(
    names.list().map((r) => r.name),
    ['TV@Living', 'Short@Lived'],
  );
  const logs = new SqliteCallLogRepository(store).list();
  assert.equal(logs.length, 1);
  assert.deepEqual({ ...logs[0], startTime: undefined }, {
    callID: 'call101',
    direction: 'outgoing',
    success: true,
    type: 'audio',
    caller: { id: 'sip:home@example.com', name: 'Home' },
    callee: { id: 'tel:0774940201' },
    startTime: undefined,
    durationMs: 42_000,
  });
  assert.deepEqual(
    new SqliteCallBackRepository(store).list().map((c) => [c.callbackID, c.calleeID]),
    [[written.callbackID, 'tel:0774940201']],
  );

  // The registry starts again later than Short@Lived's Expires (1 s): that name is gone, TV@Living stays.
  const later: Clock = { now: () => Date.now() + 5_000, setTimer: (ms, fn) => systemClock.setTimer(ms, fn) };
  const registry = new TelCPRegistry({ repository: names, clock: later });
  t.after(() => registry.close());
  assert.deepEqual(registry.list(), ['TV@Living']);
  assert.deepEqual(
    names.list().map((r) => r.name),
    ['TV@Living'],
  );
  assert.ok(registry.verify('TV@Living', written.tvKey), 'the Secret Key issued before the crash still verifies');
  assert.ok(!registry.verify('Short@Lived', written.shortKey));
  assert.throws(() => registry.register('TV@Living', '', 60), (err: { errorCode?: number }) => err.errorCode === 702);
});

test('Accounts: the admin password, sessions and an API token written before kill -9 are there after reopening', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'hometel-kill9-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const written = await writeAndKill<{ password: string; sessions: string[]; token: string; tokenID: string }>('accounts-writer', dir);
  assert.ok(statSync(join(dir, 'hometel.db-wal')).size > 0);

  const store = Store.open(dir);
  t.after(() => store.close());
  const service = new AccountService({ repository: new SqliteAccountRepository(store), clock: systemClock, logger: silentLogger });
  assert.equal(service.setupNeeded(), false);
  for (const session of written.sessions) assert.equal(service.authenticate({ session })?.kind, 'session');
  assert.deepEqual(service.authenticate({ token: written.token }), { kind: 'token', id: written.tokenID, label: 'ci' });
  await service.login('127.0.0.1', written.password);
});

test('Contacts: an import killed in the middle leaves nothing of itself; the import completed before it everything', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'hometel-kill9-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const written = await writeAndKill<{ committed: number; inserted: number; numbers: [string, string, string, string] }>('contacts-writer', dir);
  const { committed, numbers } = written;
  assert.ok(written.inserted > committed, 'killed with part of the second import inserted');
  assert.ok(statSync(join(dir, 'hometel.db-wal')).size > 0);

  const store = Store.open(dir);
  t.after(() => store.close());
  const count = (table: string): number => (store.database.prepare(`SELECT count(*) AS n FROM ${table}`).get() as { n: number }).n;
  assert.equal(count('contact'), committed);
  assert.equal(count('contact_address'), committed);
  assert.equal(count('contact_group'), committed);
  const service = new ContactsService({ repository: new SqliteContactRepository(store), plan: { country: 'DE', areaCode: '30' }, clock: systemClock, logger: silentLogger });
  assert.equal(service.lookup(numbers[0])?.contact.name, 'Contact 0');
  assert.equal(service.lookup(numbers[1])?.contact.name, `Contact ${committed - 1}`);
  assert.equal(service.lookup(numbers[2]), undefined, 'the first contact of the killed import is gone');
  assert.equal(service.lookup(numbers[3]), undefined, 'and the last one inserted before the kill');
  assert.equal(service.list({ group: 'Imported' }).total, committed);
});
