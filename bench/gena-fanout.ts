/**
 * GENA fan-out: the time from a state change (a SetTarget sent to the device) until each of N
 * subscribers has the NOTIFY, for N = 1, 10, 100, against hometel and GUPnP. Subscribers are
 * spread over several loopback addresses (25 each), as a home's devices would be, so hometel's
 * per-address subscription cap does not apply.
 */
import { createServer, request, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { buildActionRequest } from '../src/upnp/soap/envelope.js';
import type { BenchDevice } from './peers.js';
import { ms, percentile } from './stats.js';

export interface FanoutFigures {
  readonly device: string;
  readonly subscribers: number;
  readonly rounds: number;
  readonly p50: number;
  readonly p99: number;
  /** Median over rounds of the time until the last subscriber had the event. */
  readonly allP50: number;
}

function raw(method: string, url: string, headers: Record<string, string>, body = '', localAddress?: string): Promise<{ status: number; headers: Record<string, unknown> }> {
  return new Promise((resolve, reject) => {
    const u = new URL(url);
    const r = request({ method, host: u.hostname, port: u.port, path: u.pathname, headers: { ...headers, 'CONTENT-LENGTH': String(Buffer.byteLength(body)) }, agent: false, ...(localAddress ? { localAddress } : {}) }, (res) => {
      res.resume();
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers }));
    });
    r.on('error', reject);
    r.end(body);
  });
}

export async function fanout(device: BenchDevice, subscribers: number, rounds: number): Promise<FanoutFigures> {
  const arrivals = new Map<number, number[]>(); // SEQ -> arrival times
  const servers: Server[] = [];
  const callbacks: Array<{ url: string; address: string }> = [];
  for (let i = 0; i < subscribers; i++) {
    const address = `127.0.0.${10 + Math.floor(i / 25)}`;
    let server = servers[Math.floor(i / 25)];
    if (!server) {
      server = createServer((req, res) => {
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
      });
      await new Promise<void>((r) => server!.listen(0, address, r));
      servers.push(server);
    }
    callbacks.push({ url: `http://${address}:${(server.address() as AddressInfo).port}/s/${i}`, address });
  }
  const eventUrl = device.switchPower.eventSubUrl;
  for (const cb of callbacks) {
    const res = await raw('SUBSCRIBE', eventUrl, { CALLBACK: `<${cb.url}>`, NT: 'upnp:event', TIMEOUT: 'Second-600' }, '', cb.address);
    if (res.status !== 200) throw new Error(`${device.name}: SUBSCRIBE answered ${res.status}`);
  }
  await new Promise((r) => setTimeout(r, 500)); // initial events out of the way

  const latencies: number[] = [];
  const all: number[] = [];
  for (let round = 1; round <= rounds; round++) {
    const body = buildActionRequest({ serviceType: 'urn:schemas-upnp-org:service:SwitchPower:1', action: 'SetTarget', args: [['newTargetValue', round % 2 ? '1' : '0']] });
    const t0 = performance.now();
    await raw('POST', device.switchPower.controlUrl, { 'CONTENT-TYPE': 'text/xml; charset="utf-8"', SOAPACTION: '"urn:schemas-upnp-org:service:SwitchPower:1#SetTarget"' }, body);
    const deadline = t0 + 10_000;
    while ((arrivals.get(round)?.length ?? 0) < subscribers && performance.now() < deadline) await new Promise((r) => setTimeout(r, 1));
    const got = (arrivals.get(round) ?? []).map((t) => t - t0).sort((a, b) => a - b);
    if (got.length < subscribers) throw new Error(`${device.name}: round ${round}: ${got.length}/${subscribers} NOTIFYs within 10 s`);
    latencies.push(...got);
    all.push(got[got.length - 1]!);
  }
  for (const s of servers) {
    s.closeAllConnections();
    await new Promise<void>((r) => s.close(() => r()));
  }
  latencies.sort((a, b) => a - b);
  all.sort((a, b) => a - b);
  return { device: device.name, subscribers, rounds, p50: percentile(latencies, 50), p99: percentile(latencies, 99), allP50: percentile(all, 50) };
}

export function describeFanout(f: FanoutFigures): string[] {
  return [f.device, String(f.subscribers), String(f.rounds), ms(f.p50), ms(f.p99), ms(f.allP50)];
}
