/**
 * The echo test endpoint inside `hometel start` (issue 6, acceptance 4), all on lo: hometel in a process of its own
 * with one SIP line, a Telephony Client playing 1 kHz and recording, TS-native media playing 600 Hz and recording,
 * and its echo endpoint (RTP pairs from the media range).
 *
 * 1. The full path: this test as the TelCP (hometel's ControlPoint over real UPnP, C.12 order) calls
 *    sip:echo@127.0.0.1:<port> through the TS's SIP line and binds the TC; the TC's recording is its own 1 kHz come
 *    back through the relay, the SIP line, the echo and back; hometel's log tells the call's story (Dialing, Calling,
 *    Connected, Talking, Disconnected) and the echo's (who called, how it ended).
 * 2. The README's "Try it": its `hometel invoke` commands, run as written (the UDN, the CallID and the echo's port put
 *    in), reach Talking, and the TS's own 600 Hz comes back into its recording.
 * 3. The default echo endpoint's port (5070) in use: hometel runs without it and says so; an echo endpoint the config
 *    asks for must run, so its port in use stops the start.
 * 4. The README's "Try it" with the control point: its `hometel cp call` and `hometel cp hangup` lines, run as written
 *    (the echo's port and the CallID put in), reach Talking with the TC, whose recording is its own tone come back.
 *
 * RTP ports 49000–49199; SIP ports from freeLoopbackPort().
 */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { createSocket } from 'node:dgram';
import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { dominantFrequency } from '../../src/media/audio/analysis.js';
import { WavFileSource } from '../../src/media/audio/wav-file-source.js';
import { tcRecordingName } from '../../src/media/bridge/index.js';
import { validateConfig } from '../../src/app/config.js';
import { startHometel } from '../../src/app/hometel.js';
import { createLogger } from '../../src/base/logger.js';
import { buildMediaCapabilityInfo, buildTCList } from '../../src/telephony/contracts/call-management/cams-xml.js';
import { buildMmsMediaCapabilityInfo, mediaManagementServiceType, parseMmsMediaCapabilityInfo } from '../../src/telephony/contracts/media-management/index.js';
import { allDevices, ControlPoint, findService, type RemoteService } from '../../src/upnp/index.js';
import { hometelCli, startConfiguredHometel, type ConfiguredHometel } from '../support/hometel-process.js';
import { lo, testLogger, waitFor } from '../support/net.js';
import { assertTone, sleep } from '../support/relay.js';
import { freeLoopbackPort } from '../support/sipp.js';
import { callManagementType, CallInfoEvents } from '../support/telephony-server.js';

const tcToneHz = 1000;
const nativeToneHz = 600;
const anyone = { TelCPName: '', SecretKey: '' };

let dir: string;
let echoPort: number;
let hometel: ConfiguredHometel;
let cp: ControlPoint;
let tsUdn: string;
let cm: RemoteService;
let tc: { udn: string; mm: RemoteService };
let events: CallInfoEvents;

before(async () => {
  echoPort = await freeLoopbackPort();
  const linePort = await freeLoopbackPort();
  hometel = await startConfiguredHometel('hometel-echo-', (d) => ({
    name: 'hometel echo test',
    interfaces: ['lo'],
    dataDir: join(d, 'data'),
    lines: [{ name: 'home', sip: { mode: 'direct', user: 'home', port: linePort, transports: ['udp'] } }],
    clients: [{ name: 'tv', source: { tone: tcToneHz }, recordDir: join(d, 'tv'), rtpPorts: { min: 49100, max: 49199 } }],
    media: { rtpPortMin: 49000, rtpPortMax: 49099, native: { source: { tone: nativeToneHz }, recordDir: join(d, 'ts') } },
    echo: { port: echoPort },
  }));
  dir = hometel.dir;
  assert.match(hometel.log(), new RegExp(`hometel running udn=\\S+ location=\\S+ echo=sip:echo@127\\.0\\.0\\.1:${echoPort}`));
  cp = new ControlPoint({ interfaces: [lo], logger: testLogger('telcp'), searchTarget: hometel.udn, mx: 1 });
  await cp.start();
  const root = await cp.waitForDevice((d) => d.udn === hometel.udn);
  const ts = allDevices(root).find((d) => d.services.some((s) => s.serviceType === callManagementType))!;
  tsUdn = ts.udn;
  cm = findService(ts, (s) => s.serviceType === callManagementType)!;
  const tv = allDevices(root).find((d) => d.services.some((s) => s.serviceType === mediaManagementServiceType))!;
  tc = { udn: tv.udn, mm: findService(tv, (s) => s.serviceType === mediaManagementServiceType)! };
  events = new CallInfoEvents(await cp.subscribe(cm));
});

after(async () => {
  await cp?.stop();
  const log = await hometel?.stop();
  if (log !== undefined) assert.match(log, /stopping signal=SIGTERM/);
});

/** The SDP inside a MediaManagement <mediaCapabilityInfo>. */
function mmsSdp(xml: unknown): string {
  const r = parseMmsMediaCapabilityInfo(String(xml));
  assert.ok(r.ok && r.value.mediaCapability, `a TC's media capability: ${String(xml)}`);
  return r.value.mediaCapability.content;
}

