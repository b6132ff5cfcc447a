/**
 * G.711 (ITU-T G.711; RFC 3551 4.5.14): µ-law (PCMU, payload type 0) and A-law (PCMA, payload type 8), 8 kHz mono,
 * one octet per sample, over the `alawmulaw` package.
 */
import alawmulaw from 'alawmulaw';
import { frameMs } from '../audio/frame.js';
import type { Codec } from './codec.js';

const clockRate = 8000;
/** RFC 3551 4.5: G.711's default packetization is 20 ms. */
const samplesPerFrame = (clockRate * frameMs) / 1000;

export const pcmu: Codec = Object.freeze({
  payloadType: 0,
  encodingName: 'PCMU',
  clockRate,
  channels: 1,
  samplesPerFrame,
  encode: (samples: Int16Array): Uint8Array => alawmulaw.mulaw.encode(samples),
  decode: (payload: Uint8Array): Int16Array => alawmulaw.mulaw.decode(payload),
});

export const pcma: Codec = Object.freeze({
  payloadType: 8,
  encodingName: 'PCMA',
  clockRate,
  channels: 1,
  samplesPerFrame,
  encode: (samples: Int16Array): Uint8Array => alawmulaw.alaw.encode(samples),
  decode: (payload: Uint8Array): Int16Array => alawmulaw.alaw.decode(payload),
});
