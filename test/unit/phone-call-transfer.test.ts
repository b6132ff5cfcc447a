/**
 * A phone's blind transfer of a Call it placed itself (issue 14 "Transfer"; src/telephony/server/phone-calls.ts
 * `PlacedPhoneCall.transfer`, carried out by phone-ringing.ts `transferPlaced`; src/sip/pbx/phone-caller.ts routing
 * the phone's REFER by the dial plan), in the Telephony Server over scripted lines: the Call's callee is moved to the
 * target when it answers (an extension on the phones' line, an outside number on the Call's line), the phone is told
 * and ended, and the Call stays the same Call, answered by the target.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { silentLogger } from '../../src/base/index.js';
import { DialPlan } from '../../src/phones/index.js';
import { carryPhoneCall } from '../../src/sip/pbx/index.js';
import type { IncomingRefer, InviteSession } from '../../src/sip/index.js';
import type { CallReason, LineFailure, PhoneCallerLeg, PlacedPhoneCall, TransferProgress, TransferTarget } from '../../src/telephony/domain/index.js';
import { ringingPhones } from '../support/ringing-phones.js';

const sdp = (host: string, port: number): string => `v=0\r\no=- 1 1 IN IP4 ${host}\r\ns=-\r\nc=IN IP4 ${host}\r\nt=0 0\r\nm=audio ${port} RTP/AVP 0\r\na=rtpmap:0 PCMU/8000\r\n`;
const phoneOffer = sdp('127.0.0.21', 7000);
const calleeAnswer = sdp('192.0.2.9', 4000);
const targetAnswer = sdp('127.0.0.22', 7002);

/** Phone 21's Call to an outside number, answered and Talking; `transfer` has the phone ask for a transfer. */
function talkingCallOf21() {
  const t = ringingPhones([]);
  const phone: string[] = [];
  const leg: PhoneCallerLeg = {
    ringing: () => phone.push('ringing'),
    answered: () => phone.push('answered'),
    failed: (r: CallReason | undefined) => phone.push(`failed ${r ?? 'error'}`),
    ended: () => phone.push('ended'),
  };
  const placed = t.service.placeForPhone({ extension: '21', callee: { kind: 'number', number: '5551234' }, sdpOffer: phoneOffer }, leg)!;
  t.clock.advance(0);
  const call = t.service.call(placed.callID)!;
  t.line.remote.answered(call.lineCallId, calleeAnswer);
  t.clock.advance(0);
  assert.equal(call.status, 'Talking');
  assert.deepEqual(phone, ['answered']);
  const told: string[] = [];
  const progress: TransferProgress = { succeeded: () => told.push('succeeded'), failed: (r: LineFailure) => told.push(`failed ${r}`) };
  const transfer = (target: TransferTarget): void => {
    placed.transfer(target, progress);
    t.clock.advance(0);
  };
  return { ...t, call, placed, phone, told, transfer };
}

test('a placed Call transferred to an extension: 22 rings offered the Call\'s media; it answers: the callee talks with 22, the phone gets NOTIFY 200 then BYE, the same Call goes on', () => {
  const t = talkingCallOf21();
  try {
    t.transfer({ kind: 'extension', number: '22' });
    const leg22 = t.phones.last('place')!;
    assert.deepEqual(leg22.request, { callee: '22', priority: 'Normal', callerId: { id: '5551234' }, sdpOffer: calleeAnswer });
    assert.deepEqual(t.told, [], 'nothing is told before the target answers');
    t.phones.remote.answered(leg22.lineCallId, targetAnswer);
    t.clock.advance(0);
    assert.deepEqual(t.told, ['succeeded']);
    assert.deepEqual(t.phone, ['answered', 'ended'], 'the transferring phone is ended after it was told');
    assert.equal(t.call.status, 'Talking', 'the same Call goes on');
    assert.equal(t.call.answeredBy, 'ext:22');
    assert.equal(t.call.mediaCapability, targetAnswer);
    assert.equal(t.line.commands.filter((c) => c.kind === 'hangUp' || c.kind === 'cancel').length, 0, 'the callee is never hung up on');
    // The phone's late BYE changes nothing; 22 hanging up ends the Call on the line.
    t.placed.end();
    assert.equal(t.call.status, 'Talking');
    t.phones.remote.remoteHangUp(leg22.lineCallId);
    t.clock.advance(0);
    assert.equal(t.call.status, 'Disconnected');
    assert.deepEqual(t.line.last('hangUp'), { kind: 'hangUp', lineCallId: t.call.lineCallId });
    assert.deepEqual(t.phone, ['answered', 'ended']);
  } finally {
    t.close();
  }
});

