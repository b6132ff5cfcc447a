/**
 * `hometel phones …` as a user runs it (issue 14, "Extensions"): real processes on a temporary data dir — add, list,
 * passwd, remove and registrations with --json and as text, --help on every command, wrong input refused with the
 * phones service's message and exit status 1 (nothing stored), `--password -` read from stdin. The password is never
 * printed, and the SQLite file holds the right MD5 and SHA-256 HA1 values (RFC 3261 22.4, RFC 8760) for the
 * configured realm and nowhere the password. Next to a running `hometel start`, the CLI and the HTTP API see each
 * other's extensions.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { hometelCli, runHometel } from '../support/hometel-process.js';
import { lineOnlyConfig, startWebHometel } from '../support/web.js';

const repoRoot = join(import.meta.dirname, '..', '..');

/** `hometel …` with `input` on its stdin. */
function runWithStdin(args: string[], input: string): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [...hometelCli, ...args], { cwd: repoRoot, stdio: ['pipe', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code: code ?? 1, stdout, stderr }));
    child.stdin.end(input);
  });
}

const md5 = (s: string): string => createHash('md5').update(s).digest('hex');
const sha256 = (s: string): string => createHash('sha256').update(s).digest('hex');

interface Row {
  number: string;
  display_name: string | null;
  user_name: string | null;
  realm: string;
  ha1_md5: string;
  ha1_sha256: string;
}

/** What the SQLite file holds (read as another process would, after the commands ended). */
function storedRows(dataDir: string): Row[] {
  const db = new Database(join(dataDir, 'hometel.db'), { readonly: true });
  try {
    return db.prepare('SELECT number, display_name, user_name, realm, ha1_md5, ha1_sha256 FROM extension ORDER BY number').all() as Row[];
  } finally {
    db.close();
  }
}

/** Every byte of the store (database, WAL) as text: a password must be in none of them. */
function storeBytes(dataDir: string): string {
  return ['hometel.db', 'hometel.db-wal', 'hometel.db-shm'].map((f) => join(dataDir, f)).filter(existsSync).map((f) => readFileSync(f).toString('latin1')).join('\n');
}

test('hometel phones: --help on every command, and the help says how to keep the password off the process list', async () => {
  const helps = new Map<string, string>();
  for (const command of ['', 'add', 'list', 'remove', 'passwd', 'registrations']) {
    const r = await runHometel(['phones', ...(command ? [command] : []), '--help']);
    assert.equal(r.code, 0, command);
    assert.match(r.stdout, /^Usage: hometel phones/m);
    helps.set(command, r.stdout.replace(/\s+/g, ' '));
  }
  assert.match(helps.get('add')!, /`-` reads it from the first line of stdin, so it is not in the process list/);
  assert.match(helps.get('passwd')!, /`-` reads it from the first line of stdin/);
  assert.match(helps.get('')!, /realm phones\.registrar\.realm \(default "hometel", also while "phones" is off\)/);
});

