/**
 * The Telephony Server's CallManagement service with a SipLine as its WAN line (wired as
 * createTelephonyServer wires any line), against a remote SipLine over real UDP on 127.0.0.1. The
 * service's actions are invoked directly (no UPnP in between) and its CallInfo events recorded: the
 * Call states of design.md's mapping table follow the SIP messages.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createTelephonyServer } from '../../src/app/telephony-server.js';
import { systemClock } from '../../src/base/clock.js';
import { SipLine } from '../../src/sip/bridge/sip-line.js';
import { Store } from '../../src/store/index.js';
import { parseCallInfo } from '../../src/telephony/contracts/call-management/cams-xml.js';
import type { CallInfo } from '../../src/telephony/contracts/call-management/cams-types.js';
import { defaultMediaProfile } from '../../src/telephony/index.js';
import type { ActionArgs, ActionHandler, UpnpValue } from '../../src/upnp/index.js';
import { LineRecorder } from '../support/line-recorder.js';
import { testLogger, waitFor } from '../support/net.js';

const host = '127.0.0.1';
const timers = { t1: 50, t2: 400, t4: 500, timerD: 500 };
const remoteAnswer = 'v=0\r\no=bob 1 1 IN IP4 127.0.0.1\r\ns=-\r\nc=IN IP4 127.0.0.1\r\nt=0 0\r\nm=audio 50000 RTP/AVP 0\r\na=rtpmap:0 PCMU/8000\r\n';
const remoteOffer = 'v=0\r\no=bob 1 1 IN IP4 127.0.0.1\r\ns=-\r\nc=IN IP4 127.0.0.1\r\nt=0 0\r\nm=audio 50000 RTP/AVP 0 8\r\na=rtpmap:0 PCMU/8000\r\na=rtpmap:8 PCMA/8000\r\n';

async function setup() {
  const dataDir = mkdtempSync(join(tmpdir(), 'hometel-sipts-'));
  const store = Store.open(dataDir);
  const media = defaultMediaProfile(host);
  const line = new SipLine({ mode: 'direct', user: 'home', host, port: 0, timers, logger: testLogger('ts.line'), localSdp: () => media.native ?? media.tcBased });
  const parts = createTelephonyServer({ lineName: 'sip', friendlyName: 'sip line', store, line, media, clock: systemClock, logger: testLogger('ts') });
  const events: CallInfo[] = [];
  const values = new Map<string, UpnpValue>();
  const handlers: Readonly<Record<string, ActionHandler>> = parts.service.attach({
    get: (name) => values.get(name) ?? '',
    set: (changes) => {
      for (const [k, v] of Object.entries(changes)) {
        values.set(k, v);
        if (k === 'CallInfo') {
          const parsed = parseCallInfo(String(v));
          if (parsed.ok) events.push(parsed.value);
        }
      }
    },
  });
  await line.start();
  const bob = new SipLine({ mode: 'direct', user: 'bob', host, port: 0, timers, logger: testLogger('bob') });
  const remote = new LineRecorder();
  bob.setListener(remote);
  await bob.start();
  const invoke = async (action: string, args: ActionArgs): Promise<ActionArgs> => {
    const h = handlers[action];
    assert.ok(h, action);
    return await h(args, { remoteAddress: host });
  };
  const statuses = (callID: string): string[] => events.filter((e) => e.callID === callID).map((e) => `${e.callStatus}${e.reason ? `/${e.reason}` : ''}`);
  const waitStatus = (callID: string, status: string): Promise<void> =>
    waitFor(() => statuses(callID).includes(status), `${callID} ${status} (seen ${statuses(callID).join(', ')})`);
  return {
    line,
    bob,
    remote,
    events,
    invoke,
    statuses,
    waitStatus,
    bobUri: `sip:bob@${host}:${bob.port}`,
    async close() {
      parts.close();
      await line.stop();
      await bob.stop();
      store.close();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

test('TS over SIP: StartCall → Dialing → Calling (180) → Connected (200); remote BYE → Disconnected; GetTelephonyIdentity', async () => {
  const s = await setup();
  try {
    const identity = await s.invoke('GetTelephonyIdentity', {});
    assert.equal(identity.TelephonyIdentity, `sip:home@${host}:${s.line.port}`);
    const { CallID } = await s.invoke('StartCall', { TelCPName: '', SecretKey: '', CalleeID: s.bobUri, CallPriority: 'Normal', MediaCapabilityInfo: '', CallMode: 'Non-Monopolize' });
    const id = String(CallID);
    await waitFor(() => s.remote.incomingCalls.length === 1, 'the INVITE at bob');
    await s.waitStatus(id, 'Calling');
    s.bob.answer(s.remote.incomingCalls[0]!.id, remoteAnswer);
    await s.waitStatus(id, 'Connected');
    await waitFor(() => s.bob.session(s.remote.incomingCalls[0]!.id)?.state === 'confirmed', 'ACK at bob');
    s.bob.hangUp(s.remote.incomingCalls[0]!.id);
    await s.waitStatus(id, 'Disconnected');
    assert.deepEqual(s.statuses(id), ['Dialing', 'Calling', 'Connected', 'Disconnected']);
  } finally {
    await s.close();
  }
});

test('TS over SIP: busy callee → Disconnected/Busy; StopCall while Calling → CANCEL, Disconnected/Cancelled', async () => {
  const s = await setup();
  try {
    const start = async (): Promise<string> =>
      String((await s.invoke('StartCall', { TelCPName: '', SecretKey: '', CalleeID: s.bobUri, CallPriority: 'Normal', MediaCapabilityInfo: '', CallMode: 'Non-Monopolize' })).CallID);
    const busy = await start();
    await waitFor(() => s.remote.incomingCalls.length === 1, 'INVITE 1');
    s.bob.reject(s.remote.incomingCalls[0]!.id, 'Busy');
    await s.waitStatus(busy, 'Disconnected/Busy');
    const cancelled = await start();
    await s.waitStatus(cancelled, 'Calling');
    await s.invoke('StopCall', { TelCPName: '', SecretKey: '', CallID: cancelled });
    await waitFor(() => s.remote.events.includes('remoteCancelled'), 'CANCEL at bob');
    assert.deepEqual(s.statuses(cancelled), ['Dialing', 'Calling', 'Disconnected/Cancelled']);
  } finally {
    await s.close();
  }
});

test('TS over SIP: an incoming INVITE rings (Ringing with the caller), AcceptCall answers 200, StopCall sends BYE', async () => {
  const s = await setup();
  try {
    const out = s.bob.place({ callee: `sip:home@${host}:${s.line.port}`, priority: 'Normal', sdpOffer: remoteOffer });
    await waitFor(() => s.events.some((e) => e.callStatus === 'Ringing'), 'Ringing');
    const ringing = s.events.find((e) => e.callStatus === 'Ringing')!;
    assert.equal(ringing.remoteParty?.id, 'bob');
    await waitFor(() => s.remote.events.includes('provisional'), '180 at bob');
    await s.invoke('AcceptCall', { TelCPName: '', SecretKey: '', TargetCallID: ringing.callID, MediaCapabilityInfo: '', CallMode: 'Non-Monopolize' });
    await waitFor(() => s.remote.events.includes('answered'), '200 at bob');
    assert.equal(s.bob.session(out)?.remoteSdp, remoteOffer, 'answered with the offer itself (no TC media chosen)');
    await waitFor(() => s.bob.session(out)?.state === 'confirmed', 'confirmed');
    await s.invoke('StopCall', { TelCPName: '', SecretKey: '', CallID: ringing.callID });
    await waitFor(() => s.remote.events.includes('remoteHangUp'), 'BYE at bob');
    assert.deepEqual(s.statuses(ringing.callID), ['Ringing', 'Connected', 'Disconnected']);
  } finally {
    await s.close();
  }
});

test('TS over SIP: RejectCall with a busy reason answers 486; a plain RejectCall 603', async () => {
  const s = await setup();
  try {
    for (const [reason, want] of [
      ['user busy', 'failed Busy'],
      ['no thanks', 'failed Rejected'],
    ] as const) {
      s.bob.place({ callee: `sip:home@${host}:${s.line.port}`, priority: 'Normal', sdpOffer: remoteOffer });
      await waitFor(() => s.events.filter((e) => e.callStatus === 'Ringing').length === (want === 'failed Busy' ? 1 : 2), 'Ringing');
      const ringing = s.events.filter((e) => e.callStatus === 'Ringing').at(-1)!;
      await s.invoke('RejectCall', { TelCPName: '', SecretKey: '', TargetCallID: ringing.callID, RejectReason: reason });
      await waitFor(() => s.remote.events.includes(want), want);
    }
  } finally {
    await s.close();
  }
});
