/**
 * Which Telephony Clients serve which media types of a Call, and what SDP the control point sends the TS for it
 * (3.1 step 3, 2.6.7.4: "the subset of the Media Capabilities of the CallManagement service and that of the
 * TC(s)"): for an outgoing Call (StartCall), an answer (AcceptCall), a modification (ModifyCall) and the answer to
 * a remote one (AcceptModifyCall). Pure: the capabilities are read by the caller beforehand (capabilitiesNeeded
 * says whose), so that the actions go out in the spec's order and these decisions can be tested on their own.
 */
import { buildMediaCapabilityInfo } from '../../contracts/index.js';
import type { MediaBinding } from '../call-model.js';
import { usageError } from '../errors.js';
import { combineStreams } from '../../../media/sdp/index.js';
import { chooseStream, enabledTypes, partOf } from '../media-choice.js';

/** A Telephony Client as the plan sees it. */
export interface PlanClient {
  readonly udn: string;
  readonly friendlyName: string;
}

/** A client asked for, with the media types it was explicitly given (if any). */
export interface Want<C extends PlanClient = PlanClient> {
  readonly client: C;
  readonly explicit?: readonly string[];
}

/** A client and the media types it serves in a Call (a plan, before any Media Session exists). */
export interface Assignment<C extends PlanClient = PlanClient> {
  readonly client: C;
  readonly types: string[];
}

/** GetMediaCapabilities answers by UDN (undefined: the client has nothing). */
export type Capabilities = ReadonlyMap<string, string | undefined>;

/** The TS's capabilities (C.12 F3): for TC-based media, and its native media. */
export interface TsCapabilities {
  readonly tc?: string;
  readonly native?: string;
}

/** Media types each client serves now, by UDN. */
export type Current = ReadonlyMap<string, readonly string[]>;

/** Which media types each client serves in the Call now. */
export function boundTypes(media: readonly MediaBinding[]): Map<string, string[]> {
  const current = new Map<string, string[]>();
  for (const b of media) current.set(b.client, [...new Set([...(current.get(b.client) ?? []), ...b.media])]);
  return current;
}

/** Types nobody was explicitly given, and types the clients keep: what is open to a client without explicit types. */
function openTypes(wants: readonly Want[], target: readonly string[], current: Current): (w: Want) => string[] {
  const explicitTaken = new Set(wants.flatMap((w) => (w.explicit ?? []).filter((t) => target.includes(t))));
  const kept = new Set(wants.filter((w) => !w.explicit).flatMap((w) => (current.get(w.client.udn) ?? []).filter((t) => target.includes(t))));
  return (w) => ((current.get(w.client.udn) ?? []).length ? target.filter((t) => !explicitTaken.has(t) && !kept.has(t)) : target.filter((t) => !explicitTaken.has(t)));
}

/** The clients whose capabilities `assign` reads (those that may take an open type), in order. */
export function capabilitiesNeeded<C extends PlanClient>(wants: readonly Want<C>[], target: readonly string[], current: Current): C[] {
  const open = openTypes(wants, target, current);
  return wants.filter((w) => !w.explicit && open(w).length > 0).map((w) => w.client);
}

/**
 * Which client serves which media types. A client with explicit types takes those; a client already serving
 * the Call keeps what it serves and takes types nobody serves yet if it can; a new client takes every target
 * type it can that no client was explicitly given (so two audio TCs share the stream, mixed).
 */
export function assign<C extends PlanClient>(wants: readonly Want<C>[], target: readonly string[], current: Current, caps: Capabilities): Assignment<C>[] {
  const open = openTypes(wants, target, current);
  return wants.map((w) => {
    if (w.explicit) return { client: w.client, types: target.filter((t) => w.explicit!.includes(t)) };
    const cur = current.get(w.client.udn) ?? [];
    const free = open(w);
    const can = free.length ? enabledTypes(caps.get(w.client.udn)) : [];
    return { client: w.client, types: target.filter((t) => cur.includes(t) || (free.includes(t) && can.includes(t))) };
  });
}

/**
 * The assignments that serve something. A client the Call already has may end with nothing (it leaves the Call);
 * a client newly named that can serve nothing is a mistake worth saying.
 */
export function useful<C extends PlanClient>(plan: readonly Assignment<C>[], current: Current): Assignment<C>[] {
  for (const a of plan) {
    if (a.types.length === 0 && !current.has(a.client.udn)) throw usageError(`the Telephony Client ${a.client.friendlyName} handles none of the call's media`);
  }
  return plan.filter((a) => a.types.length > 0);
}

