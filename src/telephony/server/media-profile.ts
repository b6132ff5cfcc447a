/**
 * What media the Telephony Server offers: TC-based media (streams it relays between the Remote
 * Party and the TCs) and TS-based native media (its own endpoint), as SDP, plus whether it mixes and
 * shares media. The media plane fills this in; until it exists the TS answers for its own ports.
 */
export interface MediaProfile {
  /** SDP of the TC-based media the TS can relay (<mediaCapability>). */
  readonly tcBased: string;
  /** SDP of the TS's own media endpoint (<nativeMediaCapability>); absent when the TS has none. */
  readonly native?: string;
  readonly mixing: boolean;
  readonly sharing: boolean;
}

/** G.711 µ-law and A-law audio with telephone-events, plus H.264 video for TC-based media, at `address`. */
export function defaultMediaProfile(address: string, basePort = 40000): MediaProfile {
  const session = `v=0\r\no=- 0 0 IN IP4 ${address}\r\ns=-\r\nc=IN IP4 ${address}\r\nt=0 0\r\n`;
  const audio = (port: number): string =>
    `m=audio ${port} RTP/AVP 0 8 101\r\na=rtpmap:0 PCMU/8000\r\na=rtpmap:8 PCMA/8000\r\na=rtpmap:101 telephone-event/8000\r\na=fmtp:101 0-15\r\na=ptime:20\r\n`;
  const video = (port: number): string => `m=video ${port} RTP/AVP 96\r\na=rtpmap:96 H264/90000\r\n`;
  return {
    tcBased: session + audio(basePort) + video(basePort + 2),
    native: session + audio(basePort + 4),
    mixing: true,
    sharing: true,
  };
}
