/**
 * Calls placed by the phones of the home (issue 14, "Calls → Outgoing"; src/telephony/server/phone-calls.ts and
 * src/sip/pbx/phone-caller.ts), in the Telephony Server over scripted lines and a recording media plane: each is an
 * outgoing Call of the TS placed on its line with the relay's WAN SDP; the callee's answer answers the phone with the
 * relay's home SDP (the phone the relay's one client) and the Call goes Talking; failures, the phone's CANCEL and BYE
 * and the remote hang-up reach the other side. Calls to an extension go to the phones' line; calls to a TelCP of
 * the home loop back as its incoming Call.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createTelephonyServer } from '../../src/app/telephony-server.js';
import { silentLogger } from '../../src/base/index.js';
import { carryPhoneCall, failureStatusOf } from '../../src/sip/pbx/index.js';
import type { InviteSession } from '../../src/sip/index.js';
import { Store } from '../../src/store/index.js';
import { defaultMediaProfile } from '../../src/telephony/index.js';
import type { Call, CallMedia, CallReason, MediaClient, MediaPlane, PhoneCallee, PhoneCallerLeg, PlacedPhoneCall } from '../../src/telephony/domain/index.js';
import { ScriptedLine } from '../../src/telephony/testing/index.js';
import type { ActionArgs } from '../../src/upnp/index.js';
import { FakeClock } from '../support/fake-clock.js';

const sdp = (host: string, port: number): string => `v=0\r\no=- 1 1 IN IP4 ${host}\r\ns=-\r\nc=IN IP4 ${host}\r\nt=0 0\r\nm=audio ${port} RTP/AVP 0\r\na=rtpmap:0 PCMU/8000\r\n`;
const phoneOffer = sdp('127.0.0.21', 7000);
const wan = sdp('127.0.0.1', 30000);
const home = sdp('127.0.0.1', 30002);
const remoteAnswer = sdp('192.0.2.9', 4000);

/** A media plane that records what the TS asks of each Call's media: its WAN SDP, its home SDP, its clients. */
class RecordingPlane implements MediaPlane {
  readonly media = new Map<string, { clients: MediaClient[][]; remote: string[]; closed: boolean }>();
  openCall(callID: string): CallMedia {
    const r = { clients: [] as MediaClient[][], remote: [] as string[], closed: false };
    this.media.set(callID, r);
    return {
      callID,
      wanSdp: () => wan,
      homeSdp: () => home,
      setRemote: (s) => void r.remote.push(s),
      setClients: (tcs) => void r.clients.push([...tcs]),
      setNative: () => {},
      close: async () => void (r.closed = true),
      ready: async () => {},
    };
  }
  async close(): Promise<void> {}
}

/** What the phone's side was told. */
class RecordingLeg implements PhoneCallerLeg {
  readonly told: string[] = [];
  answer?: string;
  reason?: CallReason;
  ringing(): void {
    this.told.push('ringing');
  }
  answered(s: string | undefined): void {
    this.answer = s;
    this.told.push('answered');
  }
  failed(reason: CallReason | undefined): void {
    this.reason = reason;
    this.told.push(`failed:${reason ?? 'error'}`);
  }
  ended(): void {
    this.told.push('ended');
  }
}

