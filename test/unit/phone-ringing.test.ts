/**
 * The phones of the home ringing with the screens (issue 14, forking; src/telephony/server/phone-ringing.ts), in the
 * Telephony Server over scripted lines — the WAN line and the phones' line: one leg per extension, the first phone to
 * answer takes the Call (a decision by ext:<number>, the Call Talking as the TelCPs see it) and the others are
 * cancelled "completed elsewhere"; a TelCP's AcceptCall, another decision or the caller giving up cancels the legs;
 * either side's hang-up ends the other.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { DecisionRefused, type Screening } from '../../src/telephony/domain/index.js';
import { UpnpError } from '../../src/upnp/index.js';
import { offer, phoneAnswer, ringingPhones as setup } from '../support/ringing-phones.js';

test('an incoming Call rings every extension with the screens: one leg each, offered the caller\'s media, showing the caller', () => {
  const t = setup();
  try {
    const call = t.ring();
    assert.equal(call.status, 'Ringing');
    assert.deepEqual(t.asked, [{ callID: call.callID, line: 'home', from: { id: '+4930123', name: 'Anna' }, to: 'sip:home@127.0.0.1' }]);
    const placed = t.phones.commands.filter((c) => c.kind === 'place');
    assert.deepEqual(
      placed.map((c) => c.kind === 'place' && c.request),
      ['21', '22'].map((callee) => ({ callee, priority: 'Normal', callerId: { id: '+4930123', name: 'Anna' }, sdpOffer: offer })),
    );
  } finally {
    t.close();
  }
});

test('RFC 3326 / issue 14: the first phone to answer takes the Call — decided by ext:21, Talking, answeredBy ext:21; the other is cancelled completed-elsewhere; a TelCP is refused naming it', () => {
  const t = setup();
  try {
    const call = t.ring();
    const legs = t.legs();
    t.phones.remote.provisional(legs.get('21')!);
    t.phones.remote.answered(legs.get('21')!, phoneAnswer);
    t.clock.advance(0);
    assert.equal(call.status, 'Talking');
    assert.equal(call.answeredBy, 'ext:21');
    assert.deepEqual(call.decided?.decision, { action: 'accept' });
    assert.equal(call.decided?.by, 'ext:21');
    assert.deepEqual(t.line.last('answer'), { kind: 'answer', lineCallId: call.lineCallId, sdp: phoneAnswer });
    assert.deepEqual(t.phones.last('cancel'), { kind: 'cancel', lineCallId: legs.get('22')!, reason: 'completed-elsewhere' });
    assert.equal(t.phones.commands.filter((c) => c.kind === 'cancel').length, 1);
    assert.throws(() => t.service.decide(call.callID, { action: 'voicemail' }, 'web:Laptop'), (e: unknown) => e instanceof DecisionRefused && /already decided by ext:21/.test(e.message));
    assert.throws(() => t.accept(call.callID), (e: unknown) => e instanceof UpnpError && e.errorCode === 712);

    // The late phone's answer (its 2xx after the CANCEL went out) is hung up.
    t.phones.remote.answered(legs.get('22')!, phoneAnswer);
    assert.deepEqual(t.phones.last('hangUp'), { kind: 'hangUp', lineCallId: legs.get('22')! });
    assert.equal(call.status, 'Talking');

    // The phone hangs up: the caller is hung up on and the Call ends.
    t.phones.remote.remoteHangUp(legs.get('21')!);
    t.clock.advance(0);
    assert.equal(call.status, 'Disconnected');
    assert.deepEqual(t.line.last('hangUp'), { kind: 'hangUp', lineCallId: call.lineCallId });
  } finally {
    t.close();
  }
});

test('the caller hangs up on a phone: the phone is hung up on', () => {
  const t = setup(['21']);
  try {
    const call = t.ring();
    const leg = t.legs().get('21')!;
    t.phones.remote.answered(leg, phoneAnswer);
    t.line.remote.remoteHangUp(call.lineCallId);
    t.clock.advance(0);
    assert.equal(call.status, 'Disconnected');
    assert.deepEqual(t.phones.last('hangUp'), { kind: 'hangUp', lineCallId: leg });
    assert.equal(t.phones.commands.filter((c) => c.kind === 'cancel').length, 0);
  } finally {
    t.close();
  }
});

test('a TelCP answers first (AcceptCall): every phone is cancelled with completed-elsewhere; a phone answering after that is hung up', () => {
  const t = setup();
  try {
    const call = t.ring();
    const legs = t.legs();
    t.accept(call.callID);
    assert.equal(call.status, 'Connected');
    assert.equal(call.decided?.by, 'Kitchen');
    const cancels = t.phones.commands.filter((c) => c.kind === 'cancel');
    assert.deepEqual(cancels, [...legs.values()].map((lineCallId) => ({ kind: 'cancel', lineCallId, reason: 'completed-elsewhere' })));
    t.phones.remote.answered(legs.get('21')!, phoneAnswer);
    assert.deepEqual(t.phones.last('hangUp'), { kind: 'hangUp', lineCallId: legs.get('21')! });
    assert.equal(call.answeredBy, 'Kitchen');
  } finally {
    t.close();
  }
});

test('the caller gives up, or a reject / forward is decided: every phone is cancelled without the Reason', () => {
  const t = setup();
  try {
    const cancelled = t.ring();
    const first = t.legs();
    t.line.remote.remoteCancelled(cancelled.lineCallId);
    t.clock.advance(0);
    assert.deepEqual(
      t.phones.commands.filter((c) => c.kind === 'cancel'),
      [...first.values()].map((lineCallId) => ({ kind: 'cancel', lineCallId })),
    );

    const rejected = t.ring('+4930999');
    const second = t.legs();
    t.service.decide(rejected.callID, { action: 'reject', status: 486 }, 'web:Laptop');
    assert.deepEqual(
      t.phones.commands.filter((c) => c.kind === 'cancel').slice(2),
      [...second.values()].map((lineCallId) => ({ kind: 'cancel', lineCallId })),
    );

    // A forward keeps the caller ringing (its target rings) but the phones stop.
    const forwarded = t.ring('+4930888');
    const third = t.legs();
    t.service.decide(forwarded.callID, { action: 'forward', target: 'sip:bob@example.org' }, 'cli');
    assert.equal(forwarded.status, 'Ringing');
    assert.deepEqual(
      t.phones.commands.filter((c) => c.kind === 'cancel').slice(4),
      [...third.values()].map((lineCallId) => ({ kind: 'cancel', lineCallId })),
    );
  } finally {
    t.close();
  }
});

test('answerers: a rule naming ext:22 rings only 22; a screened (hidden) Call rings no phone; every phone failing leaves the screens ringing', () => {
  const t = setup();
  try {
    t.service.setScreen((c): Screening => (c.from.id === '+4930111' ? { notify: false } : c.from.id === '+4930222' ? { notify: true, answerers: ['ext:22', 'Kitchen'] } : { notify: true }));
    t.ring('+4930111');
    assert.equal(t.phones.commands.length, 0, 'a hidden Call rings no phone');
    const only22 = t.ring('+4930222');
    const placed = t.phones.commands.filter((c) => c.kind === 'place');
    assert.deepEqual(placed.map((c) => c.kind === 'place' && c.request.callee), ['22']);
    t.phones.remote.failed(placed[0]!.lineCallId, 'Busy');
    assert.equal(only22.status, 'Ringing', 'the screens still ring');
    t.accept(only22.callID);
    assert.equal(t.phones.commands.filter((c) => c.kind === 'cancel').length, 0, 'nothing left to cancel');
  } finally {
    t.close();
  }
});
