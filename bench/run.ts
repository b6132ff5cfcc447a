/**
 * Runs every benchmark of the UPnP layer, the Telephony Server and the web application, prints the figures and writes
 * docs/benchmarks.md. Each device gets a fresh process per benchmark, so one's state does not weigh
 * on the other's.
 */
import { readFileSync, writeFileSync } from 'node:fs';
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
import { mediaRelayBench, mediaSection } from './media-relay.js';
import { startGupnpLight, startHometelLight, type BenchDevice } from './peers.js';
import {
  describeHeld,
  describeRate,
  FAILURE_LIMIT,
  heldCalls,
  WARMUP_CALLS,
  heldHeader,
  rateHeader,
  sipLineRate,
  sippReference,
  type HeldFigures,
  type RateFigures,
  type SippRefFigures,
} from './sip-line.js';
import { describeRoundTrip, roundTrip, type RoundTripFigures } from './soap-roundtrip.js';
import { table } from './stats.js';
import { describeWeb, webAppBench } from './web-app.js';
import { webrtcBridgeTable } from './webrtc-bridge.js';
import { contactsBench, contactsSection } from './contacts.js';
import { screeningBench, screeningHeading, screeningSection } from './call-screening.js';
import { ringingBench, ringingHeading, ringingSection } from './incoming-ringing.js';
import { generateVcards } from '../test/support/vcard-generator.js';

const durationMs = Number(process.env.BENCH_DURATION_MS ?? 5000);
const rounds = Number(process.env.BENCH_ROUNDS ?? 20);
const starters: Array<() => Promise<BenchDevice>> = [startHometelLight, startGupnpLight];

// BENCH_ONLY=media: the media relay section alone, printed (docs/benchmarks.md is left as it is).
if (process.env.BENCH_ONLY === 'media') {
  console.log(`\n${mediaSection(await mediaRelayBench())}`);
  process.exit(0);
}

/** The web application and its WebRTC bridge, as the last section of docs/benchmarks.md. */
async function webSection(): Promise<string> {
  const web = await webAppBench();
  const bridge = await webrtcBridgeTable();
  return `${webHeading}

hometel only (no other hub has this to compare with here). \`hometel start\` runs in its own process (bench/web-app.ts),
Debian's Chromium (headless) drives the page (playwright-core), SIPp plays the caller.

${describeWeb(web)}

### WebRTC bridge (bench/webrtc-bridge.ts)

Round trip TS leg → hub → browser → hub → TS leg: the page sends what it receives straight back (its remote track on
its own sender); 40 ms 1 kHz bursts every 500 ms, timed on the sound (the browser decodes and re-encodes). It contains
the hub twice, Chromium's jitter buffer and its encoder; the added one-way latency is at most half of it. Hub CPU is
the hub process's CPU time over the window, % of one core.

${bridge}`;
}

const webHeading = '## Web application';
const contactsHeading = '## Address book';

/** The address book's section: lookups over 100,000 contacts, the vCard import of 10,000 generated ones. */
async function contactsBenchSection(): Promise<string> {
  const section = contactsSection(await contactsBench({ vcard: generateVcards({ count: 10_000 }).text }));
  if (!section.startsWith(contactsHeading)) throw new Error(`the contacts section starts with ${section.slice(0, 40)}`);
  return section;
}

/** Replaces the section under `heading` (up to the next "## ") in docs/benchmarks.md, or appends it. */
function replaceSection(heading: string, section: string): void {
  const old = readFileSync('docs/benchmarks.md', 'utf8');
  const at = old.indexOf(heading);
  const next = at >= 0 ? old.indexOf('\n## ', at + heading.length) : -1;
  const before = at >= 0 ? old.slice(0, at) : `${old.trimEnd()}\n\n`;
  const after = next >= 0 ? old.slice(next + 1) : '';
  writeFileSync('docs/benchmarks.md', `${before}${section}\n${after ? `\n${after}` : ''}`);
}

/** The call screening rules' section: decisions with 2,000 (a FRITZ!Box's limit) and 100,000 entries. */
const screeningBenchSection = (): string => screeningSection([screeningBench(2_000), screeningBench(100_000)]);

// BENCH_ONLY=screening: the call screening rules' section alone, replaced in docs/benchmarks.md.
if (process.env.BENCH_ONLY === 'screening') {
  const section = screeningBenchSection();
  console.log(`\n${section}`);
  replaceSection(screeningHeading, section);
  process.exit(0);
}

// BENCH_ONLY=ringing: incoming INVITE → Ringing at 1, 10, 100 TelCPs, with and without 100,000 rules, replaced in docs/benchmarks.md.
if (process.env.BENCH_ONLY === 'ringing') {
  const section = ringingSection(await ringingBench(), process.env.BENCH_RINGING_NOTE);
  console.log(`\n${section}`);
  replaceSection(ringingHeading, section);
  process.exit(0);
}

// BENCH_ONLY=web or contacts: that section alone, replaced in docs/benchmarks.md.
if (process.env.BENCH_ONLY === 'web' || process.env.BENCH_ONLY === 'contacts') {
  const [heading, section] = process.env.BENCH_ONLY === 'web' ? [webHeading, await webSection()] : [contactsHeading, await contactsBenchSection()];
  console.log(`\n${section}`);
  replaceSection(heading, section);
  console.log(`wrote the ${process.env.BENCH_ONLY} section of docs/benchmarks.md`);
  process.exit(0);
}

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

