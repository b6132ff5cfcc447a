/**
 * What the mailbox menu's signals sound like (no speech: hometel has no recorded voice prompts). Each is a short
 * tone pattern a user learns at once: one 660 Hz pip per message in the count (at most 9), a falling pair for
 * deleted, a rising pair for saved, a single low tone at the end of the list, three low tones for an empty
 * mailbox, a short buzz for a key the menu does not know.
 */
import { tonePattern } from './greeting.js';
import type { MenuPrompt } from './mailbox-menu.js';

type Signal = Extract<MenuPrompt, { kind: 'signal' }>;

export function menuSignal(p: Signal): Int16Array {
  switch (p.signal) {
    case 'count':
      return tonePattern([[0, 300], ...Array.from({ length: Math.min(9, p.count) }, () => [[660, 150], [0, 150]] as const).flat(), [0, 500]]);
    case 'deleted':
      return tonePattern([[880, 150], [0, 50], [440, 250], [0, 400]]);
    case 'saved':
      return tonePattern([[440, 150], [0, 50], [880, 250], [0, 400]]);
    case 'no-more':
      return tonePattern([[330, 400], [0, 300]]);
    case 'no-messages':
      return tonePattern([[330, 250], [0, 150], [330, 250], [0, 150], [330, 250], [0, 300]]);
    case 'unknown-key':
      return tonePattern([[200, 200], [0, 200]]);
  }
}
