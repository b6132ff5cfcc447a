/**
 * A control point's session with one Telephony Server: its TelCPName (lease), its subscription to CallManagement's
 * evented variables (CallInfo, TelCPNameList, CallBackAvailability), a model of the Calls kept in step with the
 * events and read again with GetCallInfo after every (re)subscription (call-sync), and the high-level operations
 * that run the spec's flows (section 3 and Appendix C: calls, modify) over the Calls' media (media-orchestration).
 *
 * Every CallManagement action carries this control point's TelCPName and SecretKey (the spec allows empty ones
 * for Non-Monopolize Calls; sending them is always right and needed for monopolised and targeted Calls).
 */
import { EventEmitter } from 'node:events';
import { asError, errorMessage, type Logger } from '../../../base/index.js';
import type { EventSubscription } from '../../../upnp/index.js';
import { CallManagementAction, parseCallLogs, type CallInfo, type CallLogs } from '../../contracts/index.js';
import { viewOf, type CallChange, type CallView } from '../call-model.js';
import type { TelephonyServer } from '../devices.js';
import { TelephonyError, usageError } from '../errors.js';
import { CallBacks } from './callbacks.js';
import * as calls from './calls.js';
import { CallSync, disconnected } from './call-sync.js';
import type { FlowContext } from './context.js';
import { TelCPLease } from './lease.js';
import { MediaOrchestration } from './media-orchestration.js';
import * as modifying from './modify.js';
import type { AnswerOptions, CallOptions, Emit, MediaOptions, ModifyOptions, ModifyResult, TelCPIdentity, TsSessionEvents, TsSessionHost, TsSessionOptions } from './types.js';

export class TsSession extends EventEmitter<TsSessionEvents> {
  private readonly logger: Logger;
  private readonly lease: TelCPLease;
  private readonly sync: CallSync;
  private readonly media: MediaOrchestration;
  private readonly callbacks: CallBacks;
  private readonly flow: FlowContext;
  private subscription?: EventSubscription;
  private readonly adopting = new Set<string>();
  private closed = false;

  constructor(
    private readonly host: TsSessionHost,
    readonly server: TelephonyServer,
    opts: TsSessionOptions,
  ) {
    super();
    this.logger = host.logger.child('telcp');
    // EventEmitter's emit, typed for one event at a time (its own signature does not narrow over a generic K).
    const emit = this.emit.bind(this) as Emit;
    const background = (p: Promise<unknown>): void => void this.background(p);
    const common = { server, clock: host.clock, logger: this.logger, emit };
    this.lease = new TelCPLease({ ...common, opts, background });
    this.callbacks = new CallBacks(server, emit);
    this.sync = new CallSync({ ...common, cm: this.lease.cm, eventTimeoutMs: opts.eventTimeoutMs ?? 10_000, onCallBacksAvailable: (text) => background(this.callbacks.available(text)) });
    this.media = new MediaOrchestration(host, server, this.sync, this.lease.cm);
    this.flow = { lease: this.lease, sync: this.sync, media: this.media, background };
    this.sync.book.on('change', (c) => this.changed(c));
  }

  /** The TelCPName this session registered (it may differ from the one asked for, name-2 …). */
  get telCPName(): string | undefined {
    return this.lease.name;
  }

  /** The registration now (its key changes at every renewal): what a short-lived TelCP keeps for its next run. */
  get identity(): TelCPIdentity | undefined {
    return this.lease.identity;
  }

  /** The TelCPNames registered at the TS, as last evented or read. */
  telCPNames(): readonly string[] {
    return this.sync.telCPNames();
  }

  /** Every Call the session knows, as snapshots. */
  calls(): CallView[] {
    return this.sync.book.all().map(viewOf);
  }

  getCall(callID: string): CallView | undefined {
    const r = this.sync.book.get(callID);
    return r && viewOf(r);
  }

  // ------------------------------------------------------------------------------------------ lifecycle

  /** @internal TelephonyControlPoint.openSession: register, subscribe, read the Calls. */
  async start(): Promise<void> {
    await this.lease.start();
    const sub = await this.host.subscribe(this.server.service);
    this.subscription = sub;
    sub.on('event', (vars, seq) => this.sync.onEvent(vars, seq));
    // A new SID (a resubscription after the TS restarted or refused a renewal) or lost events: read everything again.
    sub.on('subscribed', () => void this.background(this.resubscribed()));
    sub.on('missed', () => void this.background(this.refresh()));
    await this.refresh();
  }

