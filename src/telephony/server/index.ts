/** The Telephony Server: its CallManagement:1 service, the device, and the lines that need no SIP. */
export { CallManagementService, type AnswererPolicy, type CallManagementOptions } from './call-management-service.js';
export { defaultMediaProfile, type MediaProfile } from './media-profile.js';
export { telephonyServerDevice, telephonyServerType } from './telephony-server-device.js';
export { InHomeLine, type PhoneExtensions } from './in-home-line.js';
export { UnconnectedLine } from './unconnected-line.js';
