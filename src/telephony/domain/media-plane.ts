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

/** Counters of one peer of a stream (the Remote Party, a TC). */
export interface MediaLegStats {
  readonly packetsReceived: number;
  readonly bytesReceived: number;
  readonly packetsSent: number;
  readonly bytesSent: number;
  /** Valid RTP (and RTCP) from a source other than this peer's. */
  readonly droppedForeign: number;
  /** Not RTP, a payload type not negotiated, oversized. */
  readonly malformed: number;
  /** Packets that could not be delivered: no common codec, no telephone-event on the receiving side. */
  readonly unroutable: number;
  /** Packets re-encoded for this peer (µ-law ⇄ A-law, or mixed). */
  readonly transcoded: number;
  readonly rtcpReceived: number;
  readonly rtcpSent: number;
  /** RFC 4733 telephone-event packets received from and sent to this peer. */
  readonly eventsReceived: number;
  readonly eventsSent: number;
  /** The SSRC of what the TS sends this peer (one per leg, whatever it relays). */
  readonly ssrc: number;
}

export interface MediaClientStats extends MediaLegStats {
  readonly id: string;
  readonly address: string;
  readonly port: number;
  /** The Media Session whose stream this client receives (shareMedia). */
  readonly sharing?: string;
}

export interface MediaStreamStats {
  /** `audio:0`, `video:0` … */
  readonly key: string;
  readonly type: string;
  /** forward: packets relayed as they come; mix: decoded and mixed every 20 ms. */
  readonly mode: 'forward' | 'mix';
  readonly native: boolean;
  readonly mixing: boolean;
  readonly wanPort?: number;
  readonly homePort?: number;
  readonly remote: MediaLegStats & { readonly latched?: string };
  readonly clients: readonly MediaClientStats[];
  /** Datagrams on the home port from an address that is no TC of the stream (dropped). */
  readonly unknownSource: number;
  /** Datagrams on the home port that are not RTP/RTCP at all. */
  readonly homeMalformed: number;
  /** TS-native media: frames played to and recorded from the Remote Party, telephone-events received. */
  readonly nativeFramesPlayed: number;
  readonly nativeFramesRecorded: number;
  readonly nativeEvents: number;
}

export interface CallMediaStats {
  readonly callID: string;
  readonly closed: boolean;
  readonly streams: readonly MediaStreamStats[];
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
  stats(): CallMediaStats;
}

export interface MediaPlane {
  /** Opens the media of a new Call (no port is taken before an SDP needs one). */
  openCall(callID: string): CallMedia;
  /** Closes every Call's media. */
  close(): Promise<void>;
}
