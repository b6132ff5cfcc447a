/**
 * Relay capacity (issue 5): N concurrent G.711 calls, 20 ms PCMU both directions, relayed between a "Remote Party"
 * socket and a "TC" socket per call, by hometel's RTP relay (bench/media-relay-worker.ts: a RelayMediaPlane in a
 * process of its own) and by rtpengine (bench/rtpengine.ts: Debian's daemon, userspace forwarding, set up over its
 * ng protocol), each a fresh process per N; and the same streams sent directly between the two sockets, as the
 * floor of the generator's own path.
 *
 * This process is the load generator: every stream's packets carry their send time (performance.now(), in the
 * payload: neither relay decodes a forwarded payload), so one-way latency is receive time − send time on one clock.
 * Per cell: warm-up, then a measured window; packets sent in the window are matched with those received (a packet
 * more than DRAIN_MS late counts as lost); CPU is utime+stime from /proc/<pid>/stat over the window, % of one core.
 *
 * Mixing cost: M hometel calls with one Remote Party and two TCs and enableMediaMixing, all three sending; the
 * relay's CPU per mixed call gives the 3-party mixes one core sustains. rtpengine's forwarder has nothing to compare
 * (it mixes nothing between the legs of a call).
 */
import { fork, spawnSync, type ChildProcess } from 'node:child_process';
import { createSocket, type Socket } from 'node:dgram';
import { readFileSync } from 'node:fs';
import { cpus } from 'node:os';
import { fileURLToPath } from 'node:url';
import { terminate, trackChild } from '../test/support/children.js';
import { pcmuSdp, type OpenCall, type OpenedCall, type RelayTotals, type WorkerCommand, type WorkerReply, type WorkerRequest } from './media-relay-worker.js';
import { cpuTicks } from './proc-stat.js';
import { startRtpengine, type Rtpengine } from './rtpengine.js';
import { ms, percentile, table } from './stats.js';

const host = '127.0.0.1';
const frameMs = 20;
const payloadBytes = 160;
/** After the window, how long a packet may still arrive; later ones count as lost. */
const drainMs = 1000;
/** Port ranges kept apart from each other and from the tests' (20000–31999) and the kernel's ephemeral ones. */
const generatorPorts = { min: 10000, max: 12999 };
const hometelPorts = { min: 13000, max: 15999 };
const rtpenginePorts = { min: 16000, max: 19989 };
const ngPort = 19995;
/** A mixing step fails above this loss; the steps stop there. */
const mixLossLimit = 0.01;
/**
 * The machine is shared (2 cores here): a window in which other processes used more than this (% of one core) is
 * measured again, at most `attempts` times in all, and the quietest kept.
 */
const quietLimit = 25;
const attempts = 3;
/** Before each attempt, how long to wait at most for the other processes to calm down. */
const quietWaitMs = 60_000;

export interface MediaTiming {
  readonly warmupMs: number;
  readonly windowMs: number;
}

export interface RelayCell {
  readonly relay: string;
  readonly calls: number;
  /** Packets sent in the window (both directions), and of those received at the far end. */
  readonly sent: number;
  readonly received: number;
  /** Packets received per second over the window (what the relay delivered). */
  readonly pps: number;
  readonly loss: number;
  /** One-way latency, ms. */
  readonly p50: number;
  readonly p99: number;
  /** The same percentile minus the direct row's at the same N (what the relay adds). */
  readonly addedP50: number;
  readonly addedP99: number;
  /** % of one core over the window; NaN without a relay. */
  readonly relayCpu: number;
  readonly generatorCpu: number;
  /** How late the generator sent its packets after their schedule, p99 ms (it falls behind when saturated). */
  readonly lateP99: number;
  /** CPU of everything else on the machine over the window, % of one core. */
  readonly otherCpu: number;
  /** Packets that arrived on the wrong socket, or duplicated. */
  readonly misrouted: number;
  /** Socket errors at the generator (a relay port that refused). */
  readonly socketErrors: number;
}

export interface MixStep {
  readonly mixes: number;
  /** Packets the three legs should get in the window (each 50/s) and did. */
  readonly expected: number;
  readonly received: number;
  readonly loss: number;
  readonly relayCpu: number;
  readonly perMix: number;
  /** 100 % / (CPU % per mix). */
  readonly perCore: number;
  readonly generatorCpu: number;
  readonly otherCpu: number;
  /** Streams the relay really mixed (a check that every call was in mix mode). */
  readonly mixedStreams: number;
}