test('a placed Call transferred to an outside number: a hidden leg on the Call\'s line; it answers: the Call is answered by the number; the callee hanging up ends the target\'s leg', () => {
  const t = talkingCallOf21();
  try {
    t.transfer({ kind: 'outside', number: '5559876' });
    const leg = t.line.last('place')!;
    assert.notEqual(leg.lineCallId, t.call.lineCallId);
    t.line.remote.answered(leg.lineCallId, targetAnswer);
    t.clock.advance(0);
    assert.deepEqual(t.told, ['succeeded']);
    assert.deepEqual(t.phone, ['answered', 'ended']);
    assert.equal(t.call.status, 'Talking');
    assert.equal(t.call.answeredBy, '5559876');
    t.line.remote.remoteHangUp(t.call.lineCallId);
    t.clock.advance(0);
    assert.equal(t.call.status, 'Disconnected');
    assert.deepEqual(t.line.last('hangUp'), { kind: 'hangUp', lineCallId: leg.lineCallId });
  } finally {
    t.close();
  }
});

test('blind: the phone hangs up right after its REFER — the callee stays and talks with the target', () => {
  const t = talkingCallOf21();
  try {
    t.transfer({ kind: 'extension', number: '22' });
    const leg22 = t.phones.last('place')!;
    t.placed.end();
    t.clock.advance(0);
    assert.equal(t.call.status, 'Talking', 'the callee waits for the target');
    assert.equal(t.line.commands.filter((c) => c.kind === 'hangUp').length, 0);
    t.phones.remote.answered(leg22.lineCallId, targetAnswer);
    t.clock.advance(0);
    assert.deepEqual(t.told, ['succeeded']);
    assert.deepEqual(t.phone, ['answered'], 'a phone that hung up is not ended again');
    assert.equal(t.call.answeredBy, 'ext:22');
  } finally {
    t.close();
  }
});

test('the target fails: the phone is told (busy) and keeps its Call, which it can still hang up; had it hung up, the Call ends', () => {
  const t = talkingCallOf21();
  try {
    t.transfer({ kind: 'extension', number: '22' });
    t.phones.remote.failed(t.phones.last('place')!.lineCallId, 'Busy');
    t.clock.advance(0);
    assert.deepEqual(t.told, ['failed Busy']);
    assert.deepEqual(t.phone, ['answered']);
    assert.equal(t.call.status, 'Talking');
    assert.equal(t.call.answeredBy, undefined);
    // A second transfer may follow; this one too is refused by a busy target, then the phone hangs up.
    t.transfer({ kind: 'extension', number: '22' });
    t.phones.remote.failed(t.phones.last('place')!.lineCallId, 'Busy');
    t.clock.advance(0);
    t.placed.end();
    assert.equal(t.call.status, 'Disconnected');
    assert.deepEqual(t.line.last('hangUp'), { kind: 'hangUp', lineCallId: t.call.lineCallId });
  } finally {
    t.close();
  }
  const u = talkingCallOf21();
  try {
    u.transfer({ kind: 'outside', number: '5559876' });
    u.placed.end();
    u.line.fail(u.line.last('place')!.lineCallId, 'Not Found');
    u.clock.advance(0);
    assert.deepEqual(u.told, ['failed Not Found']);
    assert.equal(u.call.status, 'Disconnected', 'the transferor is gone: the callee is hung up on');
    assert.deepEqual(u.line.last('hangUp'), { kind: 'hangUp', lineCallId: u.call.lineCallId });
  } finally {
    u.close();
  }
});

