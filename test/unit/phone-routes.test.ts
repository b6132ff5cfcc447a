/**
 * The phones' extensions in the HTTP API (issue 14, "Extensions"), through fastify's inject over a real
 * PhonesService on in-memory repositories: list with registered devices, add (201), remove (204), change the password
 * (204), the devices registered now; the service's refusals as 400 / 409 / 404 with its message and nothing changed;
 * no response or log line carries a password or an HA1 value; the routes are behind the session and in the OpenAPI
 * document.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { AccountService } from '../../src/accounts/index.js';
import { createLogger } from '../../src/base/index.js';
import { HomeConsole } from '../../src/console/index.js';
import { PhonesService, ha1, type Binding } from '../../src/phones/index.js';
import { TelephonyControlPoint } from '../../src/telephony/control/index.js';
import { createWebServer, type WebServer } from '../../src/web/index.js';
import { FakeClock } from '../support/fake-clock.js';
import { MemoryAccountRepository } from '../support/memory-account-repository.js';
import { MemoryBindingRepository, MemoryExtensionRepository } from '../support/memory-phone-repositories.js';

const origin = 'http://hub.test';
const host = 'hub.test';
const realm = 'hometel';
const secret = 'kitchen-secret-1';

interface Fixture {
  web: WebServer;
  extensions: MemoryExtensionRepository;
  bindings: MemoryBindingRepository;
  clock: FakeClock;
  logged: string[];
  h: Record<string, string>;
}

async function fixture(t: { after: (f: () => unknown) => void }): Promise<Fixture> {
  const logged: string[] = [];
  const logger = createLogger({ level: 'debug', write: (line) => void logged.push(line) });
  const clock = new FakeClock(Date.UTC(2026, 11, 7, 16));
  const bindings = new MemoryBindingRepository();
  const extensions = new MemoryExtensionRepository(bindings);
  const phones = new PhonesService({ extensions, bindings, realm, clock, logger });
  const accounts = new AccountService({ repository: new MemoryAccountRepository(), clock, logger, scrypt: { log2N: 10, r: 8, p: 1 } });
  const home = new HomeConsole({ telcp: new TelephonyControlPoint({ logger, interfaces: [] }), telCPName: 'web-test', clock, logger });
  const web = await createWebServer({ accounts, console: home, phones, browserClients: { add: () => Promise.reject(new Error('no browsers here')) }, clock, logger });
  t.after(() => web.close());
  const setup = await web.app.inject({ method: 'POST', url: '/api/setup', headers: { host, origin }, payload: { token: accounts.issueSetupToken()!, password: 'a long enough password' } });
  const session = setup.cookies.find((c) => c.name === 'hometel_session')!;
  return { web, extensions, bindings, clock, logged, h: { host, origin, cookie: `hometel_session=${session.value}` } };
}

const binding = (extension: string, contact: string, expiresAt: number): Binding => ({
  extension,
  contact,
  expiresAt,
  callId: `call-${contact}`,
  cseq: 1,
  source: { transport: 'udp', address: '192.168.1.20', port: 5062 },
  userAgent: 'baresip 3.10',
  registeredAt: expiresAt - 3600_000,
});

/** Neither the password nor an HA1 value of any extension is in `text`. */
function assertNoSecret(f: Fixture, text: string, what: string): void {
  assert.ok(!text.includes(secret) && !text.includes('new-kitchen-secret'), `${what}: no password`);
  for (const e of f.extensions.extensions.values()) assert.ok(!text.includes(e.ha1Md5) && !text.includes(e.ha1Sha256), `${what}: no HA1`);
  assert.doesNotMatch(text, /ha1|realm/i, `${what}: no credential fields`);
}

