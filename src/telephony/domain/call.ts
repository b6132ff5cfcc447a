/**
 * One Call of the Telephony Server: its status (moved only through the state-machine table), who
 * may manage it, and what the TelCPs chose for its media. Knows nothing of XML or SIP.
 */
import { initialStatus, nextStatus, type CallReason, type CallStatus, type CallTrigger } from './call-state-machine.js';
import type { Decided, ForwardMode, ForwardResult } from './call-handling.js';
import type { RemotePeer } from './line.js';

/** Table 2-9 (2.4.12): "PHONE-TelCP" (O), "DP-TelCP" (O), "DP-User" (O), "Non-Monopolize" (R). */
export const callModes = ['PHONE-TelCP', 'DP-TelCP', 'DP-User', 'Non-Monopolize'] as const;
export type CallMode = (typeof callModes)[number];

/** 2.4.18.2: which way a Call went, and its type ("audio, video or data"), as the call logs record them. */
export const callDirections = ['incoming', 'outgoing'] as const;
export type CallDirection = (typeof callDirections)[number];
export const callTypes = ['audio', 'video', 'data'] as const;
export type CallType = (typeof callTypes)[number];

/**
 * How a Call that is over went, for counting (metrics) and showing: answered (it was Connected, whoever hung up), or
 * why not — Table 2-5's reason of its end (Busy, Rejected, Not Found, Not Acceptable Capability, Cancelled: the caller
 * gave up or nobody answered), `failed` for anything else (a line error, a timeout).
 */
export const callOutcomes = ['answered', 'busy', 'rejected', 'not-found', 'not-acceptable', 'cancelled', 'failed'] as const;
export type CallOutcome = (typeof callOutcomes)[number];

/** A TC taking part in the media of a Call (UDN and its MediaManagement session). */
export interface CallTC {
  readonly udn?: string;
  readonly mediaSessionID?: string;
}

export interface CallSnapshot {
  readonly callID: string;
  readonly status: CallStatus;
  readonly reason?: CallReason;
}

export class Call {
  private _status: CallStatus;
  private _reason?: CallReason;
  /** The TelCPName that alone may manage a Monopolization Mode Call (2.3.2). */
  monopolizer?: string;
  /** Who may answer an incoming Call (2.3.2.1.1); `*` for everyone. */
  allowedAnswerers: readonly string[] | '*' = '*';
  mode: CallMode = 'Non-Monopolize';
  priority: 'Normal' | 'Emergency' = 'Normal';
  /** TC-based media (SDP) and TS-based native media (SDP) of the Call, as negotiated so far. */
  mediaCapability?: string;
  nativeMediaCapability?: string;
  /** The Remote Party's pending modification offer while ReceivingModifyRequest. */
  pendingRemoteOffer?: string;
  /** While SendingModifyRequest for TC-based and native media together (3.2.3): the media types the TS handles itself. */
  pendingNativeTypes?: readonly string[];
  tcList: readonly CallTC[] = [];
  enableMediaMixing?: boolean;
  shareMedia?: string;
  /** The first decision about an incoming Call (seed 004 2.2 3): later ones are refused, naming it. */
  decided?: Decided;
  /** Screened before anyone was notified (a rule, DND, nobody home): never evented nor listed to TelCPs. */
  hidden = false;
  /** A forward of this Call: its target, mode and, once known, its result. */
  forward?: { readonly target: string; readonly mode: ForwardMode; result?: ForwardResult };
  /** The device that answered (a TC's friendly name or UDN, `ts` for the TS's own media, the forward target). */
  answeredBy?: string;
  /** The address an incoming Call was for (the line's own, or a TelCPName of the home). */
  calledAddress?: string;
  /**
   * A leg the TS placed on the line for an incoming Call — a bridged forward's call to its target, a transfer's call
   * to an outside number: the CallID of that Call (hidden, never logged).
   */
  forwardOf?: string;
  /** Who placed an outgoing Call when it was no TelCP: a phone of the home, `ext:<number>` (phoneAnswerer). */
  placedBy?: string;
  readonly startedAt: number;
  connectedAt?: number;
  endedAt?: number;

  constructor(
    readonly callID: string,
    readonly direction: CallDirection,
    readonly remoteParty: RemotePeer,
    /** The call's id on the line. */
    readonly lineCallId: string,
    now: number,
  ) {
    this._status = initialStatus[direction];
    this.startedAt = now;
  }

  get status(): CallStatus {
    return this._status;
  }

  get reason(): CallReason | undefined {
    return this._reason;
  }

  /** A Monopolization Mode Call, or an incoming Call only some TelCPs may answer: Selective Information Delivery applies (2.3.3). */
  get restricted(): boolean {
    return this.monopolizer !== undefined || this.allowedAnswerers !== '*';
  }

  /** The names evented as <targetNames>: the Monopolizer, or who may answer. */
  get targetNames(): readonly string[] | '*' {
    return this.monopolizer !== undefined ? [this.monopolizer] : this.allowedAnswerers;
  }

  /**
   * Moves the Call by the table; returns false (and changes nothing) when the table has no such move.
   * `reason` is Table 2-5's, kept only with the status it came with.
   */
  apply(trigger: CallTrigger, now: number, reason?: CallReason): boolean {
    const next = nextStatus(this._status, trigger);
    if (!next) return false;
    this._status = next;
    this._reason = reason;
    if (next === 'Connected' && this.connectedAt === undefined) this.connectedAt = now;
    if (next === 'Disconnected') this.endedAt = now;
    return true;
  }

  /** How the Call went (meaningful once it is Disconnected). */
  get outcome(): CallOutcome {
    if (this.connectedAt !== undefined) return 'answered';
    switch (this._reason) {
      case 'Busy':
        return 'busy';
      case 'Rejected':
        return 'rejected';
      case 'Not Found':
        return 'not-found';
      case 'Not Acceptable Capability':
        return 'not-acceptable';
      case 'Cancelled':
        return 'cancelled';
      default:
        return 'failed';
    }
  }

  snapshot(): CallSnapshot {
    return { callID: this.callID, status: this._status, ...(this._reason ? { reason: this._reason } : {}) };
  }
}
