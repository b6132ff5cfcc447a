/**
 * SIP message codec (RFC 3261 section 7 and the grammar of section 25): bytes ⇄ `SipMessage`.
 *
 * Parsing is a pure function of the bytes that never throws: a bad message is `{ ok: false, reason }`.
 * It frames by Content-Length (RFC 3261 18.3): on a stream (`stream: true`) a message whose head or body is
 * not all there yet is `{ ok: false, incomplete: true }` and `consumed` tells where the next one starts; in
 * a datagram a missing Content-Length means "the rest of the datagram" and octets after the body are
 * ignored (RFC 4475 3.1.1.8). Header lines are unfolded, compact names expanded, list headers split, and
 * the headers every request or response must carry are checked (RFC 3261 8.1.1, 8.2.2, 20).
 */
import { hasControl, isToken, trimLws } from './grammar.js';
import { canonicalHeaderName, headerListFrom, type HeaderList } from './header-list.js';
import { generateTag, nameAddr, parseCallId, parseCSeq, parseMaxForwards, parseVia, withNameAddrParam } from './headers.js';
import type { SipMessage, SipRequest, SipResponse } from './types.js';
import { parseUri } from './uri.js';
import { errorMessage } from '../../base/index.js';

export interface ParseOptions {
  /** Largest message (head and body) accepted; default 64 KiB. */
  readonly maxBytes?: number;
  /** Most header field lines accepted; default 128. */
  readonly maxHeaders?: number;
  /** Longest header field (after unfolding) or start line; default 8 KiB. */
  readonly maxHeaderLength?: number;
  /** Stream transport (TCP, TLS): frame by Content-Length and report incomplete messages. Default false (datagram). */
  readonly stream?: boolean;
}

export type ParseResult =
  | { readonly ok: true; readonly message: SipMessage; readonly consumed: number }
  | { readonly ok: false; readonly reason: string; readonly incomplete?: boolean };

export const defaultMaxBytes = 65536;
export const defaultMaxHeaders = 128;
export const defaultMaxHeaderLength = 8192;

const fail = (reason: string): ParseResult => ({ ok: false, reason });
const incomplete = (reason: string): ParseResult => ({ ok: false, reason, incomplete: true });

/** Headers that must appear exactly once when present (RFC 3261 20; RFC 4475 3.3.8 and 3.3.9). */
const singleHeaders = ['To', 'From', 'CSeq', 'Call-ID', 'Max-Forwards', 'Content-Length', 'Content-Type'];

/** Parses one SIP message from the start of `data`. Never throws. */
export function parseSipMessage(data: Buffer | string, opts: ParseOptions = {}): ParseResult {
  try {
    return parse(data, opts);
  } catch (e) {
    // Unreachable by design; kept so that a bug in here drops one message instead of a transport.
    return fail(`internal parser error: ${errorMessage(e)}`);
  }
}

function limit(value: number | undefined, fallback: number): number {
  return typeof value === 'number' && Number.isFinite(value) && value > 0 ? Math.floor(value) : fallback;
}

