/**
 * SIP and SIPS URIs as the address book compares them: RFC 3261 19.1.4 ("URI Comparison") folded into one string
 * key, so that a contact's SIP address and a caller's From URI match by equality (and an index) instead of a
 * pairwise comparison.
 *
 * Modelled: the scheme (sip and sips never match); the userinfo (user and password) case-sensitive, with `%HH`
 * escapes of characters outside the reserved set decoded (`%61lice` = `alice`) and escapes of reserved characters
 * kept (upper-case hex), since RFC 3261 makes only the former equivalent; the host case-insensitive; the port only
 * when present (`sip:a@h` ≠ `sip:a@h:5060`, as 19.1.4 says); the `user`, `ttl`, `method` and `maddr` parameters
 * (present in one URI only → no match, as 19.1.4 says) and `transport`; headers, all of them.
 *
 * Not modelled (a single key cannot, or it is not worth it for matching callers):
 * - `transport` present in one URI only: 19.1.4 ignores it, but "ignored when in one, compared when in both" is
 *   not transitive, so no key can say it; here `sip:a@h` and `sip:a@h;transport=tcp` differ.
 * - Other parameters are dropped, so `sip:a@h;foo=1` and `sip:a@h;foo=2` match, where 19.1.4 would compare `foo`
 *   because it appears in both.
 * - Header values are compared as text (case kept, order of the headers ignored), not per header field (Section 20).
 * - Hosts are not resolved, and IPv6 references are compared as written (lower-cased), not in a canonical form.
 * - Parameter values are compared case-insensitively, `method` too (19.1.4 says parameters compare
 *   case-insensitively unless stated otherwise).
 */

/** A SIP or SIPS URI taken apart; user and password as written (still escaped). */
export interface SipUriParts {
  readonly scheme: 'sip' | 'sips';
  readonly user?: string;
  readonly password?: string;
  /** Lower-cased. */
  readonly host: string;
  readonly port?: number;
  /** Names lower-cased and unescaped, values as written; in URI order. */
  readonly params: ReadonlyArray<readonly [string, string | undefined]>;
  readonly headers: ReadonlyArray<readonly [string, string]>;
}

/** The parameters 19.1.4 compares (plus transport, see above). */
const comparedParams = new Set(['transport', 'user', 'ttl', 'method', 'maddr']);
/** RFC 3261 25.1 `reserved`: escaped and unescaped forms are not equivalent. */
const reserved = new Set(';/?:@&=+$,');
const hostPattern = /^(?:[a-z0-9](?:[a-z0-9-]*[a-z0-9])?\.)*[a-z0-9](?:[a-z0-9-]*[a-z0-9])?\.?$|^\[[0-9a-f:.]+\]$/;
/** Characters that never appear unescaped in a SIP URI (RFC 3261 25.1), here a sign of something else. */
const forbidden = /[\s<>"{}|\\^`[\]]/;

/** `<sip:…>` or `"Name" <sip:…>` (a name-addr, as in a From header) → the URI inside; anything else as it is. */
export function stripNameAddr(text: string): string {
  // The last `<`: a quoted display name may contain one, the URI may not.
  const open = text.lastIndexOf('<');
  const close = text.lastIndexOf('>');
  return open >= 0 && close > open ? text.slice(open + 1, close).trim() : text.trim();
}

/** A SIP or SIPS URI taken apart, or undefined when `text` is not one. */
export function parseSipUri(text: string): SipUriParts | undefined {
  const colon = text.indexOf(':');
  if (colon < 0) return undefined;
  const scheme = text.slice(0, colon).toLowerCase();
  if (scheme !== 'sip' && scheme !== 'sips') return undefined;
  let rest = text.slice(colon + 1);
  const question = rest.indexOf('?');
  const headerText = question >= 0 ? rest.slice(question + 1) : undefined;
  if (question >= 0) rest = rest.slice(0, question);
  // A telephone-subscriber user part may carry `;` parameters of its own, so the userinfo ends at the `@`.
  const at = rest.indexOf('@');
  const userinfo = at >= 0 ? rest.slice(0, at) : undefined;
  const [hostport = '', ...paramTexts] = rest.slice(at + 1).split(';');
  const hostPort = /^(\[[^\]]*\]|[^:]*)(?::(\d{1,5}))?$/.exec(hostport);
  if (!hostPort || forbidden.test(`${userinfo ?? ''};${paramTexts.join(';')}?${headerText ?? ''}`)) return undefined;
  const host = hostPort[1]!.toLowerCase();
  const port = hostPort[2] === undefined ? undefined : Number(hostPort[2]);
  if (!hostPattern.test(host) || (port !== undefined && (port < 1 || port > 65535))) return undefined;
  let user: string | undefined;
  let password: string | undefined;
  if (userinfo !== undefined) {
    const sep = userinfo.indexOf(':');
    user = sep >= 0 ? userinfo.slice(0, sep) : userinfo;
    password = sep >= 0 ? userinfo.slice(sep + 1) : undefined;
    if (user === '') return undefined;
  }
  const params: Array<readonly [string, string | undefined]> = [];
  for (const p of paramTexts) {
    const eq = p.indexOf('=');
    const name = unescapeAll(eq >= 0 ? p.slice(0, eq) : p).toLowerCase();
    if (name === '') return undefined;
    params.push([name, eq >= 0 ? p.slice(eq + 1) : undefined]);
  }
  const headers: Array<readonly [string, string]> = [];
  for (const h of headerText ? headerText.split('&') : []) {
    const eq = h.indexOf('=');
    if (eq <= 0) return undefined;
    headers.push([unescapeAll(h.slice(0, eq)).toLowerCase(), h.slice(eq + 1)]);
  }
  return {
    scheme,
    ...(user !== undefined ? { user } : {}),
    ...(password !== undefined ? { password } : {}),
    host,
    ...(port !== undefined ? { port } : {}),
    params,
    headers,
  };
}

