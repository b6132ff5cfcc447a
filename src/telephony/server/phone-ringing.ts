/**
 * The phones of the home ringing with the screens (issue 14, "Calls": forking). When an incoming Call rings — the
 * screening let it — the TS places one leg per extension to ring on the phones' line, each offered the relay's home
 * side of the caller's media (relay-bridge.ts, as a bridged forward's leg). The first phone to answer takes the
 * Call: its answer is a decision by `ext:<number>` (the first decision wins, so a screen or TelCP deciding later is
 * refused naming it), the caller is answered, the relay carries caller ↔ phone and the Call goes Talking — the same
 * Call the TelCPs see, answered by `ext:<number>`. The other legs are cancelled as "completed elsewhere".
 *
 * Any other decision first (a TelCP's AcceptCall, a reject, forward or voicemail) or the caller giving up cancels
 * every leg — with the "completed elsewhere" Reason only when the Call was answered in the home. Either side hanging
 * up ends the other. Legs are not Calls of the TS: TelCPs never see them and they are not logged.
 *
 * The phone that answered may transfer the Call (a blind transfer, issue 14 "Transfer"): the TS places a new leg to
 * the target — an extension on the phones' line, an outside number on the caller's line (a hidden Call, as a bridged
 * forward's) — and when it answers the relay carries caller ↔ new leg, the Call (the same Call) is answered by the
 * target and the transferring phone's leg is ended. Until then the caller stays with that phone; if the target fails,
 * the phone is told and keeps the caller, or, when it has hung up meanwhile, the caller's Call ends. A screen taking
 * the Call over (StartMediaTransfer: the Call's answerer is no longer the phone) ends the phone's leg. A phone's own
 * Call (phone-calls.ts) is transferred the same way (`transferPlaced`): its transferor is the phone's INVITE, not a
 * leg of the phones' line, and once the target answers the Call is followed here as one a phone answered.
 */
import { errorDetail, type Clock, type Logger, type TimerHandle } from '../../base/index.js';
import {
  phoneAnswerer,
  type Call,
  type CallStatus,
  type CancelReason,
  type Decided,
  type LineFailure,
  type LineListener,
  type PhoneRinging,
  type TransferProgress,
  type TransferTarget,
} from '../domain/index.js';
import type { CallDecisions } from './call-decisions.js';
import { lineCalleeOf } from './phone-calls.js';
import { answerThroughLeg, endLineLeg, hangUpCaller, legOffer, moveToLeg, placeLineLeg, type RelayBridgeParts } from './relay-bridge.js';

export interface RingingPhonesOptions extends RelayBridgeParts {
  readonly phones: PhoneRinging;
  readonly decisions: CallDecisions;
  readonly logger: Logger;
  readonly clock: Clock;
  /** How long a transfer's target rings before the transfer counts as failed (no answer). */
  readonly transferNoAnswerMs: number;
}

/** One extension rung for a Call: its call on the phones' line. */
interface Leg {
  readonly extension: string;
  readonly lineCallId: string;
}

/** Who transfers: a phone's leg on the phones' line (it answered the Call), or the phone that placed the Call. */
export interface Transferor {
  readonly extension: string;
  /** The phone's leg on the phones' line; none for the phone that placed the Call (its own INVITE). */
  readonly lineCallId?: string;
  /** Ends the transferor's call once the target has answered. */
  hangUp(): void;
}

/** A transfer asked for by a phone: the new leg to the target and who the Call is then answered by. */
interface Transfer {
  readonly from: Transferor;
  /** The Call's answerer once the target answers: `ext:<number>`, or the outside number. */
  readonly to: string;
  readonly progress: TransferProgress;
  /** The new leg: to an extension on the phones' line, or to an outside number, a hidden Call on the caller's line. */
  readonly leg: { readonly phone: Leg } | { readonly line: Call };
  /** The transferring phone hung up before the target answered. */
  transferorGone: boolean;
  noAnswer?: TimerHandle;
}

