/**
 * The browser as a Telephony Client's media endpoint, against a real browser: Debian's Chromium (playwright-core)
 * runs ui/src/webrtc/browser-media.ts with a fake microphone playing 440 Hz; WebRtcMediaSessions bridges it to the
 * test's own RtpEndpoint, which plays the TS leg (PCMU, 1 kHz) over real UDP on loopback. The signalling port is
 * test glue: page.evaluate carries the hub's offer to the page and its answer back.
 */
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { systemClock } from '../../src/base/clock.js';
import { dominantFrequency } from '../../src/media/audio/analysis.js';
import { PcmCollector } from '../../src/media/audio/pcm-collector.js';
import { ToneSource } from '../../src/media/audio/sources.js';
import { pcmu } from '../../src/media/codecs/g711.js';
import { PortPool } from '../../src/media/endpoint/port-pool.js';
import { RtpEndpoint } from '../../src/media/endpoint/rtp-endpoint.js';
import { intersectCapabilities, parseSdpMedia } from '../../src/media/sdp/index.js';
import { WebRtcMediaSessions, type BrowserSignalling } from '../../src/media/webrtc/index.js';
import { MediaSessionError, type MediaSessionOffer } from '../../src/telephony/domain/index.js';
import { bundleForPage, launchChromium, servePages, writeSineWav } from '../support/browser.js';
import { lo, testLogger, waitFor } from '../support/net.js';

const host = lo.address;
const dir = await mkdtemp(join(tmpdir(), 'hometel-webrtc-'));
const wav = join(dir, 'mic-440.wav');
await writeSineWav(wav, 440);
const chromium = await launchChromium({ fakeAudioFile: wav });
const pages = await servePages({
  '/': ['text/html', '<!doctype html><title>hometel media</title><script src="/media.js"></script>'],
  '/media.js': ['text/javascript', await bundleForPage('ui/src/webrtc/browser-media.ts', 'HometelMedia')],
});
const hubPorts = new PortPool({ min: 26000, max: 26019 });
const tsPorts = new PortPool({ min: 26100, max: 26119 });
const endpoints: RtpEndpoint[] = [];
const hubs: WebRtcMediaSessions[] = [];

after(async () => {
  await Promise.all(hubs.map((h) => h.closeAll()));
  await Promise.all(endpoints.map((e) => e.close()));
  await chromium.close();
  await pages.close();
  await rm(dir, { recursive: true, force: true });
  assert.equal(hubPorts.inUse, 0, `hub ports still in use: ${hubPorts.inUsePorts().join(', ')}`);
});

// ------------------------------------------------------------------------------------------------ page glue

/** What the bundle puts on the page (ui/src/webrtc/browser-media.ts), as far as the tests use it. */
interface PageMedia {
  answer(id: string, sdp: string): Promise<string>;
  close(id: string): void;
  connectionState(id: string): string | undefined;
  remoteStream(id: string): unknown;
}
interface PageGlobals {
  HometelMedia: {
    BrowserMedia: new (o: { muted: boolean }) => PageMedia;
    ToneAnalyser: new (stream: unknown) => { resume(): Promise<void>; peakFrequency(): number };
  };
  media: PageMedia;
  analyser?: { resume(): Promise<void>; peakFrequency(): number };
}
// page.evaluate sends its function's source to the page: each one reaches the page's globals on its own.

async function openPage(): Promise<Page> {
  const { page } = await chromium.newPage();
  await page.goto(`${pages.url}/`);
  await page.evaluate(() => {
    const w = globalThis as unknown as PageGlobals;
    w.media = new w.HometelMedia.BrowserMedia({ muted: true });
  });
  return page;
}

/** The signalling port wired to a page: offers answered by BrowserMedia there, closes passed on. */
function signallingTo(page: Page): BrowserSignalling {
  return {
    offer: (id, sdp) => page.evaluate(([i, s]) => (globalThis as unknown as PageGlobals).media.answer(i, s), [id, sdp] as const),
    closed: (id) => void page.evaluate((i) => (globalThis as unknown as PageGlobals).media.close(i), id).catch(() => undefined),
  };
}

