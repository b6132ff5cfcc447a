/**
 * The load driver the UPnP benchmarks share: a device's service from its description, raw HTTP requests to it
 * (SOAP actions, GENA requests), and `concurrency` keep-alive loops of one request for a fixed time, summed up as
 * throughput and latency percentiles. Raw node:http on purpose: the driver must cost the same against every
 * device it compares.
 */
import { Agent, request, type IncomingHttpHeaders } from 'node:http';
import { parseDeviceDescription, type DescribedService } from '../src/upnp/description/device-xml.js';
import { httpRequest } from '../src/upnp/http/client.js';
import { buildActionRequest, parseActionOutcome, type WireArgs } from '../src/upnp/soap/envelope.js';
import { percentile } from './stats.js';

/** The service of `serviceType` in the device description at `location` (the root device's or an embedded one's). */
export async function serviceAt(location: string, serviceType: string): Promise<DescribedService> {
  const res = await httpRequest({ method: 'GET', url: location });
  const parsed = parseDeviceDescription(res.body, location);
  if (!parsed.ok) throw new Error(`${location}: ${parsed.reason}`);
  const s = parsed.value.services.find((x) => x.serviceType === serviceType);
  if (!s) throw new Error(`${location} has no ${serviceType}`);
  return s;
}

export interface SoapReply {
  readonly status: number;
  readonly body: string;
}

/**
 * POSTs a SOAP action request (`body`, built by the caller) to a control URL, through `agent` (keep-alive) or a
 * connection of its own (`false`). Rejects on a connection error.
 */
export function postSoap(url: URL, soapAction: string, body: string, agent: Agent | false, timeoutMs?: number): Promise<SoapReply> {
  return new Promise((resolve, reject) => {
    const r = request(
      {
        method: 'POST',
        host: url.hostname,
        port: url.port,
        path: url.pathname,
        agent,
        headers: {
          'CONTENT-TYPE': 'text/xml; charset="utf-8"',
          SOAPACTION: `"${soapAction}"`,
          'CONTENT-LENGTH': Buffer.byteLength(body),
        },
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString('utf8') }));
      },
    );
    if (timeoutMs !== undefined) r.setTimeout(timeoutMs, () => r.destroy(new Error(`${soapAction.split('#').pop()}: no response within ${timeoutMs} ms`)));
    r.on('error', reject);
    r.end(body);
  });
}

/** Invokes an action and returns its out-arguments; throws on a fault, on an answer that is not SOAP, after `timeoutMs`. */
export async function invokeAction(controlUrl: string, serviceType: string, action: string, args: WireArgs, agent: Agent | false, timeoutMs?: number): Promise<Map<string, string>> {
  const reply = await postSoap(new URL(controlUrl), `${serviceType}#${action}`, buildActionRequest({ serviceType, action, args }), agent, timeoutMs);
  const outcome = parseActionOutcome(reply.body);
  if (!outcome.ok) throw new Error(`${action}: HTTP ${reply.status}, ${outcome.reason} (${Buffer.byteLength(reply.body)} bytes)`);
  if (outcome.value.kind === 'fault') throw new Error(`${action}: UPnP error ${outcome.value.code} ${outcome.value.description}`);
  return new Map(outcome.value.args);
}

export interface BareReply {
  readonly status: number;
  readonly headers: IncomingHttpHeaders;
}

/** One request on a connection of its own (SUBSCRIBE, a state change); the response body is read and dropped. */
export function bareRequest(method: string, url: string, headers: Record<string, string>, body = '', localAddress?: string): Promise<BareReply> {
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

export interface LoadFigures {
  readonly concurrency: number;
  /** Requests that succeeded within the window. */
  readonly requests: number;
  readonly errors: number;
  readonly perSecond: number;
  readonly p50: number;
  readonly p99: number;
}

/**
 * Runs `concurrency` loops of `once` (one request through the keep-alive `agent`, true when it succeeded) for
 * `durationMs`, after `warmups` rounds of one request per loop that open the connections and let the JIT settle.
 */
export async function keepAliveLoad(o: { concurrency: number; durationMs: number; warmups: number }, once: (agent: Agent) => Promise<boolean>): Promise<LoadFigures> {
  const { concurrency } = o;
  const agent = new Agent({ keepAlive: true, maxSockets: concurrency });
  const latencies: number[] = [];
  let errors = 0;
  for (let w = 0; w < o.warmups; w++) await Promise.all(Array.from({ length: concurrency }, () => once(agent)));
  const start = performance.now();
  const end = start + o.durationMs;
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (performance.now() < end) {
        const t = performance.now();
        const ok = await once(agent);
        if (ok) latencies.push(performance.now() - t);
        else errors++;
      }
    }),
  );
  const elapsed = performance.now() - start;
  agent.destroy();
  latencies.sort((a, b) => a - b);
  return {
    concurrency,
    requests: latencies.length,
    errors,
    perSecond: (latencies.length / elapsed) * 1000,
    p50: percentile(latencies, 50),
    p99: percentile(latencies, 99),
  };
}
