/**
 * An uploaded file's bytes as text. Phones and FRITZ!Boxes write UTF-8; Windows tools write CSV as UTF-16 with a
 * byte order mark; older FRITZ!Box firmware writes its XML in ISO-8859-1 and says so in the XML declaration.
 */
import { ContactError } from './errors.js';

export function importText(data: string | Uint8Array): string {
  if (typeof data === 'string') return data.replace(/^\uFEFF/, '');
  const bom = (a: number, b: number, c?: number): boolean => data[0] === a && data[1] === b && (c === undefined || data[2] === c);
  const encoding = bom(0xef, 0xbb, 0xbf) ? 'utf-8' : bom(0xff, 0xfe) ? 'utf-16le' : bom(0xfe, 0xff) ? 'utf-16be' : declaredEncoding(data);
  try {
    // TextDecoder drops the byte order mark itself.
    return new TextDecoder(encoding, { fatal: true }).decode(data);
  } catch {
    throw new ContactError('unreadable', `the file is not ${encoding} text`);
  }
}

/** The XML declaration's encoding when it names Latin-1 (windows-1252 decodes it, as browsers do); else UTF-8. */
function declaredEncoding(data: Uint8Array): string {
  const head = new TextDecoder('latin1').decode(data.subarray(0, 200));
  const declared = /^<\?xml[^>]*encoding=["']([A-Za-z0-9._-]+)["']/.exec(head)?.[1]?.toLowerCase();
  return declared && /^(iso-8859-1|latin1|windows-1252|cp1252)$/.test(declared) ? 'windows-1252' : 'utf-8';
}
