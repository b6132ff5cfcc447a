/**
 * Incoming call → every screen told (issue 13, benchmark 2; seed 004 2.2 2): the time from an INVITE leaving the
 * caller until the CallInfo event with callStatus Ringing reaches each of N subscribed TelCPs, for N = 1, 10, 100,
 * with 100,000 screening rules in the store ("rules on") and with none.
 *
 * - `hometel start` in its own process (test/support/hometel-process.ts), a fresh one per row, the two rows of an N
 *   (without rules, with them) side by side with their calls alternating, so both see the machine alike: one SIP line in
 *   direct mode on a free UDP port of 127.0.0.1, `web: false`, `callHandling.activation: 'on'` (the screens always
 *   ring: no nobody-home shortcut), info logging as a user runs it.
 * - Rules on: before the start, the store in the config's data directory holds 100,000 number rules (four in five an
 *   exact number, one in five a prefix, as bench/call-screening.ts generates them; written once through
 *   RuleBook.addMany into a template store, copied per row). None matches the bench caller, so every call is screened
 *   against all of them and still rings.
 * - N raw GENA subscribers of the line's CallManagement (bench/gena-subscribers.ts: callback servers, 25 per loopback
 *   address from 127.0.0.10).
 * - The caller is this process: a raw INVITE (PCMU offer) over UDP, timed from just before the datagram is sent.
 *   Once every subscriber has the Ringing event the caller CANCELs, ACKs the 487, and waits for every subscriber to
 *   have the Call's Disconnected event before the next call. WARMUP calls per row are not counted.
 *
 * `BENCH_ONLY=ringing npm run bench` (bench/run.ts) replaces its section in docs/benchmarks.md.
 */