export interface MediaFigures {
  readonly timing: MediaTiming;
  readonly cells: readonly RelayCell[];
  readonly mix: readonly MixStep[];
  readonly rtpengine: string;
  readonly rtpengineThreads: number;
}

// ------------------------------------------------------------------ CPU

/** utime + stime of a process in clock ticks (USER_HZ, 100 on Linux). */
function procTicks(pid: number): number {
  try {
    return cpuTicks(readFileSync(`/proc/${pid}/stat`, 'utf8'));
  } catch {
    return NaN;
  }
}

/** Busy clock ticks of the whole machine (every CPU): everything but idle and iowait. */
function machineTicks(): number {
  const f = readFileSync('/proc/stat', 'utf8').split('\n')[0]!.trim().split(/\s+/).slice(1).map(Number);
  const total = f.slice(0, 8).reduce((a, b) => a + b, 0);
  return total - (f[3] ?? 0) - (f[4] ?? 0);
}

function threadsOf(pid: number): number {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  return Number(/^Threads:\s+(\d+)/m.exec(status)?.[1] ?? NaN);
}

interface CpuSnapshot {
  readonly at: number;
  readonly relay: number;
  readonly self: number;
  readonly machine: number;
}

function snapshot(relayPid: number | undefined): CpuSnapshot {
  return { at: performance.now(), relay: relayPid === undefined ? NaN : procTicks(relayPid), self: procTicks(process.pid), machine: machineTicks() };
}

function cpuOver(a: CpuSnapshot, b: CpuSnapshot): { relay: number; self: number; other: number } {
  const wallTicks = ((b.at - a.at) / 1000) * 100;
  const relay = ((b.relay - a.relay) / wallTicks) * 100;
  const self = ((b.self - a.self) / wallTicks) * 100;
  const machine = ((b.machine - a.machine) / wallTicks) * 100;
  return { relay, self, other: Math.max(0, machine - self - (Number.isFinite(relay) ? relay : 0)) };
}

// ------------------------------------------------------------------ the relays under test

interface Route {
  /** Where the Remote Party sends (the relay's WAN side), and where the TCs send (its home side). */
  readonly remoteTo: number;
  readonly tcTo: number;
}

interface RelayUnderTest {
  readonly name: string;
  readonly pid: number | undefined;
  open(calls: readonly OpenCall[]): Promise<Route[]>;
  /** Ends every call opened (the process stays); hometel's relay reports its counters. */
  closeCalls(): Promise<RelayTotals | undefined>;
  stop(): Promise<void>;
}

const workerPath = fileURLToPath(new URL('./media-relay-worker.ts', import.meta.url));

