/**
 * Typed views of the headers the SIP layers themselves need (RFC 3261 section 20): Via, name-addr headers
 * (From, To, Contact, Route, Record-Route), CSeq, Call-ID, Max-Forwards, Expires; immutable edits of a
 * message's headers; received/rport stamping (RFC 3261 18.2.1, RFC 3581); random tags, branches, Call-IDs.
 * Parsers return undefined for malformed values and never throw.
 */
import { randomBytes } from 'node:crypto';
import { isIPv6 } from 'node:net';
import {
  Scanner,
  formatHeaderParams,
  formatHost,
  hasControl,
  isToken,
  isTokenChar,
  isWsp,
  parseAddress,
  parseDigits,
  parseHeaderParams,
  parseHost,
  quote,
  readQuoted,
  trimLws,
  unquote,
  withParam,
  type Params,
} from './grammar.js';
import { headerKey, headerListFrom, HeaderList } from './header-list.js';
import type { HeaderName, SipMessage } from './types.js';
import { formatUri, parseUri, type Uri } from './uri.js';

export type { Params } from './grammar.js';
export { formatHeaderParams, parseHeaderParams, quote, unquote, withParam } from './grammar.js';

/** RFC 3261 8.1.1.7: branches of RFC 3261 transactions start with this. */
export const magicCookie = 'z9hG4bK';

// ---------------------------------------------------------------------------------------------- Via

export interface Via {
  /** `SIP` */
  readonly protocol: string;
  /** `2.0` */
  readonly version: string;
  /** Upper-cased: `UDP`, `TCP`, `TLS`, `SCTP`, `WS`, … */
  readonly transport: string;
  /** sent-by host (IPv6 without brackets). */
  readonly host: string;
  readonly port?: number;
  readonly params: Params;
  readonly branch?: string;
  readonly received?: string;
  /** RFC 3581: `rport` present (with or without a value). */
  readonly hasRport: boolean;
  /** RFC 3581: the value of `rport`, when it has one. */
  readonly rport?: number;
  readonly maddr?: string;
  readonly ttl?: number;
}

/** Parses one Via value (`SIP / 2.0 / UDP host:port;params`, LWS allowed as RFC 3261 25.1 allows it). */
export function parseVia(value: string): Via | undefined {
  if (typeof value !== 'string' || hasControl(value)) return undefined;
  const sc = new Scanner(value);
  sc.skipWs();
  const protocol = sc.readWhile(isTokenChar);
  sc.skipWs();
  if (!protocol || !sc.eat('/')) return undefined;
  sc.skipWs();
  const version = sc.readWhile(isTokenChar);
  sc.skipWs();
  if (!version || !sc.eat('/')) return undefined;
  sc.skipWs();
  const transport = sc.readWhile(isTokenChar);
  if (!transport || sc.skipWs() === 0) return undefined;
  let hostText: string;
  if (sc.peek() === '[') {
    const close = sc.s.indexOf(']', sc.pos);
    if (close < 0) return undefined;
    hostText = sc.s.slice(sc.pos, close + 1);
    sc.pos = close + 1;
  } else {
    hostText = sc.readWhile((c) => /[A-Za-z0-9._-]/.test(c));
  }
  const host = parseHost(hostText);
  if (host === undefined) return undefined;
  sc.skipWs();
  let port: number | undefined;
  if (sc.eat(':')) {
    sc.skipWs();
    port = parseDigits(sc.readWhile((c) => c >= '0' && c <= '9'), 65535);
    if (port === undefined) return undefined;
  }
  const params = parseHeaderParams(sc.rest());
  if (!params) return undefined;
  return viaFromParts(protocol, version, transport.toUpperCase(), host, port, params);
}

function viaFromParts(
  protocol: string,
  version: string,
  transport: string,
  host: string,
  port: number | undefined,
  params: Params,
): Via | undefined {
  const branch = params.get('branch');
  const received = params.get('received');
  const rport = params.get('rport');
  const maddr = params.get('maddr');
  const ttl = params.get('ttl');
  if (branch === null || received === null || maddr === null || ttl === null) return undefined;
  const rportNumber = rport === null || rport === undefined ? undefined : parseDigits(rport, 65535);
  if (rport !== null && rport !== undefined && rportNumber === undefined) return undefined;
  const ttlNumber = ttl === undefined ? undefined : parseDigits(ttl, 255);
  if (ttl !== undefined && ttlNumber === undefined) return undefined;
  return {
    protocol,
    version,
    transport,
    host,
    params,
    hasRport: rport !== undefined,
    ...(port !== undefined ? { port } : {}),
    ...(branch !== undefined ? { branch } : {}),
    ...(received !== undefined ? { received } : {}),
    ...(rportNumber !== undefined ? { rport: rportNumber } : {}),
    ...(maddr !== undefined ? { maddr } : {}),
    ...(ttlNumber !== undefined ? { ttl: ttlNumber } : {}),
  };
}

