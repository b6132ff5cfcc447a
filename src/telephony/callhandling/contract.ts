/**
 * hometel's CallHandling service on each line's Telephony Server (issue 13, seed 004 2.2 3): what a screen decides
 * about a ringing Call beyond CallManagement:1's AcceptCall and RejectCall — ignore it on this screen only, forward
 * it to another number, send it to voicemail — do-not-disturb, and the full record of each incoming Call.
 *
 * Names (docs/decisions.md, "Incoming calls for the whole home"): IgnoreCall is CallManagement:2's action of that
 * name (it stops the alerting for the invoking control point only); TargetCallID as CallManagement:1's
 * StopCall/AcceptCall. Do-not-disturb is TR-104's CallingFeatures.DoNotDisturbEnable. Authentication is
 * CallManagement:1's: the TelCPName and its Secret Key, checked with the line's TelCP registry; the TelCPName is who
 * decided. Paging of GetCallRecords as ContentDirectory:1's Browse (StartingIndex, RequestedCount, NumberReturned,
 * TotalMatches).
 */
import { actionNames, defineContract, inArg, outArg, type ActionName } from '../../upnp/index.js';

export const callHandlingServiceType = 'urn:schemas-hometel-org:service:CallHandling:1';
export const callHandlingServiceId = 'urn:hometel-org:serviceId:CallHandling';

export const callHandlingContract = defineContract({
  serviceType: callHandlingServiceType,
  serviceId: callHandlingServiceId,
  stateVariables: {
    // The latest decision about a Call of this line (XML fragment hc:decision: callID, by, action); evented.
    LastDecision: { dataType: 'string', sendEvents: true },
    // The latest IgnoreCall (XML fragment hc:ignored: callID, TelCPName): that screen stops ringing; evented.
    LastIgnored: { dataType: 'string', sendEvents: true },
    // TR-104 CallingFeatures.DoNotDisturbEnable, for the whole home; evented.
    DoNotDisturbEnable: { dataType: 'boolean', sendEvents: true },
    A_ARG_TYPE_TelCPName: { dataType: 'string', sendEvents: false },
    A_ARG_TYPE_SecretKey: { dataType: 'string', sendEvents: false },
    A_ARG_TYPE_CallID: { dataType: 'string', sendEvents: false },
    A_ARG_TYPE_ForwardTarget: { dataType: 'string', sendEvents: false }, // a number or a sip:/tel: URI
    A_ARG_TYPE_SearchText: { dataType: 'string', sendEvents: false }, // '' = every record
    A_ARG_TYPE_Index: { dataType: 'ui4', sendEvents: false },
    A_ARG_TYPE_Count: { dataType: 'ui4', sendEvents: false },
    A_ARG_TYPE_CallRecords: { dataType: 'string', sendEvents: false }, // XML fragment hc:callRecords
  },
  actions: {
    IgnoreCall: [inArg('TelCPName', 'A_ARG_TYPE_TelCPName'), inArg('SecretKey', 'A_ARG_TYPE_SecretKey'), inArg('TargetCallID', 'A_ARG_TYPE_CallID')],
    ForwardCall: [
      inArg('TelCPName', 'A_ARG_TYPE_TelCPName'),
      inArg('SecretKey', 'A_ARG_TYPE_SecretKey'),
      inArg('TargetCallID', 'A_ARG_TYPE_CallID'),
      inArg('ForwardTarget', 'A_ARG_TYPE_ForwardTarget'),
    ],
    ForwardToVoiceMail: [inArg('TelCPName', 'A_ARG_TYPE_TelCPName'), inArg('SecretKey', 'A_ARG_TYPE_SecretKey'), inArg('TargetCallID', 'A_ARG_TYPE_CallID')],
    GetDoNotDisturb: [outArg('DoNotDisturbEnable', 'DoNotDisturbEnable')],
    SetDoNotDisturb: [inArg('TelCPName', 'A_ARG_TYPE_TelCPName'), inArg('SecretKey', 'A_ARG_TYPE_SecretKey'), inArg('DoNotDisturbEnable', 'DoNotDisturbEnable')],
    // RequestedCount 0 asks for a page of the service's size; newest first.
    GetCallRecords: [
      inArg('SearchText', 'A_ARG_TYPE_SearchText'),
      inArg('StartingIndex', 'A_ARG_TYPE_Index'),
      inArg('RequestedCount', 'A_ARG_TYPE_Count'),
      outArg('CallRecords', 'A_ARG_TYPE_CallRecords'),
      outArg('NumberReturned', 'A_ARG_TYPE_Count'),
      outArg('TotalMatches', 'A_ARG_TYPE_Count'),
    ],
  },
});

export type CallHandlingContract = typeof callHandlingContract;
export const CallHandlingAction = actionNames(callHandlingContract);
export type CallHandlingActionName = ActionName<CallHandlingContract>;
