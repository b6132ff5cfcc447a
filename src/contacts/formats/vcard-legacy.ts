/**
 * vCard 2.1 as phones still export it, rewritten into lines ical.js reads (it knows 3.0 and 4.0 only):
 * QUOTED-PRINTABLE values (soft line breaks joined, decoded in their CHARSET, default UTF-8), CHARSET dropped
 * (the text is already a string), bare parameters (`TEL;CELL;VOICE:`) given their `TYPE=`, and blank lines,
 * which end 2.1's base64 blocks, removed. Lines that need none of this are passed through untouched.
 */

/** The index of the `:` that ends a content line's name and parameters (none inside a quoted parameter value). */
function valueColon(line: string): number {
  let quoted = false;
  for (let i = 0; i < line.length; i++) {
    const c = line[i];
    if (c === '"') quoted = !quoted;
    else if (c === ':' && !quoted) return i;
  }
  return -1;
}

/** A content line's name and parameters, split at the `;` outside quoted values. */
function splitHead(head: string): string[] {
  const parts: string[] = [];
  let quoted = false;
  let start = 0;
  for (let i = 0; i < head.length; i++) {
    if (head[i] === '"') quoted = !quoted;
    else if (head[i] === ';' && !quoted) {
      parts.push(head.slice(start, i));
      start = i + 1;
    }
  }
  parts.push(head.slice(start));
  return parts;
}

const legacyParam = /^(ENCODING=QUOTED-PRINTABLE|CHARSET=.*|[^=]*)$/i;

export function modernLines(lines: readonly string[]): string[] {
  const out: string[] = [];
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i]!;
    if (line.trim() === '') continue;
    const colon = /^[ \t]/.test(line) ? -1 : valueColon(line);
    const [name, ...params] = colon < 0 ? [] : splitHead(line.slice(0, colon));
    if (!params.some((p) => legacyParam.test(p))) {
      out.push(line);
      continue;
    }
    let value = line.slice(colon + 1);
    let charset = 'utf-8';
    let quotedPrintable = false;
    const kept: string[] = [];
    for (const p of params) {
      const eq = p.indexOf('=');
      const key = eq < 0 ? '' : p.slice(0, eq).toUpperCase();
      if (eq < 0) kept.push(`TYPE=${p}`);
      else if (key === 'CHARSET') charset = p.slice(eq + 1);
      else if (key === 'ENCODING' && /^QUOTED-PRINTABLE$/i.test(p.slice(eq + 1))) quotedPrintable = true;
      else kept.push(p);
    }
    if (quotedPrintable) {
      // A soft line break: `=` at the end of a line continues the value on the next one.
      while (value.endsWith('=') && i + 1 < lines.length) value = value.slice(0, -1) + lines[++i]!;
      value = decodeQuotedPrintable(value, charset).replace(/\r\n|\n|\r/g, '\\n');
    }
    out.push([name, ...kept].join(';') + ':' + value);
  }
  return out;
}

/** RFC 2045 6.7 quoted-printable: `=XX` is a byte; the bytes are text in `charset` (a TextDecoder label). */
function decodeQuotedPrintable(value: string, charset: string): string {
  const bytes: number[] = [];
  for (let i = 0; i < value.length; ) {
    const hex = value[i] === '=' ? value.slice(i + 1, i + 3) : '';
    if (/^[0-9A-Fa-f]{2}$/.test(hex)) {
      bytes.push(parseInt(hex, 16));
      i += 3;
    } else {
      const c = String.fromCodePoint(value.codePointAt(i)!);
      bytes.push(...Buffer.from(c, 'utf8'));
      i += c.length;
    }
  }
  // An unknown charset throws (RangeError): the card is then reported with that reason.
  return new TextDecoder(charset, { fatal: false }).decode(Uint8Array.from(bytes));
}
