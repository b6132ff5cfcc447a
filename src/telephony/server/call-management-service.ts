/**
 * The CallManagement:1 service of a Telephony Server (section 2 of the spec): the TelCPName
 * registry, Call control over a line, Monopolization and Selective Information Delivery, media
 * capabilities, call logs and callbacks. It sees typed arguments and returns typed results or a
 * UpnpError with the spec's code; XML fragments are parsed and built by the cams codecs.
 */
import { randomBytes } from 'node:crypto';
import type { Clock, TimerHandle } from '../../base/clock.js';
import type { Logger } from '../../base/logger.js';
import type { ActionArgs, ActionHandler, ServiceImplementation, ServiceState } from '../../upnp/index.js';
import { UpnpError } from '../../upnp/index.js';
import {
  buildCallBackAvailability,
  buildCallBackInfoList,
  buildCallInfo,
  buildCallInfoList,
  buildCallLogs,
  buildSupportedMediaCapabilityInfo,
  buildTelCPNameList,
  parseMediaCapabilityInfo,
  parseTCList,
} from '../contracts/call-management/cams-xml.js';
import type { CallInfo, MediaCapabilityInfo } from '../contracts/call-management/cams-types.js';
import { callManagementContract } from '../contracts/call-management/contract.js';
import { cmError } from '../contracts/call-management/errors.js';
import { checkSubset, intersectCapabilities, mediaTypesOf, mergeSdp, parseSdpMedia, restrictSdp, sdpOfTypes } from '../contracts/call-management/sdp-capability.js';
import { Call, type CallMode } from '../domain/call.js';
import { actionAllowed, type CallAction, type CallReason, type CallTrigger } from '../domain/call-state-machine.js';
import { calleeKind, peerIdOf } from '../domain/callee-id.js';
import type { Line, LineFailure, LineListener, RemotePeer } from '../domain/line.js';
import type { CallMedia, MediaClient, MediaPlane } from '../domain/media-plane.js';
import type { CallBackRepository, CallLogRepository } from '../domain/repositories.js';
import type { TelCPRegistry } from '../domain/telcp-registry.js';
import type { MediaProfile } from './media-profile.js';

/** Decides who may answer an incoming Call (2.3.2.1.1); `*` lets every TelCP answer. */
export type AnswererPolicy = (from: RemotePeer, to: string) => readonly string[] | '*';

export interface CallManagementOptions {
  readonly line: Line;
  readonly registry: TelCPRegistry;
  readonly callLogs: CallLogRepository;
  readonly callBacks: CallBackRepository;
  readonly media: MediaProfile;
  /**
   * The RTP media plane: with it the line gets the TS's own WAN SDP, CallInfo the TS's home SDP, and media flows
   * between the Remote Party, the TCs and the TS's own endpoint; without it the TS only records SDP.
   */
  readonly mediaPlane?: MediaPlane;
  readonly clock: Clock;
  readonly logger: Logger;
  readonly answerers?: AnswererPolicy;
  /** Calls alive at once; one more StartCall answers 708 Busy. */
  readonly maxCalls?: number;
  /** How long a ModifyFailed Call waits for StartMediaTransfer before it returns to Talking by itself. */
  readonly modifyFailedGraceMs?: number;
  /** How long a Disconnected Call still answers 712 before its CallID is released (703). */
  readonly disconnectedRetentionMs?: number;
}

/** The identity a TelCP presents with an action (TelCPName + SecretKey, possibly both empty). */
interface Presented {
  readonly name: string;
  readonly key: string;
}

const str = (args: ActionArgs, name: string): string => String(args[name] ?? '');

/** A Call's media in the media plane, and the home SDP last shown for each SDP (kept for after it closed). */
interface CallMediaRecord {
  readonly media: CallMedia;
  closed: boolean;
  readonly shown: Map<string, string>;
}

export class CallManagementService implements ServiceImplementation, LineListener {
  readonly contract = callManagementContract;
  private state?: ServiceState;
  private readonly calls = new Map<string, Call>();
  private readonly byLineId = new Map<string, Call>();
  private readonly timers = new Map<string, TimerHandle>();
  private readonly callMedia = new Map<string, CallMediaRecord>();
  private readonly idPrefix = randomBytes(3).toString('hex');
  private nextId = 1;
  private readonly log: Logger;

  constructor(private readonly opts: CallManagementOptions) {
    this.log = opts.logger;
    opts.line.setListener(this);
  }

