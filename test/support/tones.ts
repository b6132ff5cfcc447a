/** Tones for SIPp to play (its rtp_stream files) and the audio of captured RTP, judged by frequency in the tests. */
import { pcmu } from '../../src/media/codecs/g711.js';
import { parseRtp } from '../../src/media/rtp/packet.js';
import { dominantFrequency } from '../../src/media/audio/analysis.js';
import type { CapturedDatagram } from './pcap.js';

/** One second of a µ-law tone (a whole number of periods, so SIPp's loop is seamless). */
export function toneUlaw(hz: number): Uint8Array {
  return pcmu.encode(Int16Array.from({ length: 8000 }, (_, i) => Math.round(8000 * Math.sin((2 * Math.PI * hz * i) / 8000))));
}

/** The µ-law audio of the RTP packets captured (payload type 0), in order. */
export function audioOf(datagrams: readonly CapturedDatagram[]): { samples: Int16Array; ms: number } {
  const packets = datagrams.flatMap((d) => {
    const r = parseRtp(d.payload);
    return r.ok && r.packet.payloadType === 0 ? [r.packet] : [];
  });
  const samples = new Int16Array(packets.length * 160);
  packets.forEach((p, i) => samples.set(pcmu.decode(p.payload).subarray(0, 160), i * 160));
  return { samples, ms: packets.length * 20 };
}

/** `seconds` of a `hz` sine as 8 kHz PCM. */
export function tonePcm(hz: number, seconds: number): Int16Array {
  return Int16Array.from({ length: Math.round(seconds * 8000) }, (_, i) => Math.round(8000 * Math.sin((2 * Math.PI * hz * i) / 8000)));
}

/** The dominant frequency (Hz, rounded) of each `windowMs` of 8 kHz PCM, in order: what was heard over time. */
export function frequencies(samples: Int16Array, windowMs: number): number[] {
  const n = (windowMs * 8000) / 1000;
  const out: number[] = [];
  for (let at = 0; at + n <= samples.length; at += n) out.push(Math.round(dominantFrequency(samples.subarray(at, at + n), 8000) ?? 0));
  return out;
}
