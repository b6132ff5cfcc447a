/**
 * `hometel cp` as a user runs it in a shell (issue 6, acceptance 3): `hometel start` in one process, each `hometel
 * cp …` in a process of its own against it over UPnP on lo; SIPp as the remote party on the line's SIP port.
 * An outgoing call to a SIPp UAS placed with `cp call`, followed by `cp watch` (started first, in its own process)
 * and ended with `cp hangup`; an incoming SIPp call answered with `cp answer`; exit codes, --json and the errors
 * of a wrong call ID and of a monopolised call managed by another TelCPName.
 */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFile, spawn } from 'node:child_process';
import { join } from 'node:path';
import { hometelCli, startConfiguredHometel, type ConfiguredHometel } from '../support/hometel-process.js';
import { expectSippSuccess, freeLoopbackPort, runSipp, startSippUas } from '../support/sipp.js';

let dir: string;
let hometel: ConfiguredHometel;
let linePort: number;

before(async () => {
  linePort = await freeLoopbackPort();
  hometel = await startConfiguredHometel('hometel-cli-cp-', (d) => ({
    name: 'hometel cli cp',
    interfaces: ['lo'],
    dataDir: join(d, 'data'),
    lines: [{ name: 'home', friendlyName: 'home line', sip: { mode: 'direct', user: 'home', host: '127.0.0.1', port: linePort, transports: ['udp'] } }],
    clients: [{ name: 'tv', friendlyName: 'TV', source: { tone: 1000 }, rtpPorts: { min: 46600, max: 46699 } }],
    media: { rtpPortMin: 46500, rtpPortMax: 46599 },
    echo: false,
    // `cp answer` subscribes only after SIPp's INVITE: the calls must ring with no screen online yet (issue 13 liveness).
    callHandling: { activation: 'on' },
  }));
  dir = hometel.dir;
});

after(async () => {
  await hometel?.stop();
});

interface Run {
  code: number;
  stdout: string;
  stderr: string;
}

/** One `hometel cp …` in its own process, with its own TelCPName state file. */
function cp(args: string[], state = 'a'): Promise<Run> {
  return new Promise((resolve) => {
    execFile(process.execPath, [...hometelCli, 'cp', ...args, '--state', join(dir, `telcp-${state}.json`)], { timeout: 60_000 }, (err, stdout, stderr) => {
      resolve({ code: err ? (typeof err.code === 'number' ? err.code : 1) : 0, stdout, stderr });
    });
  });
}

function json<T = Record<string, unknown>>(r: Run): T {
  try {
    return JSON.parse(r.stdout) as T;
  } catch {
    throw new Error(`not JSON (exit ${r.code}):\n${r.stdout}\n${r.stderr}`);
  }
}

