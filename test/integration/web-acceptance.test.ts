/**
 * Issue 11's acceptance, as a user meets it: `hometel start` in its own process (a SIP line, its own Telephony
 * Client "tv" that records, the web application on a free port), SIPp as the Remote Party (answering or calling,
 * playing a tone, captured on lo), and Debian's Chromium driven by playwright-core, whose fake microphone plays
 * 440 Hz.
 *
 * 1. First run and login: the setup link sets the password once; a wrong password is refused; the API without a
 *    session answers 401; the live-event stream refuses a foreign Origin.
 * 2. A call from the browser as a Telephony Client to SIPp: SIPp hears 440 Hz, the page hears SIPp's 1 kHz (Web
 *    Audio in the page); hung up from the page; the call log shows it.
 * 3. An incoming call on two pages: both pop up with the caller's number; one answers here; the other's popup says
 *    who answered and closes; sound both ways.
 * 4. Answer on a Telephony Client: the page answers on hometel's own TC; the TC's recording has SIPp's tone.
 * 5. A GUPnP control point finds a browser's Telephony Client, invokes GetMediaCapabilities on it, and sees it go
 *    (byebye) when the page closes.
 * 6. /metrics (with an API token) passes promtool; its call counters moved by one per call of the tests above.
 * Every page is photographed at 390×844 and 1920×1080 (docs/screenshots with `npm run screenshots`).
 */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdir, readdir, readFile, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { dominantFrequency } from '../../src/media/audio/analysis.js';
import { wavToPcm8k } from '../../src/media/audio/wav-file-source.js';
import { launchChromium, writeSineWav, type TestBrowser } from '../support/browser.js';
import { lo } from '../support/net.js';
import { answeringParty, callingParty, decodePcmu, type RemoteParty } from '../support/remote-party.js';
import { freeLoopbackPort } from '../support/sipp.js';
import { runHometel } from '../support/hometel-process.js';
import { promtoolCheck, sample } from '../support/prometheus.js';
import { GupnpControlPoint } from '../support/gupnp.js';
import { mediaManagementServiceType } from '../../src/telephony/contracts/media-management/index.js';
import { assertPageHears, logIn, photographPage, screenshotDir, sessionCookie, setUpAdmin, startWebHometel, useThisBrowser, type WebHometel } from '../support/web.js';

const password = 'a password for the tests';
const micHz = 440;

let web: WebHometel;
let sipPort: number;
let browser: TestBrowser;
let page1: Page;
let page2: Page;
let shots: string;
/** Every URL the pages asked for. */
const requested: string[] = [];
const work = join(tmpdir(), `hometel-web-acceptance-${process.pid}`);

before(async () => {
  sipPort = await freeLoopbackPort();
  web = await startWebHometel('hometel-web-acceptance-', (d) => ({
    name: 'hometel web acceptance',
    interfaces: ['lo'],
    dataDir: join(d, 'data'),
    logLevel: 'info',
    lines: [{ name: 'home', sip: { mode: 'direct', user: 'home', host: lo.address, port: sipPort, transports: ['udp'] } }],
    clients: [{ name: 'tv', source: 'silence', recordDir: join(d, 'tv'), rtpPorts: { min: 47600, max: 47699 } }],
    media: { rtpPortMin: 47400, rtpPortMax: 47599 },
    echo: false,
  }));
  const mic = join(work, 'mic.wav');
  await mkdir(work, { recursive: true });
  await writeSineWav(mic, micHz, { sampleRate: 48000, seconds: 10 });
  browser = await launchChromium({ fakeAudioFile: mic });
  page1 = (await browser.newPage()).page;
  page2 = (await browser.newPage()).page;
  for (const p of [page1, page2]) p.on('request', (r) => requested.push(r.url()));
  shots = await screenshotDir(join(work, 'screenshots'));
});

