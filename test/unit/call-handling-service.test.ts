/**
 * The call-handling service (issue 13) with fakes: a fake line that screens and decides as the Telephony Server
 * does (first decision wins), a fake clock, fixed rules, the SQLite record repository in a temporary store.
 * Screening paths (rule, DND, nobody home, ring to targetNames), the no-response timer (fires at N s, cancelled by a
 * decision at N−1 s), ignore, first decision wins, bad forward targets, activation, and the records written.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { InvalidForwardTarget } from '../../src/callhandling/index.js';
import { DecisionRefused, UnknownCall } from '../../src/telephony/domain/index.js';
import { handlingSetup } from '../support/call-handling-fakes.js';

test('a blocked caller: the rule decides right after screening, nobody is notified, the record names the rule', (t) => {
  const { clock, line, service } = handlingSetup(t, { rules: (f) => (f.address === '+4930999' ? { action: { kind: 'reject', status: 403 }, decidedBy: 'rule:r1' } : undefined) });
  assert.deepEqual(line.ring('c1', '+4930999'), { notify: false });
  assert.equal(line.decisions.length, 0, 'decided after screening, not during it');
  clock.advance(0);
  assert.deepEqual(line.decisions, [{ callID: 'c1', decision: { action: 'reject', status: 403 }, by: 'rule:r1' }]);
  line.finish('c1');
  const [r] = service.records().records;
  assert.equal(r!.method, 'reject');
  assert.equal(r!.decidedBy, 'rule:r1');
  assert.equal(r!.result, 'success');
  assert.equal(r!.number, '+4930999');
});

test('a ring rule rings only its targetNames; DND answers for the rest; a VIP still rings', (t) => {
  const { line } = handlingSetup(t, {
    rules: (f) => (f.vip ? { action: { kind: 'ring', targetNames: ['kitchen'] }, decidedBy: 'rule:vip' } : { action: { kind: 'voicemail' }, decidedBy: 'dnd' }),
  });
  assert.deepEqual(line.ring('c1', '+4930111'), { notify: true, answerers: ['kitchen'] });
  assert.deepEqual(line.ring('c2', '+4930222'), { notify: false });
});

test('no response: voicemail at N s, not before; a decision at N−1 s cancels it', (t) => {
  const { clock, line, service } = handlingSetup(t);
  assert.deepEqual(line.ring('c1', '+4930222'), { notify: true });
  clock.advance(19_999);
  assert.equal(line.decisions.length, 0);
  clock.advance(1);
  assert.deepEqual(line.decisions, [{ callID: 'c1', decision: { action: 'voicemail' }, by: 'no-response' }]);

  line.ring('c2', '+4930222');
  clock.advance(19_000);
  service.decide('c2', { action: 'reject' }, 'web:anna');
  clock.advance(5_000);
  assert.deepEqual(
    line.decisions.filter((d) => d.callID === 'c2'),
    [{ callID: 'c2', decision: { action: 'reject' }, by: 'web:anna' }],
  );
});

test('a decision heard from a TelCP (CallManagement:1 AcceptCall) cancels the timer too', (t) => {
  const { clock, line, service } = handlingSetup(t);
  line.ring('c1', '+4930222');
  line.decide('c1', { action: 'accept', tc: 'uuid:tc' }, 'Kitchen');
  clock.advance(60_000);
  assert.equal(line.decisions.length, 1);
  line.finish('c1', 12_000, 'uuid:tc');
  const [r] = service.records().records;
  assert.deepEqual({ method: r!.method, by: r!.decidedBy, result: r!.result, dev: r!.answeredBy, sec: r!.durationSec }, { method: 'accept', by: 'Kitchen', result: 'success', dev: 'uuid:tc', sec: 12 });
});

test('nobody home: with no screen online the configured action applies at once; activation on/off overrides', (t) => {
  const { clock, line, service, setOnline } = handlingSetup(t, { online: 0 });
  assert.deepEqual(line.ring('c1', '+4930222'), { notify: false });
  clock.advance(0);
  assert.deepEqual(line.decisions[0], { callID: 'c1', decision: { action: 'voicemail' }, by: 'nobody-home' });
  service.setActivation('on');
  assert.deepEqual(line.ring('c2', '+4930222'), { notify: true });
  setOnline(3);
  service.setActivation('off');
  assert.deepEqual(line.ring('c3', '+4930222'), { notify: false });
  assert.throws(() => service.setActivation('sometimes'), /activation must be one of auto, on, off/);
  assert.equal(service.status().activation, 'off');
});

test('the activation is persisted', (t) => {
  const { service, records } = handlingSetup(t);
  service.setActivation('off');
  assert.equal(records.activation(), 'off');
});

test('first decision wins: the second gets DecisionRefused naming the winner; unknown CallIDs are refused', (t) => {
  const { line, service } = handlingSetup(t);
  line.ring('c1', '+4930222');
  service.decide('c1', { action: 'forward', target: '+49 30 555' }, 'Living room');
  assert.throws(
    () => service.decide('c1', { action: 'voicemail' }, 'web:ben'),
    (e: unknown) => e instanceof DecisionRefused && e.winner?.by === 'Living room' && /already decided by Living room \(forward\)/.test(e.message),
  );
  assert.throws(() => service.decide('nope', { action: 'voicemail' }, 'cli'), UnknownCall);
  assert.throws(() => service.ignore('nope', 'cli'), UnknownCall);
  assert.deepEqual(line.decisions[0]!.decision, { action: 'forward', target: '+49 30 555'});
});

test('a forward to garbage is refused and nothing is decided; sip: and tel: URIs are taken', (t) => {
  const { line, service } = handlingSetup(t);
  line.ring('c1', '+4930222');
  for (const bad of ['', 'hello', 'http://x', 'sip:', '++--']) assert.throws(() => service.decide('c1', { action: 'forward', target: bad }, 'cli'), InvalidForwardTarget);
  assert.equal(line.decisions.length, 0);
  service.decide('c1', { action: 'forward', target: 'sip:bob@example.org' }, 'cli');
  line.ring('c2', '+4930222');
  service.decide('c2', { action: 'forward', target: 'tel:+4930555' }, 'cli');
  assert.equal(line.decisions.length, 2);
});

test('ignore stops ringing on one screen only: an event, not a decision', (t) => {
  const { clock, line, service } = handlingSetup(t);
  const events: string[] = [];
  service.onEvent((e) => e.type === 'ignored' && events.push(`${e.callID} ${e.screen}`));
  line.ring('c1', '+4930222');
  service.ignore('c1', 'web:anna');
  assert.deepEqual(events, ['c1 web:anna']);
  assert.equal(line.decisions.length, 0);
  clock.advance(20_000);
  assert.equal(line.decisions[0]!.by, 'no-response', 'the timer still runs');
});

test('accept on a named TC: decided first (it wins here), then carried out through the console port', (t) => {
  const answered: string[] = [];
  const { clock, line, service } = handlingSetup(t, { noResponse: { kind: 'accept', tc: 'Kitchen TC' }, answered });
  line.ring('c1', '+4930111', 'Display Name');
  clock.advance(20_000);
  assert.deepEqual(line.decisions[0], { callID: 'c1', decision: { action: 'accept', tc: 'Kitchen TC' }, by: 'no-response' });
  assert.deepEqual(answered, ['c1 Kitchen TC no-response']);
  line.finish('c1', 3_000, 'uuid:kitchen');
  const [r] = service.records().records;
  assert.deepEqual({ by: r!.decidedBy, dev: r!.answeredBy, res: r!.result }, { by: 'no-response', dev: 'uuid:kitchen', res: 'success' });
  assert.equal(r!.name, 'Grandma', 'the contact name beats the display name');
  assert.throws(() => service.decide('c1', { action: 'accept' }, 'cli'), DecisionRefused);
});

test('a caller who hangs up before anyone decides is recorded unanswered (fail); records search and page', (t) => {
  const { line, service } = handlingSetup(t);
  line.ring('c1', '+4930222');
  line.finish('c1');
  line.ring('c2', 'anonymous');
  const page = service.records({ limit: 1 });
  assert.equal(page.total, 2);
  assert.equal(page.records.length, 1);
  const c1 = service.records({ query: '4930222' }).records[0]!;
  assert.deepEqual({ m: c1.method, r: c1.result }, { m: 'unanswered', r: 'fail' });
  assert.equal(service.records({ query: 'nobody' }).total, 0);
  const anon = service.records().records.find((r) => r.callID === 'c2')!;
  assert.equal(anon.number, undefined);
});

test('DND on and off through the service, evented', (t) => {
  const { service } = handlingSetup(t);
  const seen: string[] = [];
  service.onEvent((e) => e.type === 'dnd' && seen.push(`${e.on} ${e.by}`));
  assert.equal(service.dnd(), false);
  assert.equal(service.setDnd(true, 'Kitchen'), true);
  assert.equal(service.dnd(), true);
  assert.deepEqual(seen, ['true Kitchen']);
});

test('a decision scoped to another line does not find the Call', (t) => {
  const { line, service } = handlingSetup(t);
  line.ring('c1', '+4930222');
  assert.throws(() => service.decide('c1', { action: 'voicemail' }, 'cli', 'work'), UnknownCall);
  service.decide('c1', { action: 'voicemail' }, 'cli', 'home');
});

test('forward all (the phones\' *72): every call the rules let ring goes to the target, a blocked caller stays refused; kept in the store; off again rings', (t) => {
  const { clock, line, service, records } = handlingSetup(t, { rules: (f) => (f.address === '+4930999' ? { action: { kind: 'reject', status: 403 }, decidedBy: 'rule:r1' } : undefined) });
  const events: unknown[] = [];
  service.onEvent((e) => events.push(e));
  assert.equal(service.setForwardAll('0171 2345678', 'ext:21'), '0171 2345678');
  assert.equal(records.forwardAll(), '0171 2345678', 'kept in the store');
  assert.deepEqual(events, [{ type: 'forward-all', target: '0171 2345678', by: 'ext:21' }]);
  assert.deepEqual(line.ring('c1', '+4930222'), { notify: false });
  assert.deepEqual(line.ring('c2', '+4930999'), { notify: false });
  clock.advance(0);
  assert.deepEqual(line.decisions, [
    { callID: 'c1', decision: { action: 'forward', target: '0171 2345678' }, by: 'forward-all' },
    { callID: 'c2', decision: { action: 'reject', status: 403 }, by: 'rule:r1' },
  ]);
  assert.throws(() => service.setForwardAll('the neighbours', 'cli'), InvalidForwardTarget);
  assert.equal(service.forwardAll(), '0171 2345678', 'a refused target changes nothing');
  assert.equal(service.setForwardAll(undefined, 'ext:21'), undefined);
  assert.equal(records.forwardAll(), undefined);
  assert.deepEqual(line.ring('c3', '+4930222'), { notify: true });
});
