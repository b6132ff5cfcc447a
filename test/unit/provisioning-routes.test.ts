/**
 * The provisioned devices in the HTTP API (issue 15, "Provisioning server": the device registry and enrollment over
 * HTTP), through fastify's inject over a real ProvisioningService on a store in a temporary directory: a pending device
 * as it introduced itself, add (201), enroll by PATCH, resync (resyncRequestedAt), rotate the secret, the file
 * previews, the secret and the URLs on request only, remove (204); the service's refusals as 400 / 404 / 409 with its
 * message and nothing stored; no device answer and no log line carries a device secret or an extension password; the
 * routes are behind the session and in the OpenAPI document.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { AccountService } from '../../src/accounts/index.js';
import { openPhones, openProvisioning, validateConfig } from '../../src/app/index.js';
import { createLogger } from '../../src/base/index.js';
import { HomeConsole } from '../../src/console/index.js';
import type { DeviceFiles, ProvisioningService } from '../../src/provisioning/index.js';
import { TelephonyControlPoint } from '../../src/telephony/control/index.js';
import { createWebServer, type WebServer, type WebServerOptions } from '../../src/web/index.js';
import { FakeClock } from '../support/fake-clock.js';
import { MemoryAccountRepository } from '../support/memory-account-repository.js';

const origin = 'http://hub.test';
const host = 'hub.test';
const kitchenPassword = 'kitchen-secret-1';
const mac = '001565a1b2c3';

/** Previews as the files service gives them (its own tests check the masking); this one records what was asked. */
class RecordingFiles implements DeviceFiles {
  readonly asked: string[] = [];
  preview(m: string) {
    this.asked.push(m);
    return Promise.resolve([{ name: `${m}.cfg`, contentType: 'text/plain', body: 'account.1.password = ********\n' }]);
  }
  fingerprint() {
    return Promise.resolve(undefined);
  }
}

interface Fixture {
  web: WebServer;
  provisioning: ProvisioningService;
  clock: FakeClock;
  logged: string[];
  h: Record<string, string>;
}

async function fixture(t: { after: (f: () => unknown) => void }, extra: Partial<WebServerOptions> = {}): Promise<Fixture> {
  const logged: string[] = [];
  const logger = createLogger({ level: 'debug', write: (line) => void logged.push(line) });
  const clock = new FakeClock(Date.UTC(2026, 11, 7, 16));
  const dataDir = mkdtempSync(join(tmpdir(), 'hometel-prov-routes-'));
  const config = validateConfig({ dataDir, phones: { registrar: { port: 5090 } }, provisioning: {} });
  const phones = openPhones(config, clock, logger);
  phones.phones.add({ number: '21', password: kitchenPassword, displayName: 'Kitchen' });
  phones.phones.add({ number: '22', password: 'hall-secret-01' });
  const opened = openProvisioning(config, clock, logger);
  const provisioning = opened.provisioning;
  const accounts = new AccountService({ repository: new MemoryAccountRepository(), clock, logger, scrypt: { log2N: 10, r: 8, p: 1 } });
  const home = new HomeConsole({ telcp: new TelephonyControlPoint({ logger, interfaces: [] }), telCPName: 'web-test', clock, logger });
  const web = await createWebServer({ accounts, console: home, provisioning, browserClients: { add: () => Promise.reject(new Error('no browsers here')) }, clock, logger, ...extra });
  t.after(async () => {
    await web.close();
    opened.close();
    phones.close();
    rmSync(dataDir, { recursive: true, force: true });
  });
  const setup = await web.app.inject({ method: 'POST', url: '/api/setup', headers: { host, origin }, payload: { token: accounts.issueSetupToken()!, password: 'a long enough password' } });
  const session = setup.cookies.find((c) => c.name === 'hometel_session')!;
  return { web, provisioning, clock, logged, h: { host, origin, cookie: `hometel_session=${session.value}` } };
}

