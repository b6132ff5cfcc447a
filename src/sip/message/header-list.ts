/**
 * Header names (canonical long forms, RFC 3261 7.3.3 compact forms) and the immutable header list that
 * implements `SipHeaders`. Which headers are comma lists (RFC 3261 7.3.1) lives here too.
 */
import { splitCommas, trimLws } from './grammar.js';
import type { HeaderName, SipHeaders } from './types.js';

// RFC 3261 7.3.3 and the IANA SIP parameters registry (compact forms of later RFCs).
const compactForms: Readonly<Record<string, string>> = {
  a: 'Accept-Contact',
  b: 'Referred-By',
  c: 'Content-Type',
  d: 'Request-Disposition',
  e: 'Content-Encoding',
  f: 'From',
  i: 'Call-ID',
  j: 'Reject-Contact',
  k: 'Supported',
  l: 'Content-Length',
  m: 'Contact',
  n: 'Identity-Info',
  o: 'Event',
  r: 'Refer-To',
  s: 'Subject',
  t: 'To',
  u: 'Allow-Events',
  v: 'Via',
  x: 'Session-Expires',
  y: 'Identity',
};

const knownNames = [
  'Accept', 'Accept-Contact', 'Accept-Encoding', 'Accept-Language', 'Accept-Resource-Priority', 'Alert-Info',
  'Allow', 'Allow-Events', 'Authentication-Info', 'Authorization', 'Call-ID', 'Call-Info', 'Contact',
  'Content-Disposition', 'Content-Encoding', 'Content-ID', 'Content-Language', 'Content-Length',
  'Content-Transfer-Encoding', 'Content-Type', 'CSeq', 'Date', 'Error-Info', 'Event', 'Expires', 'From',
  'History-Info', 'Identity', 'Identity-Info', 'In-Reply-To', 'Join', 'Max-Forwards', 'MIME-Version',
  'Min-Expires', 'Min-SE', 'Organization', 'P-Asserted-Identity', 'P-Associated-URI', 'P-Called-Party-ID',
  'P-Preferred-Identity', 'Path', 'Priority', 'Privacy', 'Proxy-Authenticate', 'Proxy-Authorization',
  'Proxy-Require', 'RAck', 'Reason', 'Record-Route', 'Refer-Sub', 'Refer-To', 'Referred-By',
  'Reject-Contact', 'Replaces', 'Reply-To', 'Request-Disposition', 'Require', 'Resource-Priority',
  'Retry-After', 'Route', 'RSeq', 'Security-Client', 'Security-Server', 'Security-Verify', 'Server',
  'Service-Route', 'Session-Expires', 'SIP-ETag', 'SIP-If-Match', 'Subject', 'Subscription-State', 'Supported',
  'Target-Dialog', 'Timestamp', 'To', 'Unsupported', 'User-Agent', 'Via', 'Warning', 'WWW-Authenticate',
];
const canonicalByLower = new Map(knownNames.map((n) => [n.toLowerCase(), n]));

/**
 * Headers whose grammar is a comma-separated list, so several values on one line are split (RFC 3261 7.3.1).
 * Not listed, hence never split: authentication headers, Date, Retry-After and every header we do not know
 * (RFC 4475 3.1.1.1's UnknownHeaderWithUnusualValue).
 */
const listHeaders = new Set(
  [
    'Accept', 'Accept-Contact', 'Accept-Encoding', 'Accept-Language', 'Accept-Resource-Priority', 'Alert-Info',
    'Allow', 'Allow-Events', 'Call-Info', 'Contact', 'Content-Encoding', 'Content-Language', 'Error-Info',
    'History-Info', 'In-Reply-To', 'P-Asserted-Identity', 'P-Associated-URI', 'P-Preferred-Identity', 'Path',
    'Proxy-Require', 'Reason', 'Record-Route', 'Reject-Contact', 'Require', 'Resource-Priority', 'Route',
    'Security-Client', 'Security-Server', 'Security-Verify', 'Service-Route', 'Supported', 'Unsupported', 'Via',
    'Warning',
  ].map((n) => n.toLowerCase()),
);

/** The canonical spelling of a header name: compact forms expanded, known names in their RFC case. */
export function canonicalHeaderName(name: string): HeaderName {
  const lower = name.toLowerCase();
  if (lower.length === 1) {
    const long = compactForms[lower];
    if (long) return long;
  }
  return canonicalByLower.get(lower) ?? name;
}

/** The lookup key of a header name (canonical and lower-cased). */
export function headerKey(name: string): string {
  return canonicalHeaderName(name).toLowerCase();
}

export function isListHeader(name: string): boolean {
  return listHeaders.has(headerKey(name));
}

/**
 * The values of one header field line: split at top-level commas for list headers (empty elements
 * dropped, unless the whole value is empty), else the trimmed value. `undefined` elements never occur;
 * an unbalanced quote or bracket leaves the value whole for the typed accessors to refuse.
 */
export function headerValues(name: string, value: string): string[] {
  const trimmed = trimLws(value);
  if (!isListHeader(name) || !trimmed.includes(',')) return [trimmed];
  const parts = splitCommas(trimmed);
  if (!parts) return [trimmed];
  const nonEmpty = parts.filter((p) => p !== '');
  return nonEmpty.length > 0 ? nonEmpty : [''];
}

/** Immutable `SipHeaders`; lookups accept any spelling of a name (`v`, `VIA`, `Via`). */
export class HeaderList implements SipHeaders {
  readonly #entries: ReadonlyArray<readonly [HeaderName, string]>;
  readonly #keys: readonly string[];

  /** Entries are taken as given (names canonicalised, values not split); see `headerListFrom` for splitting. */
  constructor(entries: Iterable<readonly [string, string]>) {
    const list: Array<readonly [HeaderName, string]> = [];
    for (const [name, value] of entries) list.push(Object.freeze([canonicalHeaderName(name), value] as const));
    this.#entries = Object.freeze(list);
    this.#keys = Object.freeze(list.map(([n]) => n.toLowerCase()));
  }

  all(name: HeaderName): readonly string[] {
    const key = headerKey(name);
    const out: string[] = [];
    for (let i = 0; i < this.#entries.length; i++) if (this.#keys[i] === key) out.push(this.#entries[i]![1]);
    return out;
  }

  get(name: HeaderName): string | undefined {
    const key = headerKey(name);
    const i = this.#keys.indexOf(key);
    return i >= 0 ? this.#entries[i]![1] : undefined;
  }

  has(name: HeaderName): boolean {
    return this.#keys.includes(headerKey(name));
  }

  entries(): ReadonlyArray<readonly [HeaderName, string]> {
    return this.#entries;
  }

  /** Number of values of a header. */
  count(name: HeaderName): number {
    const key = headerKey(name);
    return this.#keys.filter((k) => k === key).length;
  }
}

/** A header list from [name, value] pairs, with list headers split into one entry per value. */
export function headerListFrom(entries: Iterable<readonly [string, string]>): HeaderList {
  const out: Array<readonly [string, string]> = [];
  for (const [name, value] of entries) for (const v of headerValues(name, value)) out.push([name, v]);
  return new HeaderList(out);
}
