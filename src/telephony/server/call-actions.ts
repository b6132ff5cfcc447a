/**
 * The Call actions of CallManagement (2.6.7-2.6.16): StartCall, InitiateCall, StopCall, AcceptCall, RejectCall,
 * ModifyCall, AcceptModifyCall, StartMediaTransfer, ChangeMonopolizer and GetCallInfo, with the arguments the
 * contract types. Each checks who may act (CallAuthorization), what media it names (MediaCapabilities), tells
 * the line and moves the Call (CallTable).
 */
import type { Logger } from '../../base/index.js';
import { UpnpError, type InArgs, type OutArgs } from '../../upnp/index.js';
import { cmError, parseTCList, type CallManagementActionName, type callManagementContract, type MediaCapabilityInfo } from '../contracts/index.js';
import { mediaTypesOf, mergeSdp } from '../../media/sdp/index.js';
import { isPhoneAnswerer, peerIdOf, type Call, type CallMedia, type Line, type OutgoingCallRequest } from '../domain/index.js';
import { presented, type CallAuthorization } from './call-authorization.js';
import type { CallDecisions } from './call-decisions.js';
import type { CallInfoViews } from './call-info-views.js';
import { clientsOf, type CallMediaRecords } from './call-media.js';
import type { CallTable } from './call-table.js';
import { combine, type MediaCapabilities } from './media-capabilities.js';

type In<A extends CallManagementActionName> = InArgs<typeof callManagementContract, A>;
type Out<A extends CallManagementActionName> = OutArgs<typeof callManagementContract, A>;

export interface CallActionsOptions {
  readonly line: Line;
  readonly auth: CallAuthorization;
  readonly capabilities: MediaCapabilities;
  readonly media: CallMediaRecords;
  readonly calls: CallTable;
  readonly views: CallInfoViews;
  readonly logger: Logger;
  /** The first decision about a Ringing Call wins (seed 004 2.2 3): AcceptCall, RejectCall and StopCall claim it. */
  readonly decisions: CallDecisions;
}

export class CallActions {
  constructor(private readonly o: CallActionsOptions) {}

  startCall(a: In<'StartCall'>): Out<'StartCall'> {
    const { auth, capabilities } = this.o;
    const who = presented(a);
    const mode = auth.callMode(a.CallMode, who);
    const callee = a.CalleeID.trim();
    auth.checkCallee(callee, 704);
    const info = capabilities.parse(a.MediaCapabilityInfo, true);
    capabilities.requireOwn(info);
    if (this.o.calls.full()) throw cmError(708);
    const priority = a.CallPriority === 'Emergency' ? 'Emergency' : 'Normal';
    // The offer to the Remote Party: the TC-based streams and the TS-native ones chosen (C.34 has both), else native.
    const offer = combine(info.mediaCapability?.content, info.nativeMediaCapability?.content) ?? capabilities.ownMedia;
    // With a media plane the Remote Party gets the TS's own address and WAN ports, never the TC's.
    const call = this.place(callee, (media, callID) => ({
      callee,
      priority,
      sdpOffer: media ? this.o.media.wanSdp(media, offer, callID, true) : offer,
      ...(who.name ? { caller: who.name } : {}),
    }));
    call.mode = mode;
    call.priority = priority;
    if (mode === 'PHONE-TelCP') call.monopolizer = who.name;
    call.mediaCapability = info.mediaCapability?.content;
    call.nativeMediaCapability = info.nativeMediaCapability?.content;
    if (!info.mediaCapability && !info.nativeMediaCapability) {
      if (capabilities.profile.native) call.nativeMediaCapability = capabilities.profile.native;
      else call.mediaCapability = capabilities.profile.tcBased;
    }
    setMediaOptions(call, info);
    this.o.logger.info('call', { callID: call.callID, to: 'Dialing', callee, mode, monopolizer: call.monopolizer });
    this.o.views.event(call);
    return { CallID: call.callID };
  }