/** Every target type has a client. */
export function requireCovered(target: readonly string[], plan: readonly Assignment[]): void {
  for (const type of target) {
    if (!plan.some((a) => a.types.includes(type))) throw usageError(`none of the chosen Telephony Clients handles ${type}`);
  }
}

/** The native media types asked for: `true` = every target type the TS's native media has. */
export function nativeTypes(native: boolean | readonly string[] | undefined, target: readonly string[], available: readonly string[]): string[] {
  if (native === undefined || native === false) return [];
  const asked = native === true ? available : native;
  return target.filter((t) => asked.includes(t));
}

/** The TS-facing SDP of an offer: per target type, the stream of the (first) client serving it. */
export function offerStreams<C extends PlanClient>(target: readonly string[], plan: readonly Assignment<C>[], streamFor: (type: string, servers: Assignment<C>[]) => string | undefined): string | undefined {
  const streams: string[] = [];
  for (const type of target) {
    const servers = plan.filter((a) => a.types.includes(type));
    if (servers.length === 0) continue;
    const s = streamFor(type, servers);
    if (!s) throw usageError(`the chosen Telephony Clients and the Telephony Server have no ${type} codec in common`);
    streams.push(s);
  }
  return combineStreams(streams);
}

/** An offer stream of the first server's codecs that the TS (`tsTc`) and every other server also have (C.19 F7). */
function newStream(type: string, servers: readonly Assignment[], caps: Capabilities, tsTc: string | undefined): string | undefined {
  const base = caps.get(servers[0]!.client.udn) ?? '';
  return chooseStream(type, base, base, [tsTc ?? '', ...servers.slice(1).map((s) => caps.get(s.client.udn) ?? '')]);
}

export interface CallPlan<C extends PlanClient> {
  readonly plan: Assignment<C>[];
  /** Media types the TS handles itself. */
  readonly native: string[];
  /** The TC-based and TS-based parts of the MediaCapabilityInfo of StartCall (an offer) or AcceptCall (an answer). */
  readonly tcOffer?: string;
  readonly nativeOffer?: string;
}

/** An outgoing Call (C.12, C.19/C.20): who serves what, and StartCall's offer. */
export function planCall<C extends PlanClient>(p: {
  readonly wants: readonly Want<C>[];
  readonly media?: readonly string[];
  readonly native?: boolean | readonly string[];
  readonly caps: Capabilities;
  readonly ts: TsCapabilities;
}): CallPlan<C> {
  const target = [...(p.media ?? ['audio'])];
  const native = nativeTypes(p.native, target, enabledTypes(p.ts.native));
  const tcTarget = target.filter((t) => !native.includes(t));
  const plan = useful(assign(p.wants, tcTarget, new Map(), p.caps), new Map());
  requireCovered(tcTarget, plan);
  const tcOffer = offerStreams(tcTarget, plan, (type, servers) => newStream(type, servers, p.caps, p.ts.tc));
  const nativeOffer = native.length ? partOf(p.ts.native, native) : undefined;
  return { plan, native, tcOffer, nativeOffer };
}

/** An incoming Call (C.21/C.22): who serves which offered types, and AcceptCall's answer. */
export function planAnswer<C extends PlanClient>(p: {
  readonly wants: readonly Want<C>[];
  /** The caller's offer (the Call's mediaCapability) and the TS's native media for the Call. */
  readonly offer?: string;
  readonly tsNative?: string;
  readonly media?: readonly string[];
  readonly native?: boolean | readonly string[];
  readonly caps: Capabilities;
}): CallPlan<C> {
  const offered = enabledTypes(p.offer);
  const target = p.media ? offered.filter((t) => p.media!.includes(t)) : offered;
  const native = nativeTypes(p.native, target, enabledTypes(p.tsNative));
  const tcTarget = target.filter((t) => !native.includes(t));
  const plan = useful(assign(p.wants, tcTarget, new Map(), p.caps), new Map());
  const served = tcTarget.filter((t) => plan.some((a) => a.types.includes(t)));
  if (served.length === 0 && native.length === 0) throw usageError('the chosen Telephony Clients handle none of the offered media');
  const tcOffer = offerStreams(served, plan, (type, servers) => {
    const base = p.caps.get(servers[0]!.client.udn) ?? '';
    return chooseStream(type, base, p.offer ?? '', servers.map((s) => p.caps.get(s.client.udn) ?? ''));
  });
  const nativeOffer = native.length ? partOf(p.tsNative, native) : undefined;
  return { plan, native, tcOffer, nativeOffer };
}