/** Writes a Via value from its parts; `params` is authoritative (the convenience fields are not read). */
export function formatVia(via: Pick<Via, 'transport' | 'host' | 'port' | 'params'> & Partial<Pick<Via, 'protocol' | 'version'>>): string {
  const port = via.port !== undefined ? `:${via.port}` : '';
  return `${via.protocol ?? 'SIP'}/${via.version ?? '2.0'}/${via.transport.toUpperCase()} ${formatHost(via.host)}${port}${formatHeaderParams(via.params)}`;
}

/** Builds a Via value for an outgoing request: `SIP/2.0/UDP host:port;branch=…[;rport]`. */
export function makeVia(opts: { transport: string; host: string; port?: number; branch: string; rport?: boolean }): string {
  let params: Params = new Map([['branch', opts.branch]]);
  if (opts.rport) params = withParam(params, 'rport', null);
  return formatVia({ transport: opts.transport, host: opts.host, port: opts.port, params });
}

/** All Via values of a message, top first; undefined when there is none or one is malformed. */
export function via(msg: SipMessage): readonly Via[] | undefined {
  const values = msg.headers.all('Via');
  if (values.length === 0) return undefined;
  return parseEach(values, parseVia);
}

/** Every value parsed, or undefined when one of them is malformed. */
function parseEach<T>(values: readonly string[], parse: (value: string) => T | undefined): T[] | undefined {
  const out: T[] = [];
  for (const v of values) {
    const parsed = parse(v);
    if (!parsed) return undefined;
    out.push(parsed);
  }
  return out;
}

/** The top Via, or undefined when absent or malformed. */
export function topVia(msg: SipMessage): Via | undefined {
  const value = msg.headers.get('Via');
  return value === undefined ? undefined : parseVia(value);
}

/** RFC 3261 8.1.1.7: a branch that identifies an RFC 3261 transaction (magic cookie plus something). */
export function isRfc3261Branch(branch: string | undefined): boolean {
  return branch !== undefined && branch.startsWith(magicCookie) && branch.length > magicCookie.length;
}

function sameAddress(a: string, b: string): boolean {
  const norm = (s: string): string => {
    const plain = s.replace(/^\[|\]$/g, '').toLowerCase();
    const v4mapped = /^::ffff:([0-9.]+)$/.exec(plain);
    if (v4mapped) return v4mapped[1]!;
    if (isIPv6(plain)) {
      // Expand to compare textual variants of the same address (2001:db8::1 vs 2001:DB8:0::1).
      const [head = '', tail = ''] = plain.split('::');
      const h = head ? head.split(':') : [];
      const t = tail ? tail.split(':') : [];
      const fill = plain.includes('::') ? Array<string>(8 - h.length - t.length).fill('0') : [];
      return [...h, ...fill, ...t].map((g) => g.replace(/^0+(?=.)/, '')).join(':');
    }
    return plain;
  };
  return norm(a) === norm(b);
}

/**
 * A received request with its top Via stamped for the response path: `received` when the sent-by host is a
 * name or another address than the packet's source (RFC 3261 18.2.1), and when `rport` is present without a
 * value, `rport=<source port>` plus `received` (RFC 3581 4). The message is returned unchanged otherwise.
 */
export function withReceivedParams<M extends SipMessage>(msg: M, source: { address: string; port: number }): M {
  const top = msg.headers.get('Via');
  const parsed = top === undefined ? undefined : parseVia(top);
  if (!parsed) return msg;
  const sourceAddress = source.address.replace(/^::ffff:(?=[0-9.]+$)/i, '');
  let params = parsed.params;
  const differs = parseAddress(parsed.host) === undefined || !sameAddress(parsed.host, sourceAddress);
  const fillRport = parsed.hasRport && parsed.rport === undefined;
  if (differs || fillRport) params = withParam(params, 'received', sourceAddress);
  if (fillRport) params = withParam(params, 'rport', String(source.port));
  if (params === parsed.params) return msg;
  const value = formatVia({ ...parsed, params });
  return replaceFirst(msg, 'Via', value);
}

