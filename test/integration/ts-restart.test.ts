/**
 * Telephony Server acceptance item 5 — restart: TelCPName registrations, callbacks and call logs
 * survive kill -9, and registrations that expired are gone after the restart too.
 *
 * The Telephony Server runs in its own process (test/support/ts-process.ts) on a data directory; the
 * test is a TelCP driving it over real UPnP on lo with a hometel ControlPoint. Registrations can not
 * be given an Expires (RegisterTelCPName has no such argument and createTelephonyServer does not
 * pass TelCPRegistry's defaultExpiresSec through), so each lasts the default 1800 s and the test
 * moves the server's clock instead: "Short@Lived" is registered at +0 s, "TV@Living" at +1000 s,
 * and the restarted process runs at +2000 s, after Short@Lived's expiry and before TV@Living's.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseCallBackInfoList, parseCallInfoList, parseCallLogs } from '../../src/telephony/contracts/call-management/cams-xml.js';
import { ControlPoint, findService, type RemoteService } from '../../src/upnp/index.js';
import { lo, testLogger } from '../support/net.js';
import { CallInfoEvents, callManagementType, expectError, mediaInfo, remoteOfferSdp, tcAudioSdp } from '../support/telephony-server.js';
import { startTsProcess, type TsProcess } from '../support/ts-process.js';

const REGISTRATION_SEC = 1800; // TelCPRegistry's default Expires

/** A TelCP (hometel ControlPoint) that finds the Telephony Server by its UDN. */
async function telcp(ts: TsProcess): Promise<{ cp: ControlPoint; cm: RemoteService }> {
  const cp = new ControlPoint({ interfaces: [lo], logger: testLogger('telcp'), searchTarget: ts.udn, mx: 1 });
  await cp.start();
  try {
    const device = await cp.waitForDevice((d) => d.udn === ts.udn);
    const cm = findService(device, (s) => s.serviceType === callManagementType);
    if (!cm) throw new Error('the Telephony Server has no CallManagement service');
    return { cp, cm };
  } catch (err) {
    await cp.stop();
    throw err;
  }
}

const names = async (cm: RemoteService): Promise<string> => String((await cm.invoke('GetTelCPNameList')).TelCPNameList);