/** The phones rung for one Call, and the one that answered it (or, after a transfer outside, the hidden Call that did). */
interface Ringing {
  readonly caller: Call;
  readonly legs: Map<string, Leg>;
  answered?: Leg;
  outside?: { readonly leg: Call; readonly number: string };
  transfer?: Transfer;
}

/** The Call reasons a failed leg on the caller's line reports as they are (the rest is an Error). */
const lineFailures: readonly LineFailure[] = ['Busy', 'Rejected', 'Not Found', 'Not Acceptable Capability'];

export class RingingPhones implements LineListener {
  private readonly byCaller = new Map<string, Ringing>();
  private readonly byLeg = new Map<string, Ringing>();
  /** By the CallID of a leg to an outside number (a transfer's). */
  private readonly byLineLeg = new Map<string, Ringing>();
  private readonly unsubscribe: () => void;

  constructor(private readonly o: RingingPhonesOptions) {
    o.phones.line.setListener(this);
    this.unsubscribe = o.decisions.onDecided((call, d) => this.decided(call, d));
  }

  /** A new incoming Call rings for the home: one leg per extension to ring (limited to those its answerers name). */
  ring(call: Call): void {
    let extensions: readonly string[];
    try {
      extensions = this.o.phones.extensionsFor(this.o.decisions.incomingOf(call));
    } catch (e) {
      this.o.logger.error('which phones ring could not be told; none rings', { callID: call.callID, error: errorDetail(e) });
      return;
    }
    const answerers = call.allowedAnswerers;
    if (answerers !== '*') extensions = extensions.filter((x) => answerers.includes(phoneAnswerer(x)));
    if (extensions.length === 0) return;
    const offer = legOffer(this.o, call);
    const ringing: Ringing = { caller: call, legs: new Map() };
    for (const extension of extensions) {
      try {
        const lineCallId = this.o.phones.line.place({ callee: extension, priority: 'Normal', callerId: call.remoteParty, ...(offer ? { sdpOffer: offer } : {}) });
        ringing.legs.set(lineCallId, { extension, lineCallId });
        this.byLeg.set(lineCallId, ringing);
      } catch (e) {
        this.o.logger.warn('a phone could not be rung', { callID: call.callID, extension, error: errorDetail(e) });
      }
    }
    if (ringing.legs.size === 0) return;
    this.byCaller.set(call.callID, ringing);
    this.o.logger.info('call', { callID: call.callID, phones: 'ringing', extensions: extensions.join(',') });
  }

  /**
   * Follows every move of every Call: the caller ending or answered elsewhere ends its phones' legs; a screen taking
   * over the Call a phone answered ends that phone's leg; a transfer's leg to an outside number answering or ending.
   */
  changed(call: Call, from: CallStatus | undefined): void {
    const outside = this.byLineLeg.get(call.callID);
    if (outside && from !== undefined) return this.lineLegChanged(outside, call);
    const r = this.byCaller.get(call.callID);
    if (!r || from === undefined) return;
    if (call.status === 'Disconnected') {
      this.endAll(r, call.connectedAt !== undefined && !r.answered && !r.transfer ? 'completed-elsewhere' : undefined);
    } else if (from === 'Ringing' && !r.answered) {
      this.forget(r);
      this.cancelLegs(r, call.connectedAt !== undefined ? 'completed-elsewhere' : undefined);
    } else if (call.status === 'Talking' && (r.answered || r.outside) && call.answeredBy !== this.answererOf(r)) {
      this.o.logger.info('call', { callID: call.callID, phones: 'taken over', by: call.answeredBy, from: this.answererOf(r) });
      this.endAll(r, undefined);
    }
  }

  close(): void {
    this.unsubscribe();
    for (const r of [...this.byCaller.values()]) this.endAll(r, undefined);
  }

  // ------------------------------------------------------------------------------------------ transfer

  /** The phone that answered transfers the Call (REFER): a new leg to the target; the caller stays with the phone meanwhile. */
  transferRequested(lineCallId: string, target: TransferTarget, progress: TransferProgress): void {
    const r = this.byLeg.get(lineCallId);
    const from = r?.answered;
    if (!r || !from || from.lineCallId !== lineCallId || r.caller.status !== 'Talking') {
      this.o.logger.info('transfer refused', { lineCallId, why: 'not a call a phone answered' });
      return progress.failed('Rejected');
    }
    this.startTransfer(r, { ...from, hangUp: () => this.o.phones.line.hangUp(from.lineCallId) }, target, progress);
  }

