/**
 * The web server's rules, through fastify's inject (no sockets): nobody uses the API without a session or token
 * (issue 11 "Security"), state-changing requests with the session cookie only from hometel's own pages (CSRF), a
 * foreign Origin refused everywhere, bad input answered with a clear JSON error, the OpenAPI document made from
 * the route schemas, the web application's files with their security headers.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { gunzipSync } from 'node:zlib';
import { AccountService } from '../../src/accounts/index.js';
import { createLogger, systemClock } from '../../src/base/index.js';
import { HomeConsole } from '../../src/console/index.js';
import { TelephonyControlPoint } from '../../src/telephony/control/index.js';
import { createWebServer, type WebServer } from '../../src/web/index.js';
import { MemoryAccountRepository } from '../support/memory-account-repository.js';
import { MemoryContactRepository } from '../support/memory-contact-repository.js';
import { ContactsService } from '../../src/contacts/index.js';

const origin = 'http://hub.test';
const host = 'hub.test';
const password = 'a long enough password';

interface Fixture {
  readonly web: WebServer;
  readonly accounts: AccountService;
  readonly logs: string[];
  /** A logged-in session's cookie header. */
  readonly cookie: string;
}

async function fixture(o: { contacts?: boolean } = {}): Promise<Fixture> {
  const logs: string[] = [];
  const logger = createLogger({ level: 'debug', write: (l) => logs.push(l) });
  const accounts = new AccountService({ repository: new MemoryAccountRepository(), clock: systemClock, logger, scrypt: { log2N: 10, r: 8, p: 1 } });
  // A control point that is never started: the console knows no line, which is all these tests need.
  const telcp = new TelephonyControlPoint({ logger, interfaces: [] });
  const home = new HomeConsole({ telcp, telCPName: 'web-test', clock: systemClock, logger });
  const contacts = o.contacts ? new ContactsService({ repository: new MemoryContactRepository(), plan: { country: 'DE', areaCode: '30' }, clock: systemClock, logger }) : undefined;
  const web = await createWebServer({
    accounts,
    console: home,
    ...(contacts ? { contacts, maxImportBytes: 64 * 1024 } : {}),
    browserClients: { add: () => Promise.reject(new Error('no browsers here')) },
    clock: systemClock,
    logger,
  });
  const token = accounts.issueSetupToken()!;
  const setup = await web.app.inject({ method: 'POST', url: '/api/setup', headers: { host, origin }, payload: { token, password } });
  assert.equal(setup.statusCode, 200, setup.body);
  const set = setup.cookies.find((c) => c.name === 'hometel_session')!;
  return { web, accounts, logs, cookie: `hometel_session=${set.value}` };
}

test('issue 11 Security: the API answers 401 without a session or token; the session probe, login and setup do not need one', async () => {
  const { web } = await fixture();
  try {
    for (const [method, url] of [['GET', '/api/home'], ['GET', '/api/calls'], ['GET', '/api/log'], ['GET', '/api/events'], ['GET', '/api/tokens'], ['GET', '/api/openapi.json'], ['POST', '/api/logout']] as const) {
      const r = await web.app.inject({ method, url, headers: { host } });
      assert.equal(r.statusCode, 401, `${method} ${url}`);
      assert.equal(r.json<{ error: string }>().error, 'auth.required');
    }
    const probe = await web.app.inject({ method: 'GET', url: '/api/session', headers: { host } });
    assert.deepEqual(probe.json(), { authenticated: false, setupNeeded: false });
    const bad = await web.app.inject({ method: 'POST', url: '/api/login', headers: { host, origin }, payload: { password: 'wrong password!' } });
    assert.equal(bad.statusCode, 401);
    assert.equal(bad.json<{ error: string }>().error, 'accounts.wrong-password');
  } finally {
    await web.close();
  }
});

test('issue 11 Security: the session is an HttpOnly, SameSite=Strict cookie that opens the API; logout ends it', async () => {
  const { web, cookie } = await fixture();
  try {
    const login = await web.app.inject({ method: 'POST', url: '/api/login', headers: { host, origin }, payload: { password } });
    assert.equal(login.statusCode, 200);
    const c = login.cookies.find((x) => x.name === 'hometel_session')!;
    assert.equal(c.httpOnly, true);
    assert.equal(c.sameSite, 'Strict');
    assert.equal(c.path, '/');
    const home = await web.app.inject({ method: 'GET', url: '/api/home', headers: { host, cookie } });
    assert.equal(home.statusCode, 200);
    assert.deepEqual(home.json(), { lines: [], clients: [] });
    assert.equal((await web.app.inject({ method: 'POST', url: '/api/logout', headers: { host, origin, cookie } })).statusCode, 200);
    assert.equal((await web.app.inject({ method: 'GET', url: '/api/home', headers: { host, cookie } })).statusCode, 401);
  } finally {
    await web.close();
  }
});

