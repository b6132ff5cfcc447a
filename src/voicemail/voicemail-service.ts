/**
 * The voicemail application service (issue 13): every interface — the Telephony Server's calls, the UPnP VoiceMail
 * service, the HTTP API, the CLI — goes through it. Messages are WAV files in `dir` plus rows in the repository; a
 * recording is written under `dir/.partial/`, and only once it is complete (header patched, fsync'd, renamed into
 * place) does its row appear, so after a crash a message is complete or not listed. Changes made by another process
 * (the CLI on the same store) are noticed by polling the repository's external version.
 */
import { randomBytes } from 'node:crypto';
import { closeSync, fsyncSync, mkdirSync, openSync, readFileSync, renameSync, rmSync, statSync, writeSync } from 'node:fs';
import { open, rename, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { errorMessage, type Clock, type Logger, type TimerHandle } from '../base/index.js';
import { frameMs, frameSamples, sampleRate, wavHeaderBytes, type NativeMedia } from '../media/index.js';
import { Deposit, FullAnnouncement, type RecordedDeposit } from './deposit.js';
import { beep, defaultGreeting, mailboxFullAnnouncement, normalizeGreeting, pcmWav } from './greeting.js';
import { NoSuchLine, NoSuchMessage, type DepositRefusal, type RefusalReason, type VoiceMailRepository, type VoiceMessage } from './model.js';

export interface VoiceMailLimits {
  readonly maxMessagesPerLine: number;
  readonly maxSecondsPerMessage: number;
  /** Silence that ends a message. */
  readonly silenceSeconds: number;
  readonly maxDiskBytes: number;
}

export interface VoiceMailServiceOptions {
  readonly repository: VoiceMailRepository;
  /** Where the WAV files live. */
  readonly dir: string;
  /** The lines that take messages. */
  readonly lines: readonly string[];
  readonly limits: VoiceMailLimits;
  /** A configured greeting file per line (an uploaded one replaces it). */
  readonly greetingFiles?: Readonly<Record<string, string>>;
  readonly clock: Clock;
  readonly logger: Logger;
  /** How often another process's changes are looked for; default 1000 ms. */
  readonly pollMs?: number;
}

/** The caller as the service needs it. */
export interface DepositCall {
  readonly callID: string;
  readonly line: string;
  readonly callerNumber: string;
  readonly callerName?: string;
}

export interface VoiceMailInfo {
  readonly messages: readonly VoiceMessage[];
  readonly unread: number;
  readonly total: number;
  /** The latest refusals (mailbox full), newest first. */
  readonly refusals: readonly DepositRefusal[];
}

export interface GreetingInfo {
  readonly line: string;
  /** Where the line's greeting comes from. */
  readonly source: 'uploaded' | 'config' | 'default';
  readonly durationMs: number;
}

const keptRefusals = 20;
const partialDir = '.partial';
const greetingDir = 'greetings';

/** The deposit's data size in octets for `frames` of 8 kHz 16-bit mono. */
const wavBytes = (frames: number): number => wavHeaderBytes + frames * frameSamples * 2;

export class VoiceMailService {
  private readonly listeners = new Set<() => void>();
  private readonly refusals: DepositRefusal[] = [];
  private readonly limits: VoiceMailLimits;
  private poll?: TimerHandle;
  private seenVersion: number;
  private closed = false;

  constructor(private readonly opts: VoiceMailServiceOptions) {
    this.limits = opts.limits;
    mkdirSync(join(opts.dir, greetingDir), { recursive: true });
    mkdirSync(join(opts.dir, partialDir), { recursive: true });
    this.seenVersion = opts.repository.externalVersion();
  }

  /**
   * Takes calls (hometel start; a CLI command only reads and changes messages): recordings cut short by a crash never
   * became messages, so their partial files go; then other processes' changes are watched for.
   */
  start(): void {
    const partials = join(this.opts.dir, partialDir);
    rmSync(partials, { recursive: true, force: true });
    mkdirSync(partials, { recursive: true });
    this.schedulePoll();
  }

  /** Hears every change of the messages, made here or by another process; returns the unsubscribe. */
  onChange(listener: () => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  list(): VoiceMessage[] {
    return this.opts.repository.list();
  }

  info(): VoiceMailInfo {
    const messages = this.list();
    return { messages, unread: messages.filter((m) => !m.read).length, total: messages.length, refusals: [...this.refusals] };
  }

  get(id: string): VoiceMessage {
    const m = this.opts.repository.get(id);
    if (!m) throw new NoSuchMessage(id);
    return m;
  }

  /** The message's WAV file on disk. */
  audioPath(id: string): string {
    return join(this.opts.dir, this.get(id).file);
  }

  /** Read state is one state for the whole home. */
  markRead(id: string, read: boolean): VoiceMessage {
    if (!this.opts.repository.setRead(id, read)) throw new NoSuchMessage(id);
    this.changed();
    return this.get(id);
  }

  /** Deletes the row first: a crash in between leaves an unlisted file, never a listed message without audio. */
  delete(id: string): void {
    const m = this.get(id);
    if (!this.opts.repository.remove(id)) throw new NoSuchMessage(id);
    rmSync(join(this.opts.dir, m.file), { force: true });
    this.changed();
  }

  /** The lines that take messages. */
  lines(): readonly string[] {
    return this.opts.lines;
  }

  greetingInfo(line: string): GreetingInfo {
    const { source, samples } = this.greetingOf(line);
    return { line, source, durationMs: (samples.length * 1000) / sampleRate };
  }

  /** The line's greeting as a WAV file (8 kHz 16-bit mono PCM). */
  greetingWav(line: string): Buffer {
    return pcmWav(this.greetingOf(line).samples);
  }

  /** Replaces the line's greeting; a refused upload (GreetingRefused) leaves the old one in place. */
  setGreeting(line: string, bytes: Uint8Array): GreetingInfo {
    this.checkLine(line);
    const samples = normalizeGreeting(bytes);
    const path = this.uploadedGreeting(line);
    writeFileDurable(path, pcmWav(samples));
    this.opts.logger.info('greeting replaced', { line, seconds: samples.length / sampleRate });
    return this.greetingInfo(line);
  }

  /** Makes a message the line's greeting: a greeting is recorded by calling the line and leaving it as a message. */
  greetingFromMessage(line: string, id: string): GreetingInfo {
    return this.setGreeting(line, readFileSync(this.audioPath(id)));
  }

  /** Goes back to the configured or the default greeting. */
  resetGreeting(line: string): GreetingInfo {
    this.checkLine(line);
    rmSync(this.uploadedGreeting(line), { force: true });
    return this.greetingInfo(line);
  }

  /**
   * A Call forwarded to voicemail: the media the Telephony Server plays and records for it. Over a limit the caller
   * hears the "mailbox full" announcement and the Call ends; the refusal is logged and kept for the screens.
   */
  deposit(call: DepositCall, hangUp: () => void): NativeMedia {
    const defer = (fn: () => void): void => void this.opts.clock.setTimer(0, fn);
    const usage = this.opts.repository.usage(call.line);
    const diskFrames = Math.floor((this.limits.maxDiskBytes - usage.totalBytes - wavHeaderBytes) / (frameSamples * 2));
    const maxFrames = Math.min(Math.floor((this.limits.maxSecondsPerMessage * 1000) / frameMs), diskFrames);
    const refusal: RefusalReason | undefined =
      usage.lineMessages >= this.limits.maxMessagesPerLine ? 'messages-per-line' : maxFrames < 1000 / frameMs ? 'disk' : undefined;
    if (refusal) {
      this.refuse(call, refusal);
      return new FullAnnouncement(mailboxFullAnnouncement(), hangUp, defer);
    }
    const id = newMessageId(this.opts.clock.now());
    const receivedAt = this.opts.clock.now();
    const greeting = this.greetingOf(call.line).samples;
    const tone = beep();
    const prompt = new Int16Array(greeting.length + tone.length);
    prompt.set(greeting);
    prompt.set(tone, greeting.length);
    this.opts.logger.info('taking a voicemail message', { line: call.line, callID: call.callID, id });
    return new Deposit({
      prompt,
      partialPath: join(this.opts.dir, partialDir, `${id}.wav`),
      maxFrames,
      silenceFrames: Math.max(1, Math.round((this.limits.silenceSeconds * 1000) / frameMs)),
      hangUp,
      defer,
      finish: (recorded) => this.finish(id, call, receivedAt, recorded),
      logger: this.opts.logger,
    });
  }

  close(): void {
    this.closed = true;
    this.poll?.cancel();
    this.listeners.clear();
  }

  private async finish(id: string, call: DepositCall, receivedAt: number, recorded: RecordedDeposit | undefined): Promise<void> {
    if (!recorded) {
      this.opts.logger.info('the caller left no message', { line: call.line, callID: call.callID });
      return;
    }
    if (recorded.frames === 0) {
      await rm(recorded.partialPath, { force: true });
      return;
    }
    const file = `${id}.wav`;
    try {
      const fh = await open(recorded.partialPath, 'r+');
      try {
        await fh.sync();
      } finally {
        await fh.close();
      }
      await rename(recorded.partialPath, join(this.opts.dir, file));
      await syncDir(this.opts.dir);
    } catch (e) {
      this.opts.logger.warn('a voicemail message could not be kept', { id, error: errorMessage(e) });
      await rm(recorded.partialPath, { force: true });
      return;
    }
    const message: VoiceMessage = {
      id,
      line: call.line,
      callID: call.callID,
      callerNumber: call.callerNumber,
      ...(call.callerName !== undefined ? { callerName: call.callerName } : {}),
      receivedAt,
      durationMs: recorded.frames * frameMs,
      bytes: wavBytes(recorded.frames),
      file,
      read: false,
    };
    try {
      this.opts.repository.insert(message);
    } catch (e) {
      // No row, no message: the file must not linger unlisted.
      this.opts.logger.warn('a voicemail message could not be listed', { id, error: errorMessage(e) });
      await rm(join(this.opts.dir, file), { force: true });
      return;
    }
    this.opts.logger.info('new voicemail message', { id, line: call.line, callID: call.callID, seconds: message.durationMs / 1000, ended: recorded.end });
    this.changed();
  }

  private refuse(call: DepositCall, reason: RefusalReason): void {
    const refusal: DepositRefusal = { line: call.line, callID: call.callID, callerNumber: call.callerNumber, at: this.opts.clock.now(), reason };
    this.refusals.unshift(refusal);
    this.refusals.length = Math.min(this.refusals.length, keptRefusals);
    this.opts.logger.warn('mailbox full: the caller could not leave a message', { ...refusal });
    this.changed();
  }

  private greetingOf(line: string): { source: GreetingInfo['source']; samples: Int16Array } {
    this.checkLine(line);
    for (const [source, path] of [['uploaded', this.uploadedGreeting(line)], ['config', this.opts.greetingFiles?.[line]]] as const) {
      if (path === undefined || !exists(path)) continue;
      try {
        return { source, samples: normalizeGreeting(readFileSync(path)) };
      } catch (e) {
        this.opts.logger.warn('greeting unusable; the default plays', { line, path, error: errorMessage(e) });
      }
    }
    return { source: 'default', samples: defaultGreeting() };
  }

  private uploadedGreeting(line: string): string {
    return join(this.opts.dir, greetingDir, `${line}.wav`);
  }

  private checkLine(line: string): void {
    if (!this.opts.lines.includes(line)) throw new NoSuchLine(line);
  }

  private changed(): void {
    for (const l of [...this.listeners]) l();
  }

  private schedulePoll(): void {
    this.poll = this.opts.clock.setTimer(this.opts.pollMs ?? 1000, () => {
      if (this.closed) return;
      const version = this.opts.repository.externalVersion();
      if (version !== this.seenVersion) {
        this.seenVersion = version;
        this.changed();
      }
      this.schedulePoll();
    });
  }
}

function newMessageId(now: number): string {
  return `${now.toString(36)}-${randomBytes(4).toString('hex')}`;
}

function exists(path: string): boolean {
  try {
    return statSync(path).isFile();
  } catch {
    return false;
  }
}

async function syncDir(dir: string): Promise<void> {
  const fh = await open(dir, 'r');
  try {
    await fh.sync();
  } finally {
    await fh.close();
  }
}

/** Writes a small file whole and swaps it in atomically: the old one stays until the new one is on disk. */
function writeFileDurable(path: string, data: Uint8Array): void {
  const tmp = `${path}.tmp`;
  const fd = openSync(tmp, 'w');
  try {
    writeSync(fd, data);
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
  renameSync(tmp, path);
}
