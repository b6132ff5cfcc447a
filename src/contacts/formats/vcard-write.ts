/**
 * vCard export: version 3.0 (RFC 2426), the version phones' own exports use and every phone imports, one card per
 * contact, lines folded at 75 octets without splitting a UTF-8 character, CRLF line ends. SIP URIs are IMPP
 * (RFC 4770); VIP and blocked are the vendor properties X-HOMETEL-VIP and X-HOMETEL-BLOCKED.
 */
import type { AddressLabel, Contact, ContactPhoto } from '../model.js';
import { cleanBase64, isSipUri } from './draft.js';
import { blockedProperty, vipProperty } from './vcard-read.js';

const telTypes: Record<AddressLabel, string> = { home: 'HOME', mobile: 'CELL', work: 'WORK', fax: 'FAX', other: 'VOICE' };
// RFC 4770's IMPP types; a fax has no IMPP type, so it is written (and read back) as other.
const imppTypes: Record<AddressLabel, string | undefined> = { home: 'HOME', mobile: 'MOBILE', work: 'WORK', fax: undefined, other: undefined };

export function writeVcard(contacts: readonly Contact[]): string {
  return contacts.map(card).join('');
}

function card(c: Contact): string {
  const lines = ['BEGIN:VCARD', 'VERSION:3.0', `FN:${escapeText(c.name)}`, `N:${escapeText(c.name)};;;;`];
  for (const a of c.addresses) {
    const value = plain(a.value);
    if (isSipUri(value)) {
      const type = imppTypes[a.label];
      lines.push(`IMPP${type ? `;TYPE=${type}` : ''}:${value}`);
    } else {
      lines.push(`TEL;TYPE=${telTypes[a.label]}:${value}`);
    }
  }
  if (c.note) lines.push(`NOTE:${escapeText(c.note)}`);
  const photo = c.photo && photoLine(c.photo);
  if (photo) lines.push(photo);
  if (c.groups && c.groups.length > 0) lines.push(`CATEGORIES:${c.groups.map(escapeText).join(',')}`);
  if (c.vip) lines.push(`${vipProperty}:TRUE`);
  if (c.blocked) lines.push(`${blockedProperty}:TRUE`);
  lines.push(`UID:${escapeText(c.id)}`, 'END:VCARD');
  return lines.map(fold).join('');
}

/** RFC 2426 5 / RFC 6350 3.4 text escaping; CR LF and CR are line breaks too, other control characters go. */
function escapeText(value: string): string {
  return value
    // eslint-disable-next-line no-control-regex -- removing control characters is the point
    .replace(/[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]/g, '')
    .replace(/\r\n|[\\,;\n\r]/g, (c) => (c === '\\' ? '\\\\' : c === ',' || c === ';' ? `\\${c}` : '\\n'));
}

/** A number or URI value has no escaping: control characters (a line break most of all) become spaces. */
function plain(value: string): string {
  // eslint-disable-next-line no-control-regex -- removing control characters is the point
  return value.replace(/[\x00-\x1f\x7f]/g, ' ').trim();
}

/** 3.0's inline photo: ENCODING=b and TYPE=JPEG (the media subtype); a media type that is no token is left out. */
function photoLine(photo: ContactPhoto): string | undefined {
  const m = /^image\/([a-z0-9.+-]+)$/i.exec(photo.mediaType);
  const data = cleanBase64(photo.data);
  if (!m || !data) return undefined;
  return `PHOTO;ENCODING=b;TYPE=${m[1]!.toUpperCase()}:${data}`;
}

/** RFC 6350 3.2 folding: at most 75 octets a line, continuation lines start with a space; CRLF after each. */
function fold(line: string): string {
  if (Buffer.byteLength(line, 'utf8') <= 75) return `${line}\r\n`;
  let out = '';
  let octets = 0;
  for (const ch of line) {
    const size = utf8Length(ch.codePointAt(0)!);
    if (octets + size > 75) {
      out += '\r\n ';
      octets = 1;
    }
    out += ch;
    octets += size;
  }
  return `${out}\r\n`;
}

function utf8Length(codePoint: number): number {
  return codePoint < 0x80 ? 1 : codePoint < 0x800 ? 2 : codePoint < 0x10000 ? 3 : 4;
}