import { randomUUID } from 'node:crypto';
import { createSocket, type Socket } from 'node:dgram';
import { cpSync, mkdtempSync, rmSync } from 'node:fs';
import { availableParallelism, cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { openRules } from '../src/app/index.js';
import type { RuleDraft } from '../src/callhandling/index.js';
import { Store } from '../src/store/index.js';
import { parseCallInfo } from '../src/telephony/contracts/call-management/cams-xml.js';
import { parseDeviceDescription, type DescribedDevice, type DescribedService } from '../src/upnp/description/device-xml.js';
import { parsePropertySet } from '../src/upnp/gena/propertyset.js';
import { httpRequest } from '../src/upnp/http/client.js';
import { startConfiguredHometel, type ConfiguredHometel } from '../test/support/hometel-process.js';
import { freeLoopbackPort } from '../test/support/sipp.js';
import { lineOnlyConfig } from '../test/support/web.js';
import { subscribeMany, type Subscribers } from './gena-subscribers.js';
import { ms, percentile, table } from './stats.js';

const callManagementType = 'urn:schemas-upnp-org:service:CallManagement:1';
const plan = { country: 'DE', areaCode: '30' };
export const RINGING_CALLS = Number(process.env.BENCH_RINGING_CALLS ?? 200);
const WARMUP = 5;
export const RINGING_RULES = 100_000;

export interface RingingFigures {
  readonly subscribers: number;
  readonly rules: number;
  readonly calls: number;
  /** INVITE sent → 180 Ringing received by the caller. */
  readonly sip180: { p50: number; p99: number };
  /** INVITE sent → the first subscriber has the Ringing event. */
  readonly first: { p50: number; p99: number };
  /** INVITE sent → the last subscriber has it. */
  readonly last: { p50: number; p99: number };
  /** From spawning `hometel start` (its store copied in) until it logged that it runs. */
  readonly startSeconds: number;
}

/** `n` number rules, none for a +4940 caller: exact `089 …` numbers and `+49301…*` prefixes. */
function numberRules(n: number): RuleDraft[] {
  const rules: RuleDraft[] = [];
  for (let i = 0; i < n; i++) {
    rules.push(
      i % 5 === 0
        ? { match: { kind: 'number', pattern: `+49301${String(i).slice(0, 1 + (i % 4))}*` }, action: { kind: 'reject', status: 486 } }
        : { match: { kind: 'number', pattern: `089 ${2_000_000 + i}` }, action: { kind: 'voicemail' } },
    );
  }
  return rules;
}

/** A data directory whose store holds `n` rules (to copy into each row's data directory). */
function rulesTemplate(n: number): string {
  const dir = mkdtempSync(join(tmpdir(), 'hometel-ringing-rules-'));
  const store = Store.open(dir);
  try {
    const book = openRules(store, { numberPlan: plan });
    book.addMany(numberRules(n));
    if (book.size !== n) throw new Error(`the template store holds ${book.size} of ${n} rules`);
  } finally {
    store.close();
  }
  return dir;
}

interface SipResponse {
  readonly status: number;
  readonly method: string;
  readonly callId: string;
  readonly to: string;
  readonly at: number;
}

function header(text: string, name: string): string {
  return new RegExp(`^${name}:[ \\t]*(.*)$`, 'im').exec(text)?.[1]?.trim() ?? '';
}

/** The bench's caller: raw SIP over UDP on 127.0.0.1, one call at a time. */
export class RawCaller {
  private readonly waiters: Array<{ test: (r: SipResponse) => boolean; resolve: (r: SipResponse) => void }> = [];
  private readonly seen: SipResponse[] = [];

  private constructor(
    private readonly sock: Socket,
    private readonly port: number,
    private readonly target: number,
  ) {
    sock.on('message', (buf) => {
      const at = performance.now();
      const text = buf.toString('utf8');
      const m = /^SIP\/2\.0 (\d{3})/.exec(text);
      if (!m) return; // requests to the caller (none expected) are ignored
      const r: SipResponse = { status: Number(m[1]), method: header(text, 'CSeq').split(/\s+/)[1] ?? '', callId: header(text, 'Call-ID'), to: header(text, 'To'), at };
      const w = this.waiters.findIndex((x) => x.test(r));
      if (w >= 0) this.waiters.splice(w, 1)[0]!.resolve(r);
      else this.seen.push(r);
    });
  }

  static async open(target: number): Promise<RawCaller> {
    const sock = createSocket('udp4');
    await new Promise<void>((r) => sock.bind(0, '127.0.0.1', r));
    return new RawCaller(sock, sock.address().port, target);
  }

  /** The first response (already received or to come) that passes `test`; rejects after `timeoutMs`. */
  response(test: (r: SipResponse) => boolean, what: string, timeoutMs = 10_000): Promise<SipResponse> {
    const i = this.seen.findIndex(test);
    if (i >= 0) return Promise.resolve(this.seen.splice(i, 1)[0]!);
    return new Promise((resolve, reject) => {
      const waiter = { test, resolve: (r: SipResponse) => (clearTimeout(timer), resolve(r)) };
      const timer = setTimeout(() => {
        this.waiters.splice(this.waiters.indexOf(waiter), 1);
        reject(new Error(`no ${what} within ${timeoutMs} ms`));
      }, timeoutMs);
      this.waiters.push(waiter);
    });
  }

  private send(text: string): void {
    this.sock.send(Buffer.from(text.replace(/\n/g, '\r\n')), this.target, '127.0.0.1');
  }

  private common(call: Call, method: string, to: string): string {
    return `Via: SIP/2.0/UDP 127.0.0.1:${this.port};branch=${call.branch};rport
From: "Bench Caller" <sip:${call.caller}@127.0.0.1:${this.port}>;tag=${call.tag}
To: ${to}
Call-ID: ${call.callId}
CSeq: 1 ${method}
Max-Forwards: 70
`;
  }

  /** Sends the INVITE; returns the call and the time just before it left. */
  invite(k: number, caller = `+4940${3_000_000 + k}`): { call: Call; t0: number } {
    const id = randomUUID().slice(0, 8);
    const call: Call = { callId: `ring-${k}-${id}@127.0.0.1`, branch: `z9hG4bK-ring-${k}-${id}`, tag: `t${k}${id}`, caller };
    const sdp = `v=0
o=bench ${k} 1 IN IP4 127.0.0.1
s=bench
c=IN IP4 127.0.0.1
t=0 0
m=audio ${20_000 + 2 * (k % 1000)} RTP/AVP 0 101
a=rtpmap:0 PCMU/8000
a=rtpmap:101 telephone-event/8000
a=ptime:20
a=sendrecv
`.replace(/\n/g, '\r\n');
    const msg = `INVITE sip:home@127.0.0.1:${this.target} SIP/2.0
${this.common(call, 'INVITE', `<sip:home@127.0.0.1:${this.target}>`)}Contact: <sip:${call.caller}@127.0.0.1:${this.port}>
Allow: INVITE, ACK, CANCEL, BYE, OPTIONS
Content-Type: application/sdp
Content-Length: ${Buffer.byteLength(sdp)}

`;
    const t0 = performance.now();
    this.sock.send(Buffer.concat([Buffer.from(msg.replace(/\n/g, '\r\n')), Buffer.from(sdp)]), this.target, '127.0.0.1');
    return { call, t0 };
  }

  /** CANCEL, then ACK the INVITE's final answer (487 expected). */
  async cancel(call: Call): Promise<number> {
    this.send(`CANCEL sip:home@127.0.0.1:${this.target} SIP/2.0
${this.common(call, 'CANCEL', `<sip:home@127.0.0.1:${this.target}>`)}Content-Length: 0

`);
    await this.response((r) => r.callId === call.callId && r.method === 'CANCEL', `200 to the CANCEL of ${call.callId}`);
    return this.final(call);
  }

  /** Waits for the INVITE's final answer (not a 2xx) and ACKs it; returns its status. */
  async final(call: Call): Promise<number> {
    const final = await this.response((r) => r.callId === call.callId && r.method === 'INVITE' && r.status >= 200, `final answer to ${call.callId}`);
    this.send(`ACK sip:home@127.0.0.1:${this.target} SIP/2.0
${this.common(call, 'ACK', final.to)}Content-Length: 0

`);
    return final.status;
  }

  /** Forgets whatever was received and not asked for (retransmissions, provisional answers of past calls). */
  drop(): void {
    this.seen.length = 0;
  }

  close(): void {
    this.sock.close();
  }
}

export interface Call {
  readonly callId: string;
  readonly branch: string;
  readonly tag: string;
  readonly caller: string;
}

interface Arrival {
  readonly at: number;
  readonly body: string;
}

/** Checks with the real parsers that a NOTIFY is a CallInfo in `status`; returns its CallID. */
function callInfoOf(body: string, status: string): string {
  const vars = parsePropertySet(body);
  if (!vars.ok) throw new Error(`NOTIFY body: ${vars.reason}`);
  const ci = vars.value.find(([n]) => n === 'CallInfo');
  const parsed = ci ? parseCallInfo(ci[1]) : undefined;
  if (!parsed?.ok || parsed.value.callStatus !== status) throw new Error(`NOTIFY matched as ${status} is not: ${body.slice(0, 300)}`);
  return parsed.value.callID;
}

/** The CallManagement:1 of the description at `location` (hometel's Telephony Server is an embedded device). */
async function callManagementAt(location: string): Promise<DescribedService> {
  const res = await httpRequest({ method: 'GET', url: location });
  const parsed = parseDeviceDescription(res.body, location);
  if (!parsed.ok) throw new Error(`${location}: ${parsed.reason}`);
  const find = (d: DescribedDevice): DescribedService | undefined => d.services.find((s) => s.serviceType === callManagementType) ?? d.devices.map(find).find((s) => s);
  const s = find(parsed.value);
  if (!s) throw new Error(`${location} has no ${callManagementType}`);
  return s;
}

function p50p99(samples: number[]): { p50: number; p99: number } {
  samples.sort((a, b) => a - b);
  return { p50: percentile(samples, 50), p99: percentile(samples, 99) };
}

/** One hometel (its store copied from `template` when given) with `subscribers` GENA subscribers and the caller. */
class Rig {
  private readonly sip180: number[] = [];
  private readonly first: number[] = [];
  private readonly last: number[] = [];

  private constructor(
    readonly subscribers: number,
    readonly rules: number,
    readonly startSeconds: number,
    private readonly hometel: ConfiguredHometel,
    private readonly arrivals: Arrival[][],
    private readonly subscribed: Subscribers,
    private readonly caller: RawCaller,
  ) {}

  static async start(subscribers: number, template: string | undefined, rules: number): Promise<Rig> {
    const sipPort = await freeLoopbackPort();
    const started = performance.now();
    const hometel = await startConfiguredHometel('hometel-ringing-bench-', (d) => {
      if (template) cpSync(template, join(d, 'data'), { recursive: true });
      return { ...lineOnlyConfig(d, sipPort), web: false, callHandling: { activation: 'on' }, numberPlan: plan };
    });
    const startSeconds = (performance.now() - started) / 1000;
    let subscribed: Subscribers | undefined;
    try {
      const location = /location="?(http:\/\/[^\s"]+)/.exec(hometel.log())?.[1];
      if (!location) throw new Error(`hometel logged no location: ${hometel.log().slice(0, 500)}`);
      const cm = await callManagementAt(location);
      const arrivals: Arrival[][] = Array.from({ length: subscribers }, () => []);
      subscribed = await subscribeMany(cm.eventSubUrl, subscribers, (req, res) => {
        const index = Number(/^\/s\/(\d+)$/.exec(req.url ?? '')?.[1] ?? -1);
        const chunks: Buffer[] = [];
        req.on('data', (c: Buffer) => chunks.push(c));
        req.on('end', () => {
          arrivals[index]?.push({ at: performance.now(), body: Buffer.concat(chunks).toString('utf8') });
          res.end();
        });
      });
      return new Rig(subscribers, rules, startSeconds, hometel, arrivals, subscribed, await RawCaller.open(sipPort));
    } catch (e) {
      await subscribed?.close();
      await hometel.stop();
      throw e;
    }
  }

  private async waitAll(test: (a: Arrival) => boolean, what: string, t0: number): Promise<Arrival[]> {
    const deadline = t0 + 10_000;
    for (;;) {
      const got = this.arrivals.map((list) => list.find(test));
      if (got.every((a) => a !== undefined)) return got;
      if (performance.now() > deadline) throw new Error(`${what}: ${got.filter(Boolean).length}/${this.subscribers} NOTIFYs within 10 s`);
      await new Promise((r) => setTimeout(r, 1));
    }
  }

  /** Call `k`: INVITE, Ringing at every subscriber (and the 180), CANCEL, Disconnected at every subscriber. */
  async call(k: number, counted: boolean): Promise<void> {
    try {
      for (const a of this.arrivals) a.length = 0;
      this.caller.drop();
      const { call, t0 } = this.caller.invite(k);
      const ringing = await this.waitAll((a) => a.body.includes('Ringing&lt;/callStatus&gt;'), `call ${k} Ringing`, t0);
      const callID = callInfoOf(ringing[0]!.body, 'Ringing');
      if (ringing.some((a) => !a.body.includes(`&gt;${callID}&lt;`))) throw new Error(`call ${k}: the subscribers heard of different Calls ringing`);
      const r180 = await this.caller.response((r) => r.callId === call.callId && r.status === 180, `180 to ${call.callId}`);
      const times = ringing.map((a) => a.at - t0).sort((x, y) => x - y);
      if (counted) {
        this.sip180.push(r180.at - t0);
        this.first.push(times[0]!);
        this.last.push(times.at(-1)!);
      }
      const t1 = performance.now();
      const status = await this.caller.cancel(call);
      if (status !== 487) throw new Error(`call ${k}: the CANCELled INVITE was answered ${status}`);
      await this.waitAll((a) => a.body.includes(`&gt;${callID}&lt;`) && a.body.includes('Disconnected&lt;/callStatus&gt;'), `call ${k} Disconnected`, t1);
    } catch (e) {
      throw this.failed(e);
    }
  }

  /** The rules are hometel's: a caller under one of their prefixes (+493015*, rejected with 486) gets that answer. */
  async checkRules(k: number): Promise<void> {
    if (this.rules === 0) return;
    const { call } = this.caller.invite(k, '+4930155555');
    const status = await this.caller.final(call).catch((e: Error) => {
      throw this.failed(e);
    });
    if (status !== 486) throw this.failed(new Error(`a caller under a rule's prefix was answered ${status}, not the rule's 486`));
  }

  private failed(e: unknown): Error {
    return new Error(`${this.subscribers} subscribers, ${this.rules} rules: ${(e as Error).message}\nhometel log tail: ${this.hometel.log().slice(-1500)}`);
  }

  figures(): RingingFigures {
    return { subscribers: this.subscribers, rules: this.rules, calls: this.first.length, sip180: p50p99(this.sip180), first: p50p99(this.first), last: p50p99(this.last), startSeconds: this.startSeconds };
  }

  async stop(): Promise<void> {
    this.caller.close();
    await this.subscribed.close();
    await this.hometel.stop();
  }
}

