/** The Presence service of the Telephony Server (the names of UPnP Presence:1; see contract.ts). */
export { presenceContract, presenceServiceId, presenceServiceType, PresenceAction, PresenceVariable, PresenceErrorCode, presenceErrors, presenceActionErrors, presenceError } from './contract.js';
export type { PresenceActionName, PresenceContract } from './contract.js';
export { buildPresence, contactsOf, parsePresence, presenceNamespace, type ContactPresence } from './presence-xml.js';
export { PresenceUpnpService, type PresenceUpnpServiceOptions } from './presence-upnp-service.js';
