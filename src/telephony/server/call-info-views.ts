/**
 * Selective Information Delivery (2.3.3): the CallInfo each TelCP sees of a Call — in full, or only its general
 * elements when the Call is restricted and the TelCP is not its Monopolizer or a target — as evented and as
 * GetCallInfo lists it.
 */
import type { StateChanges } from '../../upnp/index.js';
import { buildCallInfo, buildCallInfoList, type CallInfo, type callManagementContract } from '../contracts/index.js';
import type { Call } from '../domain/index.js';
import type { CallAuthorization, Presented } from './call-authorization.js';
import type { CallMediaRecords } from './call-media.js';

/** Events state variables of CallManagement (after the action's response has gone out). */
export type Publish = (changes: StateChanges<typeof callManagementContract>) => void;

export class CallInfoViews {
  constructor(
    private readonly media: CallMediaRecords,
    private readonly auth: CallAuthorization,
    private readonly publish: Publish,
  ) {}

  /** Events the Call; a restricted Call is evented with its general elements only, a hidden one never. */
  event(call: Call): void {
    if (call.hidden) return;
    this.publish({ CallInfo: buildCallInfo(this.full(call), { view: call.restricted ? 'general' : 'full' }) });
  }

  /** GetCallInfo's CallInfoList: each Call in full where the presented identity is entitled, else its general part. */
  list(calls: readonly Call[], who: Presented): string {
    return buildCallInfoList(calls.filter((c) => !c.hidden).map((c) => (this.auth.entitled(c, who) ? this.full(c) : generalOf(this.full(c)))));
  }

  private full(call: Call): CallInfo {
    const names = call.targetNames;
    // With a media plane the TS shows its own home SDP (C.12 F7/F17/F19), for a pending modification the one it
    // would use (C.24 F1); without one, the SDP as negotiated.
    const tcSdp = this.media.has(call.callID) && call.pendingRemoteOffer ? call.pendingRemoteOffer : call.mediaCapability;
    const mediaCapability = tcSdp && this.media.homeView(call, tcSdp);
    const nativeMediaCapability = call.nativeMediaCapability && this.media.homeView(call, call.nativeMediaCapability);
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
}

function generalOf(info: CallInfo): CallInfo {
  return { callID: info.callID, targetNames: info.targetNames, callStatus: info.callStatus, ...(info.reason ? { reason: info.reason } : {}) };
}
