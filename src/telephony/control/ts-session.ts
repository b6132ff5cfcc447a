/**
 * A control point's session with one Telephony Server: its TelCPName (registered at start, renewed before it
 * expires, 2.6.2.4), its subscription to CallManagement's evented variables (CallInfo, TelCPNameList,
 * CallBackAvailability), a model of the Calls kept in step with the events and read again with GetCallInfo
 * after every (re)subscription, and the high-level operations that run the spec's flows (section 3 and
 * Appendix C): call, answer, reject, hang up, modify, accept or reject a remote modification, hand over a
 * monopolised Call, initiate a Call, call logs and callbacks.
 *
 * Every CallManagement action carries this control point's TelCPName and SecretKey (the spec allows empty ones
 * for Non-Monopolize Calls; sending them is always right and needed for monopolised and targeted Calls).
 */
import { EventEmitter } from 'node:events';
import type { TimerHandle } from '../../base/clock.js';
import { systemClock } from '../../base/clock.js';
import type { Logger } from '../../base/logger.js';
import type { EventSubscription, UpnpValue } from '../../upnp/index.js';
import type { CallInfo, CallLogs, CallStatus, Priority } from '../contracts/call-management/cams-types.js';
import {
  buildMediaCapabilityInfo,
  buildTCList,
  parseCallBackAvailability,
  parseCallBackInfoList,
  parseCallInfo,
  parseCallInfoList,
  parseCallLogs,
  parseSupportedMediaCapabilityInfo,
  parseTelCPNameList,
} from '../contracts/call-management/cams-xml.js';
import { CallBook, viewOf, type CallChange, type CallMode, type CallRecord, type CallView, type MediaBinding } from './call-model.js';
import type { TelephonyClient, TelephonyServer } from './devices.js';
import { isFault, TelephonyError } from './errors.js';
import { chooseStream, combineStreams, enabledTypes, partOf } from './media-choice.js';
import type { TelephonyControlPoint } from './telephony-control-point.js';

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

/** A registered TelCPName and the SecretKey that proves it. */
export interface TelCPIdentity {
  readonly name: string;
  readonly secretKey: string;
}

/** The identity arguments every CallManagement action that manages a Call carries. */
interface Credentials {
  readonly TelCPName: string;
  readonly SecretKey: string;
}

/** A client and the media types it serves in a Call (a plan, before any Media Session exists). */
interface Assignment {
  readonly client: TelephonyClient;
  readonly types: string[];
}

/** One StartMediaTransfer slot: a session that exists, or one to start first. */
type Slot = { readonly binding: MediaBinding } | { readonly start: Assignment };

interface ApplyOptions {
  readonly transfer?: MediaOptions['transfer'];
  /** enableMediaMixing for every StartMediaTransfer; undefined leaves the TS's setting as it is. */
  readonly mixing?: boolean;
  /** nativeMediaCapability for the first StartMediaTransfer (TS-based media chosen or changed). */
  readonly native?: string;
  /** <shareMedia> for the StartMediaTransfer of the sessions started now (they get a request of their own). */
  readonly shareMedia?: string;
}

const disconnected: CallStatus = 'Disconnected';

export class TsSession extends EventEmitter<TsSessionEvents> {
  private readonly book = new CallBook();
  private readonly logger: Logger;
  private readonly eventTimeoutMs: number;
  private baseName?: string;
  private name?: string;
  private key?: string;
  private renewTimer?: TimerHandle;
  private renewing?: Promise<void>;
  private subscription?: EventSubscription;
  private names: string[] = [];
  private readonly callees = new Map<string, string>();
  private readonly adopting = new Set<string>();
  private closed = false;

  constructor(
    private readonly tcp: TelephonyControlPoint,
    readonly server: TelephonyServer,
    private readonly opts: TsSessionOptions,
    private readonly onClose: () => void,
  ) {
    super();
    this.logger = tcp.logger.child('telcp');
    this.eventTimeoutMs = opts.eventTimeoutMs ?? 10_000;
    this.book.on('change', (c) => this.changed(c));
  }

  /** The TelCPName this session registered (it may differ from the one asked for, name-2 …). */
  get telCPName(): string | undefined {
    return this.name;
  }

  /** The registration now (its key changes at every renewal): what a short-lived TelCP keeps for its next run. */
  get identity(): TelCPIdentity | undefined {
    return this.name !== undefined && this.key !== undefined ? { name: this.name, secretKey: this.key } : undefined;
  }

  /** The TelCPNames registered at the TS, as last evented or read. */
  telCPNames(): readonly string[] {
    return this.names;
  }

  /** Every Call the session knows, as snapshots. */
  calls(): CallView[] {
    return this.book.all().map(viewOf);
  }

  getCall(callID: string): CallView | undefined {
    const r = this.book.get(callID);
    return r && viewOf(r);
  }

  // ------------------------------------------------------------------------------------------ lifecycle

  /** @internal TelephonyControlPoint.openSession: register, subscribe, read the Calls. */
  async start(): Promise<void> {
    const kept = this.opts.identity;
    const name = this.opts.name ?? kept?.name;
    if (name !== undefined) {
      this.baseName = name;
      if (kept && kept.name === name) {
        this.name = kept.name;
        this.key = kept.secretKey;
        await this.renew();
      } else {
        await this.register(name);
      }
    }
    const sub = await this.tcp.controlPoint.subscribe(this.server.service);
    this.subscription = sub;
    sub.on('event', (vars, seq) => this.onEvent(vars, seq));
    // A new SID (a resubscription after the TS restarted or refused a renewal) or lost events: read everything again.
    sub.on('subscribed', () => void this.background(this.resubscribed()));
    sub.on('missed', () => void this.background(this.refresh()));
    await this.refresh();
  }