  attach(state: ServiceState): Readonly<Record<string, ActionHandler>> {
    this.state = state;
    state.set({ TelCPNameList: buildTelCPNameList(this.opts.registry.list()) });
    this.opts.registry.onChange((names) => this.event({ TelCPNameList: buildTelCPNameList([...names]) }));
    // Callbacks survive restarts: watch their callees again.
    for (const callee of new Set(this.opts.callBacks.list().map((e) => e.calleeID))) this.opts.line.watchAvailability(callee, true);
    return {
      GetTelephonyIdentity: () => this.getTelephonyIdentity(),
      RegisterTelCPName: (a) => {
        const r = this.opts.registry.register(str(a, 'TelCPName'), str(a, 'CurrentSecretKey'));
        return { NewSecretKey: r.secretKey, Expires: r.expires };
      },
      UnregisterTelCPName: (a) => {
        this.opts.registry.unregister(str(a, 'TelCPName'), str(a, 'SecretKey'));
        return {};
      },
      ChangeTelCPName: (a) => {
        const r = this.opts.registry.change(str(a, 'CurrentTelCPName'), str(a, 'CurrentSecretKey'), str(a, 'NewTelCPName'));
        return { NewSecretKey: r.secretKey, Expires: r.expires };
      },
      GetTelCPNameList: () => ({ TelCPNameList: buildTelCPNameList(this.opts.registry.list()) }),
      GetMediaCapabilities: (a) => ({ SupportedMediaCapabilityInfo: this.mediaCapabilities(str(a, 'TCMediaCapabilityInfo')) }),
      StartCall: (a) => this.startCall(a),
      StopCall: (a) => this.stopCall(a),
      AcceptCall: (a) => this.acceptCall(a),
      RejectCall: (a) => this.rejectCall(a),
      ModifyCall: (a) => this.modifyCall(a),
      AcceptModifyCall: (a) => this.acceptModifyCall(a),
      StartMediaTransfer: (a) => this.startMediaTransfer(a),
      ChangeMonopolizer: (a) => this.changeMonopolizer(a),
      InitiateCall: (a) => this.initiateCall(a),
      GetCallInfo: (a) => this.getCallInfo(a),
      GetCallLogs: () => ({ CallLogs: this.callLogs() }),
      ClearCallLogs: () => {
        this.opts.callLogs.clear();
        return {};
      },
      RegisterCallBack: (a) => this.registerCallBack(a),
      ClearCallBack: (a) => this.clearCallBack(str(a, 'CallbackID')),
      GetCallBackInfo: () => ({ CallbackInfo: this.callBackInfo() }),
    };
  }

  /** True while the TelCP monopolises a Call that is not over (its name can then not be unregistered, 712). */
  isMonopolizing(name: string): boolean {
    return [...this.calls.values()].some((c) => c.monopolizer === name && c.status !== 'Disconnected');
  }

  /** Stops every timer; Calls still alive are hung up on the line. */
  close(): void {
    for (const t of this.timers.values()) t.cancel();
    this.timers.clear();
    for (const call of this.calls.values()) {
      if (call.status !== 'Disconnected') this.opts.line.hangUp(call.lineCallId);
    }
    for (const callID of [...this.callMedia.keys()]) this.closeMedia(callID);
  }

  // ---------------------------------------------------------------- eventing

  /**
   * Events state variables after the action's response has gone out (the order every example of
   * Appendix C shows); events keep the order in which they were made.
   */
  private event(changes: ActionArgs): void {
    this.opts.clock.setTimer(0, () => this.state?.set(changes));
  }

  /** Selective Information Delivery (2.3.3): a restricted Call is evented with its general elements only. */
  private eventCall(call: Call): void {
    this.event({ CallInfo: buildCallInfo(this.callInfo(call), { view: call.restricted ? 'general' : 'full' }) });
  }

  private callInfo(call: Call): CallInfo {
    const names = call.targetNames;
    // With a media plane the TS shows its own home SDP (C.12 F7/F17/F19), for a pending modification the one it
    // would use (C.24 F1); without one, the SDP as negotiated.
    const tcSdp = this.callMedia.has(call.callID) && call.pendingRemoteOffer ? call.pendingRemoteOffer : call.mediaCapability;
    const mediaCapability = tcSdp && this.homeView(call, tcSdp);
    const nativeMediaCapability = call.nativeMediaCapability && this.homeView(call, call.nativeMediaCapability);
    return {
      callID: call.callID,
      targetNames: { type: 'TelCPName', names: names === '*' ? '*' : [...names] },
      callStatus: call.status,
      ...(call.reason ? { reason: call.reason } : {}),
      priority: call.priority,
      remoteParty: { id: call.remoteParty.id, ...(call.remoteParty.name ? { name: call.remoteParty.name } : {}) },
      ...(call.tcList.length ? { tcList: call.tcList.map((t) => ({ ...t })) } : {}),
      ...(call.enableMediaMixing !== undefined ? { enableMediaMixing: call.enableMediaMixing } : {}),
      ...(call.shareMedia !== undefined ? { shareMedia: call.shareMedia } : {}),
      ...(mediaCapability ? { mediaCapability: { format: 'SDP', content: mediaCapability } } : {}),
      ...(nativeMediaCapability ? { nativeMediaCapability: { format: 'SDP', content: nativeMediaCapability } } : {}),
    };
  }

  /** Moves a Call by the table and events it; false when the table has no such move. */
  private move(call: Call, trigger: CallTrigger, reason?: CallReason): boolean {
    const from = call.status;
    if (!call.apply(trigger, this.opts.clock.now(), reason)) return false;
    this.log.info('call', { callID: call.callID, from, to: call.status, trigger, reason, remote: call.remoteParty.id });
    this.eventCall(call);
    this.afterMove(call);
    return true;
  }

  private afterMove(call: Call): void {
    this.timers.get(call.callID)?.cancel();
    this.timers.delete(call.callID);
    if (call.status === 'ModifyFailed') {
      this.arm(call, this.opts.modifyFailedGraceMs ?? 10_000, () => this.move(call, 'ModifyFailedGraceElapsed'));
    }
    if (call.status === 'Disconnected') {
      this.byLineId.delete(call.lineCallId);
      this.closeMedia(call.callID);
      this.logCall(call);
      this.arm(call, this.opts.disconnectedRetentionMs ?? 60_000, () => {
        this.calls.delete(call.callID);
        this.callMedia.delete(call.callID);
      });
    }
  }

  private arm(call: Call, ms: number, fn: () => void): void {
    this.timers.set(
      call.callID,
      this.opts.clock.setTimer(ms, () => {
        this.timers.delete(call.callID);
        fn();
      }),
    );
  }

  // ---------------------------------------------------------------- authorization

