/**
 * The Telephony Server's media plane, as the CallManagement service needs it: per Call, the media between the
 * Remote Party (the WAN leg, negotiated by the line's SDP offer/answer) and the home (the TCs of TC-based media
 * handling, 2.3.4.1, and the TS's own endpoint for TS-based media handling, 2.3.4.2). SDP in, SDP out, never RTP.
 * The RTP relay of src/media/relay implements it; a TS without it only records SDP.
 *
 * The TS has two faces per Call (C.12):
 * - the WAN leg: its SDP goes to the line as offer or answer and carries the TS's own address and WAN ports;
 * - the home leg: one TC-facing port per stream of the Call, which every TC of that stream sends to. CallInfo's
 *   <mediaCapability> carries the TS's home SDP (C.12 F17/F19: the TS's address and port, not the Remote Party's);
 *   the TelCP hands it to the TCs (StartMediaSession), and StartMediaTransfer tells the TS each TC's own SDP.
 *
 * Streams are named by media type and ordinal (the first audio m-line of an SDP is `audio:0`), so the WAN SDP, the
 * home SDP and every TC's SDP speak of the same stream whatever their m-line order.
 */

/** An SDP body (RFC 4566), CRLF or LF line ends. */
export type SdpText = string;

/** A TC taking part in the Call's media: its MediaManagement session and its own SDP (address, ports, codecs). */
export interface MediaClient {
  readonly udn?: string;
  readonly mediaSessionID?: string;
  readonly sdp: SdpText;
}

export interface MediaClientOptions {
  /** enableMediaMixing (2.3.1 architecture 1): each TC also hears the other TCs; undefined keeps the current setting. */
  readonly mixing?: boolean;
  /** shareMedia (2.3.1 architecture 2): these clients receive the stream of that Media Session instead of the Call's. */
  readonly shareMedia?: string;
  /** Add to the Call's clients (another TC joins a Talking Call) instead of replacing them (a change of TC). */
  readonly join?: boolean;
}

export interface CallMedia {
  readonly callID: string;
  /**
   * The TS's WAN-side SDP for the chosen streams (`chosenMedia`: the TC-based and native media the TelCP chose, or
   * the TS's own): its address and WAN ports, the chosen codecs (and the G.711 law the TS can transcode to). After
   * `setRemote(offer, 'offer')` it is the answer to that offer (its m-lines, rejected streams with port 0);
   * otherwise an offer. Throws when no port is left for a stream.
   */
  wanSdp(chosenMedia: SdpText): SdpText;
  /** The TS's home-side SDP for CallInfo's <mediaCapability>: its address and home port per stream of `negotiated`. Never throws (port 0 when none is left). */
  homeSdp(negotiated: SdpText): SdpText;
  /** The Remote Party's SDP: an offer (incoming call, re-INVITE) to be answered by the next `wanSdp`, or the answer to the last one. */
  setRemote(sdp: SdpText, kind?: 'offer' | 'answer'): void;
  /** The TCs of the Call (StartMediaTransfer), each with its own SDP. */
  setClients(tcs: readonly MediaClient[], opts: MediaClientOptions): void;
  /** The media types the TS handles itself (TS-based media handling); undefined or [] for none. */
  setNative(types: readonly string[] | undefined): void;
  /** Stops everything and releases every port and timer; idempotent. */
  close(): Promise<void>;
  /** Resolves when every socket opened so far is bound (or failed to). */
  ready(): Promise<void>;
}

export interface MediaPlane {
  /** Opens the media of a new Call (no port is taken before an SDP needs one). */
  openCall(callID: string): CallMedia;
  /** Closes every Call's media. */
  close(): Promise<void>;
}