/** Neither the device's provisioning secret nor an extension password is in `text`. */
function assertNoSecret(f: Fixture, text: string, what: string): void {
  const secret = f.provisioning.deviceSecret(mac);
  if (secret !== undefined) assert.ok(!text.includes(secret), `${what}: no device secret`);
  assert.ok(!text.includes(kitchenPassword) && !text.includes('hall-secret-01'), `${what}: no extension password`);
  const given = f.provisioning.passwordOf('21');
  if (given !== undefined) assert.ok(!text.includes(given), `${what}: no kept password`);
}

test('issue 15 Provisioning server over HTTP: a pending device as it said, enrolled by PATCH, resync, rotate, previews, the secret on request, remove', async (t) => {
  const files = new RecordingFiles();
  const f = await fixture(t, { deviceFiles: files });
  const { web, h, provisioning } = f;
  // As plug and play records it (the notifier's part).
  provisioning.sighted({ mac, vendor: 'yealink', model: 'T46S', firmware: '66.86.0.15' }, { via: 'plug-and-play', address: '192.168.1.20' });
  const list = await web.app.inject({ method: 'GET', url: '/api/provisioning/devices', headers: h });
  assert.equal(list.statusCode, 200, list.body);
  const firstSeen = f.clock.now();
  const pending = { mac, vendor: 'yealink', model: 'T46S', firmware: '66.86.0.15', state: 'pending', extensions: [], secretGeneration: 1, firstSeen, firstSeenFrom: 'plug-and-play 192.168.1.20' };
  assert.deepEqual(list.json(), { devices: [pending] });

  const added = await web.app.inject({ method: 'POST', url: '/api/provisioning/devices', headers: h, payload: { mac: '00-04-13-AA-BB-01', vendor: 'snom', model: 'D735' } });
  assert.equal(added.statusCode, 201, added.body);
  assert.deepEqual(added.json(), { mac: '000413aabb01', vendor: 'snom', model: 'D735', state: 'pending', extensions: [], secretGeneration: 1, firstSeen, firstSeenFrom: 'admin' });

  const enrolled = await web.app.inject({ method: 'PATCH', url: '/api/provisioning/devices/00:15:65:A1:B2:C3', headers: h, payload: { extensions: ['21', '22'] } });
  assert.equal(enrolled.statusCode, 200, enrolled.body);
  assert.deepEqual(enrolled.json(), { ...pending, state: 'enrolled', extensions: ['21', '22'] });
  assert.equal(provisioning.device(mac)?.state, 'enrolled', 'in the store');
  const one = await web.app.inject({ method: 'GET', url: '/api/provisioning/devices/0015.65a1.b2c3', headers: h });
  assert.deepEqual(one.json(), enrolled.json(), 'any MAC form names it');
  const template = await web.app.inject({ method: 'PATCH', url: `/api/provisioning/devices/${mac}`, headers: h, payload: { template: 'generic' } });
  assert.equal(template.json<{ template: string }>().template, 'generic');

  f.clock.advance(5000);
  const resync = await web.app.inject({ method: 'POST', url: `/api/provisioning/devices/${mac}/resync`, headers: h });
  assert.equal(resync.statusCode, 200, resync.body);
  assert.equal(resync.json<{ resyncRequestedAt: number }>().resyncRequestedAt, f.clock.now());
  assert.equal(provisioning.device(mac)?.resyncRequestedAt, f.clock.now(), 'the request reached the service (the running notifier sends check-sync)');

  const previews = await web.app.inject({ method: 'GET', url: `/api/provisioning/devices/${mac}/files`, headers: h });
  assert.equal(previews.statusCode, 200, previews.body);
  assert.deepEqual(previews.json(), { files: [{ name: `${mac}.cfg`, contentType: 'text/plain', body: 'account.1.password = ********\n' }] });
  assert.deepEqual(files.asked, [mac]);

  const secret = await web.app.inject({ method: 'GET', url: `/api/provisioning/devices/${mac}/secret`, headers: h });
  assert.equal(secret.statusCode, 200, secret.body);
  const s = provisioning.deviceSecret(mac)!;
  assert.deepEqual(secret.json(), { mac, secret: s, http: `http://hub.test/provisioning/${s}/`, digest: { user: mac, password: s } });

  const rotated = await web.app.inject({ method: 'POST', url: `/api/provisioning/devices/${mac}/rotate-secret`, headers: h });
  assert.equal(rotated.statusCode, 200);
  assert.equal(rotated.json<{ secretGeneration: number }>().secretGeneration, 2);
  assert.ok(!provisioning.isDeviceSecret(mac, s), 'the old secret stops working');
  assert.ok(!rotated.body.includes(provisioning.deviceSecret(mac)!), 'the new secret is not in the answer');

  const removed = await web.app.inject({ method: 'DELETE', url: '/api/provisioning/devices/00:04:13:aa:bb:01', headers: h });
  assert.equal(removed.statusCode, 204);
  assert.equal(provisioning.device('000413aabb01'), undefined);

  for (const [what, r] of Object.entries({ list, added, enrolled, one, template, resync, previews, rotated, removed })) assertNoSecret(f, r.body, what);
  const log = f.logged.join('\n');
  assert.ok(!log.includes(s), 'the log has no device secret');
  assertNoSecret(f, log, 'the log');
  assert.match(log, /device secret shown.*mac=001565a1b2c3/, 'who looked at a secret is logged');
});

