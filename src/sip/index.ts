/**
 * hometel's SIP stack, bottom up: the message layer (codec, URIs, headers, Digest), the transports (UDP,
 * TCP), the transaction layer (RFC 3261 17), dialogs (12), the user agent (calls, registration,
 * availability). Its adapter of the Telephony Server's `Line` port is sip/bridge, a module of its own.
 */
export * from './message/index.js';
export * from './transport/index.js';
export * from './transaction/index.js';
export { Dialog, dialogKey, type DialogId } from './dialog/dialog.js';
export * from './user-agent/index.js';
