/**
 * Decisions about ringing incoming Calls (seed 004 2.2 3 i–iv, vi): the screen asked before anyone is notified, the
 * first decision that wins (CallManagement:1 AcceptCall, RejectCall and StopCall of a TelCP included), and carrying
 * it out on the line and the media plane — reject with a SIP status, answer with the TS's own media, voicemail, or a
 * forward (call-forwarding.ts).
 */
import { errorDetail, type Clock, type Logger } from '../../base/index.js';
import { mediaTypesOf } from '../../media/sdp/index.js';
import { UpnpError } from '../../upnp/index.js';
import { callManagementErrors } from '../contracts/index.js';
import {
  DecisionRefused,
  forwardTargetOf,
  InvalidForwardTarget,
  UnknownCall,
  type Call,
  type CallDecision,
  type CallStatus,
  type Decided,
  type ForwardMode,
  type ForwardResult,
  type IncomingCall,
  type IncomingCallScreen,
  type Line,
  type RejectStatus,
  type Screening,
  type VoiceMailPort,
} from '../domain/index.js';
import type { CallInfoViews } from './call-info-views.js';
import type { CallMediaRecords } from './call-media.js';
import type { CallTable } from './call-table.js';
import { CallForwarding } from './call-forwarding.js';
import type { MediaCapabilities } from './media-capabilities.js';

export interface CallDecisionsOptions {
  readonly line: Line;
  readonly calls: CallTable;
  readonly media: CallMediaRecords;
  readonly capabilities: MediaCapabilities;
  readonly views: CallInfoViews;
  readonly clock: Clock;
  readonly logger: Logger;
  readonly lineName: string;
  readonly voiceMail?: VoiceMailPort;
  readonly forwardMode: ForwardMode;
  readonly forwardNoAnswerMs: number;
  readonly forwardFallbackToVoiceMail: boolean;
}

export class CallDecisions {
  private screen?: IncomingCallScreen;
  private readonly listeners = new Set<(call: Call, decided: Decided) => void>();
  private readonly forwarding: CallForwarding;

  constructor(private readonly o: CallDecisionsOptions) {
    this.forwarding = new CallForwarding({
      line: o.line,
      calls: o.calls,
      media: o.media,
      clock: o.clock,
      logger: o.logger,
      noAnswerMs: o.forwardNoAnswerMs,
      failed: (call, result) => this.forwardFailed(call, result),
    });
  }

  setScreen(screen: IncomingCallScreen): void {
    this.screen = screen;
  }

