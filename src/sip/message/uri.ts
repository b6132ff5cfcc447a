/**
 * SIP, SIPS (RFC 3261 19.1) and TEL (RFC 3966) URIs: parse, format, compare. Other schemes are kept
 * opaque (`absoluteURI`), which is enough to carry them in To/From/Contact (RFC 4475 3.3.4).
 * Components are stored unescaped (`%75se%72` → `user`) and escaped again on formatting, so a parsed URI
 * formats to an equivalent, not necessarily identical, text. Parsing never throws.
 */
import { formatHost, parseDigits, parseHost, type Params } from './grammar.js';

export interface SipUri {
  readonly kind: 'sip';
  readonly scheme: 'sip' | 'sips';
  /** Unescaped user part; may hold `;` (RFC 4475 3.1.1.9) or even NUL (3.1.1.4). */
  readonly user?: string;
  readonly password?: string;
  /** Host name or IP address; IPv6 without brackets. */
  readonly host: string;
  readonly port?: number;
  /** uri-parameters: lower-cased names, unescaped values (null: no value, as `lr`). */
  readonly params: Params;
  /** `?name=value&…` headers, unescaped, in order. */
  readonly headers: ReadonlyArray<readonly [string, string]>;
}

export interface TelUri {
  readonly kind: 'tel';
  readonly scheme: 'tel';
  /** The number as written: `+1-201-555-0123` (global) or `7042` (local, with a phone-context parameter). */
  readonly number: string;
  readonly params: Params;
}

export interface OtherUri {
  readonly kind: 'other';
  /** Lower-cased scheme. */
  readonly scheme: string;
  /** Everything after `scheme:`. */
  readonly opaque: string;
}

export type Uri = SipUri | TelUri | OtherUri;

// RFC 3261 25.1 character sets (unreserved = alphanum / mark).
const unreserved = "A-Za-z0-9\\-_.!~*'()";
const userRe = new RegExp(`^[${unreserved}&=+$,;?/%]+$`);
const passwordRe = new RegExp(`^[${unreserved}&=+$,%]*$`);
const paramRe = new RegExp(`^[${unreserved}\\[\\]/:&+$%]+$`);
const headerRe = new RegExp(`^[${unreserved}\\[\\]/?:+$%]*$`);
const telNumberRe = /^[0-9A-Fa-f*#().-]+$/;
const telParamNameRe = /^[A-Za-z0-9-]+$/;

const userAllowed = new Set(`${alnumMark()}&=+$,;?/`);
const passwordAllowed = new Set(`${alnumMark()}&=+$,`);
const paramAllowed = new Set(`${alnumMark()}[]/:&+$`);
const headerAllowed = new Set(`${alnumMark()}[]/?:+$`);

function alnumMark(): string {
  let s = "-_.!~*'()";
  for (let c = 0x30; c <= 0x39; c++) s += String.fromCharCode(c);
  for (let c = 0x41; c <= 0x5a; c++) s += String.fromCharCode(c, c + 0x20);
  return s;
}

/** `%HH` unescaping (UTF-8); undefined for a malformed escape. */
export function unescapeUriPart(s: string): string | undefined {
  if (!s.includes('%')) return s;
  const bytes: number[] = [];
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c === 0x25) {
      const hex = s.slice(i + 1, i + 3);
      if (!/^[0-9A-Fa-f]{2}$/.test(hex)) return undefined;
      bytes.push(parseInt(hex, 16));
      i += 2;
    } else {
      if (c > 0x7f) return undefined;
      bytes.push(c);
    }
  }
  return Buffer.from(bytes).toString('utf8');
}

function escapePart(s: string, allowed: ReadonlySet<string>): string {
  let out = '';
  for (const byte of Buffer.from(s, 'utf8')) {
    const c = String.fromCharCode(byte);
    out += byte < 0x80 && allowed.has(c) ? c : `%${byte.toString(16).toUpperCase().padStart(2, '0')}`;
  }
  return out;
}

function isUriText(s: string): boolean {
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c <= 0x20 || c >= 0x7f) return false;
  }
  return s.length > 0;
}

