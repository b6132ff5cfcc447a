/**
 * The flows that make and end Calls (3.1.1-3.1.2 / 3.2.1-3.2.2, C.12-C.15, C.19-C.22, C.30, C.34): call, answer,
 * reject, hang up.
 */
import { CallManagementAction } from '../../contracts/index.js';
import type { CallMode, CallView } from '../call-model.js';
import { TelephonyError, usageError } from '../errors.js';
import { disconnected } from './call-sync.js';
import type { FlowContext } from './context.js';
import { capabilityInfo, planAnswer, planCall } from './media-plan.js';
import { rejectModify } from './modify.js';
import { transferOptions } from './transfer-plan.js';
import type { AnswerOptions, CallOptions, MediaOptions } from './types.js';

/** A monopolised Call is managed by a TelCPName: without one, nobody could manage it. */
function requireName(ctx: FlowContext, mode: CallMode): void {
  if (mode === 'PHONE-TelCP' && !ctx.lease.name) throw usageError('a monopolised call needs a registered TelCPName');
}

function requireMedia(wants: readonly unknown[], o: MediaOptions, what: string): void {
  if (wants.length === 0 && !o.native) throw usageError(`choose Telephony Clients (clients) or the Telephony Server’s own media (native) ${what}`);
}

/**
 * An outgoing Call: the TCs' capabilities, the TS's, StartCall with what they have in common, and at Connected
 * the Media Sessions and StartMediaTransfer. Resolves at Talking; rejects with `call-ended` when the callee
 * refuses or the Call is cancelled.
 */
export async function call(ctx: FlowContext, callee: string, o: CallOptions = {}): Promise<CallView> {
  const mode = o.mode ?? 'Non-Monopolize';
  requireName(ctx, mode);
  if (o.signal?.aborted) throw new TelephonyError({ kind: 'call-ended', reason: 'Cancelled', sentence: 'the call was cancelled before it was placed' });
  const wants = ctx.media.resolveClients(o.clients);
  requireMedia(wants, o, 'for the call');
  // C.12 F1 (C.19 F1, F3): each TC's capabilities, then the TS's (F3/F5).
  const caps = await ctx.media.readCapabilities(new Map(), wants.map((w) => w.client));
  const ts = await ctx.media.tsCapabilities();
  const { plan, native, tcOffer, nativeOffer } = planCall({ wants, caps, ts, media: o.media, native: o.native });
  const out = await ctx.lease.cm(CallManagementAction.StartCall, {
    CalleeID: callee,
    CallPriority: o.priority ?? 'Normal',
    MediaCapabilityInfo: capabilityInfo(tcOffer, nativeOffer),
    CallMode: mode,
  });
  const callID = (out.CallID ?? '').trim();
  const r = ctx.sync.book.ensure(callID, 'Dialing');
  Object.assign(r, { mine: true, direction: 'outgoing', mode, native });
  const cancel = (): void => ctx.background(hangup(ctx, callID));
  o.signal?.addEventListener('abort', cancel, { once: true });
  try {
    if (o.signal?.aborted) cancel();
    await ctx.sync.waitStatus(r, 0, ['Connected', 'Talking'], o.connectTimeoutMs ?? 120_000);
    const connected = await ctx.sync.fullInfo(r);
    return await ctx.media.apply(r, plan, { ...transferOptions(o, plan, false), ...(native.length ? { native: connected.nativeMediaCapability?.content ?? nativeOffer! } : {}) });
  } catch (e) {
    // Not answered in time, or its media could not be set up: the call is ended rather than left half-made.
    if (!(e instanceof TelephonyError && e.kind === 'call-ended')) await hangup(ctx, callID).catch(() => undefined);
    throw e;
  } finally {
    o.signal?.removeEventListener('abort', cancel);
  }
}

/**
 * Accepts an incoming Call: the TCs' capabilities, AcceptCall with the part of the caller's offer they (or the
 * TS's native media) handle, then the Media Sessions and StartMediaTransfer.
 */
export async function answer(ctx: FlowContext, callID: string, o: AnswerOptions = {}): Promise<CallView> {
  const mode = o.mode ?? 'Non-Monopolize';
  requireName(ctx, mode);
  const r = await ctx.sync.record(callID);
  const info = await ctx.sync.fullInfo(r);
  const wants = ctx.media.resolveClients(o.clients);
  requireMedia(wants, o, 'to answer with');
  // C.21 F3, F5: each TC's capabilities.
  const caps = await ctx.media.readCapabilities(new Map(), wants.map((w) => w.client));
  const tsNative = info.nativeMediaCapability?.content;
  const { plan, native, tcOffer, nativeOffer } = planAnswer({ wants, caps, media: o.media, native: o.native, offer: info.mediaCapability?.content, tsNative });
  const mark = r.history.length;
  await ctx.lease.cm(CallManagementAction.AcceptCall, { TargetCallID: callID, MediaCapabilityInfo: capabilityInfo(tcOffer, nativeOffer), CallMode: mode }, callID);
  Object.assign(r, { mine: true, direction: 'incoming', mode, native });
  try {
    await ctx.sync.waitStatus(r, mark, ['Connected']);
    const connected = await ctx.sync.fullInfo(r);
    return await ctx.media.apply(r, plan, { ...transferOptions(o, plan, false), ...(native.length ? { native: connected.nativeMediaCapability?.content ?? nativeOffer! } : {}) });
  } catch (e) {
    // A call without its media is no use to anyone: end it rather than leave it Connected.
    if (!(e instanceof TelephonyError && e.kind === 'call-ended')) await hangup(ctx, callID).catch(() => undefined);
    throw e;
  }
}

/** Rejects an incoming Call (C.14): RejectCall with the reason (one naming "busy" makes the line answer busy). */
export async function reject(ctx: FlowContext, callID: string, reason = 'Rejected'): Promise<CallView> {
  const r = await ctx.sync.record(callID);
  if (r.info.callStatus === 'ReceivingModifyRequest') return rejectModify(ctx, callID, reason);
  const mark = r.history.length;
  await ctx.lease.cm(CallManagementAction.RejectCall, { TargetCallID: callID, RejectReason: reason }, callID);
  return ctx.sync.waitStatus(r, mark, [disconnected]);
}

/**
 * Ends a Call (C.13; before it is answered, a cancel: C.15): StopCall, then StopMediaSession on every TC of the
 * Call (2.6.8.4). Resolves at Disconnected.
 */
export async function hangup(ctx: FlowContext, callID: string): Promise<CallView> {
  const r = await ctx.sync.record(callID);
  const mark = r.history.length;
  const wasClosing = r.closing;
  r.closing = true;
  try {
    await ctx.lease.cm(CallManagementAction.StopCall, { CallID: callID }, callID);
  } catch (e) {
    r.closing = wasClosing;
    throw e;
  }
  await ctx.media.learnMedia(r, false);
  for (const b of [...r.media]) await ctx.media.stopBinding(r, b);
  return ctx.sync.waitStatus(r, mark, [disconnected]);
}
