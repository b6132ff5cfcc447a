/**
 * The flows that change a Call's media (3.1.3, 3.2.3, C.23-C.28): modify it (add or remove a TC, change TC, add
 * or drop video, switch mixing), accept or reject the Remote Party's modification, and after ModifyFailed the
 * StartMediaTransfer with the Call as it was (2.6.11.4 / 2.6.12.4).
 */
import { CallManagementAction } from '../../contracts/index.js';
import type { CallRecord, CallView } from '../call-model.js';
import type { TelephonyClient } from '../devices.js';
import { enabledTypes, partOf } from '../media-choice.js';
import type { FlowContext } from './context.js';
import {
  answerNeeds,
  assign,
  boundTypes,
  capabilitiesNeeded,
  capabilityInfo,
  modifyAnswer,
  modifyOffer,
  nativeTypes,
  requireCovered,
  takingNewStreams,
  useful,
  type Assignment,
  type Current,
  type TsCapabilities,
  type Want,
} from './media-plan.js';
import type { CapabilityCache } from './media-orchestration.js';
import { mixingFor, sharesStream, transferOptions } from './transfer-plan.js';
import type { MediaOptions, ModifyOptions, ModifyResult } from './types.js';

/** The clients asked for, else the Call's own. */
function wanted(ctx: FlowContext, r: CallRecord, o: MediaOptions): Array<Want<TelephonyClient>> {
  return o.clients ? ctx.media.resolveClients(o.clients) : ctx.media.currentClients(r);
}

/** Who serves what after the change, the capabilities read where the choice needs them. */
async function replan(ctx: FlowContext, wants: readonly Want<TelephonyClient>[], tcTarget: readonly string[], current: Current, caps: CapabilityCache): Promise<Assignment<TelephonyClient>[]> {
  await ctx.media.readCapabilities(caps, capabilitiesNeeded(wants, tcTarget, current));
  return useful(assign(wants, tcTarget, current, caps), current);
}

/** Whether the Call's clients shared a stream before the change. */
function wasShared(ctx: FlowContext, r: CallRecord, current: Current): boolean {
  return sharesStream(ctx.media.currentClients(r).map(({ client }) => ({ client, types: [...(current.get(client.udn) ?? [])] })));
}

/**
 * Modifies a Call. Capabilities are asked only of clients that take new streams (and then of the TS); ModifyCall
 * offers the kept streams as negotiated and the new ones as the TC and TS have them in common. At Modified the
 * Media Sessions follow and StartMediaTransfer runs; at ModifyFailed StartMediaTransfer runs with the Call as it
 * was. Resolves at Talking.
 */
export async function modify(ctx: FlowContext, callID: string, o: ModifyOptions = {}): Promise<ModifyResult> {
  const r = await ctx.sync.record(callID);
  // A Call handed to us or seen from afar: its TCList tells which sessions it has.
  if (!r.mine) await ctx.sync.fullInfo(r);
  await ctx.media.learnMedia(r, true);
  const current = boundTypes(r.media);
  const now = [...new Set([...r.media.flatMap((b) => b.media), ...r.native])];
  const target = [...(o.media ?? (now.length ? now : enabledTypes(r.info.mediaCapability?.content)))];
  const wants = wanted(ctx, r, o);
  let ts: TsCapabilities | undefined;
  const tsCaps = async (): Promise<TsCapabilities> => (ts ??= await ctx.media.tsCapabilities());
  const native = o.native === undefined ? r.native.filter((t) => target.includes(t)) : nativeTypes(o.native, target, enabledTypes((await tsCaps()).native));
  const tcTarget = target.filter((t) => !native.includes(t));
  const caps: CapabilityCache = new Map();
  const plan = await replan(ctx, wants, tcTarget, current, caps);
  requireCovered(tcTarget, plan);
  // C.23 F1/F3, C.27 F1/F3: a client taking a new stream needs its capabilities, and the TS's to match them.
  const taking = takingNewStreams(plan, current);
  await ctx.media.readCapabilities(caps, taking);
  const nativeChanged = native.join() !== r.native.join();
  if (taking.length > 0 || nativeChanged) await tsCaps();
  const { tcOffer, nativeOffer } = modifyOffer({ tcTarget, plan, current, media: r.media, caps, ts, native, nativeChanged, callNative: r.info.nativeMediaCapability?.content });
  const mark = r.history.length;
  await ctx.lease.cm(CallManagementAction.ModifyCall, { TargetCallID: callID, MediaCapabilityInfo: capabilityInfo(tcOffer, nativeOffer, o.enableMediaMixing) }, callID);
  const outcome = await ctx.sync.waitStatus(r, mark, ['Modified', 'ModifyFailed']);
  const shared = wasShared(ctx, r, current);
  if (!outcome.history.slice(mark).includes('Modified')) return afterModifyFailed(ctx, r);
  r.native = native;
  // Mixing as asked; else switched on when TCs come to share a stream (2.3.1 figure 5), else left as it is.
  const call = await ctx.media.apply(r, plan, {
    ...transferOptions({ ...o, mixing: o.mixing ?? o.enableMediaMixing }, plan, shared),
    ...(nativeChanged && nativeOffer ? { native: nativeOffer } : {}),
  });
  return { accepted: true, call };
}