test('issue 15 Provisioning server over HTTP: the secret URLs are the configured ones (HTTP at the web port, TFTP)', async (t) => {
  const ports: number[] = [];
  const f = await fixture(t, { provisioningUrls: (port) => (ports.push(port), { http: 'http://192.168.1.2:8080/provisioning/', tftp: 'tftp://192.168.1.2:6969/' }) });
  f.provisioning.add(mac, { extensions: ['21'] });
  const r = await f.web.app.inject({ method: 'GET', url: `/api/provisioning/devices/${mac}/secret`, headers: f.h });
  const s = f.provisioning.deviceSecret(mac)!;
  assert.deepEqual(r.json(), { mac, secret: s, http: `http://192.168.1.2:8080/provisioning/${s}/`, tftp: `tftp://192.168.1.2:6969/${s}/`, digest: { user: mac, password: s } });
  assert.equal(ports.length, 1);
});

test('issue 15 Provisioning server over HTTP: bad MAC, body or vendor 400, no device or extension 404, pending 409 — with the message, nothing stored', async (t) => {
  const f = await fixture(t);
  const { web, h, provisioning } = f;
  provisioning.sighted({ mac, vendor: 'yealink' }, { via: 'http', address: '192.168.1.20' });
  const cases: Array<[string, string, object | string | undefined, number, string, RegExp]> = [
    ['GET', '/api/provisioning/devices/00:15:65', undefined, 400, 'provisioning.invalid', /not a MAC address: "00:15:65"/],
    ['PATCH', '/api/provisioning/devices/zz1565a1b2c3', { extensions: ['21'] }, 400, 'provisioning.invalid', /not a MAC address/],
    ['DELETE', '/api/provisioning/devices/kitchen', undefined, 400, 'provisioning.invalid', /not a MAC address: "kitchen"/],
    ['POST', '/api/provisioning/devices', { mac: '00:15:65:a1:b2' }, 400, 'provisioning.invalid', /not a MAC address/],
    ['POST', '/api/provisioning/devices', { mac: '001565000099', vendor: 'nokia' }, 400, 'provisioning.invalid', /unknown vendor "nokia": one of yealink, snom, grandstream, polycom, generic/],
    ['POST', '/api/provisioning/devices', { mac: '001565000099', extensions: ['99'] }, 404, 'provisioning.not-found', /no extension 99/],
    ['POST', '/api/provisioning/devices', { mac: '001565000099', colour: 'red' }, 400, 'request.invalid', /colour|additional/],
    ['POST', '/api/provisioning/devices', '{"mac": "0015', 400, 'request.invalid', /JSON/],
    ['POST', '/api/provisioning/devices', { extensions: ['21'] }, 400, 'request.invalid', /mac/],
    ['PATCH', `/api/provisioning/devices/${mac}`, {}, 400, 'request.invalid', /fewer than 1|properties/],
    ['PATCH', `/api/provisioning/devices/${mac}`, { extensions: '21' }, 400, 'request.invalid', /array/],
    ['PATCH', `/api/provisioning/devices/${mac}`, { template: 'cisco' }, 400, 'provisioning.invalid', /unknown vendor "cisco"/],
    ['PATCH', '/api/provisioning/devices/001565000099', { extensions: ['21'] }, 404, 'provisioning.not-found', /no device 001565000099/],
    ['GET', '/api/provisioning/devices/001565000099', undefined, 404, 'provisioning.not-found', /no device 001565000099/],
    ['DELETE', '/api/provisioning/devices/001565000099', undefined, 404, 'provisioning.not-found', /no device/],
    ['POST', `/api/provisioning/devices/${mac}/resync`, undefined, 409, 'provisioning.conflict', /is pending: enroll it first/],
    ['GET', `/api/provisioning/devices/${mac}/secret`, undefined, 409, 'provisioning.conflict', /is pending: enroll it first/],
    ['GET', `/api/provisioning/devices/${mac}/files`, undefined, 404, 'provisioning.no-previews', /renders no provisioning files/],
    ['POST', '/api/provisioning/devices/001565000099/rotate-secret', undefined, 404, 'provisioning.not-found', /no device/],
  ];
  for (const [method, url, payload, status, error, message] of cases) {
    const body = typeof payload === 'string' ? { payload, headers: { ...h, 'content-type': 'application/json' } } : payload !== undefined ? { payload, headers: h } : { headers: h };
    const r = await web.app.inject({ method: method as 'POST', url, ...body });
    assert.equal(r.statusCode, status, `${method} ${url} ${JSON.stringify(payload)}: ${r.body}`);
    const answer = r.json<{ error: string; message: string }>();
    assert.equal(answer.error, error, `${method} ${url} ${JSON.stringify(payload)}`);
    assert.match(answer.message, message, `${method} ${url}`);
  }
  assert.deepEqual(provisioning.devices().map((d) => [d.mac, d.state, d.extensions]), [[mac, 'pending', []]], 'nothing else stored, nothing changed');
  assert.match(f.logged.join('\n'), /request refused.*status=409.*provisioning\.conflict/, 'a refusal is logged');
});

