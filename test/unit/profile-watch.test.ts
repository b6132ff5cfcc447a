/**
 * The profile watch (issue 15): when a device's configuration has changed — a fingerprint of its file that differs
 * from the last one seen — learned at the start without telling anyone, looked at again on the provisioning
 * service's and the phones' events and when the store's version moves (another process: the CLI), and an
 * administrator's resync told once. A fake fingerprint and a fake clock.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { silentLogger } from '../../src/base/logger.js';
import type { PhonesEvent } from '../../src/phones/index.js';
import type { Device, ProvisioningEvent } from '../../src/provisioning/index.js';
import { ProfileWatch } from '../../src/sip/pbx/index.js';
import { FakeClock } from '../support/fake-clock.js';

const enrolled = (mac: string, more: Partial<Device> = {}): Device => ({ mac, state: 'enrolled', extensions: ['21'], secretGeneration: 1, firstSeen: 0, firstSeenFrom: 'admin', ...more });

function setup(devices: Device[]) {
  const clock = new FakeClock();
  const prints = new Map<string, string | undefined>(devices.map((d) => [d.mac, 'a']));
  const state = { devices, version: 1 };
  const provisioningListeners = new Set<(e: ProvisioningEvent) => void>();
  const phonesListeners = new Set<(e: PhonesEvent) => void>();
  const changed: string[] = [];
  const resynced: string[] = [];
  const registered = { yes: true };
  let looks = 0;
  const watch = new ProfileWatch({
    devices: {
      devices: () => state.devices,
      onChange: (l) => (provisioningListeners.add(l), () => provisioningListeners.delete(l)),
      version: () => state.version,
    },
    phones: { onChange: (l) => (phonesListeners.add(l), () => phonesListeners.delete(l)) },
    fingerprint: (mac) => {
      looks++;
      return Promise.resolve(prints.get(mac));
    },
    changed: (d) => changed.push(d.mac),
    resync: (d) => (resynced.push(d.mac), registered.yes),
    clock,
    logger: silentLogger,
  });
  const emit = (e: ProvisioningEvent): void => provisioningListeners.forEach((l) => l(e));
  const phones = (e: PhonesEvent): void => phonesListeners.forEach((l) => l(e));
  return { clock, prints, state, watch, changed, resynced, registered, emit, phones, looks: () => looks, listeners: () => provisioningListeners.size + phonesListeners.size };
}

const flush = async (): Promise<void> => {
  for (let i = 0; i < 5; i++) await new Promise((r) => setImmediate(r));
};

test('the first look learns every fingerprint and tells nobody; a fingerprint that differs is told once, one that does not never', async () => {
  const s = setup([enrolled('001565000001'), enrolled('001565000002')]);
  await s.watch.start();
  assert.deepEqual(s.changed, []);
  await s.watch.look();
  assert.deepEqual(s.changed, [], 'the same file: nothing to tell');
  s.prints.set('001565000002', 'b');
  s.emit({ type: 'configuration-changed' });
  await flush();
  assert.deepEqual(s.changed, ['001565000002']);
  await s.watch.look();
  assert.deepEqual(s.changed, ['001565000002'], 'told once');
  s.watch.stop();
});

test('the phones\' extension events make it look; registrations do not (they change no file)', async () => {
  const s = setup([enrolled('001565000001')]);
  await s.watch.start();
  const before = s.looks();
  s.phones({ type: 'registrations', number: '21', count: 1 });
  await flush();
  assert.equal(s.looks(), before);
  s.prints.set('001565000001', 'new password');
  s.phones({ type: 'extension-changed', number: '21' });
  await flush();
  assert.deepEqual(s.changed, ['001565000001']);
  s.watch.stop();
});

test('another process\'s change: the store\'s version, polled every 2 s, makes it look', async () => {
  const s = setup([enrolled('001565000001')]);
  await s.watch.start();
  s.prints.set('001565000001', 'b');
  s.clock.advance(2000);
  await flush();
  assert.deepEqual(s.changed, [], 'the version did not move: no look');
  s.state.version = 2;
  s.clock.advance(1999);
  await flush();
  assert.deepEqual(s.changed, []);
  s.clock.advance(1);
  await flush();
  assert.deepEqual(s.changed, ['001565000001']);
  s.watch.stop();
  assert.equal(s.clock.pending, 0, 'stopping ends the poll');
  assert.equal(s.listeners(), 0, 'and the listeners');
});

test('a pending device has no file: nothing to tell; once enrolled (a file appears) it is told; a device added later with a file is told', async () => {
  const s = setup([{ ...enrolled('001565000001'), state: 'pending', extensions: [] }]);
  s.prints.set('001565000001', undefined);
  await s.watch.start();
  s.prints.set('001565000001', 'enrolled');
  await s.watch.look();
  assert.deepEqual(s.changed, ['001565000001']);
  s.state.devices = [...s.state.devices, enrolled('001565000009')];
  s.prints.set('001565000009', 'x');
  await s.watch.look();
  assert.deepEqual(s.changed, ['001565000001', '001565000009']);
  s.watch.stop();
});

test('an administrator\'s resync is told once (also one pending at the start); a change at the same time covers it', async () => {
  const s = setup([enrolled('001565000001', { resyncRequestedAt: 5 }), enrolled('001565000002')]);
  await s.watch.start();
  assert.deepEqual(s.resynced, ['001565000001'], 'a resync asked while hometel was down');
  await s.watch.look();
  assert.deepEqual(s.resynced, ['001565000001'], 'once');
  s.state.devices = [enrolled('001565000001', { resyncRequestedAt: 9 }), enrolled('001565000002', { resyncRequestedAt: 9 })];
  s.prints.set('001565000002', 'b');
  await s.watch.look();
  assert.deepEqual(s.resynced, ['001565000001', '001565000001']);
  assert.deepEqual(s.changed, ['001565000002'], 'the change told instead of the resync: the phone fetches once');
  s.watch.stop();
});

test('looks never overlap: changes heard during one are looked at once it ends; a fingerprint that fails is logged and skipped', async () => {
  const s = setup([enrolled('001565000001')]);
  await s.watch.start();
  const first = s.watch.look();
  s.prints.set('001565000001', 'b');
  const second = s.watch.look();
  const third = s.watch.look();
  await Promise.all([first, second, third]);
  assert.deepEqual(s.changed, ['001565000001']);
  s.watch.stop();
  const t = setup([enrolled('001565000001'), enrolled('001565000002')]);
  let fail = false;
  const watch = new ProfileWatch({
    devices: { devices: () => t.state.devices, onChange: () => () => undefined, version: () => 1 },
    phones: { onChange: () => () => undefined },
    fingerprint: (mac) => (fail && mac === '001565000001' ? Promise.reject(new Error('template broken')) : Promise.resolve(fail ? 'b' : 'a')),
    changed: (d) => t.changed.push(d.mac),
    resync: () => true,
    clock: t.clock,
    logger: silentLogger,
  });
  await watch.start();
  fail = true;
  await watch.look();
  assert.deepEqual(t.changed, ['001565000002'], 'the other device is still looked at');
  watch.stop();
});

test('a resync with no phone registered stays to be told: the next registration makes the watch look and tell it', async () => {
  const s = setup([enrolled('001565000001', { resyncRequestedAt: 5 })]);
  s.registered.yes = false;
  await s.watch.start();
  assert.deepEqual(s.resynced, ['001565000001'], 'tried: nobody registered');
  s.registered.yes = true;
  s.phones({ type: 'registrations', number: '21', count: 1 });
  await flush();
  assert.deepEqual(s.resynced, ['001565000001', '001565000001'], 'told once a phone registered');
  const looks = s.looks();
  s.phones({ type: 'registrations', number: '21', count: 2 });
  await flush();
  assert.equal(s.looks(), looks, 'nothing left to tell: registrations do not make it look');
  s.watch.stop();
});