test('refused: a transfer to the phone itself, a second one while one is under way; the callee hanging up meanwhile cancels the target and ends the phone', () => {
  const t = talkingCallOf21();
  try {
    t.transfer({ kind: 'extension', number: '21' });
    assert.deepEqual(t.told, ['failed Busy']);
    t.transfer({ kind: 'extension', number: '22' });
    t.transfer({ kind: 'extension', number: '23' });
    assert.deepEqual(t.told, ['failed Busy', 'failed Busy']);
    const leg22 = t.phones.last('place')!;
    assert.equal(leg22.request.callee, '22');
    t.line.remote.remoteHangUp(t.call.lineCallId);
    t.clock.advance(0);
    assert.equal(t.call.status, 'Disconnected');
    assert.deepEqual(t.told, ['failed Busy', 'failed Busy', 'failed Error']);
    assert.deepEqual(t.phones.last('cancel'), { kind: 'cancel', lineCallId: leg22.lineCallId }, 'cancelled without "completed elsewhere"');
    assert.deepEqual(t.phone, ['answered', 'ended']);
  } finally {
    t.close();
  }
});

test('RFC 3515 on the SIP side: the REFER of a phone\'s own call goes through the dial plan — an extension or an outside number is the Call\'s transfer, the outcome its final NOTIFY; a feature code 403, a name nobody has 404', () => {
  const plan = new DialPlan({ line: 'home', outsidePrefix: '0', addPrefix: '+49' }, { isExtension: (n) => n === '22', isHomeName: (n) => n === 'Kitchen' });
  const fake = { state: 'confirmed', delegate: {}, ringWhenTold: () => {}, ring: () => {}, answer: () => {} } as unknown as InviteSession & {
    delegate: Required<InviteSession['delegate']>;
  };
  const asked: TransferTarget[] = [];
  const progresses: TransferProgress[] = [];
  carryPhoneCall(
    fake,
    (): PlacedPhoneCall => ({ callID: 'c1', end: () => {}, transfer: (target, progress) => (asked.push(target), progresses.push(progress)) }),
    silentLogger,
    { plan, extension: '21' },
  );
  const finished: string[] = [];
  const refer = (referTo: string): void => fake.delegate.onRefer({ referTo, finish: (status: number) => finished.push(`${referTo} ${status}`) } as unknown as IncomingRefer);
  refer('sip:22@home.arpa');
  refer('sip:030555@home.arpa');
  refer('sip:*97@home.arpa');
  refer('sip:nobody@home.arpa');
  assert.deepEqual(asked, [
    { kind: 'extension', number: '22' },
    { kind: 'outside', number: '+4930555' },
  ]);
  progresses[0]!.succeeded();
  progresses[1]!.failed('Busy');
  assert.deepEqual(finished, ['sip:*97@home.arpa 403', 'sip:nobody@home.arpa 404', 'sip:22@home.arpa 200', 'sip:030555@home.arpa 486']);
  // Without a plan the phone's REFER is not taken (the user agent answers 405).
  const plain = { delegate: {}, ringWhenTold: () => {} } as unknown as InviteSession;
  carryPhoneCall(plain, () => undefined, silentLogger);
  assert.equal('onRefer' in (plain.delegate ?? {}), false);
});

test('a transfer to an outside number follows the transferring extension\'s own dial plan (issue 14 "a dial plan per extension")', () => {
  const plan = new DialPlan({ line: 'home', outsidePrefix: '0', addPrefix: '+49', extensions: { '21': { addPrefix: '+44' } } }, { isExtension: () => false, isHomeName: () => false });
  const asked: TransferTarget[] = [];
  for (const extension of ['21', '23']) {
    const fake = { state: 'confirmed', delegate: {}, ringWhenTold: () => {}, ring: () => {}, answer: () => {} } as unknown as InviteSession & { delegate: Required<InviteSession['delegate']> };
    carryPhoneCall(fake, (): PlacedPhoneCall => ({ callID: `c-${extension}`, end: () => {}, transfer: (target) => void asked.push(target) }), silentLogger, { plan, extension });
    fake.delegate.onRefer({ referTo: 'sip:0201234@home.arpa', finish: () => {} } as unknown as IncomingRefer);
  }
  assert.deepEqual(asked, [
    { kind: 'outside', number: '+44201234' },
    { kind: 'outside', number: '+49201234' },
  ]);
});