test('issue 14 Extensions over HTTP: add 201, list with registered devices, registrations, change the password 204, remove 204', async (t) => {
  const f = await fixture(t);
  const { web, h } = f;
  const added = await web.app.inject({ method: 'POST', url: '/api/phones', headers: h, payload: { number: '21', password: secret, displayName: 'Kitchen', user: 'anna' } });
  assert.equal(added.statusCode, 201, added.body);
  assert.deepEqual(added.json(), { number: '21', displayName: 'Kitchen', user: 'anna', registrations: 0 });
  assert.equal(f.extensions.get('21')?.ha1Md5, ha1('md5', '21', realm, secret), 'stored as its HA1 for the realm');
  const plain = await web.app.inject({ method: 'POST', url: '/api/phones', headers: h, payload: { number: '100', password: 'another-secret' } });
  assert.deepEqual(plain.json(), { number: '100', registrations: 0 });

  const now = f.clock.now();
  f.bindings.replace('21', [binding('21', 'sip:21@192.168.1.20:5062', now + 600_000), binding('21', 'sip:21@192.168.1.21:5060', now + 60_000), binding('21', 'sip:21@192.168.1.22:5060', now - 1)]);
  const list = await web.app.inject({ method: 'GET', url: '/api/phones', headers: h });
  assert.equal(list.statusCode, 200);
  assert.deepEqual(list.json(), { extensions: [{ number: '21', displayName: 'Kitchen', user: 'anna', registrations: 2 }, { number: '100', registrations: 0 }] }, 'an expired binding does not count');
  const devices = await web.app.inject({ method: 'GET', url: '/api/phones/registrations', headers: h });
  assert.deepEqual(devices.json(), {
    registrations: [
      { extension: '21', contact: 'sip:21@192.168.1.20:5062', expiresAt: now + 600_000, source: 'udp:192.168.1.20:5062', userAgent: 'baresip 3.10' },
      { extension: '21', contact: 'sip:21@192.168.1.21:5060', expiresAt: now + 60_000, source: 'udp:192.168.1.20:5062', userAgent: 'baresip 3.10' },
    ],
  });

  const changed = await web.app.inject({ method: 'PUT', url: '/api/phones/21/password', headers: h, payload: { password: 'new-kitchen-secret' } });
  assert.equal(changed.statusCode, 204, changed.body);
  assert.equal(changed.body, '');
  assert.equal(f.extensions.get('21')?.ha1Sha256, ha1('sha256', '21', realm, 'new-kitchen-secret'));

  const removed = await web.app.inject({ method: 'DELETE', url: '/api/phones/21', headers: h });
  assert.equal(removed.statusCode, 204);
  assert.equal(f.extensions.get('21'), undefined);
  assert.deepEqual(f.bindings.list('21'), [], 'its registrations went with it');
  const after = await web.app.inject({ method: 'GET', url: '/api/phones/registrations', headers: h });
  assert.deepEqual(after.json(), { registrations: [] });

  for (const [what, r] of Object.entries({ added, plain, list, devices, changed, removed })) assertNoSecret(f, r.body, what);
  assertNoSecret(f, f.logged.join('\n'), 'the log');
  assert.match(f.logged.join('\n'), /extension password changed.*number=21/, 'the change is logged, without the password');
});

