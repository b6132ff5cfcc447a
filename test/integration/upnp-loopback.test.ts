/**
 * Acceptance 1 of the foundation issue: a hometel device and a hometel control point find each
 * other over real SSDP multicast on lo; the control point invokes actions and receives events,
 * also after the device says byebye and comes back, and after it is killed and restarted (with a
 * new BOOTID or the same one).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { once } from 'node:events';
import { ControlPoint, DeviceHost, findService, type EventSubscription, type UpnpValue } from '../../src/upnp/index.js';
import { lightDevice, switchPowerType } from '../support/switch-power.js';
import { lo, testLogger, waitFor } from '../support/net.js';

function recorder(sub: EventSubscription): Array<Map<string, UpnpValue>> {
  const events: Array<Map<string, UpnpValue>> = [];
  sub.on('event', (vars) => events.push(vars));
  return events;
}

async function startLightProcess(udn: string, port: number, bootId: number): Promise<{ child: ChildProcess; location: string }> {
  const child = spawn(process.execPath, ['--import', 'tsx', 'test/support/light-process.ts', udn, String(port), String(bootId)], {
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  let out = '';
  const location = await new Promise<string>((resolve, reject) => {
    child.stdout.on('data', (d: Buffer) => {
      out += d.toString();
      const m = /READY (\S+)/.exec(out);
      if (m) resolve(m[1]!);
    });
    child.once('exit', (code) => reject(new Error(`light process exited with ${code}`)));
  });
  return { child, location };
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
  const gone = once(cp, 'device-unavailable');
  await host.stop();
  assert.deepEqual(await gone, [udn, 'byebye']);
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
