/** UPnP Telephony: contracts, domain, the Telephony Server and the Telephony Client (the control point library is telephony/control). */
export * from './contracts/index.js';
export * from './domain/index.js';
export * from './server/index.js';
export * from './client/index.js';
