/**
 * The home's voicemail as data: a message is a WAV file plus a row (VoiceMailRepository), read state is one state
 * for the whole home, and the errors every interface reports with their stable codes.
 */
import { HometelError } from '../base/index.js';

export interface VoiceMessage {
  /** Stable, unique, URL-safe. */
  readonly id: string;
  /** The line's name (its Telephony Server). */
  readonly line: string;
  readonly callID: string;
  /** The caller's number or SIP URI as the line gave it ('' when withheld). */
  readonly callerNumber: string;
  /** The contact's or the SIP display name, when there was one. */
  readonly callerName?: string;
  /** When the message was received, ms since the epoch. */
  readonly receivedAt: number;
  readonly durationMs: number;
  /** Size of the WAV file in octets. */
  readonly bytes: number;
  /** The WAV file's name inside the voicemail directory. */
  readonly file: string;
  readonly read: boolean;
}

/** Where the messages' rows live (SQLite in hometel; any process with the store open may change them). */
export interface VoiceMailRepository {
  /** Every message, newest first. */
  list(): VoiceMessage[];
  get(id: string): VoiceMessage | undefined;
  insert(message: VoiceMessage): void;
  setRead(id: string, read: boolean): boolean;
  remove(id: string): boolean;
  /** Messages of one line and octets of all messages, for the limits. */
  usage(line: string): { readonly lineMessages: number; readonly totalBytes: number };
  /** A number that changes whenever another connection committed a change (SQLite's data_version). */
  externalVersion(): number;
}

/** Why a caller could not leave a message. */
export type RefusalReason = 'messages-per-line' | 'disk';

export interface DepositRefusal {
  readonly line: string;
  readonly callID: string;
  readonly callerNumber: string;
  readonly at: number;
  readonly reason: RefusalReason;
}

export class NoSuchMessage extends HometelError {
  readonly code = 'voicemail.no-such-message';
  constructor(readonly id: string) {
    super(`no voicemail message ${JSON.stringify(id)}`);
  }
}

export class NoSuchLine extends HometelError {
  readonly code = 'voicemail.no-such-line';
  constructor(readonly line: string) {
    super(`no line ${JSON.stringify(line)}`);
  }
}

/** A greeting that cannot be used: not a WAV file, an encoding hometel cannot play, too large or too long. */
export class GreetingRefused extends HometelError {
  readonly code = 'voicemail.bad-greeting';
}
