/** The VoiceMail service of the Telephony Server (a hometel vendor service; see contract.ts). */
export { voiceMailContract, voiceMailServiceId, voiceMailServiceType, VoiceMailAction, VoiceMailVariable, VoiceMailErrorCode, voiceMailErrors, voiceMailActionErrors, isVoiceMailErrorCode, vmError } from './contract.js';
export type { VoiceMailActionName, VoiceMailContract } from './contract.js';
export { buildVoiceMailInfo, parseVoiceMailInfo, voiceMailNamespace, type VoiceMailInfoFragment } from './voicemail-xml.js';
export { NoSuchTelephonyClient, VoiceMailUpnpService, type VoiceMailUpnpServiceOptions } from './voicemail-upnp-service.js';
