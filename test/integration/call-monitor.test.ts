/**
 * Issue 13 acceptance 10: the call-monitor feed shows RING, CONNECT and DISCONNECT for a call. `hometel start` in its
 * own process with `callMonitor` on a free port; SIPp calls the line and hangs up after a second and a half; the TelCP
 * library answers with the Telephony Server's own media; a TCP client reads the feed as Home Assistant's would.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { connect } from 'node:net';
import { TelephonyControlPoint } from '../../src/telephony/control/index.js';
import { startConfiguredHometel } from '../support/hometel-process.js';
import { lo, testLogger, waitFor } from '../support/net.js';
import { callingParty } from '../support/remote-party.js';
import { freeLoopbackPort } from '../support/sipp.js';
import { lineOnlyConfig } from '../support/web.js';

test('issue 13 acceptance 10: the FRITZ!Box-format call monitor shows RING, CONNECT and DISCONNECT for an answered call', async (t) => {
  const sipPort = await freeLoopbackPort();
  const monitorPort = await freeLoopbackPort();
  const hometel = await startConfiguredHometel('hometel-callmonitor-', (d) => ({ ...lineOnlyConfig(d, sipPort), web: false, callMonitor: { interface: 'lo', port: monitorPort } }));
  const telcp = new TelephonyControlPoint({ interfaces: [lo], logger: testLogger('telcp'), searchTarget: hometel.udn, mx: 1 });
  t.after(async () => {
    await telcp.stop();
    await hometel.stop();
  });
  const feed = connect(monitorPort, lo.address);
  let text = '';
  feed.on('data', (d: Buffer) => (text += d.toString()));
  await new Promise((r) => feed.once('connect', r));
  t.after(() => feed.destroy());

  await telcp.start();
  const session = await telcp.openSession(await telcp.waitForServer(), { name: 'monitor-test' });
  session.on('incoming', (call) => void session.answer(call.callID, { native: true }).catch(() => undefined));
  const party = await callingParty({ remote: `${lo.address}:${sipPort}`, service: 'home', toneHz: 440, caller: '0301234567', holdMs: 1500 });
  await party.sipp.done;
  await party.stop();
  await waitFor(() => text.includes(';DISCONNECT;'), 'the DISCONNECT line', 10_000);
  const lines = text.trim().split('\r\n');
  assert.equal(lines.length, 3, text);
  const [ring, connected, disconnect] = lines.map((l) => l.split(';'));
  assert.match(ring![0]!, /^\d\d\.\d\d\.\d\d \d\d:\d\d:\d\d$/);
  assert.deepEqual(ring!.slice(1), ['RING', '0', '0301234567', 'home', 'home', '']);
  assert.deepEqual(connected!.slice(1), ['CONNECT', '0', '0', '0301234567', '']);
  assert.equal(disconnect![1], 'DISCONNECT');
  assert.equal(disconnect![2], '0');
  assert.ok(Number(disconnect![3]) >= 1 && Number(disconnect![3]) <= 3, `talked about 1.5 s: ${disconnect![3]}`);
});
