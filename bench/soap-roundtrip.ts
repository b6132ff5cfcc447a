/**
 * SOAP action round trip: GetStatus (a trivial action) at concurrency 1, 16 and 64, against
 * hometel and against GUPnP's C library serving the same action, in the same run, with the same
 * keep-alive load driver. Each device runs in its own process; the driver runs here.
 */
import { Agent, request } from 'node:http';
import { buildActionRequest } from '../src/upnp/soap/envelope.js';
import type { BenchDevice } from './peers.js';
import { ms, percentile } from './stats.js';

export interface RoundTripFigures {
  readonly device: string;
  readonly concurrency: number;
  readonly requests: number;
  readonly errors: number;
  readonly perSecond: number;
  readonly p50: number;
  readonly p99: number;
}

const body = buildActionRequest({ serviceType: 'urn:schemas-upnp-org:service:SwitchPower:1', action: 'GetStatus', args: [] });

function once(url: URL, agent: Agent): Promise<boolean> {
  return new Promise((resolve) => {
    const r = request(
      {
        method: 'POST',
        host: url.hostname,
        port: url.port,
        path: url.pathname,
        agent,
        headers: {
          'CONTENT-TYPE': 'text/xml; charset="utf-8"',
          SOAPACTION: '"urn:schemas-upnp-org:service:SwitchPower:1#GetStatus"',
          'CONTENT-LENGTH': Buffer.byteLength(body),
        },
      },
      (res) => {
        let text = '';
        res.on('data', (c: Buffer) => (text += c.toString()));
        res.on('end', () => resolve(res.statusCode === 200 && text.includes('ResultStatus')));
      },
    );
    r.on('error', () => resolve(false));
    r.end(body);
  });
}

export async function roundTrip(device: BenchDevice, concurrency: number, durationMs: number): Promise<RoundTripFigures> {
  const url = new URL(device.switchPower.controlUrl);
  const agent = new Agent({ keepAlive: true, maxSockets: concurrency });
  const latencies: number[] = [];
  let errors = 0;
  // Warm-up: open the connections and let the JIT settle.
  await Promise.all(Array.from({ length: concurrency }, () => once(url, agent)));
  const start = performance.now();
  const end = start + durationMs;
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (performance.now() < end) {
        const t = performance.now();
        const ok = await once(url, agent);
        if (ok) latencies.push(performance.now() - t);
        else errors++;
      }
    }),
  );
  const elapsed = performance.now() - start;
  agent.destroy();
  latencies.sort((a, b) => a - b);
  return {
    device: device.name,
    concurrency,
    requests: latencies.length,
    errors,
    perSecond: (latencies.length / elapsed) * 1000,
    p50: percentile(latencies, 50),
    p99: percentile(latencies, 99),
  };
}

export function describeRoundTrip(f: RoundTripFigures): string[] {
  return [f.device, String(f.concurrency), String(f.requests), String(f.errors), f.perSecond.toFixed(0), ms(f.p50), ms(f.p99)];
}
