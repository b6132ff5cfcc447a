/**
 * The Telephony Control Point library invokes its actions through its contracts (CallManagement on a Telephony
 * Server, MediaManagement on a Telephony Client).
 *
 * Compile time: each `// @ts-expect-error` below must stay an error — a misspelt action, an action of the other
 * service, a misspelt or missing argument, a value of the wrong type, an out-argument the action does not have, the
 * identity given where the session adds it. `npm test` type-checks test/ too, so an expect-error that stops
 * erroring fails the build.
 *
 * Run time: what goes to the RemoteService (action, arguments, timeout), what the ActionLog records, the error
 * mapping, the identity the session adds, and the two spellings the spec gives ClearCallBack's argument.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { buildCallBackInfoList } from '../../src/telephony/contracts/call-management/cams-xml.js';
import { CallManagementAction, callManagementContract } from '../../src/telephony/contracts/call-management/contract.js';
import { MediaManagementAction } from '../../src/telephony/contracts/media-management/contract.js';
import { ActionLog, TelephonyClient, TelephonyError, TelephonyServer } from '../../src/telephony/control/index.js';
import { answeredAs, withAliases } from '../../src/telephony/control/contract-calls.js';
import { CallBacks } from '../../src/telephony/control/ts-session/callbacks.js';
import { TelCPLease, type CmInvoke } from '../../src/telephony/control/ts-session/lease.js';
import { silentLogger, UpnpError, type ActionArgs, type InvokeOptions, type RemoteService, type UpnpValue } from '../../src/upnp/index.js';
import { FakeClock } from '../support/fake-clock.js';

/** A RemoteService that records what it is asked and answers with `answer`. */
function fakeRemote(answer: (action: string) => Record<string, UpnpValue>): RemoteService & { seen: Array<[string, ActionArgs, InvokeOptions]> } {
  const seen: Array<[string, ActionArgs, InvokeOptions]> = [];
  const remote = {
    seen,
    device: { udn: 'uuid:ts-1', friendlyName: 'Hall' },
    invoke: async (action: string, args: ActionArgs = {}, opts: InvokeOptions = {}) => {
      seen.push([action, args, opts]);
      return answer(action);
    },
  };
  return remote as unknown as RemoteService & typeof remote;
}

// ------------------------------------------------------------------ compile time

// Each expect-error below leaves a value of the error type behind, which the unsafe-any rule would flag.
/* eslint-disable @typescript-eslint/no-unsafe-return */
export function typeErrors(ts: TelephonyServer, tc: TelephonyClient, cm: CmInvoke): Array<() => Promise<unknown>> {
  return [
    // @ts-expect-error there is no action StartCal
    () => ts.invoke('StartCal', {}),
    // @ts-expect-error StartMediaSession is a Telephony Client's action, not a Telephony Server's
    () => ts.invoke(MediaManagementAction.StartMediaSession, { TSMediaCapabilityInfo: '' }),
    // @ts-expect-error StartCall is a Telephony Server's action, not a Telephony Client's
    () => tc.invoke(CallManagementAction.StartCall, { TelCPName: '', SecretKey: '', CalleeID: 'x', CallPriority: 'Normal', MediaCapabilityInfo: '', CallMode: 'Non-Monopolize' }),
    // @ts-expect-error ChangeMonopolizer's argument is CallID, not TargetCallID
    () => ts.invoke(CallManagementAction.ChangeMonopolizer, { CurrentMonopolizer: 'a', SecretKey: 'k', TargetCallID: 'c1', NewMonopolizer: 'b' }),
    // @ts-expect-error InitiateCall needs CalleeID
    () => ts.invoke(CallManagementAction.InitiateCall, {}),
    // @ts-expect-error StopMediaSession's argument is TargetMediaSessionID
    () => tc.invoke(MediaManagementAction.StopMediaSession, { MediaSessionID: 's1' }),
    // @ts-expect-error TargetMediaSessionID is a string
    () => tc.invoke(MediaManagementAction.GetMediaSessionInfo, { TargetMediaSessionID: 1 }),
    // @ts-expect-error GetCallLogs has no out-argument CallLog
    async () => (await ts.invoke(CallManagementAction.GetCallLogs, {})).CallLog,
    // @ts-expect-error NewSecretKey is a string, not a number
    async () => ((n: number | undefined) => n)((await ts.invoke(CallManagementAction.RegisterTelCPName, { TelCPName: 'a', CurrentSecretKey: '' })).NewSecretKey),
    // @ts-expect-error the session's cm is for actions that carry the identity; GetTelCPNameList does not
    () => cm(CallManagementAction.GetTelCPNameList, {}),
    // @ts-expect-error StopCall's argument is CallID, not TargetCallID
    () => cm(CallManagementAction.StopCall, { TargetCallID: 'c1' }),
    // @ts-expect-error the session adds the identity itself
    () => cm(CallManagementAction.StopCall, { CallID: 'c1', TelCPName: 'other' }),
    // @ts-expect-error RejectReason is a string
    () => cm(CallManagementAction.RejectCall, { TargetCallID: 'c1', RejectReason: false }),
    // @ts-expect-error the caller names the argument as the contract does; the alias is added, not chosen
    async () => withAliases(callManagementContract, CallManagementAction.ClearCallBack, { CallBackID: 'cb-1' }),
    // @ts-expect-error the contract's spelling comes first; the other one is the fallback
    async () => answeredAs(await ts.invoke(CallManagementAction.GetCallBackInfo, {}), 'CallBackInfo', 'CallbackInfo'),
  ];
}
/* eslint-enable @typescript-eslint/no-unsafe-return */