const pageState = (page: Page, id: string): Promise<string | undefined> => page.evaluate((i) => (globalThis as unknown as PageGlobals).media.connectionState(i), id);

async function waitForPageState(page: Page, id: string, want: (s: string | undefined) => boolean, what: string): Promise<void> {
  const end = Date.now() + 15_000;
  for (;;) {
    const s = await pageState(page, id);
    if (want(s)) return;
    if (Date.now() > end) throw new Error(`timed out waiting for the page's peer connection to be ${what} (it is ${s})`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

function hub(page: Page, opts: { answerTimeoutMs?: number } = {}): WebRtcMediaSessions {
  const h = new WebRtcMediaSessions({
    address: host,
    ports: hubPorts,
    signalling: signallingTo(page),
    iceAddresses: [host],
    icePortRange: [26200, 26299],
    clock: systemClock,
    logger: testLogger('webrtc'),
    ...opts,
  });
  hubs.push(h);
  return h;
}

// ------------------------------------------------------------------------------------------------ TS leg

/** The TS leg: 1 kHz PCMU to wherever it is told, and everything it hears collected. */
async function tsLeg(): Promise<{ ep: RtpEndpoint; heard: PcmCollector }> {
  const heard = new PcmCollector();
  const ep = await RtpEndpoint.open({ address: host, ports: tsPorts, clock: systemClock, logger: testLogger('ts-leg'), codec: pcmu, sink: heard, source: new ToneSource(1000, 8000) });
  endpoints.push(ep);
  return { ep, heard };
}

/** The offer as the MediaManagement service would pass it: the TS leg's SDP and what it has in common with the hub. */
function offerFrom(h: WebRtcMediaSessions, id: string, tsPort: number): MediaSessionOffer {
  const remoteSdp =
    `v=0\r\no=- 1 1 IN IP4 ${host}\r\ns=TS leg\r\nc=IN IP4 ${host}\r\nt=0 0\r\n` +
    `m=audio ${tsPort} RTP/AVP 0 8 101\r\na=rtpmap:0 PCMU/8000\r\na=rtpmap:8 PCMA/8000\r\na=rtpmap:101 telephone-event/8000\r\na=fmtp:101 0-15\r\na=ptime:20\r\n`;
  const offered = parseSdpMedia(remoteSdp);
  const ours = parseSdpMedia(h.capabilities());
  assert.ok(offered.ok && ours.ok);
  return { id, remoteSdp, media: intersectCapabilities(offered.value, ours.value) };
}

const portOf = (sdp: string): number => Number(/^m=audio (\d+) /m.exec(sdp)![1]);
const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

// ------------------------------------------------------------------------------------------------ tests

test('sound both ways: the browser’s 440 Hz reaches the TS leg, the TS leg’s 1 kHz peaks in the page; close() ends the peer connection', async () => {
  const page = await openPage();
  const h = hub(page);
  const ts = await tsLeg();
  const offer = offerFrom(h, 'call-1', ts.ep.localPort);
  const answer = await h.open(offer);
  assert.match(answer, /^m=audio \d+ RTP\/AVP 0 8 101\r$/m, 'the answer carries exactly the negotiated media');
  assert.match(answer, new RegExp(`^c=IN IP4 ${host.replace(/\./g, '\\.')}\r$`, 'm'));
  const port = portOf(answer);
  assert.deepEqual(hubPorts.inUsePorts(), [port]);
  ts.ep.setRemote({ address: host, port });
  await waitForPageState(page, 'call-1', (s) => s === 'connected', 'connected');

  // The page: the remote stream through Web Audio, peak frequency sampled for a while.
  await waitFor(() => h.counters.packetsToBrowser > 50, 'RTP on its way to the browser');
  const peaks = await page.evaluate(async (id) => {
    const w = globalThis as unknown as PageGlobals;
    const a = new w.HometelMedia.ToneAnalyser(w.media.remoteStream(id));
    await a.resume();
    const found: number[] = [];
    for (let i = 0; i < 10; i++) {
      await new Promise((r) => setTimeout(r, 200));
      found.push(a.peakFrequency());
    }
    return found;
  }, 'call-1');
  const heardPeaks = peaks.filter((f) => Math.abs(f - 1000) <= 30);
  assert.ok(heardPeaks.length >= 7, `the page's analyser peaks at 1 kHz ± 30 Hz in at least 7 of 10 readings: ${peaks.map((f) => f.toFixed(0)).join(', ')}`);

  // The TS leg: two seconds of what the browser's microphone plays.
  ts.heard.clear();
  await sleep(2000);
  const samples = ts.heard.samples();
  assert.ok(samples.length >= 8000, `the TS leg heard ${samples.length} samples in 2 s`);
  const f = dominantFrequency(samples, 8000);
  assert.ok(f !== undefined && Math.abs(f - 440) <= 5, `the TS leg hears the browser at ${f} Hz, expected 440 ± 5`);
  const c = h.counters;
  assert.ok(c.packetsFromBrowser > 50 && c.packetsToBrowser > 50, `packets both ways: ${JSON.stringify(c)}`);

  await h.close('call-1');
  assert.equal(hubPorts.inUse, 0, 'close() released the session’s ports');
  assert.deepEqual(h.openSessions(), []);
  assert.equal(await pageState(page, 'call-1'), undefined, 'the page closed its peer connection on BrowserSignalling.closed');
  await page.close();
});

test('a page that never answers: open() rejects with MediaSessionError(failed) after the answer timeout, nothing is left open', async () => {
  const page = await openPage();
  const h = new WebRtcMediaSessions({
    address: host,
    ports: hubPorts,
    signalling: { offer: () => new Promise<string>(() => undefined), closed: () => undefined },
    iceAddresses: [host],
    clock: systemClock,
    logger: testLogger('webrtc'),
    answerTimeoutMs: 1000,
  });
  const ts = await tsLeg();
  await assert.rejects(h.open(offerFrom(h, 'silent', ts.ep.localPort)), (e: unknown) => e instanceof MediaSessionError && e.failure === 'failed' && /did not answer within 1000 ms/.test(e.message));
  assert.equal(hubPorts.inUse, 0);
  assert.deepEqual(h.openSessions(), []);
  await page.close();
});

test('closing the page ends the session: listener.ended, ports released', async () => {
  const page = await openPage();
  const h = hub(page);
  const ended: Array<{ id: string; reason: string }> = [];
  h.setListener({ ended: (id, reason) => ended.push({ id, reason }) });
  const ts = await tsLeg();
  const answer = await h.open(offerFrom(h, 'call-2', ts.ep.localPort));
  ts.ep.setRemote({ address: host, port: portOf(answer) });
  await waitForPageState(page, 'call-2', (s) => s === 'connected', 'connected');
  await page.close();
  await waitFor(() => ended.length > 0, 'the session to end after the page closed', 60_000);
  assert.equal(ended[0]!.id, 'call-2');
  assert.match(ended[0]!.reason, /peer connection/);
  assert.deepEqual(h.openSessions(), []);
  assert.equal(hubPorts.inUse, 0);
});

test('browserEnded (the web application lost the browser): the session ends at once, the page is told to close', async () => {
  const page = await openPage();
  const h = hub(page);
  const ended: string[] = [];
  h.setListener({ ended: (id, reason) => ended.push(`${id}: ${reason}`) });
  const ts = await tsLeg();
  const answer = await h.open(offerFrom(h, 'call-3', ts.ep.localPort));
  ts.ep.setRemote({ address: host, port: portOf(answer) });
  await waitForPageState(page, 'call-3', (s) => s === 'connected', 'connected');
  await h.browserEnded('call-3', 'event stream closed');
  assert.deepEqual(ended, ['call-3: event stream closed']);
  assert.equal(hubPorts.inUse, 0);
  await waitForPageState(page, 'call-3', (s) => s === undefined, 'closed by BrowserSignalling.closed');
  await page.close();
});