  private presented(a: ActionArgs, nameArg = 'TelCPName', keyArg = 'SecretKey'): Presented {
    return { name: str(a, nameArg), key: str(a, keyArg) };
  }

  /** 701 unless the name is registered and the key is its key. */
  private authenticate(who: Presented): void {
    if (!this.opts.registry.verify(who.name, who.key)) throw cmError(701, `TelCPName ${JSON.stringify(who.name)} with this SecretKey`);
  }

  /** Only the Monopolizer manages a Monopolization Mode Call (2.3.2.1): 701 for a bad key, 713 for another TelCP. */
  private authorizeManager(call: Call, who: Presented): void {
    if (call.monopolizer === undefined) return;
    this.authenticate(who);
    if (who.name !== call.monopolizer) throw cmError(713, `${who.name} is not the Monopolizer of ${call.callID}`);
  }

  /** Only the listed TelCPs answer or reject a targeted incoming Call (2.3.2.1.1). */
  private authorizeAnswerer(call: Call, who: Presented): void {
    if (call.allowedAnswerers === '*') return;
    this.authenticate(who);
    if (!call.allowedAnswerers.includes(who.name)) throw cmError(713, `${who.name} may not answer ${call.callID}`);
  }

  /** Whether the presented identity may see the full CallInfo of a restricted Call. */
  private entitled(call: Call, who: Presented): boolean {
    if (!call.restricted) return true;
    if (!this.opts.registry.verify(who.name, who.key)) return false;
    return call.monopolizer !== undefined ? call.monopolizer === who.name : call.targetNames.includes(who.name);
  }

  /** The Call named by an action: 703 when unknown, 712 when the action is not allowed in its status. */
  private callFor(callID: string, action: CallAction): Call {
    const call = this.calls.get(callID);
    if (!call) throw cmError(703, `no Call ${JSON.stringify(callID)}`);
    if (!actionAllowed(call.status, action)) throw cmError(712, `${action} while ${call.status}`);
    return call;
  }

  /** PHONE-TelCP is supported; the DP modes need DeviceProtection, which this TS does not have (706). */
  private callMode(value: string, who: Presented): CallMode {
    if (value === 'DP-TelCP' || value === 'DP-User') throw cmError(706, `${value} needs DeviceProtection, which this Telephony Server does not implement`);
    if (value === 'PHONE-TelCP') this.authenticate(who);
    return value as CallMode;
  }

  // ---------------------------------------------------------------- media

  /** Parses a MediaCapabilityInfo argument: 402 when it is not the fragment, 707 when its content is invalid. */
  private mediaInfo(text: string, allowEmpty: boolean): MediaCapabilityInfo {
    if (text.trim() === '') {
      if (allowEmpty) return {};
      throw cmError(707, 'empty MediaCapabilityInfo');
    }
    const parsed = parseMediaCapabilityInfo(text);
    if (!parsed.ok) throw new UpnpError(402, 'Invalid Args');
    const info = parsed.value;
    if (info.enableMediaMixing === true && info.shareMedia !== undefined) throw cmError(707, 'enableMediaMixing and shareMedia together');
    if (info.enableMediaMixing && !this.opts.media.mixing) throw cmError(707, 'this TS does not mix media');
    if (info.shareMedia !== undefined && !this.opts.media.sharing) throw cmError(707, 'this TS does not share media');
    for (const m of [info.mediaCapability, info.nativeMediaCapability]) {
      if (m && !parseSdpMedia(m.content).ok) throw cmError(707, 'media capability is not valid SDP');
    }
    return info;
  }

  /** 707 unless every stream and codec of `sdp` is in `reference` (none: the TS has no such media). */
  private requireSubset(sdp: string, reference: string | undefined, what: string): void {
    if (reference === undefined) throw cmError(707, `${what}: this Telephony Server has no media of its own`);
    const a = parseSdpMedia(sdp);
    const b = parseSdpMedia(reference);
    if (!a.ok || !b.ok) throw cmError(707, `${what}: not valid SDP`);
    const subset = checkSubset(a.value, b.value);
    if (!subset.ok) throw cmError(707, `${what}: ${subset.reason}`);
  }

  /** GetMediaCapabilities (2.6.6): everything, or the part of the TC's capabilities the TS supports. */
  private mediaCapabilities(tcInfo: string): string {
    const { media } = this;
    if (tcInfo.trim() === '') {
      return buildSupportedMediaCapabilityInfo({
        mediaMixingCapability: media.mixing,
        mediaSharingCapability: media.sharing,
        mediaCapability: { format: 'SDP', content: media.tcBased },
        ...(media.native ? { nativeMediaCapability: { format: 'SDP', content: media.native } } : {}),
      });
    }
    const info = this.mediaInfo(tcInfo, false);
    const subset = (offered: string | undefined, own: string | undefined): { format: 'SDP'; content: string } | undefined => {
      if (!offered || !own) return undefined;
      const theirs = parseSdpMedia(offered);
      const ours = parseSdpMedia(own);
      if (!theirs.ok || !ours.ok) throw cmError(707, 'media capability is not valid SDP');
      const common = intersectCapabilities(theirs.value, ours.value);
      const sdp = restrictSdp(offered, common);
      return sdp.ok && common.length ? { format: 'SDP', content: sdp.value } : undefined;
    };
    const tc = subset(info.mediaCapability?.content, media.tcBased);
    const native = subset(info.nativeMediaCapability?.content, media.native);
    return buildSupportedMediaCapabilityInfo({ ...(tc ? { mediaCapability: tc } : {}), ...(native ? { nativeMediaCapability: native } : {}) });
  }

