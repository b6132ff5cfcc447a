/**
 * The Telephony Server's and Client's domain: the Call and its state table, the TelCPName registry, and the ports
 * the adapters implement (Line, MediaPlane, MediaSessionPort, the repositories). It knows nothing of SIP, RTP, SQL
 * or UPnP.
 */
export * from './call.js';
export * from './call-handling.js';
export * from './call-state-machine.js';
export * from './callee-id.js';
export * from './line.js';
export * from './media-plane.js';
export * from './media-session.js';
export * from './phone-call.js';
export * from './repositories.js';
export * from './telcp-registry.js';
