/**
 * How the control point chooses media (3.1 step 3, 2.6.7.4: "the subset of the Media Capabilities of the
 * CallManagement service and that of the TC(s)"): per media type, the codecs that the serving Telephony Client
 * and the Telephony Server (or, when answering, the offer) have in common, in SDP whose addresses are the TC's.
 * Matching itself is the shared sdp-capability module's (intersectCapabilities, restrictSdp); this file only
 * picks the sections and puts them together, one m-line per stream, each with its own c= line so that one SDP
 * can name several TCs (C.19 F7, C.20 F21).
 */
import { intersectCapabilities, mediaTypesOf, parseSdpMedia, restrictSdp, sdpOfTypes, type SdpMedia } from '../contracts/call-management/sdp-capability.js';

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

/** The session part and media sections of an SDP, lines trimmed, blank lines dropped. */
function split(sdp: string): { session: string[]; sections: string[][] } {
  const session: string[] = [];
  const sections: string[][] = [];
  for (const line of sdp.split(/\r\n|\r|\n/).map((l) => l.trim()).filter((l) => l !== '')) {
    if (line.startsWith('m=')) sections.push([line]);
    else if (sections.length > 0) sections[sections.length - 1]!.push(line);
    else session.push(line);
  }
  return { session, sections };
}

/**
 * The streams of several SDPs as one SDP: the first one's session part, then every media section in order, each
 * given its SDP's session-level c= line when it has none of its own (so the address of each TC survives).
 */
export function combineStreams(parts: ReadonlyArray<string | undefined>): string | undefined {
  const present = parts.filter((p): p is string => p !== undefined && p.trim() !== '');
  if (present.length === 0) return undefined;
  let session: string[] | undefined;
  const sections: string[][] = [];
  for (const p of present) {
    const s = split(p);
    session ??= s.session;
    const c = s.session.find((l) => l.startsWith('c='));
    for (const section of s.sections) {
      if (c && !section.some((l) => l.startsWith('c='))) {
        // RFC 4566 5: m=, then i=, then c=.
        const at = section[1]?.startsWith('i=') ? 2 : 1;
        section.splice(at, 0, c);
      }
      sections.push(section);
    }
  }
  return [...session!, ...sections.flat()].map((l) => `${l}\r\n`).join('');
}

/** Media types of an SDP including disabled ones (what a TS's home SDP still lists). */
export function allTypes(sdp: string | undefined): string[] {
  return sdp ? [...mediaTypesOf(sdp)] : [];
}
