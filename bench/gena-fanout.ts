/**
 * GENA fan-out: the time from a state change (a SetTarget sent to the device) until each of N
 * subscribers has the NOTIFY, for N = 1, 10, 100, against hometel and GUPnP. Subscribers are
 * spread over several loopback addresses (25 each), as a home's devices would be, so hometel's
 * per-address subscription cap does not apply.
 */
import { buildActionRequest } from '../src/upnp/soap/envelope.js';
import { subscribeMany } from './gena-subscribers.js';
import { bareRequest } from './load-driver.js';
import type { BenchDevice } from './peers.js';
import { deliveryFigures, ms } from './stats.js';

export interface FanoutFigures {
  readonly device: string;
  readonly subscribers: number;
  readonly rounds: number;
  readonly p50: number;
  readonly p99: number;
  /** Median over rounds of the time until the last subscriber had the event. */
  readonly allP50: number;
}

export async function fanout(device: BenchDevice, subscribers: number, rounds: number): Promise<FanoutFigures> {
  const arrivals = new Map<number, number[]>(); // SEQ -> arrival times
  const subscribed = await subscribeMany(device.switchPower.eventSubUrl, subscribers, (req, res) => {
    const seq = Number(req.headers.seq);
    req.resume();
    req.on('end', () => {
      if (seq >= 1) {
        const list = arrivals.get(seq) ?? [];
        list.push(performance.now());
        arrivals.set(seq, list);
      }
      res.end();
    });
  }).catch((e: Error) => {
    throw new Error(`${device.name}: ${e.message}`);
  });

  const latencies: number[] = [];
  const all: number[] = [];
  try {
    for (let round = 1; round <= rounds; round++) {
      const body = buildActionRequest({ serviceType: 'urn:schemas-upnp-org:service:SwitchPower:1', action: 'SetTarget', args: [['newTargetValue', round % 2 ? '1' : '0']] });
      const t0 = performance.now();
      await bareRequest('POST', device.switchPower.controlUrl, { 'CONTENT-TYPE': 'text/xml; charset="utf-8"', SOAPACTION: '"urn:schemas-upnp-org:service:SwitchPower:1#SetTarget"' }, body);
      const deadline = t0 + 10_000;
      while ((arrivals.get(round)?.length ?? 0) < subscribers && performance.now() < deadline) await new Promise((r) => setTimeout(r, 1));
      const got = (arrivals.get(round) ?? []).map((t) => t - t0).sort((a, b) => a - b);
      if (got.length < subscribers) throw new Error(`${device.name}: round ${round}: ${got.length}/${subscribers} NOTIFYs within 10 s`);
      latencies.push(...got);
      all.push(got[got.length - 1]!);
    }
  } finally {
    await subscribed.close();
  }
  return { device: device.name, subscribers, rounds, ...deliveryFigures(latencies, all) };
}

export function describeFanout(f: FanoutFigures): string[] {
  return [f.device, String(f.subscribers), String(f.rounds), ms(f.p50), ms(f.p99), ms(f.allP50)];
}
