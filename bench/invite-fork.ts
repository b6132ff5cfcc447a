/**
 * Issue 14's forking benchmark: an INVITE from the line → every forked phone ringing, at 1, 4 and 16 extensions.
 *
 * - `hometel start` in its own process: one SIP line in direct mode (UDP, a free port of 127.0.0.1), the phones'
 *   registrar on another, `web: false`, info logging, the 16 extensions (1001…1016) in its store before the start.
 * - Each extension has one phone: a scripted UDP phone in this process (test/support/ringing-phone.ts) on a loopback
 *   address of its own (127.0.1.x) that REGISTERs with Digest and answers every INVITE at once with 180 Ringing
 *   (CANCEL with 200 and 487). A row of N has the phones of extensions 1001…100N registered (the later rows register
 *   the extra phones before their calls); extensions without a registered device do not ring.
 * - The caller is this process too (bench/incoming-ringing.ts's raw caller): an INVITE with a PCMU offer to the line,
 *   timed from just before the datagram is sent. Once every phone rings and the caller has its 180, it CANCELs, ACKs
 *   the 487, and waits until every phone has had its CANCEL before the next call. One call at a time.
 *
 * Measured, per call: "all ringing" = INVITE sent → the last of the N phones received its INVITE (its 180 leaves in
 * the same callback, so that is also when the last 180 is sent toward hometel); "first" = → the first phone had its
 * INVITE; "180" = → the caller received the 180 Ringing. p50/p99 over CALLS calls per row after WARMUP.
 *
 * Reference, in the same run: Kamailio 5.6 (test/support/kamailio.ts's config: registrar, usrloc in memory, digest
 * REGISTER, lookup + t_relay) with the same phones registered as N contacts of one address of record; the caller's
 * INVITE to that AoR forks in parallel to all N. The calls alternate between hometel and Kamailio.
 *
 * `npm run bench:invite-fork` prints the section and replaces it in docs/benchmarks.md.
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { availableParallelism, cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { silentLogger, systemClock } from '../src/base/index.js';
import { phonesOver } from '../src/app/phones-admin.js';
import { Store } from '../src/store/index.js';
import { startHometelProcess, type HometelProcess } from '../test/support/hometel-process.js';
import { terminate } from '../test/support/children.js';
import { startKamailio, type Kamailio } from '../test/support/kamailio.js';
import { RingingPhone, type RingingRegistrar } from '../test/support/ringing-phone.js';
import { freeLoopbackPort } from '../test/support/sipp.js';
import { replaceSection } from './doc-section.js';
import { RawCaller } from './incoming-ringing.js';
import { ms, percentile, table } from './stats.js';

const CALLS = Number(process.env.BENCH_FORK_CALLS ?? 200);
const WARMUP = 10;
const levels = [1, 4, 16];
const realm = 'hometel';
const heading = '## Phones: INVITE from the line → every forked phone ringing';

/** A system under test: where the caller sends its INVITE and where the phones register. */
interface Forker {
  readonly name: string;
  readonly callerTarget: number;
  /** Registers `phone` as the i-th device (0-based). */
  register(phone: RingingPhone, i: number): Promise<void>;
  log(): string;
  stop(): Promise<void>;
}

interface Figures {
  readonly forker: string;
  readonly phones: number;
  readonly calls: number;
  readonly all: { p50: number; p99: number };
  readonly first: { p50: number; p99: number };
  readonly sip180: { p50: number; p99: number };
}

const password = (i: number): string => `bench-fork-${i}`;
const extension = (i: number): string => String(1001 + i);

async function startHometel(): Promise<Forker> {
  const dir = await mkdtemp(join(tmpdir(), 'hometel-bench-fork-'));
  const dataDir = join(dir, 'data');
  const store = Store.open(dataDir);
  const admin = phonesOver(store, realm, systemClock, silentLogger);
  for (let i = 0; i < Math.max(...levels); i++) admin.add({ number: extension(i), password: password(i) });
  store.close();
  const linePort = await freeLoopbackPort();
  const registrar: RingingRegistrar = { host: '127.0.0.1', port: await freeLoopbackPort(), domain: realm };
  const file = join(dir, 'hometel.json');
  await writeFile(
    file,
    JSON.stringify({
      interfaces: ['lo'],
      dataDir,
      logLevel: 'info',
      web: false,
      echo: false,
      clients: [],
      lines: [{ name: 'home', sip: { mode: 'direct', user: 'home', host: '127.0.0.1', port: linePort, transports: ['udp'] } }],
      phones: { registrar: { host: registrar.host, port: registrar.port, transports: ['udp'], digestAlgorithms: ['MD5'] } },
    }),
  );
  let hometel: HometelProcess;
  try {
    hometel = await startHometelProcess(['--config', file]);
  } catch (e) {
    await rm(dir, { recursive: true, force: true });
    throw e;
  }
  return {
    name: 'hometel',
    callerTarget: linePort,
    async register(phone, i) {
      const status = await phone.register(registrar, extension(i), password(i));
      if (status !== 200) throw new Error(`hometel answered the REGISTER of ${extension(i)} with ${status}`);
    },
    log: () => hometel.log(),
    async stop() {
      await terminate(hometel.child, 10_000);
      await rm(dir, { recursive: true, force: true });
    },
  };
}

