/**
 * Acceptance 2 of the Telephony Server issue: every (Call Status, action) pair, over real UPnP —
 * the allowed transition, or 712 Invalid Call Status; an unknown CallID is 703 (CallManagement
 * 2.7.1, Tables 2-4 and 2-54).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { callActions, callStatuses, type CallAction, type CallStatus } from '../../src/telephony/domain/call-state-machine.js';
import { UpnpError } from '../../src/upnp/index.js';
import { CallInfoEvents, mediaInfo, remoteOfferSdp, startTestTelephonyServer, tcAudioSdp } from '../support/telephony-server.js';
import { waitFor } from '../support/net.js';

const ts = await startTestTelephonyServer({ modifyFailedGraceMs: 60_000 });
const events = await CallInfoEvents.subscribe(ts);
test.after(() => ts.stop());

const owner = await ts.cm.invoke('RegisterTelCPName', { TelCPName: 'owner', CurrentSecretKey: '' });
const heirKey = String((await ts.cm.invoke('RegisterTelCPName', { TelCPName: 'heir', CurrentSecretKey: '' })).NewSecretKey);
const creds = { TelCPName: 'owner', SecretKey: String(owner.NewSecretKey) };

// Y = allowed; anything else must be answered 712. Columns in callStatuses order.
const allowed: Record<CallAction, string> = {
  AcceptCall: '..Y.......',
  RejectCall: '..Y...Y...',
  StopCall: 'YYYYYYYYY.',
  ModifyCall: '....Y.....',
  AcceptModifyCall: '......Y...',
  StartMediaTransfer: '...YY..YY.',
  ChangeMonopolizer: 'YY.YYYYYY.',
};

let ringing = 0;

/** A Call in the given status: outgoing PHONE-TelCP Calls of `owner`, or an incoming one for Ringing. */
async function callIn(status: CallStatus): Promise<string> {
  if (status === 'Ringing') {
    const caller = `caller-${ringing++}`;
    ts.line.ring({ id: caller }, remoteOfferSdp);
    await waitFor(() => events.all.some((c) => c.callStatus === 'Ringing' && c.remoteParty?.id === caller), `${caller} ringing`);
    return events.all.find((c) => c.remoteParty?.id === caller)!.callID;
  }
  const { CallID } = await ts.cm.invoke('StartCall', { ...creds, CalleeID: 'sip:bob@127.0.0.1', CallPriority: 'Normal', MediaCapabilityInfo: mediaInfo(tcAudioSdp), CallMode: 'PHONE-TelCP' });
  const id = String(CallID);
  const lineId = ts.line.last('place')!.lineCallId;
  await events.waitFor(id, 'Dialing');
  const step = async (s: CallStatus, act: () => unknown): Promise<void> => {
    await act();
    await events.waitFor(id, s);
  };
  const path: Record<string, Array<[CallStatus, () => unknown]>> = {
    Calling: [['Calling', () => ts.line.remote.provisional(lineId)]],
    Connected: [['Connected', () => ts.line.remote.answered(lineId, remoteOfferSdp)]],
    Talking: [
      ['Connected', () => ts.line.remote.answered(lineId, remoteOfferSdp)],
      ['Talking', () => ts.cm.invoke('StartMediaTransfer', { ...creds, TargetCallID: id, TCList: '', MediaCapabilityInfo: '' })],
    ],
  };
  const talking = path.Talking!;
  const modify: [CallStatus, () => unknown] = ['SendingModifyRequest', () => ts.cm.invoke('ModifyCall', { ...creds, TargetCallID: id, MediaCapabilityInfo: mediaInfo(tcAudioSdp) })];
  path.SendingModifyRequest = [...talking, modify];
  path.ReceivingModifyRequest = [...talking, ['ReceivingModifyRequest', () => ts.line.remote.remoteModify(lineId, remoteOfferSdp)]];
  path.Modified = [...talking, modify, ['Modified', () => ts.line.remote.modifyAccepted(lineId, remoteOfferSdp)]];
  path.ModifyFailed = [...talking, modify, ['ModifyFailed', () => ts.line.remote.modifyRejected(lineId)]];
  path.Disconnected = [['Disconnected', () => ts.cm.invoke('StopCall', { ...creds, CallID: id })]];
  for (const [s, act] of path[status] ?? []) await step(s, act);
  return id;
}

/** Ends the Call if it is still alive, as its Monopolizer or its new one. */
async function hangUp(id: string): Promise<void> {
  for (const who of [creds, { TelCPName: 'heir', SecretKey: heirKey }]) {
    try {
      await ts.cm.invoke('StopCall', { ...who, CallID: id });
      return;
    } catch {
      // not this identity's Call, or already over
    }
  }
}

function invoke(action: CallAction, id: string): Promise<unknown> {
  const target = { ...creds, TargetCallID: id };
  switch (action) {
    case 'AcceptCall':
      return ts.cm.invoke(action, { ...target, MediaCapabilityInfo: '', CallMode: 'Non-Monopolize' });
    case 'RejectCall':
      return ts.cm.invoke(action, { ...target, RejectReason: 'Declined' });
    case 'StopCall':
      return ts.cm.invoke(action, { ...creds, CallID: id });
    case 'ModifyCall':
      return ts.cm.invoke(action, { ...target, MediaCapabilityInfo: mediaInfo(tcAudioSdp) });
    case 'AcceptModifyCall':
      return ts.cm.invoke(action, { ...target, MediaCapabilityInfo: '' });
    case 'StartMediaTransfer':
      return ts.cm.invoke(action, { ...target, TCList: '', MediaCapabilityInfo: '' });
    case 'ChangeMonopolizer':
      return ts.cm.invoke(action, { CurrentMonopolizer: 'owner', SecretKey: creds.SecretKey, CallID: id, NewMonopolizer: 'heir' });
  }
}

for (const status of callStatuses) {
  test(`CallManagement 2.7.1: actions on a Call in ${status}`, async () => {
    for (const action of callActions) {
      const id = await callIn(status);
      const expected = allowed[action][callStatuses.indexOf(status)] === 'Y';
      let code: number | undefined;
      try {
        await invoke(action, id);
      } catch (e) {
        if (!(e instanceof UpnpError)) throw e;
        code = e.errorCode;
      }
      assert.equal(code, expected ? undefined : 712, `${action} in ${status}`);
      await hangUp(id);
    }
  });
}

test('CallManagement Table 2-54: every Call action on an unknown CallID answers 703', async () => {
  for (const action of callActions) {
    await assert.rejects(invoke(action, 'call-that-never-was'), (e) => e instanceof UpnpError && e.errorCode === 703, action);
  }
});
