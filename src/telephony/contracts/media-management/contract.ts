/**
 * The ServiceContract of UPnP Telephony MediaManagement:1, the service of a Telephony Client (TC).
 *
 * The MediaManagement:1 specification is not among hometel's sources. What is known of it comes from the
 * CallManagement:1 spec (SDCP of 2011-03-22): its Appendix C sequences print the requests, responses and
 * events of GetMediaCapabilities, StartMediaSession, StopMediaSession and GetMediaSessionInfo (C.12, C.13,
 * C.18, C.19–C.28, C.30, C.34), and section 2.3.4 describes their use. ModifyMediaSession appears in no
 * sequence; its arguments come from hometel issue 5. Everything not printed is an inference, recorded in
 * docs/decisions.md ("MediaManagement:1 (Telephony Client)"):
 *
 * - argument names and order are as printed (ModifyMediaSession: as the issue names them);
 * - state-variable names follow CallManagement's style: the evented `MediaSessionInfo` (the variable the
 *   printed NOTIFYs carry) and one A_ARG_TYPE_ variable per argument type;
 * - every variable is a string (the fragments are XML documents in the mms namespace, IDs are opaque).
 *
 * A third-party MediaManagement:1 SCPD (github.com/automationmojo/automationkit, provenance unknown) and the
 * generated upnpx client of vlc-ios agree with these names; they are a cross-check, not a source.
 *
 * Order: actions in the order of the issue (the printed sequences use them in this order), variables evented
 * first (order is not significant in an SCPD).
 */
import { actionNames, defineContract, inArg, outArg, stateVariableNames, type ActionName } from '../../../upnp/index.js';

export const mediaManagementServiceType = 'urn:schemas-upnp-org:service:MediaManagement:1';
export const mediaManagementServiceId = 'urn:upnp-org:serviceId:MediaManagement';

export const mediaManagementContract = defineContract({
  serviceType: mediaManagementServiceType,
  serviceId: mediaManagementServiceId,
  stateVariables: {
    /** Evented: one `mms:mediaSessionInfo` document per change of a Media Session (C.12 F25, C.13 F9). */
    MediaSessionInfo: { dataType: 'string', sendEvents: true },
    /** An `mms:mediaCapabilityInfo` document (TS/TC/Supported/NewMediaCapabilityInfo). */
    A_ARG_TYPE_MediaCapabilityInfo: { dataType: 'string', sendEvents: false },
    /** A Media Session ID (MediaSessionID, TargetMediaSessionID). */
    A_ARG_TYPE_MediaSessionID: { dataType: 'string', sendEvents: false },
    /** An `mms:mediaSessionInfoList` document (C.18 F2). */
    A_ARG_TYPE_MediaSessionInfoList: { dataType: 'string', sendEvents: false },
  },
  // Action names as Appendix C prints them (ModifyMediaSession: as issue 5 names it).
  actions: {
    // C.12 F1/F2: the TS's capabilities in ("" in every printed request), the TC's out.
    GetMediaCapabilities: [
      inArg('TSMediaCapabilityInfo', 'A_ARG_TYPE_MediaCapabilityInfo'),
      outArg('SupportedMediaCapabilityInfo', 'A_ARG_TYPE_MediaCapabilityInfo'),
    ],
    // C.12 F21/F22: the TS leg's SDP in; the new session's ID and the TC's answer out, in this order.
    StartMediaSession: [
      inArg('TSMediaCapabilityInfo', 'A_ARG_TYPE_MediaCapabilityInfo'),
      outArg('MediaSessionID', 'A_ARG_TYPE_MediaSessionID'),
      outArg('TCMediaCapabilityInfo', 'A_ARG_TYPE_MediaCapabilityInfo'),
    ],
    // C.13 F3/F4: no out-arguments.
    StopMediaSession: [inArg('TargetMediaSessionID', 'A_ARG_TYPE_MediaSessionID')],
    // Not printed in Appendix C; issue 5: the TS leg's new SDP in, the TC's new answer out.
    ModifyMediaSession: [
      inArg('TargetMediaSessionID', 'A_ARG_TYPE_MediaSessionID'),
      inArg('NewMediaCapabilityInfo', 'A_ARG_TYPE_MediaCapabilityInfo'),
      outArg('TCMediaCapabilityInfo', 'A_ARG_TYPE_MediaCapabilityInfo'),
    ],
    // C.18 F1/F2.
    GetMediaSessionInfo: [
      inArg('TargetMediaSessionID', 'A_ARG_TYPE_MediaSessionID'),
      outArg('MediaSessionInfoList', 'A_ARG_TYPE_MediaSessionInfoList'),
    ],
  },
});

/** Action names as Appendix C prints them (ModifyMediaSession: as issue 5 names it). */
export const MediaManagementAction = actionNames(mediaManagementContract);
export type MediaManagementActionName = ActionName<typeof mediaManagementContract>;

export const MediaManagementVariable = stateVariableNames(mediaManagementContract);
