/**
 * A phone's blind transfer of the Call it answered (issue 14 "Transfer", src/telephony/server/phone-ringing.ts) and a
 * screen taking over a phone-answered Call, in the Telephony Server over scripted lines: the phones' line reports the
 * REFER as `transferRequested`; the TS places the new leg (an extension on the phones' line, an outside number on the
 * caller's line), moves the caller to it when it answers and ends the transferring phone's leg — the Call staying the
 * same Call, answered by the target.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { buildMediaCapabilityInfo, buildTCList } from '../../src/telephony/contracts/index.js';
import type { LineFailure, TransferProgress, TransferTarget } from '../../src/telephony/domain/index.js';
import { phoneAnswer, ringingPhones } from '../support/ringing-phones.js';

const targetAnswer = phoneAnswer.replace('127.0.0.21', '127.0.0.22').replace('6000', '6002');

/** A Call answered by phone 21; `transfer` has it ask for a transfer and records what the TS tells it. */
function answeredBy21(extensions: readonly string[] = ['21']) {
  const t = ringingPhones(extensions);
  const call = t.ring();
  const leg21 = t.legs().get('21')!;
  t.phones.remote.answered(leg21, phoneAnswer);
  t.clock.advance(0);
  assert.equal(call.answeredBy, 'ext:21');
  const told: string[] = [];
  const progress: TransferProgress = { succeeded: () => told.push('succeeded'), failed: (r: LineFailure) => told.push(`failed ${r}`) };
  const transfer = (target: TransferTarget, from = leg21): void => {
    t.phones.remote.transferRequested!(from, target, progress);
    t.clock.advance(0);
  };
  /** The last leg placed on the phones' line. */
  const placed = () => t.phones.last('place')!;
  return { ...t, call, leg21, told, transfer, placed };
}

test('transfer to an extension: 22 rings showing the caller, offered the Call\'s media; it answers: the Call is answered by ext:22, the transferor told and hung up', () => {
  const t = answeredBy21();
  try {
    t.transfer({ kind: 'extension', number: '22' });
    const leg22 = t.placed();
    // The Call's negotiated media (without a media plane here; with one, the relay's home side of it).
    assert.deepEqual(leg22.request, { callee: '22', priority: 'Normal', callerId: { id: '+4930123', name: 'Anna' }, sdpOffer: phoneAnswer });
    assert.deepEqual(t.told, [], 'nothing is told before the target answers');
    assert.equal(t.call.answeredBy, 'ext:21', 'the caller stays with 21 meanwhile');
    t.phones.remote.provisional(leg22.lineCallId);
    t.phones.remote.answered(leg22.lineCallId, targetAnswer);
    t.clock.advance(0);
    assert.deepEqual(t.told, ['succeeded']);
    assert.deepEqual(t.phones.last('hangUp'), { kind: 'hangUp', lineCallId: t.leg21 }, 'the transferring phone\'s leg ends');
    assert.equal(t.call.status, 'Talking', 'the same Call goes on');
    assert.equal(t.call.answeredBy, 'ext:22');
    assert.equal(t.call.mediaCapability, targetAnswer);
    assert.equal(t.line.commands.filter((c) => c.kind === 'hangUp').length, 0, 'the caller is never hung up on');
    // 22 hangs up: the caller is hung up on and the Call ends.
    t.phones.remote.remoteHangUp(leg22.lineCallId);
    t.clock.advance(0);
    assert.equal(t.call.status, 'Disconnected');
    assert.deepEqual(t.line.last('hangUp'), { kind: 'hangUp', lineCallId: t.call.lineCallId });
  } finally {
    t.close();
  }
});

