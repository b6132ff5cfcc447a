/**
 * Acceptance 1 of the foundation issue: a hometel device and a hometel control point find each
 * other over real SSDP multicast on lo; the control point invokes actions and receives events,
 * also after the device says byebye and comes back, and after it is killed and restarted (with a
 * new BOOTID or the same one).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { once } from 'node:events';
import { ControlPoint, DeviceHost, findService, type EventSubscription, type UpnpValue } from '../../src/upnp/index.js';
import { lightDevice, switchPowerType } from '../support/switch-power.js';
import { lo, testLogger, waitFor, unavailable } from '../support/net.js';
import { startLightProcess } from '../support/light-runner.js';

function recorder(sub: EventSubscription): Array<Map<string, UpnpValue>> {
  const events: Array<Map<string, UpnpValue>> = [];
  sub.on('event', (vars) => events.push(vars));
  return events;
}

test('device and control point over SSDP on lo: discover, invoke, events, byebye and return', async (t) => {
  const udn = `uuid:${randomUUID()}`;
  let host = new DeviceHost({ root: lightDevice(udn), interfaces: [lo], bootId: 1, logger: testLogger('device') });
  await host.start();
  const port = Number(new URL(host.locations[0]!).port);
  const cp = new ControlPoint({ interfaces: [lo], logger: testLogger('cp'), mx: 1 });
  t.after(async () => {
    await cp.stop();
    await host.stop();
  });
  await cp.start();

  const device = await cp.waitForDevice((d) => d.udn === udn);
  assert.equal(device.info.friendlyName, 'hometel test light');
  const sp = findService(device, (s) => s.serviceType === switchPowerType)!;
  assert.deepEqual(await sp.invoke('GetStatus'), { ResultStatus: false });

  const sub = await cp.subscribe(sp);
  const events = recorder(sub);
  await waitFor(() => events.length === 1, 'initial event');
  assert.deepEqual([...events[0]!], [['Status', false]]);

  await sp.invoke('SetTarget', { newTargetValue: true });
  await waitFor(() => events.length === 2, 'Status event');
  assert.equal(events[1]!.get('Status'), true);
  assert.deepEqual(await sp.invoke('GetStatus'), { ResultStatus: true });

  // byebye: the control point drops the device and the subscription waits for it.
  const gone = unavailable(cp, udn);
  await host.stop();
  assert.equal(await gone, 'byebye');
  assert.equal(sub.state, 'lost');

  // The device comes back (same port, next BOOTID): the subscription resumes by itself.
  host = new DeviceHost({ root: lightDevice(udn), interfaces: [lo], httpPort: port, bootId: 2, logger: testLogger('device') });
  await host.start();
  await waitFor(() => sub.state === 'active' && events.length === 3, 'resubscription after byebye');
  assert.equal(events[2]!.get('Status'), false, 'a new device instance starts switched off');
  const again = findService(await cp.waitForDevice((d) => d.udn === udn && d.bootId === 2), (s) => s.serviceType === switchPowerType)!;
  await again.invoke('SetTarget', { newTargetValue: true });
  await waitFor(() => events.length === 4, 'event after return');
  assert.equal(events[3]!.get('Status'), true);
});

for (const sameBootId of [false, true]) {
  test(`device killed with SIGKILL and restarted (${sameBootId ? 'same' : 'new'} BOOTID): control point resumes`, async (t) => {
    const udn = `uuid:${randomUUID()}`;
    const port = 20_000 + Math.floor(Math.random() * 20_000);
    let proc = await startLightProcess(udn, port, 7);
    const cp = new ControlPoint({ interfaces: [lo], logger: testLogger('cp'), mx: 1 });
    t.after(async () => {
      await cp.stop();
      proc.child.kill('SIGKILL');
    });
    await cp.start();
    const device = await cp.waitForDevice((d) => d.udn === udn);
    const sub = await cp.subscribe(findService(device, (s) => s.serviceType === switchPowerType)!);
    const events = recorder(sub);
    await waitFor(() => events.length === 1, 'initial event');

    proc.child.kill('SIGKILL');
    await once(proc.child, 'exit');
    proc = await startLightProcess(udn, port, sameBootId ? 7 : 8);
    // The restarted device's start-up byebye and alive tell the control point to start over.
    await waitFor(() => sub.state === 'active' && events.length === 2, 'resubscription after restart');
    const back = await cp.waitForDevice((d) => d.udn === udn);
    await findService(back, (s) => s.serviceType === switchPowerType)!.invoke('SetTarget', { newTargetValue: true });
    await waitFor(() => events.length === 3, 'event from the restarted device');
    assert.equal(events[2]!.get('Status'), true);
  });
}

test('UDA 1.0 1.2.2: the registry keeps a device while it re-advertises and drops it when max-age lapses', async (t) => {
  const udn = `uuid:${randomUUID()}`;
  const proc = await startLightProcess(udn, 0, 1, 3);
  const cp = new ControlPoint({ interfaces: [lo], logger: testLogger('cp'), mx: 1 });
  t.after(async () => {
    await cp.stop();
    proc.child.kill('SIGKILL');
  });
  await cp.start();
  await cp.waitForDevice((d) => d.udn === udn);
  const reasons: string[] = [];
  cp.on('device-unavailable', (u, reason) => u === udn && reasons.push(reason));
  await new Promise((r) => setTimeout(r, 4_500));
  assert.deepEqual(reasons, [], 'alive repeats before max-age (3 s) runs out');
  proc.child.kill('SIGKILL');
  await waitFor(() => reasons.length > 0, 'expiry', 5_000);
  assert.deepEqual(reasons, ['expired']);
});

test('UDA 1.0 4.1: the control point renews before expiry, gets every event in order, and unsubscribes on close', async (t) => {
  const udn = `uuid:${randomUUID()}`;
  const host = new DeviceHost({ root: lightDevice(udn), interfaces: [lo], bootId: 1, logger: testLogger('device'), gena: { minTimeoutSec: 1 } });
  await host.start();
  const cp = new ControlPoint({ interfaces: [lo], logger: testLogger('cp'), mx: 1, subscriptionTimeoutSec: 2, searchTarget: udn });
  t.after(async () => {
    await cp.stop();
    await host.stop();
  });
  await cp.start();
  const sp = findService(await cp.waitForDevice((d) => d.udn === udn), (s) => s.serviceType === switchPowerType)!;
  const sub = await cp.subscribe(sp);
  const seqs: number[] = [];
  let missed = 0;
  sub.on('event', (_vars, seq) => seqs.push(seq));
  sub.on('missed', () => missed++);
  const serviceId = sp.serviceId;
  await new Promise((r) => setTimeout(r, 4_500));
  assert.equal(sub.state, 'active', 'renewed: still subscribed after twice the 2 s timeout');
  assert.equal(host.subscriberCount(udn, serviceId), 1);

  for (let i = 0; i < 50; i++) await sp.invoke('SetTarget', { newTargetValue: i % 2 === 0 });
  await waitFor(() => seqs.length === 51, '50 events after the initial one');
  assert.deepEqual(seqs, Array.from({ length: 51 }, (_, i) => i), 'SEQ 0, 1, 2, … in order');
  assert.equal(missed, 0);

  await sub.close();
  assert.equal(host.subscriberCount(udn, serviceId), 0, 'UNSUBSCRIBE reached the device');
});
