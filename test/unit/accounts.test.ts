/**
 * The account service (issue 11, Security) on the in-memory repository and the fake clock: setup with its
 * one-time token, login and the per-source rate limit, sliding and absolute session expiry with throttled
 * last-use writes, API tokens, password change, and that secrets are stored only hashed and never logged.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { createLogger, HometelError } from '../../src/base/index.js';
import {
  AccountError,
  AccountService,
  API_TOKEN_PREFIX,
  DEFAULT_SESSION_IDLE_MS,
  DEFAULT_SESSION_MAX_MS,
  type AccountErrorKind,
  type AccountServiceOptions,
} from '../../src/accounts/index.js';
import { LoginLimiter, sourceKey } from '../../src/accounts/login-limiter.js';
import { hashPassword, verifyPassword } from '../../src/accounts/password-hash.js';
import { FakeClock } from '../support/fake-clock.js';
import { MemoryAccountRepository } from '../support/memory-account-repository.js';

const PASSWORD = 'correct horse battery';
const FAST = { log2N: 10, r: 8, p: 1 }; // scrypt made cheap so that the tests run fast

interface Fixture {
  service: AccountService;
  repo: MemoryAccountRepository;
  clock: FakeClock;
  log: string[];
}

function fixture(o: Partial<AccountServiceOptions> = {}): Fixture {
  const repo = new MemoryAccountRepository();
  const clock = new FakeClock(1_700_000_000_000);
  const log: string[] = [];
  const logger = createLogger({ level: 'debug', write: (l) => log.push(l) });
  const service = new AccountService({ repository: repo, clock, logger, scrypt: FAST, ...o });
  return { service, repo, clock, log };
}

/** A fixture whose admin password is PASSWORD. */
async function withAdmin(o: Partial<AccountServiceOptions> = {}): Promise<Fixture> {
  const f = fixture(o);
  await f.service.completeSetup(f.service.issueSetupToken()!, PASSWORD);
  return f;
}

const sha256 = (s: string): string => createHash('sha256').update(s).digest('hex');

function refusedWith(kind: AccountErrorKind, check?: (e: AccountError) => void): (e: unknown) => boolean {
  return (e) => {
    assert.ok(e instanceof AccountError && e instanceof HometelError, String(e));
    assert.equal(e.code, `accounts.${kind}`);
    check?.(e);
    return true;
  };
}

test('setup: the token is random base64url (≥128 bits), a new one replaces an unused one, and it works once', async () => {
  const { service, repo } = fixture();
  assert.equal(service.setupNeeded(), true);
  const first = service.issueSetupToken()!;
  const token = service.issueSetupToken()!;
  assert.match(token, /^[A-Za-z0-9_-]{43}$/); // 32 bytes
  assert.notEqual(token, first);
  await assert.rejects(service.completeSetup(first, PASSWORD), refusedWith('setup-invalid'));
  await assert.rejects(service.completeSetup('made-up', PASSWORD), refusedWith('setup-invalid'));
  // A weak password is refused with the rule, and does not use the token up.
  await assert.rejects(
    service.completeSetup(token, 'short'),
    refusedWith('weak-password', (e) => assert.match(e.message, /at least 10 characters/)),
  );
  assert.equal(repo.setupToken, sha256(token));

  const session = await service.completeSetup(token, PASSWORD);
  assert.deepEqual(service.authenticate({ session: session.token })?.kind, 'session');
  assert.equal(service.setupNeeded(), false);
  assert.equal(repo.setupToken, undefined);
  await assert.rejects(service.completeSetup(token, 'another long password'), refusedWith('setup-done'));
  assert.equal(service.issueSetupToken(), undefined);
  await service.login('10.0.0.2', PASSWORD); // the first password is the one that counts
});

test('setup: two requests racing with the same token set the password once', async () => {
  const { service } = fixture();
  const token = service.issueSetupToken()!;
  const results = await Promise.allSettled([service.completeSetup(token, PASSWORD), service.completeSetup(token, 'the other password')]);
  assert.equal(results[0].status, 'fulfilled');
  assert.equal(results[1].status, 'rejected');
  assert.ok(refusedWith('setup-invalid')(results[1].reason));
  await service.login('10.0.0.2', PASSWORD);
  await assert.rejects(service.login('10.0.0.2', 'the other password'), refusedWith('wrong-password'));
});

