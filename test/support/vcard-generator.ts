/**
 * A generated vCard file like a phone's export, for the contacts tests, the import acceptance test and the import
 * benchmark: vCard 3.0 and 4.0 cards mixed, some lines folded (in the middle of a name too), non-ASCII names (Latin,
 * Cyrillic, Greek, CJK, an emoji), names that need escaping, cards named by N alone, 4.0 `tel:` URIs, a few inline
 * photos. Every number is unique, so an import that merges by number keeps every card. Deterministic for a seed.
 * With `malformed`, that many of the cards are broken in one of five ways, each recorded with its first line.
 */
import type { AddressLabel } from '../../src/contacts/index.js';

export interface GeneratedContact {
  /** The name a reader should give it. */
  readonly name: string;
  /** The numbers a reader should give it, in order. */
  readonly numbers: ReadonlyArray<{ readonly value: string; readonly label: AddressLabel }>;
  readonly version: '3.0' | '4.0';
  /** 1-based line of its BEGIN:VCARD */
  readonly line: number;
}

export interface MalformedCard {
  /** 1-based line where the broken card starts (the line a reader reports). */
  readonly line: number;
  readonly kind: 'no END' | 'no BEGIN' | 'no name and no number' | 'line without colon' | 'unclosed quote';
}

export interface GeneratedVcards {
  readonly text: string;
  /** The readable cards, in file order. */
  readonly contacts: readonly GeneratedContact[];
  readonly malformed: readonly MalformedCard[];
}

export interface VcardOptions {
  /** Cards in the file, malformed ones included. */
  readonly count: number;
  /** How many of them are broken (spread evenly). */
  readonly malformed?: number;
  readonly seed?: number;
}

const given = ['Anna', 'Jörg', 'Zoë', 'Łukasz', 'Ángel', 'Søren', 'Дмитрий', 'Σοφία', '翔太', 'Chloé', 'Bob', 'Maria', 'José', 'Åsa', 'Nguyễn'];
const family = ['Müller', 'Ōtani', 'Smith', 'Ångström', 'Kowalczyk', 'Иванова', 'Παπαδόπουλος', '山田', "O'Brien", 'García', 'Dvořák', 'Þórsdóttir', 'Lee'];
const kinds: MalformedCard['kind'][] = ['no END', 'no BEGIN', 'no name and no number', 'line without colon', 'unclosed quote'];
const tinyJpeg = '/9j/4AAQSkZJRgABAQAAAQABAAD/2wBDAAMCAgICAgMCAgIDAwMDBAYEBAQEBAgGBgUGBwkICQkJCAoKCQoLCwoKCw0MCgoNDgsLDRMNDg8QEBEQCgwSExITFBMQEBD/';

/** mulberry32: a small seeded generator, so the file is the same on every run. */
function random(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Folds a content line at `at` octets (or 75), never inside a UTF-8 sequence: written here, not by the writer under test. */
function folded(line: string, at = 75): string[] {
  const out: string[] = [];
  let current = '';
  let octets = 0;
  for (const ch of line) {
    const size = Buffer.byteLength(ch);
    if (octets + size > at) {
      out.push(current);
      current = ' ';
      octets = 1;
    }
    current += ch;
    octets += size;
  }
  out.push(current);
  return out;
}

const escape = (s: string): string => s.replace(/\\/g, '\\\\').replace(/,/g, '\\,').replace(/;/g, '\\;');

export function generateVcards({ count, malformed = 0, seed = 12 }: VcardOptions): GeneratedVcards {
  const rnd = random(seed);
  const pick = <T>(list: readonly T[]): T => list[Math.floor(rnd() * list.length)]!;
  const lines: string[] = [];
  const contacts: GeneratedContact[] = [];
  const broken: MalformedCard[] = [];
  const brokenEvery = malformed > 0 ? Math.floor(count / malformed) : 0;
  for (let i = 0; i < count; i++) {
    const line = lines.length + 1;
    const version = rnd() < 0.5 ? '3.0' : '4.0';
    const first = pick(given);
    const last = pick(family);
    // Some names need escaping, some are long enough to fold.
    const name = i % 97 === 5 ? `${last}, ${first}; Jr.` : i % 101 === 7 ? `${first} ${last} von und zu ${pick(family)}-${pick(family)} ${pick(family)}` : `${first} ${last}`;
    const n = i + 1;
    const numbers: Array<{ value: string; label: AddressLabel }> = [];
    const card = ['BEGIN:VCARD', `VERSION:${version}`];
    if (i % 13 === 3) card.push(`N:${escape(last)};${escape(first)};;;`); // no FN: the name comes from N
    else card.push(...folded(`FN:${escape(name)}`, i % 7 === 0 ? 12 : 75), `N:${escape(last)};${escape(first)};;;`);
    const home = `+49 30 ${String(1_000_000 + n)}`;
    const mobile = `0171 ${String(2_000_000 + n)}`;
    if (version === '4.0' && i % 3 === 0) {
      card.push(`TEL;VALUE=uri;TYPE="voice,home":tel:${home.replace(/ /g, '-')}`);
      numbers.push({ value: home.replace(/ /g, '-'), label: 'home' });
    } else {
      card.push(version === '4.0' ? `TEL;TYPE=home:${home}` : `TEL;TYPE=HOME,VOICE:${home}`);
      numbers.push({ value: home, label: 'home' });
    }
    if (i % 2 === 0) {
      card.push(version === '4.0' ? `TEL;TYPE=cell:${mobile}` : `TEL;TYPE=CELL:${mobile}`);
      numbers.push({ value: mobile, label: 'mobile' });
    }
    if (i % 5 === 0) card.push(...folded(`NOTE:Met at the ${pick(family)} party\\nlikes long phone calls\\, really long ones; called ${String(n)} times`));
    if (i % 4 === 0) card.push(`CATEGORIES:${pick(['Family', 'Friends', 'Work', 'Ärzte'])},Imported`);
    if (i % 50 === 0) card.push(...folded(version === '4.0' ? `PHOTO:data:image/jpeg;base64,${tinyJpeg}` : `PHOTO;ENCODING=b;TYPE=JPEG:${tinyJpeg}`));
    card.push('END:VCARD');
    if (brokenEvery > 0 && broken.length < malformed && i % brokenEvery === Math.floor(brokenEvery / 2)) {
      const kind = kinds[broken.length % kinds.length]!;
      broken.push({ line, kind });
      lines.push(...breakCard(card, kind));
      continue;
    }
    lines.push(...card);
    contacts.push({ name: i % 13 === 3 ? `${first} ${last}` : name, numbers, version, line });
  }
  return { text: lines.map((l) => `${l}\r\n`).join(''), contacts, malformed: broken };
}

function breakCard(card: string[], kind: MalformedCard['kind']): string[] {
  switch (kind) {
    case 'no END':
      return card.slice(0, -1);
    case 'no BEGIN':
      return card.slice(1);
    case 'no name and no number':
      return ['BEGIN:VCARD', 'VERSION:3.0', 'NOTE:only a note', 'END:VCARD'];
    case 'line without colon':
      return [...card.slice(0, 2), 'FN Broken Card', ...card.slice(2)];
    case 'unclosed quote':
      return [...card.slice(0, 2), 'X-PARAM;TYPE="unclosed:value', ...card.slice(2)];
  }
}
