export * from './datatypes.js';
export * from './device-model.js';
export * from './identifiers.js';
export * from './service-contract.js';
export * from './typed-contract.js';
export * from './upnp-error.js';
export * from './error-catalogue.js';
export * from './service-implementation.js';
