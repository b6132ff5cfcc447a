/**
 * The control point's own picture of the Telephony Server's Calls: the CallInfo of each Call as evented (or read
 * with GetCallInfo), merged so that a general view (Selective Information Delivery, 2.3.3: only callID,
 * targetNames and callStatus) does not erase what a full view told before; the sequence of Call Statuses seen;
 * and which Media Sessions on which Telephony Clients this control point bound to the Call. Flows wait on it
 * ("until the Call is Connected") instead of on raw events, so an event that arrived before the wait began is
 * not missed.
 */
import { EventEmitter } from 'node:events';
import type { CallInfo, CallMode, CallStatus } from '../contracts/index.js';

/** A Media Session this control point started on a Telephony Client for a Call (or learnt from its TCList). */
export interface MediaBinding {
  /** UDN of the Telephony Client. */
  readonly client: string;
  readonly mediaSessionID: string;
  /** Media types the session carries (audio, video …); empty when learnt from a TCList and not evented. */
  readonly media: readonly string[];
  /** The TC's answer (TCMediaCapabilityInfo), its addresses and ports; '' when not known. */
  readonly sdp: string;
}

export type { CallMode } from '../contracts/index.js';

/** One Call as this control point knows it (a snapshot; the book replaces it at every change). */
export interface CallView {
  readonly callID: string;
  readonly status: CallStatus;
  /** callStatus/@reason of the latest information (Table 2-5), e.g. Busy or Cancelled with Disconnected. */
  readonly reason?: string;
  /** Every status evented (or read) for the Call, in order; a status repeats when it is evented again. */
  readonly history: readonly CallStatus[];
  /** The latest information, full elements kept from the last full view when later ones were general. */
  readonly info: CallInfo;
  /** Whether the latest information was a full view (false: general only, 2.3.3). */
  readonly full: boolean;
  readonly direction?: 'incoming' | 'outgoing';
  /** Whether this control point manages the Call (placed, answered or handed it). */
  readonly mine: boolean;
  /** The CallMode this control point chose, when it placed or answered the Call. */
  readonly mode?: CallMode;
  /** "*" or the TelCPNames allowed to manage (or answer) the Call. */
  readonly targetNames: '*' | readonly string[];
  /** The Media Sessions of the Call on Telephony Clients. */
  readonly media: readonly MediaBinding[];
  /** Media types the TS handles itself for this Call (TS-based media handling, 2.3.4.2). */
  readonly native: readonly string[];
  /** The Call is Disconnected (or the TS no longer knows it). */
  readonly ended: boolean;
}

/** What the book keeps per Call; flows change `media`, `native`, `mine`, `mode`, `direction`. */
export interface CallRecord {
  readonly callID: string;
  info: CallInfo;
  full: boolean;
  history: CallStatus[];
  direction?: 'incoming' | 'outgoing';
  mine: boolean;
  mode?: CallMode;
  media: MediaBinding[];
  native: string[];
  /** This control point is ending the Call itself (hangup): it stops the Call's Media Sessions. */
  closing?: boolean;
  /** Counts changes from events, so a GetCallInfo answer older than an event is not applied over it. */
  eventCount: number;
  gone: boolean;
}

export interface CallChange {
  readonly view: CallView;
  /** The status before this change; undefined for a Call seen for the first time. */
  readonly previous?: CallStatus;
  /** False when only this control point's own bookkeeping changed (media bindings, ownership), not the TS's information. */
  readonly fromTs: boolean;
}

export interface CallBookEvents {
  change: [CallChange];
}

/** The elements that only a full view carries. */
const fullElements = ['priority', 'remoteParty', 'tcList', 'enableMediaMixing', 'shareMedia', 'mediaCapability', 'nativeMediaCapability'] as const;

export function isGeneralView(info: CallInfo): boolean {
  return fullElements.every((k) => info[k] === undefined);
}

