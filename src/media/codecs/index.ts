export * from './codec.js';
export * from './g711.js';
export * from './registry.js';