/** `hometel cp watch` running in the background until it has seen `calls` calls end. */
function watch(calls: number): { lines: () => string[]; done: Promise<number> } {
  const child = spawn(process.execPath, [...hometelCli, 'cp', 'watch', '--until-ended', String(calls), '--json', '--state', join(dir, 'telcp-watch.json')], { stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  child.stdout.on('data', (d: Buffer) => (out += d.toString()));
  const done = new Promise<number>((resolve) => child.once('exit', (code) => resolve(code ?? 1)));
  const killer = setTimeout(() => child.kill('SIGTERM'), 60_000);
  void done.then(() => clearTimeout(killer));
  return { lines: () => out.split('\n').filter(Boolean), done };
}

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

test('cp discover finds the line and the TC; --help on every cp command', async () => {
  const r = await cp(['discover', '--json']);
  assert.equal(r.code, 0, r.stderr);
  const found = json<{ servers: Array<{ friendlyName: string }>; clients: Array<{ friendlyName: string }> }>(r);
  assert.deepEqual(found.servers.map((s) => s.friendlyName), ['home line']);
  assert.deepEqual(found.clients.map((c) => c.friendlyName), ['TV']);
  for (const sub of ['discover', 'call', 'answer', 'reject', 'hangup', 'modify', 'watch', 'calls', 'logs', 'callback', 'names']) {
    const help = await new Promise<Run>((resolve) =>
      execFile(process.execPath, [...hometelCli, 'cp', sub, '--help'], (err, stdout, stderr) => resolve({ code: err ? 1 : 0, stdout, stderr })),
    );
    assert.equal(help.code, 0, `cp ${sub} --help`);
    assert.match(help.stdout, new RegExp(`^Usage: hometel cp ${sub}`, 'm'));
  }
});

test('cp call to a SIPp UAS reaches Talking, cp watch follows it, cp hangup ends it; errors exit non-zero with the UPnP code', async () => {
  const uasPort = await freeLoopbackPort();
  const sipp = await startSippUas({ scenario: 'uas-media', localPort: uasPort, transport: 'u1', calls: 1, mediaPort: await freeLoopbackPort(4), files: { 'tone.ulaw': Buffer.alloc(8000, 0xff) }, timeoutMs: 60_000 });
  const watcher = watch(1);
  try {
    await sleep(2500); // the watcher discovers and subscribes
    const placed = await cp(['call', `sip:service@127.0.0.1:${uasPort}`, '--tc', 'TV', '--json']);
    assert.equal(placed.code, 0, placed.stderr);
    const call = json<{ callID: string; status: string; mediaSessions: unknown[] }>(placed);
    assert.equal(call.status, 'Talking');
    assert.equal(call.mediaSessions.length, 1, 'the TV’s Media Session is bound to the call');

    const text = await cp(['calls']);
    assert.equal(text.code, 0, text.stderr);
    assert.match(text.stdout, new RegExp(`^${call.callID}  Talking`, 'm'));

    const wrong = await cp(['hangup', 'call-does-not-exist', '--json']);
    assert.equal(wrong.code, 2, 'a UPnP error exits 2');
    assert.equal(json<{ error: { code: number } }>(wrong).error.code, 703);
    assert.match(wrong.stderr, /703/);

    const ended = await cp(['hangup', call.callID]);
    assert.equal(ended.code, 0, ended.stderr);
    assert.match(ended.stdout, new RegExp(`^${call.callID}  Disconnected`, 'm'));
    assert.equal(await watcher.done, 0);
    const seen = watcher.lines().map((l) => JSON.parse(l) as { callID: string; status: string }).filter((l) => l.callID === call.callID).map((l) => l.status);
    for (const s of ['Dialing', 'Connected', 'Talking', 'Disconnected']) assert.ok(seen.includes(s), `watch showed ${s}: ${seen.join(', ')}`);
    expectSippSuccess(await sipp.done, 'SIPp UAS');
  } finally {
    await sipp.stop();
  }
  const logs = await cp(['logs', '--json']);
  assert.equal(logs.code, 0, logs.stderr);
  assert.ok(json<unknown[]>(logs).length >= 1, 'the call is in the call log');
});

test('an incoming SIPp call is answered with cp answer (the one ringing), and SIPp’s BYE ends it', async () => {
  const uac = await runSipp({ scenario: 'uac-call', remote: `127.0.0.1:${linePort}`, service: 'home', localPort: await freeLoopbackPort(), transport: 'u1', vars: { hangup: 'sipp', holdms: '1500' }, keys: { caller: '0355550101', caller_name: 'Alice' }, timeoutMs: 60_000 });
  const answered = await cp(['answer', '--tc', 'TV', '--json']);
  assert.equal(answered.code, 0, answered.stderr);
  const call = json<{ callID: string; status: string; remoteParty: { id: string; name?: string } }>(answered);
  assert.equal(call.status, 'Talking');
  assert.match(call.remoteParty.id, /0355550101/);
  expectSippSuccess(await uac.done, 'SIPp UAC');
  const none = await cp(['answer', '--timeout', '1']);
  assert.equal(none.code, 1, 'nothing ringing: a usage error, exit 1');
  assert.match(none.stderr, /no incoming call is ringing/);
});

test('a monopolised call (cp call --monopolize --name kitchen) cannot be ended by another TelCPName: 713, exit 2', async () => {
  const uasPort = await freeLoopbackPort();
  const sipp = await startSippUas({ scenario: 'uas-media', localPort: uasPort, transport: 'u1', calls: 1, mediaPort: await freeLoopbackPort(4), files: { 'tone.ulaw': Buffer.alloc(8000, 0xff) }, timeoutMs: 60_000 });
  try {
    const placed = await cp(['call', `sip:service@127.0.0.1:${uasPort}`, '--monopolize', '--name', 'kitchen', '--json'], 'kitchen');
    assert.equal(placed.code, 0, placed.stderr);
    const { callID } = json<{ callID: string }>(placed);
    const names = await cp(['names', '--json'], 'kitchen');
    assert.ok(json<{ names: string[] }>(names).names.includes('kitchen'));
    const other = await cp(['hangup', callID, '--name', 'hall', '--json'], 'hall');
    assert.equal(other.code, 2, other.stderr);
    assert.equal(json<{ error: { code: number } }>(other).error.code, 713);
    // The monopolizer, in a later run, still holds the call: its name and key come from its state file.
    const mine = await cp(['hangup', callID], 'kitchen');
    assert.equal(mine.code, 0, mine.stderr);
    expectSippSuccess(await sipp.done, 'SIPp UAS');
  } finally {
    await sipp.stop();
  }
});
