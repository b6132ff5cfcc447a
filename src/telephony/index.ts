/** UPnP Telephony: contracts, domain, the Telephony Server and the Telephony Client. */
export * from './contracts/call-management/index.js';
export { CallManagementService, type AnswererPolicy, type CallManagementOptions } from './server/call-management-service.js';
export { defaultMediaProfile, type MediaProfile } from './server/media-profile.js';
export { telephonyServerDevice, telephonyServerType } from './server/telephony-server-device.js';
export { InHomeLine } from './server/in-home-line.js';
export { UnconnectedLine } from './server/unconnected-line.js';
export { TelCPRegistry } from './domain/telcp-registry.js';
export type { Line, LineListener, LineFailure, RemotePeer, OutgoingCallRequest } from './domain/line.js';
export type { CallBackRepository, CallLogRepository, TelCPNameRepository } from './domain/repositories.js';
export { MediaManagementService } from './client/media-management-service.js';
export { telephonyClientDevice, telephonyClientType } from './client/telephony-client-device.js';
export { MediaSessionError, type MediaSessionListener, type MediaSessionOffer, type MediaSessionPort } from './domain/media-session.js';
