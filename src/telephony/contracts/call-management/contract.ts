/**
 * The ServiceContract of UPnP Telephony CallManagement:1 (Telephony Server, SDCP of 2011-03-22).
 *
 * Source of truth is section 2 of the spec: state-variable names, types and R/O from Table 2-2 (2.4.1),
 * eventing from Table 2-10 (2.5), action names from Table 2-11 (2.6), arguments (names, order, direction,
 * relatedStateVariable) from the argument tables 2-12 … 2-52. The printed SCPD of section 4 disagrees with
 * section 2 in several places and is not well-formed; where the two differ, section 2 wins and the
 * difference is noted next to the entry below. The SCPD we serve is generated from this contract.
 *
 * Order: actions as in Table 2-11, state variables as in Table 2-2 (order is not significant in an SCPD).
 */
import type { ActionDef, ArgumentDef, ServiceContract, StateVariableDef } from '../../../upnp/index.js';

export const callManagementServiceType = 'urn:schemas-upnp-org:service:CallManagement:1';
export const callManagementServiceId = 'urn:upnp-org:serviceId:CallManagement';

/** Action names, spelled as in Table 2-11. */
export const CallManagementAction = {
  GetTelephonyIdentity: 'GetTelephonyIdentity',
  RegisterTelCPName: 'RegisterTelCPName',
  UnregisterTelCPName: 'UnregisterTelCPName',
  ChangeTelCPName: 'ChangeTelCPName',
  GetTelCPNameList: 'GetTelCPNameList',
  GetMediaCapabilities: 'GetMediaCapabilities',
  StartCall: 'StartCall',
  StopCall: 'StopCall',
  AcceptCall: 'AcceptCall',
  RejectCall: 'RejectCall',
  ModifyCall: 'ModifyCall',
  AcceptModifyCall: 'AcceptModifyCall',
  StartMediaTransfer: 'StartMediaTransfer',
  ChangeMonopolizer: 'ChangeMonopolizer',
  InitiateCall: 'InitiateCall',
  GetCallInfo: 'GetCallInfo',
  GetCallLogs: 'GetCallLogs',
  ClearCallLogs: 'ClearCallLogs',
  RegisterCallBack: 'RegisterCallBack',
  // Table 2-11 and section 4 spell it ClearCallBack; the heading of 2.6.20 and Tables 2-50/2-51 "ClearCallback".
  ClearCallBack: 'ClearCallBack',
  // Table 2-11, the table of contents and the list of tables spell it GetCallBackInfo; the heading of 2.6.21,
  // Tables 2-52/2-53 and section 4 "GetCallbackInfo". Table 2-11 is the action list, so GetCallBackInfo.
  GetCallBackInfo: 'GetCallBackInfo',
} as const;
export type CallManagementActionName = (typeof CallManagementAction)[keyof typeof CallManagementAction];

/** State-variable names, spelled as in Table 2-2. */
export const CallManagementVariable = {
  CallInfo: 'CallInfo',
  TelCPNameList: 'TelCPNameList',
  CallBackAvailability: 'CallBackAvailability',
  A_ARG_TYPE_TelephonyServerIdentity: 'A_ARG_TYPE_TelephonyServerIdentity',
  A_ARG_TYPE_TelCPName: 'A_ARG_TYPE_TelCPName',
  A_ARG_TYPE_TelCPNameList: 'A_ARG_TYPE_TelCPNameList',
  A_ARG_TYPE_Expires: 'A_ARG_TYPE_Expires',
  A_ARG_TYPE_MediaCapabilityInfo: 'A_ARG_TYPE_MediaCapabilityInfo',
  A_ARG_TYPE_CalleeID: 'A_ARG_TYPE_CalleeID',
  A_ARG_TYPE_CallPriority: 'A_ARG_TYPE_CallPriority',
  A_ARG_TYPE_CallMode: 'A_ARG_TYPE_CallMode',
  A_ARG_TYPE_CallID: 'A_ARG_TYPE_CallID',
  A_ARG_TYPE_SecretKey: 'A_ARG_TYPE_SecretKey',
  A_ARG_TYPE_RejectReason: 'A_ARG_TYPE_RejectReason',
  A_ARG_TYPE_TCList: 'A_ARG_TYPE_TCList',
  A_ARG_TYPE_CallInfoList: 'A_ARG_TYPE_CallInfoList',
  A_ARG_TYPE_CallLogs: 'A_ARG_TYPE_CallLogs',
  // Table 2-2 and Table 2-48 write "CallBack"; Table 2-50 and section 4 "A_ARG_TYPE_CallbackID". One variable,
  // Table 2-2's spelling (section 4 as printed never declares the name RegisterCallBack refers to).
  A_ARG_TYPE_CallBackID: 'A_ARG_TYPE_CallBackID',
  // Same: Table 2-2 "A_ARG_TYPE_CallBackInfoList", Table 2-52 and section 4 "A_ARG_TYPE_CallbackInfoList".
  A_ARG_TYPE_CallBackInfoList: 'A_ARG_TYPE_CallBackInfoList',
} as const;
export type CallManagementVariableName = (typeof CallManagementVariable)[keyof typeof CallManagementVariable];