  /** The part of an offer the TS can handle itself (TS-based media), in the offer's form; undefined if none. */
  private nativePartOf(offer: string): string | undefined {
    if (!this.media.native) return undefined;
    const theirs = parseSdpMedia(offer);
    const ours = parseSdpMedia(this.media.native);
    if (!theirs.ok || !ours.ok) return undefined;
    const common = intersectCapabilities(theirs.value, ours.value);
    const sdp = restrictSdp(offer, common);
    return sdp.ok && common.length ? sdp.value : undefined;
  }

  /** What the TS offers when no TelCP chose media: its native media, or what it relays if it has none. */
  private get ownMedia(): string {
    return this.media.native ?? this.media.tcBased;
  }

  private get media(): MediaProfile {
    return this.opts.media;
  }

  // ---------------------------------------------------------------- media plane

  /** Opens a Call's media in the media plane (nothing without one). */
  private openMedia(callID: string): CallMedia | undefined {
    const media = this.opts.mediaPlane?.openCall(callID);
    if (media) this.callMedia.set(callID, { media, closed: false, shown: new Map() });
    return media;
  }

  private mediaOf(call: Call): CallMedia | undefined {
    const r = this.callMedia.get(call.callID);
    return r && !r.closed ? r.media : undefined;
  }

  /** What CallInfo shows for an SDP of the Call: the TS's home SDP with a media plane, else the SDP itself. */
  private homeView(call: Call, sdp: string): string {
    const r = this.callMedia.get(call.callID);
    if (!r) return sdp;
    const cached = r.shown.get(sdp);
    if (r.closed) return cached ?? r.media.homeSdp(sdp);
    const home = r.media.homeSdp(sdp);
    if (cached === undefined && r.shown.size >= 16) r.shown.clear();
    r.shown.set(sdp, home);
    return home;
  }

  /** The TS's WAN SDP for the chosen media; 708 Busy (StartCall) or 501 when no port is left for it. */
  private wanSdp(media: CallMedia, chosen: string, callID: string, busy: boolean): string {
    try {
      return media.wanSdp(chosen);
    } catch (e) {
      this.log.warn('no media resources for a call', { callID, error: e instanceof Error ? e.message : String(e) });
      throw busy ? cmError(708, 'no RTP port left') : new UpnpError(501, 'Action Failed');
    }
  }

  /** Stops a Call's media and returns its ports (after whatever path the Call took). */
  private closeMedia(callID: string): void {
    const r = this.callMedia.get(callID);
    if (!r || r.closed) return;
    r.closed = true;
    r.media.close().catch((e: unknown) => this.log.warn('closing call media failed', { callID, error: e instanceof Error ? e.message : String(e) }));
  }

  // ---------------------------------------------------------------- actions

  private getTelephonyIdentity(): ActionArgs {
    const id = this.opts.line.identity();
    if (!id) throw cmError(714);
    return { TelephonyIdentity: id };
  }

  private newCallID(): string {
    return `call-${this.idPrefix}-${this.nextId++}`;
  }

  private newCall(direction: 'incoming' | 'outgoing', remote: RemotePeer, lineCallId: string, callID = this.newCallID()): Call {
    const call = new Call(callID, direction, remote, lineCallId, this.opts.clock.now());
    this.calls.set(call.callID, call);
    this.byLineId.set(lineCallId, call);
    return call;
  }

  private liveCalls(): number {
    return [...this.calls.values()].filter((c) => c.status !== 'Disconnected').length;
  }

  private checkCallee(callee: string, invalidCode: 704 | 709): void {
    const kind = calleeKind(callee, (n) => this.opts.registry.isRegistered(n));
    if (!kind) throw cmError(invalidCode, `CalleeID ${JSON.stringify(callee)} is neither a sip:, sips: or tel: URI nor a registered TelCPName`);
  }

  private startCall(a: ActionArgs): ActionArgs {
    const who = this.presented(a);
    const mode = this.callMode(str(a, 'CallMode'), who);
    const callee = str(a, 'CalleeID').trim();
    this.checkCallee(callee, 704);
    const info = this.mediaInfo(str(a, 'MediaCapabilityInfo'), true);
    if (info.mediaCapability) this.requireSubset(info.mediaCapability.content, this.media.tcBased, 'mediaCapability');
    if (info.nativeMediaCapability) this.requireSubset(info.nativeMediaCapability.content, this.media.native, 'nativeMediaCapability');
    if (this.liveCalls() >= (this.opts.maxCalls ?? 8)) throw cmError(708);
    const priority = str(a, 'CallPriority') === 'Emergency' ? 'Emergency' : 'Normal';
    // The offer to the Remote Party: the TC-based streams and the TS-native ones chosen (C.34 has both), else native.
    const offer = combine(info.mediaCapability?.content, info.nativeMediaCapability?.content) ?? this.ownMedia;
    // With a media plane the Remote Party gets the TS's own address and WAN ports, never the TC's.
    const callID = this.newCallID();
    const media = this.openMedia(callID);
    let sdpOffer = offer;
    let lineCallId: string;
    try {
      if (media) sdpOffer = this.wanSdp(media, offer, callID, true);
      lineCallId = this.opts.line.place({ callee, priority, sdpOffer, ...(who.name ? { caller: who.name } : {}) });
    } catch (e) {
      this.closeMedia(callID);
      this.callMedia.delete(callID);
      throw e;
    }
    const call = this.newCall('outgoing', { id: peerIdOf(callee) }, lineCallId, callID);
    call.mode = mode;
    call.priority = priority;
    if (mode === 'PHONE-TelCP') call.monopolizer = who.name;
    call.mediaCapability = info.mediaCapability?.content;
    call.nativeMediaCapability = info.nativeMediaCapability?.content;
    if (!info.mediaCapability && !info.nativeMediaCapability) {
      if (this.media.native) call.nativeMediaCapability = this.media.native;
      else call.mediaCapability = this.media.tcBased;
    }
    this.setMediaOptions(call, info);
    this.log.info('call', { callID: call.callID, to: 'Dialing', callee, mode, monopolizer: call.monopolizer });
    this.eventCall(call);
    return { CallID: call.callID };
  }