test('blind transfer: the transferor hangs up before the target answers — the caller stays and talks with the target', () => {
  const t = answeredBy21();
  try {
    t.transfer({ kind: 'extension', number: '22' });
    const leg22 = t.placed();
    t.phones.remote.remoteHangUp(t.leg21);
    t.clock.advance(0);
    assert.equal(t.call.status, 'Talking', 'the caller keeps the call');
    assert.equal(t.line.commands.filter((c) => c.kind === 'hangUp').length, 0);
    t.phones.remote.answered(leg22.lineCallId, targetAnswer);
    t.clock.advance(0);
    assert.equal(t.call.answeredBy, 'ext:22');
    assert.equal(t.phones.commands.filter((c) => c.kind === 'hangUp').length, 0, 'no BYE to a phone that already hung up');
    assert.deepEqual(t.told, ['succeeded']);
  } finally {
    t.close();
  }
});

test('the target fails: the transferor is told (busy) and keeps the caller; had it hung up, the caller\'s Call ends', () => {
  const t = answeredBy21();
  try {
    t.transfer({ kind: 'extension', number: '22' });
    t.phones.remote.failed(t.placed().lineCallId, 'Busy');
    t.clock.advance(0);
    assert.deepEqual(t.told, ['failed Busy']);
    assert.equal(t.call.status, 'Talking');
    assert.equal(t.call.answeredBy, 'ext:21');
    // A second try, and the phone hangs up before the target fails: the Call ends.
    t.transfer({ kind: 'extension', number: '22' });
    t.phones.remote.remoteHangUp(t.leg21);
    t.phones.remote.failed(t.placed().lineCallId, 'Error');
    t.clock.advance(0);
    assert.deepEqual(t.told, ['failed Busy', 'failed Error']);
    assert.equal(t.call.status, 'Disconnected');
    assert.deepEqual(t.line.last('hangUp'), { kind: 'hangUp', lineCallId: t.call.lineCallId });
  } finally {
    t.close();
  }
});

test('the target does not answer within the no-answer time (a bridged forward\'s, 30 s): its leg is cancelled, the transferor told and keeps the caller', () => {
  const t = answeredBy21();
  try {
    t.transfer({ kind: 'extension', number: '22' });
    const leg22 = t.placed().lineCallId;
    t.phones.remote.provisional(leg22);
    t.clock.advance(29_000);
    assert.deepEqual(t.told, []);
    t.clock.advance(1_000);
    assert.deepEqual(t.told, ['failed Error']);
    assert.deepEqual(t.phones.last('cancel'), { kind: 'cancel', lineCallId: leg22 });
    assert.equal(t.call.status, 'Talking');
    assert.equal(t.call.answeredBy, 'ext:21');
    // Its answer after that is too late: hung up.
    t.phones.remote.answered(leg22, targetAnswer);
    t.clock.advance(0);
    assert.deepEqual(t.phones.last('hangUp'), { kind: 'hangUp', lineCallId: leg22 });
    assert.equal(t.call.answeredBy, 'ext:21');
  } finally {
    t.close();
  }
});

test('transfer to an outside number: a hidden leg on the caller\'s line; it answers: the Call is answered by the number; either side\'s hang-up ends the other', () => {
  const t = answeredBy21();
  try {
    t.transfer({ kind: 'outside', number: '+4940555' });
    const placed = t.line.last('place')!;
    // RFC 3261 19.1.6: the number at the line's domain, as a phone's own call to it goes out.
    assert.deepEqual(placed.request, { callee: 'sip:+4940555@127.0.0.1;user=phone', priority: 'Normal', sdpOffer: phoneAnswer });
    const leg = t.calls[t.calls.length - 1]!;
    assert.ok(leg.hidden, 'a leg TelCPs never see');
    t.line.remote.answered(placed.lineCallId, targetAnswer);
    t.clock.advance(0);
    assert.deepEqual(t.told, ['succeeded']);
    assert.equal(t.call.answeredBy, '+4940555');
    assert.deepEqual(t.phones.last('hangUp'), { kind: 'hangUp', lineCallId: t.leg21 });
    t.line.remote.remoteHangUp(t.call.lineCallId);
    t.clock.advance(0);
    assert.equal(t.call.status, 'Disconnected');
    assert.equal(leg.status, 'Disconnected');
    assert.deepEqual(t.line.last('hangUp'), { kind: 'hangUp', lineCallId: placed.lineCallId }, 'the target is hung up on');
  } finally {
    t.close();
  }
});

