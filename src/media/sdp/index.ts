/**
 * SDP for every part of hometel that reads or writes it — the TS (CallManagement, its relay), the TC (MediaManagement,
 * its media endpoint), the control point library and the echo endpoint: one reader and writer (sdp-transform, in
 * text.ts), the RFC 3551 static payload types, one codec identity, capability logic (intersection, subset,
 * restriction), section-wise editing, and the per-stream view of a media path. A library of the media layer: it
 * imports nothing from telephony/, upnp/, sip/ or app/.
 */
export { normalizeSdp, type SdpResult } from './text.js';
export { staticPayloadType, type StaticPayloadType } from './static-payload-types.js';
export { describeCodec, isTelephoneEvent, sameCodec, type CodecName } from './codec.js';
export { checkSubset, intersectCapabilities, parseSdpMedia, restrictSdp, type SdpCodec, type SdpMedia } from './capabilities.js';
export { combineStreams, mediaTypesOf, mergeSdp, sdpOfTypes, sdpPerSection } from './sections.js';
export {
  answerDirection,
  isPlainRtp,
  parseStreams,
  writeStreams,
  type Direction,
  type SdpOrigin,
  type SdpStream,
  type StreamCodec,
  type StreamExtras,
  type TelephoneEventFormat,
  type WrittenStream,
} from './streams.js';
