// re-export kept while issue 10 lands; importers move to media/sdp
export {
  checkSubset,
  describeCodec,
  intersectCapabilities,
  mediaTypesOf,
  mergeSdp,
  parseSdpMedia,
  restrictSdp,
  sameCodec,
  sdpOfTypes,
  type SdpCodec,
  type SdpMedia,
  type SdpResult,
} from '../../../media/sdp/index.js';