  /**
   * The phone that placed `call` transfers it (phone-calls.ts): as `transferRequested`, `from.hangUp` ending the
   * phone's call once the target answered. `transferorGone` tells that the phone hung up before.
   */
  transferPlaced(call: Call, from: Transferor, target: TransferTarget, progress: TransferProgress): void {
    const r: Ringing = this.byCaller.get(call.callID) ?? { caller: call, legs: new Map() };
    if (call.status !== 'Talking' || r.answered || r.outside) {
      this.o.logger.info('transfer refused', { callID: call.callID, why: 'not a call the phone has' });
      return progress.failed('Rejected');
    }
    this.byCaller.set(call.callID, r);
    this.startTransfer(r, from, target, progress);
    if (!r.transfer) this.byCaller.delete(call.callID);
  }

  /** The phone whose placed Call is being transferred hung up (a blind transfer): the caller waits for the target. */
  transferorGone(call: Call): void {
    const t = this.byCaller.get(call.callID)?.transfer;
    if (!t) return;
    this.o.logger.info('call', { callID: call.callID, transfer: 'the transferring phone hung up', from: phoneAnswerer(t.from.extension) });
    t.transferorGone = true;
  }

  /** A new leg to the target; the caller stays with the transferor meanwhile. */
  private startTransfer(r: Ringing, from: Transferor, target: TransferTarget, progress: TransferProgress): void {
    const caller = r.caller;
    if (r.transfer || (target.kind === 'extension' && target.number === from.extension)) {
      this.o.logger.info('call', { callID: caller.callID, transfer: 'refused', why: r.transfer ? 'a transfer is under way' : 'to itself' });
      return progress.failed('Busy');
    }
    let leg: Transfer['leg'];
    try {
      if (target.kind === 'extension') {
        const offer = legOffer(this.o, caller);
        const id = this.o.phones.line.place({ callee: target.number, priority: 'Normal', callerId: caller.remoteParty, ...(offer ? { sdpOffer: offer } : {}) });
        const phone = { extension: target.number, lineCallId: id };
        r.legs.set(id, phone);
        this.byLeg.set(id, r);
        leg = { phone };
      } else {
        // As a phone's own call to that number goes out (a local tel: number is no URI the line can call).
        const line = placeLineLeg(this.o, caller, lineCalleeOf({ kind: 'number', number: target.number }, this.o.line.identity()));
        this.byLineLeg.set(line.callID, r);
        leg = { line };
      }
    } catch (e) {
      this.o.logger.warn('call', { callID: caller.callID, transfer: 'failed', to: target.number, error: errorDetail(e) });
      return progress.failed('Error');
    }
    const to = target.kind === 'extension' ? phoneAnswerer(target.number) : target.number;
    const t: Transfer = { from, to, progress, leg, transferorGone: false };
    t.noAnswer = this.o.clock.setTimer(this.o.transferNoAnswerMs, () => this.transferNotAnswered(r, t));
    r.transfer = t;
    this.o.logger.info('call', { callID: caller.callID, transfer: 'calling the target', from: phoneAnswerer(from.extension), to });
  }

  /** The transfer's target answered: the relay carries caller ↔ target, the transferring phone's leg ends. */
  private transferAnswered(r: Ringing, t: Transfer, sdp: string | undefined): void {
    r.transfer = undefined;
    t.noAnswer?.cancel();
    moveToLeg(this.o, r.caller, sdp, t.to);
    if ('phone' in t.leg) r.answered = t.leg.phone;
    else {
      r.answered = undefined;
      r.outside = { leg: t.leg.line, number: t.to };
    }
    if (t.from.lineCallId !== undefined) this.dropLeg(r, t.from.lineCallId);
    t.progress.succeeded();
    if (!t.transferorGone) t.from.hangUp();
    this.o.logger.info('call', { callID: r.caller.callID, transfer: 'answered', from: phoneAnswerer(t.from.extension), by: t.to });
  }