// The Telephony Server over its SIP line: call rate steps (each against SIPp alone at the same rate), then held calls.
const sipStepMs = Number(process.env.BENCH_SIP_STEP_MS ?? durationMs * 2);
const sipRates: Array<{ f: RateFigures; ref: SippRefFigures }> = [];
for (const rate of [5, 10, 20, 40, 80, 160, 320]) {
  const f = await sipLineRate(rate, sipStepMs);
  const ref = await sippReference(rate, sipStepMs);
  console.log(
    `sip ${rate}/s: ${f.attempted} calls, ${f.failed} failed, StartCall→Connected p50 ${f.p50.toFixed(2)} ms p99 ${f.p99.toFixed(2)} ms, ` +
      `peak ${f.peakInFlight} in flight, TS CPU ${f.tsCpu.toFixed(0)} %; SIPp alone: ${ref.failed} failed, INVITE→200 p50 ${ref.p50} ms p99 ${ref.p99} ms` +
      (f.failures ? `\n  failures: ${f.failures}` : ''),
  );
  sipRates.push({ f, ref });
  if (f.failed / f.attempted > FAILURE_LIMIT) break;
}
const sustained = sipRates.filter(({ f }) => f.failed / f.attempted <= FAILURE_LIMIT).at(-1)?.f;
const held: HeldFigures[] = [];
for (const k of durationMs < 5000 ? [250, 1000] : [1000, 4000, 16000]) {
  const f = await heldCalls(k);
  console.log(`sip held ${k}: ${f.connected} Connected, ${f.failed} failed, GetCallInfo ${f.listed}, opened in ${(f.openMs / 1000).toFixed(1)} s, TS RSS ${f.rssMiB.toFixed(0)} MiB`);
  held.push(f);
  if (f.failed / f.calls > FAILURE_LIMIT) break;
}
const maxHeld = held.filter((f) => f.failed / f.calls <= FAILURE_LIMIT).at(-1);

// The Telephony Server's RTP relay against rtpengine, and the mixing cost.
const media = await mediaRelayBench();

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

## Telephony Server over its SIP line

The Telephony Server runs in its own process over a real SIP line (test/support/ts-process.ts \`--sip\`: a SipLine in
direct mode on 127.0.0.1, UDP, a fresh TS and SQLite store per row). SIPp 3.6.1 plays the callee and answers at once
(test/peers/sipp/uas-answer.xml: 100, 180, 200 with SDP; it waits for our BYE). The load driver is one TelCP over real
UPnP in the bench process (raw SOAP with keep-alive, one GENA subscription, CallInfo events parsed): for each call
StartCall (TC-based PCMU offer), wait for the Connected CallInfo NOTIFY, StopCall, wait for Disconnected. Every row
starts with ${WARMUP_CALLS} warm-up calls that are not counted.

### Call rate (${sipStepMs / 1000} s per step, open loop)

Call i starts i/rate s into the step. StartCall→Connected is from sending StartCall to receiving the Connected NOTIFY:
SOAP, the INVITE transaction with SIPp, the ACK and GENA. A call fails when an action faults or Connected (then
Disconnected) is not evented within 10 s. The steps stop at the first rate with more than ${FAILURE_LIMIT * 100} % failed calls.
"Peak in flight" counts calls between StartCall and Disconnected at once; CPU is CPU time over wall time in % of one
core (2 cores in all). The SIPp columns are the reference for what this machine allows SIP itself: the same rate
and number of calls between two SIPp processes alone (test/peers/sipp/uac-call.xml with an immediate BYE →
uas-answer.xml), INVITE sent → 200 received as SIPp's -trace_rtt records it (whole milliseconds). It is mostly SIPp's
own scheduling between the INVITE and its 200 (100, 180, a 0 ms pause, 200), which the hometel column includes too.
"TelCP still subscribed" is the TS's answer to a renewal of the driver's subscription after the step (412 = the TS
dropped it: a subscriber with 256 undelivered event messages is dropped, docs/decisions.md).

${table(rateHeader, sipRates.map(({ f, ref }) => describeRate(f, ref)))}

Sustained: **${sustained ? `${sustained.rate} calls/s` : 'none of the steps'}** (the highest step with at most ${FAILURE_LIMIT * 100} % failed calls${sustained ? `, StartCall→Connected p50 ${sustained.p50.toFixed(1)} ms, p99 ${sustained.p99.toFixed(1)} ms` : ''}).

### Concurrent calls (held)

K calls are opened (16 StartCalls at a time) and all kept Connected at once; GetCallInfo (every Call) is asked with all
of them open, then every call is stopped (StopCall → BYE → Disconnected). K grows until more than ${FAILURE_LIMIT * 100} % fail
(or the last step). TS RSS is the TS process's resident memory with all K calls open.

${table(heldHeader, held.map(describeHeld))}

Largest step held: **${maxHeld ? `${maxHeld.calls} concurrent calls` : 'none'}**.

${mediaSection(media)}

${await webSection()}

${await contactsBenchSection()}

${screeningBenchSection()}

${ringingSection(await ringingBench())}
`;
writeFileSync('docs/benchmarks.md', md);
console.log('wrote docs/benchmarks.md');