test('issue 11 Security: the setup link works once', async () => {
  const { web, accounts } = await fixture();
  try {
    assert.equal(accounts.issueSetupToken(), undefined);
    const again = await web.app.inject({ method: 'POST', url: '/api/setup', headers: { host, origin }, payload: { token: 'anything', password } });
    assert.ok([403, 409].includes(again.statusCode), String(again.statusCode));
  } finally {
    await web.close();
  }
});

test('issue 11 Security (CSRF): a state-changing request with the session needs hometel\'s own Origin; an API token needs none', async () => {
  const { web, cookie } = await fixture();
  try {
    const make = (headers: Record<string, string>) => web.app.inject({ method: 'POST', url: '/api/tokens', headers: { host, ...headers }, payload: { label: 'ci' } });
    const foreign = await make({ cookie, origin: 'http://evil.test' });
    assert.equal(foreign.statusCode, 403);
    assert.equal(foreign.json<{ error: string }>().error, 'auth.origin');
    assert.equal((await make({ cookie })).statusCode, 403, 'no Origin with a cookie');
    const made = await make({ cookie, origin });
    assert.equal(made.statusCode, 201);
    const { token, id } = made.json<{ token: string; id: string }>();
    assert.match(token, /^htk_/);
    // A token is not ambient (a browser never adds it by itself), so it needs no Origin.
    assert.equal((await make({ authorization: `Bearer ${token}` })).statusCode, 201);
    const list = await web.app.inject({ method: 'GET', url: '/api/tokens', headers: { host, authorization: `Bearer ${token}` } });
    assert.ok(!list.body.includes(token), 'the list never shows a secret');
    assert.equal((await web.app.inject({ method: 'DELETE', url: `/api/tokens/${id}`, headers: { host, cookie, origin } })).statusCode, 200);
    assert.equal((await web.app.inject({ method: 'GET', url: '/api/home', headers: { host, authorization: `Bearer ${token}` } })).statusCode, 401);
  } finally {
    await web.close();
  }
});

test('issue 11 Security: a foreign Origin is refused on the live-event stream (and every other route), even logged in', async () => {
  const { web, cookie } = await fixture();
  try {
    const r = await web.app.inject({ method: 'GET', url: '/api/events', headers: { host, cookie, origin: 'http://evil.test' } });
    assert.equal(r.statusCode, 403);
    assert.equal((await web.app.inject({ method: 'GET', url: '/api/home', headers: { host, cookie, origin: 'http://evil.test' } })).statusCode, 403);
  } finally {
    await web.close();
  }
});

test('issue 11: bad input gets a clear JSON error and the server goes on', async () => {
  const { web, cookie } = await fixture();
  const h = { host, origin, cookie };
  try {
    const badJson = await web.app.inject({ method: 'POST', url: '/api/calls', headers: { ...h, 'content-type': 'application/json' }, payload: '{"line":' });
    assert.equal(badJson.statusCode, 400);
    assert.equal(badJson.json<{ error: string }>().error, 'request.invalid');
    const missing = await web.app.inject({ method: 'POST', url: '/api/calls', headers: h, payload: { line: 'uuid:x' } });
    assert.equal(missing.statusCode, 400);
    assert.match(missing.json<{ message: string }>().message, /callee/);
    const extra = await web.app.inject({ method: 'POST', url: '/api/calls', headers: h, payload: { line: 'uuid:x', callee: '1', clients: [], admin: true } });
    assert.equal(extra.statusCode, 400);
    const proto = await web.app.inject({ method: 'POST', url: '/api/login', headers: { host, origin, 'content-type': 'application/json' }, payload: '{"password":"x","__proto__":{"admin":true}}' });
    assert.equal(proto.statusCode, 400);
    const huge = await web.app.inject({ method: 'POST', url: '/api/calls', headers: { ...h, 'content-type': 'application/json' }, payload: JSON.stringify({ line: 'x'.repeat(200_000) }) });
    assert.equal(huge.statusCode, 413);
    const form = await web.app.inject({ method: 'POST', url: '/api/calls', headers: { ...h, 'content-type': 'application/x-www-form-urlencoded' }, payload: 'line=x' });
    assert.equal(form.statusCode, 415);
    const unknownLine = await web.app.inject({ method: 'POST', url: '/api/calls', headers: h, payload: { line: 'uuid:nowhere', callee: '123', clients: [] } });
    assert.equal(unknownLine.statusCode, 404);
    assert.equal(unknownLine.json<{ error: string }>().error, 'console.not-found');
    const noRoute = await web.app.inject({ method: 'GET', url: '/api/nothing', headers: h });
    assert.equal(noRoute.statusCode, 404);
    assert.equal((await web.app.inject({ method: 'GET', url: '/api/home', headers: h })).statusCode, 200, 'still serving');
  } finally {
    await web.close();
  }
});

