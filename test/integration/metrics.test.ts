/**
 * Issue 11, acceptance 6: hometel's metrics over real calls. `startHometel` in this process (its metrics are read
 * directly; the web server's /metrics route serves the same text) with one SIP line in direct mode and a Telephony
 * Client playing 1 kHz; this test as the TelCP over real UPnP on lo (the control point library); SIPp as the Remote
 * Party over real SIP.
 *
 * 1. An outgoing call answered by SIPp, the TC bound, then hung up: `hometel_calls_total{outgoing,answered}` moves by
 *    exactly one, active calls go 1 then 0, the client INVITE (2xx) and BYE (2xx) are counted, the relay relayed RTP,
 *    and the TelCP's subscription shows as a GENA subscriber.
 * 2. An incoming call from SIPp that the TelCP rejects: `{incoming,rejected}` moves by one, the server INVITE (4xx).
 * Each time `promtool check metrics` (Debian's prometheus package) accepts the text without a remark.
 *
 * RTP: the relay 44000–44199, the TC 44200–44299 (no other test uses 44000–44999).
 */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { validateConfig } from '../../src/app/config.js';
import { startHometel, type RunningHometel } from '../../src/app/hometel.js';
import { ActionLog, TelephonyControlPoint, type CallView, type TelephonyClient, type TsSession } from '../../src/telephony/control/index.js';
import { lo, testLogger } from '../support/net.js';
import { promtoolCheck, sample } from '../support/prometheus.js';
import { expectSippSuccess, freeLoopbackPort, runSipp, SIPP_SCENARIO_DIR, startSippUas, type SippHandle } from '../support/sipp.js';

const host = lo.address;

let dir: string;
let hometel: RunningHometel;
let sipPort: number;
let cp: TelephonyControlPoint;
let telcp: TsSession;
let tv: TelephonyClient;
const peers: SippHandle[] = [];

before(async () => {
  dir = await mkdtemp(join(tmpdir(), 'hometel-metrics-'));
  sipPort = await freeLoopbackPort();
  const config = validateConfig({
    name: 'hometel metrics',
    interfaces: ['lo'],
    dataDir: join(dir, 'data'),
    lines: [{ name: 'home', sip: { mode: 'direct', user: 'home', host, port: sipPort, transports: ['udp'] } }],
    clients: [{ name: 'tv', source: { tone: 1000 }, rtpPorts: { min: 44200, max: 44299 } }],
    media: { rtpPortMin: 44000, rtpPortMax: 44199 },
    echo: false,
    web: false,
  });
  hometel = await startHometel(config, testLogger('hometel'));
  cp = new TelephonyControlPoint({ interfaces: [lo], logger: testLogger('telcp'), searchTarget: hometel.udn, mx: 1, log: new ActionLog() });
  await cp.start();
  const ts = await cp.waitForServer((s) => s.rootUdn === hometel.udn);
  tv = await cp.waitForClient((c) => c.rootUdn === hometel.udn && c.friendlyName === 'tv client');
  telcp = await cp.openSession(ts, { name: 'Metrics@Test' });
});

after(async () => {
  for (const p of peers) await p.stop();
  await cp?.stop();
  await hometel?.stop();
  await rm(dir, { recursive: true, force: true });
});

/** The metrics text, after promtool accepted it without a remark. */
async function scrape(): Promise<string> {
  const text = await hometel.metrics.text();
  const checked = await promtoolCheck(text);
  assert.deepEqual(checked, { code: 0, output: '' }, `promtool check metrics:\n${checked.output}\n${text}`);
  return text;
}

