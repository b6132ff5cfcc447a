/**
 * The media plane: RTP/RTCP and RFC 4733 codecs (`rtp/`), G.711 (`codecs/`), 20 ms PCM sources, sinks and
 * analysis (`audio/`), and the RTP endpoint with its port pool (`endpoint/`).
 */
export * from './rtp/index.js';
export * from './codecs/index.js';
export * from './audio/index.js';
export * from './endpoint/index.js';
