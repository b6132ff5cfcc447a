/**
 * The incoming-call routes of the HTTP API (issue 13) over the call-handling service with a fake line, through
 * fastify's inject: forward / voicemail / ignore / accept / reject with the web's decider `web:<label>`, 404 for an
 * unknown CallID, 409 naming the winner, 400 for a bad target, the call records, and the activation.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { AccountService } from '../../src/accounts/index.js';
import { silentLogger, systemClock } from '../../src/base/index.js';
import { HomeConsole } from '../../src/console/index.js';
import { TelephonyControlPoint } from '../../src/telephony/control/index.js';
import { createWebServer } from '../../src/web/index.js';
import { MemoryAccountRepository } from '../support/memory-account-repository.js';
import { handlingSetup } from '../support/call-handling-fakes.js';

const origin = 'http://hub.test';
const host = 'hub.test';

async function fixture(t: Parameters<typeof handlingSetup>[0]) {
  const h = handlingSetup(t);
  const accounts = new AccountService({ repository: new MemoryAccountRepository(), clock: systemClock, logger: silentLogger, scrypt: { log2N: 10, r: 8, p: 1 } });
  const telcp = new TelephonyControlPoint({ logger: silentLogger, interfaces: [] });
  const home = new HomeConsole({ telcp, telCPName: 'web-test', clock: systemClock, logger: silentLogger });
  const web = await createWebServer({ accounts, console: home, callHandling: h.service, browserClients: { add: () => Promise.reject(new Error('none')) }, clock: systemClock, logger: silentLogger });
  t.after(() => web.close());
  const token = accounts.issueSetupToken()!;
  const setup = await web.app.inject({ method: 'POST', url: '/api/setup', headers: { host, origin }, payload: { token, password: 'a long enough password' } });
  const cookie = `hometel_session=${setup.cookies.find((c) => c.name === 'hometel_session')!.value}`;
  const post = (url: string, payload: object = {}) => web.app.inject({ method: 'POST', url, headers: { host, origin, cookie }, payload });
  const get = (url: string) => web.app.inject({ method: 'GET', url, headers: { host, cookie } });
  const put = (url: string, payload: object) => web.app.inject({ method: 'PUT', url, headers: { host, origin, cookie }, payload });
  return { ...h, post, get, put };
}

test('forward from the web: 204, decided by web:<label>; a second decision gets 409 naming the winner', async (t) => {
  const { line, post } = await fixture(t);
  line.ring('c1', '+4930222');
  const r = await post('/api/calls/c1/forward', { target: '+49 30 555', label: 'Laptop' });
  assert.equal(r.statusCode, 204, r.body);
  assert.deepEqual(line.decisions[0], { callID: 'c1', decision: { action: 'forward', target: '+49 30 555'}, by: 'web:Laptop' });
  const late = await post('/api/calls/c1/voicemail', { label: 'Phone' });
  assert.equal(late.statusCode, 409);
  assert.match(late.json<{ message: string }>().message, /already decided by web:Laptop \(forward\)/);
});

test('404 for an unknown CallID, 400 for a bad target (nothing decided)', async (t) => {
  const { line, post } = await fixture(t);
  line.ring('c1', '+4930222');
  assert.equal((await post('/api/calls/nope/voicemail')).statusCode, 404);
  const bad = await post('/api/calls/c1/forward', { target: 'not a number' });
  assert.equal(bad.statusCode, 400);
  assert.equal(bad.json<{ error: string }>().error, 'callhandling.target-invalid');
  assert.equal(line.decisions.length, 0);
});

test('ignore, accept (TS media), reject with a status', async (t) => {
  const { line, post, service } = await fixture(t);
  const seen: string[] = [];
  service.onEvent((e) => e.type === 'ignored' && seen.push(e.screen));
  line.ring('c1', '+4930222');
  line.ring('c2', '+4930222');
  assert.equal((await post('/api/calls/c1/ignore', { label: 'Tablet' })).statusCode, 204);
  assert.deepEqual(seen, ['web:Tablet']);
  assert.equal((await post('/api/calls/c1/accept')).statusCode, 204);
  assert.equal((await post('/api/calls/c2/reject', { status: 486 })).statusCode, 204);
  assert.deepEqual(
    line.decisions.map((d) => d.decision),
    [{ action: 'accept-native' }, { action: 'reject', status: 486 }],
  );
});

test('call records and the activation', async (t) => {
  const { line, get, put, post } = await fixture(t);
  line.ring('c1', '+4930222');
  await post('/api/calls/c1/voicemail', { label: 'Laptop' });
  line.finish('c1', 2000);
  const page = (await get('/api/call-records?q=4930222')).json<{ total: number; records: Array<{ method: string; decidedBy: string; result: string }> }>();
  assert.equal(page.total, 1);
  assert.deepEqual([page.records[0]!.method, page.records[0]!.decidedBy, page.records[0]!.result], ['voicemail', 'web:Laptop', 'success']);
  assert.equal((await get('/api/call-handling/activation')).json<{ activation: string }>().activation, 'auto');
  const off = await put('/api/call-handling/activation', { activation: 'off' });
  assert.equal(off.json<{ active: boolean }>().active, false);
  assert.equal((await put('/api/call-handling/activation', { activation: 'never' })).statusCode, 400);
});

test('forward all over HTTP: on with a number, a bad target refused (400) and nothing changed, off with null', async (t) => {
  const { get, put, line } = await fixture(t);
  assert.deepEqual((await get('/api/forward-all')).json(), { target: null });
  assert.deepEqual((await put('/api/forward-all', { target: '0171 2345678' })).json(), { target: '0171 2345678' });
  const bad = await put('/api/forward-all', { target: 'my neighbour' });
  assert.equal(bad.statusCode, 400);
  assert.equal(bad.json<{ error: string }>().error, 'callhandling.target-invalid');
  assert.deepEqual((await get('/api/forward-all')).json(), { target: '0171 2345678' });
  assert.deepEqual(line.ring('c1', '+4930222'), { notify: false }, 'a call is forwarded, nobody rings');
  assert.deepEqual((await put('/api/forward-all', { target: null })).json(), { target: null });
  assert.deepEqual(line.ring('c2', '+4930222'), { notify: true });
});