/** Scrapes until `pred` holds of the text (10 s at most). */
async function scrapeUntil(pred: (text: string) => boolean, what: string): Promise<string> {
  const deadline = Date.now() + 10_000;
  for (;;) {
    const text = await scrape();
    if (pred(text)) return text;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}:\n${text}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

const value = (text: string, name: string, labels: Record<string, string> = {}): number => sample(text, name, labels) ?? 0;

test('an outgoing call, answered then hung up: the call counter moves by one, active calls 1 then 0, SIP transactions counted, RTP relayed', async () => {
  const uasPort = await freeLoopbackPort();
  const uas = await startSippUas({
    scenario: join(SIPP_SCENARIO_DIR, 'uas-telcp.xml') as `${string}.xml`,
    localPort: uasPort,
    mediaPort: await freeLoopbackPort(4),
    transport: 'u1',
    calls: 1,
    timeoutMs: 60_000,
  });
  peers.push(uas);
  const before = await scrape();
  assert.equal(value(before, 'hometel_active_calls', { line: 'home' }), 0);
  const call = await telcp.call(`sip:service@${host}:${uasPort}`, { clients: [tv] });
  assert.equal(call.status, 'Talking');
  // Half a second of the TC's tone (25 packets) relayed to SIPp.
  const during = await scrapeUntil((t) => value(t, 'hometel_rtp_packets_relayed_total') >= value(before, 'hometel_rtp_packets_relayed_total') + 25, 'RTP relayed');
  assert.equal(value(during, 'hometel_active_calls', { line: 'home' }), 1, 'one call is active');
  assert.ok(value(during, 'hometel_gena_subscribers', { service: 'urn:upnp-org:serviceId:CallManagement' }) >= 1, 'the TelCP subscribed to CallManagement');
  const ended = await telcp.hangup(call.callID);
  assert.equal(ended.status, 'Disconnected');
  expectSippSuccess(await uas.done, 'SIPp, the Remote Party');
  const after = await scrape();
  assert.equal(value(after, 'hometel_active_calls', { line: 'home' }), 0, 'no call is active');
  const moved = (name: string, labels: Record<string, string>): number => value(after, name, labels) - value(before, name, labels);
  assert.equal(moved('hometel_calls_total', { direction: 'outgoing', outcome: 'answered' }), 1, 'one outgoing answered call');
  assert.equal(moved('hometel_calls_total', {}), 1, 'and no other');
  assert.equal(moved('hometel_sip_transactions_total', { role: 'client', method: 'INVITE', class: '2xx' }), 1);
  assert.equal(moved('hometel_sip_transactions_total', { role: 'client', method: 'BYE', class: '2xx' }), 1);
  assert.ok(value(after, 'hometel_rtp_packets_relayed_total') > value(before, 'hometel_rtp_packets_relayed_total'), 'RTP relayed');
});

test('an incoming call the TelCP rejects: the incoming rejected counter moves by one, the server INVITE answered 4xx–6xx', async () => {
  const before = await scrape();
  const ringing = new Promise<CallView>((resolve) => telcp.once('incoming', resolve));
  const uac = await runSipp({
    scenario: 'uac-rejected',
    remote: `${host}:${sipPort}`,
    localPort: await freeLoopbackPort(),
    mediaPort: await freeLoopbackPort(4),
    transport: 'u1',
    service: 'home',
    timeoutMs: 60_000,
  });
  peers.push(uac);
  const call = await ringing;
  const during = await scrape();
  assert.equal(value(during, 'hometel_active_calls', { line: 'home' }), 1, 'the ringing call is active');
  const rejected = await telcp.reject(call.callID);
  assert.equal(rejected.status, 'Disconnected');
  expectSippSuccess(await uac.done, 'SIPp, the caller');
  const after = await scrape();
  const moved = (name: string, labels: Record<string, string>): number => value(after, name, labels) - value(before, name, labels);
  assert.equal(value(after, 'hometel_active_calls', { line: 'home' }), 0);
  assert.equal(moved('hometel_calls_total', { direction: 'incoming', outcome: 'rejected' }), 1, 'one incoming rejected call');
  assert.equal(moved('hometel_calls_total', {}), 1, 'and no other');
  const refused = ['4xx', '5xx', '6xx'].reduce((n, c) => n + moved('hometel_sip_transactions_total', { role: 'server', method: 'INVITE', class: c }), 0);
  assert.equal(refused, 1, 'the INVITE server transaction ended with a refusal');
});
