/**
 * What the line reports, turned into Calls and moves of the call state table: an incoming Call (Ringing, for
 * whom), the Remote Party's progress, answer, failure, cancel and hang-up, its modification requests and its
 * answers to ours, and a watched callee's availability.
 */
import type { Logger } from '../../base/index.js';
import { mediaTypesOf, sdpOfTypes } from '../../media/sdp/index.js';
import type { Call, Line, LineFailure, LineListener, RemotePeer, TelCPRegistry } from '../domain/index.js';
import type { CallDecisions } from './call-decisions.js';
import type { CallInfoViews } from './call-info-views.js';
import type { CallMediaRecords } from './call-media.js';
import type { CallTable } from './call-table.js';
import type { Logbook } from './logbook.js';
import type { MediaCapabilities } from './media-capabilities.js';

/** Decides who may answer an incoming Call (2.3.2.1.1); `*` lets every TelCP answer. */
export type AnswererPolicy = (from: RemotePeer, to: string) => readonly string[] | '*';

export interface LineEventsOptions {
  readonly line: Line;
  readonly registry: TelCPRegistry;
  readonly answerers?: AnswererPolicy;
  readonly calls: CallTable;
  readonly media: CallMediaRecords;
  readonly capabilities: MediaCapabilities;
  readonly views: CallInfoViews;
  readonly logbook: Logbook;
  readonly logger: Logger;
  readonly decisions: CallDecisions;
  /** Rings the phones of the home for an incoming Call that rings for everyone (phone-ringing.ts). */
  readonly ringPhones?: (call: Call) => void;
}

export class LineEvents implements LineListener {
  constructor(private readonly o: LineEventsOptions) {}

  incoming(lineCallId: string, from: RemotePeer, to: string, sdpOffer: string | undefined): void {
    if (this.o.calls.full()) {
      this.o.logger.info('incoming call refused: no resource left', { from: from.id });
      this.o.line.reject(lineCallId, 'Busy');
      return;
    }
    const call = this.o.calls.add('incoming', from, lineCallId, undefined, (c) => (c.calledAddress = to));
    const media = this.o.media.open(call.callID);
    if (media && sdpOffer) media.setRemote(sdpOffer, 'offer');
    call.mediaCapability = sdpOffer;
    // A TS with media of its own tells which part of the offer it could take itself (C.34 F9).
    call.nativeMediaCapability = sdpOffer && this.o.capabilities.nativePartOf(sdpOffer);
    // A call to a TelCP of the home (2.4.10) is for that TelCP alone (an in-home call, never screened); the home's
    // call handling screens the others before anyone is notified (seed 004 2.2 3 vi), else the policy says who answers.
    if (this.o.registry.isRegistered(to)) call.allowedAnswerers = [to];
    else {
      // Hidden while screened: a decision the screen takes at once is evented to nobody.
      call.hidden = true;
      const screening = this.o.decisions.screening(call);
      if (screening.notify) {
        call.hidden = false;
        call.allowedAnswerers = screening.answerers ?? this.o.answerers?.(from, to) ?? '*';
      }
    }
    this.o.logger.info('call', { callID: call.callID, to: 'Ringing', from: from.id, answerers: String(call.allowedAnswerers), ...(call.hidden ? { hidden: true } : {}) });
    // The screen may have decided at once (a rule): then the Call is already over or answered.
    if (call.status === 'Ringing') this.o.views.event(call);
    // The phones ring with the screens (a Call for one TelCP names no extension among its answerers).
    if (call.status === 'Ringing' && !call.hidden) this.o.ringPhones?.(call);
  }

  provisional(lineCallId: string): void {
    const call = this.o.calls.forLine(lineCallId, 'provisional');
    if (call && call.status === 'Dialing') this.o.calls.move(call, 'RemoteProvisional');
  }

  answered(lineCallId: string, sdpAnswer: string | undefined): void {
    const call = this.o.calls.forLine(lineCallId, 'answered');
    if (!call) return;
    if (sdpAnswer) this.o.media.of(call)?.setRemote(sdpAnswer, 'answer');
    if (sdpAnswer) {
      // Each part of the Call keeps the answer's streams of its own media types.
      if (call.mediaCapability && call.nativeMediaCapability) {
        call.mediaCapability = sdpOfTypes(sdpAnswer, mediaTypesOf(call.mediaCapability)) ?? call.mediaCapability;
        call.nativeMediaCapability = sdpOfTypes(sdpAnswer, mediaTypesOf(call.nativeMediaCapability)) ?? call.nativeMediaCapability;
      } else if (call.mediaCapability) call.mediaCapability = sdpAnswer;
      else call.nativeMediaCapability = sdpAnswer;
    }
    this.o.calls.move(call, 'RemoteAnswered');
  }

  failed(lineCallId: string, reason: LineFailure): void {
    const call = this.o.calls.forLine(lineCallId, 'failure');
    if (call) this.o.calls.move(call, 'RemoteFailed', reason === 'Error' ? undefined : reason);
  }

  remoteCancelled(lineCallId: string): void {
    const call = this.o.calls.forLine(lineCallId, 'cancel');
    if (call) this.o.calls.move(call, 'RemoteCancelled', 'Cancelled');
  }

  remoteHangUp(lineCallId: string): void {
    const call = this.o.calls.forLine(lineCallId, 'hang-up');
    if (call && !this.o.calls.move(call, 'RemoteHangUp')) this.o.calls.move(call, 'RemoteFailed');
  }

  remoteModify(lineCallId: string, sdpOffer: string): void {
    const call = this.o.calls.forLine(lineCallId, 'modify request');
    if (!call) return;
    if (call.status !== 'Talking') {
      // A request crossing ours or arriving before media runs: refuse it, the Call stays as it is.
      this.o.line.rejectModify(lineCallId);
      return;
    }
    call.pendingRemoteOffer = sdpOffer;
    this.o.calls.move(call, 'RemoteModifyRequest');
  }

  remoteModifyCancelled(lineCallId: string): void {
    const call = this.o.calls.forLine(lineCallId, 'modify cancel');
    if (!call) return;
    call.pendingRemoteOffer = undefined;
    this.o.calls.move(call, 'RemoteModifyCancelled', 'Cancelled');
  }

  modifyAccepted(lineCallId: string, sdpAnswer: string): void {
    const call = this.o.calls.forLine(lineCallId, 'modify accepted');
    if (!call) return;
    if (sdpAnswer) this.o.media.of(call)?.setRemote(sdpAnswer, 'answer');
    const native = call.pendingNativeTypes;
    call.pendingNativeTypes = undefined;
    if (native) {
      // Each part keeps the answer's streams of its own media types, as after StartCall (answered()).
      call.nativeMediaCapability = sdpOfTypes(sdpAnswer, new Set(native));
      call.mediaCapability = sdpOfTypes(sdpAnswer, new Set([...mediaTypesOf(sdpAnswer)].filter((t) => !native.includes(t))));
    } else if (call.mediaCapability !== undefined || call.nativeMediaCapability === undefined) call.mediaCapability = sdpAnswer;
    else call.nativeMediaCapability = sdpAnswer;
    this.o.calls.move(call, 'RemoteModifyAccepted');
  }

  modifyRejected(lineCallId: string): void {
    const call = this.o.calls.forLine(lineCallId, 'modify rejected');
    if (!call) return;
    call.pendingNativeTypes = undefined;
    this.o.calls.move(call, 'RemoteModifyRejected', 'Rejected');
  }

  availability(calleeId: string, available: boolean): void {
    this.o.logbook.availability(calleeId, available);
  }
}