function parse(data: Buffer | string, opts: ParseOptions): ParseResult {
  const buf = typeof data === 'string' ? Buffer.from(data, 'utf8') : Buffer.isBuffer(data) ? data : undefined;
  if (!buf) return fail('not a Buffer or string');
  const maxBytes = limit(opts.maxBytes, defaultMaxBytes);
  const maxHeaders = limit(opts.maxHeaders, defaultMaxHeaders);
  const maxLine = limit(opts.maxHeaderLength, defaultMaxHeaderLength);
  const stream = opts.stream === true;
  const short = (reason: string): ParseResult => (stream ? incomplete(reason) : fail(reason));

  // RFC 3261 7.5: CRLFs before the start line are ignored (keep-alives on streams, RFC 5626 3.5.1).
  let start = 0;
  while (start < buf.length && (buf[start] === 0x0d || buf[start] === 0x0a)) start++;
  if (start === buf.length) return short('no message');

  // Find the empty line that ends the head, line by line (CRLF, or a bare LF from lenient senders).
  const lines: string[] = [];
  let fieldLines = 0;
  let pos = start;
  let headEnd = -1;
  while (pos < buf.length) {
    const nl = buf.indexOf(0x0a, pos);
    const lineEnd = nl < 0 ? buf.length : nl;
    const textEnd = lineEnd > pos && buf[lineEnd - 1] === 0x0d ? lineEnd - 1 : lineEnd;
    if (textEnd - pos > maxLine) return fail(`header line longer than ${maxLine} bytes`);
    if (nl < 0) break;
    if (textEnd === pos) {
      headEnd = nl + 1;
      break;
    }
    lines.push(buf.toString('utf8', pos, textEnd));
    if (lines.length === 1) {
      const bad = checkStartLine(lines[0]!);
      if (bad) return fail(bad);
    }
    const first = buf[pos];
    if (lines.length > 1 && first !== 0x20 && first !== 0x09 && ++fieldLines > maxHeaders) {
      return fail(`more than ${maxHeaders} header fields`);
    }
    pos = nl + 1;
  }
  if (headEnd < 0) {
    if (buf.length - start > maxBytes) return fail(`message head larger than ${maxBytes} bytes`);
    return short('message head not terminated by an empty line');
  }
  if (headEnd - start > maxBytes) return fail(`message larger than ${maxBytes} bytes`);

  const startLine = lines[0];
  if (startLine === undefined) return fail('empty message head');

  // Unfold (RFC 3261 7.3.1: a line starting with SP/HTAB continues the previous field; the fold is one SP).
  const fields: Array<[string, string]> = [];
  for (let i = 1; i < lines.length; i++) {
    const line = lines[i]!;
    if (line.startsWith(' ') || line.startsWith('\t')) {
      const last = fields[fields.length - 1];
      if (!last) return fail('continuation line before the first header field');
      const joined = `${trimRight(last[1])} ${trimLws(line)}`;
      last[1] = joined;
    } else {
      const colon = line.indexOf(':');
      if (colon <= 0) return fail(`header line without a name and colon: ${JSON.stringify(line.slice(0, 40))}`);
      const name = trimRight(line.slice(0, colon)); // HCOLON = *( SP / HTAB ) ":" SWS
      if (!isToken(name)) return fail(`bad header name ${JSON.stringify(name.slice(0, 40))}`);
      fields.push([name, line.slice(colon + 1)]);
    }
    const current = fields[fields.length - 1];
    if (current && current[0].length + current[1].length + 1 > maxLine) return fail(`header field longer than ${maxLine} bytes`);
  }
  if (fields.length > maxHeaders) return fail(`more than ${maxHeaders} header fields`);
  for (const field of fields) {
    field[1] = trimLws(field[1]);
    // RFC 3261 25.1: header values are TEXT-UTF8 and LWS; no control character but HTAB, except escaped as a
    // quoted-pair inside a quoted string (RFC 4475 intmeth).
    // eslint-disable-next-line no-control-regex -- finding control characters is the point
    if (/[\x00-\x08\x0a-\x1f\x7f]/.test(field[1].replace(/\\[\x00-\x7f]/g, ''))) return fail(`control character in the ${field[0]} header`);
  }

  const headers = headerListFrom(fields);
  const head = parseStartLine(startLine);
  if ('error' in head) return fail(head.error);

  // Content-Length (RFC 3261 20.14, RFC 4475 3.1.2.2, 3.1.2.3, 3.3.9).
  const lengths = headers.all('Content-Length');
  if (lengths.length > 1) return fail('more than one Content-Length');
  let bodyLength: number;
  if (lengths.length === 1) {
    const text = lengths[0]!;
    if (!/^[0-9]+$/.test(text)) return fail(`bad Content-Length ${JSON.stringify(text.slice(0, 20))}`);
    const n = text.length > 12 ? Infinity : Number(text);
    if (headEnd - start + n > maxBytes) return fail(`message larger than ${maxBytes} bytes (Content-Length ${text.slice(0, 20)})`);
    bodyLength = n;
  } else {
    // Datagram: the rest of it (RFC 3261 18.3). Stream: none (the RFC requires Content-Length there; its absence is read as 0).
    bodyLength = stream ? 0 : buf.length - headEnd;
    if (headEnd - start + bodyLength > maxBytes) return fail(`message larger than ${maxBytes} bytes`);
  }

  const invalid = validate(head, headers);
  if (invalid) return fail(invalid);

  if (buf.length - headEnd < bodyLength) {
    return stream ? incomplete('body not complete') : fail(`Content-Length ${bodyLength} exceeds the ${buf.length - headEnd} octets after the head`);
  }
  const body = buf.toString('utf8', headEnd, headEnd + bodyLength);
  const consumed = headEnd + bodyLength;
  const message: SipMessage =
    head.kind === 'request'
      ? Object.freeze<SipRequest>({ kind: 'request', method: head.method, uri: head.uri, headers, body })
      : Object.freeze<SipResponse>({ kind: 'response', status: head.status, reason: head.reason, headers, body });
  return { ok: true, message, consumed };
}

