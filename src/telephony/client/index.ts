/** The Telephony Client: its MediaManagement:1 service over a MediaSessionPort, and the device. */
export { MediaManagementService } from './media-management-service.js';
export { telephonyClientDevice, telephonyClientType } from './telephony-client-device.js';