/**
 * Where a response to a request with this top Via goes (RFC 3261 18.2.2, RFC 3581 4), for datagram
 * transports: maddr if present, else `received` (or the sent-by host); `rport`'s value, else the sent-by
 * port, else 5060 (5061 for TLS). Stream transports answer on the request's connection instead.
 */
export function responseTarget(top: Via): { host: string; port: number } {
  const host = top.maddr ?? top.received ?? top.host;
  const defaultPort = top.transport === 'TLS' ? 5061 : 5060;
  const port = top.maddr !== undefined ? (top.port ?? defaultPort) : (top.rport ?? top.port ?? defaultPort);
  return { host: parseAddress(host) ?? host, port };
}

// ------------------------------------------------------------------------------------- name-addr

export interface NameAddr {
  /** Display name, unquoted (quoted-pairs resolved), or undefined when there is none. */
  readonly displayName?: string;
  readonly uri: Uri;
  /** The URI text as it appeared (inside `<>` when bracketed). */
  readonly uriText: string;
  /** Header parameters (after `>`, or after a bare addr-spec): lower-cased names, values as written. */
  readonly params: Params;
  readonly tag?: string;
}

function isDisplayTokenChar(c: string): boolean {
  return isTokenChar(c) || isWsp(c);
}

/**
 * Parses a name-addr or addr-spec header value with its parameters (From, To, Contact, Route, Record-Route,
 * Reply-To, Refer-To …; RFC 3261 20.10, 20.20, 20.39). In the addr-spec form the URI ends at the first `;`
 * and what follows are header parameters, as RFC 3261 20.10 says.
 */
export function nameAddr(value: string): NameAddr | undefined {
  // Controls are refused by the pieces (a quoted display name may hold quoted-pairs of them, RFC 4475 3.1.1.2).
  if (typeof value !== 'string') return undefined;
  const sc = new Scanner(value);
  sc.skipWs();
  let displayName: string | undefined;
  let bracketed = false;
  if (sc.peek() === '"') {
    const q = readQuoted(sc.s, sc.pos);
    if (!q) return undefined;
    displayName = q.value;
    sc.pos = q.end;
    sc.skipWs();
    if (sc.peek() !== '<') return undefined;
    bracketed = true;
  } else {
    const start = sc.pos;
    const words = sc.readWhile(isDisplayTokenChar);
    if (sc.peek() === '<') {
      bracketed = true;
      const name = trimLws(words).split(/[ \t]+/).filter((w) => w !== '');
      if (name.length > 0) displayName = name.join(' ');
    } else {
      sc.pos = start;
    }
  }
  let uriText: string;
  if (bracketed) {
    sc.eat('<');
    const close = sc.s.indexOf('>', sc.pos);
    if (close < 0) return undefined;
    uriText = sc.s.slice(sc.pos, close);
    sc.pos = close + 1;
  } else {
    const semi = sc.s.indexOf(';', sc.pos);
    uriText = trimLws(semi >= 0 ? sc.s.slice(sc.pos, semi) : sc.rest());
    sc.pos = semi >= 0 ? semi : sc.s.length;
  }
  const uri = parseUri(uriText);
  if (!uri) return undefined;
  const params = parseHeaderParams(sc.rest());
  if (!params) return undefined;
  const tag = params.get('tag');
  if (tag === null || (tag !== undefined && !isToken(tag))) return undefined;
  return {
    uri,
    uriText,
    params,
    ...(displayName !== undefined ? { displayName } : {}),
    ...(tag !== undefined ? { tag } : {}),
  };
}

/** Writes a name-addr, always in the `<…>` form: `"Display" <uri>;params`. */
export function formatNameAddr(na: { displayName?: string; uri: Uri | string; params?: Params }): string {
  const uri = typeof na.uri === 'string' ? na.uri : formatUri(na.uri);
  const display = na.displayName !== undefined && na.displayName !== '' ? `${quote(na.displayName)} ` : '';
  return `${display}<${uri}>${formatHeaderParams(na.params ?? new Map())}`;
}

