/**
 * The media plane: RTP/RTCP and RFC 4733 codecs (`rtp/`), G.711 (`codecs/`), 20 ms PCM sources, sinks and
 * analysis (`audio/`), the RTP endpoint with its port pool (`endpoint/`), the RTP relay (`relay/`) and the TC's
 * recorders (`tc/`). It knows nothing of telephony: `bridge/` adapts the relay and the endpoint to the Telephony
 * Server's and Client's ports, and `sdp/` is the SDP library every layer shares.
 */
export * from './rtp/index.js';
export * from './codecs/index.js';
export * from './audio/index.js';
export * from './endpoint/index.js';
export * from './relay/index.js';
export * from './tc/index.js';
