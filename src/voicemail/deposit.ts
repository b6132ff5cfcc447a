/**
 * One caller leaving a message: the TS-native media of a Call sent to voicemail. As the source it plays the greeting
 * and the beep; as the sink it records what the caller says after the beep into a partial WAV file. Silence before
 * the first sound and after the last one is left out (held back, never written), so a message is what was said;
 * silence lasting `silenceFrames` ends the message, as do `maxFrames`. Ending asks for the hang-up; `close()` (the
 * Call's media closing) hands the finished recording to `finish`.
 */
import { errorMessage, type Logger } from '../base/index.js';
import { rms, WavRecorder, type AudioSink, type AudioSource, type NativeMedia } from '../media/index.js';
import { SamplesSource } from './greeting.js';

/** A frame quieter than this RMS (about −44 dBFS) counts as silence. */
export const silenceRms = 200;

export type DepositEnd = 'hang-up' | 'silence' | 'max-length';

export interface RecordedDeposit {
  readonly partialPath: string;
  readonly frames: number;
  readonly end: DepositEnd;
}

export interface DepositOptions {
  /** What the caller hears first: greeting then beep. */
  readonly prompt: Int16Array;
  readonly partialPath: string;
  readonly maxFrames: number;
  readonly silenceFrames: number;
  /** Asks the Telephony Server to end the Call (called once, never from inside a media callback). */
  readonly hangUp: () => void;
  /** Schedules `fn` soon, outside the media path. */
  readonly defer: (fn: () => void) => void;
  /** Takes the recording once the file is closed (0 frames: nothing usable); undefined when the caller said nothing. */
  readonly finish: (recorded: RecordedDeposit | undefined) => Promise<void>;
  readonly logger: Logger;
}

export class Deposit implements NativeMedia, AudioSource, AudioSink {
  readonly source: AudioSource = this;
  readonly sink: AudioSink = this;
  private readonly prompt: SamplesSource;
  private recording = false;
  private ended?: DepositEnd;
  private recorder?: WavRecorder;
  private written = 0;
  /** Silent frames since the last sound (before the first one: counted, not kept). */
  private held: Int16Array[] = [];
  private leadingSilence = 0;
  private closing?: Promise<void>;

  constructor(private readonly opts: DepositOptions) {
    this.prompt = new SamplesSource(opts.prompt);
  }

  /** Frames of the message so far (what will be kept). */
  get frames(): number {
    return this.written;
  }

  nextFrame(): Int16Array | undefined {
    const frame = this.prompt.nextFrame();
    if (!frame) this.recording = true;
    return frame;
  }

  write(frame: Int16Array): void {
    if (!this.recording || this.ended) return;
    const loud = rms(frame) >= silenceRms;
    if (!this.recorder) {
      if (!loud) {
        if (++this.leadingSilence >= this.opts.silenceFrames) this.end('silence');
        return;
      }
      this.recorder = new WavRecorder(this.opts.partialPath);
      this.recorder.ready.catch((e: unknown) => this.opts.logger.warn('cannot record a voicemail message', { path: this.opts.partialPath, error: errorMessage(e) }));
    }
    if (!loud) {
      this.held.push(frame.slice());
      if (this.held.length >= this.opts.silenceFrames) this.end('silence');
      return;
    }
    for (const h of this.held) this.keep(h);
    this.held = [];
    this.keep(frame);
    if (this.written >= this.opts.maxFrames) this.end('max-length');
  }

  /** The Call's media closed (the caller hung up, or we did): the recording is finished and handed on. */
  close(): Promise<void> {
    this.closing ??= this.finalize();
    return this.closing;
  }

  private keep(frame: Int16Array): void {
    this.recorder!.write(frame);
    this.written++;
  }

  private end(why: DepositEnd): void {
    this.ended = why;
    this.opts.defer(() => this.opts.hangUp());
  }

  private async finalize(): Promise<void> {
    this.recording = false;
    const recorder = this.recorder;
    if (!recorder) return this.opts.finish(undefined);
    try {
      await recorder.close();
    } catch (e) {
      this.opts.logger.warn('a voicemail message could not be written', { path: this.opts.partialPath, error: errorMessage(e) });
      return this.opts.finish({ partialPath: this.opts.partialPath, frames: 0, end: this.ended ?? 'hang-up' });
    }
    await this.opts.finish({ partialPath: this.opts.partialPath, frames: this.written, end: this.ended ?? 'hang-up' });
  }
}

/** The "mailbox full" announcement as the Call's media: plays it, then asks for the hang-up. */
export class FullAnnouncement implements NativeMedia, AudioSource {
  readonly source: AudioSource = this;
  private readonly samples: SamplesSource;
  private done = false;

  constructor(
    announcement: Int16Array,
    private readonly hangUp: () => void,
    private readonly defer: (fn: () => void) => void,
  ) {
    this.samples = new SamplesSource(announcement);
  }

  nextFrame(): Int16Array | undefined {
    const frame = this.samples.nextFrame();
    if (!frame && !this.done) {
      this.done = true;
      this.defer(this.hangUp);
    }
    return frame;
  }
}
