/**
 * The line: what the Telephony Server's call logic needs from the WAN side, in call events rather
 * than protocol messages (design.md). The SIP user agent implements it; a scripted line implements
 * it for tests. Media descriptions are SDP text.
 */
import type { CallReason } from './call-state-machine.js';

/** A remote party as the line knows it; `anonymous` when the caller withheld its identity. */
export interface RemotePeer {
  readonly id: string;
  readonly name?: string;
}

/**
 * Who a Remote Party is to the home: the home's address book, asked for the name of a caller or callee when its Call
 * is created (the contacts service implements it). A name from it replaces the network's display name (the SIP
 * From display name), which is only what the caller claims.
 */
export interface CallerDirectory {
  /** The contact's name for a number or SIP URI, in whatever format it comes; undefined when it is no contact's. */
  contactName(address: string): string | undefined;
}

/** SIP final responses a rejection may carry (486 Busy Here, 603 Decline, 403 Forbidden, 480 Temporarily Unavailable). */
export type RejectStatus = 486 | 603 | 403 | 480;

/** Why the WAN side ended a call attempt (mapped to Table 2-5 reasons). */
export type LineFailure = Extract<CallReason, 'Busy' | 'Rejected' | 'Not Found' | 'Not Acceptable Capability'> | 'Error';

/** Why a call is cancelled, when it matters to the callee: a fork of it was answered elsewhere. */
export type CancelReason = 'completed-elsewhere';

export interface OutgoingCallRequest {
  /** sip:, sips: or tel: URI of the callee. */
  readonly callee: string;
  readonly priority: 'Normal' | 'Emergency';
  /** The SDP offer; the line's own media when undefined (InitiateCall, TS-native media). */
  readonly sdpOffer?: string;
  /** The TelCPName that places the call, when it is known (shown to a callee in the home). */
  readonly caller?: string;
  /** Who the callee is shown as calling, when not the line itself: a phone rung for an incoming Call sees its caller. */
  readonly callerId?: RemotePeer;
}

/** Where a device that answered a call asks it to go (a blind transfer, SIP REFER): an extension or an outside number. */
export type TransferTarget = { readonly kind: 'extension'; readonly number: string } | { readonly kind: 'outside'; readonly number: string };

/** What became of a transfer, told to the device that asked for it (SIP: the REFER's last NOTIFY). */
export interface TransferProgress {
  /** The target answered: the call is theirs now. */
  succeeded(): void;
  /** The target did not take the call (or the transfer could not be made). */
  failed(reason: LineFailure): void;
}

/** Events the line reports for its calls; `lineCallId` names the call on the line. */
export interface LineListener {
  incoming(lineCallId: string, from: RemotePeer, to: string, sdpOffer: string | undefined): void;
  provisional(lineCallId: string): void;
  answered(lineCallId: string, sdpAnswer: string | undefined): void;
  failed(lineCallId: string, reason: LineFailure): void;
  /** The caller gave up before the call was answered. */
  remoteCancelled(lineCallId: string): void;
  remoteHangUp(lineCallId: string): void;
  remoteModify(lineCallId: string, sdpOffer: string): void;
  remoteModifyCancelled(lineCallId: string): void;
  modifyAccepted(lineCallId: string, sdpAnswer: string): void;
  modifyRejected(lineCallId: string): void;
  /** Whether a callee being watched for a callback (CallBackAvailability) can now be called. */
  availability(calleeId: string, available: boolean): void;
  /**
   * The device that answered this call asks for it to go to `target` (a blind transfer; the phones' line only): the
   * listener places the new call and tells `progress` what became of it. A listener without it refuses transfers.
   */
  transferRequested?(lineCallId: string, target: TransferTarget, progress: TransferProgress): void;
}

export interface Line {
  /** The line's own address of record (sip: or tel: URI) once it has one (GetTelephonyIdentity). */
  identity(): string | undefined;
  setListener(listener: LineListener): void;
  /** Starts an outgoing call; returns the line's id for it. Progress arrives through the listener. */
  place(request: OutgoingCallRequest): string;
  /** Answers an incoming call with an SDP answer (a subset of the offer). */
  answer(lineCallId: string, sdpAnswer: string | undefined): void;
  /** Rejects an incoming call; `status` names the SIP final response (else 486 for Busy, 603 for Rejected). */
  reject(lineCallId: string, reason: 'Busy' | 'Rejected', status?: RejectStatus): void;
  /** Sends the caller of an incoming call elsewhere (SIP: 302 with the target as Contact); a sip: or tel: URI. */
  redirect(lineCallId: string, target: string): void;
  /**
   * Cancels a call not answered yet; `completed-elsewhere`: another device answered the call this one was a fork of
   * (SIP: the CANCEL's RFC 3326 Reason, so the phone does not show a missed call).
   */
  cancel(lineCallId: string, reason?: CancelReason): void;
  hangUp(lineCallId: string): void;
  modify(lineCallId: string, sdpOffer: string): void;
  acceptModify(lineCallId: string, sdpAnswer: string): void;
  rejectModify(lineCallId: string): void;
  /** Starts or stops reporting a callee's availability. */
  watchAvailability(calleeId: string, watch: boolean): void;
}
