export { defaultSipCodec, type SipCodec, type SipParseOptions, type SipParseResult } from './codec-port.js';
export {
  defaultMtuThreshold,
  defaultSipPort,
  maxUdpPayload,
  normalizeAddress,
  peerKey,
  type SipSource,
  type Transport,
} from './transport.js';
export { stampReceived, viaSentBy, withTopViaTransport } from './via.js';
export { rawErrorResponse } from './raw-response.js';
export { isKeepAlive, UdpTransport, type UdpTransportOptions } from './udp-transport.js';
export { TcpTransport, type TcpTransportOptions } from './tcp-transport.js';
export { responseDestination, SipTransports, type SipTransportsOptions } from './sip-transports.js';
export { bindSipTransports, type BoundSipTransports } from './bind.js';
