export * from './packet.js';
export * from './sequence.js';
export * from './rtcp.js';
export * from './telephone-event.js';
export * from './receive-stats.js';
