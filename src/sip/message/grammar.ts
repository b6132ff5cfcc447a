/**
 * Small pieces of the RFC 3261 section 25.1 grammar shared by the SIP message modules: character
 * classes, linear white space, quoted strings, comma lists and generic header parameters.
 * Everything here is total: bad input gives undefined, never an exception. No regular expression
 * here can backtrack more than linearly (inputs are up to a header line long).
 */
import { isIPv6 } from 'node:net';
import { Scanner, isToken, isTokenChar, isWsp, quote, readQuoted } from '../../base/index.js';

// The token and quoted-string grammar SIP shares with HTTP (Digest) lives in base; SIP's modules take it from here.
export { Scanner, isToken, isTokenChar, isWsp, quote, readQuoted };

/** Header or URI parameters: lower-cased names in order of appearance; null is a parameter without a value. */
export type Params = ReadonlyMap<string, string | null>;

/** Trim SP and HTAB only (String.prototype.trim would also eat U+FEFF and other Unicode spaces). */
export function trimLws(s: string): string {
  let a = 0;
  let b = s.length;
  while (a < b && isWsp(s[a])) a++;
  while (b > a && isWsp(s[b - 1])) b--;
  return s.slice(a, b);
}

/** True when the text holds a control character other than HTAB (CR, LF, NUL, DEL …). */
export function hasControl(s: string): boolean {
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if ((c < 0x20 && c !== 0x09) || c === 0x7f) return true;
  }
  return false;
}

/** The value of a parameter with its quotes (and quoted-pairs) removed, if it was a quoted-string. */
export function unquote(value: string | null | undefined): string | undefined {
  if (value === null || value === undefined) return undefined;
  if (value.startsWith('"')) {
    const q = readQuoted(value, 0);
    return q && q.end === value.length ? q.value : undefined;
  }
  return value;
}

/**
 * Splits a header value at commas that are outside quoted strings and `<…>`; the pieces are trimmed.
 * Undefined when a quote or an angle bracket is left open.
 */
export function splitCommas(value: string): string[] | undefined {
  const out: string[] = [];
  let start = 0;
  let angle = false;
  let i = 0;
  while (i < value.length) {
    const c = value[i];
    if (c === '"') {
      const q = readQuoted(value, i);
      if (!q) return undefined;
      i = q.end;
      continue;
    }
    if (angle) {
      if (c === '>') angle = false;
    } else if (c === '<') {
      angle = true;
    } else if (c === ',') {
      out.push(trimLws(value.slice(start, i)));
      start = i + 1;
    }
    i++;
  }
  if (angle) return undefined;
  out.push(trimLws(value.slice(start)));
  return out;
}

/** gen-value characters we accept unquoted: token, host names, IPv4, and IPv6 with or without brackets. */
function isGenValueChar(c: string): boolean {
  return isTokenChar(c) || c === ':' || c === '[' || c === ']';
}

/**
 * Parses `*( SEMI generic-param )` (RFC 3261 25.1, 7.3.1): `;name[=value]` with optional white space around
 * `;` and `=`. Values are kept as written (a quoted-string keeps its quotes). Empty parameters, bad names,
 * repeated names and trailing garbage make the whole list invalid.
 */
export function parseHeaderParams(text: string): Map<string, string | null> | undefined {
  const params = new Map<string, string | null>();
  const sc = new Scanner(text);
  for (;;) {
    sc.skipWs();
    if (sc.done) return params;
    if (!sc.eat(';')) return undefined;
    sc.skipWs();
    const name = sc.readWhile(isTokenChar);
    if (!name) return undefined;
    const key = name.toLowerCase();
    if (params.has(key)) return undefined;
    sc.skipWs();
    if (sc.eat('=')) {
      sc.skipWs();
      let value: string;
      if (sc.peek() === '"') {
        const q = readQuoted(sc.s, sc.pos);
        if (!q) return undefined;
        value = sc.s.slice(sc.pos, q.end);
        sc.pos = q.end;
      } else {
        value = sc.readWhile(isGenValueChar);
        if (!value) return undefined;
      }
      params.set(key, value);
    } else {
      params.set(key, null);
    }
  }
}

/** `;name=value;flag` for a parameter map (values written as stored). */
export function formatHeaderParams(params: Params): string {
  let out = '';
  for (const [name, value] of params) out += value === null ? `;${name}` : `;${name}=${value}`;
  return out;
}

/** A copy of `params` with `name` set (null: a parameter without value) or, with undefined, removed. */
export function withParam(params: Params, name: string, value: string | null | undefined): Params {
  const next = new Map(params);
  const key = name.toLowerCase();
  if (value === undefined) next.delete(key);
  else next.set(key, value);
  return next;
}

function isIPv4(s: string): boolean {
  const parts = s.split('.');
  if (parts.length !== 4) return false;
  return parts.every((p) => /^[0-9]{1,3}$/.test(p) && Number(p) <= 255);
}

function isHostname(s: string): boolean {
  const name = s.endsWith('.') ? s.slice(0, -1) : s;
  if (name.length === 0 || name.length > 253) return false;
  const labels = name.split('.');
  let allNumeric = true;
  for (const label of labels) {
    if (!/^[A-Za-z0-9_-]+$/.test(label) || label.startsWith('-') || label.endsWith('-')) return false;
    if (!/^[0-9]+$/.test(label)) allNumeric = false;
  }
  return !allNumeric;
}

/**
 * Validates a host (RFC 3261 25.1 `host`: hostname, IPv4address or `[IPv6address]`) and returns it without
 * brackets, or undefined. A bare IPv6 address (no brackets) is refused here; see `parseAddress`.
 */
export function parseHost(s: string): string | undefined {
  if (s.startsWith('[')) {
    if (!s.endsWith(']')) return undefined;
    const inner = s.slice(1, -1);
    return isIPv6(inner) ? inner : undefined;
  }
  if (isIPv4(s) || isHostname(s)) return s;
  return undefined;
}

/** A literal IP address (IPv4, or IPv6 with or without brackets), as in Via `received`. */
export function parseAddress(s: string): string | undefined {
  const inner = s.startsWith('[') && s.endsWith(']') ? s.slice(1, -1) : s;
  if (isIPv4(inner) || isIPv6(inner)) return inner;
  return undefined;
}

/** Host as written in a URI or sent-by: IPv6 in brackets. */
export function formatHost(host: string): string {
  return host.includes(':') ? `[${host}]` : host;
}

/** `1*DIGIT` no larger than `max`, or undefined. Leading zeros are allowed. */
export function parseDigits(s: string, max: number): number | undefined {
  if (!/^[0-9]+$/.test(s)) return undefined;
  const stripped = s.replace(/^0+(?=.)/, '');
  if (stripped.length > 16) return undefined;
  const n = Number(stripped);
  return n <= max ? n : undefined;
}
