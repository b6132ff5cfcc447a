/**
 * What a TsSession is given and what it offers: its options, the options of its flows, its events, and the host
 * it runs in (the TelephonyControlPoint, seen only through TsSessionHost so that the session does not import it).
 */
import type { Clock, Logger } from '../../../base/index.js';
import type { EventSubscription, RemoteService } from '../../../upnp/index.js';
import type { CallChange, CallMode, CallView } from '../call-model.js';
import type { TelephonyClient } from '../devices.js';
import type { Priority } from '../../contracts/index.js';

/** What a session needs of the control point that opened it. */
export interface TsSessionHost {
  readonly logger: Logger;
  readonly clock: Clock;
  /** A GENA subscription to a service (the TS's CallManagement). */
  subscribe(service: RemoteService): Promise<EventSubscription>;
  /** A known Telephony Client by handle, UDN or friendly name. */
  client(ref: TelephonyClient | string): TelephonyClient | undefined;
  /** The session closed: the host forgets it. */
  closed(): void;
}

export interface TsSessionOptions {
  /** The TelCPName to register (2.6.2); without one the session does not register (no monopolised Calls). */
  readonly name?: string;
  /**
   * A registration kept from an earlier run (a CLI between two commands): renewed with its key (C.3), so the
   * name keeps managing the Calls it monopolises; registered afresh when the TS no longer accepts the key.
   */
  readonly identity?: TelCPIdentity;
  /** When the name is taken (702): register name-2, name-3 … (default), or fail with the 702 TelephonyError. */
  readonly onNameTaken?: 'suffix' | 'fail';
  /** How long a flow waits for an expected event before it asks GetCallInfo (default 10 s). */
  readonly eventTimeoutMs?: number;
}

/** A Telephony Client for a Call, and the media types it should take (default: what it has in common). */
export interface ClientChoice {
  readonly client: TelephonyClient | string;
  readonly media?: readonly string[];
}
export type ClientsOption = ReadonlyArray<TelephonyClient | string | ClientChoice>;

export interface MediaOptions {
  /** TC-based media handling (2.3.4.1): these Telephony Clients (by handle, UDN or friendly name). */
  readonly clients?: ClientsOption;
  /** TS-based media handling (2.3.4.2): the TS handles these media types itself (true: all it can). */
  readonly native?: boolean | readonly string[];
  /** The media types of the Call (call: default audio; answer: what the caller offers; modify: as now). */
  readonly media?: readonly string[];
  /**
   * How StartMediaTransfer names the TCs: one request per Media Session (C.19/C.21, "Case 1"), or one request for
   * all (C.20/C.22, "Case 2"; auto, the default, is the same). One request is possible only when every session
   * carries a media type of its own (one m-line per TC); otherwise each session gets its own request.
   */
  readonly transfer?: 'auto' | 'per-client' | 'combined';
  /** enableMediaMixing in StartMediaTransfer (default: on when several TCs share a stream). */
  readonly mixing?: boolean;
  /**
   * Media sharing (2.3.1 architecture 2): the Media Sessions this flow starts receive the stream of this Media
   * Session instead of the Call's; their StartMediaTransfer (one of their own) carries <shareMedia>. Mixing is then
   * not switched on (the two are exclusive, 2.4.2.2).
   */
  readonly shareMedia?: string;
}

export interface CallOptions extends MediaOptions {
  /** CallMode (Table 2-9); PHONE-TelCP monopolises the Call for this control point (needs a registered name). */
  readonly mode?: CallMode;
  readonly priority?: Priority;
  /** Aborting cancels the Call (StopCall, C.15) and makes call() reject. */
  readonly signal?: AbortSignal;
  /** How long the callee may take to answer (default 120 s); then the Call is cancelled. */
  readonly connectTimeoutMs?: number;
}

export interface AnswerOptions extends MediaOptions {
  readonly mode?: CallMode;
}

export interface ModifyOptions extends MediaOptions {
  /** enableMediaMixing in ModifyCall itself (2.3.1: mixing switched on or off at any time). */
  readonly enableMediaMixing?: boolean;
}

export interface ModifyResult {
  /** Modified (true) or ModifyFailed (false: the Call goes on unchanged). */
  readonly accepted: boolean;
  readonly reason?: string;
  readonly call: CallView;
}

export interface CallBackAvailable {
  readonly callBackIDs: readonly string[];
  /** The callees of those callbacks, as far as known. */
  readonly callees: readonly string[];
}

export interface TsSessionEvents {
  /** Any change of a Call (status, information, media): what a `watch` prints. */
  call: [CallChange];
  /** A new incoming Call (Ringing). */
  incoming: [CallView];
  /** The Remote Party asks to modify a Call (ReceivingModifyRequest): acceptModify or rejectModify it. */
  'modify-request': [CallView];
  'call-ended': [CallView];
  'telcp-names': [readonly string[]];
  /** CallBackAvailability (2.4.4): callees of registered callbacks can be called now. */
  'callback-available': [CallBackAvailable];
  /** The TelCPName was registered, renewed, or replaced (name-2 …). */
  registered: [{ readonly name: string; readonly expires: number }];
  /** Something went wrong in the background (a renewal, a refresh); the session goes on. */
  warning: [Error];
}

/** How the parts of a session tell its listeners. */
export type Emit = <K extends keyof TsSessionEvents>(event: K, ...args: TsSessionEvents[K]) => void;

/** A registered TelCPName and the SecretKey that proves it. */
export interface TelCPIdentity {
  readonly name: string;
  readonly secretKey: string;
}
