/**
 * hometel's VoiceMail service on each line's Telephony Server (issue 13; seed 004 3.2 5, the TMS/VMS brought into
 * the home): a TelCP lists the line's messages, marks them read or unread, deletes them, and plays one on a
 * Telephony Client; VoiceMailInfo is evented at every change, wherever it was made (web UI, CLI, another TelCP).
 *
 * A vendor service: UPnP Telephony has no service that hands out a TS's own recorded messages. VoiceMailInfo is
 * named after CallManagement:2's VoiceMailInfo (which tells TelCPs of waiting messages); its XML shape here is
 * hometel's own (voicemail-xml.ts), as is everything else of this contract (docs/decisions.md).
 */
import { actionNames, defineContract, defineErrors, inArg, outArg, stateVariableNames, UdaErrorCode, type ActionName } from '../../upnp/index.js';

export const voiceMailServiceType = 'urn:schemas-hometel-org:service:VoiceMail:1';
export const voiceMailServiceId = 'urn:hometel-org:serviceId:VoiceMail';

export const voiceMailContract = defineContract({
  serviceType: voiceMailServiceType,
  serviceId: voiceMailServiceId,
  stateVariables: {
    // XML fragment vm:voiceMailInfo: the line's messages with new/total counts; evented, at most once per moderation interval.
    VoiceMailInfo: { dataType: 'string', sendEvents: true },
    A_ARG_TYPE_MessageID: { dataType: 'string', sendEvents: false },
    A_ARG_TYPE_Read: { dataType: 'boolean', sendEvents: false },
    // The UDN of a Telephony Client (uuid:…), or its friendly name.
    A_ARG_TYPE_TCUDN: { dataType: 'string', sendEvents: false },
  },
  actions: {
    GetVoiceMailInfo: [outArg('VoiceMailInfo', 'VoiceMailInfo')],
    SetMessageRead: [inArg('MessageID', 'A_ARG_TYPE_MessageID'), inArg('Read', 'A_ARG_TYPE_Read')],
    DeleteMessage: [inArg('MessageID', 'A_ARG_TYPE_MessageID')],
    // Returns once the TC's media session has started; hometel stops it when the message has played.
    PlayVoiceMail: [inArg('MessageID', 'A_ARG_TYPE_MessageID'), inArg('TCUDN', 'A_ARG_TYPE_TCUDN')],
  },
});

export type VoiceMailContract = typeof voiceMailContract;
export const VoiceMailAction = actionNames(voiceMailContract);
export type VoiceMailActionName = ActionName<VoiceMailContract>;
export const VoiceMailVariable = stateVariableNames(voiceMailContract);

/** The service's own codes (UDA leaves 700–799 to the service), in the style of ContentDirectory's 701. */
export const VoiceMailErrorCode = {
  NoSuchMessage: 701,
  NoSuchTelephonyClient: 702,
  PlaybackFailed: 703,
} as const;
export type VoiceMailErrorCode = (typeof VoiceMailErrorCode)[keyof typeof VoiceMailErrorCode];

const catalogue = defineErrors(VoiceMailErrorCode, {
  701: { errorDescription: 'No such message', meaning: 'The MessageID names no message of this line.' },
  702: { errorDescription: 'No such Telephony Client', meaning: 'No Telephony Client with this UDN or friendly name answers.' },
  703: { errorDescription: 'Playback failed', meaning: 'The Telephony Client refused or failed the media session.' },
});

export const voiceMailErrors = catalogue.table;
export const isVoiceMailErrorCode = catalogue.isCode;
/** The UpnpError for one of the codes; `detail` only goes into `message`, for logs. */
export const vmError = catalogue.error;

/** The codes each action may answer besides 401/501. */
export const voiceMailActionErrors: Readonly<Record<VoiceMailActionName, readonly number[]>> = {
  [VoiceMailAction.GetVoiceMailInfo]: [],
  [VoiceMailAction.SetMessageRead]: [UdaErrorCode.InvalidArgs, VoiceMailErrorCode.NoSuchMessage],
  [VoiceMailAction.DeleteMessage]: [UdaErrorCode.InvalidArgs, VoiceMailErrorCode.NoSuchMessage],
  [VoiceMailAction.PlayVoiceMail]: [UdaErrorCode.InvalidArgs, VoiceMailErrorCode.NoSuchMessage, VoiceMailErrorCode.NoSuchTelephonyClient, VoiceMailErrorCode.PlaybackFailed],
};