/** The header value with one header parameter set (e.g. a To tag); undefined when the value does not parse. */
export function withNameAddrParam(value: string, name: string, paramValue: string | null | undefined): string | undefined {
  const na = nameAddr(value);
  if (!na) return undefined;
  return formatNameAddr({ ...na, uri: na.uriText, params: withParam(na.params, name, paramValue) });
}

export function fromAddr(msg: SipMessage): NameAddr | undefined {
  const v = singleValue(msg, 'From');
  return v === undefined ? undefined : nameAddr(v);
}

export function toAddr(msg: SipMessage): NameAddr | undefined {
  const v = singleValue(msg, 'To');
  return v === undefined ? undefined : nameAddr(v);
}

/** Route or Record-Route entries in order; undefined when one is malformed. */
export function routeSet(msg: SipMessage, name: 'Route' | 'Record-Route' | 'Path' | 'Service-Route' = 'Route'): readonly NameAddr[] | undefined {
  const out: NameAddr[] = [];
  for (const v of msg.headers.all(name)) {
    const na = nameAddr(v);
    if (!na) return undefined;
    out.push(na);
  }
  return out;
}

export interface Contact extends NameAddr {
  /** `expires` parameter in seconds (undefined when absent or not a 32-bit number, RFC 4475 3.1.2.4). */
  readonly expires?: number;
  /** `q` parameter, 0 to 1. */
  readonly q?: number;
}

function toContact(na: NameAddr): Contact {
  const e = unquote(na.params.get('expires'));
  const expires = e === undefined ? undefined : parseDigits(e, 0xffffffff);
  const qText = unquote(na.params.get('q'));
  const q = qText !== undefined && /^(0(\.[0-9]{0,3})?|1(\.0{0,3})?)$/.test(qText) ? Number(qText) : undefined;
  return { ...na, ...(expires !== undefined ? { expires } : {}), ...(q !== undefined ? { q } : {}) };
}

/** Parses one Contact value. */
export function parseContact(value: string): Contact | undefined {
  const na = nameAddr(value);
  return na ? toContact(na) : undefined;
}

/**
 * The Contact header: `'*'` for the wildcard (RFC 3261 10.2.2, only alone), the list of contacts (empty when
 * there is no Contact), or undefined when a value is malformed.
 */
export function contacts(msg: SipMessage): '*' | readonly Contact[] | undefined {
  const values = msg.headers.all('Contact');
  if (values.length === 1 && trimLws(values[0]!) === '*') return '*';
  return parseEach(values, parseContact);
}

// ---------------------------------------------------------------------------------- scalar headers

export interface CSeq {
  readonly seq: number;
  readonly method: string;
}

/** `CSeq: 1*DIGIT LWS Method`, the number below 2**32 (RFC 3261 8.1.1.5, RFC 4475 3.1.2.4). */
export function parseCSeq(value: string): CSeq | undefined {
  if (typeof value !== 'string') return undefined;
  const m = /^[ \t]*([0-9]+)[ \t]+([^ \t]+)[ \t]*$/.exec(value);
  if (!m) return undefined;
  const seq = parseDigits(m[1]!, 0xffffffff);
  const method = m[2]!;
  if (seq === undefined || !isToken(method)) return undefined;
  return { seq, method };
}

function singleValue(msg: SipMessage, name: HeaderName): string | undefined {
  const values = msg.headers.all(name);
  return values.length === 1 ? values[0] : undefined;
}

/** CSeq of a message; undefined when absent, repeated or malformed. */
export function cseq(msg: SipMessage): CSeq | undefined {
  const v = singleValue(msg, 'CSeq');
  return v === undefined ? undefined : parseCSeq(v);
}

/**
 * A Call-ID value, trimmed; undefined when empty or holding white space or controls. Lenient: RFC 3261's
 * `word` characters are not enforced, since deployed stacks put `=` and other characters in Call-IDs.
 */
export function parseCallId(value: string): string | undefined {
  if (typeof value !== 'string') return undefined;
  const id = trimLws(value);
  return id !== '' && !/[ \t]/.test(id) && !hasControl(id) ? id : undefined;
}

/** Call-ID of a message; undefined when absent, repeated or malformed. */
export function callId(msg: SipMessage): string | undefined {
  const v = singleValue(msg, 'Call-ID');
  return v === undefined ? undefined : parseCallId(v);
}

/** A Max-Forwards value, 0 to 255 (leading zeros allowed, RFC 4475 3.1.1.1). */
export function parseMaxForwards(value: string): number | undefined {
  return typeof value === 'string' ? parseDigits(trimLws(value), 255) : undefined;
}

