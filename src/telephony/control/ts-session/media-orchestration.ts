/**
 * The Media Sessions of a Call, carried out on the Telephony Clients and the TS: the capabilities a flow reads,
 * the sessions learnt from a Call's TCList, and after Connected, Modified or ModifyFailed the plan of
 * transfer-plan — sessions stopped, narrowed (ModifyMediaSession) or started (StartMediaSession) — then
 * StartMediaTransfer, waiting until each transfer was evented Talking.
 */
import { buildTCList, CallManagementAction, parseSupportedMediaCapabilityInfo } from '../../contracts/index.js';
import { viewOf, type CallRecord, type CallView, type MediaBinding } from '../call-model.js';
import type { TelephonyClient, TelephonyServer } from '../devices.js';
import { isFault, TelephonyError, usageError } from '../errors.js';
import { combineStreams } from '../../../media/sdp/index.js';
import { enabledTypes, partOf } from '../media-choice.js';
import type { CallSync } from './call-sync.js';
import type { CmInvoke } from './lease.js';
import { capabilityInfo, type Assignment, type TsCapabilities, type Want } from './media-plan.js';
import { planTransfers, type TransferOptions } from './transfer-plan.js';
import type { ClientChoice, ClientsOption, TsSessionHost } from './types.js';

/** GetMediaCapabilities answers a flow has read, by UDN: each Telephony Client is asked at most once in a flow. */
export type CapabilityCache = Map<string, string | undefined>;

export class MediaOrchestration {
  constructor(
    private readonly host: TsSessionHost,
    private readonly server: TelephonyServer,
    private readonly sync: CallSync,
    private readonly cm: CmInvoke,
  ) {}

  /** GetMediaCapabilities of these clients, in order, those not read yet. */
  async readCapabilities(cache: CapabilityCache, clients: readonly TelephonyClient[]): Promise<CapabilityCache> {
    for (const c of clients) if (!cache.has(c.udn)) cache.set(c.udn, await c.getMediaCapabilities());
    return cache;
  }

  /** GetMediaCapabilities of the TS (C.12 F3): its TC-based and native media. */
  async tsCapabilities(): Promise<TsCapabilities> {
    const out = await this.server.invoke(CallManagementAction.GetMediaCapabilities, { TCMediaCapabilityInfo: '' });
    const parsed = parseSupportedMediaCapabilityInfo(out.SupportedMediaCapabilityInfo ?? '');
    if (!parsed.ok) throw new TelephonyError({ kind: 'transport', device: 'TS', action: CallManagementAction.GetMediaCapabilities, sentence: `unreadable capabilities: ${parsed.reason}` });
    return { ...(parsed.value.mediaCapability ? { tc: parsed.value.mediaCapability.content } : {}), ...(parsed.value.nativeMediaCapability ? { native: parsed.value.nativeMediaCapability.content } : {}) };
  }

  resolveClients(option: ClientsOption | undefined): Array<Want<TelephonyClient>> {
    return (option ?? []).map((c) => {
      const choice: ClientChoice = typeof c === 'string' || !('client' in c) ? { client: c } : c;
      const client = this.host.client(choice.client);
      if (!client) throw usageError(`no Telephony Client ${JSON.stringify(typeof choice.client === 'string' ? choice.client : choice.client.udn)} is known`);
      return { client, ...(choice.media ? { explicit: [...choice.media] } : {}) };
    });
  }

  /** The clients bound to a Call now, in binding order, as unspecified choices. */
  currentClients(r: CallRecord): Array<Want<TelephonyClient>> {
    const out: Array<Want<TelephonyClient>> = [];
    for (const b of r.media) {
      const client = this.host.client(b.client);
      if (client && !out.some((o) => o.client === client)) out.push({ client });
    }
    return out;
  }

  /**
   * The Media Sessions a full CallInfo lists (TCList) that we did not start ourselves (a Call handed over, or
   * managed by an earlier run), described by the TCs' events — or, with `ask`, by GetMediaSessionInfo.
   */
  async learnMedia(r: CallRecord, ask: boolean): Promise<void> {
    for (const tc of r.info.tcList ?? []) {
      if (!tc.udn || !tc.mediaSessionID || r.media.some((b) => b.client === tc.udn && b.mediaSessionID === tc.mediaSessionID)) continue;
      const client = this.host.client(tc.udn);
      let known = client?.session(tc.mediaSessionID);
      if (!known && ask && client) known = (await client.getMediaSessionInfo(tc.mediaSessionID).catch(() => []))[0];
      const sdp = known?.mediaSessionStatus === 'Started' ? (known.mediaCapability?.content ?? '') : '';
      r.media.push({ client: tc.udn, mediaSessionID: tc.mediaSessionID, media: enabledTypes(sdp), sdp });
    }
  }

