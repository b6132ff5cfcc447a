/** CallManagement:1 (UPnP Telephony Server): the service contract, its error codes and the cams fragments. */
export * from './contract.js';
export * from './errors.js';
export * from './cams-types.js';
export * from './cams-xml.js';
