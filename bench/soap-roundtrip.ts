/**
 * SOAP action round trip: GetStatus (a trivial action) at concurrency 1, 16 and 64, against
 * hometel and against GUPnP's C library serving the same action, in the same run, with the same
 * keep-alive load driver. Each device runs in its own process; the driver runs here.
 */
import type { Agent } from 'node:http';
import { buildActionRequest } from '../src/upnp/soap/envelope.js';
import { keepAliveLoad, postSoap, type LoadFigures } from './load-driver.js';
import type { BenchDevice } from './peers.js';
import { ms } from './stats.js';

export interface RoundTripFigures extends LoadFigures {
  readonly device: string;
}

const body = buildActionRequest({ serviceType: 'urn:schemas-upnp-org:service:SwitchPower:1', action: 'GetStatus', args: [] });
const soapAction = 'urn:schemas-upnp-org:service:SwitchPower:1#GetStatus';

export async function roundTrip(device: BenchDevice, concurrency: number, durationMs: number): Promise<RoundTripFigures> {
  const url = new URL(device.switchPower.controlUrl);
  const once = (agent: Agent): Promise<boolean> =>
    postSoap(url, soapAction, body, agent).then(
      (r) => r.status === 200 && r.body.includes('ResultStatus'),
      () => false,
    );
  // One warm-up round: open the connections and let the JIT settle.
  return { device: device.name, ...(await keepAliveLoad({ concurrency, durationMs, warmups: 1 }, once)) };
}

export function describeRoundTrip(f: RoundTripFigures): string[] {
  return [f.device, String(f.concurrency), String(f.requests), String(f.errors), f.perSecond.toFixed(0), ms(f.p50), ms(f.p99)];
}