test('issue 14 Extensions from the shell: add, list --json, passwd, remove; HA1 MD5 and SHA-256 for the realm in the SQLite file, never the password', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'hometel-cli-phones-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const dataDir = join(dir, 'data');
  const config = join(dir, 'hometel.json');
  // The registrar's realm from the config (its port away from the line's 5060).
  writeFileSync(config, JSON.stringify({ dataDir, lines: [{ name: 'home', sip: { mode: 'direct', user: 'home', port: 5080 } }], phones: { registrar: { realm: 'home.example' } } }));
  const run = (...args: string[]): ReturnType<typeof runHometel> => runHometel([...args, '--config', config]);
  const outputs: string[] = [];
  const ran = <T extends { stdout: string; stderr: string }>(r: T): T => (outputs.push(r.stdout, r.stderr), r);

  const kitchen = ran(await run('phones', 'add', '21', '--password', 'kitchen-secret-1', '--name', 'Kitchen', '--user', 'anna', '--json'));
  assert.equal(kitchen.code, 0, kitchen.stderr);
  assert.deepEqual(JSON.parse(kitchen.stdout), { number: '21', displayName: 'Kitchen', user: 'anna', registrations: 0 });
  const hall = ran(await runWithStdin(['phones', 'add', '100', '--password', '-', '--config', config], 'hall secret from stdin\nnot this line\n'));
  assert.equal(hall.code, 0, hall.stderr);
  assert.equal(hall.stdout, 'added extension 100\n');

  const list = ran(await run('phones', 'list', '--json'));
  assert.deepEqual(JSON.parse(list.stdout), { extensions: [{ number: '21', displayName: 'Kitchen', user: 'anna', registrations: 0 }, { number: '100', registrations: 0 }] });
  const text = ran(await run('phones', 'list'));
  assert.equal(text.stdout, '21  Kitchen  anna  0 devices\n100  -  -  0 devices\n2 extensions\n');
  const none = ran(await run('phones', 'registrations', '--json'));
  assert.deepEqual(JSON.parse(none.stdout), { registrations: [] });

  // RFC 3261 22.4 / RFC 8760: HA1 = H(username:realm:password), the extension number as username.
  assert.deepEqual(storedRows(dataDir), [
    { number: '100', display_name: null, user_name: null, realm: 'home.example', ha1_md5: md5('100:home.example:hall secret from stdin'), ha1_sha256: sha256('100:home.example:hall secret from stdin') },
    { number: '21', display_name: 'Kitchen', user_name: 'anna', realm: 'home.example', ha1_md5: md5('21:home.example:kitchen-secret-1'), ha1_sha256: sha256('21:home.example:kitchen-secret-1') },
  ]);

  const passwd = ran(await runWithStdin(['phones', 'passwd', '21', '--password', '-', '--json', '--config', config], 'kitchen-secret-2\r\n'));
  assert.equal(passwd.code, 0, passwd.stderr);
  assert.deepEqual(JSON.parse(passwd.stdout), { changed: '21' });
  const [, changed] = storedRows(dataDir);
  assert.deepEqual([changed?.ha1_md5, changed?.ha1_sha256], [md5('21:home.example:kitchen-secret-2'), sha256('21:home.example:kitchen-secret-2')]);

  const removed = ran(await run('phones', 'remove', '100', '--json'));
  assert.deepEqual(JSON.parse(removed.stdout), { removed: '100' });
  const removedText = ran(await run('phones', 'remove', '21'));
  assert.equal(removedText.stdout, 'removed extension 21\n');
  assert.deepEqual(storedRows(dataDir), []);

  for (const secret of ['kitchen-secret-1', 'kitchen-secret-2', 'hall secret from stdin']) {
    assert.ok(!outputs.join('\n').includes(secret), `${secret}: never printed`);
    assert.ok(!storeBytes(dataDir).includes(secret), `${secret}: not in the store's files`);
  }
});

