/**
 * The call-handling application service (issue 13, seed 004 2.2 3 and 3.2 5): ONE service for the whole home over
 * every line's Telephony Server. It screens each new incoming Call before anyone is notified (the rules, DND, and
 * nobody home), arms the no-response timer for the Calls that ring, takes the decisions of every screen (the web,
 * the CLI, the CallHandling:1 UPnP service), hears the ones made elsewhere (CallManagement:1 AcceptCall/RejectCall)
 * and keeps the full record of each Call. The Telephony Server carries the decisions out; the first one wins there.
 */
import { errorMessage, HometelError, type Clock, type Logger, type TimerHandle } from '../base/index.js';
import { DecisionRefused, UnknownCall, type Call, type CallDecision, type Decided, type IncomingCall, type Screening } from '../telephony/domain/index.js';
import type { HandlingAction } from './rules/model.js';
import { decidedRecord, endedRecord, type CallRecord, type CallRecordPage, type CallRecordQuery, type CallRecordRepository } from './call-record.js';
import { forwardTarget } from './forward-target.js';
import { ForwardAll } from './forward-all.js';
import { Liveness, type LivenessStatus } from './liveness.js';
import { activations, type Activation, type CallerClassifier, type HandledLine, type HandlingProfile, type LivenessSource, type MessageFinder, type RulePort, type TcAnswerer } from './ports.js';

/** What a screen may decide (seed 004 2.2 3 i–iv); `accept` without `tc` answers with the TS's own media. */
export type ScreenAction =
  | { readonly action: 'accept'; readonly tc?: string }
  | { readonly action: 'reject'; readonly status?: 486 | 603 | 403 | 480 }
  | { readonly action: 'forward'; readonly target: string }
  | { readonly action: 'voicemail' };

/** What the service tells the screens besides the Telephony Servers' own events. */
export type CallHandlingEvent =
  /** One screen stopped ringing for a Call (not a decision; the others keep ringing). */
  | { readonly type: 'ignored'; readonly line: string; readonly callID: string; readonly screen: string }
  | { readonly type: 'decided'; readonly line: string; readonly callID: string; readonly by: string; readonly action: string }
  | { readonly type: 'record'; readonly record: CallRecord }
  | { readonly type: 'dnd'; readonly on: boolean; readonly by: string }
  | { readonly type: 'forward-all'; readonly target?: string; readonly by: string };

export interface CallHandlingOptions {
  /** The lines at the start; more come with addLine (as each line's Telephony Server is made). */
  readonly lines?: readonly HandledLine[];
  readonly rules: RulePort;
  readonly classify: CallerClassifier;
  /** The number key of an address (forward targets are checked with it). */
  readonly numberKey: (address: string) => string | undefined;
  readonly records: CallRecordRepository;
  readonly profile: HandlingProfile;
  /** The activation when none was ever set. */
  readonly activation: Activation;
  readonly answerOnTc?: TcAnswerer;
  readonly clock: Clock;
  readonly logger: Logger;
}

interface Open {
  readonly line: string;
  record: CallRecord;
  noResponse?: TimerHandle;
}

export class CallHandlingService {
  readonly liveness: Liveness;
  private readonly lines: HandledLine[] = [];
  private readonly open = new Map<string, Open>();
  private readonly listeners = new Set<(e: CallHandlingEvent) => void>();
  private readonly unsubscribe: Array<() => void> = [];
  private messageFor: MessageFinder = () => undefined;
  private answerOnTc?: TcAnswerer;
  private readonly forwarding: ForwardAll;

  constructor(private readonly o: CallHandlingOptions) {
    this.forwarding = new ForwardAll(o.records, o.numberKey);
    const saved = o.records.activation();
    const mode = (activations as readonly string[]).includes(saved ?? '') ? (saved as Activation) : o.activation;
    this.liveness = new Liveness(mode, (m) => o.records.saveActivation(m));
    this.answerOnTc = o.answerOnTc;
    for (const l of o.lines ?? []) this.addLine(l);
  }

  /** Screens this line's incoming Calls and hears its decisions from now on. */
  addLine(l: HandledLine): void {
    this.lines.push(l);
    l.control.setScreen((call) => this.screen(l, call));
    this.unsubscribe.push(l.control.onDecided((call, d) => this.decided(l, call, d)));
    this.unsubscribe.push(l.control.onCallChange((call) => call.status === 'Disconnected' && this.ended(l, call)));
  }

  /** Adds a kind of screen to the liveness count; returns its removal. */
  addLivenessSource(source: LivenessSource): () => void {
    return this.liveness.add(source);
  }

  /** Where the voicemail messages are found by CallID (the voicemail service, wired later by the app). */
  setMessageFinder(finder: MessageFinder): void {
    this.messageFor = finder;
  }

