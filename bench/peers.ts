/**
 * The two devices every benchmark compares: hometel's test light in a process of its own, and the
 * same BinaryLight:1/SwitchPower:1 served by GUPnP's C library (test/peers/gupnp/light-device.c).
 */
import { randomUUID } from 'node:crypto';
import { httpRequest } from '../src/upnp/http/client.js';
import { parseDeviceDescription, type DescribedService } from '../src/upnp/description/device-xml.js';
import { startGupnpLightDevice } from '../test/support/gupnp.js';
import { terminate } from '../test/support/children.js';
import { startLightProcess } from '../test/support/light-runner.js';

export interface BenchDevice {
  readonly name: string;
  readonly switchPower: DescribedService;
  stop(): Promise<void>;
}

async function switchPowerOf(location: string): Promise<DescribedService> {
  const res = await httpRequest({ method: 'GET', url: location });
  const parsed = parseDeviceDescription(res.body, location);
  if (!parsed.ok) throw new Error(`${location}: ${parsed.reason}`);
  const s = parsed.value.services.find((x) => x.serviceType === 'urn:schemas-upnp-org:service:SwitchPower:1');
  if (!s) throw new Error(`${location} has no SwitchPower`);
  return s;
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
