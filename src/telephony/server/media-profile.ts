/**
 * What media the Telephony Server offers: TC-based media (streams it relays between the Remote
 * Party and the TCs) and TS-based native media (its own endpoint), as SDP, plus whether it mixes and
 * shares media. The media plane fills this in; until it exists the TS answers for its own ports.
 */
import { writeStreams, type WrittenStream } from '../../media/sdp/index.js';

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
  const origin = { address, sessionId: 0, version: 0 };
  const audio = (port: number): WrittenStream => ({
    type: 'audio',
    port,
    protocol: 'RTP/AVP',
    codecs: [
      { pt: 0, encodingName: 'PCMU', clockRate: 8000, channels: 1 },
      { pt: 8, encodingName: 'PCMA', clockRate: 8000, channels: 1 },
    ],
    telephoneEvent: { pt: 101, clockRate: 8000, fmtp: '0-15' },
    ptime: 20,
  });
  const video = (port: number): WrittenStream => ({
    type: 'video',
    port,
    protocol: 'RTP/AVP',
    codecs: [{ pt: 96, encodingName: 'H264', clockRate: 90000, channels: 1 }],
  });
  return {
    tcBased: writeStreams(origin, [audio(basePort), video(basePort + 2)]),
    native: writeStreams(origin, [audio(basePort + 4)]),
    mixing: true,
    sharing: true,
  };
}