test('issue 11 Security: the provisioning routes need a session, and the OpenAPI document has them', async (t) => {
  const { web, h } = await fixture(t);
  const routes = [
    ['GET', '/api/provisioning/devices'],
    ['POST', '/api/provisioning/devices'],
    ['GET', `/api/provisioning/devices/${mac}`],
    ['PATCH', `/api/provisioning/devices/${mac}`],
    ['DELETE', `/api/provisioning/devices/${mac}`],
    ['POST', `/api/provisioning/devices/${mac}/resync`],
    ['POST', `/api/provisioning/devices/${mac}/rotate-secret`],
    ['GET', `/api/provisioning/devices/${mac}/files`],
    ['GET', `/api/provisioning/devices/${mac}/secret`],
  ] as const;
  for (const [method, url] of routes) {
    const r = await web.app.inject({ method, url, headers: { host, origin }, ...(method === 'POST' || method === 'PATCH' ? { payload: {} } : {}) });
    assert.equal(r.statusCode, 401, `${method} ${url}`);
  }
  const doc = await web.app.inject({ method: 'GET', url: '/api/openapi.json', headers: h });
  const paths = doc.json<{ paths: Record<string, Record<string, { tags?: string[] }>> }>().paths;
  for (const p of ['/api/provisioning/devices', '/api/provisioning/devices/{mac}', '/api/provisioning/devices/{mac}/resync', '/api/provisioning/devices/{mac}/rotate-secret', '/api/provisioning/devices/{mac}/files', '/api/provisioning/devices/{mac}/secret']) {
    assert.ok(paths[p], p);
    for (const operation of Object.values(paths[p])) assert.deepEqual(operation.tags, ['provisioning'], p);
  }
});