/**
 * One pair of rows: two hometels side by side, one without rules and one with the template's, `subscribers` each;
 * the calls alternate between them (which one goes first alternates too), so both see the machine alike.
 */
export async function ringingPair(subscribers: number, template: string, rules: number, calls = RINGING_CALLS): Promise<[RingingFigures, RingingFigures]> {
  const rigs: Rig[] = [];
  try {
    rigs.push(await Rig.start(subscribers, undefined, 0));
    rigs.push(await Rig.start(subscribers, template, rules));
    for (let k = 0; k < WARMUP + calls; k++) {
      for (const rig of k % 2 ? [...rigs].reverse() : rigs) await rig.call(k, k >= WARMUP);
    }
    for (const rig of rigs) await rig.checkRules(WARMUP + calls);
    return [rigs[0]!.figures(), rigs[1]!.figures()];
  } finally {
    for (const rig of rigs) await rig.stop();
  }
}

/** Every row: 1, 10 and 100 subscribers, without rules and with RINGING_RULES; prints each as it comes. */
export async function ringingBench(): Promise<RingingFigures[]> {
  const template = rulesTemplate(RINGING_RULES);
  try {
    const rows: RingingFigures[] = [];
    for (const n of [1, 10, 100]) {
      for (const f of await ringingPair(n, template, RINGING_RULES)) {
        console.log(
          `ringing n=${n} rules=${f.rules}: first p50 ${ms(f.first.p50)} p99 ${ms(f.first.p99)} ms, last p50 ${ms(f.last.p50)} p99 ${ms(f.last.p99)} ms, 180 p50 ${ms(f.sip180.p50)} ms (start ${f.startSeconds.toFixed(1)} s)`,
        );
        rows.push(f);
      }
    }
    return rows;
  } finally {
    rmSync(template, { recursive: true, force: true });
  }
}
export const ringingHeading = '## Incoming call → Ringing at every screen';

