/**
 * The audio stream hometel's own RTP endpoints offer (the TC's media endpoint, the echo): every codec they encode
 * (G.711 µ-law and A-law) under its static payload type, RFC 4733 telephone-event, 20 ms packets.
 */
import { supportedCodecs } from '../codecs/registry.js';
import { defaultTelephoneEventPayloadType } from '../rtp/telephone-event.js';
import type { Direction, WrittenStream } from '../sdp/index.js';

export function g711AudioStream(port: number, direction: Direction = 'sendrecv'): WrittenStream {
  return {
    type: 'audio',
    port,
    protocol: 'RTP/AVP',
    codecs: supportedCodecs.map((c) => ({ pt: c.payloadType, encodingName: c.encodingName, clockRate: c.clockRate, channels: c.channels })),
    telephoneEvent: { pt: defaultTelephoneEventPayloadType, clockRate: 8000, fmtp: '0-15' },
    ptime: 20,
    direction,
  };
}