/** Table 2-8 (2.4.11): "Normal" (DEFAULT, R), "Emergency" (O). */
export const callPriorityValues = ['Normal', 'Emergency'] as const;
export type CallPriority = (typeof callPriorityValues)[number];

/** Table 2-9 (2.4.12): "PHONE-TelCP" (O), "DP-TelCP" (O), "DP-User" (O), "Non-Monopolize" (R). */
export const callModeValues = ['PHONE-TelCP', 'DP-TelCP', 'DP-User', 'Non-Monopolize'] as const;
export type CallMode = (typeof callModeValues)[number];

const V = CallManagementVariable;
const A = CallManagementAction;

function arg(name: string, direction: 'in' | 'out', relatedStateVariable: CallManagementVariableName): ArgumentDef {
  return { name, direction, relatedStateVariable };
}
const inArg = (name: string, v: CallManagementVariableName): ArgumentDef => arg(name, 'in', v);
const outArg = (name: string, v: CallManagementVariableName): ArgumentDef => arg(name, 'out', v);
const action = (name: CallManagementActionName, ...args: ArgumentDef[]): ActionDef => ({ name, arguments: args });

const stateVariables: StateVariableDef[] = [
  // 2.4.2; evented (Table 2-10). An XML fragment (cams:callInfo).
  { name: V.CallInfo, dataType: 'string', sendEvents: true },
  // 2.4.3; evented (Table 2-10). Comma-separated TelCPNames.
  { name: V.TelCPNameList, dataType: 'string', sendEvents: true },
  // 2.4.4; evented (Table 2-10). An XML fragment (cams:CallBackAvailability).
  { name: V.CallBackAvailability, dataType: 'string', sendEvents: true },
  // 2.4.5: a SIP or TEL URI. Section 4 misspells it A_ARG_TYPE_TelephonyServierIdentity in GetTelephonyIdentity.
  { name: V.A_ARG_TYPE_TelephonyServerIdentity, dataType: 'string', sendEvents: false },
  { name: V.A_ARG_TYPE_TelCPName, dataType: 'string', sendEvents: false }, // 2.4.6
  { name: V.A_ARG_TYPE_TelCPNameList, dataType: 'string', sendEvents: false }, // 2.4.7
  { name: V.A_ARG_TYPE_Expires, dataType: 'i4', sendEvents: false }, // 2.4.8: seconds
  { name: V.A_ARG_TYPE_MediaCapabilityInfo, dataType: 'string', sendEvents: false }, // 2.4.9: XML fragment
  { name: V.A_ARG_TYPE_CalleeID, dataType: 'string', sendEvents: false }, // 2.4.10: URI or TelCPName
  // 2.4.11, Table 2-8 "allowedValueList for A_ARG_TYPE_CallPriority" (missing from the section 4 SCPD).
  // A value outside the list is StartCall's 705 "Invalid priority", not UDA's 600.
  {
    name: V.A_ARG_TYPE_CallPriority,
    dataType: 'string',
    sendEvents: false,
    allowedValues: callPriorityValues,
    defaultValue: 'Normal',
    invalidValue: { code: 705, description: 'Invalid priority' }, // the text of Table 2-54 (a test checks)
  },
  // 2.4.12, Table 2-9 "allowedValueList for A_ARG_TYPE_CallMode" (missing from the section 4 SCPD); no default
  // is given. A value outside the list is StartCall's/AcceptCall's 706 "Invalid CallMode".
  { name: V.A_ARG_TYPE_CallMode, dataType: 'string', sendEvents: false, allowedValues: callModeValues, invalidValue: { code: 706, description: 'Invalid CallMode' } },
  { name: V.A_ARG_TYPE_CallID, dataType: 'string', sendEvents: false }, // 2.4.13
  { name: V.A_ARG_TYPE_SecretKey, dataType: 'string', sendEvents: false }, // 2.4.14
  // 2.4.15 defines no allowed values, so RejectReason is a free string. (Section 4 prints an allowedValueList
  // Busy / Not Acceptable Capability / Rejected / Cancelled under A_ARG_TYPE_CallbackID, where it cannot
  // belong; it is not moved here because section 2 does not say so.)
  { name: V.A_ARG_TYPE_RejectReason, dataType: 'string', sendEvents: false },
  { name: V.A_ARG_TYPE_TCList, dataType: 'string', sendEvents: false }, // 2.4.16: XML fragment
  { name: V.A_ARG_TYPE_CallInfoList, dataType: 'string', sendEvents: false }, // 2.4.17: XML fragment
  { name: V.A_ARG_TYPE_CallLogs, dataType: 'string', sendEvents: false }, // 2.4.18: XML fragment
  { name: V.A_ARG_TYPE_CallBackID, dataType: 'string', sendEvents: false }, // 2.4.19
  { name: V.A_ARG_TYPE_CallBackInfoList, dataType: 'string', sendEvents: false }, // 2.4.20: XML fragment
  // Section 4 also declares A_ARG_TYPE_CallParam; it is not in Table 2-2 and no action uses it, so it is left out.
];

