/**
 * The media endpoint of a Telephony Client, as the MediaManagement service needs it: Media Sessions opened,
 * changed and closed by offer and answer in SDP, never RTP. The RTP endpoint of src/media implements it; an
 * in-memory fake (telephony/testing/fake-media-sessions.ts) implements it for tests.
 *
 * Who does what: the service negotiates (which media and codecs, with the shared matcher of
 * media/sdp) and keeps the session records, IDs, statuses and events; the
 * endpoint owns transport (addresses, ports, sockets, RTP/RTCP) and answers for the negotiated media.
 *
 * In a session's offer the TS leg is the remote side: in C.12 F21 the TelCP passes the TS's address and port
 * for this TC (`m=audio 11001 …`, `c=IN IP4 192.168.1.1`) and the TC answers with its own (C.12 F22,
 * `m=audio 11021`, `c=IN IP4 192.168.1.21`).
 */
import type { SdpMedia } from '../../media/sdp/index.js';
import { HometelError } from '../../base/index.js';

export interface MediaSessionOffer {
  /** The Media Session ID the service gave the session (it names the session in every later call). */
  readonly id: string;
  /** The TS leg's SDP as received, CRLF line ends: where to send each stream and what the TS offers. */
  readonly remoteSdp: string;
  /**
   * What the service negotiated and the answer must carry: per offered media description that the endpoint's
   * capabilities() can serve (in the offer's order), the codecs both sides have (in the offer's order, with the
   * offer's payload numbers, rtpmap and fmtp). Never empty. `restrictSdp(ownSdpWithThisSessionsPorts, media)`
   * of media/sdp writes exactly such an answer.
   */
  readonly media: readonly SdpMedia[];
}

/** Why an endpoint could not open or change a session. */
export type MediaSessionFailure =
  /** No ports, sockets or processing left (the service answers 708 Busy). */
  | 'no-resources'
  /** The negotiated media cannot be served after all (707 Invalid Media Capability). */
  | 'unsupported'
  /** Anything else (501 Action Failed). */
  | 'failed';

export class MediaSessionError extends HometelError {
  readonly code: `media.${MediaSessionFailure}`;

  constructor(
    readonly failure: MediaSessionFailure,
    message: string,
  ) {
    super(message);
    this.code = `media.${failure}`;
    this.name = 'MediaSessionError';
  }
}

/** What the endpoint reports on its own. */
export interface MediaSessionListener {
  /** A session ended without StopMediaSession (a socket failed, the endpoint shut down …); it is gone. */
  ended(id: string, reason: string): void;
}

export interface MediaSessionPort {
  /**
   * Everything the endpoint can send or receive, as one SDP: its address, for each media type an m= line with
   * every codec it supports in its order of preference, and indicative ports (a session may get others).
   * GetMediaCapabilities answers it, and negotiation matches offers against it.
   */
  capabilities(): string;
  /**
   * Opens a session: allocates ports, starts sending to and receiving from the remote side of
   * `offer.remoteSdp` with the negotiated media. Resolves with the answer SDP: the endpoint's address and this
   * session's ports, exactly the media and codecs of `offer.media`. Rejects with a MediaSessionError.
   */
  open(offer: MediaSessionOffer): Promise<string>;
  /**
   * Changes an open session to a new offer from the TS leg (other address or ports, other media or codecs);
   * resolves with the new answer, as open() does. On rejection the session must go on as before.
   */
  modify(offer: MediaSessionOffer): Promise<string>;
  /** Stops a session and releases everything it holds. Closing an unknown or closed session does nothing. */
  close(id: string): Promise<void>;
  setListener(listener: MediaSessionListener): void;
}
