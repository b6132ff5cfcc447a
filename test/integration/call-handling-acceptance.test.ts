/**
 * Issue 13 acceptance 5, 7, 8 and 9 with `hometel start` in its own process (one line on a free SIP port, no web
 * application), SIPp as the callers, and hometel TelCPs (the TelCP library) as the screens, deciding through
 * CallManagement:1 and the CallHandling:1 vendor service. The full call records are read with GetCallRecords.
 *
 * 8 — nobody home: with no TelCP subscribed, the call gets the configured nobody-home action (reject 480) at once;
 * 5 — no response: a ringing call nobody decides about goes to voicemail after N s (decided by `no-response`); a
 *     RejectCall at N−1 s cancels the timer (the record keeps the TelCP as the decider);
 * 7 — two TelCPs decide at the same moment (ForwardToVoiceMail on CallHandling:1 and AcceptCall): exactly one
 *     succeeds, the other's error names the winner, the record agrees;
 * 9 — two simultaneous calls, one sent to voicemail and one accepted: both are recorded to their end.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseCallRecords, type CallRecord } from '../../src/app/index.js';
import { callHandlingServiceType } from '../../src/telephony/callhandling/index.js';
import { TelephonyControlPoint, type CallView, type TsSession } from '../../src/telephony/control/index.js';
import { findService, UpnpError, type RemoteService } from '../../src/upnp/index.js';
import { startConfiguredHometel } from '../support/hometel-process.js';
import { lo, testLogger } from '../support/net.js';
import { expectSippSuccess, freeLoopbackPort, runSipp, type SippHandle } from '../support/sipp.js';
import { lineOnlyConfig } from '../support/web.js';

const noResponseSeconds = 4;

async function caller(sipPort: number, number: string, scenario: 'uac-call' | 'uac-rejected', vars: Record<string, string>): Promise<SippHandle> {
  return runSipp({ scenario, remote: `${lo.address}:${sipPort}`, service: 'home', localPort: await freeLoopbackPort(), transport: 'u1', keys: { caller: number, caller_name: 'Caller' }, vars, timeoutMs: 60_000 });
}

interface Screen {
  readonly telcp: TelephonyControlPoint;
  readonly session: TsSession;
  readonly handling: RemoteService;
  readonly name: string;
  readonly secretKey: string;
}

async function screen(udn: string, name: string): Promise<Screen> {
  const telcp = new TelephonyControlPoint({ interfaces: [lo], logger: testLogger(`telcp-${name}`), searchTarget: udn, mx: 1 });
  await telcp.start();
  const server = await telcp.waitForServer();
  const session = await telcp.openSession(server, { name });
  const handling = telcp.controlPoint.devices.map((d) => findService(d, (s) => s.device.udn === server.udn && s.serviceType === callHandlingServiceType)).find((s) => s)!;
  assert.ok(handling, 'the TS carries CallHandling:1');
  return { telcp, session, handling, name, secretKey: session.identity!.secretKey };
}

async function records(s: Screen): Promise<CallRecord[]> {
  const out = await s.handling.invoke('GetCallRecords', { SearchText: '', StartingIndex: 0, RequestedCount: 0 });
  return parseCallRecords(String(out.CallRecords));
}

async function recordOf(s: Screen, number: string, done: (r: CallRecord) => boolean, what: string): Promise<CallRecord> {
  const end = Date.now() + 20_000;
  for (;;) {
    const found = (await records(s)).find((r) => r.number?.includes(number) && done(r));
    if (found) return found;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}: ${JSON.stringify(await records(s))}`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

function ringing(s: Screen, number: string): Promise<CallView> {
  return new Promise((resolve) => {
    const on = (v: CallView): void => {
      if (!v.info.remoteParty?.id.includes(number)) return;
      s.session.off('incoming', on);
      resolve(v);
    };
    s.session.on('incoming', on);
  });
}

test('issue 13 acceptance 5, 7, 8, 9: nobody home, no response, first decision wins, two calls at once', async (t) => {
  const sipPort = await freeLoopbackPort();
  const hometel = await startConfiguredHometel('hometel-handling-', (d) => ({
    ...lineOnlyConfig(d, sipPort),
    web: false,
    callHandling: { noResponse: { seconds: noResponseSeconds, action: { kind: 'voicemail' } }, nobodyHome: { kind: 'reject', status: 480 } },
  }));
  const screens: Screen[] = [];
  t.after(async () => {
    for (const s of screens) await s.telcp.stop();
    await hometel.stop();
  });

  // 8: nobody home — no TelCP is subscribed yet: the caller gets the configured 480 straight away.
  const nobody = await caller(sipPort, '0301110008', 'uac-rejected', { expect_final: '480' });
  expectSippSuccess(await nobody.done, 'acceptance 8: the caller is rejected 480');

  const alpha = await screen(hometel.udn, 'alpha');
  const beta = await screen(hometel.udn, 'beta');
  screens.push(alpha, beta);
  const r8 = await recordOf(alpha, '0301110008', (r) => r.endedAt !== undefined, 'the nobody-home record');
  assert.deepEqual([r8.method, r8.decidedBy], ['reject', 'nobody-home']);

  // 5: no response — nobody decides; at N s the call goes to voicemail, decided by no-response.
  const unanswered = ringing(alpha, '0301110005');
  const five = await caller(sipPort, '0301110005', 'uac-call', { hangup: 'sipp', holdms: '500' });
  const rang = await unanswered;
  const rangAt = Date.now();
  const r5 = await recordOf(alpha, '0301110005', (r) => r.decidedBy !== undefined, 'the no-response decision');
  assert.deepEqual([r5.method, r5.decidedBy, r5.callID], ['voicemail', 'no-response', rang.callID]);
  assert.ok(Date.now() - rangAt >= (noResponseSeconds - 1) * 1000, 'not before N s');
  await five.stop();

  // 5: a decision at N−1 s cancels the timer.
  const early = ringing(alpha, '0301110055');
  const fiftyFive = await caller(sipPort, '0301110055', 'uac-rejected', {});
  const call55 = await early;
  await new Promise((r) => setTimeout(r, (noResponseSeconds - 1) * 1000));
  await alpha.session.reject(call55.callID);
  expectSippSuccess(await fiftyFive.done, 'acceptance 5: the caller is rejected by the TelCP');
  await new Promise((r) => setTimeout(r, 2000));
  const r55 = await recordOf(alpha, '0301110055', (r) => r.endedAt !== undefined, 'the rejected record');
  assert.deepEqual([r55.method, r55.decidedBy], ['reject', 'alpha'], 'the no-response timer did not fire after the TelCP decided');

  // 7: two TelCPs at the same moment on CallHandling:1 (ForwardToVoiceMail against ForwardCall): exactly one
  // succeeds, the other's 801 names the winner, the record agrees.
  const both = ringing(beta, '0301110007');
  const seven = await caller(sipPort, '0301110007', 'uac-call', { hangup: 'sipp', holdms: '1000' });
  const call7 = await both;
  const outcomes = await Promise.allSettled([
    alpha.handling.invoke('ForwardToVoiceMail', { TelCPName: alpha.name, SecretKey: alpha.secretKey, TargetCallID: call7.callID }),
    beta.handling.invoke('ForwardCall', { TelCPName: beta.name, SecretKey: beta.secretKey, TargetCallID: call7.callID, ForwardTarget: 'sip:nobody@127.0.0.1:9' }),
  ]);
  const winner = outcomes[0].status === 'fulfilled' ? 'alpha' : 'beta';
  const lost = outcomes.flatMap((o) => (o.status === 'rejected' ? [o.reason as UpnpError] : []));
  assert.equal(lost.length, 1, 'exactly one decision succeeds');
  assert.equal(lost[0]!.errorCode, 801);
  assert.match(lost[0]!.errorDescription, new RegExp(`^Already decided by ${winner} \\((voicemail|forward)\\)$`), 'the loser is told who won');
  const r7 = await recordOf(alpha, '0301110007', (r) => r.decidedBy !== undefined, 'the record of the contested call');
  assert.deepEqual([r7.decidedBy, r7.method], [winner, winner === 'alpha' ? 'voicemail' : 'forward'], 'the record agrees');
  await seven.stop();

  // 7 again, across the services: ForwardToVoiceMail (CallHandling:1) against AcceptCall (CallManagement:1).
  const again = ringing(beta, '0301110077');
  const seventySeven = await caller(sipPort, '0301110077', 'uac-call', { hangup: 'sipp', holdms: '1000' });
  const call77 = await again;
  const across = await Promise.allSettled([
    alpha.handling.invoke('ForwardToVoiceMail', { TelCPName: alpha.name, SecretKey: alpha.secretKey, TargetCallID: call77.callID }),
    beta.session.answer(call77.callID, { native: true }),
  ]);
  assert.equal(across.filter((o) => o.status === 'fulfilled').length, 1, 'exactly one decision succeeds');
  const winner77 = across[0].status === 'fulfilled' ? 'alpha' : 'beta';
  const r77 = await recordOf(alpha, '0301110077', (r) => r.decidedBy !== undefined, 'the record of the call contested across services');
  assert.equal(r77.decidedBy, winner77, 'the record agrees');
  await seventySeven.stop();

  // 9: two simultaneous calls — one to voicemail (CallHandling:1), one accepted (AcceptCall) — both recorded to the end.
  const a = ringing(alpha, '0301110091');
  const b = ringing(alpha, '0301110092');
  const first = await caller(sipPort, '0301110091', 'uac-call', { hangup: 'sipp', holdms: '1000' });
  const second = await caller(sipPort, '0301110092', 'uac-call', { hangup: 'sipp', holdms: '1000' });
  const [callA, callB] = await Promise.all([a, b]);
  await Promise.all([alpha.handling.invoke('ForwardToVoiceMail', { TelCPName: alpha.name, SecretKey: alpha.secretKey, TargetCallID: callA.callID }), alpha.session.answer(callB.callID, { native: true })]);
  expectSippSuccess(await second.done, 'acceptance 9: the accepted caller talks and hangs up');
  const rA = await recordOf(alpha, '0301110091', (r) => r.endedAt !== undefined, 'the voicemail call ended');
  const rB = await recordOf(alpha, '0301110092', (r) => r.endedAt !== undefined, 'the accepted call ended');
  assert.deepEqual([rA.method, rA.decidedBy], ['voicemail', 'alpha']);
  assert.deepEqual([rB.method, rB.decidedBy, rB.result, rB.answeredBy], ['accept', 'alpha', 'success', 'alpha']);
  assert.ok((rB.durationSec ?? 0) >= 0.5, `talked: ${rB.durationSec}`);
  await first.stop();
});
