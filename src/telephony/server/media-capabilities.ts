/**
 * The TS's media capabilities against what TelCPs send (2.6.6, 2.6.7 …): the MediaCapabilityInfo argument
 * checked (402 malformed, 707 unusable), the subset rule for TC-based and TS-native SDP, GetMediaCapabilities,
 * and which part of an offer the TS takes itself.
 */
import { UpnpError } from '../../upnp/index.js';
import { buildSupportedMediaCapabilityInfo, cmError, parseMediaCapabilityInfo, type MediaCapabilityInfo } from '../contracts/index.js';
import { checkSubset, intersectCapabilities, mergeSdp, parseSdpMedia, restrictSdp, type SdpMedia } from '../../media/sdp/index.js';
import type { MediaProfile } from './media-profile.js';

export class MediaCapabilities {
  constructor(readonly profile: MediaProfile) {}

  /** Parses a MediaCapabilityInfo argument: 402 when it is not the fragment, 707 when its content is invalid. */
  parse(text: string, allowEmpty: boolean): MediaCapabilityInfo {
    if (text.trim() === '') {
      if (allowEmpty) return {};
      throw cmError(707, 'empty MediaCapabilityInfo');
    }
    const parsed = parseMediaCapabilityInfo(text);
    if (!parsed.ok) throw new UpnpError(402, 'Invalid Args');
    const info = parsed.value;
    if (info.enableMediaMixing === true && info.shareMedia !== undefined) throw cmError(707, 'enableMediaMixing and shareMedia together');
    if (info.enableMediaMixing && !this.profile.mixing) throw cmError(707, 'this TS does not mix media');
    if (info.shareMedia !== undefined && !this.profile.sharing) throw cmError(707, 'this TS does not share media');
    for (const m of [info.mediaCapability, info.nativeMediaCapability]) {
      if (m && !parseSdpMedia(m.content).ok) throw cmError(707, 'media capability is not valid SDP');
    }
    return info;
  }

  /** 707 unless every stream and codec of `sdp` is in `reference` (none: the TS has no such media). */
  requireSubset(sdp: string, reference: string | undefined, what: string): void {
    if (reference === undefined) throw cmError(707, `${what}: this Telephony Server has no media of its own`);
    const a = parseSdpMedia(sdp);
    const b = parseSdpMedia(reference);
    if (!a.ok || !b.ok) throw cmError(707, `${what}: not valid SDP`);
    const subset = checkSubset(a.value, b.value);
    if (!subset.ok) throw cmError(707, `${what}: ${subset.reason}`);
  }

  /**
   * 707 unless the TC-based part is within the TS's TC-based media and the native part within its native media;
   * `what` names the check in the log (by default the part's element name).
   */
  requireOwn(info: MediaCapabilityInfo, what?: string): void {
    if (info.mediaCapability) this.requireSubset(info.mediaCapability.content, this.profile.tcBased, what ?? 'mediaCapability');
    if (info.nativeMediaCapability) this.requireSubset(info.nativeMediaCapability.content, this.profile.native, what ?? 'nativeMediaCapability');
  }

  /** GetMediaCapabilities (2.6.6): everything, or the part of the TC's capabilities the TS supports. */
  supported(tcInfo: string): string {
    const media = this.profile;
    if (tcInfo.trim() === '') {
      return buildSupportedMediaCapabilityInfo({
        mediaMixingCapability: media.mixing,
        mediaSharingCapability: media.sharing,
        mediaCapability: { format: 'SDP', content: media.tcBased },
        ...(media.native ? { nativeMediaCapability: { format: 'SDP', content: media.native } } : {}),
      });
    }
    const info = this.parse(tcInfo, false);
    const subset = (offered: string | undefined, own: string | undefined): { format: 'SDP'; content: string } | undefined => {
      if (!offered || !own) return undefined;
      const theirs = parseSdpMedia(offered);
      const ours = parseSdpMedia(own);
      if (!theirs.ok || !ours.ok) throw cmError(707, 'media capability is not valid SDP');
      const sdp = commonPart(offered, theirs.value, ours.value);
      return sdp === undefined ? undefined : { format: 'SDP', content: sdp };
    };
    const tc = subset(info.mediaCapability?.content, media.tcBased);
    const native = subset(info.nativeMediaCapability?.content, media.native);
    return buildSupportedMediaCapabilityInfo({ ...(tc ? { mediaCapability: tc } : {}), ...(native ? { nativeMediaCapability: native } : {}) });
  }

  /** The part of an offer the TS can handle itself (TS-based media), in the offer's form; undefined if none. */
  nativePartOf(offer: string): string | undefined {
    if (!this.profile.native) return undefined;
    const theirs = parseSdpMedia(offer);
    const ours = parseSdpMedia(this.profile.native);
    if (!theirs.ok || !ours.ok) return undefined;
    return commonPart(offer, theirs.value, ours.value);
  }

  /** What the TS offers when no TelCP chose media: its native media, or what it relays if it has none. */
  get ownMedia(): string {
    return this.profile.native ?? this.profile.tcBased;
  }
}

/** The streams and codecs of `offer` both sides have, in the offer's form; undefined when nothing is common. */
function commonPart(offer: string, theirs: SdpMedia[], ours: SdpMedia[]): string | undefined {
  const common = intersectCapabilities(theirs, ours);
  const sdp = restrictSdp(offer, common);
  return sdp.ok && common.length ? sdp.value : undefined;
}

/** TC-based and TS-native media as one SDP (either may be absent). */
export function combine(tcBased: string | undefined, native: string | undefined): string | undefined {
  if (tcBased && native) return mergeSdp(tcBased, native);
  return tcBased ?? native;
}