/** hometel's log lines about one Call, and the echo's since the Call began, in order. */
function story(callID: string): string[] {
  const lines = hometel.log().split('\n');
  const from = lines.findIndex((l) => l.includes(`callID=${callID} to=Dialing`));
  return lines.slice(Math.max(0, from)).filter((l) => l.includes(`callID=${callID} `) || l.includes('[hometel.echo] echo call'));
}

/** The Call's way through the states, as hometel logged it, and the echo's account of it. */
function assertStory(callID: string): void {
  const text = story(callID).join('\n');
  for (const step of [
    `callID=${callID} to=Dialing callee=sip:echo@127.0.0.1:${echoPort}`,
    `callID=${callID} from=Dialing to=Calling`,
    `callID=${callID} from=Calling to=Connected`,
    `callID=${callID} from=Connected to=Talking`,
    `callID=${callID} from=Talking to=Disconnected trigger=StopCall`,
  ]) {
    assert.ok(text.includes(step), `the log has "${step}":\n${text}`);
  }
  assert.match(text, /echo call \d+ from=sip:home@127\.0\.0\.1:\d+ callId=\S+/);
  assert.match(text, /echo call \d+ ended from=sip:home@127\.0\.0\.1:\d+ reason="the caller hung up" seconds=\d/);
}

test('1. a TelCP calls the echo through the TS’s SIP line with a TC playing 1 kHz: the TC hears its 1 kHz come back, the log shows Talking', async (t) => {
  const supported = await tc.mm.invoke('GetMediaCapabilities', { TSMediaCapabilityInfo: '' });
  const tcOffer = mmsSdp(supported.SupportedMediaCapabilityInfo);
  const { CallID } = await cm.invoke('StartCall', {
    ...anyone,
    CalleeID: `sip:echo@127.0.0.1:${echoPort}`,
    CallPriority: 'Normal',
    MediaCapabilityInfo: buildMediaCapabilityInfo({ mediaCapability: { format: 'SDP', content: tcOffer } }),
    CallMode: 'Non-Monopolize',
  });
  const id = String(CallID);
  const connected = await events.waitFor(id, 'Connected', 10_000);
  const home = connected.mediaCapability!.content;
  const session = await tc.mm.invoke('StartMediaSession', { TSMediaCapabilityInfo: buildMmsMediaCapabilityInfo({ mediaCapability: { format: 'SDP', content: home } }) });
  const sessionID = String(session.MediaSessionID);
  await cm.invoke('StartMediaTransfer', {
    ...anyone,
    TargetCallID: id,
    TCList: buildTCList([{ udn: tc.udn, mediaSessionID: sessionID }]),
    MediaCapabilityInfo: buildMediaCapabilityInfo({ mediaCapability: { format: 'SDP', content: mmsSdp(session.TCMediaCapabilityInfo) } }),
  });
  await events.waitFor(id, 'Talking');
  const talkingAt = Date.now();
  await sleep(2500);
  await tc.mm.invoke('StopMediaSession', { TargetMediaSessionID: sessionID });
  const talkedMs = Date.now() - talkingAt;
  await cm.invoke('StopCall', { ...anyone, CallID: id });
  await events.waitFor(id, 'Disconnected');
  const recording = new WavFileSource(join(dir, 'tv', tcRecordingName(sessionID, 'audio'))).samples;
  // The echo's way back starts one round trip after the TC's first packet: allow 300 ms for it.
  assertTone(recording, tcToneHz, talkedMs - 300, 'the TC hears itself through the echo');
  await waitFor(() => /echo call 1 ended .*reason="the caller hung up"/.test(hometel.log()), 'the echo call ended', 5_000);
  assertStory(id);
  t.diagnostic(`Talking ${talkedMs} ms; the TC recorded ${dominantFrequency(recording, 8000)?.toFixed(1)} Hz`);
  for (const line of story(id)) t.diagnostic(line);
});