  /** How a Call is answered on a named Telephony Client (the web console, once it runs); undefined: not possible. */
  setTcAnswerer(answerer: TcAnswerer | undefined): void {
    this.answerOnTc = answerer;
  }

  onEvent(listener: (e: CallHandlingEvent) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /**
   * A screen's decision about a ringing Call. Throws UnknownCall, DecisionRefused (naming the winner) or
   * InvalidForwardTarget; nothing changes then.
   */
  decide(callID: string, action: ScreenAction, by: string, onLine?: string): void {
    const { line, call } = this.find(callID, onLine);
    if (call.decided) throw new DecisionRefused(callID, call.decided);
    if (call.status !== 'Ringing') throw new DecisionRefused(callID, undefined);
    this.carryOut(line, call, this.decisionOf(action), by);
  }

  /** Stops ringing on one screen only (2.2 3: the others keep ringing); not a decision. */
  ignore(callID: string, screen: string, onLine?: string): void {
    const { line, call } = this.find(callID, onLine);
    if (call.decided) throw new DecisionRefused(callID, call.decided);
    if (call.status !== 'Ringing') throw new DecisionRefused(callID, undefined);
    this.emit({ type: 'ignored', line: line.name, callID, screen });
  }

  records(query: CallRecordQuery = {}): CallRecordPage {
    const page = this.o.records.list(query);
    // A message is written after its Call ended (the recording is finished first): a record sent to voicemail
    // learns its message when it is read.
    const withMessage = (r: CallRecord): CallRecord => {
      if (r.method !== 'voicemail' || r.voicemailMessage !== undefined) return r;
      const message = this.messageFor(r.line, r.callID);
      return message === undefined ? r : { ...r, voicemailMessage: message };
    };
    return { ...page, records: page.records.map(withMessage) };
  }

  /** Whether do-not-disturb is on (the rule book's setting). */
  dnd(): boolean {
    return this.o.rules.dnd().on;
  }

  setDnd(on: boolean, by: string): boolean {
    const now = this.o.rules.setDnd({ on }).on;
    this.o.logger.info('do-not-disturb', { on: now, by });
    this.emit({ type: 'dnd', on: now, by });
    return now;
  }

  /**
   * Forward all (a PBX's unconditional forward; the phones' *72 / *73): every incoming Call the rules let ring goes to
   * `target`. Kept in the store, so another process (the CLI) changes it too. Throws InvalidForwardTarget.
   */
  forwardAll(): string | undefined {
    return this.forwarding.target();
  }

  setForwardAll(target: string | undefined, by: string): string | undefined {
    const checked = this.forwarding.set(target);
    this.o.logger.info('forward all', { to: checked ?? 'off', by });
    this.emit({ type: 'forward-all', ...(checked !== undefined ? { target: checked } : {}), by });
    return checked;
  }

  status(): LivenessStatus {
    return this.liveness.status();
  }

  setActivation(value: string): LivenessStatus {
    return this.liveness.setActivation(value);
  }

  close(): void {
    for (const u of this.unsubscribe.splice(0)) u();
    for (const o of this.open.values()) o.noResponse?.cancel();
    this.open.clear();
    this.listeners.clear();
  }

  /** Screening (synchronous: nobody is notified before it returns): rules and DND, then nobody home, else ring. */
  private screen(line: HandledLine, incoming: IncomingCall): Screening {
    const now = this.o.clock.now();
    const withheld = incoming.from.id === '' || /^(anonymous|unknown|restricted)$/i.test(incoming.from.id.replace(/^sips?:/i, '').split('@')[0] ?? '');
    const facts = this.o.classify(withheld ? undefined : incoming.from.id);
    const name = facts.name ?? incoming.from.name;
    const record: CallRecord = { callID: incoming.callID, line: line.name, at: now, ...(withheld ? {} : { number: incoming.from.id }), ...(name ? { name } : {}), method: 'ringing' };
    const open: Open = { line: line.name, record };
    this.open.set(key(line.name, incoming.callID), open);
    this.save(open);
    let result;
    try {
      result = this.o.rules.evaluate({ ...facts, anonymous: facts.anonymous || withheld }, now);
    } catch (e) {
      // A broken rule book must not lose the Call: it rings as if there were no rules.
      this.o.logger.error('rules failed; the call rings', { callID: incoming.callID, why: errorMessage(e) });
    }
    if (result && result.action.kind !== 'ring') {
      this.later(line, incoming.callID, result.action, result.decidedBy);
      return { notify: false };
    }
    // Forward all comes after the rules (a blocked caller stays refused) and before anyone rings.
    const forwardAll = this.forwarding.target();
    if (forwardAll !== undefined) {
      this.later(line, incoming.callID, { kind: 'forward', target: forwardAll }, 'forward-all');
      return { notify: false };
    }
    if (!this.liveness.active()) {
      this.later(line, incoming.callID, this.o.profile.nobodyHome, 'nobody-home');
      return { notify: false };
    }
    const { seconds, action } = this.o.profile.noResponse;
    open.noResponse = this.o.clock.setTimer(seconds * 1000, () => {
      open.noResponse = undefined;
      this.automatic(line, incoming.callID, action, 'no-response');
    });
    return result?.action.kind === 'ring' ? { notify: true, answerers: result.action.targetNames } : { notify: true };
  }

  /** An automatic decision, made right after screening (the TS has the Call by then). */
  private later(line: HandledLine, callID: string, action: HandlingAction, by: string): void {
    this.o.clock.setTimer(0, () => this.automatic(line, callID, action, by));
  }

  private automatic(line: HandledLine, callID: string, action: HandlingAction, by: string): void {
    const call = line.control.call(callID);
    if (!call || call.decided || call.status === 'Disconnected') return;
    try {
      this.carryOut(line, call, this.decisionOf(screenActionOf(action)), by);
    } catch (e) {
      this.o.logger.error('automatic decision failed', { line: line.name, callID, by, why: errorMessage(e) });
    }
  }

  private carryOut(line: HandledLine, call: Call, decision: CallDecision, by: string): void {
    if (decision.action === 'accept' && decision.tc !== undefined) {
      // The decision is taken first (it wins or is refused here); the console's AcceptCall then carries it out.
      if (!this.answerOnTc) throw new TcUnavailable(decision.tc);
      line.control.decide(call.callID, decision, by);
      this.answerOnTc(line.name, call.callID, decision.tc, by);
      return;
    }
    line.control.decide(call.callID, decision, by);
  }

  private decisionOf(a: ScreenAction): CallDecision {
    switch (a.action) {
      case 'accept':
        return a.tc !== undefined && a.tc.trim() !== '' ? { action: 'accept', tc: a.tc.trim() } : { action: 'accept-native' };
      case 'reject':
        return a.status !== undefined ? { action: 'reject', status: a.status } : { action: 'reject' };
      case 'forward':
        // The mode is the line's own (its config).
        return { action: 'forward', target: forwardTarget(a.target, this.o.numberKey) };
      case 'voicemail':
        return { action: 'voicemail' };
    }
  }

  /** Every decision, from here or from any TelCP: the timer stops, the record says who. */
  private decided(line: HandledLine, call: Call, d: Decided): void {
    const open = this.open.get(key(line.name, call.callID));
    if (!open) return;
    open.noResponse?.cancel();
    open.noResponse = undefined;
    open.record = decidedRecord(open.record, d, d.by);
    this.save(open);
    this.emit({ type: 'decided', line: line.name, callID: call.callID, by: d.by, action: d.decision.action });
  }

  private ended(line: HandledLine, call: Call): void {
    const k = key(line.name, call.callID);
    const open = this.open.get(k);
    if (!open) return;
    open.noResponse?.cancel();
    this.open.delete(k);
    open.record = endedRecord(open.record, call, this.o.clock.now(), this.messageFor(line.name, call.callID));
    this.save(open);
  }

  /** The incoming Call with this CallID, on the named line or any. */
  private find(callID: string, onLine?: string): { line: HandledLine; call: Call } {
    for (const line of this.lines) {
      if (onLine !== undefined && line.name !== onLine) continue;
      const call = line.control.call(callID);
      if (call && call.direction === 'incoming') return { line, call };
    }
    throw new UnknownCall(callID);
  }

  private save(open: Open): void {
    try {
      this.o.records.save(open.record);
    } catch (e) {
      this.o.logger.error('call record not saved', { callID: open.record.callID, why: errorMessage(e) });
    }
    this.emit({ type: 'record', record: open.record });
  }

  private emit(e: CallHandlingEvent): void {
    for (const f of this.listeners) f(e);
  }
}

/** Answering on a Telephony Client needs the home's console, which is not running. */
export class TcUnavailable extends HometelError {
  readonly code = 'callhandling.tc-unavailable';
  constructor(readonly tc: string) {
    super(`cannot answer on ${JSON.stringify(tc)}: the web console, which answers on Telephony Clients, is not running`);
  }
}

const key = (line: string, callID: string): string => `${line}\n${callID}`;

/** A rule's or the profile's action as a screen's action (`ring` is not a decision and never reaches here). */
export function screenActionOf(a: HandlingAction): ScreenAction {
  switch (a.kind) {
    case 'accept':
      return a.tc !== undefined ? { action: 'accept', tc: a.tc } : { action: 'accept' };
    case 'reject':
      return a.status !== undefined ? { action: 'reject', status: a.status } : { action: 'reject' };
    case 'forward':
      return { action: 'forward', target: a.target };
    case 'voicemail':
    case 'ring':
      return { action: 'voicemail' };
  }
}