// ------------------------------------------------------------------ run time

test('a Telephony Server handle sends the action as typed, with the library’s timeout, records it, and returns the answer in the contract’s types', async () => {
  const remote = fakeRemote(() => ({ CallID: 'c7' }));
  const log = new ActionLog();
  const ts = new TelephonyServer(remote, 'uuid:root', log);
  const out = await ts.invoke(CallManagementAction.InitiateCall, { CalleeID: 'sip:bob@example.org' }, 'c7');
  assert.equal(out.CallID, 'c7');
  assert.deepEqual(remote.seen, [['InitiateCall', { CalleeID: 'sip:bob@example.org' }, { timeoutMs: 15_000 }]]);
  assert.deepEqual(
    log.entries.map((r) => [r.device, r.udn, r.action, r.args, r.outcome]),
    [['TS', 'uuid:ts-1', 'InitiateCall', { CalleeID: 'sip:bob@example.org' }, 'ok']],
  );
  // A TS whose SCPD types CallID as ui4 answers a number; the contract's string is what the library gets.
  const numeric = new TelephonyServer(fakeRemote(() => ({ CallID: 7 })), 'uuid:root', log);
  assert.equal((await numeric.invoke(CallManagementAction.InitiateCall, { CalleeID: 'sip:bob@example.org' })).CallID, '7');
  const registered = new TelephonyServer(fakeRemote(() => ({ NewSecretKey: 'k', Expires: 600 })), 'uuid:root', log);
  assert.deepEqual(await registered.invoke(CallManagementAction.RegisterTelCPName, { TelCPName: 'a', CurrentSecretKey: '' }), { NewSecretKey: 'k', Expires: 600 }, 'a number stays one where the contract says so');
});

test('a fault becomes a TelephonyError naming the device kind, the action and the Call, and the log keeps its code', async () => {
  const remote = fakeRemote(() => {
    throw new UpnpError(713, 'Unauthorized Identity');
  });
  const log = new ActionLog();
  const ts = new TelephonyServer(remote, 'uuid:root', log);
  await assert.rejects(ts.invoke(CallManagementAction.StopCall, { TelCPName: 'a', SecretKey: 'k', CallID: 'c1' }, 'c1'), (e: unknown) => {
    assert.ok(e instanceof TelephonyError);
    assert.deepEqual([e.kind, e.device, e.action, e.callID, e.errorCode], ['fault', 'TS', 'StopCall', 'c1', 713]);
    return true;
  });
  assert.equal(log.entries[0]?.outcome, 713);
  const tc = new TelephonyClient(fakeRemote(() => ({ MediaSessionID: '', TCMediaCapabilityInfo: '' })), 'uuid:tc', log);
  await assert.rejects(tc.startMediaSession('v=0'), (e: unknown) => e instanceof TelephonyError && e.device === 'TC' && e.action === 'StartMediaSession');
});

test('the session’s cm sends its TelCPName and SecretKey first, then the action’s own arguments', async () => {
  const remote = fakeRemote((action): Record<string, UpnpValue> => (action === 'RegisterTelCPName' ? { NewSecretKey: 'k1', Expires: 600 } : {}));
  const ts = new TelephonyServer(remote, 'uuid:root', new ActionLog());
  const lease = new TelCPLease({ server: ts, clock: new FakeClock(), logger: silentLogger, opts: { name: 'TV' }, emit: () => undefined, background: (p) => void p });
  await lease.start();
  await lease.cm(CallManagementAction.StopCall, { CallID: 'c1' }, 'c1');
  lease.stop();
  const [, stop] = remote.seen;
  assert.deepEqual(stop?.[0], 'StopCall');
  assert.deepEqual(Object.entries(stop?.[1] ?? {}), [
    ['TelCPName', 'TV'],
    ['SecretKey', 'k1'],
    ['CallID', 'c1'],
  ]);
});

test('ClearCallBack goes with both spellings of its argument (notes S4), and GetCallBackInfo is read under either', async () => {
  const info = buildCallBackInfoList([{ callBackID: 'cb-1', callee: [{ id: 'sip:bob@example.org' }] }]);
  const remote = fakeRemote((action): Record<string, UpnpValue> => (action === 'GetCallBackInfo' ? { CallBackInfo: info } : {}));
  const callbacks = new CallBacks(new TelephonyServer(remote, 'uuid:root', new ActionLog()), () => undefined);
  await callbacks.clear('cb-9');
  assert.deepEqual(remote.seen[0]?.[1], { CallbackID: 'cb-9', CallBackID: 'cb-9' });
  assert.deepEqual(withAliases(callManagementContract, CallManagementAction.StopCall, { TelCPName: '', SecretKey: '', CallID: 'c1' }), { TelCPName: '', SecretKey: '', CallID: 'c1' }, 'no aliases, nothing added');
  assert.deepEqual(await callbacks.list(), [{ callBackID: 'cb-1', callee: 'sip:bob@example.org' }]);
  assert.equal(answeredAs({ CallbackInfo: 'a', CallBackInfo: 'b' } as { CallbackInfo?: string }, 'CallbackInfo', 'CallBackInfo'), 'a', 'the contract’s spelling first');
});
