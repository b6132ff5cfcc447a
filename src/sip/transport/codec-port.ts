/**
 * What the transports need from the SIP message codec, as a port: the transports take it as an option
 * (default: the codec of src/sip/message/codec.ts), so tests can inject a codec that fails on purpose.
 */
import { parseSipMessage, serializeSipMessage } from '../message/codec.js';
import type { SipMessage } from '../message/types.js';

export interface SipParseOptions {
  /**
   * True on a stream transport (TCP): Content-Length frames the message, the buffer may hold more than one
   * message (`consumed` says where the first ends) or less than one (`incomplete`). False for one UDP datagram
   * (RFC 3261 18.3: Content-Length optional, the datagram ends the message).
   */
  readonly stream: boolean;
}

export type SipParseResult =
  | { readonly ok: true; readonly message: SipMessage; readonly consumed: number }
  | { readonly ok: false; readonly reason: string; readonly incomplete?: boolean };

export interface SipCodec {
  parse(data: Buffer, options: SipParseOptions): SipParseResult;
  /** The wire form; writes Content-Length from the body. */
  serialize(message: SipMessage): Buffer;
}

/** hometel's codec (`parseSipMessage`, `serializeSipMessage`) behind the port. */
export const defaultSipCodec: SipCodec = {
  parse: (data, options) => parseSipMessage(data, options),
  serialize: serializeSipMessage,
};