/** Max-Forwards of a message; undefined when absent, repeated or malformed. */
export function maxForwards(msg: SipMessage): number | undefined {
  const v = singleValue(msg, 'Max-Forwards');
  return v === undefined ? undefined : parseMaxForwards(v);
}

/** Expires header in seconds (below 2**32); undefined when absent or malformed. */
export function expires(msg: SipMessage): number | undefined {
  const v = singleValue(msg, 'Expires');
  return v === undefined ? undefined : parseDigits(trimLws(v), 0xffffffff);
}

/** Option tags of Supported/Require/Proxy-Require/Unsupported, lower-cased. */
export function optionTags(msg: SipMessage, name: 'Supported' | 'Require' | 'Proxy-Require' | 'Unsupported'): readonly string[] {
  return msg.headers
    .all(name)
    .map((v) => trimLws(v).toLowerCase())
    .filter((v) => v !== '');
}

// ------------------------------------------------------------------------------- header editing

function rebuild<M extends SipMessage>(msg: M, entries: Iterable<readonly [string, string]>): M {
  return { ...msg, headers: new HeaderList(entries) };
}

function replaceFirst<M extends SipMessage>(msg: M, name: HeaderName, value: string): M {
  const key = headerKey(name);
  let done = false;
  return rebuild(
    msg,
    msg.headers.entries().map(([n, v]) => {
      if (!done && headerKey(n) === key) {
        done = true;
        return [n, value] as const;
      }
      return [n, v] as const;
    }),
  );
}

/** The message with all values of `name` replaced by `values` (at the first one's place, else at the end). */
export function setHeader<M extends SipMessage>(msg: M, name: HeaderName, values: string | readonly string[]): M {
  const key = headerKey(name);
  const list = typeof values === 'string' ? [values] : values;
  const split = headerListFrom(list.map((v) => [name, v] as const)).entries();
  const out: Array<readonly [string, string]> = [];
  let placed = false;
  for (const entry of msg.headers.entries()) {
    if (headerKey(entry[0]) === key) {
      if (!placed) out.push(...split);
      placed = true;
    } else {
      out.push(entry);
    }
  }
  if (!placed) out.push(...split);
  return rebuild(msg, out);
}

/**
 * The message with a header value added: at the bottom (after everything), or at the top of that header's
 * values (before its first value, or first of all headers) — how a Via or Record-Route is pushed.
 */
export function addHeader<M extends SipMessage>(msg: M, name: HeaderName, value: string, where: 'top' | 'bottom' = 'bottom'): M {
  const entries = [...msg.headers.entries()];
  const added = headerListFrom([[name, value]]).entries();
  if (where === 'bottom') return rebuild(msg, [...entries, ...added]);
  const key = headerKey(name);
  const at = entries.findIndex(([n]) => headerKey(n) === key);
  const index = at >= 0 ? at : 0;
  return rebuild(msg, [...entries.slice(0, index), ...added, ...entries.slice(index)]);
}

/** The message without any value of `name`. */
export function removeHeader<M extends SipMessage>(msg: M, name: HeaderName): M {
  const key = headerKey(name);
  return rebuild(
    msg,
    msg.headers.entries().filter(([n]) => headerKey(n) !== key),
  );
}

/** The message without its top Via (what a UAC's transaction does to a response before passing it up). */
export function removeTopVia<M extends SipMessage>(msg: M): M {
  let removed = false;
  return rebuild(
    msg,
    msg.headers.entries().filter(([n]) => {
      if (!removed && headerKey(n) === 'via') {
        removed = true;
        return false;
      }
      return true;
    }),
  );
}

// ------------------------------------------------------------------------------- identifiers

/** A From/To tag: 64 random bits (RFC 3261 19.3 asks for at least 32), hex. */
export function generateTag(): string {
  return randomBytes(8).toString('hex');
}

/** A branch: the magic cookie plus 96 random bits (RFC 3261 8.1.1.7), all token characters. */
export function generateBranch(): string {
  return `${magicCookie}${randomBytes(12).toString('base64url')}`;
}

/** A Call-ID: 128 random bits, optionally `@host` (RFC 3261 8.1.1.4). */
export function generateCallId(host?: string): string {
  const id = randomBytes(16).toString('base64url');
  return host ? `${id}@${host}` : id;
}