  /** Stops renewing and following the TS; unregisters the TelCPName unless `unregister: false`. */
  async close(o: { unregister?: boolean } = {}): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    this.renewTimer?.cancel();
    await this.subscription?.close();
    if ((o.unregister ?? true) && this.name && this.key) {
      // 712 while the name monopolises a Call: the registration then lapses by itself.
      await this.server.invoke('UnregisterTelCPName', { TelCPName: this.name, SecretKey: this.key }).catch(() => undefined);
    }
    this.onClose();
  }

  /** The first subscription happened in start(); every later one follows a restart or a refused renewal. */
  private async resubscribed(): Promise<void> {
    // The TS may have restarted: make sure the name still holds (renewal registers afresh if it lapsed).
    if (this.name) await this.renew();
    await this.refresh();
  }

  private async background(p: Promise<unknown>): Promise<void> {
    try {
      await p;
    } catch (e) {
      if (this.closed) return;
      this.logger.warn('background step failed', { error: e instanceof Error ? e.message : String(e) });
      this.emit('warning', e instanceof Error ? e : new Error(String(e)));
    }
  }

  // ------------------------------------------------------------------------------------------ TelCPName

  private credentials(): Credentials {
    return { TelCPName: this.name ?? '', SecretKey: this.key ?? '' };
  }

  /** RegisterTelCPName (C.1); on 702 (C.2) the next free name-N, unless told to fail. */
  private async register(desired: string): Promise<void> {
    const attempts = this.opts.onNameTaken === 'fail' ? 1 : 20;
    for (let i = 1; ; i++) {
      const candidate = i === 1 ? desired : `${desired}-${i}`;
      try {
        const out = await this.server.invoke('RegisterTelCPName', { TelCPName: candidate, CurrentSecretKey: '' });
        this.registered(candidate, out);
        return;
      } catch (e) {
        if (!isFault(e, 702) || i >= attempts) throw e;
      }
    }
  }

  private registered(name: string, out: Record<string, UpnpValue>): void {
    this.name = name;
    this.key = String(out.NewSecretKey ?? '');
    const expires = Number(out.Expires);
    this.logger.info('telcp name registered', { name, expires });
    this.emit('registered', { name, expires });
    this.scheduleRenewal(Number.isFinite(expires) && expires > 0 ? expires : 300);
  }

  /** 2.6.2.4: renew before Expires; half-way leaves room for a lost request and a retry. */
  private scheduleRenewal(expiresSec: number, retry = false): void {
    this.renewTimer?.cancel();
    if (this.closed) return;
    const ms = retry ? Math.min(5_000, expiresSec * 250) : Math.max(1, expiresSec / 2) * 1000;
    this.renewTimer = systemClock.setTimer(ms, () => void this.background(this.renew()));
  }

  /** RegisterTelCPName with the current key (C.3); a lapsed or taken name is registered afresh. */
  private renew(): Promise<void> {
    this.renewing ??= (async () => {
      const name = this.name;
      if (!name || this.closed) return;
      try {
        const out = await this.server.invoke('RegisterTelCPName', { TelCPName: name, CurrentSecretKey: this.key ?? '' });
        this.registered(name, out);
      } catch (e) {
        if (isFault(e, 701, 702)) {
          await this.register(this.baseName ?? name);
          return;
        }
        this.scheduleRenewal(60, true);
        throw e;
      }
    })().finally(() => {
      this.renewing = undefined;
    });
    return this.renewing;
  }

  /**
   * A CallManagement action with this session's identity. A 701 that crossed a renewal (the key changed while the
   * request was under way) is sent once more with the new key.
   */
  private async cm(action: string, args: (id: Credentials) => Record<string, string>, callID?: string): Promise<Record<string, UpnpValue>> {
    const key = this.key;
    try {
      return await this.server.invoke(action, args(this.credentials()), callID);
    } catch (e) {
      if (!isFault(e, 701) || !this.name) throw e;
      await this.renewing;
      if (this.key === key) throw e;
      return this.server.invoke(action, args(this.credentials()), callID);
    }
  }

  // ------------------------------------------------------------------------------------------ events and model

  private onEvent(vars: Map<string, UpnpValue>, seq: number): void {
    const ci = vars.get('CallInfo');
    // The initial event (SEQ 0) repeats the last CallInfo evented, of whatever Call: refresh() reads them all instead.
    if (typeof ci === 'string' && ci.trim() !== '' && seq !== 0) {
      const parsed = parseCallInfo(ci);
      if (parsed.ok) this.book.apply(parsed.value, 'event');
      else this.logger.warn('unreadable CallInfo event', { reason: parsed.reason });
    }
    const names = vars.get('TelCPNameList');
    if (typeof names === 'string') this.setNames(names);
    const available = vars.get('CallBackAvailability');
    if (typeof available === 'string' && available.trim() !== '' && seq !== 0) void this.background(this.callBacksAvailable(available));
  }

  private setNames(text: string): void {
    const parsed = parseTelCPNameList(text);
    if (!parsed.ok) return;
    const same = parsed.value.length === this.names.length && parsed.value.every((n, i) => n === this.names[i]);
    this.names = parsed.value;
    if (!same) this.emit('telcp-names', this.names);
  }

  private changed(c: CallChange): void {
    const v = c.view;
    this.emit('call', c);
    if (c.previous === undefined && v.status === 'Ringing') this.emit('incoming', v);
    if (v.status === 'ReceivingModifyRequest' && c.previous !== 'ReceivingModifyRequest') this.emit('modify-request', v);
    if (v.ended && c.previous !== undefined && c.previous !== disconnected) {
      this.emit('call-ended', v);
      // Ended by the Remote Party or another control point: our Media Sessions of the Call go too (3.1.1 step 12).
      const r = this.book.get(v.callID);
      if (r && r.mine && !r.closing && r.media.length > 0) void this.background(this.release(r));
    }
    // A monopolised Call handed to us (C.33): read its full information, so that we can manage it.
    if (c.fromTs && this.adoptable(v) && !this.adopting.has(v.callID)) {
      this.adopting.add(v.callID);
      // A moment later: our own StartCall/AcceptCall may still be about to mark the Call as ours.
      setTimeout(() => void this.background(this.adopt(v.callID)), 50).unref();
    }
  }

  /** A Call this control point does not manage (yet) whose general view names it as the one that may. */
  private adoptable(v: CallView): boolean {
    return !v.full && !v.mine && !v.ended && v.status !== 'Ringing' && this.name !== undefined && v.targetNames !== '*' && v.targetNames.includes(this.name);
  }

  private async adopt(callID: string): Promise<void> {
    const before = this.book.get(callID);
    if (!before || this.closed || !this.adoptable(viewOf(before))) {
      this.adopting.delete(callID);
      return;
    }
    let view: CallView;
    try {
      view = await this.refreshCall(callID);
    } catch (e) {
      // Handed on again meanwhile (713), or gone: a later event may name us once more.
      this.adopting.delete(callID);
      throw e;
    }
    const r = this.book.get(callID);
    if (!r || !view.full) return;
    r.mine = true;
    await this.learnMedia(r, true);
    this.book.touch(r);
  }

  /**
   * The Media Sessions a full CallInfo lists (TCList) that we did not start ourselves (a Call handed over, or
   * managed by an earlier run), described by the TCs' events — or, with `ask`, by GetMediaSessionInfo.
   */
  private async learnMedia(r: CallRecord, ask: boolean): Promise<void> {
    for (const tc of r.info.tcList ?? []) {
      if (!tc.udn || !tc.mediaSessionID || r.media.some((b) => b.client === tc.udn && b.mediaSessionID === tc.mediaSessionID)) continue;
      const client = this.tcp.client(tc.udn);
      let known = client?.session(tc.mediaSessionID);
      if (!known && ask && client) known = (await client.getMediaSessionInfo(tc.mediaSessionID).catch(() => []))[0];
      const sdp = known?.mediaSessionStatus === 'Started' ? (known.mediaCapability?.content ?? '') : '';
      r.media.push({ client: tc.udn, mediaSessionID: tc.mediaSessionID, media: enabledTypes(sdp), sdp });
    }
  }

  private async release(r: CallRecord): Promise<void> {
    r.closing = true;
    for (const b of [...r.media]) await this.stopBinding(r, b);
  }

  /** GetCallInfo for every Call (and GetTelCPNameList): the model after a (re)subscription or lost events. */
  async refresh(): Promise<void> {
    const before = new Map(this.book.all().map((r) => [r.callID, r.eventCount]));
    const out = await this.cm('GetCallInfo', (id) => ({ ...id, TargetCallID: '' }));
    const list = parseCallInfoList(String(out.CallInfoList ?? ''));
    if (!list.ok) throw new TelephonyError({ kind: 'transport', device: 'TS', action: 'GetCallInfo', sentence: `unreadable CallInfoList: ${list.reason}` });
    const listed = new Set(list.value.map((c) => c.callID));
    for (const info of list.value) this.book.apply(info, 'query', before.get(info.callID));
    for (const [callID, count] of before) {
      const r = this.book.get(callID);
      if (r && !listed.has(callID) && r.eventCount === count) this.book.markGone(callID);
    }
    const names = await this.server.invoke('GetTelCPNameList');
    this.setNames(String(names.TelCPNameList ?? ''));
  }

  /** GetCallInfo of one Call (C.18 F3, C.30 F19): full information when this control point is entitled to it. */
  async refreshCall(callID: string): Promise<CallView> {
    await this.queryCall(callID);
    return viewOf(this.book.get(callID)!);
  }

  /** GetCallInfo of one Call, applied to the model; the information as read (undefined when the TS released it). */
  private async queryCall(callID: string): Promise<CallInfo | undefined> {
    const before = this.book.get(callID)?.eventCount;
    let out: Record<string, UpnpValue>;
    try {
      out = await this.cm('GetCallInfo', (id) => ({ ...id, TargetCallID: callID }), callID);
    } catch (e) {
      if (isFault(e, 703) && this.book.get(callID)) {
        this.book.markGone(callID);
        return undefined;
      }
      throw e;
    }
    const list = parseCallInfoList(String(out.CallInfoList ?? ''));
    const info = list.ok ? list.value.find((c) => c.callID === callID) : undefined;
    if (!info) throw new TelephonyError({ kind: 'transport', device: 'TS', action: 'GetCallInfo', callID, sentence: 'the Telephony Server did not describe the call' });
    this.book.apply(info, 'query', before);
    return info;
  }

  /** The Call's record, read from the TS when we have not seen it yet. */
  private async record(callID: string): Promise<CallRecord> {
    if (!this.book.get(callID)) await this.refreshCall(callID);
    return this.book.get(callID)!;
  }

  /**
   * The Call's full information; GetCallInfo when the latest we have is a general view (monopolised Calls, C.30
   * F19). What the query read is used even when an event overtook it (the model then keeps the event's status).
   */
  private async fullInfo(r: CallRecord): Promise<CallInfo> {
    if (r.full) return r.info;
    return (await this.queryCall(r.callID)) ?? r.info;
  }

  /**
   * Resolves when a status of `wanted` is seen at or after history position `from`; rejects with `call-ended`
   * when the Call is Disconnected instead. When nothing comes for `timeoutMs`, the Call is read with GetCallInfo
   * once before giving up.
   */
  private async waitStatus(r: CallRecord, from: number, wanted: readonly CallStatus[], timeoutMs = this.eventTimeoutMs): Promise<CallView> {
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
    const outcome = await new Promise<CallView | TelephonyError | undefined>((resolve) => {
      const done = (v: CallView | TelephonyError | undefined): void => {
        clearTimeout(timer);
        this.book.off('change', onChange);
        resolve(v);
      };
      const onChange = (c: CallChange): void => {
        if (c.view.callID !== r.callID) return;
        const v = check();
        if (v) done(v);
      };
      const timer = setTimeout(() => done(undefined), timeoutMs);
      this.book.on('change', onChange);
    });
    if (outcome) return settled(outcome);
    await this.refreshCall(r.callID).catch(() => undefined);
    const late = check();
    if (late) return settled(late);
    throw new TelephonyError({ kind: 'timeout', callID: r.callID, sentence: `the call did not become ${wanted.join(' or ')} within ${timeoutMs} ms` });
  }

  // ------------------------------------------------------------------------------------------ capabilities and choices

  /** GetMediaCapabilities of the TS (C.12 F3): its TC-based and native media. */
  private async tsCapabilities(): Promise<{ tc?: string; native?: string }> {
    const out = await this.server.invoke('GetMediaCapabilities', { TCMediaCapabilityInfo: '' });
    const parsed = parseSupportedMediaCapabilityInfo(String(out.SupportedMediaCapabilityInfo ?? ''));
    if (!parsed.ok) throw new TelephonyError({ kind: 'transport', device: 'TS', action: 'GetMediaCapabilities', sentence: `unreadable capabilities: ${parsed.reason}` });
    return { ...(parsed.value.mediaCapability ? { tc: parsed.value.mediaCapability.content } : {}), ...(parsed.value.nativeMediaCapability ? { native: parsed.value.nativeMediaCapability.content } : {}) };
  }

  private resolveClients(option: ClientsOption | undefined): Array<{ client: TelephonyClient; explicit?: string[] }> {
    return (option ?? []).map((c) => {
      const choice: ClientChoice = typeof c === 'string' || !('client' in c) ? { client: c } : c;
      const client = this.tcp.client(choice.client);
      if (!client) throw usage(`no Telephony Client ${JSON.stringify(typeof choice.client === 'string' ? choice.client : choice.client.udn)} is known`);
      return { client, ...(choice.media ? { explicit: [...choice.media] } : {}) };
    });
  }

  /** The clients bound to a Call now, in binding order, as unspecified choices. */
  private currentClients(r: CallRecord): Array<{ client: TelephonyClient }> {
    const out: Array<{ client: TelephonyClient }> = [];
    for (const b of r.media) {
      const client = this.tcp.client(b.client);
      if (client && !out.some((o) => o.client === client)) out.push({ client });
    }
    return out;
  }

  /**
   * Which client serves which media types. A client with explicit types takes those; a client already serving
   * the Call keeps what it serves and takes types nobody serves yet if it can; a new client takes every target
   * type it can that no client was explicitly given (so two audio TCs share the stream, mixed).
   */
  private async assign(
    wants: ReadonlyArray<{ client: TelephonyClient; explicit?: string[] }>,
    target: readonly string[],
    current: ReadonlyMap<string, readonly string[]>,
    capsOf: (c: TelephonyClient) => Promise<string | undefined>,
  ): Promise<Assignment[]> {
    const explicitTaken = new Set(wants.flatMap((w) => (w.explicit ?? []).filter((t) => target.includes(t))));
    const kept = new Set(wants.filter((w) => !w.explicit).flatMap((w) => (current.get(w.client.udn) ?? []).filter((t) => target.includes(t))));
    const out: Assignment[] = [];
    for (const w of wants) {
      let types: string[];
      if (w.explicit) {
        types = target.filter((t) => w.explicit!.includes(t));
      } else {
        const cur = current.get(w.client.udn) ?? [];
        types = target.filter((t) => cur.includes(t));
        const open = cur.length ? target.filter((t) => !explicitTaken.has(t) && !kept.has(t)) : target.filter((t) => !explicitTaken.has(t));
        if (open.length) {
          const can = enabledTypes(await capsOf(w.client));
          types = target.filter((t) => types.includes(t) || (open.includes(t) && can.includes(t)));
        }
      }
      out.push({ client: w.client, types });
    }
    return out;
  }

  /** The native media types asked for: `true` = every target type the TS's native media has. */
  private nativeTypes(native: MediaOptions['native'], target: readonly string[], available: readonly string[]): string[] {
    if (native === undefined || native === false) return [];
    const asked = native === true ? available : native;
    return target.filter((t) => asked.includes(t));
  }

  /** The TS-facing SDP of an offer: per target type, the stream of the (first) client serving it. */
  private offerStreams(target: readonly string[], plan: readonly Assignment[], streamFor: (type: string, servers: Assignment[]) => string | undefined): string | undefined {
    const streams: string[] = [];
    for (const type of target) {
      const servers = plan.filter((a) => a.types.includes(type));
      if (servers.length === 0) continue;
      const s = streamFor(type, servers);
      if (!s) throw usage(`the chosen Telephony Clients and the Telephony Server have no ${type} codec in common`);
      streams.push(s);
    }
    return combineStreams(streams);
  }

  /**
   * The assignments that serve something. A client the Call already has may end with nothing (it leaves the Call);
   * a client newly named that can serve nothing is a mistake worth saying.
   */
  private useful(plan: readonly Assignment[], current: ReadonlyMap<string, readonly string[]>): Assignment[] {
    for (const a of plan) {
      if (a.types.length === 0 && !current.has(a.client.udn)) throw usage(`the Telephony Client ${a.client.friendlyName} handles none of the call's media`);
    }
    return plan.filter((a) => a.types.length > 0);
  }

  private uncovered(target: readonly string[], plan: readonly Assignment[]): void {
    for (const type of target) {
      if (!plan.some((a) => a.types.includes(type))) throw usage(`none of the chosen Telephony Clients handles ${type}`);
    }
  }

  // ------------------------------------------------------------------------------------------ media of a Call

  /**
   * Brings the Call's Media Sessions to `desired` after Connected or Modified (or ModifyFailed: unchanged) and
   * starts the media transfer (2.3.4.1, 2.6.13.4): sessions that lose every stream are stopped (before the
   * transfer when nothing replaces them, C.25; after it when another session takes over, C.27, so the Remote Party
   * hears no gap), sessions that lose some streams follow the new home SDP (ModifyMediaSession), new ones are
   * started on the TS's home SDP (StartMediaSession), and StartMediaTransfer names them. Resolves at Talking.
   */
  private async applyMedia(r: CallRecord, desired: readonly Assignment[], o: ApplyOptions): Promise<CallView> {
    const info = await this.fullInfo(r);
    const home = info.mediaCapability?.content;
    const homeTypes = enabledTypes(home);
    const groups = desired.map((a) => ({ client: a.client, types: a.types.filter((t) => homeTypes.includes(t)) })).filter((a) => a.types.length > 0);
    const keptByClient = new Map<string, Set<string>>();
    const narrowed: Array<{ binding: MediaBinding; types: string[] }> = [];
    const removed: MediaBinding[] = [];
    for (const b of r.media) {
      const want = groups.filter((g) => g.client.udn === b.client).flatMap((g) => g.types);
      const already = keptByClient.get(b.client) ?? new Set<string>();
      // A session learnt from a TCList whose streams we do not know stays while its client is wanted.
      const keep = b.media.length === 0 ? (want.length ? want.filter((t) => !already.has(t)) : []) : b.media.filter((t) => want.includes(t) && !already.has(t));
      if (keep.length === 0) {
        removed.push(b);
        continue;
      }
      if (b.media.length > 0 && keep.length < b.media.length) narrowed.push({ binding: b, types: keep });
      keptByClient.set(b.client, new Set([...already, ...keep]));
    }
    const fresh = groups
      .map((g) => ({ client: g.client, types: g.types.filter((t) => !keptByClient.get(g.client.udn)?.has(t)) }))
      .filter((g) => g.types.length > 0);
    const replaced = removed.filter((b) => fresh.some((g) => g.types.some((t) => b.media.includes(t))));
    for (const b of removed) if (!replaced.includes(b)) await this.stopBinding(r, b);
    for (const n of narrowed) {
      const client = this.clientOf(n.binding);
      const sdp = await client.modifyMediaSession(n.binding.mediaSessionID, partOf(home, n.types)!);
      this.rebind(r, n.binding, { ...n.binding, media: n.types, sdp });
    }
    const slots: Slot[] = [...r.media.filter((b) => !removed.includes(b)).map((binding) => ({ binding })), ...fresh.map((start) => ({ start }))];
    const typesOf = (s: Slot): readonly string[] => ('binding' in s ? s.binding.media : s.start.types);
    const all = slots.flatMap(typesOf);
    const shared = new Set(all).size < all.length;
    const distinct = slots.every((s) => typesOf(s).length === 1) && !shared;
    // One request for all only when each TC has an m-line of its own: the TS gives the i-th TC the i-th m-line.
    const combined = slots.length <= 1 || (distinct && o.transfer !== 'per-client' && o.shareMedia === undefined);
    const mixing = o.mixing;
    const started: MediaBinding[] = [];
    const start = async (a: Assignment): Promise<MediaBinding> => {
      const s = await a.client.startMediaSession(partOf(home, a.types)!);
      const b: MediaBinding = { client: a.client.udn, mediaSessionID: s.id, media: a.types, sdp: s.sdp };
      r.media.push(b);
      started.push(b);
      this.book.touch(r);
      return b;
    };
    let mark = r.history.length;
    const before = mark;
    let transfers = 0;
    try {
      if (combined) {
        const bindings: MediaBinding[] = [];
        for (const s of slots) bindings.push('binding' in s ? s.binding : await start(s.start));
        mark = r.history.length;
        transfers++;
        await this.transfer(r, bindings, o.native, mixing, bindings.every((b) => started.includes(b)) ? o.shareMedia : undefined);
      } else {
        let first = true;
        for (const s of slots) {
          const b = 'binding' in s ? s.binding : await start(s.start);
          mark = r.history.length;
          transfers++;
          await this.transfer(r, [b], first ? o.native : undefined, mixing, started.includes(b) ? o.shareMedia : undefined);
          first = false;
        }
      }
    } catch (e) {
      // Nothing half-started stays open on the TCs.
      for (const b of started) await this.stopBinding(r, b).catch(() => undefined);
      throw e;
    }
    await this.waitStatus(r, mark, ['Talking']);
    // The first transfer's Talking may arrive after the last transfer was sent and satisfy the wait above; each
    // StartMediaTransfer is evented Talking (C.21 F23), so the view returned waits (briefly) for all of them.
    await this.untilSeen(r, before, 'Talking', transfers);
    for (const b of replaced) await this.stopBinding(r, b);
    return viewOf(r);
  }

  /** Resolves once `status` was seen `count` times since `from` in the Call's history, or after the event timeout. */
  private untilSeen(r: CallRecord, from: number, status: CallStatus, count: number): Promise<void> {
    const enough = (): boolean => r.history.slice(from).filter((s) => s === status).length >= count;
    if (enough()) return Promise.resolve();
    return new Promise((resolve) => {
      const done = (): void => {
        clearTimeout(timer);
        this.book.off('change', onChange);
        resolve();
      };
      const onChange = (c: CallChange): void => {
        if (c.view.callID === r.callID && enough()) done();
      };
      const timer = setTimeout(done, this.eventTimeoutMs);
      this.book.on('change', onChange);
    });
  }

  /** StartMediaTransfer (C.12 F29): these Media Sessions (and the TS's native media) carry the Call. */
  private async transfer(r: CallRecord, bindings: readonly MediaBinding[], native: string | undefined, mixing: boolean | undefined, shareMedia?: string): Promise<void> {
    const tcs = bindings.map((b) => ({ udn: b.client, mediaSessionID: b.mediaSessionID }));
    const tcSdp = combineStreams(bindings.map((b) => (b.sdp ? partOf(b.sdp, b.media.length ? b.media : enabledTypes(b.sdp)) : undefined)));
    const info = capabilityInfo(tcSdp, native, shareMedia === undefined ? mixing : undefined, shareMedia);
    await this.cm('StartMediaTransfer', (id) => ({ ...id, TargetCallID: r.callID, TCList: tcs.length ? buildTCList(tcs) : '', MediaCapabilityInfo: info }), r.callID);
  }

  private clientOf(b: MediaBinding): TelephonyClient {
    const client = this.tcp.client(b.client);
    if (!client) throw usage(`the Telephony Client ${b.client} of the call is not known`);
    return client;
  }

  private rebind(r: CallRecord, old: MediaBinding, next: MediaBinding): void {
    r.media = r.media.map((b) => (b === old ? next : b));
    this.book.touch(r);
  }

  /**
   * StopMediaSession (C.13 F3, C.25 F7). A session the TS already ended (its RTCP BYE) still accepts this once;
   * a second stop (712) or a released session (703) means it is gone anyway.
   */
  private async stopBinding(r: CallRecord, b: MediaBinding): Promise<void> {
    const client = this.tcp.client(b.client);
    r.media = r.media.filter((x) => x !== b);
    this.book.touch(r);
    if (!client) return;
    try {
      await client.stopMediaSession(b.mediaSessionID);
    } catch (e) {
      if (!isFault(e, 703, 712)) throw e;
    }
  }

  // ------------------------------------------------------------------------------------------ flows

  /**
   * An outgoing Call (3.1.1 / 3.2.1, C.12, C.19/C.20, C.30, C.34): the TCs' capabilities, the TS's, StartCall with
   * what they have in common, and at Connected the Media Sessions and StartMediaTransfer. Resolves at Talking;
   * rejects with `call-ended` when the callee refuses or the Call is cancelled.
   */
  async call(callee: string, o: CallOptions = {}): Promise<CallView> {
    const mode = o.mode ?? 'Non-Monopolize';
    if (mode === 'PHONE-TelCP' && !this.name) throw usage('a monopolised call needs a registered TelCPName');
    if (o.signal?.aborted) throw new TelephonyError({ kind: 'call-ended', reason: 'Cancelled', sentence: 'the call was cancelled before it was placed' });
    const target = [...(o.media ?? ['audio'])];
    const wants = this.resolveClients(o.clients);
    if (wants.length === 0 && !o.native) throw usage('choose Telephony Clients (clients) or the Telephony Server’s own media (native) for the call');
    // C.12 F1 (C.19 F1, F3): each TC's capabilities, then the TS's (F3/F5).
    const caps = capabilityCache();
    for (const w of wants) await caps.of(w.client);
    const ts = await this.tsCapabilities();
    const native = this.nativeTypes(o.native, target, enabledTypes(ts.native));
    const tcTarget = target.filter((t) => !native.includes(t));
    const plan = this.useful(await this.assign(wants, tcTarget, new Map(), caps.of), new Map());
    this.uncovered(tcTarget, plan);
    const tcOffer = this.offerStreams(tcTarget, plan, (type, servers) => {
      const base = caps.get(servers[0]!.client) ?? '';
      return chooseStream(type, base, base, [ts.tc ?? '', ...servers.slice(1).map((s) => caps.get(s.client) ?? '')]);
    });
    const nativeOffer = native.length ? partOf(ts.native, native) : undefined;
    const out = await this.cm('StartCall', (id) => ({
      ...id,
      CalleeID: callee,
      CallPriority: o.priority ?? 'Normal',
      MediaCapabilityInfo: capabilityInfo(tcOffer, nativeOffer),
      CallMode: mode,
    }));
    const callID = String(out.CallID ?? '').trim();
    const r = this.book.ensure(callID, 'Dialing');
    Object.assign(r, { mine: true, direction: 'outgoing', mode, native });
    const cancel = (): void => void this.background(this.hangup(callID));
    o.signal?.addEventListener('abort', cancel, { once: true });
    try {
      if (o.signal?.aborted) cancel();
      await this.waitStatus(r, 0, ['Connected', 'Talking'], o.connectTimeoutMs ?? 120_000);
      const connected = await this.fullInfo(r);
      return await this.applyMedia(r, plan, { ...mediaOpts(o, plan), ...(native.length ? { native: connected.nativeMediaCapability?.content ?? nativeOffer! } : {}) });
    } catch (e) {
      // Not answered in time, or its media could not be set up: the call is ended rather than left half-made.
      if (!(e instanceof TelephonyError && e.kind === 'call-ended')) await this.hangup(callID).catch(() => undefined);
      throw e;
    } finally {
      o.signal?.removeEventListener('abort', cancel);
    }
  }

  /**
   * Accepts an incoming Call (3.1.2 / 3.2.2, C.21/C.22): the TCs' capabilities, AcceptCall with the part of the
   * caller's offer they (or the TS's native media) handle, then the Media Sessions and StartMediaTransfer.
   */
  async answer(callID: string, o: AnswerOptions = {}): Promise<CallView> {
    const mode = o.mode ?? 'Non-Monopolize';
    if (mode === 'PHONE-TelCP' && !this.name) throw usage('a monopolised call needs a registered TelCPName');
    const r = await this.record(callID);
    const info = await this.fullInfo(r);
    const offer = info.mediaCapability?.content;
    const offered = enabledTypes(offer);
    const target = o.media ? offered.filter((t) => o.media!.includes(t)) : offered;
    const wants = this.resolveClients(o.clients);
    if (wants.length === 0 && !o.native) throw usage('choose Telephony Clients (clients) or the Telephony Server’s own media (native) to answer with');
    const native = this.nativeTypes(o.native, target, enabledTypes(info.nativeMediaCapability?.content));
    const tcTarget = target.filter((t) => !native.includes(t));
    // C.21 F3, F5: each TC's capabilities.
    const caps = capabilityCache();
    for (const w of wants) await caps.of(w.client);
    const plan = this.useful(await this.assign(wants, tcTarget, new Map(), caps.of), new Map());
    const served = tcTarget.filter((t) => plan.some((a) => a.types.includes(t)));
    if (served.length === 0 && native.length === 0) throw usage('the chosen Telephony Clients handle none of the offered media');
    const tcAnswer = this.offerStreams(served, plan, (type, servers) => {
      const base = caps.get(servers[0]!.client) ?? '';
      return chooseStream(type, base, offer ?? '', servers.map((s) => caps.get(s.client) ?? ''));
    });
    const nativeAnswer = native.length ? partOf(info.nativeMediaCapability?.content, native) : undefined;
    const mark = r.history.length;
    await this.cm('AcceptCall', (id) => ({ ...id, TargetCallID: callID, MediaCapabilityInfo: capabilityInfo(tcAnswer, nativeAnswer), CallMode: mode }), callID);
    Object.assign(r, { mine: true, direction: 'incoming', mode, native });
    try {
      await this.waitStatus(r, mark, ['Connected']);
      const connected = await this.fullInfo(r);
      return await this.applyMedia(r, plan, { ...mediaOpts(o, plan), ...(native.length ? { native: connected.nativeMediaCapability?.content ?? nativeAnswer! } : {}) });
    } catch (e) {
      // A call without its media is no use to anyone: end it rather than leave it Connected.
      if (!(e instanceof TelephonyError && e.kind === 'call-ended')) await this.hangup(callID).catch(() => undefined);
      throw e;
    }
  }

  /** Rejects an incoming Call (C.14): RejectCall with the reason (one naming "busy" makes the line answer busy). */
  async reject(callID: string, reason = 'Rejected'): Promise<CallView> {
    const r = await this.record(callID);
    if (r.info.callStatus === 'ReceivingModifyRequest') return this.rejectModify(callID, reason);
    const mark = r.history.length;
    await this.cm('RejectCall', (id) => ({ ...id, TargetCallID: callID, RejectReason: reason }), callID);
    return this.waitStatus(r, mark, [disconnected]);
  }

  /**
   * Ends a Call (C.13; before it is answered, a cancel: C.15): StopCall, then StopMediaSession on every TC of the
   * Call (2.6.8.4). Resolves at Disconnected.
   */
  async hangup(callID: string): Promise<CallView> {
    const r = await this.record(callID);
    const mark = r.history.length;
    const wasClosing = r.closing;
    r.closing = true;
    try {
      await this.cm('StopCall', (id) => ({ ...id, CallID: callID }), callID);
    } catch (e) {
      r.closing = wasClosing;
      throw e;
    }
    await this.learnMedia(r, false);
    for (const b of [...r.media]) await this.stopBinding(r, b);
    return this.waitStatus(r, mark, [disconnected]);
  }

  /**
   * Modifies a Call (3.1.3, 3.2.3, C.23, C.25, C.27, C.28): add a TC, remove one, change TC, add or drop video,
   * switch mixing. Capabilities are asked only of clients that take new streams (and then of the TS); ModifyCall
   * offers the kept streams as negotiated and the new ones as the TC and TS have them in common. At Modified the
   * Media Sessions follow and StartMediaTransfer runs; at ModifyFailed StartMediaTransfer runs with the Call as it
   * was (2.6.11.4). Resolves at Talking.
   */
  async modify(callID: string, o: ModifyOptions = {}): Promise<ModifyResult> {
    const r = await this.record(callID);
    // A Call handed to us or seen from afar: its TCList tells which sessions it has.
    if (!r.mine) await this.fullInfo(r);
    await this.learnMedia(r, true);
    const current = boundTypes(r);
    const now = [...new Set([...r.media.flatMap((b) => b.media), ...r.native])];
    const target = [...(o.media ?? (now.length ? now : enabledTypes(r.info.mediaCapability?.content)))];
    const caps = capabilityCache();
    const wants = o.clients ? this.resolveClients(o.clients) : this.currentClients(r);
    let ts: { tc?: string; native?: string } | undefined;
    const tsCaps = async (): Promise<{ tc?: string; native?: string }> => (ts ??= await this.tsCapabilities());
    const native = o.native === undefined ? r.native.filter((t) => target.includes(t)) : this.nativeTypes(o.native, target, enabledTypes((await tsCaps()).native));
    const tcTarget = target.filter((t) => !native.includes(t));
    const plan = this.useful(await this.assign(wants, tcTarget, current, caps.of), current);
    this.uncovered(tcTarget, plan);
    // C.23 F1/F3, C.27 F1/F3: a client taking a new stream needs its capabilities, and the TS's to match them.
    const isNew = (a: Assignment, t: string): boolean => !(current.get(a.client.udn) ?? []).includes(t);
    for (const a of plan) if (a.types.some((t) => isNew(a, t))) await caps.of(a.client);
    const nativeChanged = native.join() !== r.native.join();
    if (plan.some((a) => a.types.some((t) => isNew(a, t))) || nativeChanged) await tsCaps();
    const tcOffer = this.offerStreams(tcTarget, plan, (type, servers) => {
      const keeper = servers.find((s) => !isNew(s, type));
      const binding = keeper && r.media.find((b) => b.client === keeper.client.udn && b.media.includes(type) && b.sdp);
      if (binding) return partOf(binding.sdp, [type]);
      const base = caps.get(servers[0]!.client) ?? '';
      return chooseStream(type, base, base, [ts?.tc ?? '', ...servers.slice(1).map((s) => caps.get(s.client) ?? '')]);
    });
    const nativeOffer = native.length ? partOf(nativeChanged ? ts?.native : (r.info.nativeMediaCapability?.content ?? ts?.native), native) : undefined;
    if (!tcOffer && !nativeOffer) throw usage('the modified call would have no media');
    const mark = r.history.length;
    await this.cm('ModifyCall', (id) => ({ ...id, TargetCallID: callID, MediaCapabilityInfo: capabilityInfo(tcOffer, nativeOffer, o.enableMediaMixing) }), callID);
    const outcome = await this.waitStatus(r, mark, ['Modified', 'ModifyFailed']);
    const wasShared = sharesStream(this.currentClients(r).map(({ client }) => ({ client, types: current.get(client.udn) ?? [] })));
    if (!outcome.history.slice(mark).includes('Modified')) return this.afterModifyFailed(r);
    r.native = native;
    // Mixing as asked; else switched on when TCs come to share a stream (2.3.1 figure 5), else left as it is.
    const mixing = o.mixing ?? o.enableMediaMixing;
    const call = await this.applyMedia(r, plan, {
      ...(o.transfer ? { transfer: o.transfer } : {}),
      ...(o.shareMedia !== undefined ? { shareMedia: o.shareMedia } : mixingFor(mixing !== undefined ? { mixing } : {}, plan, wasShared)),
      ...(nativeChanged && nativeOffer ? { native: nativeOffer } : {}),
    });
    return { accepted: true, call };
  }

  /**
   * Accepts the Remote Party's modification (C.24, C.26): the offered streams that the Call's TCs (or `clients`)
   * handle, AcceptModifyCall, then at Modified the Media Sessions follow and StartMediaTransfer runs.
   */
  async acceptModify(callID: string, o: MediaOptions = {}): Promise<ModifyResult> {
    const r = await this.record(callID);
    const info = await this.fullInfo(r);
    await this.learnMedia(r, true);
    const offer = info.mediaCapability?.content;
    const offered = enabledTypes(offer);
    const target = o.media ? offered.filter((t) => o.media!.includes(t)) : offered;
    const native = r.native.filter((t) => target.includes(t));
    const tcTarget = target.filter((t) => !native.includes(t));
    const current = boundTypes(r);
    const caps = capabilityCache();
    const wants = o.clients ? this.resolveClients(o.clients) : this.currentClients(r);
    const plan = this.useful(await this.assign(wants, tcTarget, current, caps.of), current);
    const served = tcTarget.filter((t) => plan.some((a) => a.types.includes(t)));
    const streams: string[] = [];
    for (const type of served) {
      const servers = plan.filter((a) => a.types.includes(type));
      const keeper = servers.find((s) => (current.get(s.client.udn) ?? []).includes(type));
      const binding = keeper && r.media.find((b) => b.client === keeper.client.udn && b.media.includes(type) && b.sdp);
      let stream = binding ? chooseStream(type, binding.sdp, offer!, [binding.sdp]) : undefined;
      if (!stream) {
        const base = (await caps.of(servers[0]!.client)) ?? '';
        stream = chooseStream(type, base, offer!, [base]);
      }
      if (stream) streams.push(stream);
    }
    const tcAnswer = combineStreams(streams);
    const nativeAnswer = native.length ? partOf(info.nativeMediaCapability?.content, native) : undefined;
    const mark = r.history.length;
    // The TS reads one of the two in AcceptModifyCall: TC-based streams, else TS-based ones.
    await this.cm('AcceptModifyCall', (id) => ({ ...id, TargetCallID: callID, MediaCapabilityInfo: capabilityInfo(tcAnswer, tcAnswer ? undefined : nativeAnswer) }), callID);
    const outcome = await this.waitStatus(r, mark, ['Modified', 'ModifyFailed']);
    if (!outcome.history.slice(mark).includes('Modified')) return this.afterModifyFailed(r);
    const wasShared = sharesStream(this.currentClients(r).map(({ client }) => ({ client, types: current.get(client.udn) ?? [] })));
    const accepted = plan.map((a) => ({ client: a.client, types: a.types.filter((t) => served.includes(t)) }));
    const call = await this.applyMedia(r, accepted, { ...(o.transfer ? { transfer: o.transfer } : {}), ...mixingFor(o, accepted, wasShared) });
    return { accepted: true, call };
  }

  /** Rejects the Remote Party's modification (RejectCall while ReceivingModifyRequest, 2.7.1.4-3); the Call goes on. */
  async rejectModify(callID: string, reason = 'Rejected'): Promise<CallView> {
    const r = await this.record(callID);
    const mark = r.history.length;
    await this.cm('RejectCall', (id) => ({ ...id, TargetCallID: callID, RejectReason: reason }), callID);
    await this.waitStatus(r, mark, ['ModifyFailed']);
    return (await this.afterModifyFailed(r)).call;
  }

  /** 2.6.11.4 / 2.6.12.4: after ModifyFailed the TelCP invokes StartMediaTransfer with the Call as it was. */
  private async afterModifyFailed(r: CallRecord): Promise<ModifyResult> {
    const reason = r.info.reason;
    const unchanged = this.currentClients(r).map(({ client }) => ({ client, types: [...new Set(r.media.filter((b) => b.client === client.udn).flatMap((b) => b.media))] }));
    const call = await this.applyMedia(r, unchanged, {});
    return { accepted: false, ...(reason ? { reason } : {}), call };
  }

  /** Hands a monopolised Call to another TelCPName (ChangeMonopolizer, C.33); this control point no longer manages it. */
  async handOver(callID: string, newMonopolizer: string): Promise<void> {
    const r = await this.record(callID);
    if (!this.name) throw usage('only a registered TelCPName can hand a call over');
    await this.server.invoke('ChangeMonopolizer', { CurrentMonopolizer: this.name, SecretKey: this.key ?? '', CallID: callID, NewMonopolizer: newMonopolizer }, callID);
    r.mine = false;
    this.adopting.delete(callID);
    this.book.touch(r);
  }

  /** InitiateCall (C.29): the TS calls the callee with its own media; no TC and no StartMediaTransfer take part. */
  async initiateCall(callee: string): Promise<string> {
    const out = await this.server.invoke('InitiateCall', { CalleeID: callee });
    const callID = String(out.CallID ?? '').trim();
    Object.assign(this.book.ensure(callID, 'Dialing'), { mine: true, direction: 'outgoing' });
    return callID;
  }

  // ------------------------------------------------------------------------------------------ the rest of the service

  /** GetTelephonyIdentity (2.6.1): the TS's line identity (714 until it has one). */
  async telephonyIdentity(): Promise<string> {
    return String((await this.server.invoke('GetTelephonyIdentity')).TelephonyIdentity ?? '');
  }

  /** GetCallInfo with this control point's identity: every Call (general elements where not entitled) or one. */
  async getCallInfo(callID = ''): Promise<CallInfo[]> {
    if (callID !== '') return [(await this.refreshCall(callID)).info];
    await this.refresh();
    return this.book.all().filter((r) => !r.gone).map((r) => r.info);
  }

  /** GetCallLogs (2.6.17). */
  async callLogs(): Promise<CallLogs> {
    const out = await this.server.invoke('GetCallLogs');
    const parsed = parseCallLogs(String(out.CallLogs ?? ''));
    if (!parsed.ok) throw new TelephonyError({ kind: 'transport', device: 'TS', action: 'GetCallLogs', sentence: `unreadable call logs: ${parsed.reason}` });
    return parsed.value;
  }

  /** ClearCallLogs (2.6.18). */
  async clearCallLogs(): Promise<void> {
    await this.server.invoke('ClearCallLogs');
  }

  /** RegisterCallBack (2.6.19): the TS watches the callee; 'callback-available' says when it can be called. */
  async registerCallBack(callee: string): Promise<string> {
    const out = await this.server.invoke('RegisterCallBack', { CalleeID: callee });
    const id = String(out.CallBackID ?? '');
    this.callees.set(id, callee);
    return id;
  }

  /** GetCallBackInfo (2.6.21): the callbacks registered at the TS. */
  async callBacks(): Promise<Array<{ callBackID: string; callee: string }>> {
    const out = await this.server.invoke('GetCallBackInfo');
    const parsed = parseCallBackInfoList(String(out.CallbackInfo ?? out.CallBackInfo ?? ''));
    if (!parsed.ok) throw new TelephonyError({ kind: 'transport', device: 'TS', action: 'GetCallBackInfo', sentence: `unreadable callbacks: ${parsed.reason}` });
    const list = parsed.value.map((c) => ({ callBackID: c.callBackID, callee: c.callee[0].id }));
    for (const c of list) this.callees.set(c.callBackID, c.callee);
    return list;
  }

  /** ClearCallBack (2.6.20): one callback, or every one when no ID is given. */
  async clearCallBack(callBackID = ''): Promise<void> {
    // The spec spells the argument two ways (notes S4); the SCPD decides which one goes out.
    await this.server.invoke('ClearCallBack', { CallbackID: callBackID, CallBackID: callBackID });
    if (callBackID === '') this.callees.clear();
    else this.callees.delete(callBackID);
  }

  private async callBacksAvailable(text: string): Promise<void> {
    const parsed = parseCallBackAvailability(text);
    if (!parsed.ok) return;
    const ids = [...parsed.value.callBackIDs];
    if (ids.some((id) => !this.callees.has(id))) await this.callBacks().catch(() => undefined);
    const callees = [...new Set(ids.flatMap((id) => (this.callees.has(id) ? [this.callees.get(id)!] : [])))];
    this.emit('callback-available', { callBackIDs: ids, callees });
  }
}