async function startHometel(): Promise<RelayUnderTest> {
  const child: ChildProcess = fork(workerPath, [String(hometelPorts.min), String(hometelPorts.max)], {
    execArgv: ['--import', 'tsx'],
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  trackChild(child);
  const exited = new Promise<void>((r) => child.once('exit', () => r()));
  const pending = new Map<number, { resolve: (v: unknown) => void; reject: (e: Error) => void }>();
  let next = 1;
  let readyResolve: (() => void) | undefined;
  const ready = new Promise<void>((res, rej) => {
    readyResolve = res;
    void exited.then(() => rej(new Error('media-relay-worker exited before it was ready')));
  });
  child.on('message', (m: WorkerReply) => {
    if (m.id === 0) return readyResolve?.();
    const p = pending.get(m.id);
    pending.delete(m.id);
    if (m.ok) p?.resolve(m.result);
    else p?.reject(new Error(`media-relay-worker: ${m.error}`));
  });
  void exited.then(() => {
    for (const p of pending.values()) p.reject(new Error('media-relay-worker exited'));
    pending.clear();
  });
  const request = <T>(req: WorkerCommand, timeoutMs = 60_000): Promise<T> => {
    const id = next++;
    return new Promise<T>((resolve, reject) => {
      const timer = setTimeout(() => {
        pending.delete(id);
        reject(new Error(`media-relay-worker: no answer to ${req.cmd} within ${timeoutMs} ms`));
      }, timeoutMs);
      pending.set(id, {
        resolve: (v) => {
          clearTimeout(timer);
          resolve(v as T);
        },
        reject: (e) => {
          clearTimeout(timer);
          reject(e);
        },
      });
      child.send({ ...req, id } satisfies WorkerRequest);
    });
  };
  const stop = (): Promise<void> => terminate(child, 5000);
  const startTimer = setTimeout(() => void stop(), 30_000); // tsx compiles on start; bounded all the same
  try {
    await ready;
  } catch (e) {
    await stop();
    throw e;
  } finally {
    clearTimeout(startTimer);
  }
  return {
    name: 'hometel (Node.js)',
    pid: child.pid,
    open: async (calls) => (await request<OpenedCall[]>({ cmd: 'open', calls })).map((c) => ({ remoteTo: c.wanPort, tcTo: c.homePort })),
    closeCalls: async () => {
      const totals = await request<RelayTotals>({ cmd: 'close' });
      if (totals.dropped > 0) console.log(`  hometel relay dropped ${totals.dropped} packets (foreign, malformed or unroutable)`);
      return totals;
    },
    stop,
  };
}

function portOfSdp(sdp: unknown): number {
  const m = typeof sdp === 'string' ? /^m=audio (\d+) /m.exec(sdp) : null;
  if (!m) throw new Error(`rtpengine answered no audio port: ${String(sdp)}`);
  return Number(m[1]);
}

async function inBatches<T, R>(items: readonly T[], size: number, fn: (item: T, i: number) => Promise<R>): Promise<R[]> {
  const out: R[] = new Array<R>(items.length);
  let next = 0;
  await Promise.all(
    Array.from({ length: size }, async () => {
      while (next < items.length) {
        const i = next++;
        out[i] = await fn(items[i]!, i);
      }
    }),
  );
  return out;
}

async function startRtpengineRelay(label: string): Promise<RelayUnderTest> {
  const r: Rtpengine = await startRtpengine({ ngPort, portMin: rtpenginePorts.min, portMax: rtpenginePorts.max });
  let callIds: string[] = [];
  let next = 1;
  return {
    name: label,
    pid: r.pid,
    // The Remote Party's SDP is the offer (its result is what the TC sends to), the TC's the answer (its result
    // is what the Remote Party sends to): an incoming call as a SIP proxy would hand it to rtpengine.
    open: async (calls) =>
      inBatches(calls, 16, async (c) => {
        const callId = `bench-${next++}`;
        callIds.push(callId);
        const offer = await r.ng.request('offer', { 'call-id': callId, 'from-tag': 'remote', sdp: pcmuSdp(c.remotePort) });
        const answer = await r.ng.request('answer', { 'call-id': callId, 'from-tag': 'remote', 'to-tag': 'tc', sdp: pcmuSdp(c.tcPorts[0]!) });
        return { remoteTo: portOfSdp(answer.sdp), tcTo: portOfSdp(offer.sdp) };
      }),
    closeCalls: async () => {
      const ids = callIds;
      callIds = [];
      let failed = 0;
      await inBatches(ids, 16, (id) => r.ng.request('delete', { 'call-id': id, 'from-tag': 'remote' }).catch(() => failed++));
      if (failed) console.log(`  rtpengine: ${failed} of ${ids.length} deletes failed`);
      return undefined;
    },
    stop: () => r.stop(),
  };
}

/** No relay: the two sockets of a call send to each other (the generator's own floor). */
function direct(): RelayUnderTest {
  return {
    name: 'none (direct, generator floor)',
    pid: undefined,
    open: async (calls) => calls.map((c) => ({ remoteTo: c.tcPorts[0]!, tcTo: c.remotePort })),
    closeCalls: async () => undefined,
    stop: async () => undefined,
  };
}

// ------------------------------------------------------------------ the generator

interface Peer {
  readonly sock: Socket;
  readonly port: number;
}

async function bindPeers(count: number): Promise<Peer[]> {
  const peers: Peer[] = [];
  let port = generatorPorts.min;
  try {
    while (peers.length < count) {
      if (port > generatorPorts.max) throw new Error(`no ${count} free even ports in ${generatorPorts.min}–${generatorPorts.max}`);
      const sock = createSocket('udp4');
      const p = port;
      port += 2; // even ports only: a relay's RTCP to port + 1 must not land on another stream's socket
      const bound = await new Promise<boolean>((resolve) => {
        sock.once('error', () => resolve(false));
        sock.bind({ port: p, address: host, exclusive: true }, () => resolve(true));
      });
      if (!bound) {
        closePeers([{ sock, port: p }]);
        continue;
      }
      sock.removeAllListeners('error');
      peers.push({ sock, port: p });
    }
  } catch (e) {
    closePeers(peers);
    throw e;
  }
  return peers;
}

function closePeers(peers: readonly Peer[]): void {
  for (const p of peers) {
    try {
      p.sock.close();
    } catch {
      // already closed
    }
  }
}

function connect(sock: Socket, port: number): Promise<void> {
  return new Promise((resolve, reject) => {
    sock.once('error', reject);
    sock.connect(port, host, () => {
      sock.off('error', reject);
      resolve();
    });
  });
}

interface Stream {
  readonly id: number;
  readonly sock: Socket;
  readonly ssrc: number;
  seq: number;
  ts: number;
  count: number;
}

/** What one cell counts; sent/received/latencies only for packets sent inside the window. */
interface Tally {
  windowStart: number;
  windowEnd: number;
  sent: number;
  received: number;
  /** Arrivals inside the window, whatever was sent (mixed packets carry no send time). */
  arrivals: number;
  misrouted: number;
  socketErrors: number;
  readonly latencies: number[];
  readonly late: number[];
}

const template = Buffer.alloc(12 + payloadBytes, 0xff); // µ-law silence after the header and stamp

function sendPacket(s: Stream, now: number, t: Tally): void {
  const b = Buffer.allocUnsafe(template.length);
  template.copy(b);
  b[0] = 0x80;
  b[1] = s.count === 0 ? 0x80 : 0x00; // PCMU, marker on the first
  b.writeUInt16BE(s.seq, 2);
  b.writeUInt32BE(s.ts >>> 0, 4);
  b.writeUInt32BE(s.ssrc, 8);
  b.writeDoubleLE(now, 12);
  b.writeUInt32LE(s.id, 20);
  b.writeUInt32LE(s.count, 24);
  s.seq = (s.seq + 1) & 0xffff;
  s.ts = (s.ts + 160) >>> 0;
  s.count++;
  s.sock.send(b); // errors (ICMP unreachable on a connected socket) come as 'error' events, counted in listen()
  if (now >= t.windowStart && now < t.windowEnd) t.sent++;
}

/** The RTP payload's offset (after CSRCs and a header extension), or -1 when it is no RTP packet. */
function payloadOffset(msg: Buffer): number {
  if (msg.length < 12 || msg[0]! >> 6 !== 2) return -1;
  const pt = msg[1]! & 0x7f;
  if (pt >= 72 && pt <= 76) return -1; // RTCP (200–204)
  let off = 12 + (msg[0]! & 0x0f) * 4;
  if (msg[0]! & 0x10) {
    if (msg.length < off + 4) return -1;
    off += 4 + msg.readUInt16BE(off + 2) * 4;
  }
  return off;
}

/** Listens on a socket for stream `expect` (forwarded: latency from the stamp), or for anything (mixed). */
function listen(sock: Socket, expect: number | undefined, t: Tally): void {
  sock.on('message', (msg) => {
    const now = performance.now();
    const off = payloadOffset(msg);
    if (off < 0) return;
    if (now >= t.windowStart && now < t.windowEnd) t.arrivals++;
    if (expect === undefined || msg.length < off + 16) return;
    if (msg.readUInt32LE(off + 8) !== expect) {
      t.misrouted++;
      return;
    }
    const sentAt = msg.readDoubleLE(off);
    if (sentAt >= t.windowStart && sentAt < t.windowEnd) {
      t.received++;
      t.latencies.push(now - sentAt);
    }
  });
  sock.on('error', () => t.socketErrors++);
}

/**
 * Sends every stream every 20 ms, call i at i/N of the period (the calls' phases spread evenly), for warm-up plus
 * window; a tick every ~1 ms sends whatever is due, so a late tick sends a burst (as a busy host would).
 */
async function drive(calls: ReadonlyArray<readonly Stream[]>, t: Tally, timing: MediaTiming, relayPid: number | undefined): Promise<{ relay: number; self: number; other: number }> {
  const n = calls.length;
  const t0 = performance.now() + 50;
  t.windowStart = t0 + timing.warmupMs;
  t.windowEnd = t.windowStart + timing.windowMs;
  let k = 0;
  let before: CpuSnapshot | undefined;
  let after: CpuSnapshot | undefined;
  await new Promise<void>((resolve) => {
    const tick = (): void => {
      let now = performance.now();
      if (!before && now >= t.windowStart) before = snapshot(relayPid);
      for (;;) {
        const due = t0 + Math.floor(k / n) * frameMs + ((k % n) * frameMs) / n;
        if (due >= t.windowEnd) {
          after = snapshot(relayPid);
          resolve();
          return;
        }
        if (due > now) break;
        if (due >= t.windowStart) t.late.push(now - due);
        for (const s of calls[k % n]!) sendPacket(s, now, t);
        k++;
        now = performance.now();
      }
      setTimeout(tick, 1);
    };
    setTimeout(tick, Math.max(0, t0 - performance.now()));
  });
  return cpuOver(before!, after!);
}

function newStream(id: number, sock: Socket): Stream {
  return { id, sock, ssrc: (Math.random() * 0x1_0000_0000) >>> 0, seq: (Math.random() * 0x10000) >>> 0, ts: (Math.random() * 0x1_0000_0000) >>> 0, count: 0 };
}

function newTally(): Tally {
  return { windowStart: Infinity, windowEnd: -Infinity, sent: 0, received: 0, arrivals: 0, misrouted: 0, socketErrors: 0, latencies: [], late: [] };
}

function sleep(msecs: number): Promise<void> {
  return new Promise((r) => setTimeout(r, msecs));
}

/** N calls forwarded (one Remote Party, one TC each), both directions. */
async function forwardCell(relay: RelayUnderTest, n: number, timing: MediaTiming, floor: RelayCell | undefined): Promise<RelayCell> {
  const peers = await bindPeers(2 * n);
  const t = newTally();
  try {
    const routes = await relay.open(Array.from({ length: n }, (_, i) => ({ remotePort: peers[2 * i]!.port, tcPorts: [peers[2 * i + 1]!.port], mixing: false })));
    const calls: Stream[][] = [];
    for (let i = 0; i < n; i++) {
      const remote = peers[2 * i]!.sock;
      const tc = peers[2 * i + 1]!.sock;
      await connect(remote, routes[i]!.remoteTo);
      await connect(tc, routes[i]!.tcTo);
      listen(tc, 2 * i, t);
      listen(remote, 2 * i + 1, t);
      calls.push([newStream(2 * i, remote), newStream(2 * i + 1, tc)]);
    }
    const cpu = await drive(calls, t, timing, relay.pid);
    await sleep(drainMs);
    const lat = [...Float64Array.from(t.latencies).sort()];
    const p50 = percentile(lat, 50);
    const p99 = percentile(lat, 99);
    return {
      relay: relay.name,
      calls: n,
      sent: t.sent,
      received: t.received,
      pps: (t.received / timing.windowMs) * 1000,
      loss: t.sent > 0 ? Math.max(0, t.sent - t.received) / t.sent : NaN,
      p50,
      p99,
      addedP50: floor ? p50 - floor.p50 : NaN,
      addedP99: floor ? p99 - floor.p99 : NaN,
      relayCpu: cpu.relay,
      generatorCpu: cpu.self,
      lateP99: percentile([...Float64Array.from(t.late).sort()], 99),
      otherCpu: cpu.other,
      misrouted: t.misrouted + Math.max(0, t.received - t.sent),
      socketErrors: t.socketErrors,
    };
  } finally {
    closePeers(peers);
    await relay.closeCalls();
  }
}

/** M hometel calls of one Remote Party and two TCs with mixing on, all three sending. */
async function mixStep(relay: RelayUnderTest, m: number, timing: MediaTiming): Promise<MixStep> {
  const peers = await bindPeers(3 * m);
  const t = newTally();
  let closed = false;
  try {
    const routes = await relay.open(Array.from({ length: m }, (_, i) => ({ remotePort: peers[3 * i]!.port, tcPorts: [peers[3 * i + 1]!.port, peers[3 * i + 2]!.port], mixing: true })));
    const calls: Stream[][] = [];
    for (let i = 0; i < m; i++) {
      const [remote, tc1, tc2] = [peers[3 * i]!.sock, peers[3 * i + 1]!.sock, peers[3 * i + 2]!.sock];
      await connect(remote, routes[i]!.remoteTo);
      await connect(tc1, routes[i]!.tcTo);
      await connect(tc2, routes[i]!.tcTo);
      for (const s of [remote, tc1, tc2]) listen(s, undefined, t);
      calls.push([newStream(3 * i, remote), newStream(3 * i + 1, tc1), newStream(3 * i + 2, tc2)]);
    }
    const cpu = await drive(calls, t, timing, relay.pid);
    await sleep(drainMs);
    closePeers(peers);
    closed = true;
    const totals = await relay.closeCalls();
    const expected = (3 * m * timing.windowMs) / frameMs;
    const perMix = cpu.relay / m;
    return {
      mixes: m,
      expected,
      received: t.arrivals,
      loss: Math.max(0, expected - t.arrivals) / expected,
      relayCpu: cpu.relay,
      perMix,
      perCore: 100 / perMix,
      generatorCpu: cpu.self,
      otherCpu: cpu.other,
      mixedStreams: totals?.mixedStreams ?? NaN,
    };
  } finally {
    if (!closed) {
      closePeers(peers);
      await relay.closeCalls();
    }
  }
}

async function withRelay<T>(start: () => Promise<RelayUnderTest>, fn: (r: RelayUnderTest) => Promise<T>): Promise<T> {
  const r = await start();
  try {
    return await fn(r);
  } finally {
    await r.stop();
  }
}

function rtpengineVersion(): string {
  // It prints its version on stderr.
  const r = spawnSync('rtpengine', ['--version'], { encoding: 'utf8', timeout: 5000 });
  return /Version:\s*(\S+)/.exec(`${r.stdout}${r.stderr}`)?.[1] ?? 'unknown version';
}

function listFromEnv(name: string, fallback: readonly number[]): number[] {
  const v = process.env[name];
  return v ? v.split(',').map(Number).filter((x) => Number.isInteger(x) && x > 0) : [...fallback];
}

function describeCellLine(c: RelayCell): string {
  return (
    `media ${c.relay} N=${c.calls}: ${c.pps.toFixed(0)} pkt/s, loss ${(c.loss * 100).toFixed(2)} %, latency p50 ${ms(c.p50)} ms p99 ${ms(c.p99)} ms` +
    (Number.isFinite(c.addedP50) ? ` (added ${ms(c.addedP50)} / ${ms(c.addedP99)})` : '') +
    `, relay CPU ${Number.isFinite(c.relayCpu) ? c.relayCpu.toFixed(0) : '–'} %, generator CPU ${c.generatorCpu.toFixed(0)} % (late p99 ${ms(c.lateP99)} ms), other ${c.otherCpu.toFixed(0)} %` +
    (c.misrouted ? `, ${c.misrouted} misrouted/duplicated` : '') +
    (c.socketErrors ? `, ${c.socketErrors} socket errors` : '')
  );
}

/** Waits until other processes use at most quietLimit over a 1 s sample, or quietWaitMs has passed. */
async function waitForQuiet(what: string): Promise<void> {
  const t0 = performance.now();
  for (;;) {
    const a = snapshot(undefined);
    await sleep(1000);
    const other = cpuOver(a, snapshot(undefined)).other;
    const waited = performance.now() - t0;
    if (other <= quietLimit || waited >= quietWaitMs) {
      if (waited > 1500) console.log(`  ${what}: waited ${(waited / 1000).toFixed(0)} s for other processes to calm down (now ${other.toFixed(0)} % of a core)`);
      return;
    }
  }
}

async function quietly<T extends { readonly otherCpu: number }>(what: string, run: () => Promise<T>): Promise<T> {
  let best: T | undefined;
  for (let i = 1; i <= attempts; i++) {
    await waitForQuiet(what);
    const r = await run();
    if (!best || r.otherCpu < best.otherCpu) best = r;
    if (r.otherCpu <= quietLimit) break;
    console.log(`  ${what}: other processes used ${r.otherCpu.toFixed(0)} % of a core in the window${i < attempts ? '; again' : ''}`);
  }
  return best!;
}

/** Runs the whole media section: every N with the three rows, then the mixing steps. */
export async function mediaRelayBench(): Promise<MediaFigures> {
  const timing: MediaTiming = { warmupMs: Number(process.env.BENCH_MEDIA_WARMUP_MS ?? 2000), windowMs: Number(process.env.BENCH_MEDIA_MS ?? 10_000) };
  const version = rtpengineVersion();
  const rtpengineName = `rtpengine ${version.replace(/-.*/, '')} (C, userspace)`;
  let rtpengineThreads = NaN;
  const cells: RelayCell[] = [];
  for (const n of listFromEnv('BENCH_MEDIA_N', [10, 100, 500])) {
    const floor = await quietly(`direct N=${n}`, () => forwardCell(direct(), n, timing, undefined));
    console.log(describeCellLine(floor));
    cells.push(floor);
    for (const start of [startHometel, () => startRtpengineRelay(rtpengineName)]) {
      const c = await quietly(`N=${n}`, () =>
        withRelay(start, async (r) => {
          if (r.pid !== undefined && r.name === rtpengineName) rtpengineThreads = threadsOf(r.pid);
          return forwardCell(r, n, timing, floor);
        }),
      );
      console.log(describeCellLine(c));
      cells.push(c);
    }
  }
  const mix: MixStep[] = [];
  for (const m of listFromEnv('BENCH_MIX_M', [10, 50, 100, 150, 200, 250, 300, 400])) {
    const s = await quietly(`mix M=${m}`, () => withRelay(startHometel, (r) => mixStep(r, m, timing)));
    console.log(
      `media mix M=${m}: relay CPU ${s.relayCpu.toFixed(0)} % (${s.perMix.toFixed(2)} % per mix → ${s.perCore.toFixed(0)} mixes per core), ` +
        `delivered ${s.received}/${s.expected} (loss ${(s.loss * 100).toFixed(2)} %), ${s.mixedStreams} streams mixing, generator CPU ${s.generatorCpu.toFixed(0)} %, other ${s.otherCpu.toFixed(0)} %`,
    );
    mix.push(s);
    // Past a full core the steps go on: the relay may still keep up (its CPU then says little), loss tells.
    if (s.loss > mixLossLimit) break;
  }
  return { timing, cells, mix, rtpengine: version, rtpengineThreads };
}

// ------------------------------------------------------------------ docs/benchmarks.md

const cellHeader = [
  'calls',
  'relay',
  'packets/s relayed',
  'loss %',
  'latency p50 ms',
  'p99 ms',
  'added p50 ms',
  'added p99 ms',
  'relay CPU %',
  'generator CPU %',
  'generator late p99 ms',
  'other CPU %',
];

function pct(v: number, digits = 0): string {
  return Number.isFinite(v) ? v.toFixed(digits) : '–';
}

/** A relay cannot take latency away: a negative difference is the floor row's own noise. */
function added(v: number): string {
  return v < 0 ? '~0' : ms(v);
}

function describeCell(c: RelayCell): string[] {
  return [
    String(c.calls),
    c.relay,
    pct(c.pps),
    pct(c.loss * 100, 2),
    ms(c.p50),
    ms(c.p99),
    added(c.addedP50),
    added(c.addedP99),
    pct(c.relayCpu),
    pct(c.generatorCpu),
    ms(c.lateP99),
    pct(c.otherCpu),
  ];
}

const mixHeader = ['3-party mixes', 'packets/s out', 'loss %', 'relay CPU %', 'CPU % per mix', 'mixes per core', 'other CPU %'];

function describeMix(s: MixStep, windowMs: number): string[] {
  return [String(s.mixes), pct((s.received / windowMs) * 1000), pct(s.loss * 100, 2), pct(s.relayCpu), s.perMix.toFixed(2), pct(s.perCore), pct(s.otherCpu)];
}

/** The section of docs/benchmarks.md. */
export function mediaSection(f: MediaFigures): string {
  const { warmupMs, windowMs } = f.timing;
  const clean = f.mix.filter((s) => s.loss <= mixLossLimit).at(-1);
  const failed = f.mix.find((s) => s.loss > mixLossLimit);
  const maxOther = Math.max(0, ...f.cells.map((c) => c.otherCpu), ...f.mix.map((s) => s.otherCpu));
  const behind = f.cells.filter((c) => c.generatorCpu >= 90 || c.lateP99 >= frameMs);
  const maxGenerator = Math.max(0, ...f.cells.map((c) => c.generatorCpu));
  const generatorNote = behind.length
    ? `**The generator fell behind its schedule by ${frameMs} ms or more** (p99) in ${behind.map((c) => `${c.relay} N=${c.calls}`).join(', ')}: ` +
      'the cores were busy (relay, generator and other processes), so those rows measure the machine as much as the relay.'
    : `The generator kept up in every row (at most ${maxGenerator.toFixed(0)} % of a core, late p99 under ${frameMs} ms).`;
  const otherNote = maxOther > quietLimit ? ` Other processes still used up to ${maxOther.toFixed(0)} % of a core in some windows.` : '';
  const mixNote = clean
    ? `3-party mixes per core: **${clean.perCore.toFixed(0)}** (at ${clean.mixes} mixes, the largest step with at most ${mixLossLimit * 100} % loss: ` +
      `relay CPU ${clean.relayCpu.toFixed(0)} %, loss ${(clean.loss * 100).toFixed(2)} %). One relay process sustained ` +
      (failed ? `**${clean.mixes} mixes** (${failed.mixes} lost ${(failed.loss * 100).toFixed(1)} %)` : `**at least ${clean.mixes} mixes** (the last step)`) +
      (clean.relayCpu > 100 ? '; over 100 % of a core, because V8’s helper threads (garbage collection) run beside the main thread.' : '.')
    : '3-party mixes per core: **not measured** (no step stayed within the loss limit).';
  return `## Media relay (RTP, G.711 20 ms, both directions)

N concurrent calls, each a 20 ms PCMU stream (160-byte payload) in both directions between a Remote Party socket and a
TC socket on 127.0.0.1. hometel's RTP relay runs in a process of its own (bench/media-relay-worker.ts: a RelayMediaPlane,
each call set up as the TS does it: wanSdp, setRemote, homeSdp, setClients); rtpengine ${f.rtpengine} (Debian's
rtpengine-daemon, \`--table=-1\`: userspace forwarding only, its default worker threads, ${pct(f.rtpengineThreads)} threads in all) gets
each call as an ng offer of the Remote Party's SDP and an answer of the TC's. Each relay is a fresh process per N. The
"none" row sends the same streams directly between the two sockets: the floor of the load generator's own path.

The generator (bench/media-relay.ts, one Node process) spreads the calls' phases over the 20 ms period and stamps
every packet's send time in its payload (neither relay decodes a forwarded payload). After ${warmupMs / 1000} s of warm-up it
measures for ${windowMs / 1000} s: packets sent in the window against those received at the far end (more than ${drainMs / 1000} s late counts
as lost); one-way latency, receive − send time on the one clock ("added" is the difference to the "none" row at the
same N, ~0 where that row's own run-to-run noise is larger); CPU as utime+stime over wall time in % of one core (${cpus().length} cores in all), all threads of the relay process;
"other" is every other process on the machine in the same window. "Generator late" is how far behind its 20 ms
schedule the generator sent: it falls behind when it is itself the bottleneck or the cores are all busy. Each window
starts once other processes use at most ${quietLimit} % of a core (waiting up to ${quietWaitMs / 1000} s); one in which they used more
is measured again (at most ${attempts} times, the quietest kept). ${generatorNote}${otherNote}

${table(cellHeader, f.cells.map(describeCell))}

### Mixing cost (3-party mixes, hometel)

M calls of one Remote Party and two TCs with mixing on (setClients with mixing: the relay decodes every leg, and every
20 ms sends the Remote Party the sum of the TCs and each TC the Remote Party plus the other TC), all three legs sending
20 ms PCMU, ${windowMs / 1000} s per step, a fresh relay process per step. "Mixes per core" is 100 % over the relay's CPU per
mix at that step; loss is what the three legs received against 50 packets/s each (mixed packets carry no send
stamp, so there is no latency column). M grows until loss exceeds ${mixLossLimit * 100} %. rtpengine has no counterpart: its
forwarder relays each leg to the other and mixes nothing (10.5 mixes audio only into its recording daemon's files).

${table(mixHeader, f.mix.map((s) => describeMix(s, windowMs)))}

${mixNote}
`;
}
