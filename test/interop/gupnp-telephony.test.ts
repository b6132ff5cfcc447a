/**
 * Acceptance 4 of the Telephony Server issue: a GUPnP control point (python3-gi) finds hometel's
 * Telephony Server, registers a TelCPName, subscribes, and receives CallInfo events for Calls.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseCallInfo } from '../../src/telephony/contracts/call-management/cams-xml.js';
import { telephonyServerType } from '../../src/telephony/index.js';
import { GupnpControlPoint } from '../support/gupnp.js';
import { callManagementType, mediaInfo, remoteOfferSdp, startTestTelephonyServer, tcAudioSdp } from '../support/telephony-server.js';

test('a GUPnP control point registers a TelCPName, subscribes and follows Calls of a hometel Telephony Server', async (t) => {
  const ts = await startTestTelephonyServer();
  const gupnp = await GupnpControlPoint.start(telephonyServerType);
  t.after(async () => {
    await gupnp.close();
    await ts.stop();
  });
  await gupnp.waitForService((s) => s.udn === ts.udn);
  const opts = { serviceType: callManagementType };

  const intro = await gupnp.introspect(ts.udn, opts);
  assert.equal(intro.actions.length, 21, 'GUPnP reads all 21 actions from our SCPD');
  assert.deepEqual(
    intro.stateVariables.filter((v) => v.sendEvents).map((v) => v.name).sort(),
    ['CallBackAvailability', 'CallInfo', 'TelCPNameList'],
  );

  const reg = await gupnp.invoke(ts.udn, 'RegisterTelCPName', { TelCPName: 'gupnp@den', CurrentSecretKey: '' }, ['NewSecretKey', 'Expires'], opts);
  assert.equal(typeof reg.NewSecretKey, 'string');
  assert.ok(Number(reg.Expires) > 0);

  const mark = gupnp.mark();
  await gupnp.subscribe(ts.udn, ['CallInfo', 'TelCPNameList'], opts);
  await gupnp.waitForNotify((n) => n.udn === ts.udn && n.variable === 'TelCPNameList' && n.value === 'gupnp@den', 5_000, mark);

  const callInfoWith = (status: string) => (n: { udn: string; variable: string; value: unknown }) =>
    n.udn === ts.udn && n.variable === 'CallInfo' && typeof n.value === 'string' && parseCallInfo(n.value).ok && (parseCallInfo(n.value) as { value: { callStatus: string } }).value.callStatus === status;

  // An incoming Call reaches GUPnP as a Ringing CallInfo, escaped exactly once.
  const beforeRing = gupnp.mark();
  ts.line.ring({ id: '0355550101' }, remoteOfferSdp);
  const ringing = await gupnp.waitForNotify(callInfoWith('Ringing'), 5_000, beforeRing);
  const ci = parseCallInfo(String(ringing.value));
  assert.ok(ci.ok);
  assert.equal(ci.value.remoteParty?.id, '0355550101');

  // GUPnP answers it through its own proxy code; the Call becomes Connected.
  const beforeAccept = gupnp.mark();
  await gupnp.invoke(ts.udn, 'AcceptCall', { TelCPName: 'gupnp@den', SecretKey: reg.NewSecretKey, TargetCallID: ci.value.callID, MediaCapabilityInfo: mediaInfo(tcAudioSdp), CallMode: 'PHONE-TelCP' }, [], opts);
  await gupnp.waitForNotify(callInfoWith('Connected'), 5_000, beforeAccept);

  // And places a Call of its own.
  const beforeStart = gupnp.mark();
  const started = await gupnp.invoke(ts.udn, 'StartCall', { TelCPName: '', SecretKey: '', CalleeID: 'sip:bob@127.0.0.1', CallPriority: 'Normal', MediaCapabilityInfo: '', CallMode: 'Non-Monopolize' }, ['CallID'], opts);
  const dialing = await gupnp.waitForNotify(callInfoWith('Dialing'), 5_000, beforeStart);
  assert.match(String(dialing.value), new RegExp(String(started.CallID)));
});
