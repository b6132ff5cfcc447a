/**
 * vCard 3.0 (RFC 2426) and 4.0 (RFC 6350) import with ical.js, card by card (vcard-cards.ts) so that one broken
 * card is reported and the others are read; 2.1 exports are rewritten first (vcard-legacy.ts).
 */
import ICAL from 'ical.js';
import { errorMessage } from '../../base/index.js';
import type { AddressLabel, ContactAddress, ContactDraft, ContactPhoto, ParsedContacts } from '../model.js';
import { cleanBase64, isSipUri, lineAt, sipAddress, toDraft, yesNo, type RecordFields } from './draft.js';
import { splitCards, type CardProblem } from './vcard-cards.js';
import { modernLines } from './vcard-legacy.js';

/** The vendor properties that carry the flags vCard has no place for. */
export const vipProperty = 'X-HOMETEL-VIP';
export const blockedProperty = 'X-HOMETEL-BLOCKED';

/** A jCard property (RFC 7095 3.3): name, parameters, value type, value(s). */
type JProperty = [string, Record<string, unknown>, string, ...unknown[]];

/** What one card holds: a contact's fields, or (RFC 6350 KIND:group, Apple's X-ADDRESSBOOKSERVER-KIND) a group's. */
interface Card {
  readonly fields: RecordFields;
  uid?: string;
  group: boolean;
  readonly members: string[];
}

export function parseVcard(text: string): ParsedContacts {
  const { cards, problems } = splitCards(text);
  const found: CardProblem[] = [...problems];
  const read: Array<{ line: number; card: Card }> = [];
  for (const raw of cards) {
    try {
      read.push({ line: raw.line, card: readCard(raw.lines) });
    } catch (e) {
      found.push({ line: raw.line, reason: `not a readable vCard: ${errorMessage(e)}` });
    }
  }
  // A group card is no contact: its name becomes a group of each of its members.
  const groupsOf = new Map<string, string[]>();
  for (const { card } of read.filter((r) => r.card.group && r.card.fields.name)) {
    for (const member of card.members) groupsOf.set(uidKey(member), [...(groupsOf.get(uidKey(member)) ?? []), card.fields.name!]);
  }
  const drafts: ContactDraft[] = [];
  for (const { line, card } of read.filter((r) => !r.card.group)) {
    if (card.uid) card.fields.groups!.push(...(groupsOf.get(uidKey(card.uid)) ?? []));
    const draft = toDraft(card.fields);
    if (typeof draft === 'string') found.push({ line, reason: draft });
    else drafts.push(draft);
  }
  found.sort((a, b) => a.line - b.line);
  return { drafts, problems: found.map((p) => ({ at: lineAt(p.line), reason: p.reason })) };
}

/** A MEMBER is a URI (`urn:uuid:…`), a UID often the bare UUID. */
function uidKey(uid: string): string {
  return uid.trim().replace(/^urn:uuid:/i, '').toLowerCase();
}

function readCard(lines: readonly string[]): Card {
  const parsed: unknown = ICAL.parse(modernLines(lines).join('\r\n'));
  const properties = jCardProperties(parsed);
  const fields: RecordFields = { addresses: [], notes: [], groups: [] };
  const card: Card = { fields, group: false, members: [] };
  let structuredName: string | undefined;
  for (const [name, params, , ...values] of properties) {
    const value = typeof values[0] === 'string' ? values[0] : '';
    switch (name) {
      case 'fn':
        fields.name ||= text(value);
        break;
      case 'n':
        structuredName ||= nameFromN(values[0]);
        break;
      case 'org':
        fields.fallbackName ||= text(firstComponent(values[0]));
        break;
      case 'tel':
        fields.addresses.push(telAddress(value, params));
        break;
      case 'impp':
      case 'url':
        // Other instant messaging schemes and web pages are no telephone addresses.
        if (isSipUri(value)) fields.addresses.push({ value, label: labelOf(params) });
        break;
      case 'x-sip': {
        const sip = sipAddress(value);
        if (sip) fields.addresses.push({ value: sip, label: labelOf(params) });
        break;
      }
      case 'note':
        fields.notes!.push(text(value));
        break;
      case 'photo':
        fields.photo ??= photoOf(value, params);
        break;
      case 'categories':
        fields.groups!.push(...values.filter((v): v is string => typeof v === 'string').map(text));
        break;
      case vipProperty.toLowerCase():
        fields.vip = yesNo(value) === true;
        break;
      case blockedProperty.toLowerCase():
        fields.blocked = yesNo(value) === true;
        break;
      case 'uid':
        card.uid = value;
        break;
      case 'kind':
      case 'x-addressbookserver-kind':
        card.group = value.toLowerCase() === 'group';
        break;
      case 'member':
      case 'x-addressbookserver-member':
        card.members.push(value);
        break;
    }
  }
  fields.name ||= structuredName;
  return card;
}