test('login: the right password opens a session; a wrong one, and any before setup, is refused alike', async () => {
  const before = fixture();
  await assert.rejects(before.service.login('10.0.0.2', PASSWORD), refusedWith('wrong-password'));
  const { service, clock } = await withAdmin();
  await assert.rejects(service.login('10.0.0.2', 'correct horse battery!'), refusedWith('wrong-password'));
  await assert.rejects(service.login('10.0.0.2', ''), refusedWith('wrong-password'));
  const s = await service.login('10.0.0.2', PASSWORD);
  assert.match(s.token, /^[A-Za-z0-9_-]{43}$/);
  assert.equal(s.expires, clock.now() + DEFAULT_SESSION_MAX_MS);
  assert.equal(service.authenticate({ session: s.token })?.kind, 'session');
  assert.equal(service.authenticate({ session: s.token.slice(0, -1) + (s.token.endsWith('A') ? 'B' : 'A') }), undefined);
  assert.equal(service.authenticate({}), undefined);
});

test('login: a password is compared in Unicode NFKC, so composed and decomposed accents match', async () => {
  const f = fixture();
  await f.service.completeSetup(f.service.issueSetupToken()!, 'caf\u00e9 au lait');
  await f.service.login('10.0.0.2', 'cafe\u0301 au lait');
});

test('rate limit: after `failures` failures in the window the source is refused even with the right password, until lockMs passed', async () => {
  const loginLimit = { failures: 3, windowMs: 60_000, lockMs: 300_000 };
  const { service, clock, log } = await withAdmin({ loginLimit });
  for (let i = 0; i < 3; i++) await assert.rejects(service.login('10.0.0.9', 'guess'), refusedWith('wrong-password'));
  await assert.rejects(
    service.login('10.0.0.9', PASSWORD),
    refusedWith('rate-limited', (e) => assert.equal(e.retryAfterMs, 300_000)),
  );
  assert.ok(log.some((l) => /WARN .*source locked.*source=10\.0\.0\.9/.test(l)));
  await service.login('10.0.0.10', PASSWORD); // another source is not held back
  clock.advance(299_999);
  await assert.rejects(
    service.login('10.0.0.9', PASSWORD),
    refusedWith('rate-limited', (e) => assert.equal(e.retryAfterMs, 1)),
  );
  clock.advance(1);
  await service.login('10.0.0.9', PASSWORD);
});

test('rate limit: a success resets the source, and failures older than the window are forgotten', async () => {
  const { service, clock } = await withAdmin({ loginLimit: { failures: 3, windowMs: 60_000, lockMs: 300_000 } });
  const fail = (): Promise<void> => assert.rejects(service.login('10.0.0.9', 'guess'), refusedWith('wrong-password'));
  await fail();
  await fail();
  await service.login('10.0.0.9', PASSWORD);
  await fail();
  await fail();
  clock.advance(60_000);
  await fail();
  await fail();
  await service.login('10.0.0.9', PASSWORD);
});

test('rate limit: a burst of parallel guesses gets no more than `failures` checked', async () => {
  const { service } = await withAdmin({ loginLimit: { failures: 3, windowMs: 60_000, lockMs: 300_000 } });
  const results = await Promise.allSettled(Array.from({ length: 10 }, () => service.login('10.0.0.9', 'guess')));
  const codes = results.map((r) => (r.status === 'rejected' ? (r.reason as AccountError).code : 'ok'));
  assert.equal(codes.filter((c) => c === 'accounts.wrong-password').length, 3);
  assert.equal(codes.filter((c) => c === 'accounts.rate-limited').length, 7);
  await assert.rejects(service.login('10.0.0.9', PASSWORD), refusedWith('rate-limited'));
});

