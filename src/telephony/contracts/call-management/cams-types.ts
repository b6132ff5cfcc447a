/**
 * The values carried by the XML-fragment state variables of CallManagement:1 (SDCP of 2011-03-22),
 * as TypeScript types: the cams schema of Appendix B (namespace urn:schemas-upnp-org:phone:cams) and
 * the peerType of Appendix A (namespace urn:schemas-upnp-org:phone:peer).
 *
 * Element names, order and optionality follow the schema (section 2.4 prose where the schema is silent;
 * where the two disagree, the choice is noted at the field). `cams-xml.ts` turns these values into
 * documents and back.
 */
import type { CallDirection, CallStatus, CallType } from '../../domain/index.js';

/** Namespace of the CallManagement schema (Appendix B). */
export const camsNamespace = 'urn:schemas-upnp-org:phone:cams';
/** Namespace of the peerType complex type (Appendix A). */
export const peerNamespace = 'urn:schemas-upnp-org:phone:peer';
/** Where 2.4.x.1 says the schemas live (used for xsi:schemaLocation). */
export const camsSchemaLocation = 'http://www.upnp.org/schemas/phone/cams-v1.xsd';
export const peerSchemaLocation = 'http://www.upnp.org/schemas/phone/peer-v1.xsd';

/** A list with at least one entry (schema: an element without minOccurs="0" but maxOccurs="unbounded"). */
export type NonEmptyArray<T> = [T, ...T[]];

/**
 * Appendix A (A.2/A.3): a Peer. `contactInstanceId` and `groupInstanceId` are mutually exclusive
 * xsd:unsignedInt values that are only used with the PhoneManagement profile. The `any` extension point
 * is not modelled: extension elements are ignored when parsing and never written.
 */
export interface Peer {
  /** REQUIRED: telephone number, SIP address, … ("anonymous" for an anonymous Call, 2.4.2.2). */
  id: string;
  name?: string;
  contactInstanceId?: number;
  groupInstanceId?: number;
}

/** Table 2-3 (allowed values of targetNames/@type); the schema also lists "*" (kept for parsing others' documents). */
export const targetNamesTypes = ['TelCPName', 'TelCPID', 'Username', '*'] as const;
export type TargetNamesType = (typeof targetNamesTypes)[number];

/**
 * 2.4.2.2 `<targetNames type="…">`: the identities allowed to manage the Call, as comma separated
 * values, or "*" for everybody. An identifier must not contain a comma.
 */
export interface TargetNames {
  type: TargetNamesType;
  names: string[] | '*';
}

/** Table 2-4 (allowed values of callStatus): the domain's statuses, which its state table moves between. */
export type { CallStatus } from '../../domain/index.js';

/**
 * Table 2-5 (allowed values of callStatus/@reason) with the Call Status each one goes with. The table's
 * "TBD (specified by UPnP vendors)" row is not modelled: the schema's enumeration is closed.
 */
export const callStatusReasonStatuses = {
  'Accepted by TS': ['Talking'],
  'Initiated by TS': ['Talking'],
  Busy: ['Disconnected'],
  'Not Acceptable Capability': ['Disconnected'],
  'Not Found': ['Disconnected'],
  'Rejected by TS': ['Disconnected'],
  Rejected: ['Disconnected', 'ModifyFailed'],
  Cancelled: ['Disconnected', 'ModifyFailed'],
} as const satisfies Record<string, readonly CallStatus[]>;
export type CallStatusReason = keyof typeof callStatusReasonStatuses;
export const callStatusReasonValues = Object.keys(callStatusReasonStatuses) as CallStatusReason[];

/** The Table 2-5 reasons that go with callStatus "Disconnected". */
export type DisconnectReason = {
  [R in CallStatusReason]: 'Disconnected' extends (typeof callStatusReasonStatuses)[R][number] ? R : never;
}[CallStatusReason];

/** Table 2-6 (allowed values of priority; same as Table 2-8 for A_ARG_TYPE_CallPriority). */
export const priorityValues = ['Emergency', 'Normal'] as const;
export type Priority = (typeof priorityValues)[number];

/** Table 2-7 (allowed values of mediaCapability/@format). */
export const mediaCapabilityFormats = ['SDP'] as const;
export type MediaCapabilityFormat = (typeof mediaCapabilityFormats)[number];

/**
 * A `<mediaCapability>` or `<nativeMediaCapability>` element: its optional format attribute and its
 * content. With format SDP the content is an SDP body whose lines end in CRLF (RFC 4566).
 */
export interface MediaCapability {
  format?: MediaCapabilityFormat;
  content: string;
}

/** 2.4.16.2 `<TC>`: a Telephony Client taking part in the Call. */
export interface TC {
  /** Unique device name of the TC (uuid:…). */
  udn?: string;
  /**
   * Media Session ID (MediaManagement:1). OPTIONAL inside CallInfo (2.4.2.2) and in the schema, REQUIRED in
   * the A_ARG_TYPE_TCList argument (2.4.16.2); `parseTCList` enforces the latter.
   */
  mediaSessionID?: string;
}

