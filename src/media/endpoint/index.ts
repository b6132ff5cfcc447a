export * from './port-pool.js';
export * from './jitter-buffer.js';
export * from './dtmf.js';
export * from './rtp-endpoint.js';
export * from './g711-audio.js';
export * from './udp-socket.js';