test('Telephony Server 5: registrations, callbacks and call logs survive kill -9; expired registrations are gone after restart', async (t) => {
  const dataDir = mkdtempSync(join(tmpdir(), 'hometel-ts-restart-'));
  const procs: TsProcess[] = [];
  const cps: ControlPoint[] = [];
  t.after(async () => {
    for (const cp of cps) await cp.stop();
    for (const p of procs) await p.stop();
    rmSync(dataDir, { recursive: true, force: true });
  });

  // ---- first life
  const first = await startTsProcess({ dataDir });
  procs.push(first);
  const a = await telcp(first);
  cps.push(a.cp);

  const short = await a.cm.invoke('RegisterTelCPName', { TelCPName: 'Short@Lived', CurrentSecretKey: '' });
  assert.equal(Number(short.Expires), REGISTRATION_SEC);
  await first.command({ cmd: 'advanceClock', ms: 1000_000 });
  const tv = await a.cm.invoke('RegisterTelCPName', { TelCPName: 'TV@Living', CurrentSecretKey: '' });
  assert.equal(Number(tv.Expires), REGISTRATION_SEC);
  const tvKey = String(tv.NewSecretKey);
  assert.equal(await names(a.cm), 'Short@Lived,TV@Living', 'both registered before the crash');

  const { CallBackID } = await a.cm.invoke('RegisterCallBack', { CalleeID: 'sip:carol@127.0.0.1' });
  const callbackID = String(CallBackID);

  // A Call that goes Dialing → Calling → Connected → Disconnected, and so is logged.
  const events = new CallInfoEvents(await a.cp.subscribe(a.cm));
  const { CallID } = await a.cm.invoke('StartCall', {
    TelCPName: 'TV@Living',
    SecretKey: tvKey,
    CalleeID: 'tel:0774940201',
    CallPriority: 'Normal',
    MediaCapabilityInfo: mediaInfo(tcAudioSdp),
    CallMode: 'Non-Monopolize',
  });
  const callID = String(CallID);
  const placed = await first.command<Array<{ lineCallId: string; callee: string }>>({ cmd: 'placed' });
  assert.deepEqual(placed.map((p) => p.callee), ['tel:0774940201']);
  await first.command({ cmd: 'provisional' });
  await first.command({ cmd: 'answered', sdp: remoteOfferSdp });
  await events.waitFor(callID, 'Connected');
  await first.command({ cmd: 'remoteHangUp' });
  await events.waitFor(callID, 'Disconnected');
  assert.deepEqual(events.statuses(callID), ['Dialing', 'Calling', 'Connected', 'Disconnected']);
  const logsBefore = parseCallLogs(String((await a.cm.invoke('GetCallLogs')).CallLogs));
  assert.ok(logsBefore.ok);
  assert.equal(logsBefore.value.length, 1);

  // ---- kill -9: no clean shutdown, no byebye, nothing closed
  assert.equal(await first.kill9(), 'SIGKILL');
  await a.cp.stop();
  cps.length = 0;

  // ---- second life, on the same data directory, 2000 s later as the server's clock goes
  const second = await startTsProcess({ dataDir, clockOffsetMs: 2000_000 });
  procs.push(second);
  assert.equal(second.udn, first.udn, 'the device keeps its UDN across the restart');
  const b = await telcp(second);
  cps.push(b.cp);

  // Short@Lived lapsed while the server was dead; TV@Living has not.
  assert.equal(await names(b.cm), 'TV@Living');
  // TV@Living's Secret Key from before the crash still proves the name: a renewal with it works …
  await expectError(b.cm.invoke('RegisterTelCPName', { TelCPName: 'TV@Living', CurrentSecretKey: '' }), 702);
  await expectError(b.cm.invoke('RegisterTelCPName', { TelCPName: 'TV@Living', CurrentSecretKey: 'not-the-key' }), 701);
  const renewed = await b.cm.invoke('RegisterTelCPName', { TelCPName: 'TV@Living', CurrentSecretKey: tvKey });
  assert.notEqual(String(renewed.NewSecretKey), tvKey);
  // … and only once: the renewal replaced it, and the new key unregisters the name.
  await expectError(b.cm.invoke('UnregisterTelCPName', { TelCPName: 'TV@Living', SecretKey: tvKey }), 701);
  await b.cm.invoke('UnregisterTelCPName', { TelCPName: 'TV@Living', SecretKey: String(renewed.NewSecretKey) });
  assert.equal(await names(b.cm), '');
  // Short@Lived is free for anyone to register again.
  await b.cm.invoke('RegisterTelCPName', { TelCPName: 'Short@Lived', CurrentSecretKey: '' });
  assert.equal(await names(b.cm), 'Short@Lived');

  // The callback is still registered.
  const callbacks = parseCallBackInfoList(String((await b.cm.invoke('GetCallBackInfo')).CallbackInfo));
  assert.ok(callbacks.ok);
  assert.deepEqual(
    callbacks.value.map((c) => [c.callBackID, c.callee[0].id]),
    [[callbackID, 'sip:carol@127.0.0.1']],
  );

  // The Call is still in the call logs, as it was logged before the crash.
  const logs = parseCallLogs(String((await b.cm.invoke('GetCallLogs')).CallLogs));
  assert.ok(logs.ok);
  assert.deepEqual(logs.value, logsBefore.value);
  const entry = logs.value[0]!;
  assert.equal(entry.direction, 'outgoing');
  assert.equal(entry.success, true);
  assert.equal(entry.callee[0].id, '0774940201');
  assert.equal(entry.caller[0].id, 'sip:home@127.0.0.1');

  // No Call survives the restart.
  const calls = parseCallInfoList(String((await b.cm.invoke('GetCallInfo', { TelCPName: '', SecretKey: '', TargetCallID: '' })).CallInfoList));
  assert.ok(calls.ok);
  assert.equal(calls.value.length, 0);
  await expectError(b.cm.invoke('GetCallInfo', { TelCPName: '', SecretKey: '', TargetCallID: callID }), 703);
});
