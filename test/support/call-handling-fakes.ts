/** Fakes of the call-handling unit tests: a line that screens and decides as the Telephony Server does, and a service over it. */
import type { TestContext } from 'node:test';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { silentLogger } from '../../src/base/index.js';
import { CallHandlingService, type CallerFacts, type DndSettings, type HandlingAction, type LineControl, type ScreeningResult } from '../../src/callhandling/index.js';
import { SqliteCallRecordRepository, Store } from '../../src/store/index.js';
import { Call, DecisionRefused, UnknownCall, type CallDecision, type CallStatus, type Decided, type IncomingCallScreen, type Screening } from '../../src/telephony/domain/index.js';
import { FakeClock } from './fake-clock.js';

/** A line as the Telephony Server behaves for call handling: screens new Calls, first decision wins, events. */
export class FakeLine implements LineControl {
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

export function handlingSetup(t: TestContext, o: { rules?: (f: CallerFacts) => ScreeningResult | undefined; online?: number; noResponse?: HandlingAction; activation?: 'auto' | 'on' | 'off'; answered?: string[] } = {}) {
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
  let dnd: DndSettings = { on: false, action: { kind: 'voicemail' }, vipRings: true, schedules: [] };
  const service = new CallHandlingService({
    lines: [{ name: 'home', control: line }],
    rules: {
      evaluate: (f) => o.rules?.(f),
      dnd: () => dnd,
      setDnd: (c) => (dnd = { ...dnd, ...c }),
    },
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