/** The README's "Try it" command lines starting with `prefix`, as argument lists (without `hometel`). */
async function readmeTryIt(prefix: string): Promise<string[][]> {
  const readme = await readFile(fileURLToPath(new URL('../../README.md', import.meta.url)), 'utf8');
  const from = readme.indexOf('### Try it');
  const section = readme.slice(from, readme.indexOf('\n## ', from));
  return [...section.matchAll(/```sh\n([\s\S]*?)```/g)]
    .flatMap((m) => m[1]!.split('\n'))
    .filter((l) => l.startsWith(`${prefix} `))
    .map((l) => l.replace(/#.*$/, '').trim().split(/\s+/).slice(1));
}

function hometelCommand(args: string[]): Promise<string> {
  return new Promise((resolve, reject) => {
    execFile(process.execPath, [...hometelCli, ...args], { timeout: 30_000 }, (err, stdout, stderr) => (err ? reject(new Error(`hometel ${args.join(' ')}: ${stderr}`)) : resolve(stdout)));
  });
}

test('2. the README’s “Try it”: its hometel invoke commands call the echo and reach Talking; the TS hears its own 600 Hz come back', async (t) => {
  const commands = await readmeTryIt('hometel invoke');
  assert.deepEqual(commands.map((c) => c[3]), ['StartCall', 'StartMediaTransfer', 'StopCall']);
  let callID = '';
  const fill = (args: string[]): string[] =>
    args.map((a) => a.replace('$TS', tsUdn).replace('call-…', callID).replace('sip:echo@127.0.0.1:5070', `sip:echo@127.0.0.1:${echoPort}`));
  const before = new Set(await readdir(join(dir, 'ts')).catch(() => []));
  const started = await hometelCommand(fill(commands[0]!));
  callID = /^CallID=(\S+)$/m.exec(started)![1]!;
  await events.waitFor(callID, 'Connected', 10_000);
  await hometelCommand(fill(commands[1]!));
  await events.waitFor(callID, 'Talking');
  const talkingAt = Date.now();
  await sleep(2500);
  await hometelCommand(fill(commands[2]!));
  await events.waitFor(callID, 'Disconnected');
  const talkedMs = Date.now() - talkingAt;
  await waitFor(() => /echo call 2 ended /.test(hometel.log()), 'the second echo call ended', 5_000);
  assertStory(callID);
  const recordings = (await readdir(join(dir, 'ts'))).filter((f) => !before.has(f));
  assert.equal(recordings.length, 1, `one recording of the Call at the TS: ${recordings.join(', ')}`);
  const recording = new WavFileSource(join(dir, 'ts', recordings[0]!)).samples;
  assertTone(recording, nativeToneHz, talkedMs - 500, 'the TS hears its own tone through the echo');
  for (const line of story(callID)) t.diagnostic(line);
});

test('3. the default echo endpoint’s port in use: hometel runs without it and says so; an echo the config asks for must run', async (t) => {
  // Hold UDP 5070 (when another program holds it already, it is just as much in use).
  const holder = createSocket('udp4');
  await new Promise<void>((resolve) => {
    holder.once('error', () => resolve());
    holder.bind({ port: 5070, address: '127.0.0.1', exclusive: true }, () => resolve());
  });
  t.after(() => holder.close());
  const log: string[] = [];
  const logger = createLogger({ level: 'info', write: (l) => log.push(l) });
  const base = { interfaces: ['lo'], dataDir: join(dir, 'data-3'), lines: [], clients: [], media: { rtpPortMin: 49150, rtpPortMax: 49199 } };
  const running = await startHometel(validateConfig(base), logger);
  try {
    assert.equal(running.echo, undefined, 'no echo endpoint');
    assert.match(log.join('\n'), /WARN .*echo test endpoint not started why="echo test endpoint: SIP port 5070 on 127\.0\.0\.1 is in use; choose another \\"echo.port\\" or set \\"echo\\": false"/);
  } finally {
    await running.stop();
  }
  await assert.rejects(startHometel(validateConfig({ ...base, echo: { port: 5070 } }), logger), /echo test endpoint: SIP port 5070 on 127\.0\.0\.1 is in use/);
});

test('4. the README’s “Try it” with the control point: hometel cp call to the echo reaches Talking with the TC, hometel cp hangup ends it', async (t) => {
  const [call, hangup] = [await readmeTryIt('hometel cp call'), await readmeTryIt('hometel cp hangup')].map((c) => c[0]!);
  assert.ok(call && hangup, 'the README shows hometel cp call and hometel cp hangup');
  const env = { ...process.env, HOMETEL_CP_STATE: join(dir, 'telcp.json') };
  const run = (args: string[]): Promise<string> =>
    new Promise((resolve, reject) =>
      execFile(process.execPath, [...hometelCli, ...args], { timeout: 60_000, env }, (err, stdout, stderr) => (err ? reject(new Error(`hometel ${args.join(' ')}: ${stderr}`)) : resolve(stdout))),
    );
  const placed = await run(call.map((a) => a.replace('sip:echo@127.0.0.1:5070', `sip:echo@127.0.0.1:${echoPort}`)));
  const m = /^(\S+)\s+Talking$/m.exec(placed);
  assert.ok(m, `cp call printed the CallID and Talking: ${placed}`);
  const callID = m[1]!;
  const session = (await tc.mm.invoke('GetMediaSessionInfo', { TargetMediaSessionID: '' })) as Record<string, unknown>;
  const id = /<mediaSessionID>([^<]+)<\/mediaSessionID>\s*<mediaSessionStatus>Started/.exec(String(session.MediaSessionInfoList))?.[1];
  assert.ok(id, `the TC has a Started Media Session: ${String(session.MediaSessionInfoList)}`);
  const talkingAt = Date.now();
  await sleep(2000);
  const ended = await run(hangup.map((a) => a.replace('call-…', callID)));
  assert.match(ended, new RegExp(`^${callID}\\s+Disconnected`, 'm'));
  const talkedMs = Date.now() - talkingAt;
  assertStory(callID);
  const recording = new WavFileSource(join(dir, 'tv', tcRecordingName(id, 'audio'))).samples;
  assertTone(recording, tcToneHz, talkedMs - 500, 'the TC hears itself through the echo');
  for (const line of story(callID)) t.diagnostic(line);
});
