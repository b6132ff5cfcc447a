/**
 * The WebRTC bridge (src/media/webrtc/): how long audio takes from a TS leg through the hub, a browser and back,
 * and the hub's CPU per call, at 1 and 20 concurrent sessions.
 *
 * The hub runs in its own process (bench/webrtc-bridge-worker.ts); Debian's Chromium (test/support/browser.ts) holds
 * one page with every session's peer connection, and sends what it receives back (BrowserMedia.loopBack: the remote
 * track on its own sender). This process is the TS legs: per session a UDP socket sending 20 ms PCMU packets of
 * silence with a 40 ms 1 kHz burst every BURST_EVERY_MS, and watching what comes back for each burst's onset. The
 * browser decodes and re-encodes (audio is all that crosses it), so latency is measured on the sound:
 * round trip = arrival of the packet holding the onset + the onset's place in it − the send time of the burst's
 * first packet. It contains the hub twice (TS → browser, browser → TS), the browser's jitter buffer and its
 * re-encoding, and loopback UDP. An echo that takes longer than BURST_EVERY_MS is not counted ("bursts heard"
 * falls short), so a p99 near that bound understates the tail. CPU is utime+stime of the hub's process over the
 * window, % of one core.
 *
 *   node --import tsx bench/webrtc-bridge.ts        (BENCH_WEBRTC_WINDOW_MS, default 20000); npm run bench runs it too
 */
import { fork, type ChildProcess } from 'node:child_process';
import { createSocket, type Socket } from 'node:dgram';
import { readFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Page } from 'playwright-core';
import { pcmu } from '../src/media/codecs/g711.js';
import { parseRtp, serializeRtp } from '../src/media/rtp/packet.js';
import { bundleForPage, launchChromium, servePages, writeSineWav } from '../test/support/browser.js';
import { terminate, trackChild } from '../test/support/children.js';
import type { BridgeCommand, BridgeEvent } from './webrtc-bridge-worker.js';
import { cpuTicks, USER_HZ } from './proc-stat.js';
import { ms, percentile, table } from './stats.js';

const host = '127.0.0.1';
const windowMs = Number(process.env.BENCH_WEBRTC_WINDOW_MS ?? 20_000);
const warmupMs = 3000;
const burstEveryMs = 500;
const burstPackets = 2;
/** A decoded sample louder than this starts a burst (the silence decodes to 0; the burst peaks at 8000). */
const onsetLevel = 2000;
/** Apart from the other benchmarks' ranges (10000–19999) and the tests' (20000–31999). */
const hubPorts = { min: 9000, max: 9199 };
const icePorts = { min: 9200, max: 9399 };
const workerPath = fileURLToPath(new URL('./webrtc-bridge-worker.ts', import.meta.url));

interface PageMedia {
  answer(id: string, sdp: string): Promise<string>;
  connectionState(id: string): string | undefined;
  loopBack(id: string): Promise<void>;
  remoteStream(id: string): unknown;
  closeAll(): void;
}
interface PageGlobals {
  HometelMedia: { BrowserMedia: new (o: { muted: boolean }) => PageMedia };
  media: PageMedia;
}

