/**
 * Calls placed by the phones of the home (issue 14, "Calls → Outgoing"): each is an outgoing Call of this TS, placed
 * on its line as a TelCP's StartCall is — so TelCPs see it (CallInfo, events), it is logged and the call monitor
 * shows it — with the phone as the Call's one client of the RTP relay. The line is offered the relay's WAN SDP for
 * the phone's offer; when the callee answers the phone is answered with the relay's home SDP, the relay carries
 * phone ↔ callee and the Call goes Talking by itself (no StartMediaTransfer follows, as for TS-based media).
 *
 * The callee's progress, failure and hang-up reach the phone through its `PhoneCallerLeg`; the phone giving up or
 * hanging up (`PlacedPhoneCall.end`) cancels or hangs up the line's call. The phone may transfer its answered Call
 * (`PlacedPhoneCall.transfer`, REFER): the phones' transfer (phone-ringing.ts `transferPlaced`) carries it out as for
 * a Call a phone answered, and once the target answers the Call is no longer the phone's. An outgoing call is not screened. Who placed
 * the Call is recorded as `ext:<number>`.
 */
import { errorDetail, type Clock, type Logger } from '../../base/index.js';
import {
  phoneAnswerer,
  type Call,
  type CallStatus,
  type Line,
  type PhoneCallee,
  type PhoneCallerLeg,
  type PhoneCallRequest,
  type PlacedPhoneCall,
  type TransferProgress,
  type TransferTarget,
} from '../domain/index.js';
import type { CallInfoViews } from './call-info-views.js';
import type { CallMediaRecords } from './call-media.js';
import type { CallTable } from './call-table.js';

export interface PhoneCallsOptions {
  readonly line: Line;
  readonly calls: CallTable;
  readonly media: CallMediaRecords;
  readonly views: CallInfoViews;
  /** The TS's own media, offered when the phone's INVITE had no offer. */
  readonly ownMedia: () => string;
  readonly clock: Clock;
  readonly logger: Logger;
  /** Who carries out a phone's transfer (the phones' ringing, phone-ringing.ts); none while no phones' line is wired. */
  readonly transfers: () => PlacedCallTransfers | undefined;
}

/** The phones' transfer, as a phone's own Call uses it (RingingPhones). */
export interface PlacedCallTransfers {
  transferPlaced(call: Call, from: { extension: string; hangUp(): void }, target: TransferTarget, progress: TransferProgress): void;
  transferorGone(call: Call): void;
}

/** A phone's Call in progress: its leg and its SDP offer (the relay's home-side client). */
interface Placed {
  readonly extension: string;
  readonly leg: PhoneCallerLeg;
  readonly phoneSdp: string | undefined;
  /** A transfer of it is under way. */
  transferring?: boolean;
}

/** What the line is asked to call: a number at the line's own domain, an extension as its number, a name as given. */
export function lineCalleeOf(callee: PhoneCallee, identity: string | undefined): string {
  if (callee.kind === 'home') return callee.name;
  if (callee.kind === 'extension') return callee.number;
  // RFC 3261 19.1.6: a telephone number at the provider's domain (what the line does with a tel: URI).
  const domain = identity && /^sips?:(?:[^@;?]*@)?([^;?>]+)/i.exec(identity)?.[1];
  return domain ? `sip:${callee.number}@${domain};user=phone` : `tel:${callee.number}`;
}

export class PhoneCalls {
  private readonly placed = new Map<string, Placed>();

  constructor(private readonly o: PhoneCallsOptions) {}