  initiateCall(a: In<'InitiateCall'>): Out<'InitiateCall'> {
    const callee = a.CalleeID.trim();
    this.o.auth.checkCallee(callee, 709);
    if (this.o.calls.full()) throw cmError(708);
    // Not managed by the UPnP telephony functions: TS-native media only (2.6.15), running from the start (no
    // StartMediaTransfer follows).
    const { profile, ownMedia } = this.o.capabilities;
    const call = this.place(callee, (media, callID) => {
      if (!media) return { callee, priority: 'Normal', sdpOffer: ownMedia };
      media.setNative(profile.native ? [...mediaTypesOf(profile.native)] : undefined);
      return { callee, priority: 'Normal', sdpOffer: this.o.media.wanSdp(media, ownMedia, callID, false) };
    });
    call.nativeMediaCapability = ownMedia;
    this.o.logger.info('call', { callID: call.callID, to: 'Dialing', callee, initiatedBy: 'InitiateCall' });
    this.o.views.event(call);
    return { CallID: call.callID };
  }

  stopCall(a: In<'StopCall'>): Out<'StopCall'> {
    const call = this.o.calls.forAction(a.CallID, 'StopCall');
    const who = presented(a);
    this.o.auth.authorizeManager(call, who);
    if (call.status === 'Ringing') this.o.auth.authorizeAnswerer(call, who);
    const { line, calls } = this.o;
    switch (call.status) {
      case 'Dialing':
      case 'Calling':
        line.cancel(call.lineCallId);
        calls.move(call, 'StopCall', 'Cancelled');
        break;
      case 'Ringing':
        this.o.decisions.claimForTelCP(call, { action: 'reject' }, who.name);
        line.reject(call.lineCallId, 'Rejected');
        calls.move(call, 'StopCall', 'Rejected');
        break;
      default:
        line.hangUp(call.lineCallId);
        calls.move(call, 'StopCall');
    }
    return {};
  }

  acceptCall(a: In<'AcceptCall'>): Out<'AcceptCall'> {
    const call = this.o.calls.forAction(a.TargetCallID, 'AcceptCall');
    const who = presented(a);
    this.o.auth.authorizeAnswerer(call, who);
    const mode = this.o.auth.callMode(a.CallMode, who);
    const info = this.o.capabilities.parse(a.MediaCapabilityInfo, true);
    // The answer is a subset of what the caller offered, as the TelCP was shown it (707 otherwise): TC-based
    // streams, TS-native ones, or both.
    const offer = call.mediaCapability ?? call.nativeMediaCapability;
    const shown = offer && this.o.media.homeView(call, offer);
    for (const part of [info.mediaCapability, info.nativeMediaCapability]) {
      if (part && shown) this.o.capabilities.requireSubset(part.content, shown, 'answer');
    }
    let answer = combine(info.mediaCapability?.content, info.nativeMediaCapability?.content) ?? offer;
    // With a media plane the Remote Party is answered with the TS's own address and WAN ports.
    const media = this.o.media.of(call);
    if (media) answer = this.o.media.wanSdp(media, answer ?? this.o.capabilities.ownMedia, call.callID, false);
    this.o.decisions.claimForTelCP(call, { action: 'accept' }, who.name);
    call.mode = mode;
    if (mode === 'PHONE-TelCP') call.monopolizer = who.name;
    call.allowedAnswerers = '*';
    if (who.name) call.answeredBy = who.name;
    if (info.mediaCapability || info.nativeMediaCapability) {
      call.mediaCapability = info.mediaCapability?.content;
      call.nativeMediaCapability = info.nativeMediaCapability?.content;
    } else {
      call.nativeMediaCapability = undefined;
    }
    setMediaOptions(call, info);
    this.o.line.answer(call.lineCallId, answer);
    this.o.calls.move(call, 'AcceptCall');
    return {};
  }

  rejectCall(a: In<'RejectCall'>): Out<'RejectCall'> {
    const call = this.o.calls.forAction(a.TargetCallID, 'RejectCall');
    const who = presented(a);
    if (call.status === 'Ringing') {
      this.o.auth.authorizeAnswerer(call, who);
      const busy = /busy/i.test(a.RejectReason);
      this.o.decisions.claimForTelCP(call, { action: 'reject', status: busy ? 486 : 603 }, who.name);
      this.o.line.reject(call.lineCallId, busy ? 'Busy' : 'Rejected');
    } else {
      this.o.auth.authorizeManager(call, who);
      call.pendingRemoteOffer = undefined;
      this.o.line.rejectModify(call.lineCallId);
    }
    this.o.calls.move(call, 'RejectCall', 'Rejected');
    return {};
  }