test('an outside number the line cannot call: the transferor is told Not Found and keeps the caller', () => {
  const t = answeredBy21();
  try {
    t.transfer({ kind: 'outside', number: '+4940555' });
    t.line.remote.failed(t.line.last('place')!.lineCallId, 'Not Found');
    t.clock.advance(0);
    assert.deepEqual(t.told, ['failed Not Found']);
    assert.equal(t.call.status, 'Talking');
    assert.equal(t.call.answeredBy, 'ext:21');
    assert.equal(t.phones.commands.filter((c) => c.kind === 'hangUp').length, 0);
  } finally {
    t.close();
  }
});

test('refused transfers: from a leg that did not answer, to itself, a second one while one is under way', () => {
  const t = answeredBy21(['21', '23']);
  try {
    const leg23 = t.legs().get('23')!;
    t.transfer({ kind: 'extension', number: '22' }, leg23);
    t.transfer({ kind: 'extension', number: '21' });
    assert.deepEqual(t.told, ['failed Rejected', 'failed Busy']);
    t.transfer({ kind: 'extension', number: '22' });
    t.transfer({ kind: 'outside', number: '123' });
    assert.deepEqual(t.told, ['failed Rejected', 'failed Busy', 'failed Busy']);
  } finally {
    t.close();
  }
});

test('the caller hangs up during a transfer: the target\'s leg is cancelled, the transferor told and hung up', () => {
  const t = answeredBy21();
  try {
    t.transfer({ kind: 'extension', number: '22' });
    const leg22 = t.placed().lineCallId;
    t.line.remote.remoteHangUp(t.call.lineCallId);
    t.clock.advance(0);
    assert.deepEqual(t.told, ['failed Error']);
    assert.deepEqual(t.phones.last('cancel'), { kind: 'cancel', lineCallId: leg22 });
    assert.deepEqual(t.phones.last('hangUp'), { kind: 'hangUp', lineCallId: t.leg21 });
  } finally {
    t.close();
  }
});

test('issue 14: a screen takes over a Call a phone answered — StartMediaTransfer with a TC moves the Call to it and the phone\'s leg is hung up', () => {
  const t = answeredBy21();
  try {
    const tcSdp = phoneAnswer.replace('127.0.0.21', '127.0.0.50');
    t.invoke('StartMediaTransfer', {
      ...t.kitchen,
      TargetCallID: t.call.callID,
      TCList: buildTCList([{ udn: 'uuid:tc-kitchen', mediaSessionID: 'ms-1' }]),
      MediaCapabilityInfo: buildMediaCapabilityInfo({ mediaCapability: { format: 'SDP', content: tcSdp } }),
    });
    assert.equal(t.call.status, 'Talking');
    assert.equal(t.call.answeredBy, 'uuid:tc-kitchen');
    assert.deepEqual(t.call.tcList, [{ udn: 'uuid:tc-kitchen', mediaSessionID: 'ms-1' }], 'the TC replaces the phone rather than joining it');
    assert.equal(t.call.mediaCapability, tcSdp);
    assert.deepEqual(t.phones.last('hangUp'), { kind: 'hangUp', lineCallId: t.leg21 });
    assert.equal(t.line.commands.filter((c) => c.kind === 'hangUp').length, 0, 'the caller stays');
    // The phone's leg is no longer the Call's: its late hang-up changes nothing.
    t.phones.remote.remoteHangUp(t.leg21);
    t.clock.advance(0);
    assert.equal(t.call.status, 'Talking');
  } finally {
    t.close();
  }
});

test('a TelCP joining without TC media (StartMediaTransfer with an empty TCList) leaves the phone in the Call', () => {
  const t = answeredBy21();
  try {
    t.invoke('StartMediaTransfer', { ...t.kitchen, TargetCallID: t.call.callID, TCList: '', MediaCapabilityInfo: '' });
    assert.equal(t.call.answeredBy, 'ext:21');
    assert.equal(t.phones.commands.filter((c) => c.kind === 'hangUp').length, 0);
  } finally {
    t.close();
  }
});
