/**
 * Listening to the home's voicemail from a phone (issue 14, feature code *97): a menu driven by the keys the caller
 * presses (RFC 4733 telephone-events), over the one voicemail service, so the read state is the home's whoever
 * changes it. The keys are those of Asterisk's VoiceMailMain while a message plays (public documentation; our
 * reading): 5 play again, 6 next, 4 previous, 7 delete, 9 save (mark read), # leave.
 *
 * The menu only says what to play next; the media side plays it (a message's WAV file, or a signal tone) and tells
 * the menu when it has played.
 */
import type { VoiceMessage } from './model.js';

/** What the caller hears next. */
export type MenuPrompt =
  /** A message (its file through the service's audioPath). `position` counts from 1. */
  | { readonly kind: 'message'; readonly message: VoiceMessage; readonly position: number; readonly of: number }
  /** Short signals: how many messages there are (one beep each, at most 9), a change done, the end of the list. */
  | { readonly kind: 'signal'; readonly signal: 'count'; readonly count: number }
  | { readonly kind: 'signal'; readonly signal: 'deleted' | 'saved' | 'no-more' | 'no-messages' | 'unknown-key' }
  /** The menu is done: hang up. */
  | { readonly kind: 'end' };

/** The part of the voicemail service the menu uses. */
export interface Mailbox {
  list(): VoiceMessage[];
  markRead(id: string, read: boolean): VoiceMessage;
  delete(id: string): void;
}

export class MailboxMenu {
  /** Unread first (newest first among them), then the read ones: the order a user expects to work through. */
  private messages: VoiceMessage[];
  private index = 0;

  constructor(private readonly mailbox: Mailbox) {
    const all = [...mailbox.list()].sort((a, b) => Number(a.read) - Number(b.read) || b.receivedAt - a.receivedAt);
    this.messages = all;
  }

  /** What plays first: the count, then (once it has played) the first message. */
  start(): MenuPrompt {
    return this.messages.length === 0 ? { kind: 'signal', signal: 'no-messages' } : { kind: 'signal', signal: 'count', count: this.messages.length };
  }

  /** A prompt has played to its end: what follows it. */
  played(prompt: MenuPrompt): MenuPrompt | undefined {
    if (prompt.kind === 'signal' && prompt.signal === 'no-messages') return { kind: 'end' };
    if (prompt.kind === 'signal' && (prompt.signal === 'count' || prompt.signal === 'deleted')) return this.current();
    // After a message, a saved one, the list's end or a wrong key: wait for the caller's next key.
    return undefined;
  }

  /** The caller pressed `key` (0–9, *, #). */
  key(key: string): MenuPrompt {
    switch (key) {
      case '5':
        return this.current();
      case '6':
        if (this.index >= this.messages.length - 1) return { kind: 'signal', signal: 'no-more' };
        this.index++;
        return this.current();
      case '4':
        if (this.index === 0) return { kind: 'signal', signal: 'no-more' };
        this.index--;
        return this.current();
      case '7': {
        const m = this.messages[this.index];
        if (!m) return { kind: 'signal', signal: 'no-messages' };
        this.mailbox.delete(m.id);
        this.messages = this.messages.filter((x) => x.id !== m.id);
        this.index = Math.min(this.index, Math.max(0, this.messages.length - 1));
        return { kind: 'signal', signal: 'deleted' };
      }
      case '9': {
        const m = this.messages[this.index];
        if (!m) return { kind: 'signal', signal: 'no-messages' };
        this.messages[this.index] = this.mailbox.markRead(m.id, true);
        return { kind: 'signal', signal: 'saved' };
      }
      case '#':
        return { kind: 'end' };
      default:
        return { kind: 'signal', signal: 'unknown-key' };
    }
  }

  private current(): MenuPrompt {
    const m = this.messages[this.index];
    return m ? { kind: 'message', message: m, position: this.index + 1, of: this.messages.length } : { kind: 'signal', signal: 'no-messages' };
  }
}