/**
 * Accepts the Remote Party's modification (C.24, C.26): the offered streams that the Call's TCs (or `clients`)
 * handle, AcceptModifyCall, then at Modified the Media Sessions follow and StartMediaTransfer runs.
 */
export async function acceptModify(ctx: FlowContext, callID: string, o: MediaOptions = {}): Promise<ModifyResult> {
  const r = await ctx.sync.record(callID);
  const info = await ctx.sync.fullInfo(r);
  await ctx.media.learnMedia(r, true);
  const offer = info.mediaCapability?.content ?? '';
  const offered = enabledTypes(offer);
  const target = o.media ? offered.filter((t) => o.media!.includes(t)) : offered;
  const native = r.native.filter((t) => target.includes(t));
  const tcTarget = target.filter((t) => !native.includes(t));
  const current = boundTypes(r.media);
  const caps: CapabilityCache = new Map();
  const plan = await replan(ctx, wanted(ctx, r, o), tcTarget, current, caps);
  const served = tcTarget.filter((t) => plan.some((a) => a.types.includes(t)));
  await ctx.media.readCapabilities(caps, answerNeeds(served, plan, current, r.media, offer));
  const tcAnswer = modifyAnswer(served, plan, current, r.media, offer, caps);
  const nativeAnswer = native.length ? partOf(info.nativeMediaCapability?.content, native) : undefined;
  const mark = r.history.length;
  // The TS reads one of the two in AcceptModifyCall: TC-based streams, else TS-based ones.
  await ctx.lease.cm(CallManagementAction.AcceptModifyCall, { TargetCallID: callID, MediaCapabilityInfo: capabilityInfo(tcAnswer, tcAnswer ? undefined : nativeAnswer) }, callID);
  const outcome = await ctx.sync.waitStatus(r, mark, ['Modified', 'ModifyFailed']);
  if (!outcome.history.slice(mark).includes('Modified')) return afterModifyFailed(ctx, r);
  const shared = wasShared(ctx, r, current);
  const accepted = plan.map((a) => ({ client: a.client, types: a.types.filter((t) => served.includes(t)) }));
  const call = await ctx.media.apply(r, accepted, { ...(o.transfer ? { transfer: o.transfer } : {}), ...mixingFor(o.mixing, accepted, shared) });
  return { accepted: true, call };
}

/** Rejects the Remote Party's modification (RejectCall while ReceivingModifyRequest, 2.7.1.4-3); the Call goes on. */
export async function rejectModify(ctx: FlowContext, callID: string, reason = 'Rejected'): Promise<CallView> {
  const r = await ctx.sync.record(callID);
  const mark = r.history.length;
  await ctx.lease.cm(CallManagementAction.RejectCall, { TargetCallID: callID, RejectReason: reason }, callID);
  await ctx.sync.waitStatus(r, mark, ['ModifyFailed']);
  return (await afterModifyFailed(ctx, r)).call;
}

/** 2.6.11.4 / 2.6.12.4: after ModifyFailed the TelCP invokes StartMediaTransfer with the Call as it was. */
async function afterModifyFailed(ctx: FlowContext, r: CallRecord): Promise<ModifyResult> {
  const reason = r.info.reason;
  const unchanged = ctx.media.currentClients(r).map(({ client }) => ({ client, types: [...new Set(r.media.filter((b) => b.client === client.udn).flatMap((b) => b.media))] }));
  const call = await ctx.media.apply(r, unchanged, {});
  return { accepted: false, ...(reason ? { reason } : {}), call };
}