  private initiateCall(a: ActionArgs): ActionArgs {
    const callee = str(a, 'CalleeID').trim();
    this.checkCallee(callee, 709);
    if (this.liveCalls() >= (this.opts.maxCalls ?? 8)) throw cmError(708);
    // Not managed by the UPnP telephony functions: TS-native media only (2.6.15), running from the start (no
    // StartMediaTransfer follows).
    const callID = this.newCallID();
    const media = this.openMedia(callID);
    let sdpOffer = this.ownMedia;
    let lineCallId: string;
    try {
      if (media) {
        media.setNative(this.media.native ? [...mediaTypesOf(this.media.native)] : undefined);
        sdpOffer = this.wanSdp(media, this.ownMedia, callID, false);
      }
      lineCallId = this.opts.line.place({ callee, priority: 'Normal', sdpOffer });
    } catch (e) {
      this.closeMedia(callID);
      this.callMedia.delete(callID);
      throw e;
    }
    const call = this.newCall('outgoing', { id: peerIdOf(callee) }, lineCallId, callID);
    call.nativeMediaCapability = this.ownMedia;
    this.log.info('call', { callID: call.callID, to: 'Dialing', callee, initiatedBy: 'InitiateCall' });
    this.eventCall(call);
    return { CallID: call.callID };
  }

  private setMediaOptions(call: Call, info: MediaCapabilityInfo): void {
    if (info.enableMediaMixing !== undefined || info.shareMedia !== undefined) {
      call.enableMediaMixing = info.enableMediaMixing;
      call.shareMedia = info.shareMedia;
    }
  }

  private stopCall(a: ActionArgs): ActionArgs {
    const call = this.callFor(str(a, 'CallID'), 'StopCall');
    const who = this.presented(a);
    this.authorizeManager(call, who);
    if (call.status === 'Ringing') this.authorizeAnswerer(call, who);
    const line = this.opts.line;
    switch (call.status) {
      case 'Dialing':
      case 'Calling':
        line.cancel(call.lineCallId);
        this.move(call, 'StopCall', 'Cancelled');
        break;
      case 'Ringing':
        line.reject(call.lineCallId, 'Rejected');
        this.move(call, 'StopCall', 'Rejected');
        break;
      default:
        line.hangUp(call.lineCallId);
        this.move(call, 'StopCall');
    }
    return {};
  }

  private acceptCall(a: ActionArgs): ActionArgs {
    const call = this.callFor(str(a, 'TargetCallID'), 'AcceptCall');
    const who = this.presented(a);
    this.authorizeAnswerer(call, who);
    const mode = this.callMode(str(a, 'CallMode'), who);
    const info = this.mediaInfo(str(a, 'MediaCapabilityInfo'), true);
    // The answer is a subset of what the caller offered, as the TelCP was shown it (707 otherwise): TC-based
    // streams, TS-native ones, or both.
    const offer = call.mediaCapability ?? call.nativeMediaCapability;
    const shown = offer && this.homeView(call, offer);
    for (const part of [info.mediaCapability, info.nativeMediaCapability]) {
      if (part && shown) this.requireSubset(part.content, shown, 'answer');
    }
    let answer = combine(info.mediaCapability?.content, info.nativeMediaCapability?.content) ?? offer;
    // With a media plane the Remote Party is answered with the TS's own address and WAN ports.
    const media = this.mediaOf(call);
    if (media) answer = this.wanSdp(media, answer ?? this.ownMedia, call.callID, false);
    call.mode = mode;
    if (mode === 'PHONE-TelCP') call.monopolizer = who.name;
    call.allowedAnswerers = '*';
    if (info.mediaCapability || info.nativeMediaCapability) {
      call.mediaCapability = info.mediaCapability?.content;
      call.nativeMediaCapability = info.nativeMediaCapability?.content;
    } else {
      call.nativeMediaCapability = undefined;
    }
    this.setMediaOptions(call, info);
    this.opts.line.answer(call.lineCallId, answer);
    this.move(call, 'AcceptCall');
    return {};
  }

  private rejectCall(a: ActionArgs): ActionArgs {
    const call = this.callFor(str(a, 'TargetCallID'), 'RejectCall');
    const who = this.presented(a);
    if (call.status === 'Ringing') {
      this.authorizeAnswerer(call, who);
      this.opts.line.reject(call.lineCallId, /busy/i.test(str(a, 'RejectReason')) ? 'Busy' : 'Rejected');
    } else {
      this.authorizeManager(call, who);
      call.pendingRemoteOffer = undefined;
      this.opts.line.rejectModify(call.lineCallId);
    }
    this.move(call, 'RejectCall', 'Rejected');
    return {};
  }

