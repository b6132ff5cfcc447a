/**
 * Runs every benchmark of the UPnP layer and of the Telephony Server, prints the figures and writes
 * docs/benchmarks.md. Each device gets a fresh process per benchmark, so one's state does not weigh
 * on the other's.
 */
import { writeFileSync } from 'node:fs';
import { cpus, tmpdir } from 'node:os';
import {
  ACTIVE_CALLS,
  callInfoLatency,
  describeCallInfoEvents,
  describeCmAction,
  getCallInfoLoad,
  registerLoad,
  type CallInfoEventFigures,
  type CmActionFigures,
} from './call-management.js';
import { describeFanout, fanout, type FanoutFigures } from './gena-fanout.js';
import { startGupnpLight, startHometelLight, type BenchDevice } from './peers.js';
import { describeRoundTrip, roundTrip, type RoundTripFigures } from './soap-roundtrip.js';
import { table } from './stats.js';

const durationMs = Number(process.env.BENCH_DURATION_MS ?? 5000);
const rounds = Number(process.env.BENCH_ROUNDS ?? 20);
const starters: Array<() => Promise<BenchDevice>> = [startHometelLight, startGupnpLight];

async function withDevice<T>(start: () => Promise<BenchDevice>, fn: (d: BenchDevice) => Promise<T>): Promise<T> {
  const d = await start();
  try {
    return await fn(d);
  } finally {
    await d.stop();
  }
}

const soap: RoundTripFigures[] = [];
for (const concurrency of [1, 16, 64]) {
  for (const start of starters) {
    const f = await withDevice(start, (d) => roundTrip(d, concurrency, durationMs));
    console.log(`soap ${f.device} c=${concurrency}: ${f.perSecond.toFixed(0)}/s p50 ${f.p50.toFixed(2)} ms p99 ${f.p99.toFixed(2)} ms errors ${f.errors}`);
    soap.push(f);
  }
}

const gena: FanoutFigures[] = [];
for (const n of [1, 10, 100]) {
  for (const start of starters) {
    const f = await withDevice(start, (d) => fanout(d, n, rounds));
    console.log(`gena ${f.device} n=${n}: p50 ${f.p50.toFixed(2)} ms p99 ${f.p99.toFixed(2)} ms all-delivered p50 ${f.allP50.toFixed(2)} ms`);
    gena.push(f);
  }
}

const cmActions: CmActionFigures[] = [];
for (const run of [getCallInfoLoad, registerLoad]) {
  for (const concurrency of [1, 16]) {
    const f = await run(concurrency, durationMs);
    console.log(`cm ${f.action} c=${concurrency}: ${f.perSecond.toFixed(0)}/s p50 ${f.p50.toFixed(2)} ms p99 ${f.p99.toFixed(2)} ms errors ${f.errors}`);
    cmActions.push(f);
  }
}

const cmEvents: CallInfoEventFigures[] = [];
for (const n of [1, 10, 100]) {
  const f = await callInfoLatency(n, rounds);
  console.log(`cm CallInfo n=${n}: p50 ${f.p50.toFixed(2)} ms p99 ${f.p99.toFixed(2)} ms all-delivered p50 ${f.allP50.toFixed(2)} ms`);
  cmEvents.push(f);
}

const md = `# Benchmarks

Written by \`npm run bench\` (bench/run.ts) on ${new Date().toISOString().slice(0, 10)}, ${cpus().length} cores
(${cpus()[0]?.model ?? 'unknown CPU'}), Node ${process.versions.node}. Every figure of a table comes from the
same run. In the SOAP and GENA sections hometel and the GUPnP 1.6 C library (test/peers/gupnp/light-device.c, Debian's libgupnp-1.6) serve the
same BinaryLight:1/SwitchPower:1 device, each in its own process on 127.0.0.1, driven by the same Node load driver.

## SOAP action round trip (GetStatus, keep-alive, ${durationMs / 1000} s per cell)

${table(['device', 'concurrency', 'requests', 'errors', 'actions/s', 'p50 ms', 'p99 ms'], soap.map(describeRoundTrip))}

## GENA fan-out (SetTarget sent → NOTIFY received, ${rounds} events)

Latencies are per delivered NOTIFY; "all delivered" is the median over events of the time until the last
subscriber had it.

${table(['device', 'subscribers', 'events', 'p50 ms', 'p99 ms', 'all delivered p50 ms'], gena.map(describeFanout))}

## Telephony Server: CallManagement:1

hometel only (GUPnP has no Telephony Server to compare with). The Telephony Server runs in its own process
(test/support/ts-process.ts: createTelephonyServer over a scripted line, its SQLite store in a fresh directory
under ${tmpdir()}), a new one per row; the same Node driver sends raw SOAP and receives GENA on 127.0.0.x.

### Action throughput (keep-alive, ${durationMs / 1000} s per cell)

GetCallInfo asks for every Call (TargetCallID "") with ${ACTIVE_CALLS} Calls alive (a third Dialing, Calling and
Connected each; StartCall to sip: and tel: callees), as a TelCP without a TelCPName sees them. RegisterTelCPName
registers a new name each time: the registration is written to SQLite (WAL, synchronous=FULL) before the
response, and the registry keeps growing during the cell.

${table(['action', 'active Calls', 'concurrency', 'requests', 'errors', 'actions/s', 'p50 ms', 'p99 ms', 'response bytes'], cmActions.map(describeCmAction))}

### CallInfo event latency (StartCall sent → Dialing NOTIFY received, ${rounds} Calls)

N TelCPs subscribed to CallManagement (raw callback servers, 25 per address from 127.0.0.10). Each round's Call
is stopped, and its Disconnected event delivered to everyone, before the next round. Latencies are per delivered
NOTIFY and include the StartCall action itself; "all delivered" is the median over Calls of the time until the
last subscriber had it.

${table(['subscribers', 'Calls', 'p50 ms', 'p99 ms', 'all delivered p50 ms'], cmEvents.map(describeCallInfoEvents))}
`;
writeFileSync('docs/benchmarks.md', md);
console.log('wrote docs/benchmarks.md');