function jCardProperties(parsed: unknown): JProperty[] {
  // ICAL.parse gives an array of components when the text holds more than one; a card holds exactly one.
  const component = Array.isArray(parsed) && Array.isArray(parsed[0]) ? (parsed[0] as unknown[]) : parsed;
  if (!Array.isArray(component) || component[0] !== 'vcard' || !Array.isArray(component[1])) throw new Error('no vCard component');
  return component[1] as JProperty[];
}

/**
 * ical.js unescapes `\\`, `\,` and `\n` in vCard text (RFC 6350 3.4) but leaves `\;`, which RFC 2426 and most
 * writers use in text too. (A 4.0 writer's unescaped `\\;` therefore reads as `;`.)
 */
function text(value: string): string {
  return value.replace(/\\;/g, ';');
}

function firstComponent(value: unknown): string {
  const first: unknown = Array.isArray(value) ? value[0] : value;
  return typeof first === 'string' ? first : Array.isArray(first) ? first.filter((v) => typeof v === 'string').join(' ') : '';
}

/** N is family;given;additional;prefixes;suffixes: shown as "prefixes given additional family suffixes". */
function nameFromN(value: unknown): string {
  const parts = (Array.isArray(value) ? value : [value]).map((p: unknown) =>
    text(Array.isArray(p) ? p.filter((v) => typeof v === 'string').join(' ') : typeof p === 'string' ? p : ''),
  );
  const [family, given, additional, prefixes, suffixes] = parts;
  return [prefixes, given, additional, family, suffixes].filter((p) => p && p.trim() !== '').join(' ');
}

function types(params: Record<string, unknown>): string[] {
  const t = params['type'];
  const list = Array.isArray(t) ? t : typeof t === 'string' ? [t] : [];
  return list.flatMap((v) => (typeof v === 'string' ? v.toLowerCase().split(',') : []));
}

/** TYPE (3.0 and 4.0, IMPP's RFC 4770 types too) as a label: a fax is a fax, whether home or work. */
function labelOf(params: Record<string, unknown>): AddressLabel {
  const t = types(params);
  if (t.includes('fax')) return 'fax';
  if (t.some((v) => v === 'cell' || v === 'mobile' || v === 'iphone')) return 'mobile';
  if (t.includes('home') || t.includes('personal')) return 'home';
  if (t.includes('work') || t.includes('business')) return 'work';
  return 'other';
}

/** 4.0 writes TEL as a `tel:` URI (VALUE=uri); some phones put a SIP URI there. */
function telAddress(value: string, params: Record<string, unknown>): ContactAddress {
  const v = value.trim();
  return { value: /^tel:/i.test(v) ? v.slice(4) : v, label: labelOf(params) };
}

/**
 * An inline photo: 3.0's base64 (ENCODING=b, or 2.1's BASE64) with TYPE=JPEG or a media type, 4.0's `data:` URI.
 * A photo by reference (http:, file:) is dropped: the address book keeps no links to fetch.
 */
function photoOf(value: string, params: Record<string, unknown>): ContactPhoto | undefined {
  const dataUri = /^data:([^;,]*)((?:;[^;,]*)*),(.*)$/is.exec(value);
  if (dataUri) {
    if (!/;base64/i.test(dataUri[2]!)) return undefined;
    const data = cleanBase64(dataUri[3]!);
    return data ? { mediaType: (dataUri[1] || 'image/jpeg').toLowerCase(), data } : undefined;
  }
  const encoding = params['encoding'];
  if (typeof encoding !== 'string' || !/^(b|base64)$/i.test(encoding)) return undefined;
  const data = cleanBase64(value);
  const type = types(params)[0] ?? 'jpeg';
  return data ? { mediaType: type.includes('/') ? type : `image/${type}`, data } : undefined;
}