export function viewOf(r: CallRecord): CallView {
  const names = r.info.targetNames.names;
  return {
    callID: r.callID,
    status: r.info.callStatus,
    ...(r.info.reason !== undefined ? { reason: r.info.reason } : {}),
    history: [...r.history],
    info: r.info,
    full: r.full,
    ...(r.direction ? { direction: r.direction } : {}),
    mine: r.mine,
    ...(r.mode ? { mode: r.mode } : {}),
    targetNames: names === '*' ? '*' : [...names],
    media: r.media.map((b) => ({ ...b, media: [...b.media] })),
    native: [...r.native],
    ended: r.gone || r.info.callStatus === 'Disconnected',
  };
}

export class CallBook extends EventEmitter<CallBookEvents> {
  private readonly records = new Map<string, CallRecord>();

  /** At most this many Calls are kept; ended ones are forgotten first. */
  constructor(private readonly capacity = 256) {
    super();
    // Every flow waiting on a Call listens while it waits; many Calls may be under way.
    this.setMaxListeners(0);
  }

  get(callID: string): CallRecord | undefined {
    return this.records.get(callID);
  }

  all(): CallRecord[] {
    return [...this.records.values()];
  }

  /** A Call this control point is about to create or answer (before any event names it). */
  ensure(callID: string, status: CallStatus): CallRecord {
    let r = this.records.get(callID);
    if (!r) {
      r = { callID, info: { callID, targetNames: { type: 'TelCPName', names: '*' }, callStatus: status }, full: false, history: [], mine: false, media: [], native: [], eventCount: 0, gone: false };
      this.add(r);
    }
    return r;
  }

  /**
   * Applies a CallInfo. From an event every status counts (a repeated Talking is a new step); from GetCallInfo
   * (`source: 'query'`) the status is added to the history only when it differs, and not at all when an event
   * came since `eventCountBefore` (the query's answer may be older than that event).
   */
  apply(info: CallInfo, source: 'event' | 'query', eventCountBefore?: number): CallChange | undefined {
    let r = this.records.get(info.callID);
    const previous = r && r.history.length > 0 ? r.info.callStatus : undefined;
    if (r && source === 'query' && eventCountBefore !== undefined && r.eventCount !== eventCountBefore) return undefined;
    if (!r) {
      r = { callID: info.callID, info, full: false, history: [], mine: false, media: [], native: [], eventCount: 0, gone: false };
      this.add(r);
    }
    const general = isGeneralView(info);
    r.info = general ? mergeGeneral(r.info, info) : info;
    r.full = !general;
    r.gone = false;
    if (source === 'event') {
      r.eventCount++;
      r.history.push(info.callStatus);
    } else if (r.history[r.history.length - 1] !== info.callStatus) {
      r.history.push(info.callStatus);
    }
    const change = { view: viewOf(r), ...(previous !== undefined ? { previous } : {}), fromTs: true };
    this.emit('change', change);
    return change;
  }

  /** The TS no longer knows the Call (released after Disconnected, or a restart). */
  markGone(callID: string): void {
    const r = this.records.get(callID);
    if (!r || r.gone) return;
    const previous = r.info.callStatus;
    r.gone = true;
    if (r.info.callStatus !== 'Disconnected') {
      r.info = { ...r.info, callStatus: 'Disconnected' };
      delete r.info.reason;
      r.history.push('Disconnected');
    }
    this.emit('change', { view: viewOf(r), previous, fromTs: true });
  }

  /** Tells listeners that a record changed outside apply (its media bindings, its owner). */
  touch(r: CallRecord): void {
    this.emit('change', { view: viewOf(r), previous: r.info.callStatus, fromTs: false });
  }

  private add(r: CallRecord): void {
    this.records.set(r.callID, r);
    if (this.records.size <= this.capacity) return;
    const old = this.all().find((x) => x.gone || x.info.callStatus === 'Disconnected') ?? this.all()[0]!;
    this.records.delete(old.callID);
  }
}

/** A general view over what was known: the general elements replaced, callStatus's reason with them. */
function mergeGeneral(known: CallInfo, general: CallInfo): CallInfo {
  const merged: CallInfo = { ...known, callID: general.callID, targetNames: general.targetNames, callStatus: general.callStatus };
  if (general.reason !== undefined) merged.reason = general.reason;
  else delete merged.reason;
  return merged;
}
