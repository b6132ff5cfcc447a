/**
 * The echo test endpoint's SDP (RFC 3264): its answer to a caller's offer, or its own offer when the INVITE had
 * none. It takes the first plain-RTP audio stream that offers G.711 (PCMU and/or PCMA, under the offer's payload
 * numbers, with telephone-event when offered at 8000 Hz) and rejects every other m-line (port 0).
 */
import { g711AudioStream, g711Of } from '../../media/index.js';
import { answerDirection, isPlainRtp, parseStreams, writeStreams, type WrittenStream } from '../../media/sdp/index.js';

export interface EchoSdp {
  readonly sdp: string;
  /** The payload types the echo sends back (what the caller may send). */
  readonly payloadTypes: readonly number[];
}

function payloadTypesOf(s: WrittenStream): number[] {
  return [...s.codecs.map((c) => c.pt), ...(s.telephoneEvent ? [s.telephoneEvent.pt] : [])];
}

/**
 * The answer to `offer` at `address`:`port` (o= version `version`), or the echo's own offer when `offer` is
 * undefined; undefined when the offer has no audio the echo can take (answer 488).
 */
export function echoSdp(offer: string | undefined, address: string, port: number, version: number): EchoSdp | undefined {
  const origin = { address, sessionId: 1, version };
  if (offer === undefined) {
    // What the echo offers when an INVITE comes without SDP: PCMU, PCMA and telephone-event.
    const own = g711AudioStream(port);
    return { sdp: writeStreams(origin, [own]), payloadTypes: payloadTypesOf(own) };
  }
  const streams = parseStreams(offer);
  const chosen = streams.find((s) => s.type === 'audio' && s.port !== 0 && isPlainRtp(s.protocol) && s.codecs.some((c) => g711Of(c)));
  if (!chosen) return undefined;
  const te = chosen.telephoneEvent?.clockRate === 8000 ? chosen.telephoneEvent : undefined;
  const audio: WrittenStream = {
    type: chosen.type,
    port,
    protocol: chosen.protocol,
    codecs: chosen.codecs.filter((c) => g711Of(c)),
    ...(te ? { telephoneEvent: te } : {}),
    ptime: 20,
    direction: answerDirection(chosen.direction),
  };
  const answer = streams.map((s): WrittenStream => (s === chosen ? audio : { type: s.type, port: 0, protocol: s.protocol, codecs: [], formats: s.formats }));
  return { sdp: writeStreams(origin, answer), payloadTypes: payloadTypesOf(audio) };
}