test('issue 11: the OpenAPI document is made from the route schemas and describes every API route', async () => {
  const { web, cookie } = await fixture();
  try {
    const r = await web.app.inject({ method: 'GET', url: '/api/openapi.json', headers: { host, cookie } });
    assert.equal(r.statusCode, 200);
    const doc = r.json<{ openapi: string; paths: Record<string, Record<string, { requestBody?: unknown; responses: Record<string, unknown> }>>; components: { securitySchemes: object } }>();
    assert.match(doc.openapi, /^3\./);
    for (const path of ['/api/session', '/api/login', '/api/setup', '/api/home', '/api/calls', '/api/calls/{line}/{callID}/answer', '/api/calls/{line}/{callID}/hangup', '/api/log', '/api/events', '/api/browser-clients', '/api/tokens']) {
      assert.ok(doc.paths[path], `${path} is described`);
    }
    assert.ok(doc.paths['/api/calls']!.post!.requestBody, 'the dial body is described');
    assert.ok(doc.paths['/api/calls']!.post!.responses['202']);
    assert.deepEqual(Object.keys(doc.components.securitySchemes).sort(), ['session', 'token']);
  } finally {
    await web.close();
  }
});

test('issue 11: the web application is served gzip-compressed with its security headers, its pages on every app path', async () => {
  const { web, cookie } = await fixture();
  try {
    const page = await web.app.inject({ method: 'GET', url: '/calls', headers: { host } });
    assert.equal(page.statusCode, 200);
    assert.match(page.headers['content-type'] as string, /text\/html/);
    assert.match(page.headers['content-security-policy'] as string, /default-src 'self'/);
    assert.match(page.body, /<div id="app">/);
    const js = await web.app.inject({ method: 'GET', url: '/app.js', headers: { host, 'accept-encoding': 'gzip' } });
    assert.equal(js.headers['content-encoding'], 'gzip');
    assert.ok(gunzipSync(js.rawPayload).length > js.rawPayload.length);
    const cached = await web.app.inject({ method: 'GET', url: '/app.js', headers: { host, 'if-none-match': js.headers.etag as string } });
    assert.equal(cached.statusCode, 304);
    // Only the three files exist: no request path reaches the file system.
    for (const url of ['/../package.json', '/%2e%2e/package.json', '/index.html/../../package.json']) {
      const r = await web.app.inject({ method: 'GET', url, headers: { host, cookie } });
      assert.equal(r.statusCode, 404, url);
      assert.ok(!r.body.includes('dependencies'));
    }
  } finally {
    await web.close();
  }
});

test('issue 11 Security: passwords and tokens never appear in the log', async () => {
  const { web, cookie, logs } = await fixture();
  try {
    const made = await web.app.inject({ method: 'POST', url: '/api/tokens', headers: { host, origin, cookie }, payload: { label: 'ci' } });
    const { token } = made.json<{ token: string }>();
    await web.app.inject({ method: 'POST', url: '/api/login', headers: { host, origin }, payload: { password: 'not the password' } });
    await web.app.inject({ method: 'GET', url: '/api/home', headers: { host, authorization: `Bearer ${token}` } });
    const all = logs.join('\n');
    assert.ok(all.length > 0);
    for (const secret of [password, 'not the password', token, cookie.split('=')[1]!]) assert.ok(!all.includes(secret), 'a secret was logged');
  } finally {
    await web.close();
  }
});