const actions: ActionDef[] = [
  // 2.6.1, Table 2-12
  action(A.GetTelephonyIdentity, outArg('TelephonyIdentity', V.A_ARG_TYPE_TelephonyServerIdentity)),
  // 2.6.2, Table 2-14
  action(
    A.RegisterTelCPName,
    inArg('TelCPName', V.A_ARG_TYPE_TelCPName),
    inArg('CurrentSecretKey', V.A_ARG_TYPE_SecretKey),
    outArg('NewSecretKey', V.A_ARG_TYPE_SecretKey),
    outArg('Expires', V.A_ARG_TYPE_Expires),
  ),
  // 2.6.3, Table 2-16
  action(A.UnregisterTelCPName, inArg('TelCPName', V.A_ARG_TYPE_TelCPName), inArg('SecretKey', V.A_ARG_TYPE_SecretKey)),
  // 2.6.4, Table 2-18
  action(
    A.ChangeTelCPName,
    inArg('CurrentTelCPName', V.A_ARG_TYPE_TelCPName),
    inArg('CurrentSecretKey', V.A_ARG_TYPE_SecretKey),
    inArg('NewTelCPName', V.A_ARG_TYPE_TelCPName),
    outArg('NewSecretKey', V.A_ARG_TYPE_SecretKey),
    outArg('Expires', V.A_ARG_TYPE_Expires),
  ),
  // 2.6.5, Table 2-20
  action(A.GetTelCPNameList, outArg('TelCPNameList', V.A_ARG_TYPE_TelCPNameList)),
  // 2.6.6, Table 2-22
  action(
    A.GetMediaCapabilities,
    inArg('TCMediaCapabilityInfo', V.A_ARG_TYPE_MediaCapabilityInfo),
    outArg('SupportedMediaCapabilityInfo', V.A_ARG_TYPE_MediaCapabilityInfo),
  ),
  // 2.6.7, Table 2-24. CallID is called "the return value" in 2.6.7.2, but no SCPD marks it <retval/>.
  action(
    A.StartCall,
    inArg('TelCPName', V.A_ARG_TYPE_TelCPName),
    inArg('SecretKey', V.A_ARG_TYPE_SecretKey),
    inArg('CalleeID', V.A_ARG_TYPE_CalleeID),
    inArg('CallPriority', V.A_ARG_TYPE_CallPriority),
    inArg('MediaCapabilityInfo', V.A_ARG_TYPE_MediaCapabilityInfo),
    inArg('CallMode', V.A_ARG_TYPE_CallMode),
    outArg('CallID', V.A_ARG_TYPE_CallID),
  ),
  // 2.6.8, Table 2-26
  action(
    A.StopCall,
    inArg('TelCPName', V.A_ARG_TYPE_TelCPName),
    inArg('SecretKey', V.A_ARG_TYPE_SecretKey),
    inArg('CallID', V.A_ARG_TYPE_CallID),
  ),
  // 2.6.9, Table 2-28
  action(
    A.AcceptCall,
    inArg('TelCPName', V.A_ARG_TYPE_TelCPName),
    inArg('SecretKey', V.A_ARG_TYPE_SecretKey),
    inArg('TargetCallID', V.A_ARG_TYPE_CallID),
    inArg('MediaCapabilityInfo', V.A_ARG_TYPE_MediaCapabilityInfo),
    inArg('CallMode', V.A_ARG_TYPE_CallMode),
  ),
  // 2.6.10, Table 2-30
  action(
    A.RejectCall,
    inArg('TelCPName', V.A_ARG_TYPE_TelCPName),
    inArg('SecretKey', V.A_ARG_TYPE_SecretKey),
    inArg('TargetCallID', V.A_ARG_TYPE_CallID),
    inArg('RejectReason', V.A_ARG_TYPE_RejectReason),
  ),
  // 2.6.11, Table 2-32
  action(
    A.ModifyCall,
    inArg('TelCPName', V.A_ARG_TYPE_TelCPName),
    inArg('SecretKey', V.A_ARG_TYPE_SecretKey),
    inArg('TargetCallID', V.A_ARG_TYPE_CallID),
    inArg('MediaCapabilityInfo', V.A_ARG_TYPE_MediaCapabilityInfo),
  ),
  // 2.6.12, Table 2-34
  action(
    A.AcceptModifyCall,
    inArg('TelCPName', V.A_ARG_TYPE_TelCPName),
    inArg('SecretKey', V.A_ARG_TYPE_SecretKey),
    inArg('TargetCallID', V.A_ARG_TYPE_CallID),
    inArg('MediaCapabilityInfo', V.A_ARG_TYPE_MediaCapabilityInfo),
  ),
  // 2.6.13, Table 2-36
  action(
    A.StartMediaTransfer,
    inArg('TelCPName', V.A_ARG_TYPE_TelCPName),
    inArg('SecretKey', V.A_ARG_TYPE_SecretKey),
    inArg('TargetCallID', V.A_ARG_TYPE_CallID),
    inArg('TCList', V.A_ARG_TYPE_TCList),
    inArg('MediaCapabilityInfo', V.A_ARG_TYPE_MediaCapabilityInfo),
  ),
  // 2.6.14, Table 2-38. The third argument is CallID (Table 2-38, 2.6.14.2, Appendix C.33); section 4 prints
  // TargetCallID.
  action(
    A.ChangeMonopolizer,
    inArg('CurrentMonopolizer', V.A_ARG_TYPE_TelCPName),
    inArg('SecretKey', V.A_ARG_TYPE_SecretKey),
    inArg('CallID', V.A_ARG_TYPE_CallID),
    inArg('NewMonopolizer', V.A_ARG_TYPE_TelCPName),
  ),
  // 2.6.15, Table 2-40
  action(A.InitiateCall, inArg('CalleeID', V.A_ARG_TYPE_CalleeID), outArg('CallID', V.A_ARG_TYPE_CallID)),
  // 2.6.16, Table 2-42
  action(
    A.GetCallInfo,
    inArg('TelCPName', V.A_ARG_TYPE_TelCPName),
    inArg('SecretKey', V.A_ARG_TYPE_SecretKey),
    inArg('TargetCallID', V.A_ARG_TYPE_CallID),
    outArg('CallInfoList', V.A_ARG_TYPE_CallInfoList),
  ),
  // 2.6.17, Table 2-44
  action(A.GetCallLogs, outArg('CallLogs', V.A_ARG_TYPE_CallLogs)),
  // 2.6.18, Table 2-46 (no arguments)
  action(A.ClearCallLogs),
  // 2.6.19, Table 2-48
  action(A.RegisterCallBack, inArg('CalleeID', V.A_ARG_TYPE_CalleeID), outArg('CallBackID', V.A_ARG_TYPE_CallBackID)),
  // 2.6.20, Table 2-50. The argument is spelled "CallbackID" in Table 2-50 and in the prose of 2.6.20, but
  // "CallBackID" in the section 4 SCPD (and in RegisterCallBack's output). Section 2 wins (notes.md S4), so we
  // advertise CallbackID; a tolerant binding may also accept CallBackID on input.
  action(A.ClearCallBack, { ...inArg('CallbackID', V.A_ARG_TYPE_CallBackID), aliases: ['CallBackID'] }),
  // 2.6.21, Table 2-52. The output argument is "CallbackInfo" in both Table 2-52 and section 4 (only
  // third-party SCPDs write "CallBackInfo"), so CallbackInfo.
  action(A.GetCallBackInfo, outArg('CallbackInfo', V.A_ARG_TYPE_CallBackInfoList)),
];

export const callManagementContract: ServiceContract = {
  serviceType: callManagementServiceType,
  serviceId: callManagementServiceId,
  actions,
  stateVariables,
};
