/**
 * The Telephony Server's own media endpoint (TS-based media handling, CallManagement 2.3.4.2) as configured: what it
 * plays to the Remote Party and where it records the Remote Party, per Call of a line. Audio only; a native video
 * stream gets nothing (the relay sends it no packets and drops what comes). A Call may carry media of its own
 * (voicemail: the greeting and the recorder), registered in NativeMediaOverrides before the TS answers it.
 */
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { errorMessage, type Clock, type Logger } from '../base/index.js';
import { audioSourceOf, WavRecorder, type NativeMedia } from '../media/index.js';
import type { NativeMediaConfig } from './config.js';

/** The recording of a Call's native audio: `<line>-<CallID>-<UTC time>.wav` (CallIDs repeat across restarts). */
export function nativeRecordingName(lineName: string, callID: string, at: Date): string {
  const safe = callID.replace(/[^A-Za-z0-9._-]/g, '_');
  return `${lineName}-${safe}-${at.toISOString().replace(/[:.]/g, '')}.wav`;
}

/** Media of a particular Call (line and CallID), taken once by the line's factory when the Call's audio turns native. */
export class NativeMediaOverrides {
  private readonly media = new Map<string, NativeMedia>();

  set(lineName: string, callID: string, media: NativeMedia): void {
    this.media.set(`${lineName}\n${callID}`, media);
  }

  take(lineName: string, callID: string): NativeMedia | undefined {
    const key = `${lineName}\n${callID}`;
    const media = this.media.get(key);
    this.media.delete(key);
    return media;
  }
}

export function nativeMediaFactory(
  config: NativeMediaConfig | undefined,
  lineName: string,
  clock: Clock,
  logger: Logger,
  overrides?: NativeMediaOverrides,
): (callID: string, type: string) => NativeMedia | undefined {
  if (config?.recordDir !== undefined) mkdirSync(config.recordDir, { recursive: true });
  return (callID, type) => {
    if (type !== 'audio') return undefined;
    const own = overrides?.take(lineName, callID);
    if (own) return own;
    const source = audioSourceOf(config?.source ?? 'silence');
    if (config?.recordDir === undefined) return { source };
    const path = join(config.recordDir, nativeRecordingName(lineName, callID, new Date(clock.now())));
    const sink = new WavRecorder(path);
    sink.ready.then(
      () => logger.info('recording the remote party', { callID, path }),
      (e: unknown) => logger.warn('cannot record the remote party', { callID, path, error: errorMessage(e) }),
    );
    return { source, sink, close: () => sink.close() };
  };
}