  onDecided(listener: (call: Call, decided: Decided) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** What the screen says of a new incoming Call; ring everyone when there is none or it fails. */
  screening(call: Call): Screening {
    if (!this.screen) return { notify: true };
    try {
      return this.screen(this.incomingOf(call));
    } catch (e) {
      this.o.logger.error('screening an incoming call failed; it rings', { callID: call.callID, error: errorDetail(e) });
      return { notify: true };
    }
  }

  decide(callID: string, decision: CallDecision, by: string): void {
    const call = this.o.calls.get(callID);
    if (!call || call.forwardOf !== undefined) throw new UnknownCall(callID);
    let target: string | undefined;
    if (decision.action === 'forward') {
      target = forwardTargetOf(decision.target);
      if (target === undefined) throw new InvalidForwardTarget(decision.target);
    }
    this.record(call, decision, by);
    switch (decision.action) {
      case 'accept':
        // Carried out by the TelCP's AcceptCall that follows (the Call stays Ringing for it); a screened Call shows
        // itself to TelCPs for that.
        if (call.hidden) {
          call.hidden = false;
          this.o.views.event(call);
        }
        break;
      case 'accept-native':
        this.answerNatively(call);
        break;
      case 'reject':
        this.reject(call, decision.status ?? 603);
        break;
      case 'voicemail':
        this.voicemail(call, 486);
        break;
      case 'forward':
        this.forwarding.start(call, target!, decision.mode ?? this.o.forwardMode);
        break;
    }
  }

  /**
   * A TelCP's AcceptCall, RejectCall or StopCall on a Ringing Call: 712 naming the winner when another decision came
   * first, else recorded as its decision. An `accept` decided beforehand is the one this AcceptCall carries out.
   */
  claimForTelCP(call: Call, decision: CallDecision, telcp: string): void {
    const d = call.decided;
    if (d && d.decision.action === 'accept' && decision.action === 'accept') return;
    try {
      this.record(call, decision, telcp || 'a TelCP');
    } catch (e) {
      // The TelCP is told who decided: the table's text with the winner (the "error that names who decided").
      if (e instanceof DecisionRefused) throw new UpnpError(712, `${callManagementErrors[712].errorDescription}: ${e.message}`);
      throw e;
    }
  }

  /** Claims a Ringing Call for `by` (a phone that answered, `ext:21`); DecisionRefused when another decision came first. */
  claim(call: Call, decision: CallDecision, by: string): void {
    this.record(call, decision, by);
  }

  /** Follows every move of every Call (forwards watch their legs and callers). */
  changed(call: Call, from: CallStatus | undefined): void {
    this.forwarding.changed(call, from);
  }

  close(): void {
    this.forwarding.close();
  }

  /** The first decision wins: a later one, or one about a Call no longer ringing, is refused naming the winner. */
  private record(call: Call, decision: CallDecision, by: string): void {
    if (call.decided) throw new DecisionRefused(call.callID, call.decided);
    if (call.status !== 'Ringing') throw new DecisionRefused(call.callID, undefined);
    const decided: Decided = { decision, by, at: this.o.clock.now() };
    call.decided = decided;
    this.o.logger.info('call decided', { callID: call.callID, action: decision.action, by, ...(decision.action === 'forward' ? { target: decision.target } : {}) });
    for (const l of this.listeners) {
      try {
        l(call, decided);
      } catch (e) {
        this.o.logger.error('a decision listener failed', { callID: call.callID, error: errorDetail(e) });
      }
    }
  }

  private reject(call: Call, status: RejectStatus): void {
    this.o.line.reject(call.lineCallId, status === 486 ? 'Busy' : 'Rejected', status);
    this.o.calls.move(call, 'RejectCall', status === 486 ? 'Busy' : 'Rejected');
  }

  /**
   * Answers with the TS's own media (TS-based media handling, 2.3.4.2): the part of the offer the TS takes itself, its
   * own media without one; the Call goes Connected and at once Talking ("Accepted by TS"), as no StartMediaTransfer follows.
   */
  private answerNatively(call: Call): void {
    const chosen = call.nativeMediaCapability ?? this.o.capabilities.ownMedia;
    const media = this.o.media.of(call);
    let answer = chosen;
    if (media) {
      try {
        answer = media.wanSdp(chosen);
      } catch (e) {
        this.o.logger.warn('no media resources to answer a call', { callID: call.callID, error: errorDetail(e) });
        this.reject(call, 480);
        return;
      }
      media.setNative([...mediaTypesOf(chosen)]);
    }
    call.nativeMediaCapability = chosen;
    call.mediaCapability = undefined;
    call.answeredBy = 'ts';
    this.o.line.answer(call.lineCallId, answer);
    this.o.calls.move(call, 'AcceptCall');
    this.o.calls.move(call, 'TSMediaStarted', 'Accepted by TS');
  }

  /** Hands the Call to voicemail and answers it natively; without a voicemail that takes it, rejects it with `otherwise`. */
  private voicemail(call: Call, otherwise: RejectStatus): void {
    let taken = false;
    if (this.o.voiceMail) {
      try {
        taken = this.o.voiceMail.deposit(this.incomingOf(call), () => this.hangUp(call));
      } catch (e) {
        this.o.logger.error('voicemail failed to take a call', { callID: call.callID, error: errorDetail(e) });
      }
    }
    if (!taken) {
      this.o.logger.info('call', { callID: call.callID, voicemail: 'none takes it', rejected: otherwise });
      this.reject(call, otherwise);
      return;
    }
    this.o.logger.info('call', { callID: call.callID, voicemail: 'deposit' });
    this.answerNatively(call);
  }

  /** A bridged forward came to nothing: voicemail when so configured, else the caller is rejected (486 busy, 480 else). */
  private forwardFailed(call: Call, result: ForwardResult): void {
    if (call.status !== 'Ringing') return;
    const status: RejectStatus = result === 'busy' ? 486 : 480;
    if (this.o.forwardFallbackToVoiceMail) this.voicemail(call, status);
    else this.reject(call, status);
  }

  private hangUp(call: Call): void {
    if (call.status === 'Disconnected') return;
    this.o.line.hangUp(call.lineCallId);
    this.o.calls.move(call, 'StopCall');
  }

  /** The Call as the screening and the phones see it. */
  incomingOf(call: Call): IncomingCall {
    return { callID: call.callID, line: this.o.lineName, from: call.remoteParty, to: call.calledAddress ?? '' };
  }
}
