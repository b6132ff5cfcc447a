/**
 * An audio codec as the media plane sees it: 16-bit PCM frames in, RTP payloads out, and back. Codecs are pure;
 * `decode` accepts any bytes (every octet is a valid G.711 sample), so network input cannot make it throw.
 */
export interface Codec {
  /** The static RTP payload type (RFC 3551 table 4), or the negotiated dynamic one. */
  readonly payloadType: number;
  /** The SDP rtpmap encoding name, as RFC 3551 spells it (`PCMU`, `PCMA`). */
  readonly encodingName: string;
  /** RTP clock rate in Hz, which for G.711 is also the sampling rate. */
  readonly clockRate: number;
  readonly channels: number;
  /** Samples in one 20 ms frame (RTP timestamp increment per 20 ms packet). */
  readonly samplesPerFrame: number;
  encode(samples: Int16Array): Uint8Array;
  decode(payload: Uint8Array): Int16Array;
}