/** 2.4.16 A_ARG_TYPE_TCList (root `cams:TCList`), and the `<TCList>` of CallInfo. */
export type TCList = TC[];

/**
 * 2.4.2 CallInfo (root `cams:callInfo`). `callID`, `targetNames` and `callStatus` are the "general"
 * information of Selective Information Delivery (2.3.3, 2.6.7.3); everything else is "full" information.
 */
export interface CallInfo {
  callID: string;
  targetNames: TargetNames;
  callStatus: CallStatus;
  /** callStatus/@reason: why the Call Status changed (Table 2-5). */
  reason?: CallStatusReason;
  priority?: Priority;
  remoteParty?: Peer;
  tcList?: TCList;
  /** xsd:integer "1" or "0"; mutually exclusive with `shareMedia`. */
  enableMediaMixing?: boolean;
  /** Media Session ID of the Media Session shared among the TCs; mutually exclusive with `enableMediaMixing`. */
  shareMedia?: string;
  mediaCapability?: MediaCapability;
  nativeMediaCapability?: MediaCapability;
}

/**
 * The elements of CallInfo that Selective Information Delivery always delivers (2.3.3, 2.6.7.3):
 * `<callID>`, `<targetNames>` and `<callStatus>`, the latter with its reason attribute.
 */
export type GeneralCallInfo = Pick<CallInfo, 'callID' | 'targetNames' | 'callStatus' | 'reason'>;

/** 2.4.17 A_ARG_TYPE_CallInfoList (root `cams:callInfoList`): each entry full or general. */
export type CallInfoList = CallInfo[];

/** 2.4.3 TelCPNameList / 2.4.7 A_ARG_TYPE_TelCPNameList: comma separated TelCPNames (not XML). */
export type TelCPNameList = string[];

/**
 * 2.4.9 A_ARG_TYPE_MediaCapabilityInfo (root `cams:mediaCapabilityInfo`) as used by every action except
 * GetMediaCapabilities' output: enableMediaMixing/shareMedia only in StartMediaTransfer()/ModifyCall().
 */
export interface MediaCapabilityInfo {
  enableMediaMixing?: boolean;
  shareMedia?: string;
  /** Media Capabilities handled with TC-Based Media Handling. */
  mediaCapability?: MediaCapability;
  /** Media Capabilities handled with TS-Based Media Handling. */
  nativeMediaCapability?: MediaCapability;
}

/**
 * The same document as GetMediaCapabilities()'s output SupportedMediaCapabilityInfo: the only place where
 * `<mediaMixingCapability>`/`<mediaSharingCapability>` may appear. Their presence (not their content,
 * which the spec does not define) says that the TS supports media mixing / media sharing.
 */
export interface SupportedMediaCapabilityInfo {
  mediaMixingCapability?: boolean;
  mediaSharingCapability?: boolean;
  mediaCapability?: MediaCapability;
  nativeMediaCapability?: MediaCapability;
}

export type { CallDirection, CallType } from '../../domain/index.js';

/** 2.4.18 one `<call>` of A_ARG_TYPE_CallLogs. */
export interface CallLog {
  /** @direction (optional in the schema). */
  direction?: CallDirection;
  /** @success: whether the Call succeeded (written "true"/"false"; optional in the schema). */
  success?: boolean;
  type: CallType;
  /** REQUIRED; the schema allows more than one. */
  caller: NonEmptyArray<Peer>;
  /** REQUIRED; the schema allows more than one. */
  callee: NonEmptyArray<Peer>;
  /**
   * `<startDateTime>` (schema; the example writes `<startTime>`, the prose `<startDataTime>`): ISO 8601,
   * e.g. 2011-03-22T10:15:30Z.
   */
  startDateTime: string;
  /** `<duration>`: the whole duration of the Call in milliseconds. */
  durationMs?: number;
}

/** 2.4.18 A_ARG_TYPE_CallLogs (root `cams:callLogs`). */
export type CallLogs = CallLog[];

/** 2.4.20 one `<callBackInfo>`: a Call-back registration. */
export interface CallBackInfo {
  callBackID: string;
  /** REQUIRED; the schema allows more than one. */
  callee: NonEmptyArray<Peer>;
}

/** 2.4.20 A_ARG_TYPE_CallBackInfoList (root `cams:callBackInfoList`). */
export type CallBackInfoList = CallBackInfo[];

/** 2.4.4 CallBackAvailability (root `cams:CallBackAvailability`): the Call backs that became available. */
export interface CallBackAvailability {
  /** At least one (`<callBack><callBackID>…</callBackID></callBack>` each). */
  callBackIDs: NonEmptyArray<string>;
}
