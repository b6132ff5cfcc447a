/**
 * Issue 13 acceptance 2 as the home sees it (seed 004 2.2 3 iii, iv): `hometel start` in its own process, a TelCP
 * forwarding a ringing call through CallHandling:1 to a SIPp target on the same line (bridge mode), and the full call
 * record read back with GetCallRecords — the target and "answered"; a busy target sends the caller to voicemail and
 * the record says so. (The media both ways is checked by frequency in forwarding.test.ts.)
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseCallRecords, type CallRecord } from '../../src/app/index.js';
import { callHandlingServiceType } from '../../src/telephony/callhandling/index.js';
import { TelephonyControlPoint, type CallView } from '../../src/telephony/control/index.js';
import { findService } from '../../src/upnp/index.js';
import { startConfiguredHometel } from '../support/hometel-process.js';
import { lo, testLogger } from '../support/net.js';
import { expectSippSuccess, freeLoopbackPort, runSipp, startSippUas } from '../support/sipp.js';
import { lineOnlyConfig } from '../support/web.js';

test('issue 13 acceptance 2 (seed 004 2.2 3 iii, iv): a bridged forward is recorded with its target and "answered"; a busy target sends the caller to voicemail', async (t) => {
  const sipPort = await freeLoopbackPort();
  const hometel = await startConfiguredHometel('hometel-forward-', (d) => ({ ...lineOnlyConfig(d, sipPort), web: false, callHandling: { activation: 'on' } }));
  const telcp = new TelephonyControlPoint({ interfaces: [lo], logger: testLogger('telcp-forward'), searchTarget: hometel.udn, mx: 1 });
  t.after(async () => {
    await telcp.stop();
    await hometel.stop();
  });
  await telcp.start();
  const server = await telcp.waitForServer();
  const session = await telcp.openSession(server, { name: 'kitchen' });
  const handling = telcp.controlPoint.devices.map((d) => findService(d, (s) => s.device.udn === server.udn && s.serviceType === callHandlingServiceType)).find((s) => s)!;
  const secretKey = session.identity!.secretKey;
  const ringing = (number: string): Promise<CallView> =>
    new Promise((resolve) => session.on('incoming', (v: CallView) => v.info.remoteParty?.id.includes(number) && resolve(v)));
  const recordOf = async (number: string, done: (r: CallRecord) => boolean): Promise<CallRecord> => {
    const end = Date.now() + 20_000;
    for (;;) {
      const all = parseCallRecords(String((await handling.invoke('GetCallRecords', { SearchText: '', StartingIndex: 0, RequestedCount: 0 })).CallRecords));
      const found = all.find((r) => r.number?.includes(number) && done(r));
      if (found) return found;
      if (Date.now() > end) throw new Error(`no record for ${number}: ${JSON.stringify(all)}`);
      await new Promise((r) => setTimeout(r, 200));
    }
  };
  const caller = async (number: string) =>
    runSipp({ scenario: 'uac-call', remote: `${lo.address}:${sipPort}`, service: 'home', localPort: await freeLoopbackPort(), transport: 'u1', keys: { caller: number, caller_name: 'Caller' }, vars: { hangup: 'sipp', holdms: '1500' }, timeoutMs: 60_000 });

  // The target answers: the caller talks to it through hometel, the record has the target and "answered".
  const targetPort = await freeLoopbackPort();
  const target = await startSippUas({ scenario: 'uas-answer', localPort: targetPort, transport: 'u1', calls: 1, timeoutMs: 60_000 });
  const targetUri = `sip:bob@${lo.address}:${targetPort}`;
  const rings = ringing('0301112002');
  const call = await caller('0301112002');
  const view = await rings;
  await handling.invoke('ForwardCall', { TelCPName: 'kitchen', SecretKey: secretKey, TargetCallID: view.callID, ForwardTarget: targetUri });
  expectSippSuccess(await call.done, 'the caller was answered by the forward and hung up');
  expectSippSuccess(await target.done, 'the target answered and got hometel\'s BYE');
  const answered = await recordOf('0301112002', (r) => r.endedAt !== undefined);
  assert.deepEqual(
    [answered.method, answered.decidedBy, answered.forwardTarget, answered.forwardResult, answered.result, answered.answeredBy],
    ['forward', 'kitchen', targetUri, 'answered', 'success', targetUri],
  );

  // A busy target: the caller goes to voicemail (the line's default fallback) and is answered there.
  const busyPort = await freeLoopbackPort();
  const busy = await startSippUas({ scenario: 'uas-busy', localPort: busyPort, transport: 'u1', calls: 1, timeoutMs: 60_000 });
  const rings2 = ringing('0301112003');
  const call2 = await caller('0301112003');
  const view2 = await rings2;
  await handling.invoke('ForwardCall', { TelCPName: 'kitchen', SecretKey: secretKey, TargetCallID: view2.callID, ForwardTarget: `sip:busy@${lo.address}:${busyPort}` });
  expectSippSuccess(await busy.done, 'the target answered 486');
  expectSippSuccess(await call2.done, 'the caller was answered by voicemail and hung up');
  const toVoicemail = await recordOf('0301112003', (r) => r.endedAt !== undefined);
  assert.deepEqual([toVoicemail.method, toVoicemail.forwardResult, toVoicemail.result], ['forward', 'busy', 'fail'], 'the forward failed');
  assert.equal(toVoicemail.answeredBy, 'ts', 'voicemail (the TS\'s own media) took the call');
});
