/**
 * The XML fragments of MediaManagement:1 (namespace urn:schemas-upnp-org:phone:mms) as TypeScript values.
 *
 * The mms schema (mms-v1.xsd) is not among hometel's sources; the shapes below are the ones Appendix C of
 * CallManagement:1 prints (docs/decisions.md; test/fixtures/mms/mms-v1.xsd is hometel's own schema for them):
 *
 * ```
 * <mms:mediaCapabilityInfo>            TS/TC/Supported/NewMediaCapabilityInfo (C.12 F2, F21, F22)
 *   <mediaCapability format="SDP">…</mediaCapability>
 * <mms:mediaSessionInfo>               the evented MediaSessionInfo (C.12 F25, C.13 F9)
 *   <mediaSessionID>…  <mediaSessionStatus>Started|Stopped  <mediaCapability format="SDP">…
 * <mms:mediaSessionInfoList>           GetMediaSessionInfo's MediaSessionInfoList (C.18 F2)
 *   <mediaSessionInfo> (the same three children) …
 * ```
 *
 * Children are unqualified, as in every printed fragment and as in the cams schema.
 */
import type { MediaCapability, MediaCapabilityFormat } from '../call-management/cams-types.js';

export type { MediaCapability, MediaCapabilityFormat };
export { mediaCapabilityFormats } from '../call-management/cams-types.js';

/** Namespace of the MediaManagement fragments, as every printed fragment declares it. */
export const mmsNamespace = 'urn:schemas-upnp-org:phone:mms';
/** The xsi:schemaLocation the printed fragments give (most of them; C.18 F2, C.19 F2/F4 point at cams-v1.xsd). */
export const mmsSchemaLocation = 'http://www.upnp.org/schemas/phone/mms-v1.xsd';

/**
 * The values of `<mediaSessionStatus>`: the printed events and GetMediaSessionInfo show "Started" and "Stopped"
 * (section 3.1 of CallManagement: the TC events the status "Started" after StartMediaSession and "Stopped" after
 * StopMediaSession). No other value is printed or needed.
 */
export const mediaSessionStatusValues = ['Started', 'Stopped'] as const;
export type MediaSessionStatus = (typeof mediaSessionStatusValues)[number];

/**
 * `mms:mediaCapabilityInfo`: the media of one side as SDP. Every printed document carries exactly one
 * `<mediaCapability>`; one whose capability is absent says "nothing" (GetMediaCapabilities with nothing in common).
 */
export interface MmsMediaCapabilityInfo {
  mediaCapability?: MediaCapability;
}

/** One Media Session: `mms:mediaSessionInfo` (evented) or a `<mediaSessionInfo>` of the list. */
export interface MediaSessionInfo {
  mediaSessionID: string;
  mediaSessionStatus: MediaSessionStatus;
  /** The TC's side of the session (the answer it gave), as the printed events show it. */
  mediaCapability?: MediaCapability;
}

/** `mms:mediaSessionInfoList`: GetMediaSessionInfo's output. */
export type MediaSessionInfoList = MediaSessionInfo[];
