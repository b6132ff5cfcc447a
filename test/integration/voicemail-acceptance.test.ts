/**
 * Issue 13, voicemail, with `hometel start` in a process of its own whose call handling sends every incoming Call
 * to voicemail (activation off: the nobody-home action, voicemail, applies to each call), SIPp as the caller, the CLI, a UPnP control point subscribed to
 * the VoiceMail service, and Chromium on the web UI:
 *
 * - acceptance 4: the caller plays 440 Hz for 5 s after the greeting; the message is listed with 5 ± 0.5 s; the
 *   downloaded WAV is 440 Hz for ≥ 80 % of it; PlayVoiceMail on hometel's own TC → the TC's recording is 440 Hz;
 *   marked read in the web UI → read in `hometel voicemail list --json` and in the VoiceMailInfo a TelCP hears.
 * - mailbox full: the caller hears the announcement, hometel hangs up, the refusal is logged and shown.
 * - acceptance 12: a greeting that is not WAV, or is 100 MiB, gets a clear error; the greeting stays.
 * - acceptance 11: kill -9 during a recording → after the restart no partial file and no broken message; the
 *   earlier message survives.
 *
 * RTP ports 41400–41599; SIP and web ports free ones.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { request } from 'node:http';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { dominantFrequency, parseWav, pcmu, sampleRate } from '../../src/media/index.js';
import { allDevices, ControlPoint, type RemoteService } from '../../src/upnp/index.js';
import { launchChromium, type TestBrowser } from '../support/browser.js';
import { hasExited, terminate, waitForExit } from '../support/children.js';
import { runHometel, startHometelProcess, type HometelProcess } from '../support/hometel-process.js';
import { lo, testLogger, waitFor } from '../support/net.js';
import { sleep } from '../support/relay.js';
import { expectSippSuccess, freeLoopbackPort, runSipp, SIPP_SCENARIO_DIR, type SippHandle } from '../support/sipp.js';
import { photographPage, screenshotDir, sessionCookie, setUpAdmin } from '../support/web.js';

const host = '127.0.0.1';
const uacMedia = join(SIPP_SCENARIO_DIR, 'uac-media.xml') as `${string}.xml`;
const voiceMailType = 'urn:schemas-hometel-org:service:VoiceMail:1';
/** The default greeting and the beep last 2.8 s: the caller starts speaking after this. */
const greetingMs = 3500;

let dir: string;
let sipPort: number;
let hometel: HometelProcess;
let browser: TestBrowser;
let page: Page;
let cp: ControlPoint;
let voiceMail: RemoteService;
/** Every VoiceMailInfo the control point heard, in order. */
const heard: string[] = [];

async function writeConfig(maxMessagesPerLine: number): Promise<string> {
  const file = join(dir, 'hometel.json');
  await writeFile(
    file,
    JSON.stringify({
      name: 'hometel voicemail acceptance',
      interfaces: ['lo'],
      dataDir: join(dir, 'data'),
      logLevel: 'info',
      lines: [{ name: 'home', sip: { mode: 'direct', user: 'home', host, port: sipPort, transports: ['udp'] } }],
      clients: [{ name: 'tv', source: 'silence', recordDir: join(dir, 'tv'), rtpPorts: { min: 41500, max: 41599 } }],
      media: { rtpPortMin: 41400, rtpPortMax: 41499 },
      echo: false,
      web: { interface: 'lo', port: 0 },
      voicemail: { maxMessagesPerLine, silenceSeconds: 3 },
      callHandling: { activation: 'off', nobodyHome: { kind: 'voicemail' } },
    }),
  );
  return file;
}

/** `hometel voicemail …` on the store, as JSON. */
async function cli<T>(...args: string[]): Promise<T> {
  const r = await runHometel(['voicemail', ...args, '--json']);
  assert.equal(r.code, 0, `hometel voicemail ${args.join(' ')}: ${r.stdout}${r.stderr}`);
  return JSON.parse(r.stdout) as T;
}

interface Listed {
  messages: Array<{ id: string; durationMs: number; read: boolean; callerNumber: string; callerName?: string }>;
  unread: number;
  total: number;
}
const list = (): Promise<Listed> => cli<Listed>('list', '--data-dir', join(dir, 'data'));
/** GET /api/voicemail from the logged-in page. */
const apiList = (): Promise<Listed> => page.evaluate(async () => (await fetch('/api/voicemail')).json() as Promise<Listed>);

