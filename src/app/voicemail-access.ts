/**
 * The home's voicemail from a phone (issue 14, feature code *97): the phone's call is answered with hometel's own
 * RTP (a media endpoint of its own, G.711 and RFC 4733 telephone-events), the mailbox menu (voicemail/mailbox-menu)
 * says what to play, and every key the caller presses moves it on. Messages play from their WAV files; the menu's
 * signals are tones (voicemail/menu-prompts). The call ends on `#`, on the phone's hang-up, or when the menu ends.
 */
import { readFileSync } from 'node:fs';
import { errorMessage, type Clock, type Logger } from '../base/index.js';
import { frameSamples, wavToPcm8k, type AudioSource, type PortPool } from '../media/index.js';
import { RtpMediaSessions } from '../media/bridge/index.js';
import { intersectCapabilities, parseSdpMedia } from '../media/sdp/index.js';
import type { InviteSession } from '../sip/index.js';
import { MailboxMenu, menuSignal, type MenuPrompt, type VoiceMailService } from '../voicemail/index.js';

export interface VoicemailAccessOptions {
  readonly voicemail: VoiceMailService;
  /** hometel's media address and the ports the endpoint may take. */
  readonly address: string;
  readonly ports: PortPool;
  readonly clock: Clock;
  readonly logger: Logger;
}

/** Plays one prompt after another: samples, then silence until the next prompt (it never ends by itself). */
class PromptSource implements AudioSource {
  private samples: Int16Array = new Int16Array(0);
  private at = 0;
  private done?: () => void;

  play(samples: Int16Array, done: () => void): void {
    this.samples = samples;
    this.at = 0;
    this.done = done;
  }

  nextFrame(): Int16Array {
    const out = new Int16Array(frameSamples);
    if (this.at < this.samples.length) {
      out.set(this.samples.subarray(this.at, this.at + frameSamples));
      this.at += frameSamples;
    } else if (this.done) {
      const done = this.done;
      this.done = undefined;
      queueMicrotask(done);
    }
    return out;
  }
}

interface Listener {
  readonly session: InviteSession;
  readonly menu: MailboxMenu;
  readonly source: PromptSource;
  readonly who: string;
}

export class VoicemailAccess {
  private readonly media: RtpMediaSessions;
  private readonly listeners = new Map<string, Listener>();
  private next = 1;

  constructor(private readonly o: VoicemailAccessOptions) {
    this.media = new RtpMediaSessions({
      address: o.address,
      ports: o.ports,
      clock: o.clock,
      logger: o.logger.child('media'),
      source: (id) => this.listeners.get(id)?.source ?? new PromptSource(),
      onDtmf: (id, e) => {
        if (e.digit !== undefined) this.key(id, e.digit);
      },
    });
    this.media.setListener({ ended: (id, reason) => this.hangUp(id, reason) });
  }

  /** Answers `session` (a phone's INVITE to the voicemail code) for extension `who` and runs the menu. */
  async serve(session: InviteSession, who: string): Promise<void> {
    const offer = session.remoteSdp;
    const offered = offer === undefined ? undefined : parseSdpMedia(offer);
    const own = parseSdpMedia(this.media.capabilities());
    const media = offered?.ok && own.ok ? intersectCapabilities(offered.value, own.value).filter((m) => m.type === 'audio') : [];
    if (offer === undefined || media.length === 0) {
      this.o.logger.info('voicemail access refused: no audio both sides have', { extension: who });
      session.reject(488);
      return;
    }
    const id = `vm-${this.next++}`;
    const listener: Listener = { session, menu: new MailboxMenu(this.o.voicemail), source: new PromptSource(), who };
    this.listeners.set(id, listener);
    session.delegate = {
      onCancelled: () => this.hangUp(id, 'the phone cancelled'),
      onEnded: () => this.hangUp(id, 'the phone hung up'),
    };
    try {
      const answer = await this.media.open({ id, remoteSdp: offer, media: [media[0]!] });
      if (!this.listeners.has(id)) return;
      session.answer(answer);
    } catch (e) {
      this.o.logger.warn('voicemail access failed', { extension: who, error: errorMessage(e) });
      this.listeners.delete(id);
      session.reject(500);
      return;
    }
    this.o.logger.info('voicemail access', { id, extension: who });
    this.play(id, listener.menu.start());
  }

  async close(): Promise<void> {
    for (const id of [...this.listeners.keys()]) this.hangUp(id, 'hometel stops');
    await this.media.closeAll();
  }

  private key(id: string, digit: string): void {
    const l = this.listeners.get(id);
    if (!l) return;
    this.o.logger.info('voicemail access key', { id, key: digit });
    try {
      this.play(id, l.menu.key(digit));
    } catch (e) {
      this.o.logger.warn('voicemail access: the key could not be carried out', { id, key: digit, error: errorMessage(e) });
      this.play(id, { kind: 'signal', signal: 'unknown-key' });
    }
  }

  private play(id: string, prompt: MenuPrompt): void {
    const l = this.listeners.get(id);
    if (!l) return;
    if (prompt.kind === 'end') {
      this.hangUp(id, 'the menu ended');
      return;
    }
    let samples: Int16Array;
    if (prompt.kind === 'message') {
      try {
        samples = wavToPcm8k(readFileSync(this.o.voicemail.audioPath(prompt.message.id)), prompt.message.file);
      } catch (e) {
        this.o.logger.warn('voicemail access: a message cannot be played', { id, message: prompt.message.id, error: errorMessage(e) });
        samples = menuSignal({ kind: 'signal', signal: 'unknown-key' });
      }
      this.o.logger.info('voicemail access plays', { id, message: prompt.message.id, position: prompt.position, of: prompt.of });
    } else samples = menuSignal(prompt);
    l.source.play(samples, () => {
      const next = l.menu.played(prompt);
      if (next) this.play(id, next);
    });
  }

  private hangUp(id: string, why: string): void {
    const l = this.listeners.get(id);
    if (!l) return;
    this.listeners.delete(id);
    this.o.logger.info('voicemail access ended', { id, extension: l.who, why });
    if (l.session.state === 'confirmed' || l.session.state === 'accepted') l.session.bye();
    else if (l.session.state === 'ringing') l.session.reject(480);
    void this.media.close(id);
  }
}