test('rate limit: IPv6 sources count per /64, IPv4-mapped ones as their IPv4 address', async () => {
  assert.equal(sourceKey('192.0.2.7'), '192.0.2.7');
  assert.equal(sourceKey('::ffff:192.0.2.7'), '192.0.2.7');
  assert.equal(sourceKey('2001:db8:0:1::5'), '2001:0db8:0000:0001::/64');
  assert.equal(sourceKey('2001:DB8:0:1:aaaa:bbbb:cccc:dddd'), '2001:0db8:0000:0001::/64');
  assert.equal(sourceKey('fe80::1%eth0'), 'fe80:0000:0000:0000::/64');
  assert.equal(sourceKey('::1'), '0000:0000:0000:0000::/64');
  const { service } = await withAdmin({ loginLimit: { failures: 2, windowMs: 60_000, lockMs: 300_000 } });
  await assert.rejects(service.login('2001:db8:0:1::5', 'guess'), refusedWith('wrong-password'));
  await assert.rejects(service.login('2001:db8:0:1::6', 'guess'), refusedWith('wrong-password'));
  await assert.rejects(service.login('2001:db8:0:1:ffff::1', PASSWORD), refusedWith('rate-limited'));
  await service.login('2001:db8:0:2::5', PASSWORD);
});

test('rate limit: the limiter keeps at most maxSources sources, the least recently seen evicted', () => {
  const clock = new FakeClock();
  const limiter = new LoginLimiter({ failures: 2, windowMs: 60_000, lockMs: 60_000 }, clock, 3);
  for (let i = 0; i < 100; i++) {
    const source = `198.51.100.${i}`;
    assert.equal(limiter.begin(source), undefined);
    limiter.end(source, false);
  }
  assert.equal(limiter.size, 3);
  // The newest sources are the ones kept.
  assert.equal(limiter.begin('198.51.100.99'), undefined);
  limiter.end('198.51.100.99', false);
  assert.equal(limiter.begin('198.51.100.99'), 60_000);
});

test('sessions: idle expiry slides with use, the absolute limit does not', async () => {
  const { service, clock } = await withAdmin();
  const s = await service.login('10.0.0.2', PASSWORD);
  const idle = DEFAULT_SESSION_IDLE_MS;
  clock.advance(idle - 1);
  assert.ok(service.authenticate({ session: s.token }));
  clock.advance(idle - 1);
  assert.ok(service.authenticate({ session: s.token }), 'used within the idle time: still valid');
  clock.advance(idle);
  assert.equal(service.authenticate({ session: s.token }), undefined, 'idle for sessionIdleMs: ended');

  const t = await service.login('10.0.0.2', PASSWORD);
  const created = clock.now();
  while (clock.now() + idle / 2 < created + DEFAULT_SESSION_MAX_MS) {
    clock.advance(idle / 2);
    assert.ok(service.authenticate({ session: t.token }));
  }
  clock.advance(created + DEFAULT_SESSION_MAX_MS - clock.now());
  assert.equal(service.authenticate({ session: t.token }), undefined, 'sessionMaxMs after login: ended however busy');
});

test('sessions: last use is written at most once a minute, not on every request; custom lifetimes apply', async () => {
  const { service, repo, clock } = await withAdmin({ sessionIdleMs: 10 * 60_000, sessionMaxMs: 60 * 60_000 });
  const s = await service.login('10.0.0.2', PASSWORD);
  assert.equal(s.expires, clock.now() + 60 * 60_000);
  const before = repo.touches;
  for (let i = 0; i < 100; i++) {
    clock.advance(100);
    assert.ok(service.authenticate({ session: s.token }));
  }
  assert.equal(repo.touches, before, '10 s of requests: no write');
  clock.advance(50_000);
  assert.ok(service.authenticate({ session: s.token }));
  assert.ok(service.authenticate({ session: s.token }));
  assert.equal(repo.touches, before + 1);
  clock.advance(10 * 60_000 - 1);
  assert.ok(service.authenticate({ session: s.token }), 'the written last use keeps it alive');
  clock.advance(10 * 60_000);
  assert.equal(service.authenticate({ session: s.token }), undefined);
  assert.ok(![...repo.sessions.values()].some((x) => x.tokenHash === sha256(s.token)), 'an ended session is removed when seen');
});