test('issue 11 Security: failed logins are rate-limited per source address (429 with Retry-After), the right password included', async () => {
  const { web } = await fixture();
  try {
    const login = (pw: string, remoteAddress = '192.0.2.7') => web.app.inject({ method: 'POST', url: '/api/login', remoteAddress, headers: { host, origin }, payload: { password: pw } });
    for (let i = 0; i < 5; i++) assert.equal((await login('wrong password ' + i)).statusCode, 401);
    const locked = await login(password);
    assert.equal(locked.statusCode, 429);
    assert.equal(locked.json<{ error: string }>().error, 'accounts.rate-limited');
    assert.ok(Number(locked.headers['retry-after']) > 0);
    assert.equal((await login(password, '192.0.2.8')).statusCode, 200, 'another address is not locked');
  } finally {
    await web.close();
  }
});

test('issue 12 over HTTP: contacts are added and searched, invalid ones refused, imported from a file body with its problems, exported; an oversized file is refused', async () => {
  const { web, cookie } = await fixture({ contacts: true });
  const h = { host, origin, cookie };
  try {
    const added = await web.app.inject({ method: 'POST', url: '/api/contacts', headers: h, payload: { name: 'Alice', addresses: [{ value: '030 1234567', label: 'home' }], vip: true } });
    assert.equal(added.statusCode, 201, added.body);
    const found = await web.app.inject({ method: 'GET', url: '/api/contacts?q=Alice', headers: h });
    assert.equal(found.json<{ total: number }>().total, 1);
    const bad = await web.app.inject({ method: 'POST', url: '/api/contacts', headers: h, payload: { name: '', addresses: [] } });
    assert.equal(bad.statusCode, 400);
    const vcard = 'BEGIN:VCARD\r\nVERSION:3.0\r\nFN:Bob\r\nTEL;TYPE=CELL:+49 171 2345678\r\nEND:VCARD\r\nBEGIN:VCARD\r\nVERSION:3.0\r\nEND:VCARD\r\n';
    const imported = await web.app.inject({ method: 'POST', url: '/api/contacts/import?format=vcard', headers: { ...h, 'content-type': 'text/vcard' }, payload: vcard });
    assert.equal(imported.statusCode, 200, imported.body);
    const report = imported.json<{ added: number; problems: Array<{ at: string }> }>();
    assert.equal(report.added, 1);
    assert.deepEqual(report.problems.map((p) => p.at), ['line 6'], 'the second card (no name, no number) is reported at its BEGIN');
    const tooBig = await web.app.inject({ method: 'POST', url: '/api/contacts/import?format=vcard', headers: { ...h, 'content-type': 'text/vcard' }, payload: 'x'.repeat(65 * 1024) });
    assert.equal(tooBig.statusCode, 413);
    assert.equal(tooBig.json<{ error: string }>().error, 'request.too-large');
    const exported = await web.app.inject({ method: 'GET', url: '/api/contacts/export.vcf', headers: h });
    assert.match(exported.headers['content-type'] as string, /text\/vcard/);
    assert.match(exported.body, /FN:Alice/);
    assert.match(exported.body, /FN:Bob/);
  } finally {
    await web.close();
  }
});

test('issue 12: a desk phone fetches its phonebook with an API token as the HTTP Basic password; without it, 401', async () => {
  const { web, cookie } = await fixture({ contacts: true });
  try {
    await web.app.inject({ method: 'POST', url: '/api/contacts', headers: { host, origin, cookie }, payload: { name: 'Alice & Co <GmbH>', addresses: [{ value: '030 1234567', label: 'work' }] } });
    const { token } = (await web.app.inject({ method: 'POST', url: '/api/tokens', headers: { host, origin, cookie }, payload: { label: 'phones' } })).json<{ token: string }>();
    const basic = Buffer.from(`phone:${token}`).toString('base64');
    const r = await web.app.inject({ method: 'GET', url: '/api/phonebook/snom', headers: { host, authorization: `Basic ${basic}` } });
    assert.equal(r.statusCode, 200);
    assert.match(r.body, /<SnomIPPhoneDirectory>/);
    assert.match(r.body, /Alice &amp; Co &lt;GmbH&gt;/);
    assert.equal((await web.app.inject({ method: 'GET', url: '/api/phonebook/snom', headers: { host, authorization: `Basic ${Buffer.from('phone:wrong').toString('base64')}` } })).statusCode, 401);
    assert.equal((await web.app.inject({ method: 'GET', url: '/api/phonebook/nokia', headers: { host, authorization: `Basic ${basic}` } })).statusCode, 400);
  } finally {
    await web.close();
  }
});