function trimRight(s: string): string {
  let b = s.length;
  while (b > 0 && (s[b - 1] === ' ' || s[b - 1] === '\t')) b--;
  return s.slice(0, b);
}

type StartLine =
  | { kind: 'request'; method: string; uri: string }
  | { kind: 'response'; status: number; reason: string }
  | { error: string };

const versionRe = /^SIP\/[0-9]+\.[0-9]+$/i;

/** Cheap early check of the first line, so a stream of garbage fails before a whole head arrives. */
function checkStartLine(line: string): string | undefined {
  const result = parseStartLine(line);
  return 'error' in result ? result.error : undefined;
}

/** RFC 3261 7.1 Request-Line and 7.2 Status-Line: single SPs, SIP/2.0 only. */
function parseStartLine(line: string): StartLine {
  if (hasControl(line.replace(/\t/g, ' '))) return { error: 'control character in start line' };
  if (/^SIP\//i.test(line)) {
    const sp = line.indexOf(' ');
    const version = sp < 0 ? line : line.slice(0, sp);
    if (!versionRe.test(version)) return { error: `bad SIP version in status line: ${JSON.stringify(version.slice(0, 20))}` };
    if (version.toUpperCase() !== 'SIP/2.0') return { error: `unsupported SIP version ${version} (505)` };
    const rest = sp < 0 ? '' : line.slice(sp + 1);
    const m = /^([0-9]{3})(?: (.*))?$/.exec(rest);
    if (!m) return { error: `bad status code in ${JSON.stringify(line.slice(0, 40))}` };
    const status = Number(m[1]);
    if (status < 100 || status > 699) return { error: `status code ${status} outside 100-699` };
    return { kind: 'response', status, reason: m[2] ?? '' };
  }
  const parts = line.split(' ');
  if (parts.length !== 3) return { error: 'request line is not METHOD SP Request-URI SP SIP-Version' };
  const [method = '', uri = '', version = ''] = parts;
  if (!isToken(method)) return { error: `bad method ${JSON.stringify(method.slice(0, 40))}` };
  if (!versionRe.test(version)) return { error: `bad SIP version ${JSON.stringify(version.slice(0, 20))}` };
  if (version.toUpperCase() !== 'SIP/2.0') return { error: `unsupported SIP version ${version} (505)` };
  if (!parseUri(uri)) return { error: `bad Request-URI ${JSON.stringify(uri.slice(0, 60))}` };
  return { kind: 'request', method, uri };
}

function validate(head: Exclude<StartLine, { error: string }>, headers: HeaderList): string | undefined {
  const required = head.kind === 'request' ? ['To', 'From', 'CSeq', 'Call-ID', 'Max-Forwards', 'Via'] : ['Via', 'From', 'To', 'Call-ID', 'CSeq'];
  for (const name of required) if (!headers.has(name)) return `missing ${name}`;
  for (const name of singleHeaders) if (headers.count(name) > 1) return `more than one ${name}`;
  for (const v of headers.all('Via')) if (!parseVia(v)) return `bad Via ${JSON.stringify(v.slice(0, 60))}`;
  for (const name of ['From', 'To']) {
    const v = headers.get(name)!;
    if (!nameAddr(v)) return `bad ${name} ${JSON.stringify(v.slice(0, 60))}`;
  }
  if (parseCallId(headers.get('Call-ID')!) === undefined) return 'bad Call-ID';
  const cs = parseCSeq(headers.get('CSeq')!);
  if (!cs) return `bad CSeq ${JSON.stringify(headers.get('CSeq')!.slice(0, 40))}`;
  if (head.kind === 'request') {
    if (parseMaxForwards(headers.get('Max-Forwards')!) === undefined) return `bad Max-Forwards ${JSON.stringify(headers.get('Max-Forwards')!.slice(0, 20))}`;
    if (cs.method !== head.method) return `CSeq method ${cs.method} does not match request method ${head.method}`;
  }
  return undefined;
}