  /** Stops every Media Session of a Call ended by someone else (3.1.1 step 12). */
  async release(r: CallRecord): Promise<void> {
    r.closing = true;
    for (const b of [...r.media]) await this.stopBinding(r, b);
  }

  /**
   * Brings the Call's Media Sessions to `desired` and starts the media transfer (see planTransfers): removed
   * sessions that nothing replaces are stopped first (C.25), narrowed ones modified, new ones started, and
   * StartMediaTransfer names them; replaced sessions are stopped last (C.27). Resolves at Talking.
   */
  async apply(r: CallRecord, desired: readonly Assignment<TelephonyClient>[], o: TransferOptions): Promise<CallView> {
    const home = (await this.sync.fullInfo(r)).mediaCapability?.content;
    const p = planTransfers(r.media, desired, home, o);
    for (const b of p.removed) if (!p.replaced.includes(b)) await this.stopBinding(r, b);
    for (const n of p.narrowed) {
      const sdp = await this.clientOf(n.binding).modifyMediaSession(n.binding.mediaSessionID, partOf(home, n.types)!);
      r.media = r.media.map((b) => (b === n.binding ? { ...n.binding, media: n.types, sdp } : b));
      this.sync.book.touch(r);
    }
    const kept = r.media.filter((b) => !p.removed.includes(b));
    const started: MediaBinding[] = [];
    const start = async (a: Assignment<TelephonyClient>): Promise<MediaBinding> => {
      const s = await a.client.startMediaSession(partOf(home, a.types)!);
      const b: MediaBinding = { client: a.client.udn, mediaSessionID: s.id, media: a.types, sdp: s.sdp };
      r.media.push(b);
      started.push(b);
      this.sync.book.touch(r);
      return b;
    };
    const before = r.history.length;
    let mark = before;
    let transfers = 0;
    // Each request: its sessions (existing ones, then new ones started just before), the native media with the first.
    const send = async (bindings: readonly MediaBinding[], first: boolean): Promise<void> => {
      mark = r.history.length;
      transfers++;
      await this.transfer(r, bindings, first ? o.native : undefined, o.mixing, bindings.every((b) => started.includes(b)) ? o.shareMedia : undefined);
    };
    try {
      if (p.combined) {
        const bindings = [...kept];
        for (const a of p.fresh) bindings.push(await start(a));
        await send(bindings, true);
      } else {
        for (const b of kept) await send([b], transfers === 0);
        for (const a of p.fresh) await send([await start(a)], transfers === 0);
      }
    } catch (e) {
      // Nothing half-started stays open on the TCs.
      for (const b of started) await this.stopBinding(r, b).catch(() => undefined);
      throw e;
    }
    await this.sync.waitStatus(r, mark, ['Talking']);
    // The first transfer's Talking may arrive after the last transfer was sent and satisfy the wait above; each
    // StartMediaTransfer is evented Talking (C.21 F23), so the view returned waits (briefly) for all of them.
    await this.sync.untilSeen(r, before, 'Talking', transfers);
    for (const b of p.replaced) await this.stopBinding(r, b);
    return viewOf(r);
  }

  /** StartMediaTransfer (C.12 F29): these Media Sessions (and the TS's native media) carry the Call. */
  private async transfer(r: CallRecord, bindings: readonly MediaBinding[], native: string | undefined, mixing: boolean | undefined, shareMedia?: string): Promise<void> {
    const tcs = bindings.map((b) => ({ udn: b.client, mediaSessionID: b.mediaSessionID }));
    const tcSdp = combineStreams(bindings.map((b) => (b.sdp ? partOf(b.sdp, b.media.length ? b.media : enabledTypes(b.sdp)) : undefined)));
    const info = capabilityInfo(tcSdp, native, shareMedia === undefined ? mixing : undefined, shareMedia);
    await this.cm(CallManagementAction.StartMediaTransfer, { TargetCallID: r.callID, TCList: tcs.length ? buildTCList(tcs) : '', MediaCapabilityInfo: info }, r.callID);
  }

  private clientOf(b: MediaBinding): TelephonyClient {
    const client = this.host.client(b.client);
    if (!client) throw usageError(`the Telephony Client ${b.client} of the call is not known`);
    return client;
  }

  /**
   * StopMediaSession (C.13 F3, C.25 F7). A session the TS already ended (its RTCP BYE) still accepts this once;
   * a second stop (712) or a released session (703) means it is gone anyway.
   */
  async stopBinding(r: CallRecord, b: MediaBinding): Promise<void> {
    const client = this.host.client(b.client);
    r.media = r.media.filter((x) => x !== b);
    this.sync.book.touch(r);
    if (!client) return;
    try {
      await client.stopMediaSession(b.mediaSessionID);
    } catch (e) {
      if (!isFault(e, 703, 712)) throw e;
    }
  }
}
