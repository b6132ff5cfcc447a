// A phone's or a person's presence as a small badge (issue 14): a word and a title that say the same, so it reads
// without colour; the Phones page shows one per extension and user (from api.presence()).
import type { PresenceState } from '../api.js';

const words: Record<PresenceState, { text: string; title: string }> = {
  available: { text: 'available', title: 'registered and idle' },
  'on-the-phone': { text: 'on a call', title: 'in a call now' },
  ringing: { text: 'ringing', title: 'a call is ringing' },
  dnd: { text: 'DND', title: "the home's do-not-disturb is on" },
  offline: { text: 'offline', title: 'no device registered' },
};

export function PresenceBadge({ state }: { state: PresenceState }) {
  const w = words[state];
  return (
    <span class={`tag presence presence-${state}`} title={w.title} data-presence={state}>
      {w.text}
    </span>
  );
}
