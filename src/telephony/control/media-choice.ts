/**
 * How the control point chooses media (3.1 step 3, 2.6.7.4: "the subset of the Media Capabilities of the
 * CallManagement service and that of the TC(s)"): per media type, the codecs that the serving Telephony Client
 * and the Telephony Server (or, when answering, the offer) have in common, in SDP whose addresses are the TC's.
 * Matching and SDP editing are media/sdp's (intersectCapabilities, restrictSdp, combineStreams); this file only
 * picks the sections and puts them together, one m-line per stream, each with its own c= line so that one SDP
 * can name several TCs (C.19 F7, C.20 F21).
 */
import { intersectCapabilities, parseSdpMedia, restrictSdp, sdpOfTypes, type SdpMedia } from '../../media/sdp/index.js';

/** The streams of several SDPs as one SDP, each media section keeping its own SDP's c= line. */

/** The media types of an SDP whose m-line is not disabled (port 0), in m-line order. */
export function enabledTypes(sdp: string | undefined): string[] {
  if (!sdp) return [];
  const media = parseSdpMedia(sdp);
  if (!media.ok) return [];
  return [...new Set(media.value.filter((m) => m.port !== 0).map((m) => m.type))];
}

/** The media sections of `sdp` of these types (with its session part); undefined when it has none of them. */
export function partOf(sdp: string | undefined, types: Iterable<string>): string | undefined {
  if (!sdp) return undefined;
  return sdpOfTypes(sdp, new Set(types));
}

function mediaOfType(sdp: string, type: string): SdpMedia[] {
  const part = partOf(sdp, [type]);
  const media = part ? parseSdpMedia(part) : undefined;
  return media?.ok ? media.value.filter((m) => m.type === type && m.port !== 0).slice(0, 1) : [];
}

/**
 * One stream of `type` for an offer or an answer: the codecs of `codecsFrom`'s stream (its order and payload
 * numbers) that every SDP of `against` also has, written into `base` (the serving TC's SDP: its address and
 * port). For an offer `codecsFrom` is the TC itself and `against` the TS's capabilities; for an answer
 * `codecsFrom` is the offer and `against` the TC. Undefined when nothing is common.
 */
export function chooseStream(type: string, base: string, codecsFrom: string, against: readonly string[]): string | undefined {
  let common = mediaOfType(codecsFrom, type);
  for (const other of against) {
    if (common.length === 0) break;
    const theirs = parseSdpMedia(other);
    common = theirs.ok ? intersectCapabilities(common, theirs.value) : [];
  }
  const own = partOf(base, [type]);
  if (common.length === 0 || !own) return undefined;
  const sdp = restrictSdp(own, common);
  return sdp.ok ? sdp.value : undefined;
}
