/**
 * The pieces of grammar HTTP (RFC 9110 5.6) and SIP (RFC 3261 25.1) share: tokens, linear white space, quoted
 * strings, and a cursor over one header value. Total: bad input gives undefined, never an exception.
 */

const tokenRe = /^[A-Za-z0-9.!%*_+`'~-]+$/;

/** RFC 3261 25.1 `token`. */
export function isToken(s: string): boolean {
  return tokenRe.test(s);
}

export function isTokenChar(c: string | undefined): boolean {
  return c !== undefined && c.length === 1 && tokenRe.test(c);
}

/** SP or HTAB (after unfolding, LWS is made of these only). */
export function isWsp(c: string | undefined): boolean {
  return c === ' ' || c === '\t';
}

/** Reads a quoted-string whose opening quote is at `s[i]`; returns its unescaped content and the index after it. */
export function readQuoted(s: string, i: number): { value: string; end: number } | undefined {
  if (s[i] !== '"') return undefined;
  let out = '';
  let j = i + 1;
  while (j < s.length) {
    const c = s[j]!;
    const code = c.charCodeAt(0);
    if (c === '"') return { value: out, end: j + 1 };
    if (c === '\\') {
      const next = s.charCodeAt(j + 1);
      // quoted-pair = "\" (%x00-09 / %x0B-0C / %x0E-7F)
      if (Number.isNaN(next) || next === 0x0a || next === 0x0d || next > 0x7f) return undefined;
      out += s[j + 1];
      j += 2;
      continue;
    }
    if ((code < 0x20 && code !== 0x09) || code === 0x7f) return undefined;
    out += c;
    j++;
  }
  return undefined;
}

/** A quoted-string for `s` (quotes and backslashes escaped; CR, LF and other controls dropped). */
export function quote(s: string): string {
  let out = '"';
  for (const c of s) {
    const code = c.charCodeAt(0);
    if (c === '"' || c === '\\') out += `\\${c}`;
    else if ((code < 0x20 && code !== 0x09) || code === 0x7f) continue;
    else out += c;
  }
  return `${out}"`;
}

/** A cursor over one header value. */
export class Scanner {
  pos = 0;
  constructor(readonly s: string) {}

  get done(): boolean {
    return this.pos >= this.s.length;
  }

  peek(): string | undefined {
    return this.s[this.pos];
  }

  /** Skips SP/HTAB; returns how many were skipped. */
  skipWs(): number {
    const from = this.pos;
    while (isWsp(this.s[this.pos])) this.pos++;
    return this.pos - from;
  }

  eat(c: string): boolean {
    if (this.s[this.pos] !== c) return false;
    this.pos++;
    return true;
  }

  readWhile(pred: (c: string) => boolean): string {
    const from = this.pos;
    while (this.pos < this.s.length && pred(this.s[this.pos]!)) this.pos++;
    return this.s.slice(from, this.pos);
  }

  rest(): string {
    return this.s.slice(this.pos);
  }
}
