/**
 * hometel's SIP stack, bottom up: the message layer (codec, URIs, headers, Digest), the transports (UDP,
 * TCP), the transaction layer (RFC 3261 17), dialogs (12), the user agent (calls, registration,
 * availability), and the bridge that implements the Telephony Server's `Line` with it.
 */
export * from './message/index.js';
export * from './transport/index.js';
export * from './transaction/index.js';
export { Dialog, dialogKey, type DialogId } from './dialog/dialog.js';
export * from './user-agent/index.js';
export { lineFailureOf, remotePeerOf, SipLine, type SipLineOptions } from './bridge/sip-line.js';
