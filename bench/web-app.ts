/**
 * The web application (issue 11): how fast an incoming call reaches a screen, and what the first load weighs.
 *
 * - Incoming INVITE → popup visible: `hometel start` in its own process with a SIP line and the web application;
 *   one logged-in Chromium page (test/support/browser.ts); SIPp calls the line CALLS times, one call at a time
 *   (test/peers/sipp/uac-cancel.xml: it lets the call ring, then cancels). The INVITE's time is its capture on lo
 *   (tcpdump, kernel timestamps); the popup's is the page's own clock (a MutationObserver notes when each popup
 *   is added to the page). Both are this machine's wall clock.
 * - Page weight: the JavaScript, CSS and HTML of the first load, gzip-compressed as hometel serves them.
 * - Time to interactive: a logged-in page loaded afresh until the home page shows and the live-event stream is
 *   connected (performance.now() in the page at that moment, i.e. from the navigation's start).
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';
import type { Page } from 'playwright-core';
import { launchChromium } from '../test/support/browser.js';
import { lo } from '../test/support/net.js';
import { captureUdpTo } from '../test/support/pcap.js';
import { freeLoopbackPort, runSipp, SIPP_SCENARIO_DIR } from '../test/support/sipp.js';
import { lineOnlyConfig, setUpAdmin, startWebHometel } from '../test/support/web.js';
import { percentile, table } from './stats.js';

const calls = Number(process.env.BENCH_WEB_CALLS ?? 50);
const loads = 10;
const uiDir = fileURLToPath(new URL('../dist/ui/', import.meta.url));

export interface WebFigures {
  readonly calls: number;
  readonly popupP50: number;
  readonly popupP99: number;
  readonly popupMax: number;
  readonly weight: Array<{ file: string; bytes: number; gzip: number }>;
  readonly ttiP50: number;
  readonly ttiMax: number;
}

interface PageClock {
  popups: number[];
}

/** Notes the wall-clock time at which each incoming-call popup appears in the page. */
async function watchPopups(page: Page): Promise<void> {
  await page.evaluate(() => {
    const w = globalThis as unknown as PageClock & { MutationObserver: new (f: (records: Array<{ addedNodes: ArrayLike<{ querySelector?(s: string): unknown; matches?(s: string): boolean }> }>) => void) => { observe(n: unknown, o: object): void }; document: { body: unknown }; performance: { timeOrigin: number; now(): number } };
    w.popups = [];
    new w.MutationObserver((records) => {
      for (const r of records) {
        for (const n of Array.from(r.addedNodes)) {
          if (n.matches?.('.popup') || n.querySelector?.('.popup')) w.popups.push(w.performance.timeOrigin + w.performance.now());
        }
      }
    }).observe(w.document.body, { childList: true, subtree: true });
  });
}

async function popupLatency(page: Page, sipPort: number): Promise<number[]> {
  await watchPopups(page);
  const capture = await captureUdpTo(sipPort);
  const localPort = await freeLoopbackPort();
  const sipp = await runSipp({
    scenario: `${SIPP_SCENARIO_DIR}/uac-cancel.xml`,
    remote: `${lo.address}:${sipPort}`,
    service: 'home',
    localPort,
    transport: 'u1',
    calls,
    rate: 1,
    ratePeriodMs: 2000,
    maxConcurrent: 1,
    vars: { ringms: '1200' },
    timeoutMs: calls * 4000 + 30_000,
  });
  await sipp.done;
  const invites = new Map<string, number>();
  for (const d of await capture.stop()) {
    const text = d.payload.toString('latin1');
    if (!text.startsWith('INVITE ')) continue;
    const callId = /^Call-ID:\s*(\S+)/im.exec(text)?.[1] ?? '';
    if (!invites.has(callId)) invites.set(callId, d.atMs);
  }
  const shown = await page.evaluate(() => (globalThis as unknown as PageClock).popups);
  const sent = [...invites.values()];
  if (shown.length !== sent.length) throw new Error(`${sent.length} INVITEs but ${shown.length} popups`);
  return sent.map((t, i) => shown[i]! - t);
}

async function timeToInteractive(page: Page, url: string): Promise<number[]> {
  const out: number[] = [];
  for (let i = 0; i < loads; i++) {
    await page.goto(url);
    await page.waitForSelector('h1:has-text("Home")');
    await page.waitForSelector('header .dot.ok');
    out.push(await page.evaluate(() => (globalThis as unknown as { performance: { now(): number } }).performance.now()));
  }
  return out;
}

export async function webAppBench(): Promise<WebFigures> {
  const weight = ['app.js', 'app.css', 'index.html'].map((file) => {
    const body = readFileSync(join(uiDir, file));
    return { file, bytes: body.length, gzip: gzipSync(body, { level: 9 }).length };
  });
  const sipPort = await freeLoopbackPort();
  const web = await startWebHometel('hometel-web-bench-', (d) => lineOnlyConfig(d, sipPort));
  const browser = await launchChromium();
  try {
    const { page } = await browser.newPage();
    await setUpAdmin(page, web.setupLink, 'a password for the benchmark');
    const tti = (await timeToInteractive(page, web.url)).sort((a, b) => a - b);
    const popup = (await popupLatency(page, sipPort)).sort((a, b) => a - b);
    return {
      calls: popup.length,
      popupP50: percentile(popup, 50),
      popupP99: percentile(popup, 99),
      popupMax: popup.at(-1)!,
      weight,
      ttiP50: percentile(tti, 50),
      ttiMax: tti.at(-1)!,
    };
  } finally {
    await browser.close();
    await web.hometel.stop();
  }
}

export function describeWeb(f: WebFigures): string {
  const total = f.weight.reduce((s, w) => s + w.gzip, 0);
  return `### Incoming call → popup (${f.calls} calls)

${table(['calls', 'p50 ms', 'p99 ms', 'max ms'], [[String(f.calls), f.popupP50.toFixed(1), f.popupP99.toFixed(1), f.popupMax.toFixed(1)]])}

### First load

${table(['file', 'bytes', 'gzip bytes'], [...f.weight.map((w) => [w.file, String(w.bytes), String(w.gzip)]), ['total', String(f.weight.reduce((s, w) => s + w.bytes, 0)), String(total)]])}

Time to interactive (logged in, home page shown and live events connected, ${loads} loads): p50 ${f.ttiP50.toFixed(0)} ms, max ${f.ttiMax.toFixed(0)} ms.`;
}
