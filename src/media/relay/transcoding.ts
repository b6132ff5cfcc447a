/**
 * What the relay can transcode: G.711 µ-law and A-law, the codecs it decodes, mixes and converts between. Its SDP is
 * read and written by media/sdp.
 */
import type { Codec } from '../codecs/codec.js';
import { pcma, pcmu } from '../codecs/g711.js';
import type { StreamCodec } from '../sdp/index.js';

/** The G.711 codec a stream codec is, if it is one. */
export function g711Of(c: StreamCodec | undefined): Codec | undefined {
  if (!c || c.clockRate !== 8000 || c.channels !== 1) return undefined;
  const name = c.encodingName.toUpperCase();
  if (name === 'PCMU') return pcmu;
  if (name === 'PCMA') return pcma;
  return undefined;
}

/**
 * `codecs` and, when they hold one G.711 law and not the other, the other law after them (the relay transcodes
 * between µ-law and A-law), with its static payload type when that number is free.
 */
export function withTranscodable(codecs: readonly StreamCodec[]): StreamCodec[] {
  const out = [...codecs];
  const has = (name: string): boolean => out.some((c) => c.encodingName.toUpperCase() === name && c.clockRate === 8000);
  const taken = (pt: number): boolean => out.some((c) => c.pt === pt);
  if (has('PCMU') && !has('PCMA') && !taken(8)) out.push({ pt: 8, encodingName: 'PCMA', clockRate: 8000, channels: 1 });
  else if (has('PCMA') && !has('PCMU') && !taken(0)) out.push({ pt: 0, encodingName: 'PCMU', clockRate: 8000, channels: 1 });
  return out;
}