/** µ-law: `silenceMs` of silence (what the caller "says" during the greeting), then `toneMs` of 440 Hz. */
function speech(silenceMs: number, toneMs: number): Uint8Array {
  const n = (ms: number) => (ms * sampleRate) / 1000;
  const samples = new Int16Array(n(silenceMs) + n(toneMs));
  for (let i = 0; i < n(toneMs); i++) samples[n(silenceMs) + i] = Math.round(8000 * Math.sin((2 * Math.PI * 440 * i) / sampleRate));
  return pcmu.encode(samples);
}

async function call(o: { speech: Uint8Array; holdms?: number; hangup?: 'sipp' | 'peer' }): Promise<SippHandle> {
  return runSipp({
    scenario: uacMedia,
    remote: `${host}:${sipPort}`,
    localPort: await freeLoopbackPort(),
    mediaPort: await freeLoopbackPort(4),
    transport: 'u1',
    service: 'home',
    timeoutMs: 60_000,
    files: { 'tone.ulaw': o.speech },
    vars: { hangup: o.hangup ?? 'sipp', holdms: String(o.holdms ?? 3000) },
    keys: { caller: '+4930555', caller_name: 'Alice' },
  });
}

/** The share of 100 ms windows of `samples` whose dominant frequency is 440 ± 10 Hz. */
function share440(samples: Int16Array): number {
  const w = sampleRate / 10;
  let n = 0;
  let hits = 0;
  for (let at = 0; at + w <= samples.length; at += w) {
    n++;
    const f = dominantFrequency(samples.subarray(at, at + w), sampleRate);
    if (f !== undefined && Math.abs(f - 440) <= 10) hits++;
  }
  return n === 0 ? 0 : hits / n;
}

function wavSamples(bytes: Uint8Array, what: string): Int16Array {
  const wav = parseWav(bytes);
  assert.ok(wav.ok, `${what} is a WAV file`);
  assert.deepEqual([wav.format.audioFormat, wav.format.sampleRate, wav.format.channels, wav.format.bitsPerSample], [1, 8000, 1, 16], `${what}: 8 kHz 16-bit mono PCM`);
  const data = wav.data.slice();
  return new Int16Array(data.buffer, 0, data.length / 2);
}

/** A complete WAV: its header states exactly the octets that follow (never the streamed "unknown" size). */
function assertComplete(file: string): void {
  const bytes = readFileSync(file);
  assert.equal(bytes.readUInt32LE(40), bytes.length - 44, `${file}: the data size is the file's`);
  assert.equal(bytes.readUInt32LE(4), bytes.length - 8, `${file}: the RIFF size is the file's`);
}

/**
 * A 100 MiB greeting upload as a client sends it: the headers announce 100 MiB, the first 64 KiB follow, and the
 * answer comes before the rest would be read.
 */
function putHuge(cookie: string): Promise<{ status: number; body: string }> {
  const url = new URL('/api/voicemail/greetings/home', webUrl());
  return new Promise((resolve, reject) => {
    const req = request(url, { method: 'PUT', headers: { cookie, origin: url.origin, 'content-type': 'audio/wav', 'content-length': 100 * 1024 * 1024 } }, (res) => {
      let body = '';
      res.on('data', (d: Buffer) => (body += d.toString()));
      res.on('end', () => {
        req.destroy();
        resolve({ status: res.statusCode ?? 0, body });
      });
    });
    req.on('error', reject);
    req.write(Buffer.alloc(64 * 1024));
  });
}

function webUrl(): string {
  return /hometel web application: (http:\/\/\S+)/.exec(hometel.output())![1]!;
}

function lastVoiceMailInfo(): string {
  return heard.at(-1) ?? '';
}

