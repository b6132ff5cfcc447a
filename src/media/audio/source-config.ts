/**
 * What a media endpoint of hometel plays, as the config file names it: a tone of N Hz, a WAV file (once or
 * looped), or silence. Shared by the Telephony Clients and the Telephony Server's own (native) media.
 */
import type { AudioSource } from './frame.js';
import { SilenceSource, ToneSource } from './sources.js';
import { WavFileSource } from './wav-file-source.js';

export type AudioSourceConfig = { readonly tone: number; readonly amplitude?: number } | { readonly wav: string; readonly loop?: boolean } | 'silence';

/** A fresh source for one stream (each stream plays from its start). */
export function audioSourceOf(config: AudioSourceConfig): AudioSource {
  if (config === 'silence') return new SilenceSource();
  if ('tone' in config) return new ToneSource(config.tone, config.amplitude ?? 8000);
  return new WavFileSource(config.wav, { loop: config.loop ?? false });
}
