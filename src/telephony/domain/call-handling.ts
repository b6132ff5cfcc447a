/**
 * Handling an incoming Call for the whole home (seed 004, KT Internet Call Waiting, 2.2 3): what may be decided about
 * a ringing Call — accept, reject, forward to another number, forward to voicemail — who decided it (the first
 * decision wins, 2.2 3 i–iv), and what screens it before anyone is notified (automatic call processing, 2.2 3 vi).
 * The Telephony Server carries the decisions out on its line and media; the call-handling application service
 * (src/callhandling) makes the automatic ones.
 */
import { HometelError } from '../../base/index.js';
import { calleeKind } from './callee-id.js';
import type { Line, RejectStatus, RemotePeer } from './line.js';

/** How a Call is forwarded: hometel calls the target and relays media (bridge), or the caller is sent a 3xx (redirect). */
export type ForwardMode = 'bridge' | 'redirect';

/**
 * What became of a forward: the target answered, was busy, did not answer in time, or the attempt failed (bridge);
 * `redirected`: the caller was sent a 3xx naming the target (redirect; what the caller then does is not seen).
 */
export type ForwardResult = 'answered' | 'busy' | 'no-answer' | 'failed' | 'redirected';

/** SIP final responses a rejection may carry (the line's, line.ts). */
export type { RejectStatus } from './line.js';

/** A decision about a ringing incoming Call. */
export type CallDecision =
  /** A TelCP answered (CallManagement:1 AcceptCall); `tc` names the TC when it is known. */
  | { readonly action: 'accept'; readonly tc?: string }
  /** The Telephony Server answers with its own media (TS-based media handling, 2.3.4.2). */
  | { readonly action: 'accept-native' }
  | { readonly action: 'reject'; readonly status?: RejectStatus }
  /** To a sip:/tel: URI or a number; `mode` undefined: the line's own (its config `forwarding.mode`). */
  | { readonly action: 'forward'; readonly target: string; readonly mode?: ForwardMode }
  | { readonly action: 'voicemail' };

/** Who decided what about a Call, and when (ms on the Clock's scale). */
export interface Decided {
  readonly decision: CallDecision;
  /** A TelCPName, a screen ("web:Laptop"), `cli`, `rule:<id>`, `dnd`, `no-response` or `nobody-home`. */
  readonly by: string;
  readonly at: number;
}

/**
 * A decision came too late: another one was made first (its `winner`), or the Call is no longer ringing.
 * The message names who decided.
 */
export class DecisionRefused extends HometelError {
  readonly code = 'callhandling.decided';
  constructor(
    readonly callID: string,
    readonly winner: Decided | undefined,
  ) {
    super(winner ? `${callID} was already decided by ${winner.by} (${winner.decision.action})` : `${callID} is no longer ringing`);
  }
}

/** What the screening says about a new incoming Call before anyone is notified. */
export type Screening =
  /** Ring: notify the screens; `answerers` restricts who may answer (the rule's targetNames), `*` or undefined: everyone. */
  | { readonly notify: true; readonly answerers?: readonly string[] | '*' }
  /** Do not notify anyone: the screen will decide about the Call at once (a rule, DND, nobody home). */
  | { readonly notify: false };

/** A new incoming Call as the screening sees it. */
export interface IncomingCall {
  readonly callID: string;
  /** The line's name (the Telephony Server's). */
  readonly line: string;
  readonly from: RemotePeer;
  /** The address called (the line's own, or a TelCPName of the home). */
  readonly to: string;
}

/** Screens each incoming Call (synchronously: nobody is notified before it answers). */
export type IncomingCallScreen = (call: IncomingCall) => Screening;

/**
 * Where a Call forwarded to voicemail goes: the voicemail service takes it (the TS has answered it with its own
 * media, which the service plays and records for this CallID) and ends it with `hangUp` when the message is over.
 * `false`: no voicemail here (the TS rejects the Call instead).
 */
export interface VoiceMailPort {
  deposit(call: IncomingCall, hangUp: () => void): boolean;
}

/**
 * The phones of the home, rung for an incoming Call in parallel with the screens (issue 14, forking): the line they
 * are reached on — an extension is called as its number — and the extensions to ring for a Call the screening lets
 * ring. A rule naming answerers limits them to the extensions it names as `ext:<number>` (phoneAnswerer).
 */
export interface PhoneRinging {
  readonly line: Line;
  extensionsFor(call: IncomingCall): readonly string[];
}

/** How an extension is named among a Call's answerers and as the one who decided it (`ext:21`). */
export function phoneAnswerer(extension: string): string {
  return `ext:${extension}`;
}

/** Whether a Call's answerer (Call.answeredBy) is a phone of the home. */
export function isPhoneAnswerer(answeredBy: string | undefined): boolean {
  return answeredBy?.startsWith('ext:') === true;
}

/** No Call has this CallID (on any line). */
export class UnknownCall extends HometelError {
  readonly code = 'callhandling.unknown-call';
  constructor(readonly callID: string) {
    super(`no Call ${JSON.stringify(callID)}`);
  }
}

/** A forward target that is neither a sip:/tel: URI nor a number (the one check: forwardTargetOf). */
export class InvalidForwardTarget extends HometelError {
  readonly code = 'callhandling.target-invalid';
  constructor(readonly target: string) {
    super(`cannot forward to ${JSON.stringify(target)}: give a phone number or a sip:/tel: URI`);
  }
}

/**
 * The one syntax of a forward target, wherever one is given (a screen, a rule, the config): a sip:/sips:/tel: URI
 * as given, or a number (digits, `+`, `*`, `#`, with spaces, dashes, dots, slashes or parentheses) as the tel: URI
 * the line calls; undefined for anything else, or for more than 256 characters.
 */
export function forwardTargetOf(target: string): string | undefined {
  const v = target.trim();
  if (v.length === 0 || v.length > 256) return undefined;
  if (calleeKind(v, () => false)) return v;
  if (/^\+?[\d*#(][\d*#\s\-.()/]*$/.test(v) && /\d/.test(v)) return `tel:${v.replace(/[\s\-.()/]/g, '')}`;
  return undefined;
}
