/**
 * The session's model of the TS's Calls kept in step: CallInfo and TelCPNameList events applied as they come, the
 * whole model read again with GetCallInfo after every (re)subscription or lost events, one Call read when a flow
 * needs its full information, and the waits of the flows ("until the Call is Talking") on that model, with a
 * GetCallInfo before giving up when an event does not come.
 */
import type { Clock, Logger } from '../../../base/index.js';
import type { UpnpValue } from '../../../upnp/index.js';
import { CallManagementAction, parseCallInfo, parseCallInfoList, parseTelCPNameList, type CallInfo, type CallStatus } from '../../contracts/index.js';
import { CallBook, viewOf, type CallChange, type CallRecord, type CallView } from '../call-model.js';
import type { Answer, CallManagement } from '../contract-calls.js';
import type { TelephonyServer } from '../devices.js';
import { isFault, TelephonyError } from '../errors.js';
import type { CmInvoke } from './lease.js';
import type { Emit } from './types.js';

export const disconnected: CallStatus = 'Disconnected';

export interface CallSyncDeps {
  /** Only its actions are used. */
  readonly server: Pick<TelephonyServer, 'invoke'>;
  readonly cm: CmInvoke;
  readonly clock: Clock;
  readonly logger: Logger;
  readonly emit: Emit;
  readonly eventTimeoutMs: number;
  /** A CallBackAvailability event (not the initial one). */
  readonly onCallBacksAvailable: (text: string) => void;
}

export class CallSync {
  readonly book = new CallBook();
  private names: string[] = [];

  constructor(private readonly d: CallSyncDeps) {}

  /** The TelCPNames registered at the TS, as last evented or read. */
  telCPNames(): readonly string[] {
    return this.names;
  }

  onEvent(vars: Map<string, UpnpValue>, seq: number): void {
    const ci = vars.get('CallInfo');
    // The initial event (SEQ 0) repeats the last CallInfo evented, of whatever Call: refresh() reads them all instead.
    if (typeof ci === 'string' && ci.trim() !== '' && seq !== 0) {
      const parsed = parseCallInfo(ci);
      if (parsed.ok) this.book.apply(parsed.value, 'event');
      else this.d.logger.warn('unreadable CallInfo event', { reason: parsed.reason });
    }
    const names = vars.get('TelCPNameList');
    if (typeof names === 'string') this.setNames(names);
    const available = vars.get('CallBackAvailability');
    if (typeof available === 'string' && available.trim() !== '' && seq !== 0) this.d.onCallBacksAvailable(available);
  }

  private setNames(text: string): void {
    const parsed = parseTelCPNameList(text);
    if (!parsed.ok) return;
    const same = parsed.value.length === this.names.length && parsed.value.every((n, i) => n === this.names[i]);
    this.names = parsed.value;
    if (!same) this.d.emit('telcp-names', this.names);
  }

  /** GetCallInfo for every Call (and GetTelCPNameList): the model after a (re)subscription or lost events. */
  async refresh(): Promise<void> {
    const before = new Map(this.book.all().map((r) => [r.callID, r.eventCount]));
    const out = await this.d.cm(CallManagementAction.GetCallInfo, { TargetCallID: '' });
    const list = parseCallInfoList(out.CallInfoList ?? '');
    if (!list.ok) throw new TelephonyError({ kind: 'transport', device: 'TS', action: CallManagementAction.GetCallInfo, sentence: `unreadable CallInfoList: ${list.reason}` });
    const listed = new Set(list.value.map((c) => c.callID));
    for (const info of list.value) this.book.apply(info, 'query', before.get(info.callID));
    for (const [callID, count] of before) {
      const r = this.book.get(callID);
      if (r && !listed.has(callID) && r.eventCount === count) this.book.markGone(callID);
    }
    const names = await this.d.server.invoke(CallManagementAction.GetTelCPNameList, {});
    this.setNames(names.TelCPNameList ?? '');
  }

  /** GetCallInfo of one Call (C.18 F3, C.30 F19): full information when this control point is entitled to it. */
  async refreshCall(callID: string): Promise<CallView> {
    await this.queryCall(callID);
    return viewOf(this.book.get(callID)!);
  }

