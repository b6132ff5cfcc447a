/**
 * The call-handling service (issue 13) with fakes: a fake line that screens and decides as the Telephony Server
 * does (first decision wins), a fake clock, fixed rules, the SQLite record repository in a temporary store.
 * Screening paths (rule, DND, nobody home, ring to targetNames), the no-response timer (fires at N s, cancelled by a
 * decision at N−1 s), ignore, first decision wins, bad forward targets, activation, and the records written.
 */
import { test, type TestContext } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { silentLogger } from '../../src/base/index.js';
import { CallHandlingService, ForwardTargetInvalid, type CallerFacts, type HandlingAction, type LineControl, type ScreeningResult } from '../../src/callhandling/index.js';
import { SqliteCallRecordRepository, Store } from '../../src/store/index.js';
import { Call, DecisionRefused, UnknownCall, type CallDecision, type CallStatus, type Decided, type IncomingCallScreen, type Screening } from '../../src/telephony/domain/index.js';
import { FakeClock } from '../support/fake-clock.js';

/** A line as the Telephony Server behaves for call handling: screens new Calls, first decision wins, events. */
class FakeLine implements LineControl {
  screen?: IncomingCallScreen;
  readonly calls = new Map<string, Call>();
  readonly screenings = new Map<string, Screening>();
  readonly decisions: Array<{ callID: string; decision: CallDecision; by: string }> = [];
  private readonly decidedListeners = new Set<(c: Call, d: Decided) => void>();
  private readonly changeListeners = new Set<(c: Call, from: CallStatus | undefined) => void>();
  constructor(private readonly clock: FakeClock) {}
  setScreen(screen: IncomingCallScreen): void {
    this.screen = screen;
  }
  onDecided(l: (c: Call, d: Decided) => void): () => void {
    this.decidedListeners.add(l);
    return () => this.decidedListeners.delete(l);
  }
  onCallChange(l: (c: Call, from: CallStatus | undefined) => void): () => void {
    this.changeListeners.add(l);
    return () => this.changeListeners.delete(l);
  }
  call(callID: string): Call | undefined {
    return this.calls.get(callID);
  }
  ring(callID: string, from: string, name?: string): Screening {
    const call = new Call(callID, 'incoming', { id: from, ...(name ? { name } : {}) }, `sip-${callID}`, this.clock.now());
    this.calls.set(callID, call);
    const s = this.screen!({ callID, line: 'home', from: call.remoteParty, to: 'sip:home@hometel' });
    this.screenings.set(callID, s);
    if (!s.notify) call.hidden = true;
    return s;
  }
  decide(callID: string, decision: CallDecision, by: string): void {
    const call = this.calls.get(callID);
    if (!call) throw new UnknownCall(callID);
    if (call.decided) throw new DecisionRefused(callID, call.decided);
    const d: Decided = { decision, by, at: this.clock.now() };
    call.decided = d;
    this.decisions.push({ callID, decision, by });
    for (const l of this.decidedListeners) l(call, d);
  }
  /** The Call goes through its statuses to its end (answered for `connectFor` ms, or not at all). */
  finish(callID: string, connectFor?: number, answeredBy?: string): void {
    const call = this.calls.get(callID)!;
    if (connectFor !== undefined) {
      call.apply('AcceptCall', this.clock.now());
      if (answeredBy) call.answeredBy = answeredBy;
      this.clock.advance(connectFor);
      call.apply('StopCall', this.clock.now());
    } else call.apply('RejectCall', this.clock.now(), 'Rejected');
    for (const l of this.changeListeners) l(call, 'Ringing');
  }
}

const unknownCaller: CallerFacts & { name?: string } = { address: undefined, anonymous: false, known: false, vip: false, blocked: false, groups: [] };

function setup(t: TestContext, o: { rules?: (f: CallerFacts) => ScreeningResult | undefined; online?: number; noResponse?: HandlingAction; activation?: 'auto' | 'on' | 'off'; answered?: string[] } = {}) {
  const dir = mkdtempSync(join(tmpdir(), 'hometel-handling-'));
  const store = Store.open(dir);
  t.after(() => {
    store.close();
    rmSync(dir, { recursive: true, force: true });
  });
  const clock = new FakeClock(1_000_000);
  const line = new FakeLine(clock);
  const records = new SqliteCallRecordRepository(store);
  let online = o.online ?? 1;
  const service = new CallHandlingService({
    lines: [{ name: 'home', control: line }],
    rules: { evaluate: (f) => o.rules?.(f) },
    classify: (address) => (address === '+4930111' ? { ...unknownCaller, address, known: true, vip: true, name: 'Grandma' } : { ...unknownCaller, address, anonymous: address === undefined }),
    numberKey: (a) => (/^\+?[0-9 ]{3,}$/.test(a) ? a.replace(/ /g, '') : undefined),
    records,
    profile: { noResponse: { seconds: 20, action: o.noResponse ?? { kind: 'voicemail' } }, nobodyHome: { kind: 'voicemail' } },
    activation: o.activation ?? 'auto',
    answerOnTc: (_line, callID, tc, by) => o.answered?.push(`${callID} ${tc} ${by}`),
    clock,
    logger: silentLogger,
  });
  service.addLivenessSource({ name: 'test', online: () => online });
  t.after(() => service.close());
  return { clock, line, service, records, setOnline: (n: number) => (online = n), store };
}