function setup(o: { maxCalls?: number } = {}) {
  const dir = mkdtempSync(join(tmpdir(), 'hometel-phone-calls-'));
  const store = Store.open(dir);
  const clock = new FakeClock(1_000_000);
  const line = new ScriptedLine('sip:home@provider.example');
  const phones = new ScriptedLine('sip:hometel@home.arpa');
  const plane = new RecordingPlane();
  const parts = createTelephonyServer({
    lineName: 'home',
    friendlyName: 'test',
    store,
    line,
    media: defaultMediaProfile('127.0.0.1'),
    mediaPlane: plane,
    clock,
    logger: silentLogger,
    ...(o.maxCalls !== undefined ? { maxCalls: o.maxCalls } : {}),
  });
  parts.reachPhones({ line: phones, isExtension: (callee) => callee === '22' || callee === 'tel:22' });
  const cm = parts.service.attach({ get: () => '', set: (_: ActionArgs) => {} }) as unknown as Record<string, (a: Record<string, string>) => Record<string, string>>;
  const calls: Call[] = [];
  parts.service.onCallChange((call, from) => void (from === undefined && calls.push(call)));
  const place = (callee: PhoneCallee, offer: string | undefined = phoneOffer) => {
    const leg = new RecordingLeg();
    const placed = parts.service.placeForPhone({ extension: '21', displayName: 'Desk', callee, ...(offer ? { sdpOffer: offer } : {}) }, leg);
    clock.advance(0);
    return { leg, placed, call: placed && parts.service.call(placed.callID) };
  };
  return {
    line,
    phones,
    plane,
    clock,
    cm,
    calls,
    registry: parts.registry,
    service: parts.service,
    place,
    close() {
      parts.close();
      store.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

test('an outside number: a Call of the TS placed on the line with the relay\'s WAN SDP, by ext:21, the number at the line\'s domain', () => {
  const t = setup();
  try {
    const { call, leg } = t.place({ kind: 'number', number: '5551234' });
    assert.ok(call);
    assert.equal(call.direction, 'outgoing');
    assert.equal(call.status, 'Dialing');
    assert.equal(call.placedBy, 'ext:21');
    assert.equal(call.remoteParty.id, '5551234');
    const placed = t.line.last('place');
    assert.equal(placed?.request.callee, 'sip:5551234@provider.example;user=phone');
    assert.equal(placed?.request.sdpOffer, wan, 'the line is offered the relay\'s WAN side, never the phone\'s address');
    assert.deepEqual(leg.told, []);
    // TelCPs see it (GetCallInfo lists it).
    assert.match(t.cm.GetCallInfo!({ TelCPName: '', SecretKey: '', TargetCallID: '' }).CallInfoList!, new RegExp(call.callID));
  } finally {
    t.close();
  }
});

test('the callee rings and answers: the phone is answered with the relay\'s home SDP, the phone is the relay\'s one client, the Call goes Talking; the remote hang-up ends the phone', () => {
  const t = setup();
  try {
    const { call, leg } = t.place({ kind: 'number', number: '5551234' });
    const id = call!.lineCallId;
    t.line.remote.provisional(id);
    assert.equal(call!.status, 'Calling');
    assert.deepEqual(leg.told, ['ringing']);
    t.line.remote.answered(id, remoteAnswer);
    t.clock.advance(0);
    assert.equal(call!.status, 'Talking');
    assert.deepEqual(leg.told, ['ringing', 'answered']);
    assert.equal(leg.answer, home);
    const media = t.plane.media.get(call!.callID)!;
    assert.deepEqual(media.remote, [remoteAnswer]);
    assert.deepEqual(media.clients, [[{ sdp: phoneOffer }]]);
    t.line.remote.remoteHangUp(id);
    assert.equal(call!.status, 'Disconnected');
    assert.deepEqual(leg.told, ['ringing', 'answered', 'ended']);
    assert.equal(media.closed, true);
  } finally {
    t.close();
  }
});

test('the line fails: the phone gets the matching failure (Busy, Not Found, an error) and the Call is over', () => {
  for (const [failure, expected] of [['Busy', 'Busy'], ['Not Found', 'Not Found'], ['Rejected', 'Rejected'], ['Error', undefined]] as const) {
    const t = setup();
    try {
      const { call, leg } = t.place({ kind: 'number', number: '5551234' });
      t.line.fail(call!.lineCallId, failure);
      assert.equal(call!.status, 'Disconnected');
      assert.equal(leg.reason, expected);
      assert.equal(leg.told.length, 1);
    } finally {
      t.close();
    }
  }
});

test('RFC 3261 9.2 / 15: the phone gives up (CANCEL) → the line\'s call is cancelled and the Call ends Cancelled; the phone hangs up (BYE) → the line is hung up', () => {
  const t = setup();
  try {
    const first = t.place({ kind: 'number', number: '5551234' });
    t.line.remote.provisional(first.call!.lineCallId);
    first.placed!.end();
    assert.equal(t.line.last('cancel')?.lineCallId, first.call!.lineCallId);
    assert.equal(first.call!.status, 'Disconnected');
    assert.equal(first.call!.reason, 'Cancelled');
    assert.deepEqual(first.leg.told, ['ringing'], 'the phone is not told again: its CANCEL was answered 487 by the user agent');

    const second = t.place({ kind: 'number', number: '5551235' });
    t.line.remote.answered(second.call!.lineCallId, remoteAnswer);
    t.clock.advance(0);
    second.placed!.end();
    assert.deepEqual(t.line.last('hangUp'), { kind: 'hangUp', lineCallId: second.call!.lineCallId });
    assert.equal(second.call!.status, 'Disconnected');
    assert.deepEqual(second.leg.told, ['answered']);
  } finally {
    t.close();
  }
});

test('a TelCP\'s StopCall of a phone\'s Talking Call ends the phone\'s side too', () => {
  const t = setup();
  try {
    const { call, leg } = t.place({ kind: 'number', number: '5551234' });
    t.line.remote.answered(call!.lineCallId, remoteAnswer);
    t.clock.advance(0);
    t.cm.StopCall!({ TelCPName: '', SecretKey: '', CallID: call!.callID });
    assert.deepEqual(leg.told, ['answered', 'ended']);
    assert.deepEqual(t.line.last('hangUp'), { kind: 'hangUp', lineCallId: call!.lineCallId });
  } finally {
    t.close();
  }
});

test('no resource left for one more Call: the phone is told Busy and nothing is placed', () => {
  const t = setup({ maxCalls: 1 });
  try {
    assert.ok(t.place({ kind: 'number', number: '5551234' }).placed);
    const { placed, leg } = t.place({ kind: 'number', number: '5551235' });
    assert.equal(placed, undefined);
    assert.deepEqual(leg.told, ['failed:Busy']);
    assert.equal(t.line.commands.filter((c) => c.kind === 'place').length, 1);
  } finally {
    t.close();
  }
});

test('an extension: the Call goes to the phones\' line (showing the caller ext 21), its answer and hang-up come back from there', () => {
  const t = setup();
  try {
    const { call, leg } = t.place({ kind: 'extension', number: '22' });
    assert.equal(t.line.last('place'), undefined, 'nothing went out on the WAN line');
    const placed = t.phones.last('place');
    assert.deepEqual(placed?.request, { callee: '22', priority: 'Normal', sdpOffer: wan, callerId: { id: '21', name: 'Desk' } });
    assert.equal(call!.remoteParty.id, '22');
    t.phones.remote.provisional(placed.lineCallId);
    t.phones.remote.answered(placed.lineCallId, remoteAnswer);
    t.clock.advance(0);
    assert.equal(call!.status, 'Talking');
    assert.deepEqual(leg.told, ['ringing', 'answered']);
    // The phone hangs up: the BYE goes to the callee's phone, not to the WAN line.
    leg.told.length = 0;
    t.cm.StopCall!({ TelCPName: '', SecretKey: '', CallID: call!.callID });
    assert.deepEqual(t.phones.last('hangUp'), { kind: 'hangUp', lineCallId: placed.lineCallId });
    assert.equal(t.line.last('hangUp'), undefined);
  } finally {
    t.close();
  }
});

test('a TelCP\'s StartCall to tel:22 rings extension 22 on the phones\' line too; an outside number still goes to the WAN line', () => {
  const t = setup();
  try {
    const anyone = { TelCPName: '', SecretKey: '', CallPriority: 'Normal', MediaCapabilityInfo: '', CallMode: 'Non-Monopolize' };
    const { CallID } = t.cm.StartCall!({ ...anyone, CalleeID: 'tel:22' });
    assert.equal(t.phones.last('place')?.request.callee, 'tel:22');
    assert.equal(t.line.last('place'), undefined);
    t.phones.remote.failed(t.phones.last('place')!.lineCallId, 'Busy');
    assert.equal(t.service.call(CallID!)?.reason, 'Busy', 'the phones\' line reports to the TS that placed the call');
    t.cm.StartCall!({ ...anyone, CalleeID: 'tel:+4930123' });
    assert.equal(t.line.last('place')?.request.callee, 'tel:+4930123');
  } finally {
    t.close();
  }
});

test('a TelCP of the home: an incoming Call for that TelCP alone (from ext 21, never screened); its AcceptCall answers the phone', () => {
  const t = setup();
  try {
    const key = t.registry.register('Kitchen', '').secretKey;
    const { call, leg } = t.place({ kind: 'home', name: 'Kitchen' });
    t.clock.advance(0);
    const incoming = t.calls.find((c) => c.direction === 'incoming')!;
    assert.ok(incoming, 'the TelCP\'s incoming Call');
    assert.deepEqual(incoming.allowedAnswerers, ['Kitchen']);
    assert.equal(incoming.remoteParty.id, '21');
    assert.equal(incoming.status, 'Ringing');
    assert.equal(call!.status, 'Calling');
    t.cm.AcceptCall!({ TelCPName: 'Kitchen', SecretKey: key, TargetCallID: incoming.callID, MediaCapabilityInfo: '', CallMode: 'Non-Monopolize' });
    t.clock.advance(0);
    t.clock.advance(0);
    assert.equal(call!.status, 'Talking');
    assert.deepEqual(leg.told, ['ringing', 'answered']);
    assert.equal(leg.answer, home);
  } finally {
    t.close();
  }
});

test('the SIP side: each failure is the matching final response (RFC 3261 21.4.3 404, 21.4.22 486, 21.4.25 487, 21.6.2 603, 21.4.18 480)', () => {
  assert.deepEqual(failureStatusOf('Busy'), { status: 486, reason: 'Busy Here' });
  assert.deepEqual(failureStatusOf('Not Found'), { status: 404, reason: 'Not Found' });
  assert.deepEqual(failureStatusOf('Rejected'), { status: 603, reason: 'Decline' });
  assert.deepEqual(failureStatusOf('Cancelled'), { status: 487, reason: 'Request Terminated' });
  assert.deepEqual(failureStatusOf('Not Acceptable Capability'), { status: 488, reason: 'Not Acceptable Here' });
  assert.deepEqual(failureStatusOf(undefined), { status: 480, reason: 'Temporarily Unavailable' });
});

test('the SIP side: the phone\'s session is the leg — ringing → 180 (not before: the session rings when told), answered → 200 with the SDP, failed → the final response, ended → BYE; its CANCEL and BYE end the Call', () => {
  const did: string[] = [];
  const fake = {
    state: 'ringing',
    delegate: {},
    answer: (s: string | undefined) => did.push(`200 ${s ?? ''}`),
    reject: (status: number) => did.push(String(status)),
    bye: () => did.push('BYE'),
    rejectModify: (status: number) => did.push(`re-INVITE ${status}`),
    ringWhenTold: () => did.push('rings when told'),
    ring: () => did.push('180'),
  } as unknown as InviteSession & { delegate: Required<InviteSession['delegate']> };
  let ends = 0;
  let leg!: PhoneCallerLeg;
  carryPhoneCall(fake, (l): PlacedPhoneCall => ((leg = l), { callID: 'c1', end: () => void ends++, transfer: () => {} }), silentLogger);
  leg.ringing();
  leg.failed('Busy');
  leg.answered('sdp');
  (fake as { state: string }).state = 'confirmed';
  leg.ended();
  fake.delegate.onModifyRequest('offer');
  assert.deepEqual(did, ['rings when told', '180', '486', '200 sdp', 'BYE', 're-INVITE 488']);
  fake.delegate.onCancelled();
  fake.delegate.onEnded('bye');
  assert.equal(ends, 2);
});
