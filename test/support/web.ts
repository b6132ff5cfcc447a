/**
 * hometel's web application as a user meets it: `hometel start` in its own process with the web application on a
 * free port, its printed URL and one-time setup link, and pages of Debian's Chromium (test/support/browser.ts)
 * logged in to it. Helpers read what a page shows and hears (the Web Audio peak of what the hub plays to it).
 */
import assert from 'node:assert/strict';
import { mkdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import type { Page } from 'playwright-core';
import { bundleForPage } from './browser.js';
import { startConfiguredHometel, type ConfiguredHometel } from './hometel-process.js';

const repoRoot = path.resolve(path.dirname(new URL(import.meta.url).pathname), '..', '..');

export interface WebHometel {
  readonly hometel: ConfiguredHometel;
  /** http://127.0.0.1:<port>/ */
  readonly url: string;
  readonly setupLink: string;
}

/** Waits until hometel printed something matching `re` on stdout. */
export async function printed(h: ConfiguredHometel, re: RegExp, timeoutMs = 10_000): Promise<RegExpExecArray> {
  const until = Date.now() + timeoutMs;
  for (;;) {
    const m = re.exec(h.output());
    if (m) return m;
    if (Date.now() > until) throw new Error(`hometel did not print ${re}: ${h.output()}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

/**
 * The config of a hometel with one SIP line in direct mode on 127.0.0.1 (UDP, `sipPort`), no Telephony Client of its
 * own and no echo endpoint, its store in `dir` (logging at info: the test support waits for "hometel running").
 */
export function lineOnlyConfig(dir: string, sipPort: number): Record<string, unknown> {
  return {
    interfaces: ['lo'],
    dataDir: path.join(dir, 'data'),
    logLevel: 'info',
    lines: [{ name: 'home', sip: { mode: 'direct', user: 'home', host: '127.0.0.1', port: sipPort, transports: ['udp'] } }],
    clients: [],
    echo: false,
  };
}

/** `hometel start` with the config `config(dir)` plus a web application on a free port of 127.0.0.1. */
export async function startWebHometel(prefix: string, config: (dir: string) => object): Promise<WebHometel> {
  const hometel = await startConfiguredHometel(prefix, (dir) => ({ ...config(dir), web: { interface: 'lo', port: 0 } }));
  try {
    const url = (await printed(hometel, /hometel web application: (http:\/\/\S+)/))[1]!;
    const setupLink = (await printed(hometel, /open (http:\/\/\S+setup#token=\S+) to set/))[1]!;
    return { hometel, url, setupLink };
  } catch (e) {
    await hometel.stop();
    throw e;
  }
}

/** Opens the setup link and chooses the password; resolves on the home page. */
export async function setUpAdmin(page: Page, setupLink: string, password: string): Promise<void> {
  await page.goto(setupLink);
  await page.fill('input[name=password]', password);
  await page.fill('input[name=again]', password);
  await page.click('button:has-text("Set password")');
  await page.waitForSelector('h1:has-text("Home")');
}

/** Logs a page in; resolves on the home page. */
export async function logIn(page: Page, url: string, password: string): Promise<void> {
  await page.goto(url);
  await page.fill('input[name=password]', password);
  await page.click('button:has-text("Log in")');
  await page.waitForSelector('h1:has-text("Home")');
}

/** "Use this browser for calls" under `name`; resolves once the home page lists the browser as a client. */
export async function useThisBrowser(page: Page, name: string): Promise<void> {
  await page.click('nav >> text=Home');
  await page.fill('label:has-text("Name of this browser") input', name);
  await page.click('button:has-text("Use this browser for calls")');
  await page.waitForSelector(`.card:has-text("${name}") >> text=browser`);
}

/** The page's cookie header for the API (what a logged-in page sends). */
export async function sessionCookie(page: Page): Promise<string> {
  const c = (await page.context().cookies()).find((x) => x.name === 'hometel_session');
  assert.ok(c, 'the page holds a session cookie');
  return `hometel_session=${c.value}`;
}

interface PageAudio {
  HometelMedia: { ToneAnalyser: new (stream: unknown) => { resume(): Promise<void>; peakFrequency(): number; close(): Promise<void> } };
  document: { querySelectorAll(s: string): ArrayLike<{ srcObject: unknown }> };
}

let analyserBundle: Promise<string> | undefined;

/**
 * What the page hears: the peak frequencies (Hz) of the remote audio the web application plays (its <audio>
 * elements), sampled `readings` times 200 ms apart with Web Audio in the page.
 */
export async function heardPeaks(page: Page, readings = 10): Promise<number[]> {
  analyserBundle ??= bundleForPage(path.join(repoRoot, 'ui', 'src', 'webrtc', 'browser-media.ts'), 'HometelMedia');
  // The IIFE's `var` would stay local to the evaluation: hand the global over explicitly.
  await page.evaluate(`${await analyserBundle}\nglobalThis.HometelMedia = HometelMedia;`);
  return page.evaluate(async (n) => {
    const w = globalThis as unknown as PageAudio;
    const playing = Array.from(w.document.querySelectorAll('audio')).find((a) => a.srcObject);
    if (!playing) throw new Error('the page plays no remote audio');
    const a = new w.HometelMedia.ToneAnalyser(playing.srcObject);
    await a.resume();
    await new Promise((r) => setTimeout(r, 800));
    const found: number[] = [];
    for (let i = 0; i < n; i++) {
      found.push(a.peakFrequency());
      await new Promise((r) => setTimeout(r, 200));
    }
    await a.close();
    return found;
  }, readings);
}

/** Asserts that most readings of what the page hears peak at `hz` ± 30 Hz. */
export async function assertPageHears(page: Page, hz: number, what: string): Promise<void> {
  const peaks = await heardPeaks(page);
  const near = peaks.filter((f) => Math.abs(f - hz) <= 30);
  assert.ok(near.length >= 7, `${what}: the page hears ${hz} Hz in at least 7 of 10 readings: ${peaks.map((f) => f.toFixed(0)).join(', ')}`);
}

/** Where screenshots go: docs/screenshots when HOMETEL_SCREENSHOTS=docs (npm run screenshots), else `fallback`. */
export async function screenshotDir(fallback: string): Promise<string> {
  const dir = process.env.HOMETEL_SCREENSHOTS === 'docs' ? path.join(repoRoot, 'docs', 'screenshots') : fallback;
  await mkdir(dir, { recursive: true });
  return dir;
}

/** Photographs a page at the phone and the TV size into `dir` (`name`-phone.png, `name`-tv.png) and checks the files. */
export async function photographPage(page: Page, dir: string, name: string): Promise<void> {
  for (const [size, viewport] of Object.entries(viewports)) {
    await page.setViewportSize(viewport);
    await page.waitForTimeout(150);
    const file = path.join(dir, `${name}-${size}.png`);
    await page.screenshot({ path: file });
    const png = await readFile(file);
    assert.equal(png.readUInt32BE(16), viewport.width, `${file} is ${viewport.width} wide`);
    assert.equal(png.readUInt32BE(20), viewport.height);
  }
  await page.setViewportSize(viewports.tv);
}

export const viewports = {
  phone: { width: 390, height: 844 },
  tv: { width: 1920, height: 1080 },
} as const;