before(async () => {
  dir = await mkdtemp(join(tmpdir(), 'hometel-voicemail-'));
  sipPort = await freeLoopbackPort();
  hometel = await startHometelProcess(['--config', await writeConfig(1)]);
  cp = new ControlPoint({ interfaces: [lo], logger: testLogger('telcp'), searchTarget: voiceMailType, mx: 1 });
  await cp.start();
  const root = await cp.waitForDevice((d) => d.udn === hometel.udn);
  voiceMail = allDevices(root).flatMap((d) => d.services).find((s) => s.serviceType === voiceMailType)!;
  assert.ok(voiceMail, "the line's Telephony Server carries the VoiceMail service");
  const sub = await cp.subscribe(voiceMail);
  sub.on('event', (vars: Map<string, unknown>) => {
    const v = vars.get('VoiceMailInfo');
    if (typeof v === 'string') heard.push(v);
  });
  browser = await launchChromium();
  page = (await browser.newPage()).page;
  const setupLink = /open (http:\/\/\S+setup#token=\S+) to set/.exec(hometel.output());
  assert.ok(setupLink, hometel.output());
  await setUpAdmin(page, setupLink[1]!, 'a password for voicemail');
});

after(async () => {
  await browser?.close();
  await cp?.stop();
  if (hometel && !hasExited(hometel.child)) await terminate(hometel.child, 10_000);
  if (dir) await rm(dir, { recursive: true, force: true });
});

let messageID = '';

test('acceptance 4: a 5 s message of 440 Hz is listed, downloadable, played on a TC, and read for the whole home', async (t) => {
  const sipp = await call({ speech: speech(greetingMs, 5000), holdms: greetingMs + 5000 });
  expectSippSuccess(await sipp.done, 'the caller leaving a message');
  // Listed (the HTTP API, polled as the page would), then downloaded as audio/wav: 440 Hz for at least 80 % of it.
  let listed = await apiList();
  for (const until = Date.now() + 15_000; listed.total === 0 && Date.now() < until; listed = await apiList()) await sleep(200);
  assert.equal(listed.total, 1, 'one message');
  const m = listed.messages[0]!;
  messageID = m.id;
  assert.ok(Math.abs(m.durationMs - 5000) <= 500, `listed with ${m.durationMs} ms, expected 5000 ± 500`);
  assert.deepEqual([m.read, m.callerName], [false, 'Alice']);
  assert.match(m.callerNumber, /\+4930555/);
  const download = await page.evaluate(async (id) => {
    const r = await fetch(`/api/voicemail/${id}/audio`);
    return { type: r.headers.get('content-type'), bytes: [...new Uint8Array(await r.arrayBuffer())] };
  }, m.id);
  assert.equal(download.type, 'audio/wav');
  const samples = wavSamples(Uint8Array.from(download.bytes), 'the downloaded message');
  const s = share440(samples);
  assert.ok(s >= 0.8, `440 Hz in ${(s * 100).toFixed(0)} % of the message`);
  t.diagnostic(`message ${m.durationMs} ms, 440 Hz in ${(s * 100).toFixed(0)} %`);

  // Played on hometel's TC through PlayVoiceMail (the CLI invokes it on the running hometel).
  const before = new Set(existsSync(join(dir, 'tv')) ? readdirSync(join(dir, 'tv')) : []);
  const played = await runHometel(['voicemail', 'play', m.id, '--tc', 'tv', '--json']);
  assert.equal(played.code, 0, played.stdout + played.stderr);
  let recording = '';
  await waitFor(() => {
    const fresh = readdirSync(join(dir, 'tv')).filter((f) => f.endsWith('.wav') && !before.has(f));
    recording = fresh.length ? join(dir, 'tv', fresh[0]!) : '';
    // Complete once the TC closed it (StopMediaSession at the end of the message).
    return recording !== '' && statSync(recording).size > 44 && readFileSync(recording).readUInt32LE(40) !== 0xffffffff;
  }, 'the TC recorded the message and the session stopped', 20_000);
  const onTv = wavSamples(readFileSync(recording), "the TC's recording");
  assert.ok(onTv.length >= 4 * sampleRate, `the TC recorded ${onTv.length / sampleRate} s`);
  assert.ok(share440(onTv) >= 0.7, `440 Hz in ${(share440(onTv) * 100).toFixed(0)} % of the TC's recording`);
  t.diagnostic(`the TC recorded ${(onTv.length / sampleRate).toFixed(1)} s, 440 Hz in ${(share440(onTv) * 100).toFixed(0)} %`);

  // The TelCP heard the new message, unread.
  await waitFor(() => lastVoiceMailInfo().includes(`<messageID>${m.id}</messageID>`), 'VoiceMailInfo names the message');
  assert.match(lastVoiceMailInfo(), /<newMessages>1<\/newMessages><totalMessages>1<\/totalMessages>/);

  // Marked read in the web UI: the nav showed the count, the page the message.
  await page.click('nav >> text=Voicemail');
  await page.waitForSelector('nav >> text=Voicemail (1)');
  await page.waitForSelector(`li[data-id="${m.id}"]`);
  await photographPage(page, await screenshotDir(join(dir, 'screenshots')), 'voicemail');
  await page.click(`li[data-id="${m.id}"] >> button:has-text("Mark read")`);
  await page.waitForSelector(`li[data-id="${m.id}"] >> button:has-text("Mark unread")`);
  assert.equal((await list()).messages[0]!.read, true, 'read in the CLI');
  await waitFor(() => /<newMessages>0<\/newMessages>/.test(lastVoiceMailInfo()) && lastVoiceMailInfo().includes('<read>1</read>'), 'read for the TelCP');
  await page.waitForSelector('nav >> text=/^Voicemail$/');
});

test('mailbox full: the caller hears the announcement and hometel hangs up; the refusal is logged and shown', async () => {
  const sipp = await call({ speech: speech(1000, 1000), hangup: 'peer' });
  expectSippSuccess(await sipp.done, 'the caller, hung up on by hometel');
  assert.match(hometel.log(), /mailbox full: the caller could not leave a message .*reason=messages-per-line/);
  assert.equal((await apiList()).total, 1, 'no second message');
  await page.reload();
  await page.waitForSelector('[role=alert]:has-text("Mailbox full")');
  assert.match((await page.textContent('[role=alert]')) ?? '', /\+4930555.* on home \(too many messages on the line\)/);
});

test('acceptance 12: a greeting that is not WAV, or is 100 MiB, is refused clearly and the greeting stays', async () => {
  const notWav = await page.evaluate(async (text) => {
    const r = await fetch('/api/voicemail/greetings/home', { method: 'PUT', headers: { 'content-type': 'application/octet-stream' }, body: text });
    return { status: r.status, body: (await r.json()) as { error: string; message: string } };
  }, 'this is a text file, not a greeting');
  assert.equal(notWav.status, 400);
  assert.equal(notWav.body.error, 'voicemail.bad-greeting');
  assert.match(notWav.body.message, /not a WAV file/);
  const huge = await putHuge(await sessionCookie(page));
  assert.equal(huge.status, 413);
  assert.match(huge.body, /larger than 10 MiB/);
  // The page says so too, before sending anything.
  await page.setInputFiles('input[name=greeting]', { name: 'greeting.mp3', mimeType: 'audio/mpeg', buffer: Buffer.from('ID3 not a wav') });
  await page.click('form.greeting >> button:has-text("Upload")');
  await page.waitForSelector('.notice:has-text("not a WAV file")');
  const greetings = await page.evaluate(async () => (await fetch('/api/voicemail/greetings')).json() as Promise<unknown>);
  assert.deepEqual(greetings, [{ line: 'home', source: 'default', durationMs: 2300 }], "hometel's greeting is still the one");
  assert.equal((await apiList()).total, 1, 'the message is still there');
});

test('acceptance 11: kill -9 during a recording — after the restart the message is complete or not listed, never broken; messages survive', async () => {
  // Room for more messages from now on.
  await terminate(hometel.child, 10_000);
  hometel = await startHometelProcess(['--config', await writeConfig(10)]);
  const sipp = await call({ speech: speech(greetingMs, 30_000), holdms: 30_000 });
  const partials = join(dir, 'data', 'voicemail', '.partial');
  await waitFor(() => readdirSync(partials).some((f) => statSync(join(partials, f)).size > 44 + 16_000), 'a recording under way', 20_000);
  hometel.child.kill('SIGKILL');
  assert.ok(await waitForExit(hometel.child, 5000), 'hometel died');
  await sipp.stop();
  assert.equal(readdirSync(partials).length, 1, 'the cut recording is a partial file');
  assert.equal((await list()).total, 1, 'and not listed');

  hometel = await startHometelProcess(['--config', join(dir, 'hometel.json')]);
  assert.deepEqual(readdirSync(partials), [], 'the partial file is gone after the restart');
  const after = await list();
  assert.deepEqual(after.messages.map((m) => m.id), [messageID], 'the earlier message survives');
  const files = readdirSync(join(dir, 'data', 'voicemail')).filter((f) => f.endsWith('.wav'));
  assert.deepEqual(files, [`${messageID}.wav`], 'no unlisted recording');
  assertComplete(join(dir, 'data', 'voicemail', files[0]!));
});