test('sessions: ended sessions are removed at the next login; logout ends one session', async () => {
  const { service, repo, clock } = await withAdmin();
  assert.equal(repo.sessions.size, 1); // setup's
  clock.advance(DEFAULT_SESSION_IDLE_MS);
  const a = await service.login('10.0.0.2', PASSWORD);
  const b = await service.login('10.0.0.3', PASSWORD);
  assert.equal(repo.sessions.size, 2);
  service.logout(a.token);
  service.logout(a.token);
  service.logout('unknown');
  assert.equal(service.authenticate({ session: a.token }), undefined);
  assert.ok(service.authenticate({ session: b.token }));
});

test('API tokens: shown once with the htk_ prefix, listed without the token, authenticate, track last use, revoke', async () => {
  const { service, clock, repo } = await withAdmin();
  const created = service.createApiToken('  Home Assistant ');
  assert.match(created.token, new RegExp(`^${API_TOKEN_PREFIX}[A-Za-z0-9_-]{43}$`));
  assert.equal(created.label, 'Home Assistant');
  assert.equal(created.created, clock.now());
  const other = service.createApiToken('backup script');
  assert.deepEqual(service.listApiTokens(), [
    { id: created.id, label: 'Home Assistant', created: created.created },
    { id: other.id, label: 'backup script', created: other.created },
  ]);

  clock.advance(5_000);
  assert.deepEqual(service.authenticate({ token: created.token }), { kind: 'token', id: created.id, label: 'Home Assistant' });
  assert.equal(service.listApiTokens()[0]!.lastUsed, clock.now());
  const touches = repo.touches;
  clock.advance(1_000);
  service.authenticate({ token: created.token });
  assert.equal(repo.touches, touches, 'last use is throttled for tokens too');

  assert.equal(service.authenticate({ token: created.token.slice(API_TOKEN_PREFIX.length) }), undefined);
  assert.equal(service.authenticate({ token: `${created.token}x` }), undefined);
  // A wrong token is not rescued by a valid cookie.
  const s = await service.login('10.0.0.2', PASSWORD);
  assert.equal(service.authenticate({ token: 'htk_wrong', session: s.token }), undefined);

  assert.equal(service.revokeApiToken(created.id), true);
  assert.equal(service.revokeApiToken(created.id), false);
  assert.equal(service.authenticate({ token: created.token }), undefined);
  assert.ok(service.authenticate({ token: other.token }));
  for (const bad of ['', '   ', 'x'.repeat(101), 'line\nbreak']) {
    assert.throws(() => service.createApiToken(bad), refusedWith('label-invalid'));
  }
});

test('changePassword: needs the current password and a good new one, ends every other session, keeps tokens', async () => {
  const { service } = await withAdmin();
  const mine = await service.login('10.0.0.2', PASSWORD);
  const other = await service.login('10.0.0.3', PASSWORD);
  const token = service.createApiToken('automation');
  const next = 'a much better passphrase';
  await assert.rejects(service.changePassword('wrong current', next, mine.token), refusedWith('wrong-password'));
  await assert.rejects(service.changePassword(PASSWORD, 'short', mine.token), refusedWith('weak-password'));
  assert.ok(service.authenticate({ session: other.token }), 'refused changes end nothing');

  await service.changePassword(PASSWORD, next, mine.token);
  assert.ok(service.authenticate({ session: mine.token }), 'the asking session stays');
  assert.equal(service.authenticate({ session: other.token }), undefined);
  assert.ok(service.authenticate({ token: token.token }));
  await assert.rejects(service.login('10.0.0.2', PASSWORD), refusedWith('wrong-password'));
  await service.login('10.0.0.2', next);

  await service.changePassword(next, PASSWORD); // asked through a token: every session ends
  assert.equal(service.authenticate({ session: mine.token }), undefined);
});

test('changePassword: wrong current passwords are rate-limited too', async () => {
  const { service } = await withAdmin({ loginLimit: { failures: 2, windowMs: 60_000, lockMs: 60_000 } });
  await assert.rejects(service.changePassword('guess 1', 'new password 1'), refusedWith('wrong-password'));
  await assert.rejects(service.changePassword('guess 2', 'new password 1'), refusedWith('wrong-password'));
  await assert.rejects(service.changePassword(PASSWORD, 'new password 1'), refusedWith('rate-limited'));
});

