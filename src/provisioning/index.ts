/** Provisioning of the home's phones (issue 15): the device registry, its secrets, and what HTTP, TFTP and SIP serve. */
export { vendors, type Device, type DeviceIdentity, type DeviceState, type FetchProtocol, type FetchRecord, type DeviceFiles, type FileAnswer, type FilePreview, type FileRequest, type FileSource, type NotificationKind, type NotificationRecord, type PhonebookSource, type ProvisioningEvent, type Sighting, type Vendor } from './model.js';
export type { DeviceRepository, SealedSecretRepository } from './ports.js';
export { ProvisioningError, type ProvisioningErrorKind } from './errors.js';
export { commonMac, formatMac, parseMac } from './mac.js';
export { Keyring } from './keyring.js';
export { SealedPasswords } from './sealed-passwords.js';
export { ProvisioningService, type AutoEnroll, type DeviceChanges, type ProvisioningServiceOptions } from './provisioning-service.js';
export { ProvisioningFiles, maskSecret, masked, provisioningRealm, type ProvisioningFilesOptions } from './files.js';
export { commonFileName, deviceFileName, parseFileName, templateFileName, templateIds, type RequestedFile, type TemplateId } from './file-names.js';
export { parseUserAgent, type UserAgentIdentity } from './user-agents.js';
export { builtInTemplates, renderContext, Templates, timeZoneOf, type RegistrarContext, type RenderContext } from './templates/index.js';