function usage(sentence: string): TelephonyError {
  return new TelephonyError({ kind: 'usage', sentence });
}

/** A MediaCapabilityInfo argument: TC-based streams, TS-based ones, enableMediaMixing or shareMedia — each only when given. */
function capabilityInfo(tc: string | undefined, native: string | undefined, mixing?: boolean, shareMedia?: string): string {
  return buildMediaCapabilityInfo({
    ...(mixing !== undefined ? { enableMediaMixing: mixing } : {}),
    ...(shareMedia !== undefined ? { shareMedia } : {}),
    ...(tc ? { mediaCapability: { format: 'SDP', content: tc } } : {}),
    ...(native ? { nativeMediaCapability: { format: 'SDP', content: native } } : {}),
  });
}

/** GetMediaCapabilities of each Telephony Client at most once in a flow. */
function capabilityCache(): { get: (c: TelephonyClient) => string | undefined; of: (c: TelephonyClient) => Promise<string | undefined> } {
  const known = new Map<string, string | undefined>();
  return {
    get: (c) => known.get(c.udn),
    of: async (c) => {
      if (!known.has(c.udn)) known.set(c.udn, await c.getMediaCapabilities());
      return known.get(c.udn);
    },
  };
}

/** Which media types each client serves in the Call now. */
function boundTypes(r: CallRecord): Map<string, string[]> {
  const current = new Map<string, string[]>();
  for (const b of r.media) current.set(b.client, [...new Set([...(current.get(b.client) ?? []), ...b.media])]);
  return current;
}

/** Whether two clients serve the same media type (their media is mixed). */
function sharesStream(plan: readonly Assignment[]): boolean {
  const types = plan.flatMap((a) => a.types);
  return types.length > new Set(types).size;
}

/** enableMediaMixing as asked; else on when the plan makes TCs share a stream that did not before (2.3.1). */
function mixingFor(o: MediaOptions, plan: readonly Assignment[], wasShared: boolean): { mixing?: boolean } {
  const mixing = o.mixing ?? (sharesStream(plan) && !wasShared ? true : undefined);
  return mixing !== undefined ? { mixing } : {};
}

/** The media options of a new Call's first transfers. */
function mediaOpts(o: MediaOptions, plan: readonly Assignment[]): ApplyOptions {
  return { ...(o.transfer ? { transfer: o.transfer } : {}), ...(o.shareMedia !== undefined ? { shareMedia: o.shareMedia } : mixingFor(o, plan, false)) };
}