// ----------------------------------------------------------------------------------- serialize

function clean(s: string): string {
  // Header injection guard: a value can never end its line early.
  return s.replace(/[\r\n]+/g, ' ');
}

/** Wire form of a message: CRLF lines, one line per header value, Content-Length from the UTF-8 body. */
export function serializeSipMessage(msg: SipMessage): Buffer {
  const body = Buffer.from(msg.body, 'utf8');
  const startLine = msg.kind === 'request' ? `${clean(msg.method)} ${clean(msg.uri)} SIP/2.0` : `SIP/2.0 ${msg.status} ${clean(msg.reason)}`;
  let head = `${startLine}\r\n`;
  let lengthWritten = false;
  for (const [name, value] of msg.headers.entries()) {
    if (canonicalHeaderName(name) === 'Content-Length') {
      if (!lengthWritten) head += `Content-Length: ${body.length}\r\n`;
      lengthWritten = true;
      continue;
    }
    head += `${clean(name).replace(/[: ]/g, '')}: ${clean(value)}\r\n`;
  }
  if (!lengthWritten) head += `Content-Length: ${body.length}\r\n`;
  head += '\r\n';
  return Buffer.concat([Buffer.from(head, 'utf8'), body]);
}

// ------------------------------------------------------------------------------------- builders

export type HeaderInput = ReadonlyArray<readonly [string, string]>;

/** A request from parts; list headers are split like parsed ones; Content-Length is left to the serializer. */
export function request(method: string, uri: string, headers: HeaderInput, body = ''): SipRequest {
  return Object.freeze({ kind: 'request', method, uri, headers: headerListFrom(withoutLength(headers)), body });
}

/** A response from parts. */
export function response(status: number, reason: string, headers: HeaderInput, body = ''): SipResponse {
  return Object.freeze({ kind: 'response', status, reason, headers: headerListFrom(withoutLength(headers)), body });
}

function withoutLength(headers: HeaderInput): HeaderInput {
  return headers.filter(([n]) => canonicalHeaderName(n) !== 'Content-Length');
}

export interface ResponseToOptions {
  /** Add this tag to To when the request's To has none; `true` generates one. The dialog layer passes its own. */
  readonly toTag?: string | true;
  readonly body?: string;
}

const dialogCreating = new Set(['INVITE', 'SUBSCRIBE', 'REFER', 'NOTIFY']);

/**
 * A response to `req` (RFC 3261 8.2.6): Via (all, in order), From, To, Call-ID and CSeq copied; To gets a tag
 * when asked; Timestamp copied into 100 (8.2.6.1); Record-Route copied into 101-299 responses to
 * dialog-creating requests (12.1.1). `extraHeaders` follow.
 */
export function responseTo(
  req: SipRequest,
  status: number,
  reason?: string,
  extraHeaders: HeaderInput = [],
  options: ResponseToOptions = {},
): SipResponse {
  const h: Array<readonly [string, string]> = [];
  for (const v of req.headers.all('Via')) h.push(['Via', v]);
  const from = req.headers.get('From');
  if (from !== undefined) h.push(['From', from]);
  let to = req.headers.get('To');
  if (to !== undefined && options.toTag !== undefined && nameAddr(to)?.tag === undefined) {
    const tag = options.toTag === true ? generateTag() : options.toTag;
    to = withNameAddrParam(to, 'tag', tag) ?? to;
  }
  if (to !== undefined) h.push(['To', to]);
  const id = req.headers.get('Call-ID');
  if (id !== undefined) h.push(['Call-ID', id]);
  const cs = req.headers.get('CSeq');
  if (cs !== undefined) h.push(['CSeq', cs]);
  if (status === 100) for (const v of req.headers.all('Timestamp')) h.push(['Timestamp', v]);
  if (status > 100 && status < 300 && dialogCreating.has(req.method)) {
    for (const v of req.headers.all('Record-Route')) h.push(['Record-Route', v]);
  }
  return response(status, reason ?? reasonPhrase(status), [...h, ...extraHeaders], options.body ?? '');
}