  /** Stops renewing and following the TS; unregisters the TelCPName unless `unregister: false`. */
  async close(o: { unregister?: boolean } = {}): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    this.lease.stop();
    await this.subscription?.close();
    if (o.unregister ?? true) await this.lease.unregister();
    this.host.closed();
  }

  /** The first subscription happened in start(); every later one follows a restart or a refused renewal. */
  private async resubscribed(): Promise<void> {
    // The TS may have restarted: make sure the name still holds (renewal registers afresh if it lapsed).
    if (this.lease.name) await this.lease.renew();
    await this.refresh();
  }

  private async background(p: Promise<unknown>): Promise<void> {
    try {
      await p;
    } catch (e) {
      if (this.closed) return;
      this.logger.warn('background step failed', { error: errorMessage(e) });
      this.emit('warning', asError(e));
    }
  }

  // ------------------------------------------------------------------------------------------ the model

  private changed(c: CallChange): void {
    const v = c.view;
    this.emit('call', c);
    if (c.previous === undefined && v.status === 'Ringing') this.emit('incoming', v);
    if (v.status === 'ReceivingModifyRequest' && c.previous !== 'ReceivingModifyRequest') this.emit('modify-request', v);
    if (v.ended && c.previous !== undefined && c.previous !== disconnected) {
      this.emit('call-ended', v);
      // Ended by the Remote Party or another control point: our Media Sessions of the Call go too (3.1.1 step 12).
      const r = this.sync.book.get(v.callID);
      if (r && r.mine && !r.closing && r.media.length > 0) void this.background(this.media.release(r));
    }
    // A monopolised Call handed to us (C.33): read its full information, so that we can manage it.
    if (c.fromTs && this.adoptable(v) && !this.adopting.has(v.callID)) {
      this.adopting.add(v.callID);
      // A moment later: our own StartCall/AcceptCall may still be about to mark the Call as ours.
      this.host.clock.setTimer(50, () => void this.background(this.adopt(v.callID)));
    }
  }

  /** A Call this control point does not manage (yet) whose general view names it as the one that may. */
  private adoptable(v: CallView): boolean {
    const name = this.lease.name;
    return !v.full && !v.mine && !v.ended && v.status !== 'Ringing' && name !== undefined && v.targetNames !== '*' && v.targetNames.includes(name);
  }

  private async adopt(callID: string): Promise<void> {
    const before = this.sync.book.get(callID);
    if (!before || this.closed || !this.adoptable(viewOf(before))) {
      this.adopting.delete(callID);
      return;
    }
    let view: CallView;
    try {
      view = await this.sync.refreshCall(callID);
    } catch (e) {
      // Handed on again meanwhile (713), or gone: a later event may name us once more.
      this.adopting.delete(callID);
      throw e;
    }
    const r = this.sync.book.get(callID);
    if (!r || !view.full) return;
    r.mine = true;
    await this.media.learnMedia(r, true);
    this.sync.book.touch(r);
  }

  /** GetCallInfo for every Call (and GetTelCPNameList): the model after a (re)subscription or lost events. */
  refresh(): Promise<void> {
    return this.sync.refresh();
  }

  /** GetCallInfo of one Call (C.18 F3, C.30 F19): full information when this control point is entitled to it. */
  refreshCall(callID: string): Promise<CallView> {
    return this.sync.refreshCall(callID);
  }

  // ------------------------------------------------------------------------------------------ flows

  /** An outgoing Call (3.1.1 / 3.2.1, C.12, C.19/C.20, C.30, C.34); resolves at Talking. */
  call(callee: string, o: CallOptions = {}): Promise<CallView> {
    return calls.call(this.flow, callee, o);
  }

  /** Accepts an incoming Call (3.1.2 / 3.2.2, C.21/C.22); resolves at Talking. */
  answer(callID: string, o: AnswerOptions = {}): Promise<CallView> {
    return calls.answer(this.flow, callID, o);
  }

  /** Rejects an incoming Call (C.14), or a modification the Remote Party asked for. */
  reject(callID: string, reason = 'Rejected'): Promise<CallView> {
    return calls.reject(this.flow, callID, reason);
  }

  /** Ends a Call (C.13, C.15); resolves at Disconnected. */
  hangup(callID: string): Promise<CallView> {
    return calls.hangup(this.flow, callID);
  }

  /** Modifies a Call (3.1.3, 3.2.3, C.23, C.25, C.27, C.28); resolves at Talking. */
  modify(callID: string, o: ModifyOptions = {}): Promise<ModifyResult> {
    return modifying.modify(this.flow, callID, o);
  }

  /** Accepts the Remote Party's modification (C.24, C.26). */
  acceptModify(callID: string, o: MediaOptions = {}): Promise<ModifyResult> {
    return modifying.acceptModify(this.flow, callID, o);
  }

  /** Rejects the Remote Party's modification; the Call goes on. */
  rejectModify(callID: string, reason = 'Rejected'): Promise<CallView> {
    return modifying.rejectModify(this.flow, callID, reason);
  }

  /** Hands a monopolised Call to another TelCPName (ChangeMonopolizer, C.33); this control point no longer manages it. */
  async handOver(callID: string, newMonopolizer: string): Promise<void> {
    const r = await this.sync.record(callID);
    const id = this.lease.identity;
    if (!id) throw usageError('only a registered TelCPName can hand a call over');
    await this.server.invoke(CallManagementAction.ChangeMonopolizer, { CurrentMonopolizer: id.name, SecretKey: id.secretKey, CallID: callID, NewMonopolizer: newMonopolizer }, callID);
    r.mine = false;
    this.adopting.delete(callID);
    this.sync.book.touch(r);
  }

  /** InitiateCall (C.29): the TS calls the callee with its own media; no TC and no StartMediaTransfer take part. */
  async initiateCall(callee: string): Promise<string> {
    const out = await this.server.invoke(CallManagementAction.InitiateCall, { CalleeID: callee });
    const callID = (out.CallID ?? '').trim();
    Object.assign(this.sync.book.ensure(callID, 'Dialing'), { mine: true, direction: 'outgoing' });
    return callID;
  }

  // ------------------------------------------------------------------------------------------ the rest of the service

  /** GetTelephonyIdentity (2.6.1): the TS's line identity (714 until it has one). */
  async telephonyIdentity(): Promise<string> {
    return (await this.server.invoke(CallManagementAction.GetTelephonyIdentity, {})).TelephonyIdentity ?? '';
  }

  /** GetCallInfo with this control point's identity: every Call (general elements where not entitled) or one. */
  async getCallInfo(callID = ''): Promise<CallInfo[]> {
    if (callID !== '') return [(await this.refreshCall(callID)).info];
    await this.refresh();
    return this.sync.book.all().filter((r) => !r.gone).map((r) => r.info);
  }

  /** GetCallLogs (2.6.17). */
  async callLogs(): Promise<CallLogs> {
    const out = await this.server.invoke(CallManagementAction.GetCallLogs, {});
    const parsed = parseCallLogs(out.CallLogs ?? '');
    if (!parsed.ok) throw new TelephonyError({ kind: 'transport', device: 'TS', action: CallManagementAction.GetCallLogs, sentence: `unreadable call logs: ${parsed.reason}` });
    return parsed.value;
  }

  /** ClearCallLogs (2.6.18). */
  async clearCallLogs(): Promise<void> {
    await this.server.invoke(CallManagementAction.ClearCallLogs, {});
  }

  /** RegisterCallBack (2.6.19): the TS watches the callee; 'callback-available' says when it can be called. */
  registerCallBack(callee: string): Promise<string> {
    return this.callbacks.register(callee);
  }

  /** GetCallBackInfo (2.6.21): the callbacks registered at the TS. */
  callBacks(): Promise<Array<{ callBackID: string; callee: string }>> {
    return this.callbacks.list();
  }

  /** ClearCallBack (2.6.20): one callback, or every one when no ID is given. */
  clearCallBack(callBackID = ''): Promise<void> {
    return this.callbacks.clear(callBackID);
  }
}