test('storage: only hashes are kept — scrypt with its parameters for the password, SHA-256 for tokens', async () => {
  const { service, repo } = fixture();
  const setup = service.issueSetupToken()!;
  assert.equal(repo.setupToken, sha256(setup));
  const first = await service.completeSetup(setup, PASSWORD);
  const s = await service.login('10.0.0.2', PASSWORD);
  const t = service.createApiToken('ci');
  assert.match(repo.password!, /^\$scrypt\$ln=10,r=8,p=1\$[A-Za-z0-9+/]{22}\$[A-Za-z0-9+/]{43}$/);
  assert.deepEqual(
    [...repo.sessions.values()].map((x) => x.tokenHash).sort(),
    [sha256(first.token), sha256(s.token)].sort(),
  );
  assert.equal([...repo.tokens.values()][0]!.tokenHash, sha256(t.token));
  const stored = JSON.stringify({ p: repo.password, s: [...repo.sessions.values()], t: [...repo.tokens.values()] });
  for (const secret of [PASSWORD, setup, first.token, s.token, t.token]) assert.ok(!stored.includes(secret));
});

test('storage: the default scrypt cost is N=2^15, r=8, p=1, and an older hash is upgraded at the next good login', async () => {
  const strong = await hashPassword(PASSWORD);
  assert.match(strong, /^\$scrypt\$ln=15,r=8,p=1\$/);
  assert.equal(await verifyPassword(PASSWORD, strong), true);
  assert.equal(await verifyPassword('not it at all', strong), false);
  assert.equal(await verifyPassword(PASSWORD, 'garbage', FAST), false);

  const { repo, clock } = await withAdmin();
  const logger = createLogger({ level: 'silent' });
  const raised = new AccountService({ repository: repo, clock, logger, scrypt: { log2N: 11, r: 8, p: 1 } });
  await raised.login('10.0.0.2', PASSWORD);
  assert.match(repo.password!, /^\$scrypt\$ln=11,r=8,p=1\$/);
  await raised.login('10.0.0.2', PASSWORD);
});

test('logs: say what happened (source, session and token ids) and never a password, token or hash', async () => {
  const f = fixture({ loginLimit: { failures: 2, windowMs: 60_000, lockMs: 60_000 } });
  const { service, repo, log } = f;
  const setup = service.issueSetupToken()!;
  await assert.rejects(service.completeSetup('forged-token', PASSWORD));
  const first = await service.completeSetup(setup, PASSWORD);
  await assert.rejects(service.login('10.0.0.7', 'wrong guess one'));
  await assert.rejects(service.login('10.0.0.7', 'wrong guess two'));
  await assert.rejects(service.login('10.0.0.7', PASSWORD));
  const s = await service.login('10.0.0.8', PASSWORD);
  const t = service.createApiToken('ci');
  service.authenticate({ token: t.token });
  service.authenticate({ session: s.token });
  await service.changePassword(PASSWORD, 'next password here', s.token);
  service.revokeApiToken(t.id);
  service.logout(s.token);
  f.clock.advance(DEFAULT_SESSION_IDLE_MS);
  service.authenticate({ session: first.token });

  const text = log.join('\n');
  assert.match(text, /login ok source=10\.0\.0\.8 session=/);
  assert.match(text, /login refused source=10\.0\.0\.7 reason="wrong password"/);
  assert.match(text, new RegExp(`API token created token=${t.id} label=ci`));
  assert.match(text, new RegExp(`API token revoked token=${t.id}`));
  const secrets = [PASSWORD, 'next password here', 'wrong guess', setup, 'forged-token', first.token, s.token, t.token];
  const hashes = [repo.password!, ...repo.password!.split('$').slice(3), ...[setup, first.token, s.token, t.token].map(sha256)];
  for (const x of [...secrets, ...hashes]) assert.ok(!text.includes(x), `the log holds ${x}`);
});
