/**
 * Calls the phones of the home place (issue 14, "Calls → Outgoing"): each one is a Call of a Telephony Server, placed
 * on its line as a TelCP's StartCall would be, with the phone's own side as a port — what the TS tells the phone
 * (ringing, answered with the TS's SDP, failed, ended) and what the phone does (gives up or hangs up).
 */
import type { CallReason } from './call-state-machine.js';
import type { TransferProgress, TransferTarget } from './line.js';

/** Whom a phone calls: an outside number on the line, another extension, a name of the home (a TelCPName). */
export type PhoneCallee =
  | { readonly kind: 'number'; readonly number: string }
  | { readonly kind: 'extension'; readonly number: string }
  | { readonly kind: 'home'; readonly name: string };

export interface PhoneCallRequest {
  /** The extension placing the call (the Call records `ext:<number>` as who placed it). */
  readonly extension: string;
  /** The extension's display name (shown to a callee in the home). */
  readonly displayName?: string;
  readonly callee: PhoneCallee;
  /** The phone's SDP offer (the relay's home-side client); undefined for an INVITE without one. */
  readonly sdpOffer?: string;
}

/** The phone's side of a Call it placed, as the TS drives it (SIP: 180, 200 with SDP, a final error, BYE). */
export interface PhoneCallerLeg {
  /** The callee is being alerted (the line's provisional response). */
  ringing(): void;
  /** The callee answered: the phone's answer, the TS's home-side SDP (its media goes through the relay). */
  answered(sdpAnswer: string | undefined): void;
  /** The Call ended before it was answered; Table 2-5's reason (undefined: an error, nobody reachable). */
  failed(reason: CallReason | undefined): void;
  /** The answered Call was ended by the other side (or a TelCP's StopCall). */
  ended(): void;
}

/** What the phone can do to the Call it placed: end it (CANCEL before the answer, BYE after), transfer it (REFER). */
export interface PlacedPhoneCall {
  readonly callID: string;
  end(): void;
  /**
   * A blind transfer of the answered Call: the callee goes to `target` when it answers, the phone is told through
   * `progress` and then ended (`PhoneCallerLeg.ended`); the Call stays the same Call.
   */
  transfer(target: TransferTarget, progress: TransferProgress): void;
}