/** Kamailio with every phone a contact of the address of record `home`: an INVITE to it forks to all of them. */
async function startKamailioForker(): Promise<Forker> {
  const port = await freeLoopbackPort();
  const kamailio: Kamailio = await startKamailio({ udpPort: port, users: { home: 'bench-fork-home' }, domain: '127.0.0.1', debug: 1, maxBranches: Math.max(...levels) });
  const registrar: RingingRegistrar = { host: '127.0.0.1', port, domain: '127.0.0.1' };
  return {
    name: 'Kamailio',
    callerTarget: port,
    async register(phone) {
      const status = await phone.register(registrar, 'home', 'bench-fork-home');
      if (status !== 200) throw new Error(`Kamailio answered a phone's REGISTER with ${status}`);
    },
    log: () => kamailio.stderr(),
    stop: () => kamailio.stop(),
  };
}

function p50p99(samples: number[]): { p50: number; p99: number } {
  samples.sort((a, b) => a - b);
  return { p50: percentile(samples, 50), p99: percentile(samples, 99) };
}

async function until(done: () => boolean, what: string, since: number): Promise<void> {
  while (!done()) {
    if (performance.now() - since > 10_000) throw new Error(`${what} within 10 s`);
    await new Promise((r) => setTimeout(r, 1));
  }
}

/** One forker, its caller and its phones (the first `active` of them registered). */
class Rig {
  readonly phones: RingingPhone[] = [];
  private all: number[] = [];
  private first: number[] = [];
  private sip180: number[] = [];
  private active = 0;

  private constructor(
    private readonly forker: Forker,
    private readonly caller: RawCaller,
  ) {}

  static async start(forker: Forker, base: number): Promise<Rig> {
    const rig = new Rig(forker, await RawCaller.open(forker.callerTarget));
    for (let i = 0; i < Math.max(...levels); i++) rig.phones.push(await RingingPhone.open(`127.0.1.${base + i}`));
    return rig;
  }

  /** Registers phones until `n` are; the figures start over. */
  async ringing(n: number): Promise<void> {
    for (; this.active < n; this.active++) await this.forker.register(this.phones[this.active]!, this.active);
    this.all = [];
    this.first = [];
    this.sip180 = [];
  }

  async call(k: number, counted: boolean): Promise<void> {
    const phones = this.phones.slice(0, this.active);
    try {
      for (const p of this.phones) p.forget();
      this.caller.drop();
      const { call, t0 } = this.caller.invite(k);
      const callOf = (p: RingingPhone) => [...p.calls.values()][0];
      await until(() => phones.every((p) => callOf(p) !== undefined), `call ${k}: not every phone rang`, t0);
      const r180 = await this.caller.response((r) => r.callId === call.callId && r.status === 180, `180 to ${call.callId}`);
      if (this.phones.some((p, i) => i >= this.active && p.calls.size > 0)) throw new Error(`call ${k}: a phone that is not registered rang`);
      const times = phones.map((p) => callOf(p)!.invitedAt - t0).sort((a, b) => a - b);
      if (counted) {
        this.all.push(times.at(-1)!);
        this.first.push(times[0]!);
        this.sip180.push(r180.at - t0);
      }
      const t1 = performance.now();
      const status = await this.caller.cancel(call);
      if (status !== 487) throw new Error(`call ${k}: the CANCELled INVITE was answered ${status}`);
      await until(() => phones.every((p) => callOf(p)?.cancelledAt !== undefined), `call ${k}: not every phone had its CANCEL`, t1);
    } catch (e) {
      throw new Error(`${this.forker.name}, ${this.active} phones: ${(e as Error).message}\nlog tail: ${this.forker.log().slice(-1500)}`);
    }
  }

  figures(): Figures {
    return { forker: this.forker.name, phones: this.active, calls: this.all.length, all: p50p99(this.all), first: p50p99(this.first), sip180: p50p99(this.sip180) };
  }

  async stop(): Promise<void> {
    this.caller.close();
    for (const p of this.phones) await p.close();
    await this.forker.stop();
  }
}

async function run(): Promise<Figures[]> {
  const rigs: Rig[] = [];
  const rows: Figures[] = [];
  const forkers: Forker[] = [];
  try {
    for (const start of [startHometel, startKamailioForker]) forkers.push(await start());
    for (const [i, f] of forkers.entries()) rigs.push(await Rig.start(f, 1 + 50 * i));
    for (const n of levels) {
      for (const rig of rigs) await rig.ringing(n);
      for (let k = 0; k < WARMUP + CALLS; k++) {
        for (const rig of k % 2 ? [...rigs].reverse() : rigs) await rig.call(k, k >= WARMUP);
      }
      for (const rig of rigs) {
        const f = rig.figures();
        console.log(`${f.forker} ${n} phones: all ringing p50 ${ms(f.all.p50)} p99 ${ms(f.all.p99)} ms, first p50 ${ms(f.first.p50)} ms, 180 p50 ${ms(f.sip180.p50)} ms`);
        rows.push(f);
      }
    }
  } finally {
    for (const rig of rigs) await rig.stop();
    for (const f of forkers.slice(rigs.length)) await f.stop();
  }
  return rows;
}

