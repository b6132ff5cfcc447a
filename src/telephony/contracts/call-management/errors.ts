/**
 * The error codes of CallManagement:1 (Table 2-54, 2.6.23) and which action may answer which code
 * (the per-action error tables 2-13 … 2-53).
 *
 * The 400-499 and 500-599 rows of every table (and 600-699 where printed) refer to UDA's own codes; those
 * come from udaError() in the UPnP layer and are not repeated here. Code 700 is "Reserved for future
 * extensions" and is not an error a device answers.
 */
import { defineErrors } from '../../../upnp/index.js';
import { CallManagementAction as A, type CallManagementActionName } from './contract.js';

/** Names for the codes of Table 2-54. */
export const CallManagementErrorCode = {
  ActionNotAuthorized: 606,
  InvalidTelCP: 701,
  TelCPNameAlreadyExists: 702,
  InvalidCallID: 703,
  InvalidPeerID: 704,
  InvalidPriority: 705,
  InvalidCallMode: 706,
  InvalidMediaCapability: 707,
  Busy: 708,
  InvalidCalleeID: 709,
  InvalidNewMonopolizer: 710,
  InvalidCallBackID: 711,
  InvalidCallStatus: 712,
  UnauthorizedIdentity: 713,
  IdentityDoesNotExist: 714,
} as const;
export type CallManagementErrorCode = (typeof CallManagementErrorCode)[keyof typeof CallManagementErrorCode];

/** Table 2-54 (Error Code Summary), codes 606 and 701-714. */
const catalogue = defineErrors(CallManagementErrorCode, {
  606: { errorDescription: 'Action not Authorized', meaning: 'The CP does not have privileges to invoke this action.' },
  701: { errorDescription: 'Invalid TelCP', meaning: 'The specified TelCPName or Secret Key is invalid.' },
  // The spec prints two texts for 702: "TelCPName is already used" in the summary Table 2-54, and
  // "TelCPName already exists" in the tables of the only two actions that answer 702 (Table 2-15
  // RegisterTelCPName, Table 2-19 ChangeTelCPName, the latter with a trailing ".") and in the fault bodies of
  // Appendix C.2 and C.7. We send "TelCPName already exists": it is what a control point written against the
  // action tables or the examples sees. Control points should match on errorCode anyway.
  702: { errorDescription: 'TelCPName already exists', meaning: 'The specified NewTelCPName is already used.' },
  703: { errorDescription: 'Invalid CallID', meaning: 'The specified CallID is invalid.' },
  704: { errorDescription: 'Invalid peerID', meaning: 'The specified peerID is invalid.' },
  705: { errorDescription: 'Invalid priority', meaning: 'The specified priority is invalid.' },
  706: { errorDescription: 'Invalid CallMode', meaning: 'The specified CallMode is invalid.' },
  707: { errorDescription: 'Invalid Media Capability', meaning: 'The specified Media Capability is invalid.' },
  708: { errorDescription: 'Busy', meaning: 'No resource to create a Call is left.' },
  709: { errorDescription: 'Invalid CalleeID', meaning: 'The specified CalleeID is invalid.' },
  710: { errorDescription: 'Invalid NewMonopolizer', meaning: 'The specified NewMonopolizer is invalid.' },
  // Table 2-54 writes "Invalid CallBackID", Table 2-51 (ClearCallBack) "Invalid CallbackID". Table 2-54's
  // text is kept: it matches Table 2-2's variable name A_ARG_TYPE_CallBackID, and no example shows a 711.
  711: { errorDescription: 'Invalid CallBackID', meaning: 'The specified CallBackID is invalid.' },
  712: { errorDescription: 'Invalid Call Status', meaning: 'The action is called when it is not allowed for the Call Status.' },
  713: {
    errorDescription: 'Unauthorized Identity',
    meaning: 'The identity(a TelCP or a user) is not authorized to invoke the action.',
  },
  714: {
    errorDescription: 'Identity does not exist',
    meaning: 'The identity of the TS has not been assigned yet by the telephony service in the WAN side.',
  },
});

export const callManagementErrors = catalogue.table;
export const isCallManagementErrorCode = catalogue.isCode;
/**
 * The UpnpError for one of the service's codes. The wire errorDescription is always the table's text;
 * `detail` (which call, which name, why) only goes into `message`, for logs.
 */
export const cmError = catalogue.error;

/**
 * The service-specific codes each action's error table lists, as printed (the UDA ranges left out).
 * Printed oddities kept as they are:
 * - GetTelCPNameList (Table 2-21) and GetMediaCapabilities (Table 2-23) list only the UDA ranges.
 * - AcceptCall (Table 2-29) lists "600-699 TBD" instead of 606.
 * - AcceptModifyCall (Table 2-35) also prints 700 "Reserved for future extensions"; not an answer, left out.
 * - StartMediaTransfer (Table 2-37) has no 713 although 2.6.13.3 requires the Monopolizer check.
 * - ChangeMonopolizer (Table 2-39) lists 707 although it has no media argument.
 * - StartCall (Table 2-25) lists 704 "Invalid peerID" for a bad callee; InitiateCall and RegisterCallBack 709.
 */
export const actionErrors: Readonly<Record<CallManagementActionName, readonly CallManagementErrorCode[]>> = {
  [A.GetTelephonyIdentity]: [606, 714], // Table 2-13
  [A.RegisterTelCPName]: [606, 701, 702], // Table 2-15
  [A.UnregisterTelCPName]: [606, 701, 712], // Table 2-17
  [A.ChangeTelCPName]: [606, 701, 702, 712], // Table 2-19
  [A.GetTelCPNameList]: [], // Table 2-21
  [A.GetMediaCapabilities]: [], // Table 2-23
  [A.StartCall]: [606, 701, 704, 705, 706, 707, 708, 713], // Table 2-25
  [A.StopCall]: [606, 701, 703, 712, 713], // Table 2-27
  [A.AcceptCall]: [701, 703, 706, 707, 712, 713], // Table 2-29
  [A.RejectCall]: [606, 701, 703, 712, 713], // Table 2-31
  [A.ModifyCall]: [606, 701, 703, 707, 712, 713], // Table 2-33
  [A.AcceptModifyCall]: [606, 701, 703, 707, 712, 713], // Table 2-35
  [A.StartMediaTransfer]: [606, 701, 703, 707, 712], // Table 2-37
  [A.ChangeMonopolizer]: [606, 701, 703, 707, 710, 712, 713], // Table 2-39
  [A.InitiateCall]: [606, 709], // Table 2-41
  [A.GetCallInfo]: [606, 701, 703, 713], // Table 2-43
  [A.GetCallLogs]: [606], // Table 2-45
  [A.ClearCallLogs]: [606], // Table 2-47
  [A.RegisterCallBack]: [606, 709], // Table 2-49
  [A.ClearCallBack]: [606, 711], // Table 2-51
  [A.GetCallBackInfo]: [606], // Table 2-53
};
