/**
 * The two devices every benchmark compares: hometel's test light in a process of its own, and the
 * same BinaryLight:1/SwitchPower:1 served by GUPnP's C library (test/peers/gupnp/light-device.c).
 */
import { randomUUID } from 'node:crypto';
import type { DescribedService } from '../src/upnp/description/device-xml.js';
import { startGupnpLightDevice } from '../test/support/gupnp.js';
import { terminate } from '../test/support/children.js';
import { startLightProcess } from '../test/support/light-runner.js';
import { serviceAt } from './load-driver.js';

export interface BenchDevice {
  readonly name: string;
  readonly switchPower: DescribedService;
  stop(): Promise<void>;
}

function switchPowerOf(location: string): Promise<DescribedService> {
  return serviceAt(location, 'urn:schemas-upnp-org:service:SwitchPower:1');
}

export async function startHometelLight(): Promise<BenchDevice> {
  const { child, location } = await startLightProcess(`uuid:${randomUUID()}`);
  return {
    name: 'hometel (Node.js)',
    switchPower: await switchPowerOf(location),
    stop: () => terminate(child, 5_000),
  };
}

export async function startGupnpLight(): Promise<BenchDevice> {
  const dev = await startGupnpLightDevice({ udn: `uuid:${randomUUID()}`, name: 'bench light' });
  return { name: 'GUPnP 1.6 (C)', switchPower: await switchPowerOf(dev.location), stop: () => dev.stop() };
}
