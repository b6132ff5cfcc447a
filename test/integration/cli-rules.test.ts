/**
 * `hometel rules …` and `hometel dnd …` as a user runs them (seed 004 2.2 3 vi): add, list and remove rules and
 * switch DND with --json, bad input refused with the rule book's message and exit status 1 (nothing stored), --help
 * on every command, and what the CLI stored is what the running hub's rule book reads.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openRules } from '../../src/app/index.js';
import { SqliteCallRecordRepository, Store } from '../../src/store/index.js';
import { runHometel } from '../support/hometel-process.js';

test('hometel rules and dnd: --help on every command', async () => {
  for (const args of [['rules', '--help'], ['rules', 'list', '--help'], ['rules', 'add', '--help'], ['rules', 'remove', '--help'], ['dnd', '--help'], ['dnd', 'on', '--help'], ['dnd', 'off', '--help'], ['dnd', 'status', '--help']]) {
    const r = await runHometel(args);
    assert.equal(r.code, 0, args.join(' '));
    assert.match(r.stdout, /^Usage: hometel (rules|dnd)/m);
  }
});

test('seed 004 2.2 3 vi from the shell: hometel rules add|list|remove --json; bad rules refused, nothing stored', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'hometel-cli-rules-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const run = (...args: string[]): ReturnType<typeof runHometel> => runHometel([...args, '--data-dir', dir]);

  const prefix = await run('rules', 'add', '--number', '+4930*', '--action', 'reject', '--status', '486', '--json');
  assert.equal(prefix.code, 0, prefix.stderr);
  const rule = JSON.parse(prefix.stdout) as { id: string; match: object; action: object };
  assert.deepEqual([rule.match, rule.action], [{ kind: 'number', pattern: '+4930*' }, { kind: 'reject', status: 486 }]);
  const family = await run('rules', 'add', '--group', 'Family', '--action', 'ring', '--targets', 'tv,laptop', '--schedule', 'mon-fri@18:00-08:00', '--json');
  assert.deepEqual((JSON.parse(family.stdout) as { schedule: object }).schedule, { days: [1, 2, 3, 4, 5], from: '18:00', to: '08:00' });
  const text = await run('rules', 'add', '--anonymous', '--action', 'voicemail');
  assert.match(text.stdout, /^added [0-9a-f]{12} {2}anonymous -> voicemail$/m);

  for (const [args, message] of [
    [['--number', '+49 30 abc*', '--action', 'reject'], /the number pattern "\+49 30 abc\*" is malformed/],
    [['--blocked', '--action', 'forward', '--target', 'the neighbours'], /cannot forward to "the neighbours"/],
    [['--blocked', '--action', 'shout'], /unknown action "shout"/],
    [['--blocked', '--vip', '--action', 'voicemail'], /exactly one of --number/],
    [['--vip', '--action', 'voicemail', '--schedule', 'someday@18:00-08:00'], /unknown day "someday"/],
  ] as const) {
    const r = await run('rules', 'add', ...args, '--json');
    assert.equal(r.code, 1, args.join(' '));
    assert.match((JSON.parse(r.stdout) as { error: { message: string } }).error.message, message);
    const plain = await run('rules', 'add', ...args);
    assert.equal(plain.code, 1);
    assert.match(plain.stderr, /^hometel rules: /);
  }

  const list = await run('rules', 'list', '--json');
  const rules = (JSON.parse(list.stdout) as { rules: Array<{ id: string }> }).rules;
  assert.equal(rules.length, 3, 'only the good rules were stored');
  const removed = await run('rules', 'remove', rule.id, '--json');
  assert.deepEqual(JSON.parse(removed.stdout), { removed: rule.id });
  const missing = await run('rules', 'remove', rule.id);
  assert.equal(missing.code, 1);
  assert.match(missing.stderr, /no rule/);
  const listed = await run('rules', 'list');
  assert.match(listed.stdout, /group Family -> ring tv,laptop {2}\(mon,tue,wed,thu,fri@18:00-08:00\)/);
  assert.match(listed.stdout, /^2 rules$/m);
});

test('seed 004 2.2 3 vi from the shell: hometel dnd on|off|status --json, and the hub reads what the CLI stored', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'hometel-cli-dnd-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const run = (...args: string[]): ReturnType<typeof runHometel> => runHometel([...args, '--data-dir', dir]);

  const status = await run('dnd', 'status', '--json');
  assert.deepEqual(JSON.parse(status.stdout), { on: false, action: { kind: 'voicemail' }, vipRings: true, schedules: [], active: false });
  const on = await run('dnd', 'on', '--action', 'reject', '--status', '480', '--no-vip-rings', '--schedule', 'mon-fri@22:00-07:00', 'sat,sun@00:00-24:00', '--json');
  assert.equal(on.code, 0, on.stderr);
  assert.deepEqual(JSON.parse(on.stdout), {
    on: true,
    action: { kind: 'reject', status: 480 },
    vipRings: false,
    schedules: [{ days: [1, 2, 3, 4, 5], from: '22:00', to: '07:00' }, { days: [0, 6], from: '00:00', to: '24:00' }],
    active: true,
  });
  const bad = await run('dnd', 'on', '--action', 'forward', '--target', 'somewhere', '--json');
  assert.equal(bad.code, 1);
  assert.match((JSON.parse(bad.stdout) as { error: { message: string } }).error.message, /DND: cannot forward to "somewhere"/);
  const off = await run('dnd', 'off', '--vip-rings', '--no-schedule');
  assert.equal(off.code, 0);
  assert.match(off.stdout, /^DND off \(now inactive\): reject 480, VIPs ring$/m);

  // The hub's rule book over the same store reads it.
  const store = Store.open(join(dir));
  t.after(() => store.close());
  const book = openRules(store, { numberPlan: { country: 'DE', areaCode: '30' } });
  assert.deepEqual(book.dnd(), { on: false, action: { kind: 'reject', status: 480 }, vipRings: true, schedules: [] });
});

test('hometel forward on|off|status --json (forward all, the phones\' *72/*73): a bad target refused with nothing stored; the store holds what the hub reads', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'hometel-cli-forward-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const run = (...args: string[]): ReturnType<typeof runHometel> => runHometel([...args, '--data-dir', dir]);
  for (const args of [['forward', '--help'], ['forward', 'on', '--help'], ['forward', 'off', '--help'], ['forward', 'status', '--help']]) {
    const r = await runHometel(args);
    assert.equal(r.code, 0, args.join(' '));
    assert.match(r.stdout, /^Usage: hometel forward/m);
  }
  const on = await run('forward', 'on', '0171 2345678', '--json');
  assert.equal(on.code, 0, on.stderr);
  assert.deepEqual(JSON.parse(on.stdout), { target: '0171 2345678' });
  const bad = await run('forward', 'on', 'the neighbours');
  assert.equal(bad.code, 1);
  assert.match(bad.stderr, /^hometel forward: cannot forward to "the neighbours"/m);
  assert.match((await run('forward', 'status')).stdout, /^forward all: every call goes to 0171 2345678$/m);
  const store = Store.open(dir);
  try {
    assert.equal(new SqliteCallRecordRepository(store).forwardAll(), '0171 2345678', 'what the running hub screens with');
  } finally {
    store.close();
  }
  assert.deepEqual(JSON.parse((await run('forward', 'off', '--json')).stdout), { target: null });
  assert.deepEqual(JSON.parse((await run('forward', 'status', '--json')).stdout), { target: null });
});