  /** The transfer's target did not answer: the phone keeps the caller, or the Call ends when the phone is gone. */
  private transferFailed(r: Ringing, t: Transfer, reason: LineFailure): void {
    r.transfer = undefined;
    t.noAnswer?.cancel();
    t.progress.failed(reason);
    this.o.logger.info('call', { callID: r.caller.callID, transfer: 'failed', to: t.to, reason, back: !t.transferorGone });
    // A placed Call goes back to its phone (phone-calls.ts follows it), or ends with it.
    if (!r.answered) this.forget(r);
    if (!t.transferorGone) return;
    this.forget(r);
    hangUpCaller(this.o, r.caller);
  }

  /** The target rang for the whole no-answer time: its leg is ended and the transfer has failed. */
  private transferNotAnswered(r: Ringing, t: Transfer): void {
    if (r.transfer !== t) return;
    this.o.logger.info('call', { callID: r.caller.callID, transfer: 'no answer', to: t.to });
    if ('phone' in t.leg) {
      this.dropLeg(r, t.leg.phone.lineCallId);
      this.o.phones.line.cancel(t.leg.phone.lineCallId);
    } else {
      this.byLineLeg.delete(t.leg.line.callID);
      endLineLeg(this.o, t.leg.line);
    }
    this.transferFailed(r, t, 'Error');
  }

  /** A transfer's leg to an outside number moved: answered, failed, or (once answered) hung up. */
  private lineLegChanged(r: Ringing, leg: Call): void {
    const t = r.transfer;
    if (t && 'line' in t.leg && t.leg.line === leg) {
      if (leg.status === 'Connected') this.transferAnswered(r, t, leg.mediaCapability);
      else if (leg.status === 'Disconnected') {
        this.byLineLeg.delete(leg.callID);
        this.transferFailed(r, t, lineFailures.find((f) => f === leg.reason) ?? 'Error');
      }
    } else if (r.outside?.leg === leg && leg.status === 'Disconnected') {
      this.o.logger.info('call', { callID: r.caller.callID, transferred: 'the target hung up', by: r.outside.number });
      this.forget(r);
      hangUpCaller(this.o, r.caller);
    }
  }

  // ------------------------------------------------------------------------------------------ the phones' line

  answered(lineCallId: string, sdpAnswer: string | undefined): void {
    const r = this.byLeg.get(lineCallId);
    const leg = r?.legs.get(lineCallId);
    const t = r?.transfer;
    if (r && t && 'phone' in t.leg && t.leg.phone === leg) return this.transferAnswered(r, t, sdpAnswer);
    if (!r || !leg || r.answered) {
      this.o.phones.line.hangUp(lineCallId);
      return;
    }
    const by = phoneAnswerer(leg.extension);
    r.answered = leg;
    try {
      this.o.decisions.claim(r.caller, { action: 'accept' }, by);
    } catch (e) {
      // Another decision came first (the onDecided listener has cancelled the legs): this phone is too late.
      this.o.logger.info('call', { callID: r.caller.callID, phone: by, late: errorDetail(e) });
      r.answered = undefined;
      this.dropLeg(r, lineCallId);
      this.o.phones.line.hangUp(lineCallId);
      return;
    }
    this.cancelLegs(r, 'completed-elsewhere');
    try {
      answerThroughLeg(this.o, r.caller, sdpAnswer, by);
    } catch (e) {
      this.o.logger.warn('call', { callID: r.caller.callID, phone: by, failed: 'no media resources', error: errorDetail(e) });
      this.forget(r);
      this.o.phones.line.hangUp(lineCallId);
      hangUpCaller(this.o, r.caller);
      return;
    }
    this.o.logger.info('call', { callID: r.caller.callID, phones: 'answered', by });
  }

  failed(lineCallId: string, reason: LineFailure): void {
    this.legEnded(lineCallId, reason);
  }

  remoteCancelled(lineCallId: string): void {
    this.legEnded(lineCallId, 'Error');
  }

