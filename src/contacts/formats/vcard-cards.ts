/**
 * A vCard file cut into its cards before any card is parsed, so one broken card costs that card only: each
 * BEGIN:VCARD … END:VCARD pair with the line it starts on, and a problem for every BEGIN without its END, every
 * END without its BEGIN and any text between cards.
 */

export interface RawCard {
  /** 1-based line of BEGIN:VCARD */
  readonly line: number;
  /** The card's lines, BEGIN and END included, still folded. */
  readonly lines: readonly string[];
}

const begin = /^BEGIN:VCARD\s*$/i;
const end = /^END:VCARD\s*$/i;

/** A problem found while cutting: the 1-based line it is at. */
export interface CardProblem {
  readonly line: number;
  readonly reason: string;
}

export function splitCards(text: string): { cards: RawCard[]; problems: CardProblem[] } {
  const lines = text.replace(/^\uFEFF/, '').split(/\r\n|\n|\r/);
  const cards: RawCard[] = [];
  const problems: CardProblem[] = [];
  let open: number | undefined; // index of the current card's BEGIN
  let stray: number | undefined; // index of the first line of text outside any card
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i]!;
    if (begin.test(line)) {
      if (open !== undefined) problems.push({ line: open + 1, reason: `no END:VCARD before the next BEGIN:VCARD (line ${i + 1})` });
      if (stray !== undefined) problems.push({ line: stray + 1, reason: 'text outside BEGIN:VCARD … END:VCARD' });
      open = i;
      stray = undefined;
    } else if (end.test(line)) {
      if (open !== undefined) cards.push({ line: open + 1, lines: lines.slice(open, i + 1) });
      else problems.push({ line: (stray ?? i) + 1, reason: `END:VCARD (line ${i + 1}) without BEGIN:VCARD` });
      open = undefined;
      stray = undefined;
    } else if (open === undefined && stray === undefined && line.trim() !== '') {
      stray = i;
    }
  }
  if (open !== undefined) problems.push({ line: open + 1, reason: 'no END:VCARD before the end of the file' });
  if (stray !== undefined) problems.push({ line: stray + 1, reason: 'text outside BEGIN:VCARD … END:VCARD' });
  return { cards, problems };
}