test('a blocked caller: the rule decides right after screening, nobody is notified, the record names the rule', (t) => {
  const { clock, line, service } = setup(t, { rules: (f) => (f.address === '+4930999' ? { action: { kind: 'reject', status: 403 }, decidedBy: 'rule:r1' } : undefined) });
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
  const { line } = setup(t, {
    rules: (f) => (f.vip ? { action: { kind: 'ring', targetNames: ['kitchen'] }, decidedBy: 'rule:vip' } : { action: { kind: 'voicemail' }, decidedBy: 'dnd' }),
  });
  assert.deepEqual(line.ring('c1', '+4930111'), { notify: true, answerers: ['kitchen'] });
  assert.deepEqual(line.ring('c2', '+4930222'), { notify: false });
});

test('no response: voicemail at N s, not before; a decision at N−1 s cancels it', (t) => {
  const { clock, line, service } = setup(t);
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
  const { clock, line, service } = setup(t);
  line.ring('c1', '+4930222');
  line.decide('c1', { action: 'accept', tc: 'uuid:tc' }, 'Kitchen');
  clock.advance(60_000);
  assert.equal(line.decisions.length, 1);
  line.finish('c1', 12_000, 'uuid:tc');
  const [r] = service.records().records;
  assert.deepEqual({ method: r!.method, by: r!.decidedBy, result: r!.result, dev: r!.answeredBy, sec: r!.durationSec }, { method: 'accept', by: 'Kitchen', result: 'success', dev: 'uuid:tc', sec: 12 });
});

test('nobody home: with no screen online the configured action applies at once; activation on/off overrides', (t) => {
  const { clock, line, service, setOnline } = setup(t, { online: 0 });
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
  const { service, records } = setup(t);
  service.setActivation('off');
  assert.equal(records.activation(), 'off');
});

test('first decision wins: the second gets DecisionRefused naming the winner; unknown CallIDs are refused', (t) => {
  const { line, service } = setup(t);
  line.ring('c1', '+4930222');
  service.decide('c1', { action: 'forward', target: '+49 30 555' }, 'Living room');
  assert.throws(
    () => service.decide('c1', { action: 'voicemail' }, 'web:ben'),
    (e: unknown) => e instanceof DecisionRefused && e.winner?.by === 'Living room' && /already decided by Living room \(forward\)/.test(e.message),
  );
  assert.throws(() => service.decide('nope', { action: 'voicemail' }, 'cli'), UnknownCall);
  assert.throws(() => service.ignore('nope', 'cli'), UnknownCall);
  assert.deepEqual(line.decisions[0]!.decision, { action: 'forward', target: '+49 30 555', mode: 'bridge' });
});

test('a forward to garbage is refused and nothing is decided; sip: and tel: URIs are taken', (t) => {
  const { line, service } = setup(t);
  line.ring('c1', '+4930222');
  for (const bad of ['', 'hello', 'http://x', 'sip:', '++--']) assert.throws(() => service.decide('c1', { action: 'forward', target: bad }, 'cli'), ForwardTargetInvalid);
  assert.equal(line.decisions.length, 0);
  service.decide('c1', { action: 'forward', target: 'sip:bob@example.org' }, 'cli');
  line.ring('c2', '+4930222');
  service.decide('c2', { action: 'forward', target: 'tel:+4930555' }, 'cli');
  assert.equal(line.decisions.length, 2);
});

test('ignore stops ringing on one screen only: an event, not a decision', (t) => {
  const { clock, line, service } = setup(t);
  const events: string[] = [];
  service.onEvent((e) => e.type === 'ignored' && events.push(`${e.callID} ${e.screen}`));
  line.ring('c1', '+4930222');
  service.ignore('c1', 'web:anna');
  assert.deepEqual(events, ['c1 web:anna']);
  assert.equal(line.decisions.length, 0);
  clock.advance(20_000);
  assert.equal(line.decisions[0]!.by, 'no-response', 'the timer still runs');
});

test('accept on a named TC goes through the console port; the record keeps who asked', (t) => {
  const answered: string[] = [];
  const { clock, line, service } = setup(t, { noResponse: { kind: 'accept', tc: 'Kitchen TC' }, answered });
  line.ring('c1', '+4930111', 'Display Name');
  clock.advance(20_000);
  assert.deepEqual(answered, ['c1 Kitchen TC no-response']);
  // The console's AcceptCall reaches the TS under the console's own TelCPName.
  line.decide('c1', { action: 'accept', tc: 'uuid:kitchen' }, 'hometel-web');
  line.finish('c1', 3_000, 'uuid:kitchen');
  const [r] = service.records().records;
  assert.equal(r!.decidedBy, 'no-response');
  assert.equal(r!.name, 'Grandma', 'the contact name beats the display name');
  assert.throws(() => service.decide('c1', { action: 'accept' }, 'cli'), DecisionRefused);
});

test('a caller who hangs up before anyone decides is recorded unanswered (fail); records search and page', (t) => {
  const { line, service } = setup(t);
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