  private modifyCall(a: ActionArgs): ActionArgs {
    const call = this.callFor(str(a, 'TargetCallID'), 'ModifyCall');
    this.authorizeManager(call, this.presented(a));
    const info = this.mediaInfo(str(a, 'MediaCapabilityInfo'), false);
    // TC-based and TS-based media may change together (3.2.3: video added on a TC to the TS's own audio).
    const requested = combine(info.mediaCapability?.content, info.nativeMediaCapability?.content);
    if (!requested) throw cmError(707, 'no media capability to modify to');
    if (info.mediaCapability) this.requireSubset(info.mediaCapability.content, this.media.tcBased, 'modification');
    if (info.nativeMediaCapability) this.requireSubset(info.nativeMediaCapability.content, this.media.native, 'modification');
    // The re-offer keeps the TS's WAN ports (a change of TC is not seen by the Remote Party, C.27).
    const media = this.mediaOf(call);
    const offer = media ? this.wanSdp(media, requested, call.callID, false) : requested;
    call.pendingNativeTypes = info.mediaCapability && info.nativeMediaCapability ? [...mediaTypesOf(info.nativeMediaCapability.content)] : undefined;
    this.setMediaOptions(call, info);
    // Mixing is switched on or off at once (2.3.1: "at any time ... by invoking ModifyCall()").
    if (media && info.enableMediaMixing !== undefined) media.setClients([], { mixing: info.enableMediaMixing, join: true });
    this.opts.line.modify(call.lineCallId, offer);
    this.move(call, 'ModifyCall');
    return {};
  }

  private acceptModifyCall(a: ActionArgs): ActionArgs {
    const call = this.callFor(str(a, 'TargetCallID'), 'AcceptModifyCall');
    this.authorizeManager(call, this.presented(a));
    const info = this.mediaInfo(str(a, 'MediaCapabilityInfo'), true);
    const chosen = (info.mediaCapability ?? info.nativeMediaCapability)?.content ?? call.pendingRemoteOffer;
    if (!chosen) throw cmError(707, 'no media capability');
    if (call.pendingRemoteOffer) this.requireSubset(chosen, this.homeView(call, call.pendingRemoteOffer), 'answer to the modification');
    let answer = chosen;
    const media = this.mediaOf(call);
    if (media) {
      if (call.pendingRemoteOffer) media.setRemote(call.pendingRemoteOffer, 'offer');
      answer = this.wanSdp(media, chosen, call.callID, false);
    }
    call.pendingRemoteOffer = undefined;
    if (info.nativeMediaCapability) call.nativeMediaCapability = chosen;
    else call.mediaCapability = chosen;
    this.setMediaOptions(call, info);
    this.opts.line.acceptModify(call.lineCallId, answer);
    this.move(call, 'AcceptModifyCall');
    return {};
  }

  private startMediaTransfer(a: ActionArgs): ActionArgs {
    const call = this.callFor(str(a, 'TargetCallID'), 'StartMediaTransfer');
    this.authorizeManager(call, this.presented(a));
    // On a Call already Talking another TC joins (C.19 F23, C.21 F21): its TCs and streams are added.
    const joining = call.status === 'Talking';
    const tcText = str(a, 'TCList');
    let given: Array<{ udn?: string; mediaSessionID?: string }> = [];
    if (tcText.trim() !== '') {
      const tcs = parseTCList(tcText);
      if (!tcs.ok) throw new UpnpError(402, 'Invalid Args');
      given = tcs.value.map((t) => ({ ...(t.udn ? { udn: t.udn } : {}), ...(t.mediaSessionID ? { mediaSessionID: t.mediaSessionID } : {}) }));
      const known = (t: { udn?: string; mediaSessionID?: string }): boolean =>
        call.tcList.some((k) => k.udn === t.udn && k.mediaSessionID === t.mediaSessionID);
      call.tcList = joining ? [...call.tcList, ...given.filter((t) => !known(t))] : given;
    }
    const info = this.mediaInfo(str(a, 'MediaCapabilityInfo'), true);
    const update = (current: string | undefined, next: string | undefined): string | undefined =>
      next === undefined ? current : joining && current ? mergeSdp(current, next) : next;
    call.mediaCapability = update(call.mediaCapability, info.mediaCapability?.content);
    call.nativeMediaCapability = update(call.nativeMediaCapability, info.nativeMediaCapability?.content);
    this.setMediaOptions(call, info);
    if (!this.move(call, 'StartMediaTransfer')) throw cmError(712);
    const media = this.mediaOf(call);
    if (media) {
      // The TCs' own SDP (C.12 F29): where each TC receives and what it sends from; the TS's own media starts too.
      const tcSdp = info.mediaCapability?.content ?? (joining ? undefined : call.mediaCapability);
      const clients = tcSdp ? clientsOf(given, tcSdp) : [];
      media.setClients(clients, {
        join: joining,
        ...(info.enableMediaMixing !== undefined ? { mixing: info.enableMediaMixing } : {}),
        ...(info.shareMedia !== undefined ? { shareMedia: info.shareMedia } : {}),
      });
      // The TS's own media: what this request names as native, else what the Call had, less what it now gives a TC.
      const tcTypes = info.mediaCapability ? mediaTypesOf(info.mediaCapability.content) : new Set<string>();
      const nativeTypes = info.nativeMediaCapability
        ? [...mediaTypesOf(info.nativeMediaCapability.content)]
        : call.nativeMediaCapability
          ? [...mediaTypesOf(call.nativeMediaCapability)].filter((t) => !tcTypes.has(t))
          : [];
      media.setNative(nativeTypes);
    }
    return {};
  }

  private changeMonopolizer(a: ActionArgs): ActionArgs {
    const call = this.callFor(str(a, 'CallID'), 'ChangeMonopolizer');
    if (call.monopolizer === undefined) throw cmError(703, `${call.callID} is not a Monopolization Mode Call`);
    this.authorizeManager(call, this.presented(a, 'CurrentMonopolizer'));
    const next = str(a, 'NewMonopolizer');
    if (!this.opts.registry.isRegistered(next)) throw cmError(710, `${next} is not a registered TelCPName`);
    call.monopolizer = next;
    this.log.info('call', { callID: call.callID, monopolizer: next });
    this.move(call, 'ChangeMonopolizer');
    return {};
  }

