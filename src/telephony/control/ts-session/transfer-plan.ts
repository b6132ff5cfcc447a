/**
 * How a Call's Media Sessions go from what they are to what a flow wants after Connected, Modified or
 * ModifyFailed (2.3.4.1, 2.6.13.4), and how StartMediaTransfer names them. Pure: media-orchestration carries it out.
 */
import type { MediaBinding } from '../call-model.js';
import { enabledTypes } from '../media-choice.js';
import type { Assignment, PlanClient } from './media-plan.js';

/** How a flow's StartMediaTransfers are made. */
export interface TransferOptions {
  /** One request per Media Session, one for all, or (auto) one for all when possible. */
  readonly transfer?: 'auto' | 'per-client' | 'combined';
  /** enableMediaMixing for every StartMediaTransfer; undefined leaves the TS's setting as it is. */
  readonly mixing?: boolean;
  /** nativeMediaCapability for the first StartMediaTransfer (TS-based media chosen or changed). */
  readonly native?: string;
  /** <shareMedia> for the StartMediaTransfer of the sessions started now (they get a request of their own). */
  readonly shareMedia?: string;
}

export interface TransferPlan<C extends PlanClient> {
  /** Sessions that lose every stream. */
  readonly removed: MediaBinding[];
  /** Of those, the ones another session takes over: stopped after the transfer, so the Remote Party hears no gap (C.27). */
  readonly replaced: MediaBinding[];
  /** Sessions that lose some streams: they follow the new home SDP (ModifyMediaSession). */
  readonly narrowed: Array<{ readonly binding: MediaBinding; readonly types: string[] }>;
  /** New sessions to start on the TS's home SDP (StartMediaSession). */
  readonly fresh: Assignment<C>[];
  /** One StartMediaTransfer for all sessions (else one per session). */
  readonly combined: boolean;
}

/**
 * The changes that bring `media` (the Call's sessions) to `desired`, given the Call's home SDP `home` (the TS's
 * side of the negotiated streams: only its types can be served).
 */
export function planTransfers<C extends PlanClient>(media: readonly MediaBinding[], desired: readonly Assignment<C>[], home: string | undefined, o: TransferOptions): TransferPlan<C> {
  const homeTypes = enabledTypes(home);
  const groups = desired.map((a) => ({ client: a.client, types: a.types.filter((t) => homeTypes.includes(t)) })).filter((a) => a.types.length > 0);
  const keptByClient = new Map<string, Set<string>>();
  const narrowed: Array<{ binding: MediaBinding; types: string[] }> = [];
  const removed: MediaBinding[] = [];
  const keptTypes: Array<readonly string[]> = [];
  for (const b of media) {
    const want = groups.filter((g) => g.client.udn === b.client).flatMap((g) => g.types);
    const already = keptByClient.get(b.client) ?? new Set<string>();
    // A session learnt from a TCList whose streams we do not know stays while its client is wanted.
    const keep = b.media.length === 0 ? (want.length ? want.filter((t) => !already.has(t)) : []) : b.media.filter((t) => want.includes(t) && !already.has(t));
    if (keep.length === 0) {
      removed.push(b);
      continue;
    }
    const narrows = b.media.length > 0 && keep.length < b.media.length;
    if (narrows) narrowed.push({ binding: b, types: keep });
    keptTypes.push(narrows ? keep : b.media);
    keptByClient.set(b.client, new Set([...already, ...keep]));
  }
  const fresh = groups.map((g) => ({ client: g.client, types: g.types.filter((t) => !keptByClient.get(g.client.udn)?.has(t)) })).filter((g) => g.types.length > 0);
  const replaced = removed.filter((b) => fresh.some((g) => g.types.some((t) => b.media.includes(t))));
  const slots = [...keptTypes, ...fresh.map((g) => g.types)];
  const all = slots.flat();
  const distinct = slots.every((s) => s.length === 1) && new Set(all).size === all.length;
  // One request for all only when each TC has an m-line of its own: the TS gives the i-th TC the i-th m-line.
  const combined = slots.length <= 1 || (distinct && o.transfer !== 'per-client' && o.shareMedia === undefined);
  return { removed, replaced, narrowed, fresh, combined };
}

/** Whether two clients serve the same media type (their media is mixed). */
export function sharesStream(plan: readonly Assignment[]): boolean {
  const types = plan.flatMap((a) => a.types);
  return types.length > new Set(types).size;
}

/** enableMediaMixing as asked; else on when the plan makes TCs share a stream that did not before (2.3.1). */
export function mixingFor(mixing: boolean | undefined, plan: readonly Assignment[], wasShared: boolean): { mixing?: boolean } {
  const m = mixing ?? (sharesStream(plan) && !wasShared ? true : undefined);
  return m !== undefined ? { mixing: m } : {};
}

/** The transfer options of a flow: its transfer mode, and shared media or else mixing. */
export function transferOptions(o: { readonly transfer?: TransferOptions['transfer']; readonly shareMedia?: string; readonly mixing?: boolean }, plan: readonly Assignment[], wasShared: boolean): TransferOptions {
  return { ...(o.transfer ? { transfer: o.transfer } : {}), ...(o.shareMedia !== undefined ? { shareMedia: o.shareMedia } : mixingFor(o.mixing, plan, wasShared)) };
}