/** The session whose negotiated stream of `type` is kept: a server of the type that already serves it. */
export function keptBinding(type: string, servers: readonly Assignment[], current: Current, media: readonly MediaBinding[]): MediaBinding | undefined {
  const keeper = servers.find((s) => (current.get(s.client.udn) ?? []).includes(type));
  return keeper && media.find((b) => b.client === keeper.client.udn && b.media.includes(type) && b.sdp);
}

/** Clients that take a stream they do not serve yet: ModifyCall needs their capabilities and the TS's (C.23 F1/F3). */
export function takingNewStreams<C extends PlanClient>(plan: readonly Assignment<C>[], current: Current): C[] {
  return plan.filter((a) => a.types.some((t) => !(current.get(a.client.udn) ?? []).includes(t))).map((a) => a.client);
}

/**
 * ModifyCall's offer (C.23, C.27): kept streams as negotiated, new ones as the TC and TS have them in common; the
 * TS-based part as the Call has it, or the TS's capabilities when native media changes.
 */
export function modifyOffer(p: {
  readonly tcTarget: readonly string[];
  readonly plan: readonly Assignment[];
  readonly current: Current;
  readonly media: readonly MediaBinding[];
  readonly caps: Capabilities;
  readonly ts?: TsCapabilities;
  readonly native: readonly string[];
  readonly nativeChanged: boolean;
  /** The Call's nativeMediaCapability now. */
  readonly callNative?: string;
}): { tcOffer?: string; nativeOffer?: string } {
  const tcOffer = offerStreams(p.tcTarget, p.plan, (type, servers) => {
    const binding = keptBinding(type, servers, p.current, p.media);
    return binding ? partOf(binding.sdp, [type]) : newStream(type, servers, p.caps, p.ts?.tc);
  });
  const nativeOffer = p.native.length ? partOf(p.nativeChanged ? p.ts?.native : (p.callNative ?? p.ts?.native), p.native) : undefined;
  if (!tcOffer && !nativeOffer) throw usageError('the modified call would have no media');
  return { tcOffer, nativeOffer };
}

/**
 * AcceptModifyCall's answer (C.24, C.26): per served type, the kept session's codecs that the offer has, else the
 * first server's. `caps` holds the capabilities of the servers whose kept session gives nothing (answerNeeds).
 */
export function modifyAnswer(served: readonly string[], plan: readonly Assignment[], current: Current, media: readonly MediaBinding[], offer: string, caps: Capabilities): string | undefined {
  const streams: string[] = [];
  for (const type of served) {
    const servers = plan.filter((a) => a.types.includes(type));
    let stream = keptStream(type, servers, current, media, offer);
    if (!stream) {
      const base = caps.get(servers[0]!.client.udn) ?? '';
      stream = chooseStream(type, base, offer, [base]);
    }
    if (stream) streams.push(stream);
  }
  return combineStreams(streams);
}

/** The clients whose capabilities modifyAnswer reads: the first server of each type that no kept session answers. */
export function answerNeeds<C extends PlanClient>(served: readonly string[], plan: readonly Assignment<C>[], current: Current, media: readonly MediaBinding[], offer: string): C[] {
  const out: C[] = [];
  for (const type of served) {
    const servers = plan.filter((a) => a.types.includes(type));
    if (!keptStream(type, servers, current, media, offer) && !out.includes(servers[0]!.client)) out.push(servers[0]!.client);
  }
  return out;
}

function keptStream(type: string, servers: readonly Assignment[], current: Current, media: readonly MediaBinding[], offer: string): string | undefined {
  const binding = keptBinding(type, servers, current, media);
  return binding ? chooseStream(type, binding.sdp, offer, [binding.sdp]) : undefined;
}

/** A MediaCapabilityInfo argument: TC-based streams, TS-based ones, enableMediaMixing or shareMedia — each only when given. */
export function capabilityInfo(tc: string | undefined, native: string | undefined, mixing?: boolean, shareMedia?: string): string {
  return buildMediaCapabilityInfo({
    ...(mixing !== undefined ? { enableMediaMixing: mixing } : {}),
    ...(shareMedia !== undefined ? { shareMedia } : {}),
    ...(tc ? { mediaCapability: { format: 'SDP', content: tc } } : {}),
    ...(native ? { nativeMediaCapability: { format: 'SDP', content: native } } : {}),
  });
}