  /**
   * GetCallInfo (2.6.16): a restricted Call is described in full only to its Monopolizer or allowed
   * answerers. Presenting a valid identity that is not entitled to a named Call answers 713; no
   * identity (or asking for every Call) gets the general elements.
   */
  private getCallInfo(a: ActionArgs): ActionArgs {
    const who = this.presented(a);
    if (who.name !== '' && !this.opts.registry.verify(who.name, who.key)) throw cmError(701);
    const target = str(a, 'TargetCallID');
    let calls: Call[];
    if (target === '') {
      calls = [...this.calls.values()];
    } else {
      const call = this.calls.get(target);
      if (!call) throw cmError(703, `no Call ${JSON.stringify(target)}`);
      if (who.name !== '' && !this.entitled(call, who)) throw cmError(713, `${who.name} may not see ${target}`);
      calls = [call];
    }
    const infos = calls.map((c) => (this.entitled(c, who) ? this.callInfo(c) : generalOf(this.callInfo(c))));
    return { CallInfoList: buildCallInfoList(infos) };
  }

  // ---------------------------------------------------------------- logs and callbacks

  private logCall(call: Call): void {
    const sdp = call.mediaCapability ?? call.nativeMediaCapability ?? '';
    const media = parseSdpMedia(sdp);
    const types = media.ok ? media.value.filter((m) => m.port !== 0).map((m) => m.type) : [];
    const type = types.includes('video') ? 'video' : types.includes('audio') || types.length === 0 ? 'audio' : 'data';
    const home = { id: this.opts.line.identity() ?? 'home' };
    const remote = { id: call.remoteParty.id, ...(call.remoteParty.name ? { name: call.remoteParty.name } : {}) };
    this.opts.callLogs.append({
      callID: call.callID,
      direction: call.direction,
      success: call.connectedAt !== undefined,
      type,
      caller: call.direction === 'outgoing' ? home : remote,
      callee: call.direction === 'outgoing' ? remote : home,
      startTime: new Date(call.startedAt).toISOString(),
      durationMs: call.connectedAt !== undefined ? (call.endedAt ?? call.connectedAt) - call.connectedAt : 0,
    });
  }

  private callLogs(): string {
    return buildCallLogs(
      this.opts.callLogs.list().map((e) => ({
        direction: e.direction,
        success: e.success,
        type: e.type,
        caller: [{ ...e.caller }],
        callee: [{ ...e.callee }],
        startDateTime: e.startTime,
        durationMs: e.durationMs,
      })),
    );
  }

  private registerCallBack(a: ActionArgs): ActionArgs {
    const callee = str(a, 'CalleeID').trim();
    this.checkCallee(callee, 709);
    const entry = this.opts.callBacks.register({
      callbackID: `cb-${randomBytes(6).toString('hex')}`,
      calleeID: callee,
      registeredAt: new Date(this.opts.clock.now()).toISOString(),
    });
    this.opts.line.watchAvailability(callee, true);
    return { CallBackID: entry.callbackID };
  }

  private clearCallBack(id: string): ActionArgs {
    const entries = this.opts.callBacks.list();
    const cleared = id === '' ? entries : entries.filter((e) => e.callbackID === id);
    if (id !== '' && cleared.length === 0) throw cmError(711, `no callback ${JSON.stringify(id)}`);
    if (id === '') this.opts.callBacks.removeAll();
    else this.opts.callBacks.remove(id);
    const still = new Set(this.opts.callBacks.list().map((e) => e.calleeID));
    for (const e of cleared) if (!still.has(e.calleeID)) this.opts.line.watchAvailability(e.calleeID, false);
    return {};
  }

  private callBackInfo(): string {
    return buildCallBackInfoList(this.opts.callBacks.list().map((e) => ({ callBackID: e.callbackID, callee: [{ id: e.calleeID }] })));
  }

  // ---------------------------------------------------------------- the line's events

  private lineCall(lineCallId: string, what: string): Call | undefined {
    const call = this.byLineId.get(lineCallId);
    if (!call) this.log.debug(`line reported ${what} for an unknown call`, { lineCallId });
    return call;
  }

  incoming(lineCallId: string, from: RemotePeer, to: string, sdpOffer: string | undefined): void {
    if (this.liveCalls() >= (this.opts.maxCalls ?? 8)) {
      this.log.info('incoming call refused: no resource left', { from: from.id });
      this.opts.line.reject(lineCallId, 'Busy');
      return;
    }
    const call = this.newCall('incoming', from, lineCallId);
    const media = this.openMedia(call.callID);
    if (media && sdpOffer) media.setRemote(sdpOffer, 'offer');
    // A call to a TelCP of the home (2.4.10) is for that TelCP alone; others follow the policy.
    call.allowedAnswerers = this.opts.registry.isRegistered(to) ? [to] : (this.opts.answerers?.(from, to) ?? '*');
    call.mediaCapability = sdpOffer;
    // A TS with media of its own tells which part of the offer it could take itself (C.34 F9).
    call.nativeMediaCapability = sdpOffer && this.nativePartOf(sdpOffer);
    this.log.info('call', { callID: call.callID, to: 'Ringing', from: from.id, answerers: String(call.allowedAnswerers) });
    this.eventCall(call);
  }

  provisional(lineCallId: string): void {
    const call = this.lineCall(lineCallId, 'provisional');
    if (call && call.status === 'Dialing') this.move(call, 'RemoteProvisional');
  }