test('issue 14 Extensions over HTTP: invalid input 400, a taken number 409, no such extension 404 — with the message, nothing changed', async (t) => {
  const f = await fixture(t);
  const { web, h } = f;
  const ok = await web.app.inject({ method: 'POST', url: '/api/phones', headers: h, payload: { number: '21', password: secret } });
  assert.equal(ok.statusCode, 201);
  const before = structuredClone(f.extensions.get('21'));
  const cases: Array<[string, string, object, number, string, RegExp]> = [
    ['POST', '/api/phones', { number: '021', password: secret }, 400, 'phones.invalid', /extension number "021": 2 to 6 digits, not starting with 0/],
    ['POST', '/api/phones', { number: '1234567', password: secret }, 400, 'phones.invalid', /2 to 6 digits/],
    ['POST', '/api/phones', { number: '22', password: 'short' }, 400, 'phones.invalid', /a password has 8 to 128 characters/],
    ['POST', '/api/phones', { number: '22', password: secret, displayName: 'Say "hi"' }, 400, 'phones.invalid', /a display name has 1 to 64 printable characters, no quotes/],
    ['POST', '/api/phones', { number: '22', password: secret, user: 'line\nbreak' }, 400, 'phones.invalid', /a user name has/],
    ['POST', '/api/phones', { number: '21', password: 'other-secret' }, 409, 'phones.exists', /extension 21 exists already/],
    ['POST', '/api/phones', { number: '22', password: secret, colour: 'red' }, 400, 'request.invalid', /colour|additional/],
    ['POST', '/api/phones', { number: 22, password: secret }, 400, 'request.invalid', /number/],
    ['POST', '/api/phones', { number: '22' }, 400, 'request.invalid', /password/],
    ['PUT', '/api/phones/21/password', { password: 'short' }, 400, 'phones.invalid', /a password has 8 to 128 characters/],
    ['PUT', '/api/phones/21/password', {}, 400, 'request.invalid', /password/],
    ['PUT', '/api/phones/23/password', { password: 'long enough' }, 404, 'phones.not-found', /no extension 23/],
    ['DELETE', '/api/phones/23', {}, 404, 'phones.not-found', /no extension 23/],
  ];
  for (const [method, url, payload, status, error, message] of cases) {
    const r = await web.app.inject({ method: method as 'POST', url, headers: h, ...(method === 'DELETE' ? {} : { payload }) });
    assert.equal(r.statusCode, status, `${method} ${url} ${JSON.stringify(payload)}: ${r.body}`);
    const body = r.json<{ error: string; message: string }>();
    assert.equal(body.error, error, JSON.stringify(payload));
    assert.match(body.message, message);
    assertNoSecret(f, r.body, `${method} ${url}`);
  }
  assert.deepEqual([...f.extensions.extensions.keys()], ['21'], 'only the good extension was stored');
  assert.deepEqual(f.extensions.get('21'), before, 'its credentials unchanged');
  assert.match(f.logged.join('\n'), /request refused.*status=409.*phones\.exists/, 'a refusal is logged');
  assertNoSecret(f, f.logged.join('\n'), 'the log');
});

test('issue 11 Security: the phone routes need a session, and the OpenAPI document has them', async (t) => {
  const { web, h } = await fixture(t);
  for (const [method, url] of [['GET', '/api/phones'], ['POST', '/api/phones'], ['DELETE', '/api/phones/21'], ['PUT', '/api/phones/21/password'], ['GET', '/api/phones/registrations']] as const) {
    const r = await web.app.inject({ method, url, headers: { host, origin }, ...(method === 'POST' || method === 'PUT' ? { payload: {} } : {}) });
    assert.equal(r.statusCode, 401, `${method} ${url}`);
  }
  const doc = await web.app.inject({ method: 'GET', url: '/api/openapi.json', headers: h });
  const paths = doc.json<{ paths: Record<string, Record<string, { tags?: string[] }>> }>().paths;
  for (const p of ['/api/phones', '/api/phones/{number}', '/api/phones/{number}/password', '/api/phones/registrations']) {
    assert.ok(paths[p], p);
    for (const operation of Object.values(paths[p])) assert.deepEqual(operation.tags, ['phones'], p);
  }
});

test('issue 14 Extensions over HTTP: without the phones service (no "phones" in the config) there are no phone routes', async (t) => {
  const logger = createLogger({ level: 'error', write: () => undefined });
  const clock = new FakeClock(0);
  const accounts = new AccountService({ repository: new MemoryAccountRepository(), clock, logger, scrypt: { log2N: 10, r: 8, p: 1 } });
  const home = new HomeConsole({ telcp: new TelephonyControlPoint({ logger, interfaces: [] }), telCPName: 'web-test', clock, logger });
  const web = await createWebServer({ accounts, console: home, browserClients: { add: () => Promise.reject(new Error('no browsers here')) }, clock, logger });
  t.after(() => web.close());
  const setup = await web.app.inject({ method: 'POST', url: '/api/setup', headers: { host, origin }, payload: { token: accounts.issueSetupToken()!, password: 'a long enough password' } });
  const cookie = `hometel_session=${setup.cookies.find((c) => c.name === 'hometel_session')!.value}`;
  const r = await web.app.inject({ method: 'GET', url: '/api/phones', headers: { host, origin, cookie } });
  assert.equal(r.statusCode, 404);
  assert.equal(r.json<{ error: string }>().error, 'request.not-found');
});