after(async () => {
  await browser?.close();
  const log = await web?.hometel.stop();
  await rm(work, { recursive: true, force: true });
  if (log !== undefined) {
    assert.match(log, /stopping signal=SIGTERM/);
    assert.ok(!log.includes(password), 'the password is never logged');
    assert.ok(!/setup#token|token=[A-Za-z0-9_-]{20}/.test(log), 'the setup token is never logged');
  }
});

const photograph = (page: Page, name: string): Promise<void> => photographPage(page, shots, name);

const api = (path: string, init: RequestInit = {}) => fetch(new URL(path, web.url), init);
const origin = () => new URL(web.url).origin;

test('acceptance 1: the setup link sets the password once; login; a wrong password is refused; the API needs a session; a foreign Origin cannot open the event stream', async () => {
  assert.equal((await api('/api/home')).status, 401, 'no session, no API');
  assert.equal((await api('/api/events')).status, 401);
  assert.equal((await api('/api/events', { headers: { origin: 'http://evil.example' } })).status, 403, 'a foreign Origin is refused');

  await setUpAdmin(page1, web.setupLink, password);
  const cookie = await sessionCookie(page1);
  assert.equal((await api('/api/events', { headers: { cookie, origin: 'http://evil.example' } })).status, 403, 'a foreign Origin is refused even with a session');
  const events = await api('/api/events', { headers: { cookie } });
  assert.equal(events.status, 200);
  assert.match(events.headers.get('content-type') ?? '', /text\/event-stream/);
  await events.body?.cancel();

  // The link works once: a second use is refused, in the page and at the API.
  await page2.goto(web.setupLink);
  await page2.waitForSelector('[role=alert]:has-text("used already")');
  const token = new URL(web.setupLink).hash.replace('#token=', '');
  const again = await api('/api/setup', { method: 'POST', headers: { 'content-type': 'application/json', origin: origin() }, body: JSON.stringify({ token, password: 'another password here' }) });
  assert.equal(again.status, 409, 'setup is done: the token is refused');

  await page2.goto(web.url);
  await page2.waitForSelector('button:has-text("Log in")');
  await photograph(page2, 'login');
  await page2.fill('input[name=password]', 'not the password at all');
  await page2.click('button:has-text("Log in")');
  assert.match((await page2.textContent('[role=alert]')) ?? '', /password/i, 'a wrong password is refused');
  await logIn(page2, web.url, password);
});

async function callPage(page: Page): Promise<void> {
  await page.click('nav >> text=Calls');
  await page.waitForSelector('h1:has-text("Calls")');
}

test('acceptance 2: the browser calls SIPp as a Telephony Client: SIPp hears the microphone, the page hears SIPp; hung up from the page; the call log shows it', async () => {
  await useThisBrowser(page1, 'Laptop');
  await photograph(page1, 'home');
  const party = await answeringParty(1000);
  try {
    await page1.click('nav >> text=Dial');
    await page1.fill('input[name=callee]', party.uri);
    await photograph(page1, 'dial');
    await page1.click('button:has-text("Call")');
    await page1.waitForSelector('.call .status:has-text("Talking")', { timeout: 20_000 });
    await assertPageHears(page1, 1000, 'the browser hears SIPp');
    await photograph(page1, 'calls');
    await page1.click('.call button:has-text("Hang up")');
    await page1.waitForSelector('text=No calls right now.');
    const heard = decodePcmu(await party.received());
    const f = dominantFrequency(heard, 8000);
    assert.ok(f !== undefined && Math.abs(f - micHz) <= 10, `SIPp hears the browser's microphone: ${f} Hz, expected ${micHz}`);
  } finally {
    await party.stop();
  }
  await page1.click('nav >> text=Call log');
  const row = page1.locator('table.log tbody tr', { hasText: 'service@' }).first();
  await row.waitFor();
  assert.match((await row.textContent()) ?? '', /outgoing.*answered/);
  await photograph(page1, 'log');
});

/** SIPp calling the line as `caller`, playing `hz`; the popup of `page` for it. */
async function incoming(caller: string, hz: number): Promise<RemoteParty> {
  return callingParty({ remote: `${lo.address}:${sipPort}`, service: 'home', toneHz: hz, caller, callerName: 'Alice' });
}

test('acceptance 3: an incoming call pops up on two pages; one answers here, the other says who answered; sound both ways', async () => {
  await useThisBrowser(page2, 'Phone');
  const party = await incoming('0301234567', 1000);
  try {
    const popup1 = page1.locator('.popup', { hasText: '0301234567' });
    const popup2 = page2.locator('.popup', { hasText: '0301234567' });
    await popup1.waitFor({ timeout: 15_000 });
    // Both pages follow one event stream each: the second shows the call within a second of the first.
    await popup2.waitFor({ timeout: 1000 });
    assert.match((await popup1.textContent()) ?? '', /Alice/);
    // Keyboard first: the popup takes the focus on "Answer here", so Enter (or a remote's OK) answers.
    assert.equal(await page1.evaluate(() => (globalThis as unknown as { document: { activeElement: { textContent: string } | null } }).document.activeElement?.textContent), 'Answer here');
    await photograph(page1, 'incoming');
    await popup2.locator('button:has-text("Answer here")').click();
    await page1.locator('.popup .answered', { hasText: 'Answered by Phone' }).waitFor({ timeout: 15_000 });
    await popup1.waitFor({ state: 'detached', timeout: 10_000 });
    await callPage(page2);
    await page2.waitForSelector('.call .status:has-text("Talking")');
    await assertPageHears(page2, 1000, 'the answering page hears the caller');
    await page2.click('.call button:has-text("Hang up")');
    await page2.waitForSelector('text=No calls right now.');
    const f = dominantFrequency(decodePcmu(await party.received()), 8000);
    assert.ok(f !== undefined && Math.abs(f - micHz) <= 10, `the caller hears the answering browser: ${f} Hz`);
  } finally {
    await party.stop();
  }
});

test("acceptance 4: 'Answer on ‹TC›' answers on hometel's own Telephony Client, which records the caller's tone", async () => {
  const recordings = join(web.hometel.dir, 'tv');
  const before = new Set(await readdir(recordings).catch(() => []));
  const party = await incoming('0307654321', 600);
  try {
    const popup = page1.locator('.popup', { hasText: '0307654321' });
    await popup.waitFor({ timeout: 15_000 });
    await popup.locator('select').selectOption({ label: 'tv client' });
    await popup.locator('button:has-text("Answer on tv client")').click();
    await callPage(page1);
    await page1.waitForSelector('.call .status:has-text("Talking")');
    await page1.waitForTimeout(3000);
    await page1.click('.call button:has-text("Hang up")');
    await page1.waitForSelector('text=No calls right now.');
  } finally {
    await party.stop();
  }
  let file: string | undefined;
  for (let i = 0; i < 50 && !file; i++) {
    const fresh = (await readdir(recordings)).filter((f) => f.endsWith('.wav') && !before.has(f));
    if (fresh.length > 0 && (await stat(join(recordings, fresh[0]!))).size > 44) file = fresh[0];
    else await new Promise((r) => setTimeout(r, 100));
  }
  assert.ok(file, 'the TC recorded the call');
  const f = dominantFrequency(wavToPcm8k(await readFile(join(recordings, file))), 8000);
  assert.ok(f !== undefined && Math.abs(f - 600) <= 10, `the TC's recording is the caller's 600 Hz: ${f} Hz`);
});

test('the settings page: API tokens and the password', async () => {
  await page1.click('nav >> text=Settings');
  await page1.fill('label:has-text("Label") input', 'home assistant');
  await page1.click('button:has-text("Make a token")');
  const token = (await page1.locator('code.token').textContent()) ?? '';
  assert.match(token, /^htk_/);
  const home = await api('/api/home', { headers: { authorization: `Bearer ${token}` } });
  assert.equal(home.status, 200, 'the token opens the API');
  const body = (await home.json()) as { lines: Array<{ friendlyName: string }>; clients: Array<{ friendlyName: string; browser?: boolean }> };
  assert.deepEqual(body.lines.map((l) => l.friendlyName), ['home line']);
  assert.ok(body.clients.some((c) => c.friendlyName === 'Laptop' && c.browser));
  await page1.reload();
  await page1.waitForSelector('text=home assistant');
  await photograph(page1, 'settings');
});

test('the pages load nothing from outside hometel', () => {
  assert.ok(requested.length > 20, `the pages made requests: ${requested.length}`);
  const foreign = requested.filter((u) => !u.startsWith(origin() + '/') && !/^(data|blob):/.test(u));
  assert.deepEqual(foreign, []);
});

test("acceptance 5: a GUPnP control point finds the browser's Telephony Client, asks its media capabilities, and sees it leave when the page closes", async (t) => {
  const gupnp = await GupnpControlPoint.start(mediaManagementServiceType);
  const { context, page } = await browser.newPage();
  t.after(async () => {
    await context.close();
    await gupnp.close();
  });
  await logIn(page, web.url, password);
  await useThisBrowser(page, 'Desk PC');
  const found = await gupnp.waitForService((s) => s.friendlyName === 'Desk PC', 10_000);
  assert.equal(found.deviceType, 'urn:schemas-upnp-org:device:TelephonyClient:1');
  const caps = await gupnp.invoke(found.udn, 'GetMediaCapabilities', { TSMediaCapabilityInfo: '' }, ['SupportedMediaCapabilityInfo'], { serviceType: mediaManagementServiceType });
  const sdp = String(caps.SupportedMediaCapabilityInfo);
  assert.match(sdp, /m=audio \d+ RTP\/AVP 0 8 101/, 'the browser offers G.711 (PCMU, PCMA) and telephone-event');
  const mark = gupnp.mark();
  await page.close();
  const gone = await gupnp.waitForServiceUnavailable((s) => s.udn === found.udn, 10_000, mark);
  assert.equal(gone.serviceType, mediaManagementServiceType);
});

test('acceptance 6: /metrics needs a login or token, passes promtool, and counted each call of the tests above once', async () => {
  assert.equal((await api('/metrics')).status, 401);
  const token = (await (await api('/api/tokens', { method: 'POST', headers: { cookie: await sessionCookie(page1), origin: origin(), 'content-type': 'application/json' }, body: JSON.stringify({ label: 'prometheus' }) })).json()) as { token: string; id: string };
  const r = await api('/metrics', { headers: { authorization: `Bearer ${token.token}` } });
  assert.equal(r.status, 200);
  assert.match(r.headers.get('content-type') ?? '', /text\/plain; version=0\.0\.4/);
  const text = await r.text();
  assert.deepEqual(await promtoolCheck(text), { code: 0, output: '' });
  // Acceptance 2 placed one call, 3 and 4 answered one each.
  assert.equal(sample(text, 'hometel_calls_total', { direction: 'outgoing', outcome: 'answered' }), 1);
  assert.equal(sample(text, 'hometel_calls_total', { direction: 'incoming', outcome: 'answered' }), 2);
  assert.equal(sample(text, 'hometel_active_calls', { line: 'home' }), 0);
  assert.ok((sample(text, 'hometel_rtp_packets_relayed_total') ?? 0) > 100, 'the relay carried the calls');
  assert.ok((sample(text, 'hometel_webrtc_packets_relayed_total', { direction: 'to-browser' }) ?? 0) > 50, 'the browsers got their sound');
  assert.ok((sample(text, 'hometel_http_requests_total', { route: '/api/home', method: 'GET', status: '200' }) ?? 0) >= 1, 'requests counted by route pattern');
  assert.ok(!text.includes(token.token), 'no secret in the metrics');
  await api(`/api/tokens/${token.id}`, { method: 'DELETE', headers: { authorization: `Bearer ${token.token}` } });
});

test('hometel web (CLI, next to the running hometel): tokens listed without secrets, reset-password ends every session and gives a new setup link', async () => {
  const config = join(web.hometel.dir, 'hometel.json');
  const listed = await runHometel(['web', 'tokens', '--config', config, '--json']);
  assert.equal(listed.code, 0, listed.stderr);
  const tokens = JSON.parse(listed.stdout) as Array<{ id: string; label: string }>;
  assert.deepEqual(tokens.map((t) => t.label), ['home assistant']);
  assert.ok(!listed.stdout.includes('htk_'), 'no secret is shown');

  const cookie = await sessionCookie(page1);
  const reset = await runHometel(['web', 'reset-password', '--config', config, '--json']);
  assert.equal(reset.code, 0, reset.stderr);
  const { setupLink } = JSON.parse(reset.stdout) as { setupLink: string };
  assert.match(setupLink, /^\/?setup#token=/, 'port 0: the path of the running web application');
  assert.equal((await api('/api/home', { headers: { cookie } })).status, 401, 'every session ended');
  const { context, page } = await browser.newPage();
  try {
    await setUpAdmin(page, new URL(setupLink.replace(/^\//, ''), web.url).href, 'the new admin password');
    await logIn(page1, web.url, 'the new admin password');
  } finally {
    await context.close();
  }
  const revoked = await runHometel(['web', 'revoke-token', tokens[0]!.id, '--config', config]);
  assert.equal(revoked.code, 0, revoked.stderr);
  assert.equal((await runHometel(['web', 'revoke-token', 'no-such-token', '--config', config])).code, 1);
});