  answered(lineCallId: string, sdpAnswer: string | undefined): void {
    const call = this.lineCall(lineCallId, 'answered');
    if (!call) return;
    if (sdpAnswer) this.mediaOf(call)?.setRemote(sdpAnswer, 'answer');
    if (sdpAnswer) {
      // Each part of the Call keeps the answer's streams of its own media types.
      if (call.mediaCapability && call.nativeMediaCapability) {
        call.mediaCapability = sdpOfTypes(sdpAnswer, mediaTypesOf(call.mediaCapability)) ?? call.mediaCapability;
        call.nativeMediaCapability = sdpOfTypes(sdpAnswer, mediaTypesOf(call.nativeMediaCapability)) ?? call.nativeMediaCapability;
      } else if (call.mediaCapability) call.mediaCapability = sdpAnswer;
      else call.nativeMediaCapability = sdpAnswer;
    }
    this.move(call, 'RemoteAnswered');
  }

  failed(lineCallId: string, reason: LineFailure): void {
    const call = this.lineCall(lineCallId, 'failure');
    if (call) this.move(call, 'RemoteFailed', reason === 'Error' ? undefined : reason);
  }

  remoteCancelled(lineCallId: string): void {
    const call = this.lineCall(lineCallId, 'cancel');
    if (call) this.move(call, 'RemoteCancelled', 'Cancelled');
  }

  remoteHangUp(lineCallId: string): void {
    const call = this.lineCall(lineCallId, 'hang-up');
    if (call && !this.move(call, 'RemoteHangUp')) this.move(call, 'RemoteFailed');
  }

  remoteModify(lineCallId: string, sdpOffer: string): void {
    const call = this.lineCall(lineCallId, 'modify request');
    if (!call) return;
    if (call.status !== 'Talking') {
      // A request crossing ours or arriving before media runs: refuse it, the Call stays as it is.
      this.opts.line.rejectModify(lineCallId);
      return;
    }
    call.pendingRemoteOffer = sdpOffer;
    this.move(call, 'RemoteModifyRequest');
  }

  remoteModifyCancelled(lineCallId: string): void {
    const call = this.lineCall(lineCallId, 'modify cancel');
    if (!call) return;
    call.pendingRemoteOffer = undefined;
    this.move(call, 'RemoteModifyCancelled', 'Cancelled');
  }

  modifyAccepted(lineCallId: string, sdpAnswer: string): void {
    const call = this.lineCall(lineCallId, 'modify accepted');
    if (!call) return;
    if (sdpAnswer) this.mediaOf(call)?.setRemote(sdpAnswer, 'answer');
    const native = call.pendingNativeTypes;
    call.pendingNativeTypes = undefined;
    if (native) {
      // Each part keeps the answer's streams of its own media types, as after StartCall (answered()).
      call.nativeMediaCapability = sdpOfTypes(sdpAnswer, new Set(native));
      call.mediaCapability = sdpOfTypes(sdpAnswer, new Set([...mediaTypesOf(sdpAnswer)].filter((t) => !native.includes(t))));
    } else if (call.mediaCapability !== undefined || call.nativeMediaCapability === undefined) call.mediaCapability = sdpAnswer;
    else call.nativeMediaCapability = sdpAnswer;
    this.move(call, 'RemoteModifyAccepted');
  }

  modifyRejected(lineCallId: string): void {
    const call = this.lineCall(lineCallId, 'modify rejected');
    if (!call) return;
    call.pendingNativeTypes = undefined;
    this.move(call, 'RemoteModifyRejected', 'Rejected');
  }

  availability(calleeId: string, available: boolean): void {
    if (!available) return;
    const ids = this.opts.callBacks.list().filter((e) => e.calleeID === calleeId).map((e) => e.callbackID);
    const [first, ...rest] = ids;
    if (first === undefined) return;
    this.log.info('callee available for callback', { callee: calleeId });
    this.event({ CallBackAvailability: buildCallBackAvailability({ callBackIDs: [first, ...rest] }) });
  }
}

/**
 * The clients of a StartMediaTransfer: each TC of the TCList with its own SDP. One SDP names every TC's address per
 * m-line (C.20 F21: audio at TC1, video at TC2), so with as many m-lines as TCs each TC gets its own m-line (in
 * order); otherwise every TC gets the whole SDP (the relay takes each address once).
 */
export function clientsOf(tcs: ReadonlyArray<{ udn?: string; mediaSessionID?: string }>, sdp: string): MediaClient[] {
  if (tcs.length <= 1) return [{ ...tcs[0], sdp }];
  const lines = sdp.split(/\r\n|\r|\n/).map((l) => l.trim()).filter((l) => l !== '');
  const first = lines.findIndex((l) => l.startsWith('m='));
  const session = first < 0 ? lines : lines.slice(0, first);
  const sections: string[][] = [];
  for (const l of first < 0 ? [] : lines.slice(first)) {
    if (l.startsWith('m=')) sections.push([l]);
    else sections[sections.length - 1]!.push(l);
  }
  if (sections.length !== tcs.length) return tcs.map((t) => ({ ...t, sdp }));
  return tcs.map((t, i) => ({ ...t, sdp: [...session, ...sections[i]!].map((l) => `${l}\r\n`).join('') }));
}

/** TC-based and TS-native media as one SDP (either may be absent). */
function combine(tcBased: string | undefined, native: string | undefined): string | undefined {
  if (tcBased && native) return mergeSdp(tcBased, native);
  return tcBased ?? native;
}

function generalOf(info: CallInfo): CallInfo {
  return { callID: info.callID, targetNames: info.targetNames, callStatus: info.callStatus, ...(info.reason ? { reason: info.reason } : {}) };
}