/** The hub's process, its signalling wired to the page. */
function startHub(page: Page): { child: ChildProcess; events: (pred: (e: BridgeEvent) => boolean) => Promise<BridgeEvent>; send(c: BridgeCommand): void } {
  const child = fork(workerPath, [hubPorts.min, hubPorts.max, icePorts.min, icePorts.max].map(String), { execArgv: ['--import', 'tsx'], stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
  trackChild(child);
  const waiters: Array<{ pred: (e: BridgeEvent) => boolean; resolve: (e: BridgeEvent) => void }> = [];
  child.on('message', (e: BridgeEvent) => {
    if (e.type === 'offer') {
      void page
        .evaluate(([id, sdp]) => (globalThis as unknown as PageGlobals).media.answer(id, sdp), [e.id, e.sdp] as const)
        .then((sdp) => child.send({ cmd: 'answer', id: e.id, sdp } satisfies BridgeCommand));
    }
    const i = waiters.findIndex((w) => w.pred(e));
    if (i >= 0) waiters.splice(i, 1)[0]!.resolve(e);
  });
  return {
    child,
    events: (pred) => new Promise((resolve) => waiters.push({ pred, resolve })),
    send: (c) => void child.send(c),
  };
}

/** One TS leg: sends silence with bursts, finds each burst's onset in what comes back. */
class TsLeg {
  readonly latencies: number[] = [];
  port = 0;
  private seq = 0;
  private ts = 0;
  private n = 0;
  private lastBurstAt: number | undefined;
  private matched = true;
  private loud = false;
  measuring = false;

  constructor(readonly sock: Socket) {
    sock.on('message', (d: Buffer) => this.receive(d));
  }

  tick(now: number, hubPort: number, burstPayload: readonly Uint8Array[], silence: Uint8Array): void {
    const slot = this.n++ % (burstEveryMs / 20);
    const payload = slot < burstPackets ? burstPayload[slot]! : silence;
    if (slot === 0 && this.measuring) {
      this.lastBurstAt = now;
      this.matched = false;
    }
    this.sock.send(serializeRtp({ payloadType: 0, sequenceNumber: this.seq, timestamp: this.ts, ssrc: 0x5e55, marker: this.n === 1, payload }), hubPort, host);
    this.seq = (this.seq + 1) & 0xffff;
    this.ts = (this.ts + 160) >>> 0;
  }

  private receive(d: Buffer): void {
    const now = performance.now();
    const r = parseRtp(d);
    if (!r.ok) return;
    const samples = pcmu.decode(r.packet.payload);
    const at = samples.findIndex((s) => Math.abs(s) > onsetLevel);
    if (at < 0) {
      this.loud = false;
      return;
    }
    if (this.loud) return;
    this.loud = true;
    if (this.matched || this.lastBurstAt === undefined) return;
    this.matched = true;
    this.latencies.push(now - this.lastBurstAt + at / 8);
  }
}

function hubCpuTicks(pid: number): number {
  return cpuTicks(readFileSync(`/proc/${pid}/stat`, 'utf8'));
}

async function run(sessions: number, page: Page): Promise<string[]> {
  const hub = startHub(page);
  await hub.events((e) => e.type === 'ready');
  const legs: TsLeg[] = [];
  for (let i = 0; i < sessions; i++) {
    const sock = createSocket('udp4');
    await new Promise<void>((resolve) => sock.bind(0, host, resolve));
    legs.push(new TsLeg(sock));
  }
  const burst = [0, 1].map((k) => pcmu.encode(Int16Array.from({ length: 160 }, (_, i) => Math.round(8000 * Math.sin((2 * Math.PI * 1000 * (k * 160 + i)) / 8000)))));
  const silence = pcmu.encode(new Int16Array(160));
  let timer: NodeJS.Timeout | undefined;
  try {
    for (const [i, leg] of legs.entries()) {
      const id = `bench-${i}`;
      const opened = hub.events((e) => (e.type === 'opened' || e.type === 'failed') && e.id === id);
      hub.send({ cmd: 'open', id, tsPort: leg.sock.address().port });
      const e = await opened;
      if (e.type !== 'opened') throw new Error(`session ${id}: ${e.type === 'failed' ? e.error : e.type}`);
      leg.port = e.port;
    }
    // 20 ms packets, paced on the clock rather than on setInterval's drift.
    const start = performance.now();
    let sent = 0;
    const pace = (): void => {
      const now = performance.now();
      while (start + sent * 20 <= now) {
        for (const leg of legs) leg.tick(now, leg.port, burst, silence);
        sent++;
      }
      timer = setTimeout(pace, Math.max(0, start + sent * 20 - performance.now()));
    };
    pace();
    // Every session connected and looped back in the page.
    await page.waitForFunction((n) => {
      const m = (globalThis as unknown as PageGlobals).media;
      for (let i = 0; i < n; i++) if (m.connectionState(`bench-${i}`) !== 'connected' || !m.remoteStream(`bench-${i}`)) return false;
      return true;
    }, sessions, { timeout: 60_000 });
    await page.evaluate(async (n) => {
      const m = (globalThis as unknown as PageGlobals).media;
      for (let i = 0; i < n; i++) await m.loopBack(`bench-${i}`);
    }, sessions);
    await new Promise((r) => setTimeout(r, warmupMs));
    for (const leg of legs) leg.measuring = true;
    const cpu0 = hubCpuTicks(hub.child.pid!);
    const t0 = performance.now();
    await new Promise((r) => setTimeout(r, windowMs));
    const cpu = ((hubCpuTicks(hub.child.pid!) - cpu0) / USER_HZ / ((performance.now() - t0) / 1000)) * 100;
    for (const leg of legs) leg.measuring = false;
    clearTimeout(timer);
    timer = undefined;
    const closed = hub.events((e) => e.type === 'closed');
    hub.send({ cmd: 'close' });
    const c = await closed;
    const all = legs.flatMap((l) => l.latencies).sort((a, b) => a - b);
    const bursts = legs.length * Math.floor(windowMs / burstEveryMs);
    const counters = c.type === 'closed' ? c.counters : undefined;
    return [
      String(sessions),
      `${all.length}/${bursts}`,
      ms(percentile(all, 50)),
      ms(percentile(all, 99)),
      cpu.toFixed(1),
      (cpu / sessions).toFixed(2),
      String(counters?.packetsToBrowser ?? '–'),
      String(counters?.packetsFromBrowser ?? '–'),
      String(counters?.dropped ?? '–'),
    ];
  } finally {
    if (timer) clearTimeout(timer);
    for (const leg of legs) leg.sock.close();
    await page.evaluate(() => (globalThis as unknown as PageGlobals).media.closeAll());
    await terminate(hub.child, 5000);
  }
}

/** Both rows (1 and 20 sessions) as a markdown table. */
export async function webrtcBridgeTable(): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'hometel-webrtc-bench-'));
  const wav = join(dir, 'silence.wav');
  await writeSineWav(wav, 0); // the microphone is replaced by the loop; silence until then
  const chromium = await launchChromium({ fakeAudioFile: wav });
  const pages = await servePages({
    '/': ['text/html', '<!doctype html><title>bench</title><script src="/media.js"></script>'],
    '/media.js': ['text/javascript', await bundleForPage(fileURLToPath(new URL('../ui/src/webrtc/browser-media.ts', import.meta.url)), 'HometelMedia')],
  });
  try {
    const { page } = await chromium.newPage();
    await page.goto(`${pages.url}/`);
    await page.evaluate(() => {
      const w = globalThis as unknown as PageGlobals;
      w.media = new w.HometelMedia.BrowserMedia({ muted: true });
    });
    const rows: string[][] = [];
    for (const n of [1, 20]) {
      rows.push(await run(n, page));
      console.error(`webrtc bridge: ${n} session(s) done`);
    }
    return table(['sessions', 'bursts heard', 'round trip p50 (ms)', 'p99 (ms)', 'hub CPU (% of a core)', 'per call (%)', 'to browser', 'from browser', 'dropped'], rows);
  } finally {
    await chromium.close();
    await pages.close();
    await rm(dir, { recursive: true, force: true });
  }
}

// Run alone: print the table.
if (process.argv[1] === fileURLToPath(import.meta.url)) console.log(await webrtcBridgeTable());
