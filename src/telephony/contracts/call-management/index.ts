/** CallManagement:1 (UPnP Telephony Server): the service contract and its error codes. */
export * from './contract.js';
export * from './errors.js';
