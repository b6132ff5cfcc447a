/**
 * The home's voicemail from a phone (issue 14, feature code *97): hometel answers the phone's call with its own media
 * (phone-media.ts), the mailbox menu (voicemail/mailbox-menu) says what to play, and every key the caller presses
 * (RFC 4733) moves it on. Messages play from their WAV files; the menu's signals are tones (voicemail/menu-prompts).
 * The call ends on `#`, on the phone's hang-up, or when the menu ends.
 */
import { readFileSync } from 'node:fs';
import { errorMessage, type Logger } from '../base/index.js';
import { wavToPcm8k } from '../media/index.js';
import type { InviteSession } from '../sip/index.js';
import { MailboxMenu, menuSignal, type MenuPrompt, type VoiceMailService } from '../voicemail/index.js';
import type { AnsweredCall, PhoneMedia } from './phone-media.js';

export class VoicemailAccess {
  constructor(
    private readonly voicemail: VoiceMailService,
    private readonly media: PhoneMedia,
    private readonly logger: Logger,
  ) {}

  /** Answers `session` (a phone's call to the voicemail code) for extension `who` and runs the menu. */
  async serve(session: InviteSession, who: string): Promise<void> {
    const menu = new MailboxMenu(this.voicemail);
    // The keys may arrive before answer() has resolved: prompts wait for the call.
    const answered: { call?: AnsweredCall } = {};
    const play = (prompt: MenuPrompt): void => {
      const call = answered.call;
      if (!call) return;
      if (prompt.kind === 'end') return call.hangUp('the menu ended');
      call.play(this.samplesOf(prompt), () => {
        const next = menu.played(prompt);
        if (next) play(next);
      });
    };
    const call = await this.media.answer(session, {
      key: (digit) => {
        this.logger.info('voicemail access key', { extension: who, key: digit });
        try {
          play(menu.key(digit));
        } catch (e) {
          this.logger.warn('voicemail access: the key could not be carried out', { extension: who, key: digit, error: errorMessage(e) });
          play({ kind: 'signal', signal: 'unknown-key' });
        }
      },
      ended: (why) => this.logger.info('voicemail access ended', { extension: who, why }),
    });
    if (!call) return;
    answered.call = call;
    this.logger.info('voicemail access', { extension: who });
    play(menu.start());
  }

  private samplesOf(prompt: Exclude<MenuPrompt, { kind: 'end' }>): Int16Array {
    if (prompt.kind === 'signal') return menuSignal(prompt);
    this.logger.info('voicemail access plays', { message: prompt.message.id, position: prompt.position, of: prompt.of });
    try {
      return wavToPcm8k(readFileSync(this.voicemail.audioPath(prompt.message.id)), prompt.message.file);
    } catch (e) {
      this.logger.warn('voicemail access: a message cannot be played', { message: prompt.message.id, error: errorMessage(e) });
      return menuSignal({ kind: 'signal', signal: 'unknown-key' });
    }
  }
}
