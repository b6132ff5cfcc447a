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
import { callModes } from '../../domain/index.js';
import { actionNames, defineContract, inArg, outArg, stateVariableNames, type ActionName } from '../../../upnp/index.js';

export const callManagementServiceType = 'urn:schemas-upnp-org:service:CallManagement:1';
export const callManagementServiceId = 'urn:upnp-org:serviceId:CallManagement';

/** Table 2-8 (2.4.11): "Normal" (DEFAULT, R), "Emergency" (O). */
export const callPriorityValues = ['Normal', 'Emergency'] as const;
export type CallPriority = (typeof callPriorityValues)[number];

/** Table 2-9 (2.4.12): "PHONE-TelCP" (O), "DP-TelCP" (O), "DP-User" (O), "Non-Monopolize" (R). */
export type { CallMode } from '../../domain/index.js';

export const callManagementContract = defineContract({
  serviceType: callManagementServiceType,
  serviceId: callManagementServiceId,
  // State-variable names, spelled as in Table 2-2.
  stateVariables: {
    // 2.4.2; evented (Table 2-10). An XML fragment (cams:callInfo).
    CallInfo: { dataType: 'string', sendEvents: true },
    // 2.4.3; evented (Table 2-10). Comma-separated TelCPNames.
    TelCPNameList: { dataType: 'string', sendEvents: true },
    // 2.4.4; evented (Table 2-10). An XML fragment (cams:CallBackAvailability).
    CallBackAvailability: { dataType: 'string', sendEvents: true },
    // 2.4.5: a SIP or TEL URI. Section 4 misspells it A_ARG_TYPE_TelephonyServierIdentity in GetTelephonyIdentity.
    A_ARG_TYPE_TelephonyServerIdentity: { dataType: 'string', sendEvents: false },
    A_ARG_TYPE_TelCPName: { dataType: 'string', sendEvents: false }, // 2.4.6
    A_ARG_TYPE_TelCPNameList: { dataType: 'string', sendEvents: false }, // 2.4.7
    A_ARG_TYPE_Expires: { dataType: 'i4', sendEvents: false }, // 2.4.8: seconds
    A_ARG_TYPE_MediaCapabilityInfo: { dataType: 'string', sendEvents: false }, // 2.4.9: XML fragment
    A_ARG_TYPE_CalleeID: { dataType: 'string', sendEvents: false }, // 2.4.10: URI or TelCPName
    // 2.4.11, Table 2-8 "allowedValueList for A_ARG_TYPE_CallPriority" (missing from the section 4 SCPD).
    // A value outside the list is StartCall's 705 "Invalid priority", not UDA's 600.
    A_ARG_TYPE_CallPriority: {
      dataType: 'string',
      sendEvents: false,
      allowedValues: callPriorityValues,
      defaultValue: 'Normal',
      invalidValue: { code: 705, description: 'Invalid priority' }, // the text of Table 2-54 (a test checks)
    },
    // 2.4.12, Table 2-9 "allowedValueList for A_ARG_TYPE_CallMode" (missing from the section 4 SCPD); no default
    // is given. A value outside the list is StartCall's/AcceptCall's 706 "Invalid CallMode".
    A_ARG_TYPE_CallMode: { dataType: 'string', sendEvents: false, allowedValues: callModes, invalidValue: { code: 706, description: 'Invalid CallMode' } },
    A_ARG_TYPE_CallID: { dataType: 'string', sendEvents: false }, // 2.4.13
    A_ARG_TYPE_SecretKey: { dataType: 'string', sendEvents: false }, // 2.4.14
    // 2.4.15 defines no allowed values, so RejectReason is a free string. (Section 4 prints an allowedValueList
    // Busy / Not Acceptable Capability / Rejected / Cancelled under A_ARG_TYPE_CallbackID, where it cannot
    // belong; it is not moved here because section 2 does not say so.)
    A_ARG_TYPE_RejectReason: { dataType: 'string', sendEvents: false },
    A_ARG_TYPE_TCList: { dataType: 'string', sendEvents: false }, // 2.4.16: XML fragment
    A_ARG_TYPE_CallInfoList: { dataType: 'string', sendEvents: false }, // 2.4.17: XML fragment
    A_ARG_TYPE_CallLogs: { dataType: 'string', sendEvents: false }, // 2.4.18: XML fragment
    // 2.4.19. Table 2-2 and Table 2-48 write "CallBack"; Table 2-50 and section 4 "A_ARG_TYPE_CallbackID". One
    // variable, Table 2-2's spelling (section 4 as printed never declares the name RegisterCallBack refers to).
    A_ARG_TYPE_CallBackID: { dataType: 'string', sendEvents: false },
    // 2.4.20: XML fragment. Same: Table 2-2 "A_ARG_TYPE_CallBackInfoList", Table 2-52 and section 4
    // "A_ARG_TYPE_CallbackInfoList".
    A_ARG_TYPE_CallBackInfoList: { dataType: 'string', sendEvents: false },
    // Section 4 also declares A_ARG_TYPE_CallParam; it is not in Table 2-2 and no action uses it, so it is left out.
  },
  // Action names, spelled as in Table 2-11.
  actions: {
    // 2.6.1, Table 2-12
    GetTelephonyIdentity: [outArg('TelephonyIdentity', 'A_ARG_TYPE_TelephonyServerIdentity')],
    // 2.6.2, Table 2-14
    RegisterTelCPName: [
      inArg('TelCPName', 'A_ARG_TYPE_TelCPName'),
      inArg('CurrentSecretKey', 'A_ARG_TYPE_SecretKey'),
      outArg('NewSecretKey', 'A_ARG_TYPE_SecretKey'),
      outArg('Expires', 'A_ARG_TYPE_Expires'),
    ],
    // 2.6.3, Table 2-16
    UnregisterTelCPName: [inArg('TelCPName', 'A_ARG_TYPE_TelCPName'), inArg('SecretKey', 'A_ARG_TYPE_SecretKey')],
    // 2.6.4, Table 2-18
    ChangeTelCPName: [
      inArg('CurrentTelCPName', 'A_ARG_TYPE_TelCPName'),
      inArg('CurrentSecretKey', 'A_ARG_TYPE_SecretKey'),
      inArg('NewTelCPName', 'A_ARG_TYPE_TelCPName'),
      outArg('NewSecretKey', 'A_ARG_TYPE_SecretKey'),
      outArg('Expires', 'A_ARG_TYPE_Expires'),
    ],
    // 2.6.5, Table 2-20
    GetTelCPNameList: [outArg('TelCPNameList', 'A_ARG_TYPE_TelCPNameList')],
    // 2.6.6, Table 2-22
    GetMediaCapabilities: [
      inArg('TCMediaCapabilityInfo', 'A_ARG_TYPE_MediaCapabilityInfo'),
      outArg('SupportedMediaCapabilityInfo', 'A_ARG_TYPE_MediaCapabilityInfo'),
    ],
    // 2.6.7, Table 2-24. CallID is called "the return value" in 2.6.7.2, but no SCPD marks it <retval/>.
    StartCall: [
      inArg('TelCPName', 'A_ARG_TYPE_TelCPName'),
      inArg('SecretKey', 'A_ARG_TYPE_SecretKey'),
      inArg('CalleeID', 'A_ARG_TYPE_CalleeID'),
      inArg('CallPriority', 'A_ARG_TYPE_CallPriority'),
      inArg('MediaCapabilityInfo', 'A_ARG_TYPE_MediaCapabilityInfo'),
      inArg('CallMode', 'A_ARG_TYPE_CallMode'),
      outArg('CallID', 'A_ARG_TYPE_CallID'),
    ],
    // 2.6.8, Table 2-26
    StopCall: [
      inArg('TelCPName', 'A_ARG_TYPE_TelCPName'),
      inArg('SecretKey', 'A_ARG_TYPE_SecretKey'),
      inArg('CallID', 'A_ARG_TYPE_CallID'),
    ],
    // 2.6.9, Table 2-28
    AcceptCall: [
      inArg('TelCPName', 'A_ARG_TYPE_TelCPName'),
      inArg('SecretKey', 'A_ARG_TYPE_SecretKey'),
      inArg('TargetCallID', 'A_ARG_TYPE_CallID'),
      inArg('MediaCapabilityInfo', 'A_ARG_TYPE_MediaCapabilityInfo'),
      inArg('CallMode', 'A_ARG_TYPE_CallMode'),
    ],
    // 2.6.10, Table 2-30
    RejectCall: [
      inArg('TelCPName', 'A_ARG_TYPE_TelCPName'),
      inArg('SecretKey', 'A_ARG_TYPE_SecretKey'),
      inArg('TargetCallID', 'A_ARG_TYPE_CallID'),
      inArg('RejectReason', 'A_ARG_TYPE_RejectReason'),
    ],
    // 2.6.11, Table 2-32
    ModifyCall: [
      inArg('TelCPName', 'A_ARG_TYPE_TelCPName'),
      inArg('SecretKey', 'A_ARG_TYPE_SecretKey'),
      inArg('TargetCallID', 'A_ARG_TYPE_CallID'),
      inArg('MediaCapabilityInfo', 'A_ARG_TYPE_MediaCapabilityInfo'),
    ],
    // 2.6.12, Table 2-34
    AcceptModifyCall: [
      inArg('TelCPName', 'A_ARG_TYPE_TelCPName'),
      inArg('SecretKey', 'A_ARG_TYPE_SecretKey'),
      inArg('TargetCallID', 'A_ARG_TYPE_CallID'),
      inArg('MediaCapabilityInfo', 'A_ARG_TYPE_MediaCapabilityInfo'),
    ],
    // 2.6.13, Table 2-36
    StartMediaTransfer: [
      inArg('TelCPName', 'A_ARG_TYPE_TelCPName'),
      inArg('SecretKey', 'A_ARG_TYPE_SecretKey'),
      inArg('TargetCallID', 'A_ARG_TYPE_CallID'),
      inArg('TCList', 'A_ARG_TYPE_TCList'),
      inArg('MediaCapabilityInfo', 'A_ARG_TYPE_MediaCapabilityInfo'),
    ],
    // 2.6.14, Table 2-38. The third argument is CallID (Table 2-38, 2.6.14.2, Appendix C.33); section 4 prints
    // TargetCallID.
    ChangeMonopolizer: [
      inArg('CurrentMonopolizer', 'A_ARG_TYPE_TelCPName'),
      inArg('SecretKey', 'A_ARG_TYPE_SecretKey'),
      inArg('CallID', 'A_ARG_TYPE_CallID'),
      inArg('NewMonopolizer', 'A_ARG_TYPE_TelCPName'),
    ],
    // 2.6.15, Table 2-40
    InitiateCall: [inArg('CalleeID', 'A_ARG_TYPE_CalleeID'), outArg('CallID', 'A_ARG_TYPE_CallID')],
    // 2.6.16, Table 2-42
    GetCallInfo: [
      inArg('TelCPName', 'A_ARG_TYPE_TelCPName'),
      inArg('SecretKey', 'A_ARG_TYPE_SecretKey'),
      inArg('TargetCallID', 'A_ARG_TYPE_CallID'),
      outArg('CallInfoList', 'A_ARG_TYPE_CallInfoList'),
    ],
    // 2.6.17, Table 2-44
    GetCallLogs: [outArg('CallLogs', 'A_ARG_TYPE_CallLogs')],
    // 2.6.18, Table 2-46 (no arguments)
    ClearCallLogs: [],
    // 2.6.19, Table 2-48
    RegisterCallBack: [inArg('CalleeID', 'A_ARG_TYPE_CalleeID'), outArg('CallBackID', 'A_ARG_TYPE_CallBackID')],
    // 2.6.20, Table 2-50. Table 2-11 and section 4 spell the action ClearCallBack; the heading of 2.6.20 and
    // Tables 2-50/2-51 "ClearCallback". The argument is spelled "CallbackID" in Table 2-50 and in the prose of 2.6.20, but
    // "CallBackID" in the section 4 SCPD (and in RegisterCallBack's output). Section 2 wins (notes.md S4), so we
    // advertise CallbackID; a tolerant binding may also accept CallBackID on input.
    ClearCallBack: [inArg('CallbackID', 'A_ARG_TYPE_CallBackID', ['CallBackID'])],
    // 2.6.21, Table 2-52. Table 2-11, the table of contents and the list of tables spell the action
    // GetCallBackInfo; the heading of 2.6.21, Tables 2-52/2-53 and section 4 "GetCallbackInfo". Table 2-11 is the
    // action list, so GetCallBackInfo. The output argument is "CallbackInfo" in both Table 2-52 and section 4 (only
    // third-party SCPDs write "CallBackInfo"), so CallbackInfo.
    GetCallBackInfo: [outArg('CallbackInfo', 'A_ARG_TYPE_CallBackInfoList')],
  },
});

/** Action names, spelled as in Table 2-11. */
export const CallManagementAction = actionNames(callManagementContract);
export type CallManagementActionName = ActionName<typeof callManagementContract>;

/** State-variable names, spelled as in Table 2-2. */
export const CallManagementVariable = stateVariableNames(callManagementContract);
