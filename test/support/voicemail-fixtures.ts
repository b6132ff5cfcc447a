/** Voicemail messages as a finished deposit leaves them, for tests that start from a mailbox with messages in it. */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { SqliteVoiceMailRepository, type Store } from '../../src/store/index.js';
import { pcmWav } from '../../src/voicemail/index.js';
import { tonePcm } from './tones.js';

/** An unread message `id` on line `home` of `seconds` of a `hz` tone: its WAV file in `dir`, then its row in `store`. */
export function seedMessage(store: Store, dir: string, m: { id: string; hz: number; seconds: number; receivedAt: number }): void {
  const wav = pcmWav(tonePcm(m.hz, m.seconds));
  const file = `${m.id}.wav`;
  writeFileSync(join(dir, file), wav);
  new SqliteVoiceMailRepository(store).insert({ id: m.id, line: 'home', callID: `c-${m.id}`, callerNumber: '0301234567', receivedAt: m.receivedAt, durationMs: m.seconds * 1000, bytes: wav.length, file, read: false });
}