/** A data dir with extension 21 in it (phones off: the registrar's default realm). */
async function withKitchen(t: { after: (f: () => unknown) => void }): Promise<{ dir: string; run: (...args: string[]) => ReturnType<typeof runHometel> }> {
  const dir = mkdtempSync(join(tmpdir(), 'hometel-cli-phones-bad-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const run = (...args: string[]): ReturnType<typeof runHometel> => runHometel([...args, '--data-dir', dir]);
  const ok = await run('phones', 'add', '21', '--password', 'kitchen-secret-1');
  assert.equal(ok.code, 0, ok.stderr);
  assert.equal(storedRows(dir)[0]?.ha1_md5, md5('21:hometel:kitchen-secret-1'), 'no realm in the config: "hometel"');
  return { dir, run };
}

const refusals = [
  [['add', '021', '--password', 'a-good-secret'], /extension number "021": 2 to 6 digits, not starting with 0/],
  [['add', '22', '--password', 'short-1'], /a password has 8 to 128 characters/],
  [['add', '22'], /give --password PW \(or --password - to read it from stdin\)/],
  [['add', '22', '--password', 'a-good-secret', '--name', 'Say "hi"'], /a display name has 1 to 64 printable characters, no quotes/],
  [['add', '21', '--password', 'a-good-secret'], /extension 21 exists already/],
  [['passwd', '23', '--password', 'a-good-secret'], /no extension 23/],
  [['passwd', '21', '--password', 'short-2'], /a password has 8 to 128 characters/],
  [['remove', '23'], /no extension 23/],
] as const;

const notPrinted = (args: readonly string[], out: string): void => {
  for (const secret of ['a-good-secret', 'short-1', 'short-2']) assert.ok(!out.includes(secret), `${args.join(' ')}: the password is not printed`);
};

test('issue 14 Extensions from the shell: wrong input refused with the message and exit status 1 (--json), nothing stored, the password not printed', async (t) => {
  const { dir, run } = await withKitchen(t);
  const before = storedRows(dir);
  for (const [args, message] of refusals) {
    const r = await run('phones', ...args, '--json');
    assert.equal(r.code, 1, args.join(' '));
    assert.match((JSON.parse(r.stdout) as { error: { message: string } }).error.message, message);
    notPrinted(args, r.stdout + r.stderr);
  }
  assert.deepEqual(storedRows(dir), before, 'nothing stored or changed');
});

test('issue 14 Extensions from the shell: wrong input as text on stderr with exit status 1; an empty stdin is no password', async (t) => {
  const { dir, run } = await withKitchen(t);
  const before = storedRows(dir);
  for (const [args, message] of refusals.filter((_, i) => i % 3 === 1)) {
    const r = await run('phones', ...args);
    assert.equal(r.code, 1, args.join(' '));
    assert.equal(r.stdout, '');
    assert.match(r.stderr, /^hometel phones: /);
    assert.match(r.stderr, message);
    notPrinted(args, r.stderr);
  }
  const empty = await runWithStdin(['phones', 'add', '22', '--password', '-', '--data-dir', dir], '');
  assert.equal(empty.code, 1);
  assert.match(empty.stderr, /a password has 8 to 128 characters/);
  assert.deepEqual(storedRows(dir), before, 'nothing stored or changed');
});

test('issue 14 Extensions: `hometel start` with phones serves /api/phones over the same store the CLI changes, with the configured realm', async (t) => {
  const { hometel, url, setupLink } = await startWebHometel('hometel-cli-phones-web-', (dir) => ({
    ...lineOnlyConfig(dir, 0),
    phones: { registrar: { host: '127.0.0.1', port: 0, realm: 'home.example' } },
  }));
  t.after(() => hometel.stop());
  const origin = url.replace(/\/$/, '');
  const setup = await fetch(`${origin}/api/setup`, { method: 'POST', headers: { origin, 'content-type': 'application/json' }, body: JSON.stringify({ token: setupLink.split('#token=')[1], password: 'a long enough password' }) });
  assert.equal(setup.status, 200);
  const h = { origin, cookie: setup.headers.get('set-cookie')!.split(';')[0]!, 'content-type': 'application/json' };

  const added = await fetch(`${origin}/api/phones`, { method: 'POST', headers: h, body: JSON.stringify({ number: '21', password: 'kitchen-secret-1', displayName: 'Kitchen' }) });
  assert.equal(added.status, 201);
  const config = join(hometel.dir, 'hometel.json');
  const cli = await runHometel(['phones', 'add', '22', '--password', 'hall-secret-1', '--config', config]);
  assert.equal(cli.code, 0, cli.stderr);
  const listed = await runHometel(['phones', 'list', '--json', '--config', config]);
  assert.deepEqual((JSON.parse(listed.stdout) as { extensions: Array<{ number: string }> }).extensions.map((e) => e.number), ['21', '22'], 'the CLI sees what the API added');
  const api = await fetch(`${origin}/api/phones`, { headers: h });
  assert.deepEqual(((await api.json()) as { extensions: Array<{ number: string }> }).extensions.map((e) => e.number), ['21', '22'], 'the API sees what the CLI added');
  const [kitchen, hall] = storedRows(join(hometel.dir, 'data'));
  assert.equal(kitchen?.ha1_md5, md5('21:home.example:kitchen-secret-1'), "the web application's service uses the configured realm");
  assert.equal(hall?.ha1_sha256, sha256('22:home.example:hall-secret-1'), "and so does the CLI's");
  assert.ok(!hometel.log().includes('kitchen-secret-1'), 'the password is not logged');
});
