/**
 * The provisioning service (issue 15 "Provisioning server"): devices seen are pending with what they said, an
 * administrator enrolls them, auto-enrollment takes the lowest free extension, the device secret is stable and
 * revocable, and the passwords provisioned phones need are kept sealed (readable with the key file only).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { silentLogger, systemClock } from '../../src/base/index.js';
import { openPhones, openProvisioning } from '../../src/app/index.js';
import { validateConfig } from '../../src/app/index.js';
import { Keyring, parseMac, ProvisioningError } from '../../src/provisioning/index.js';

function home(autoEnroll: false | { first: number; last: number } = false) {
  const dataDir = mkdtempSync(join(tmpdir(), 'hometel-prov-'));
  const config = validateConfig({ dataDir, phones: { registrar: { port: 5090 } }, provisioning: { autoEnroll } });
  const opened = openProvisioning(config, systemClock, silentLogger);
  return { dataDir, config, ...opened, done: () => { opened.close(); rmSync(dataDir, { recursive: true, force: true }); } };
}

test('MAC addresses in every form are one device', () => {
  for (const form of ['00:15:65:A1:B2:C3', '00-15-65-a1-b2-c3', '0015.65a1.b2c3', '001565A1B2C3']) assert.equal(parseMac(form), '001565a1b2c3');
  for (const bad of ['00:15:65:a1:b2', '00:15-65:a1:b2:c3', 'zz1565a1b2c3', '']) assert.equal(parseMac(bad), undefined);
});

test('a new device is pending with what it said; enrolling it to an extension gives that extension a kept password', (t) => {
  const h = home();
  t.after(h.done);
  const p = h.provisioning;
  const seen = p.sighted({ mac: '001565a1b2c3', vendor: 'yealink', model: 'T46S' }, { via: 'plug-and-play', address: '10.0.0.20' });
  assert.equal(seen.state, 'pending');
  assert.equal(seen.firstSeenFrom, 'plug-and-play 10.0.0.20');
  assert.equal(p.deviceSecret(seen.mac), undefined, 'no secret while pending');
  assert.throws(() => p.enroll('00:15:65:a1:b2:c3', ['21']), (e: unknown) => e instanceof ProvisioningError && e.kind === 'not-found');
  const phones = openPhones(h.config, systemClock, silentLogger);
  t.after(() => phones.close());
  phones.phones.add({ number: '21', password: 'kitchen-secret-1' });
  const enrolled = p.enroll('00:15:65:A1:B2:C3', ['21']);
  assert.equal(enrolled.state, 'enrolled');
  assert.deepEqual(enrolled.extensions, ['21']);
  assert.equal(p.passwordOf('21'), 'kitchen-secret-1', 'the password set while provisioning is on is kept');
  phones.phones.passwd('21', 'kitchen-secret-2');
  assert.equal(p.passwordOf('21'), 'kitchen-secret-2');
  const secret = p.deviceSecret(enrolled.mac)!;
  assert.match(secret, /^[A-Za-z0-9_-]{32}$/);
  assert.ok(p.isDeviceSecret(enrolled.mac, secret));
  p.rotateSecret(enrolled.mac);
  assert.ok(!p.isDeviceSecret(enrolled.mac, secret), 'a rotated secret stops working');
  assert.equal(statSync(join(h.dataDir, 'provisioning.key')).mode & 0o777, 0o600);
});

test('an extension whose password hometel does not hold gets a new one when a device is enrolled to it', (t) => {
  const h = home();
  t.after(h.done);
  // Made while provisioning was off: only the HA1 values are stored.
  const plain = openPhones({ ...h.config, provisioning: false }, systemClock, silentLogger);
  plain.phones.add({ number: '22', password: 'hall-secret-01' });
  plain.close();
  h.provisioning.add('001565000022', { extensions: ['22'] });
  const given = h.provisioning.passwordOf('22');
  assert.ok(given && given !== 'hall-secret-01' && given.length >= 20);
});

test('auto-enrollment creates the lowest free extension of its range, and leaves devices pending when the range is full', (t) => {
  const h = home({ first: 30, last: 31 });
  t.after(h.done);
  const a = h.provisioning.sighted({ mac: '000000000a01', vendor: 'snom', model: 'D735' }, { via: 'http', address: '10.0.0.21' });
  const b = h.provisioning.sighted({ mac: '000000000a02' }, { via: 'tftp', address: '10.0.0.22' });
  const c = h.provisioning.sighted({ mac: '000000000a03' }, { via: 'tftp', address: '10.0.0.23' });
  assert.deepEqual([a.extensions, b.extensions, c.extensions], [['30'], ['31'], []]);
  assert.equal(c.state, 'pending');
  assert.ok(h.provisioning.passwordOf('30'));
});

test('a resync is asked for in the store and cleared by the check-sync notification that follows it', (t) => {
  const h = home({ first: 30, last: 39 });
  t.after(h.done);
  const d = h.provisioning.sighted({ mac: '000000000b01' }, { via: 'http' });
  const asked = h.provisioning.resync(d.mac);
  assert.ok(asked.resyncRequestedAt !== undefined);
  h.provisioning.recordNotification(d.mac, { at: asked.resyncRequestedAt, kind: 'check-sync', target: 'udp:10.0.0.30:5060', answer: '200 OK' });
  const after = h.provisioning.device(d.mac)!;
  assert.equal(after.resyncRequestedAt, undefined);
  assert.equal(after.lastNotification?.answer, '200 OK');
});

test('a seal opens only with its own key and name', () => {
  const a = new Keyring(Buffer.alloc(32, 1));
  const b = new Keyring(Buffer.alloc(32, 2));
  const sealed = a.seal('extension-password:21', 'pw');
  assert.equal(a.open('extension-password:21', sealed), 'pw');
  assert.equal(a.open('extension-password:22', sealed), undefined);
  assert.equal(b.open('extension-password:21', sealed), undefined);
});
