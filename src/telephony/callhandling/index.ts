/** hometel's CallHandling service on each line's Telephony Server (a vendor service; see contract.ts). */
export { callHandlingContract, callHandlingServiceId, callHandlingServiceType, CallHandlingAction, type CallHandlingActionName, type CallHandlingContract } from './contract.js';
export { alreadyDecided, callHandlingActionErrors, callHandlingErrors, CallHandlingErrorCode, chError } from './errors.js';
export { buildCallRecords, buildDecision, buildIgnored, callHandlingNamespace, parseCallRecords, parseDecision, parseIgnored } from './record-xml.js';
export { CallHandlingUpnpService, type CallHandlingUpnpOptions } from './call-handling-upnp-service.js';