export function ringingSection(rows: readonly RingingFigures[], note = ''): string {
  const [one = 0, five = 0] = loadavg();
  const busy =
    Math.max(one, five) > availableParallelism()
      ? ' The machine was busy with other work during the run (a load average above its core count): the p99 figures in particular are noisy.'
      : '';
  const rules = RINGING_RULES.toLocaleString('en');
  return `${ringingHeading}

hometel only (bench/incoming-ringing.ts): the time from an INVITE leaving the caller until each subscribed TelCP has
the CallInfo event with callStatus Ringing (seed 004 2.2 2), with ${rules} screening rules in the store and with
none (issue 13).

- \`hometel start\` runs in its own process, a fresh one per row: one SIP line (direct mode, UDP on 127.0.0.1),
  \`web: false\`, \`callHandling.activation: on\` (the screens always ring), info logging. The two rows of a subscriber
  count run side by side, two hometels at once, and their calls alternate (one call at a time, which one goes first
  alternating too), so both see the machine alike.
- Rules on: before the start its store holds ${rules} number rules (four in five an exact number, one in five a
  prefix, as in the call screening rules' section), none of which matches the caller, so every call is screened
  against all of them and still rings. After its calls each such row checks that hometel screens with them: a caller
  under one of their prefixes gets the rule's 486. The rule book is loaded at start; "hometel start" is the time from
  spawning it until it logged that it runs.
- The subscribers are raw GENA callback servers of the line's CallManagement:1 (25 per loopback address from
  127.0.0.10), in the benchmark process.
- The caller is the benchmark process too: a raw INVITE (PCMU offer) over UDP, timed from just before the datagram is
  sent; once every subscriber has the Ringing event it CANCELs, ACKs the 487, and waits for the Call's Disconnected
  event at every subscriber before the next call. ${RINGING_CALLS} calls per row after ${WARMUP} warm-up calls.

"first"/"last" are INVITE sent → the first/last subscriber to have the Ringing NOTIFY, p50/p99 over the calls; "180"
is INVITE sent → the caller has hometel's 180 Ringing. ${cpus().length} cores (${cpus()[0]?.model ?? 'unknown CPU'}), Node
${process.versions.node}, ${new Date().toISOString().slice(0, 10)}; 1-/5-minute load average ${one.toFixed(1)}/${five.toFixed(1)} on ${availableParallelism()} cores at the end.${busy}${note ? ` ${note}` : ''}

The rule decision itself is some microseconds per call (one map lookup per key, see the call screening rules'
section), far below these milliseconds; what ${rules} rules can add besides is the larger heap of the process
that holds them (its garbage collection). The time goes to the INVITE's handling in hometel (its 180 leaves a few ms
after the INVITE) and to the GENA fan-out, which grows with the subscribers.

${table(
  ['subscribers', 'rules', 'calls', 'first p50 ms', 'first p99 ms', 'last p50 ms', 'last p99 ms', '180 p50 ms', '180 p99 ms', 'hometel start s'],
  rows.map((f) => [String(f.subscribers), f.rules.toLocaleString('en'), String(f.calls), ms(f.first.p50), ms(f.first.p99), ms(f.last.p50), ms(f.last.p99), ms(f.sip180.p50), ms(f.sip180.p99), f.startSeconds.toFixed(1)]),
)}`;
}