  remoteHangUp(lineCallId: string): void {
    const r = this.byLeg.get(lineCallId);
    if (r?.transfer?.from.lineCallId === lineCallId) {
      // A blind transfer: the phone may hang up once it has asked; the caller waits for the target.
      this.o.logger.info('call', { callID: r.caller.callID, transfer: 'the transferring phone hung up', from: phoneAnswerer(r.transfer.from.extension) });
      r.transfer.transferorGone = true;
    } else if (r?.answered?.lineCallId === lineCallId) {
      this.o.logger.info('call', { callID: r.caller.callID, phones: 'the phone hung up', by: phoneAnswerer(r.answered.extension) });
      this.forget(r);
      hangUpCaller(this.o, r.caller);
    } else this.legEnded(lineCallId, 'Error');
  }

  /** A phone's re-INVITE (hold, another codec) is refused for now: the relay keeps the media as answered. */
  remoteModify(lineCallId: string): void {
    this.o.phones.line.rejectModify(lineCallId);
  }

  // The TS never calls phones from here nor modifies their calls: these do not happen.
  incoming(): void {}
  provisional(): void {}
  remoteModifyCancelled(): void {}
  modifyAccepted(): void {}
  modifyRejected(): void {}
  availability(): void {}

  // ------------------------------------------------------------------------------------------ helpers

  /** A decision about a Call its phones ring for: not a phone's own, every leg is cancelled. */
  private decided(call: Call, d: Decided): void {
    const r = this.byCaller.get(call.callID);
    if (!r || r.answered || r.transfer) return;
    this.forget(r);
    const elsewhere = d.decision.action === 'accept' || d.decision.action === 'accept-native';
    this.o.logger.info('call', { callID: call.callID, phones: 'cancelled', decidedBy: d.by });
    this.cancelLegs(r, elsewhere ? 'completed-elsewhere' : undefined);
  }

  /** Cancels every leg but the answered one. */
  private cancelLegs(r: Ringing, reason: CancelReason | undefined): void {
    for (const leg of [...r.legs.values()]) {
      if (leg === r.answered) continue;
      this.dropLeg(r, leg.lineCallId);
      this.o.phones.line.cancel(leg.lineCallId, reason);
    }
  }

  private legEnded(lineCallId: string, reason: LineFailure): void {
    const r = this.byLeg.get(lineCallId);
    if (!r) return;
    const t = r.transfer;
    this.dropLeg(r, lineCallId);
    if (t && 'phone' in t.leg && t.leg.phone.lineCallId === lineCallId) this.transferFailed(r, t, reason);
  }

  /** Who the Call is answered by while the phones (or a transfer's outside leg) have it. */
  private answererOf(r: Ringing): string | undefined {
    return r.answered ? phoneAnswerer(r.answered.extension) : r.outside?.number;
  }

  /** The Call is over for the phones (it ended, a screen took it over): every leg ends, a transfer under way fails. */
  private endAll(r: Ringing, reason: CancelReason | undefined): void {
    this.forget(r);
    const t = r.transfer;
    r.transfer = undefined;
    t?.noAnswer?.cancel();
    t?.progress.failed('Error');
    if (t && 'line' in t.leg) endLineLeg(this.o, t.leg.line);
    if (r.outside) endLineLeg(this.o, r.outside.leg);
    if (r.answered && !t?.transferorGone) this.o.phones.line.hangUp(r.answered.lineCallId);
    this.cancelLegs(r, reason);
  }

  private dropLeg(r: Ringing, lineCallId: string): void {
    r.legs.delete(lineCallId);
    this.byLeg.delete(lineCallId);
    if (r.legs.size === 0 && !r.answered && !r.outside) this.byCaller.delete(r.caller.callID);
  }

  /** The Call and its legs are no longer followed (the legs are being ended). */
  private forget(r: Ringing): void {
    this.byCaller.delete(r.caller.callID);
    for (const id of r.legs.keys()) this.byLeg.delete(id);
    if (r.outside) this.byLineLeg.delete(r.outside.leg.callID);
    if (r.transfer && 'line' in r.transfer.leg) this.byLineLeg.delete(r.transfer.leg.line.callID);
  }
}
