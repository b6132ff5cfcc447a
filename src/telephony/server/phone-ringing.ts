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
 */
import { errorDetail, type Logger } from '../../base/index.js';
import { phoneAnswerer, type Call, type CallStatus, type CancelReason, type Decided, type LineListener, type PhoneRinging } from '../domain/index.js';
import type { CallDecisions } from './call-decisions.js';
import { answerThroughLeg, hangUpCaller, legOffer, type RelayBridgeParts } from './relay-bridge.js';

export interface RingingPhonesOptions extends RelayBridgeParts {
  readonly phones: PhoneRinging;
  readonly decisions: CallDecisions;
  readonly logger: Logger;
}

/** One extension rung for a Call: its call on the phones' line. */
interface Leg {
  readonly extension: string;
  readonly lineCallId: string;
}

/** The phones rung for one Call, and the one that answered it. */
interface Ringing {
  readonly caller: Call;
  readonly legs: Map<string, Leg>;
  answered?: Leg;
}

export class RingingPhones implements LineListener {
  private readonly byCaller = new Map<string, Ringing>();
  private readonly byLeg = new Map<string, Ringing>();
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

  /** Follows every move of every Call: the caller ending or answered elsewhere ends its phones' legs. */
  changed(call: Call, from: CallStatus | undefined): void {
    const r = this.byCaller.get(call.callID);
    if (!r || from === undefined) return;
    if (call.status === 'Disconnected') {
      this.forget(r);
      if (r.answered) this.o.phones.line.hangUp(r.answered.lineCallId);
      this.cancelLegs(r, call.connectedAt !== undefined && !r.answered ? 'completed-elsewhere' : undefined);
    } else if (from === 'Ringing' && !r.answered) {
      this.forget(r);
      this.cancelLegs(r, call.connectedAt !== undefined ? 'completed-elsewhere' : undefined);
    }
  }

  close(): void {
    this.unsubscribe();
    for (const r of [...this.byCaller.values()]) {
      this.forget(r);
      if (r.answered) this.o.phones.line.hangUp(r.answered.lineCallId);
      this.cancelLegs(r, undefined);
    }
  }

  // ------------------------------------------------------------------------------------------ the phones' line

  answered(lineCallId: string, sdpAnswer: string | undefined): void {
    const r = this.byLeg.get(lineCallId);
    const leg = r?.legs.get(lineCallId);
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

  failed(lineCallId: string): void {
    this.legEnded(lineCallId);
  }

  remoteCancelled(lineCallId: string): void {
    this.legEnded(lineCallId);
  }

  remoteHangUp(lineCallId: string): void {
    const r = this.byLeg.get(lineCallId);
    if (r?.answered?.lineCallId === lineCallId) {
      this.o.logger.info('call', { callID: r.caller.callID, phones: 'the phone hung up', by: phoneAnswerer(r.answered.extension) });
      this.forget(r);
      hangUpCaller(this.o, r.caller);
    } else this.legEnded(lineCallId);
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
    if (!r || r.answered) return;
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

  private legEnded(lineCallId: string): void {
    const r = this.byLeg.get(lineCallId);
    if (r) this.dropLeg(r, lineCallId);
  }

  private dropLeg(r: Ringing, lineCallId: string): void {
    r.legs.delete(lineCallId);
    this.byLeg.delete(lineCallId);
    if (r.legs.size === 0 && !r.answered) this.byCaller.delete(r.caller.callID);
  }

  /** The Call and its legs are no longer followed (the legs are being ended). */
  private forget(r: Ringing): void {
    this.byCaller.delete(r.caller.callID);
    for (const id of r.legs.keys()) this.byLeg.delete(id);
  }
}
