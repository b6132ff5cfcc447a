/** hometel as a product: its config file and the composition `hometel start` runs. */
export * from './config.js';
export { startHometel } from './hometel.js';
export { openAccounts, setupLink, type OpenAccounts } from './accounts.js';
export { openContacts, type OpenContacts } from './contacts.js';
export * from './call-rules.js';
export { openPhones, phonesRealm, type OpenPhones } from './phones-admin.js';
export { openVoiceMail, type OpenVoiceMail } from './voicemail.js';
export { voiceMailServiceType } from '../telephony/voicemail/index.js';
export { callHandlingServiceType, parseCallRecords, parseDecision, parseIgnored } from '../telephony/callhandling/index.js';
export type { CallRecord } from '../callhandling/index.js';
export { openProvisioning, type OpenProvisioning } from './provisioning.js';
export { provisioningUrls, type ProvisioningUrls } from './provisioning-urls.js';
export { formatMac, parseMac, type Device, type DeviceChanges, type Vendor } from '../provisioning/index.js';