  /** GetCallInfo of one Call, applied to the model; the information as read (undefined when the TS released it). */
  private async queryCall(callID: string): Promise<CallInfo | undefined> {
    const before = this.book.get(callID)?.eventCount;
    let out: Answer<CallManagement, typeof CallManagementAction.GetCallInfo>;
    try {
      out = await this.d.cm(CallManagementAction.GetCallInfo, { TargetCallID: callID }, callID);
    } catch (e) {
      if (isFault(e, 703) && this.book.get(callID)) {
        this.book.markGone(callID);
        return undefined;
      }
      throw e;
    }
    const list = parseCallInfoList(out.CallInfoList ?? '');
    const info = list.ok ? list.value.find((c) => c.callID === callID) : undefined;
    if (!info) throw new TelephonyError({ kind: 'transport', device: 'TS', action: CallManagementAction.GetCallInfo, callID, sentence: 'the Telephony Server did not describe the call' });
    this.book.apply(info, 'query', before);
    return info;
  }

  /** The Call's record, read from the TS when we have not seen it yet. */
  async record(callID: string): Promise<CallRecord> {
    if (!this.book.get(callID)) await this.refreshCall(callID);
    return this.book.get(callID)!;
  }

  /**
   * The Call's full information; GetCallInfo when the latest we have is a general view (monopolised Calls, C.30
   * F19). What the query read is used even when an event overtook it (the model then keeps the event's status).
   */
  async fullInfo(r: CallRecord): Promise<CallInfo> {
    if (r.full) return r.info;
    return (await this.queryCall(r.callID)) ?? r.info;
  }

  /**
   * Resolves when a status of `wanted` is seen at or after history position `from`; rejects with `call-ended`
   * when the Call is Disconnected instead. When nothing comes for `timeoutMs`, the Call is read with GetCallInfo
   * once before giving up.
   */
  async waitStatus(r: CallRecord, from: number, wanted: readonly CallStatus[], timeoutMs = this.d.eventTimeoutMs): Promise<CallView> {
    const check = (): CallView | TelephonyError | undefined => {
      const seen = r.history.slice(from);
      const hit = seen.find((s) => wanted.includes(s));
      if (hit) return viewOf(r);
      if (seen.includes(disconnected) || r.gone) {
        const reason = r.info.reason;
        return new TelephonyError({
          kind: 'call-ended',
          callID: r.callID,
          ...(reason ? { reason } : {}),
          sentence: `the call ended${reason ? ` (${reason})` : ''} before it was ${wanted.join(' or ')}`,
        });
      }
      return undefined;
    };
    const settled = (v: CallView | TelephonyError): CallView => {
      if (v instanceof TelephonyError) throw v;
      return v;
    };
    const now = check();
    if (now) return settled(now);
    const outcome = await this.until(r, timeoutMs, check);
    if (outcome) return settled(outcome);
    await this.refreshCall(r.callID).catch(() => undefined);
    const late = check();
    if (late) return settled(late);
    throw new TelephonyError({ kind: 'timeout', callID: r.callID, sentence: `the call did not become ${wanted.join(' or ')} within ${timeoutMs} ms` });
  }

  /** Resolves once `status` was seen `count` times since `from` in the Call's history, or after the event timeout. */
  async untilSeen(r: CallRecord, from: number, status: CallStatus, count: number): Promise<void> {
    const enough = (): true | undefined => (r.history.slice(from).filter((s) => s === status).length >= count ? true : undefined);
    if (!enough()) await this.until(r, this.d.eventTimeoutMs, enough);
  }

  /** The first defined `check()` after a change of the Call; undefined when none came within `timeoutMs`. */
  private until<T>(r: CallRecord, timeoutMs: number, check: () => T | undefined): Promise<T | undefined> {
    return new Promise((resolve) => {
      const done = (v: T | undefined): void => {
        timer.cancel();
        this.book.off('change', onChange);
        resolve(v);
      };
      const onChange = (c: CallChange): void => {
        if (c.view.callID !== r.callID) return;
        const v = check();
        if (v !== undefined) done(v);
      };
      const timer = this.d.clock.setTimer(timeoutMs, () => done(undefined));
      this.book.on('change', onChange);
    });
  }
}