  modifyCall(a: In<'ModifyCall'>): Out<'ModifyCall'> {
    const call = this.o.calls.forAction(a.TargetCallID, 'ModifyCall');
    this.o.auth.authorizeManager(call, presented(a));
    const info = this.o.capabilities.parse(a.MediaCapabilityInfo, false);
    // TC-based and TS-based media may change together (3.2.3: video added on a TC to the TS's own audio).
    const requested = combine(info.mediaCapability?.content, info.nativeMediaCapability?.content);
    if (!requested) throw cmError(707, 'no media capability to modify to');
    this.o.capabilities.requireOwn(info, 'modification');
    // The re-offer keeps the TS's WAN ports (a change of TC is not seen by the Remote Party, C.27).
    const media = this.o.media.of(call);
    const offer = media ? this.o.media.wanSdp(media, requested, call.callID, false) : requested;
    call.pendingNativeTypes = info.mediaCapability && info.nativeMediaCapability ? [...mediaTypesOf(info.nativeMediaCapability.content)] : undefined;
    setMediaOptions(call, info);
    // Mixing is switched on or off at once (2.3.1: "at any time ... by invoking ModifyCall()").
    if (media && info.enableMediaMixing !== undefined) media.setClients([], { mixing: info.enableMediaMixing, join: true });
    this.o.line.modify(call.lineCallId, offer);
    this.o.calls.move(call, 'ModifyCall');
    return {};
  }

  acceptModifyCall(a: In<'AcceptModifyCall'>): Out<'AcceptModifyCall'> {
    const call = this.o.calls.forAction(a.TargetCallID, 'AcceptModifyCall');
    this.o.auth.authorizeManager(call, presented(a));
    const info = this.o.capabilities.parse(a.MediaCapabilityInfo, true);
    const chosen = (info.mediaCapability ?? info.nativeMediaCapability)?.content ?? call.pendingRemoteOffer;
    if (!chosen) throw cmError(707, 'no media capability');
    if (call.pendingRemoteOffer) this.o.capabilities.requireSubset(chosen, this.o.media.homeView(call, call.pendingRemoteOffer), 'answer to the modification');
    let answer = chosen;
    const media = this.o.media.of(call);
    if (media) {
      if (call.pendingRemoteOffer) media.setRemote(call.pendingRemoteOffer, 'offer');
      answer = this.o.media.wanSdp(media, chosen, call.callID, false);
    }
    call.pendingRemoteOffer = undefined;
    if (info.nativeMediaCapability) call.nativeMediaCapability = chosen;
    else call.mediaCapability = chosen;
    setMediaOptions(call, info);
    this.o.line.acceptModify(call.lineCallId, answer);
    this.o.calls.move(call, 'AcceptModifyCall');
    return {};
  }

