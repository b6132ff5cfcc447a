/** MediaManagement:1 (UPnP Telephony Client): the service contract, its error codes and the mms fragments. */
export * from './contract.js';
export * from './errors.js';
export * from './mms-types.js';
export * from './mms-xml.js';