/** The value of a URI parameter (lower-cased and unescaped), if present. */
export function sipParam(uri: SipUriParts, name: string): string | undefined {
  const value = uri.params.find(([n]) => n === name)?.[1];
  return value === undefined ? undefined : unescapeAll(value).toLowerCase();
}

/** The canonical key of a SIP URI (see the module comment for what it compares). */
export function sipUriKey(uri: SipUriParts): string {
  let key = `${uri.scheme}:`;
  if (uri.user !== undefined) key += `${canonicalEscapes(uri.user)}${uri.password !== undefined ? `:${canonicalEscapes(uri.password)}` : ''}@`;
  key += uri.host;
  if (uri.port !== undefined) key += `:${uri.port}`;
  const params = uri.params
    .filter(([name]) => comparedParams.has(name))
    .map(([name, value]) => (value === undefined ? name : `${name}=${unescapeAll(value).toLowerCase()}`))
    .sort();
  for (const p of params) key += `;${p}`;
  const headers = uri.headers.map(([name, value]) => `${name}=${canonicalEscapes(value)}`).sort();
  if (headers.length > 0) key += `?${headers.join('&')}`;
  return key;
}

/** Every `%HH` decoded as UTF-8 (parameter names and values compare unescaped); text with a broken escape as it is. */
export function unescapeAll(s: string): string {
  try {
    return decodeURIComponent(s);
  } catch {
    return s;
  }
}

/**
 * Escapes made canonical: an escaped character outside the reserved set is decoded (it is the same character),
 * a reserved one stays escaped with upper-case hex, and anything that should have been escaped (non-ASCII, space,
 * a `%` without two hex digits) is escaped, so `ä` and `%c3%a4` are one key.
 */
function canonicalEscapes(s: string): string {
  let out = '';
  for (let i = 0; i < s.length; ) {
    const escape = /^%([0-9a-fA-F]{2})/.exec(s.slice(i, i + 3));
    if (escape) {
      const byte = parseInt(escape[1]!, 16);
      out += byte > 0x20 && byte < 0x7f && byte !== 0x25 && !reserved.has(String.fromCharCode(byte)) ? String.fromCharCode(byte) : `%${hex(byte)}`;
      i += 3;
      continue;
    }
    const ch = String.fromCodePoint(s.codePointAt(i)!);
    if (ch > '~' || ch <= ' ' || ch === '%') for (const b of Buffer.from(ch, 'utf8')) out += `%${hex(b)}`;
    else out += ch;
    i += ch.length;
  }
  return out;
}

const hex = (b: number): string => b.toString(16).toUpperCase().padStart(2, '0');