// ------------------------------------------------------------------------------- reason phrases

/** Reason phrases of RFC 3261 section 21 and later RFCs. */
export const reasonPhrases: ReadonlyMap<number, string> = new Map([
  [100, 'Trying'],
  [180, 'Ringing'],
  [181, 'Call Is Being Forwarded'],
  [182, 'Queued'],
  [183, 'Session Progress'],
  [199, 'Early Dialog Terminated'],
  [200, 'OK'],
  [202, 'Accepted'],
  [204, 'No Notification'],
  [300, 'Multiple Choices'],
  [301, 'Moved Permanently'],
  [302, 'Moved Temporarily'],
  [305, 'Use Proxy'],
  [380, 'Alternative Service'],
  [400, 'Bad Request'],
  [401, 'Unauthorized'],
  [402, 'Payment Required'],
  [403, 'Forbidden'],
  [404, 'Not Found'],
  [405, 'Method Not Allowed'],
  [406, 'Not Acceptable'],
  [407, 'Proxy Authentication Required'],
  [408, 'Request Timeout'],
  [410, 'Gone'],
  [412, 'Conditional Request Failed'],
  [413, 'Request Entity Too Large'],
  [414, 'Request-URI Too Long'],
  [415, 'Unsupported Media Type'],
  [416, 'Unsupported URI Scheme'],
  [417, 'Unknown Resource-Priority'],
  [420, 'Bad Extension'],
  [421, 'Extension Required'],
  [422, 'Session Interval Too Small'],
  [423, 'Interval Too Brief'],
  [428, 'Use Identity Header'],
  [429, 'Provide Referrer Identity'],
  [433, 'Anonymity Disallowed'],
  [436, 'Bad Identity-Info'],
  [437, 'Unsupported Certificate'],
  [438, 'Invalid Identity Header'],
  [439, 'First Hop Lacks Outbound Support'],
  [440, 'Max-Breadth Exceeded'],
  [469, 'Bad Info Package'],
  [470, 'Consent Needed'],
  [480, 'Temporarily Unavailable'],
  [481, 'Call/Transaction Does Not Exist'],
  [482, 'Loop Detected'],
  [483, 'Too Many Hops'],
  [484, 'Address Incomplete'],
  [485, 'Ambiguous'],
  [486, 'Busy Here'],
  [487, 'Request Terminated'],
  [488, 'Not Acceptable Here'],
  [489, 'Bad Event'],
  [491, 'Request Pending'],
  [493, 'Undecipherable'],
  [494, 'Security Agreement Required'],
  [500, 'Server Internal Error'],
  [501, 'Not Implemented'],
  [502, 'Bad Gateway'],
  [503, 'Service Unavailable'],
  [504, 'Server Time-out'],
  [505, 'Version Not Supported'],
  [513, 'Message Too Large'],
  [580, 'Precondition Failure'],
  [600, 'Busy Everywhere'],
  [603, 'Decline'],
  [604, 'Does Not Exist Anywhere'],
  [606, 'Not Acceptable'],
  [607, 'Unwanted'],
  [608, 'Rejected'],
]);

const classPhrases = ['', 'Provisional', 'Success', 'Redirection', 'Client Error', 'Server Error', 'Global Failure'];

/** The reason phrase for a status code; unknown codes get their class's name. */
export function reasonPhrase(status: number): string {
  return reasonPhrases.get(status) ?? classPhrases[Math.floor(status / 100)] ?? 'Unknown';
}
