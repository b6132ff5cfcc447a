/**
 * Decisions about ringing incoming Calls (seed 004 2.2 3 i–iv, vi) in the Telephony Server, over a scripted line:
 * the first decision wins (CallManagement:1 AcceptCall/RejectCall/StopCall included) and a later one is refused
 * naming the winner; screened Calls stay hidden from TelCPs; rejections carry their SIP status; voicemail, the TS's
 * own answer, and forwards (bridge and redirect) are carried out on the line.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createTelephonyServer, type TelephonyServerOptions } from '../../src/app/telephony-server.js';
import { silentLogger } from '../../src/base/index.js';
import { Store } from '../../src/store/index.js';
import { defaultMediaProfile } from '../../src/telephony/index.js';
import { DecisionRefused, InvalidForwardTarget, UnknownCall, type Call, type Decided, type IncomingCall, type Screening } from '../../src/telephony/domain/index.js';
import { ScriptedLine } from '../../src/telephony/testing/index.js';
import { UpnpError, type ActionArgs } from '../../src/upnp/index.js';
import { FakeClock } from '../support/fake-clock.js';

const offer = 'v=0\r\no=- 1 1 IN IP4 127.0.0.9\r\ns=-\r\nc=IN IP4 127.0.0.9\r\nt=0 0\r\nm=audio 5004 RTP/AVP 0\r\na=rtpmap:0 PCMU/8000\r\n';
const targetAnswer = 'v=0\r\no=- 2 2 IN IP4 127.0.0.7\r\ns=-\r\nc=IN IP4 127.0.0.7\r\nt=0 0\r\nm=audio 6000 RTP/AVP 0\r\na=rtpmap:0 PCMU/8000\r\n';

function setup(opts: Partial<TelephonyServerOptions> = {}) {
  const dir = mkdtempSync(join(tmpdir(), 'hometel-decisions-'));
  const store = Store.open(dir);
  const clock = new FakeClock(1_000_000);
  const line = new ScriptedLine();
  const parts = createTelephonyServer({ lineName: 'home', friendlyName: 'test', store, line, media: defaultMediaProfile('127.0.0.1'), clock, logger: silentLogger, ...opts });
  const evented: string[] = [];
  const cm = parts.service.attach({ get: () => '', set: (c: ActionArgs) => void (typeof c.CallInfo === 'string' && evented.push(c.CallInfo)) });
  const decided: Array<[string, Decided]> = [];
  parts.service.onDecided((call, d) => decided.push([call.callID, d]));
  const kitchen = parts.registry.register('Kitchen', '').secretKey;
  const calls: Call[] = [];
  parts.service.onCallChange((call, from) => void (from === undefined && calls.push(call)));
  /** The Call an incoming call from `from` became. */
  const ring = (from = '+4930123'): Call => {
    line.ring({ id: from }, offer);
    clock.advance(0);
    return calls[calls.length - 1]!;
  };
  const allCalls = (): Call[] => [...calls];
  const invoke = (action: string, args: Record<string, string>): unknown => {
    const handler = (cm as unknown as Record<string, (a: Record<string, string>) => unknown>)[action]!;
    const out = handler(args);
    clock.advance(0);
    return out;
  };
  return {
    line,
    clock,
    parts,
    service: parts.service,
    evented,
    decided,
    kitchen,
    ring,
    allCalls,
    invoke,
    accept: (callID: string, name = 'Kitchen', key = kitchen) => invoke('AcceptCall', { TelCPName: name, SecretKey: key, TargetCallID: callID, MediaCapabilityInfo: '', CallMode: 'Non-Monopolize' }),
    rejectCM: (callID: string, reason = 'Busy', name = 'Kitchen', key = kitchen) => invoke('RejectCall', { TelCPName: name, SecretKey: key, TargetCallID: callID, RejectReason: reason }),
    close() {
      parts.close();
      store.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

function upnpCode(fn: () => unknown): { code: number; description: string } {
  try {
    fn();
  } catch (e) {
    if (e instanceof UpnpError) return { code: e.errorCode, description: e.errorDescription };
    throw e;
  }
  throw new Error('expected a UPnP error');
}

test('seed 004 2.2 3: the first decision wins; a later one is refused naming the winner', () => {
  const t = setup();
  try {
    const call = t.ring();
    t.service.decide(call.callID, { action: 'reject', status: 403 }, 'rule:7');
    assert.throws(
      () => t.service.decide(call.callID, { action: 'voicemail' }, 'web:Laptop'),
      (e: unknown) => e instanceof DecisionRefused && e.winner?.by === 'rule:7' && /already decided by rule:7 \(reject\)/.test(e.message),
    );
    assert.deepEqual(call.decided?.by, 'rule:7');
    assert.deepEqual(t.decided.map(([id, d]) => [id, d.by, d.decision.action]), [[call.callID, 'rule:7', 'reject']]);
    assert.equal(call.status, 'Disconnected');
    assert.throws(() => t.service.decide('call-nope', { action: 'reject' }, 'cli'), UnknownCall);
  } finally {
    t.close();
  }
});

test('seed 004 2.2 3 i–iv: CallManagement:1 AcceptCall after another decision fails 712 naming the winner; one before wins', () => {
  const t = setup({ forwarding: { mode: 'bridge', noAnswerSeconds: 30, fallbackToVoicemail: false } });
  try {
    const forwarded = t.ring();
    t.service.decide(forwarded.callID, { action: 'forward', target: 'sip:bob@127.0.0.7' }, 'web:Laptop');
    // The forward still rings its target: the caller's Call is Ringing, but decided.
    assert.equal(forwarded.status, 'Ringing');
    const refused = upnpCode(() => t.accept(forwarded.callID));
    assert.equal(refused.code, 712);
    assert.match(refused.description, /web:Laptop \(forward\)/);
    assert.equal(upnpCode(() => t.rejectCM(forwarded.callID)).code, 712);
    assert.equal(upnpCode(() => t.invoke('StopCall', { TelCPName: 'Kitchen', SecretKey: t.kitchen, CallID: forwarded.callID })).code, 712);

    const accepted = t.ring('+4930999');
    t.accept(accepted.callID);
    assert.deepEqual(accepted.decided?.decision, { action: 'accept' });
    assert.equal(accepted.decided?.by, 'Kitchen');
    assert.equal(accepted.answeredBy, 'Kitchen');
    assert.throws(() => t.service.decide(accepted.callID, { action: 'voicemail' }, 'no-response'), (e: unknown) => e instanceof DecisionRefused && /by Kitchen \(accept\)/.test(e.message));

    const rejected = t.ring('+4930777');
    t.rejectCM(rejected.callID, 'Busy');
    assert.deepEqual(rejected.decided?.decision, { action: 'reject', status: 486 });
    assert.equal(t.line.last('reject')?.reason, 'Busy');

    // An `accept` decided first is carried out by the AcceptCall that follows.
    const reserved = t.ring('+4930555');
    t.service.decide(reserved.callID, { action: 'accept', tc: 'TV' }, 'rule:vip');
    t.accept(reserved.callID);
    assert.equal(reserved.status, 'Connected');
    assert.equal(reserved.decided?.by, 'rule:vip');
  } finally {
    t.close();
  }
});

test('seed 004 2.2 3 vi: a Call screened with notify:false is never evented nor listed; answerers restrict who may answer', () => {
  const seen: IncomingCall[] = [];
  const t = setup();
  try {
    t.service.setScreen((call): Screening => {
      seen.push(call);
      return call.from.id === '+49301' ? { notify: false } : { notify: true, answerers: ['Kitchen'] };
    });
    const hidden = t.ring('+49301');
    assert.equal(hidden.hidden, true);
    assert.deepEqual(seen[0], { callID: hidden.callID, line: 'home', from: { id: '+49301' }, to: 'sip:home@127.0.0.1' });
    const list = t.invoke('GetCallInfo', { TelCPName: '', SecretKey: '', TargetCallID: '' }) as { CallInfoList: string };
    assert.ok(!list.CallInfoList.includes(hidden.callID));
    assert.equal(upnpCode(() => t.invoke('GetCallInfo', { TelCPName: '', SecretKey: '', TargetCallID: hidden.callID })).code, 703);
    assert.equal(upnpCode(() => t.accept(hidden.callID)).code, 703);
    t.service.decide(hidden.callID, { action: 'reject', status: 403 }, 'rule:blocked');
    assert.equal(hidden.status, 'Disconnected');
    assert.ok(!t.evented.some((e) => e.includes(hidden.callID)), 'a hidden Call is never evented');
    assert.deepEqual(t.line.last('reject'), { kind: 'reject', lineCallId: hidden.lineCallId, reason: 'Rejected', status: 403 });

    // An `accept` decided about a screened Call shows it, so that the TelCP carrying it out can answer it.
    const reserved = t.ring('+49301');
    t.service.decide(reserved.callID, { action: 'accept' }, 'rule:tv');
    assert.equal(reserved.hidden, false);
    t.accept(reserved.callID);
    assert.equal(reserved.status, 'Connected');

    const ringing = t.ring('+49302');
    assert.deepEqual(ringing.allowedAnswerers, ['Kitchen']);
    assert.ok(t.evented.some((e) => e.includes(ringing.callID)));
    // A call to a TelCPName of the home (2.4.10) keeps its one answerer and is not screened.
    const before = seen.length;
    t.line.ring({ id: 'Bedroom' }, offer, 'Kitchen');
    assert.equal(seen.length, before);
  } finally {
    t.close();
  }
});

test('seed 004 2.2 3 ii: a rejection carries its SIP status (486, 603, 403, 480); the default is 603', () => {
  const t = setup();
  try {
    for (const status of [486, 603, 403, 480] as const) {
      const call = t.ring();
      t.service.decide(call.callID, { action: 'reject', status }, 'cli');
      assert.equal(t.line.last('reject')?.status, status);
      assert.equal(call.reason, status === 486 ? 'Busy' : 'Rejected');
    }
    const call = t.ring();
    t.service.decide(call.callID, { action: 'reject' }, 'cli');
    assert.equal(t.line.last('reject')?.status, 603);
  } finally {
    t.close();
  }
});

test('seed 004 2.2 3 iv: voicemail without a VoiceMailPort, or one that declines, rejects 486; one that takes it gets the Call answered natively', () => {
  const none = setup();
  try {
    const call = none.ring();
    none.service.decide(call.callID, { action: 'voicemail' }, 'cli');
    assert.equal(none.line.last('reject')?.status, 486);
    assert.equal(call.status, 'Disconnected');
  } finally {
    none.close();
  }
  const deposits: IncomingCall[] = [];
  let hangUp: (() => void) | undefined;
  let take = false;
  const t = setup({
    voiceMail: {
      deposit(call, end) {
        deposits.push(call);
        hangUp = end;
        return take;
      },
    },
  });
  try {
    const declined = t.ring();
    t.service.decide(declined.callID, { action: 'voicemail' }, 'cli');
    assert.equal(t.line.last('reject')?.status, 486);
    take = true;
    const call = t.ring('+4930321');
    t.service.decide(call.callID, { action: 'voicemail' }, 'no-response');
    assert.equal(deposits[1]?.callID, call.callID);
    assert.equal(deposits[1]?.line, 'home');
    assert.equal(t.line.last('answer')?.lineCallId, call.lineCallId);
    assert.equal(call.status, 'Talking');
    assert.equal(call.reason, 'Accepted by TS');
    assert.equal(call.answeredBy, 'ts');
    hangUp!();
    assert.equal(call.status, 'Disconnected');
    assert.equal(t.line.last('hangUp')?.lineCallId, call.lineCallId);
  } finally {
    t.close();
  }
});

test('2.3.4.2: accept-native answers with the TS’s own media; the Call is Talking, "Accepted by TS"', () => {
  const t = setup();
  try {
    const call = t.ring();
    t.service.decide(call.callID, { action: 'accept-native' }, 'web:Laptop');
    assert.equal(call.status, 'Talking');
    assert.equal(call.reason, 'Accepted by TS');
    assert.ok(call.nativeMediaCapability?.includes('PCMU'));
    t.clock.advance(0);
    assert.ok(t.evented.some((e) => e.includes('Accepted by TS')));
  } finally {
    t.close();
  }
});

test('seed 004 2.2 3 iii: a forward to garbage is refused and decides nothing', () => {
  const t = setup();
  try {
    const call = t.ring();
    assert.throws(() => t.service.decide(call.callID, { action: 'forward', target: 'not a number!' }, 'cli'), InvalidForwardTarget);
    assert.equal(call.decided, undefined);
    assert.equal(call.status, 'Ringing');
  } finally {
    t.close();
  }
});

test('seed 004 2.2 3 iii bridge: the target is called on the line; its answer answers the caller; either hang-up ends both', () => {
  const t = setup({ forwarding: { mode: 'bridge', noAnswerSeconds: 30, fallbackToVoicemail: false } });
  try {
    const call = t.ring();
    t.service.decide(call.callID, { action: 'forward', target: '+49 30 555-1' }, 'web:Laptop');
    const place = t.line.last('place')!;
    assert.equal(place.request.callee, 'tel:+49305551');
    assert.equal(place.request.sdpOffer, offer, 'without a media plane the caller’s own offer goes to the target');
    const leg = t.allCalls().find((c) => c.forwardOf === call.callID)!;
    assert.equal(leg.hidden, true);
    t.line.remote.provisional(place.lineCallId);
    t.line.remote.answered(place.lineCallId, targetAnswer);
    t.clock.advance(0);
    assert.deepEqual(t.line.last('answer'), { kind: 'answer', lineCallId: call.lineCallId, sdp: targetAnswer });
    assert.equal(call.status, 'Talking');
    assert.equal(call.answeredBy, 'tel:+49305551');
    assert.deepEqual(call.forward, { target: 'tel:+49305551', mode: 'bridge', result: 'answered' });
    t.line.remote.remoteHangUp(place.lineCallId);
    assert.equal(call.status, 'Disconnected');
    assert.equal(t.line.last('hangUp')?.lineCallId, call.lineCallId);
    t.clock.advance(0);
    assert.ok(t.evented.some((e) => e.includes(call.callID)));
    assert.ok(!t.evented.some((e) => e.includes(leg.callID)), 'the leg is never evented');
    const logs = t.invoke('GetCallLogs', {}) as { CallLogs: string };
    assert.equal(logs.CallLogs.match(/<call[ >]/g)?.length, 1, 'the leg is not a call of its own in the log');

    // The caller hangs up while the target is talking: the leg is hung up.
    const second = t.ring('+4930888');
    t.service.decide(second.callID, { action: 'forward', target: 'sip:bob@127.0.0.7' }, 'cli');
    const place2 = t.line.last('place')!;
    t.line.remote.answered(place2.lineCallId, targetAnswer);
    t.line.remote.remoteHangUp(second.lineCallId);
    assert.equal(t.line.last('hangUp')?.lineCallId, place2.lineCallId);
  } finally {
    t.close();
  }
});

test('seed 004 2.2 3 iii bridge: a busy target sends the caller to voicemail; no answer in time cancels the leg and rejects 480', () => {
  const deposits: string[] = [];
  const t = setup({ voiceMail: { deposit: (c) => (deposits.push(c.callID), true) } });
  try {
    const call = t.ring();
    t.service.decide(call.callID, { action: 'forward', target: 'sip:bob@127.0.0.7' }, 'cli');
    t.line.fail(t.line.last('place')!.lineCallId, 'Busy');
    assert.equal(call.forward?.result, 'busy');
    assert.deepEqual(deposits, [call.callID]);
    assert.equal(call.status, 'Talking');
  } finally {
    t.close();
  }
  const u = setup({ forwarding: { mode: 'bridge', noAnswerSeconds: 20, fallbackToVoicemail: false } });
  try {
    const call = u.ring();
    u.service.decide(call.callID, { action: 'forward', target: 'sip:bob@127.0.0.7' }, 'cli');
    const place = u.line.last('place')!;
    u.clock.advance(19_999);
    assert.equal(call.status, 'Ringing');
    u.clock.advance(1);
    assert.equal(u.line.last('cancel')?.lineCallId, place.lineCallId);
    assert.equal(call.forward?.result, 'no-answer');
    assert.deepEqual(u.line.last('reject'), { kind: 'reject', lineCallId: call.lineCallId, reason: 'Rejected', status: 480 });
  } finally {
    u.close();
  }
});

test('seed 004 2.2 3 iii redirect: the line redirects the caller to the target and the Call ends', () => {
  const t = setup({ forwarding: { mode: 'redirect', noAnswerSeconds: 30, fallbackToVoicemail: true } });
  try {
    const call = t.ring();
    t.service.decide(call.callID, { action: 'forward', target: 'sip:bob@example.org' }, 'cli');
    assert.deepEqual(t.line.last('redirect'), { kind: 'redirect', lineCallId: call.lineCallId, target: 'sip:bob@example.org' });
    assert.deepEqual(call.forward, { target: 'sip:bob@example.org', mode: 'redirect', result: 'redirected' });
    assert.equal(call.status, 'Disconnected');
    // The decision's own mode wins over the line's.
    const bridged = t.ring();
    t.service.decide(bridged.callID, { action: 'forward', target: 'sip:bob@example.org', mode: 'bridge' }, 'cli');
    assert.equal(t.line.last('place')?.request.callee, 'sip:bob@example.org');
  } finally {
    t.close();
  }
});