  place(request: PhoneCallRequest, leg: PhoneCallerLeg): PlacedPhoneCall | undefined {
    const by = phoneAnswerer(request.extension);
    const remote = request.callee.kind === 'home' ? request.callee.name : request.callee.number;
    if (this.o.calls.full()) {
      this.o.logger.info('phone call refused: no resource left', { by, callee: remote });
      leg.failed('Busy');
      return undefined;
    }
    const callID = this.o.calls.newCallID();
    const media = this.o.media.open(callID);
    const phoneSdp = request.sdpOffer;
    let lineCallId: string;
    try {
      const offer = media && phoneSdp ? media.wanSdp(phoneSdp) : (phoneSdp ?? this.o.ownMedia());
      lineCallId = this.o.line.place({
        callee: lineCalleeOf(request.callee, this.o.line.identity()),
        priority: 'Normal',
        sdpOffer: offer,
        // A callee in the home (an extension, a TelCP) is shown the phone; the line shows its own identity.
        callerId: { id: request.extension, ...(request.displayName ? { name: request.displayName } : {}) },
      });
    } catch (e) {
      this.o.logger.warn('phone call not placed', { by, callee: remote, error: errorDetail(e) });
      this.o.media.release(callID);
      leg.failed(undefined);
      return undefined;
    }
    const call = this.o.calls.add('outgoing', { id: remote }, lineCallId, callID, (c) => {
      c.placedBy = by;
      c.mediaCapability = phoneSdp;
    });
    this.placed.set(callID, { extension: request.extension, leg, phoneSdp });
    this.o.logger.info('call', { callID, to: 'Dialing', callee: remote, placedBy: by });
    this.o.views.event(call);
    return { callID, end: () => this.end(call), transfer: (target, progress) => this.transfer(call, target, progress) };
  }

  /** Follows every move of every Call: the phone hears what became of its own. */
  changed(call: Call, from: CallStatus | undefined): void {
    const p = this.placed.get(call.callID);
    if (!p || from === undefined) return;
    if (call.status === 'Disconnected') {
      this.placed.delete(call.callID);
      if (call.connectedAt !== undefined) p.leg.ended();
      else p.leg.failed(call.reason);
    } else if (call.status === 'Calling' && from === 'Dialing') p.leg.ringing();
    // After the other listeners have heard of Connected: the Talking move is an event of its own.
    else if (call.status === 'Connected' && (from === 'Dialing' || from === 'Calling')) this.o.clock.setTimer(0, () => this.answered(call, p));
  }

  /** Hangs up every phone's Call still alive (the TS closes). */
  close(): void {
    for (const [callID, p] of [...this.placed]) {
      this.placed.delete(callID);
      p.leg.ended();
    }
  }

  /** The callee answered: the relay carries phone ↔ callee, the phone gets the relay's home SDP, the Call is Talking. */
  private answered(call: Call, p: Placed): void {
    if (call.status === 'Disconnected' || this.placed.get(call.callID) !== p) return;
    const media = this.o.media.of(call);
    let answer = call.mediaCapability;
    if (media && p.phoneSdp) {
      // The phone is the Call's one client; it sends to and hears from the relay's home side.
      media.setClients([{ sdp: p.phoneSdp }], { mixing: false });
      answer = media.homeSdp(call.mediaCapability ?? p.phoneSdp);
    }
    p.leg.answered(answer);
    // A TelCP may have moved it on meanwhile (StartMediaTransfer): then it stays where the TelCP took it.
    if (call.status === 'Connected') this.o.calls.move(call, 'TSMediaStarted');
  }

  /** The phone transfers its Call: once the target answers, the phone is told, ended and the Call is no longer its. */
  private transfer(call: Call, target: TransferTarget, progress: TransferProgress): void {
    const p = this.placed.get(call.callID);
    const transfers = this.o.transfers();
    if (!p || !transfers) {
      this.o.logger.info('transfer refused', { callID: call.callID, why: p ? 'no phones to carry it out' : 'the call is over' });
      return progress.failed('Error');
    }
    const hangUp = (): void => {
      if (this.placed.get(call.callID) !== p) return;
      this.placed.delete(call.callID);
      p.leg.ended();
    };
    p.transferring = true;
    transfers.transferPlaced(call, { extension: p.extension, hangUp }, target, {
      succeeded: () => progress.succeeded(),
      failed: (reason) => {
        p.transferring = false;
        progress.failed(reason);
      },
    });
  }

  /** The phone gave up (CANCEL) or hung up (BYE): the line's call goes too — unless it is being transferred (blind). */
  private end(call: Call): void {
    const p = this.placed.get(call.callID);
    if (!p || !this.placed.delete(call.callID)) return;
    if (p.transferring) return this.o.transfers()?.transferorGone(call);
    switch (call.status) {
      case 'Disconnected':
        return;
      case 'Dialing':
      case 'Calling':
        this.o.line.cancel(call.lineCallId);
        this.o.calls.move(call, 'StopCall', 'Cancelled');
        return;
      default:
        this.o.line.hangUp(call.lineCallId);
        this.o.calls.move(call, 'StopCall');
    }
  }
}
