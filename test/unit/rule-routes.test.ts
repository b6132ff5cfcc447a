/**
 * The screening rules and DND in the HTTP API (seed 004 2.2 3 vi), through fastify's inject: list, add, remove,
 * read and change DND; bad input answered 400 with the rule book's clear message and nothing stored; a change the
 * CLI made in the store shows at once; the routes are behind the session like the rest of the API.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { AccountService } from '../../src/accounts/index.js';
import { createLogger, systemClock } from '../../src/base/index.js';
import { HomeConsole } from '../../src/console/index.js';
import { TelephonyControlPoint } from '../../src/telephony/control/index.js';
import { createWebServer, type WebServer } from '../../src/web/index.js';
import { openRules } from '../../src/app/index.js';
import { Store } from '../../src/store/index.js';
import type { RuleBook } from '../../src/callhandling/index.js';
import { MemoryAccountRepository } from '../support/memory-account-repository.js';

const origin = 'http://hub.test';
const host = 'hub.test';
const password = 'a long enough password';
const plan = { numberPlan: { country: 'DE', areaCode: '30' } };

async function fixture(t: { after: (f: () => unknown) => void }): Promise<{ web: WebServer; rules: RuleBook; dir: string; h: Record<string, string> }> {
  const dir = mkdtempSync(join(tmpdir(), 'hometel-rule-routes-'));
  const store = Store.open(dir);
  const logger = createLogger({ level: 'error', write: () => undefined });
  const accounts = new AccountService({ repository: new MemoryAccountRepository(), clock: systemClock, logger, scrypt: { log2N: 10, r: 8, p: 1 } });
  const home = new HomeConsole({ telcp: new TelephonyControlPoint({ logger, interfaces: [] }), telCPName: 'web-test', clock: systemClock, logger });
  const rules = openRules(store, plan);
  const web = await createWebServer({ accounts, console: home, rules, browserClients: { add: () => Promise.reject(new Error('no browsers here')) }, clock: systemClock, logger });
  t.after(async () => {
    await web.close();
    store.close();
    rmSync(dir, { recursive: true, force: true });
  });
  const setup = await web.app.inject({ method: 'POST', url: '/api/setup', headers: { host, origin }, payload: { token: accounts.issueSetupToken()!, password } });
  const session = setup.cookies.find((c) => c.name === 'hometel_session')!;
  return { web, rules, dir, h: { host, origin, cookie: `hometel_session=${session.value}` } };
}

test('seed 004 2.2 3 vi over HTTP: add, list and remove rules; the rule decides', async (t) => {
  const { web, rules, h } = await fixture(t);
  const added = await web.app.inject({ method: 'POST', url: '/api/rules', headers: h, payload: { match: { kind: 'number', pattern: '+4930*' }, action: { kind: 'reject', status: 486 }, schedule: { days: [1, 2, 3, 4, 5], from: '18:00', to: '08:00' } } });
  assert.equal(added.statusCode, 201, added.body);
  const rule = added.json<{ id: string; match: object; action: object }>();
  assert.deepEqual(rule.action, { kind: 'reject', status: 486 });
  const group = await web.app.inject({ method: 'POST', url: '/api/rules', headers: h, payload: { match: { kind: 'group', group: 'Family' }, action: { kind: 'ring', targetNames: ['tv', 'laptop'] } } });
  assert.equal(group.statusCode, 201);

  const list = await web.app.inject({ method: 'GET', url: '/api/rules', headers: h });
  assert.deepEqual(list.json<{ rules: Array<{ id: string }> }>().rules.map((r) => r.id), [rule.id, group.json<{ id: string }>().id]);
  const page = await web.app.inject({ method: 'GET', url: '/api/rules?offset=1&limit=1', headers: h });
  assert.deepEqual(page.json<{ rules: Array<{ id: string }>; total: number }>(), { rules: [group.json()], total: 2 }, 'a page of a long list, and the total');
  const facts = { address: '+49301234567', anonymous: false, known: true, vip: false, blocked: false, groups: ['Family'] };
  assert.equal(rules.evaluate(facts, new Date(2026, 11, 7, 19).getTime())?.decidedBy, `rule:${rule.id}`);

  const removed = await web.app.inject({ method: 'DELETE', url: `/api/rules/${rule.id}`, headers: h });
  assert.deepEqual(removed.json(), { ok: true });
  const again = await web.app.inject({ method: 'DELETE', url: `/api/rules/${rule.id}`, headers: h });
  assert.equal(again.statusCode, 404);
  assert.deepEqual(again.json(), { error: 'callhandling.rule-not-found', message: `no rule ${rule.id}` });
});

test('issue 13 acceptance 12 over HTTP: a malformed pattern, a forward to garbage, an unknown action get 400 with the message; nothing stored', async (t) => {
  const { web, rules, h } = await fixture(t);
  const cases: Array<[object, RegExp]> = [
    [{ match: { kind: 'number', pattern: '+49 30 12x*' }, action: { kind: 'reject' } }, /number pattern "\+49 30 12x\*" is malformed/],
    [{ match: { kind: 'anonymous' }, action: { kind: 'forward', target: 'call my mum' } }, /cannot forward to "call my mum"/],
    [{ match: { kind: 'anonymous' }, action: { kind: 'explode' } }, /unknown action "explode"/],
    [{ match: { kind: 'group', group: '' }, action: { kind: 'voicemail' } }, /needs the name of a contact group/],
    [{ match: { kind: 'vip' }, action: { kind: 'voicemail' }, schedule: { days: [1], from: '8', to: '9' } }, /the start "8" is not a time/],
  ];
  for (const [payload, message] of cases) {
    const r = await web.app.inject({ method: 'POST', url: '/api/rules', headers: h, payload });
    assert.equal(r.statusCode, 400, JSON.stringify(payload));
    const body = r.json<{ error: string; message: string }>();
    assert.equal(body.error, 'callhandling.rule-invalid');
    assert.match(body.message, message);
  }
  const unknownField = await web.app.inject({ method: 'POST', url: '/api/rules', headers: h, payload: { match: { kind: 'vip' }, action: { kind: 'voicemail' }, colour: 'red' } });
  assert.equal(unknownField.statusCode, 400);
  assert.equal(unknownField.json<{ error: string }>().error, 'request.invalid');
  assert.equal(rules.list().length, 0);
  const dnd = await web.app.inject({ method: 'PUT', url: '/api/dnd', headers: h, payload: { on: true, action: { kind: 'forward', target: 'nobody' } } });
  assert.equal(dnd.statusCode, 400);
  assert.match(dnd.json<{ message: string }>().message, /DND: cannot forward to "nobody"/);
  assert.equal(rules.dnd().on, false, 'nothing changed');
});

test('seed 004 2.2 3 vi DND over HTTP: read, switch on with its action and schedules, VIPs; the CLI\'s change shows', async (t) => {
  const { web, h, dir } = await fixture(t);
  const first = await web.app.inject({ method: 'GET', url: '/api/dnd', headers: h });
  assert.deepEqual(first.json(), { on: false, action: { kind: 'voicemail' }, vipRings: true, schedules: [], active: false });
  const on = await web.app.inject({ method: 'PUT', url: '/api/dnd', headers: h, payload: { on: true, action: { kind: 'reject', status: 480 }, vipRings: false, schedules: [{ days: [0, 6], from: '00:00', to: '24:00' }] } });
  assert.equal(on.statusCode, 200, on.body);
  assert.deepEqual(on.json(), { on: true, action: { kind: 'reject', status: 480 }, vipRings: false, schedules: [{ days: [0, 6], from: '00:00', to: '24:00' }], active: true });

  // `hometel dnd off` from the shell: another connection to the store.
  const cliStore = Store.open(dir);
  openRules(cliStore, plan).setDnd({ on: false });
  openRules(cliStore, plan).add({ match: { kind: 'anonymous' }, action: { kind: 'voicemail' } });
  cliStore.close();
  const after = await web.app.inject({ method: 'GET', url: '/api/dnd', headers: h });
  assert.equal(after.json<{ on: boolean }>().on, false);
  const list = await web.app.inject({ method: 'GET', url: '/api/rules', headers: h });
  assert.equal(list.json<{ rules: unknown[] }>().rules.length, 1);
});

test('issue 11 Security: the rule routes need a session, and the OpenAPI document has them', async (t) => {
  const { web, h } = await fixture(t);
  for (const [method, url] of [['GET', '/api/rules'], ['POST', '/api/rules'], ['DELETE', '/api/rules/x'], ['GET', '/api/dnd'], ['PUT', '/api/dnd']] as const) {
    const r = await web.app.inject({ method, url, headers: { host, origin }, ...(method === 'POST' || method === 'PUT' ? { payload: {} } : {}) });
    assert.equal(r.statusCode, 401, `${method} ${url}`);
  }
  const doc = await web.app.inject({ method: 'GET', url: '/api/openapi.json', headers: h });
  const paths = Object.keys(doc.json<{ paths: Record<string, unknown> }>().paths);
  for (const p of ['/api/rules', '/api/rules/{id}', '/api/dnd']) assert.ok(paths.includes(p), p);
});
