/**
 * A real browser for the web tests: Debian's Chromium driven by playwright-core (never a downloaded browser), with
 * a fresh profile, no background traffic, and optionally a fake microphone that plays a WAV file; test pages bundled
 * from ui/ with esbuild and served from 127.0.0.1 (a secure context, so getUserMedia works).
 */
import { once } from 'node:events';
import { createServer, type Server } from 'node:http';
import { writeFile } from 'node:fs/promises';
import type { AddressInfo } from 'node:net';
import { build } from 'esbuild';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';
import { wavHeader } from '../../src/media/audio/wav.js';

export const chromiumPath = '/usr/bin/chromium';

export interface ChromiumOptions {
  /** A WAV file the fake microphone plays (looped); without it the fake device plays its own beeps. */
  readonly fakeAudioFile?: string;
  /** More command-line flags. */
  readonly args?: readonly string[];
}

export interface TestBrowser {
  readonly browser: Browser;
  /** A fresh context (its own cookies and storage) with one page; closing the browser closes it too. */
  newPage(): Promise<{ context: BrowserContext; page: Page }>;
  /** Closes the browser (its process and profile go with it); closing twice does nothing. */
  close(): Promise<void>;
}

/** Flags that keep Chromium quiet on a closed network and let WebRTC run on loopback with fake media. */
function chromiumArgs(o: ChromiumOptions): string[] {
  return [
    '--no-sandbox',
    '--disable-gpu',
    '--disable-quic',
    '--no-first-run',
    '--disable-background-networking',
    '--disable-component-update',
    '--disable-sync',
    '--use-fake-ui-for-media-stream',
    '--use-fake-device-for-media-stream',
    ...(o.fakeAudioFile !== undefined ? [`--use-file-for-fake-audio-capture=${o.fakeAudioFile}`] : []),
    // Host candidates on 127.0.0.1 (otherwise Chromium offers only the interfaces' addresses).
    '--allow-loopback-in-peer-connection',
    // Remote audio plays without a user gesture.
    '--autoplay-policy=no-user-gesture-required',
    ...(o.args ?? []),
  ];
}

export async function launchChromium(o: ChromiumOptions = {}): Promise<TestBrowser> {
  // Headless, and a fresh temporary profile that playwright makes and removes itself.
  const browser = await chromium.launch({ executablePath: chromiumPath, args: chromiumArgs(o) });
  let closed: Promise<void> | undefined;
  return {
    browser,
    async newPage() {
      const context = await browser.newContext();
      return { context, page: await context.newPage() };
    },
    close() {
      closed ??= browser.close();
      return closed;
    },
  };
}

/** A mono 16-bit PCM WAV of a sine at `hz` (amplitude 0.5 full scale), for the fake microphone. */
export async function writeSineWav(path: string, hz: number, o: { sampleRate?: number; seconds?: number } = {}): Promise<void> {
  const rate = o.sampleRate ?? 48_000;
  const n = Math.round(rate * (o.seconds ?? 2));
  const data = Buffer.alloc(n * 2);
  for (let i = 0; i < n; i++) data.writeInt16LE(Math.round(16_384 * Math.sin((2 * Math.PI * hz * i) / rate)), i * 2);
  await writeFile(path, Buffer.concat([wavHeader(data.length, { sampleRate: rate }), data]));
}

/** One ESM script from a TypeScript entry (ui/ code), bundled in memory; its exports become `window[globalName]`. */
export async function bundleForPage(entry: string, globalName: string): Promise<string> {
  const r = await build({ entryPoints: [entry], bundle: true, write: false, format: 'iife', globalName, target: 'es2022', logLevel: 'silent' });
  return r.outputFiles[0]!.text;
}

export interface TestPageServer {
  /** http://127.0.0.1:<port> */
  readonly url: string;
  close(): Promise<void>;
}

/** Serves fixed files (path → [content type, body]) on 127.0.0.1; anything else is 404. */
export async function servePages(files: Record<string, readonly [string, string]>): Promise<TestPageServer> {
  const server: Server = createServer((req, res) => {
    const file = files[new URL(req.url ?? '/', 'http://x').pathname];
    res.writeHead(file ? 200 : 404, { 'content-type': file ? file[0] : 'text/plain' });
    res.end(file ? file[1] : 'not found');
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    close: () => {
      server.closeAllConnections();
      return new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