function section(rows: readonly Figures[]): string {
  const [one = 0, five = 0] = loadavg();
  const busy =
    Math.max(one, five) > availableParallelism()
      ? ' The machine was busy with other work during the run (a load average above its core count): the p99 figures in particular are noisy.'
      : '';
  const own = rows.filter((f) => f.forker === 'hometel');
  const ownRows = own.map((f) => `${ms(f.all.p50)} ms at ${f.phones}`).join(', ');
  const [fewest, most] = [own[0], own.at(-1)];
  const perPhone = fewest && most && most.phones > fewest.phones ? ((most.all.p50 - fewest.all.p50) / (most.phones - fewest.phones)).toFixed(1) : '–';
  return `${heading}

bench/invite-fork.ts: the time from an INVITE leaving the line's caller until every phone of the home rings, with
1, 4 and 16 extensions of one phone each (issue 14). Kamailio forking the same INVITE to the same phones is the
reference.

- hometel: \`hometel start\` in its own process, one SIP line (direct mode, UDP on 127.0.0.1), the phones' registrar
  on UDP (MD5 Digest), \`web: false\`, info logging, no TCs and no TelCPs. An incoming call rings every extension
  with a registered device: the Telephony Server places one leg per extension on the phones' line, which sends an
  INVITE (with the relay's offer) to each device.
- Kamailio 5.6 (the tests' config, test/peers/kamailio, debug level 1): the phones register as N contacts of one
  address of record; \`lookup("location")\` + \`t_relay()\` forks the caller's INVITE to all of them, as a proxy.
- The phones: scripted UDP phones in the benchmark process (test/support/ringing-phone.ts), each on a loopback
  address of its own (127.0.1.x), registered with Digest, answering every INVITE at once with 180 Ringing. The same
  kind of phones for both, one set each.
- The caller: the benchmark process (bench/incoming-ringing.ts's raw caller), an INVITE with a PCMU offer, timed from
  just before the datagram is sent. Once every phone rings and the caller has its 180 it CANCELs, ACKs the 487 and
  waits until every phone had its CANCEL. One call at a time; the calls alternate between hometel and Kamailio
  (which one goes first alternating too). ${CALLS} calls per row after ${WARMUP} warm-up calls.

"all ringing" is INVITE sent → the last of the N phones received its INVITE (it sends its 180 in the same callback:
that is when the last phone rings), "first" → the first phone had its INVITE, "180" → the caller received a 180
Ringing (hometel's own, sent when the Call rings; Kamailio's is the first phone's, relayed). p50/p99 over the calls.
${cpus().length} cores (${cpus()[0]?.model.trim() ?? 'unknown CPU'}), Node ${process.versions.node},
${new Date().toISOString().slice(0, 10)}; 1-/5-minute load average ${one.toFixed(1)}/${five.toFixed(1)} on ${availableParallelism()} cores at the end.${busy}

What the figures show: in hometel the first phone rings hardly sooner than the last one, and the caller's 180
leaves with them. The INVITE seems to be handled in one synchronous run (the Call, its Ringing, one leg per
extension) whose datagrams go out when it ends, so every extension adds to every phone's wait: ${ownRows} (p50 of "all ringing"),
some ${perPhone} ms more per phone. A first run of this benchmark (16 phones: 81 ms p50) and a CPU profile of
\`hometel start\` taken by hand then put most of that time in the presence service: each phone dialog reported (a
leg's early and terminated, the line's Call changes) makes \`PresenceService.recompute\` (src/phones/presence.ts)
build a snapshot of every extension, and that snapshot read SQLite once per extension, preparing each statement
anew. The phones' repositories now prepare their statements once and a snapshot reads the directory once, which
brought 16 phones to the figures below; what remains grows with the phones rung (one leg, one INVITE and one dialog
report each, all in the INVITE's handling). Kamailio forks from memory (usrloc) and sends the first branch at once;
its "all ringing" is its INVITEs going out one after the other.

${table(
  ['forker', 'phones', 'calls', 'all ringing p50 ms', 'all ringing p99 ms', 'first p50 ms', 'first p99 ms', '180 p50 ms', '180 p99 ms'],
  rows.map((f) => [f.forker, String(f.phones), String(f.calls), ms(f.all.p50), ms(f.all.p99), ms(f.first.p50), ms(f.first.p99), ms(f.sip180.p50), ms(f.sip180.p99)]),
)}
`;
}

const text = section(await run());
console.log(text);
await replaceSection(heading, text);
process.exit(0);
