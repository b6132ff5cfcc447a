/** The SIP adapter of the Telephony Server: `SipLine` implements the domain's `Line` port with hometel's SIP user agent. */
export { dialogEventsOf, lineFailureOf, remotePeerOf, reportGuarded, SipLine, type DialogEventSink, type SipLineOptions } from './sip-line.js';
