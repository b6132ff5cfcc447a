/**
 * The home's voicemail wired to hometel: the service over the store and the configured directory, and the
 * VoiceMailPort the Telephony Servers send Calls to — the service's greeting and recorder become the Call's
 * TS-native media through NativeMediaOverrides.
 */
import { join } from 'node:path';
import type { Clock, Logger } from '../base/index.js';
import { SqliteVoiceMailRepository, Store } from '../store/index.js';
import type { VoiceMailPort } from '../telephony/domain/index.js';
import { VoiceMailService } from '../voicemail/index.js';
import type { HometelConfig } from './config.js';
import type { NativeMediaOverrides } from './native-media.js';

/** The voicemail directory: configured, else `<dataDir>/voicemail`. */
export function voiceMailDir(config: Pick<HometelConfig, 'dataDir' | 'voicemail'>): string {
  return config.voicemail.dir ?? join(config.dataDir, 'voicemail');
}

export function voiceMailOver(store: Store, config: Pick<HometelConfig, 'dataDir' | 'voicemail' | 'lines'>, clock: Clock, logger: Logger): VoiceMailService {
  const v = config.voicemail;
  return new VoiceMailService({
    repository: new SqliteVoiceMailRepository(store),
    dir: voiceMailDir(config),
    lines: config.lines.map((l) => l.name),
    limits: { maxMessagesPerLine: v.maxMessagesPerLine, maxSecondsPerMessage: v.maxSecondsPerMessage, silenceSeconds: v.silenceSeconds, maxDiskBytes: Math.floor(v.maxDiskMiB * 1024 * 1024) },
    ...(v.greetings ? { greetingFiles: v.greetings } : {}),
    clock,
    logger: logger.child('voicemail'),
  });
}

/** Where the Telephony Servers send a Call forwarded to voicemail: the service's media for that CallID. */
export function voiceMailPort(service: VoiceMailService, overrides: NativeMediaOverrides): VoiceMailPort {
  return {
    deposit(call, hangUp) {
      const media = service.deposit({ callID: call.callID, line: call.line, callerNumber: call.from.id, ...(call.from.name !== undefined ? { callerName: call.from.name } : {}) }, hangUp);
      overrides.set(call.line, call.callID, media);
      return true;
    },
  };
}

export interface OpenVoiceMail {
  readonly voicemail: VoiceMailService;
  close(): void;
}

/** The messages in the config's store, for a command that runs next to (or without) `hometel start`. */
export function openVoiceMail(config: HometelConfig, clock: Clock, logger: Logger): OpenVoiceMail {
  const store = Store.open(config.dataDir);
  const voicemail = voiceMailOver(store, config, clock, logger);
  return { voicemail, close: () => (voicemail.close(), store.close()) };
}