  startMediaTransfer(a: In<'StartMediaTransfer'>): Out<'StartMediaTransfer'> {
    const call = this.o.calls.forAction(a.TargetCallID, 'StartMediaTransfer');
    const who = presented(a);
    this.o.auth.authorizeManager(call, who);
    const info = this.o.capabilities.parse(a.MediaCapabilityInfo, true);
    // A Call a phone of the home answered, given TCs and their media: a screen takes it over (issue 14) — the TCs
    // replace the phone, whose leg ends (phone-ringing.ts hears that the Call's answerer changed).
    const takeover = call.status === 'Talking' && isPhoneAnswerer(call.answeredBy) && a.TCList.trim() !== '' && info.mediaCapability !== undefined;
    // On a Call already Talking another TC joins (C.19 F23, C.21 F21): its TCs and streams are added.
    const joining = call.status === 'Talking' && !takeover;
    let given: Array<{ udn?: string; mediaSessionID?: string }> = [];
    if (a.TCList.trim() !== '') {
      const tcs = parseTCList(a.TCList);
      if (!tcs.ok) throw new UpnpError(402, 'Invalid Args');
      given = tcs.value.map((t) => ({ ...(t.udn ? { udn: t.udn } : {}), ...(t.mediaSessionID ? { mediaSessionID: t.mediaSessionID } : {}) }));
      const known = (t: { udn?: string; mediaSessionID?: string }): boolean =>
        call.tcList.some((k) => k.udn === t.udn && k.mediaSessionID === t.mediaSessionID);
      // The device that answered an incoming Call: the first TC to take its media.
      if (call.status === 'Connected' && call.direction === 'incoming' && given[0]?.udn) call.answeredBy = given[0].udn;
      if (takeover) call.answeredBy = given[0]?.udn ?? who.name;
      call.tcList = joining ? [...call.tcList, ...given.filter((t) => !known(t))] : given;
    }
    const update = (current: string | undefined, next: string | undefined): string | undefined =>
      next === undefined ? current : joining && current ? mergeSdp(current, next) : next;
    call.mediaCapability = update(call.mediaCapability, info.mediaCapability?.content);
    call.nativeMediaCapability = update(call.nativeMediaCapability, info.nativeMediaCapability?.content);
    setMediaOptions(call, info);
    if (!this.o.calls.move(call, 'StartMediaTransfer')) throw cmError(712);
    const media = this.o.media.of(call);
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

  changeMonopolizer(a: In<'ChangeMonopolizer'>): Out<'ChangeMonopolizer'> {
    const call = this.o.calls.forAction(a.CallID, 'ChangeMonopolizer');
    if (call.monopolizer === undefined) throw cmError(703, `${call.callID} is not a Monopolization Mode Call`);
    this.o.auth.authorizeManager(call, { name: a.CurrentMonopolizer, key: a.SecretKey });
    const next = a.NewMonopolizer;
    if (!this.o.auth.isRegistered(next)) throw cmError(710, `${next} is not a registered TelCPName`);
    call.monopolizer = next;
    this.o.logger.info('call', { callID: call.callID, monopolizer: next });
    this.o.calls.move(call, 'ChangeMonopolizer');
    return {};
  }

  /**
   * GetCallInfo (2.6.16): a restricted Call is described in full only to its Monopolizer or allowed
   * answerers. Presenting a valid identity that is not entitled to a named Call answers 713; no
   * identity (or asking for every Call) gets the general elements.
   */
  getCallInfo(a: In<'GetCallInfo'>): Out<'GetCallInfo'> {
    const who = presented(a);
    if (who.name !== '' && !this.o.auth.verify(who)) throw cmError(701);
    const target = a.TargetCallID;
    let calls: Call[];
    if (target === '') {
      calls = this.o.calls.all();
    } else {
      const call = this.o.calls.get(target);
      if (!call || call.hidden) throw cmError(703, `no Call ${JSON.stringify(target)}`);
      if (who.name !== '' && !this.o.auth.entitled(call, who)) throw cmError(713, `${who.name} may not see ${target}`);
      calls = [call];
    }
    return { CallInfoList: this.o.views.list(calls, who) };
  }

  /** Opens the new Call's media, places it on the line and records it; media opened for a Call never placed is released. */
  private place(callee: string, request: (media: CallMedia | undefined, callID: string) => OutgoingCallRequest): Call {
    const callID = this.o.calls.newCallID();
    const media = this.o.media.open(callID);
    let lineCallId: string;
    try {
      lineCallId = this.o.line.place(request(media, callID));
    } catch (e) {
      this.o.media.release(callID);
      throw e;
    }
    return this.o.calls.add('outgoing', { id: peerIdOf(callee) }, lineCallId, callID);
  }
}

function setMediaOptions(call: Call, info: MediaCapabilityInfo): void {
  if (info.enableMediaMixing !== undefined || info.shareMedia !== undefined) {
    call.enableMediaMixing = info.enableMediaMixing;
    call.shareMedia = info.shareMedia;
  }
}