/** Parses any absolute URI; SIP, SIPS and TEL into their parts. Undefined when malformed. */
export function parseUri(text: string): Uri | undefined {
  if (typeof text !== 'string' || !isUriText(text)) return undefined;
  const colon = text.indexOf(':');
  if (colon <= 0) return undefined;
  const scheme = text.slice(0, colon).toLowerCase();
  if (!/^[a-z][a-z0-9+.-]*$/.test(scheme)) return undefined;
  const rest = text.slice(colon + 1);
  if (scheme === 'sip' || scheme === 'sips') return parseSipRest(scheme, rest);
  if (scheme === 'tel') return parseTelRest(rest);
  if (rest.length === 0 || /[<>"\\{}|^`]/.test(rest)) return undefined;
  return { kind: 'other', scheme, opaque: rest };
}

/** Parses a `sip:` or `sips:` URI only. */
export function parseSipUri(text: string): SipUri | undefined {
  const uri = parseUri(text);
  return uri?.kind === 'sip' ? uri : undefined;
}

function parseUriParams(text: string, nameRe: RegExp): Map<string, string | null> | undefined {
  const params = new Map<string, string | null>();
  if (text === '') return params;
  for (const piece of text.split(';')) {
    const eq = piece.indexOf('=');
    const rawName = eq >= 0 ? piece.slice(0, eq) : piece;
    const rawValue = eq >= 0 ? piece.slice(eq + 1) : undefined;
    if (!nameRe.test(rawName)) return undefined;
    if (rawValue !== undefined && !paramRe.test(rawValue)) return undefined;
    const name = unescapeUriPart(rawName)?.toLowerCase();
    const value = rawValue === undefined ? null : unescapeUriPart(rawValue);
    if (name === undefined || value === undefined || params.has(name)) return undefined;
    params.set(name, value);
  }
  return params;
}

function parseSipRest(scheme: 'sip' | 'sips', rest: string): SipUri | undefined {
  let user: string | undefined;
  let password: string | undefined;
  let hostPart = rest;
  const at = rest.indexOf('@');
  if (at >= 0) {
    const userinfo = rest.slice(0, at);
    hostPart = rest.slice(at + 1);
    const colon = userinfo.indexOf(':');
    const rawUser = colon >= 0 ? userinfo.slice(0, colon) : userinfo;
    if (!userRe.test(rawUser)) return undefined;
    user = unescapeUriPart(rawUser);
    if (user === undefined) return undefined;
    if (colon >= 0) {
      const rawPassword = userinfo.slice(colon + 1);
      if (!passwordRe.test(rawPassword)) return undefined;
      password = unescapeUriPart(rawPassword);
      if (password === undefined) return undefined;
    }
  }
  const q = hostPart.indexOf('?');
  const beforeHeaders = q >= 0 ? hostPart.slice(0, q) : hostPart;
  const headerText = q >= 0 ? hostPart.slice(q + 1) : undefined;
  const semi = beforeHeaders.indexOf(';');
  const hostport = semi >= 0 ? beforeHeaders.slice(0, semi) : beforeHeaders;
  const paramText = semi >= 0 ? beforeHeaders.slice(semi + 1) : '';

  let hostText = hostport;
  let port: number | undefined;
  const close = hostport.startsWith('[') ? hostport.indexOf(']') : -1;
  const portColon = hostport.startsWith('[') ? (close >= 0 ? hostport.indexOf(':', close) : -1) : hostport.indexOf(':');
  if (portColon >= 0) {
    if (close >= 0 && portColon !== close + 1) return undefined;
    hostText = hostport.slice(0, portColon);
    port = parseDigits(hostport.slice(portColon + 1), 65535);
    if (port === undefined) return undefined;
  }
  const host = parseHost(hostText);
  if (host === undefined) return undefined;

  const params = semi >= 0 ? parseUriParams(paramText, paramRe) : new Map<string, string | null>();
  if (!params) return undefined;

  const headers: Array<readonly [string, string]> = [];
  if (headerText !== undefined) {
    for (const piece of headerText.split('&')) {
      const eq = piece.indexOf('=');
      if (eq <= 0) return undefined;
      const rawName = piece.slice(0, eq);
      const rawValue = piece.slice(eq + 1);
      if (!headerRe.test(rawName) || !headerRe.test(rawValue)) return undefined;
      const name = unescapeUriPart(rawName);
      const value = unescapeUriPart(rawValue);
      if (name === undefined || value === undefined) return undefined;
      headers.push([name, value]);
    }
  }
  const uri: SipUri = { kind: 'sip', scheme, host, params, headers };
  return {
    ...uri,
    ...(user !== undefined ? { user } : {}),
    ...(password !== undefined ? { password } : {}),
    ...(port !== undefined ? { port } : {}),
  };
}

function parseTelRest(rest: string): TelUri | undefined {
  const semi = rest.indexOf(';');
  const number = semi >= 0 ? rest.slice(0, semi) : rest;
  const params = semi >= 0 ? parseUriParams(rest.slice(semi + 1), telParamNameRe) : new Map<string, string | null>();
  if (!params) return undefined;
  if (number.startsWith('+')) {
    const digits = number.slice(1);
    if (!/^[0-9().-]+$/.test(digits) || !/[0-9]/.test(digits)) return undefined;
  } else {
    // local-number: needs a phone-context (RFC 3966 5.1.5)
    if (!telNumberRe.test(number) || !/[0-9A-Fa-f*#]/.test(number)) return undefined;
    if (!params.has('phone-context')) return undefined;
  }
  return { kind: 'tel', scheme: 'tel', number, params };
}

function formatUriParams(params: Params): string {
  let out = '';
  for (const [name, value] of params) {
    out += `;${escapePart(name, paramAllowed)}`;
    if (value !== null) out += `=${escapePart(value, paramAllowed)}`;
  }
  return out;
}

/** The text of a URI (components escaped as RFC 3261 25.1 requires). */
export function formatUri(uri: Uri): string {
  if (uri.kind === 'other') return `${uri.scheme}:${uri.opaque}`;
  if (uri.kind === 'tel') return `tel:${uri.number}${formatUriParams(uri.params)}`;
  let out = `${uri.scheme}:`;
  if (uri.user !== undefined) {
    out += escapePart(uri.user, userAllowed);
    if (uri.password !== undefined) out += `:${escapePart(uri.password, passwordAllowed)}`;
    out += '@';
  }
  out += formatHost(uri.host);
  if (uri.port !== undefined) out += `:${uri.port}`;
  out += formatUriParams(uri.params);
  if (uri.headers.length > 0) {
    out += `?${uri.headers.map(([n, v]) => `${escapePart(n, headerAllowed)}=${escapePart(v, headerAllowed)}`).join('&')}`;
  }
  return out;
}

/** Builds a SIP URI from parts (no parsing). */
export function sipUri(parts: {
  scheme?: 'sip' | 'sips';
  user?: string;
  password?: string;
  host: string;
  port?: number;
  params?: Iterable<readonly [string, string | null]>;
  headers?: ReadonlyArray<readonly [string, string]>;
}): SipUri {
  const params = new Map<string, string | null>();
  for (const [n, v] of parts.params ?? []) params.set(n.toLowerCase(), v);
  return {
    kind: 'sip',
    scheme: parts.scheme ?? 'sip',
    host: parts.host.startsWith('[') && parts.host.endsWith(']') ? parts.host.slice(1, -1) : parts.host,
    params,
    headers: parts.headers ?? [],
    ...(parts.user !== undefined ? { user: parts.user } : {}),
    ...(parts.password !== undefined ? { password: parts.password } : {}),
    ...(parts.port !== undefined ? { port: parts.port } : {}),
  };
}

// RFC 3261 19.1.4: these parameters must match when present in either URI.
const mustMatchParams = ['user', 'ttl', 'method', 'maddr', 'transport'];

function hostKey(host: string): string {
  return host.toLowerCase();
}

function sipUriEquals(a: SipUri, b: SipUri): boolean {
  if (a.scheme !== b.scheme) return false;
  if (a.user !== b.user || a.password !== b.password) return false; // userinfo: case-sensitive
  if (hostKey(a.host) !== hostKey(b.host)) return false;
  if (a.port !== b.port) return false; // an explicit port never equals an absent one
  for (const name of mustMatchParams) {
    if (a.params.has(name) !== b.params.has(name)) return false;
  }
  for (const [name, value] of a.params) {
    if (!b.params.has(name)) continue;
    const other = b.params.get(name);
    if ((value ?? '').toLowerCase() !== (other ?? '').toLowerCase()) return false;
  }
  if (a.headers.length !== b.headers.length) return false;
  const bHeaders = new Map(b.headers.map(([n, v]) => [n.toLowerCase(), v]));
  for (const [name, value] of a.headers) {
    if (bHeaders.get(name.toLowerCase()) !== value) return false;
  }
  return true;
}

function telDigits(s: string): string {
  return s.replace(/[().-]/g, '').toLowerCase();
}

function telUriEquals(a: TelUri, b: TelUri): boolean {
  if (telDigits(a.number) !== telDigits(b.number)) return false;
  if (a.number.startsWith('+') !== b.number.startsWith('+')) return false;
  if (a.params.size !== b.params.size) return false;
  for (const [name, value] of a.params) {
    if (!b.params.has(name)) return false;
    const other = b.params.get(name) ?? null;
    const norm = (v: string | null): string => (v === null ? '' : name === 'phone-context' || name === 'ext' || name === 'isub' ? telDigits(v) : v.toLowerCase());
    if (norm(value) !== norm(other)) return false;
  }
  return true;
}

/** URI equivalence: RFC 3261 19.1.4 for SIP/SIPS, RFC 3966 4 for TEL, exact text otherwise. */
export function uriEquals(a: Uri, b: Uri): boolean {
  if (a.kind === 'sip' && b.kind === 'sip') return sipUriEquals(a, b);
  if (a.kind === 'tel' && b.kind === 'tel') return telUriEquals(a, b);
  if (a.kind === 'other' && b.kind === 'other') return a.scheme === b.scheme && a.opaque === b.opaque;
  return false;
}

/** Parses both texts and compares them; false when either is malformed. */
export function uriTextEquals(a: string, b: string): boolean {
  const ua = parseUri(a);
  const ub = parseUri(b);
  return ua !== undefined && ub !== undefined && uriEquals(ua, ub);
}

/**
 * Canonical address-of-record key (RFC 3261 10.3 step 5): parameters and headers removed, escapes resolved,
 * host lower-cased; equal keys mean the same AOR.
 */
export function aorKey(uri: Uri): string {
  if (uri.kind === 'other') return `${uri.scheme}:${uri.opaque}`;
  if (uri.kind === 'tel') return `tel:${telDigits(uri.number)}`;
  const user = uri.user !== undefined ? `${escapePart(uri.user, userAllowed)}@` : '';
  const port = uri.port !== undefined ? `:${uri.port}` : '';
  return `${uri.scheme}:${user}${formatHost(hostKey(uri.host))}${port}`;
}
