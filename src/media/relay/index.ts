export * from './transcoding.js';
export * from './out-stream.js';
export * from './leg.js';
export * from './udp-pair.js';
export * from './relay-stream.js';
export * from './relay-session.js';
export * from './stats.js';
