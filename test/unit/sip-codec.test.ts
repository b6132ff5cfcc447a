/** SIP message codec (RFC 3261 section 7, 18.3, 20, 25) against RFC 4475's torture messages and mutations. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import {
  parseSipMessage,
  reasonPhrase,
  request,
  response,
  responseTo,
  serializeSipMessage,
  type ParseResult,
} from '../../src/sip/message/codec.js';
import {
  callId,
  contacts,
  cseq,
  fromAddr,
  isRfc3261Branch,
  maxForwards,
  routeSet,
  toAddr,
  via,
} from '../../src/sip/message/headers.js';
import type { SipMessage, SipRequest, SipResponse } from '../../src/sip/message/types.js';
import { parseUri } from '../../src/sip/message/uri.js';

const fixtureDir = new URL('../fixtures/sip/rfc4475/', import.meta.url);

/** An RFC 4475 message: LF → CRLF, `<hex>…</hex>` → bytes (see the fixtures' README). */
function torture(name: string): Buffer {
  const text = readFileSync(new URL(`${name}.sip`, fixtureDir), 'utf8').replace(/\n/g, '\r\n');
  const parts: Buffer[] = [];
  let rest = text;
  for (let i = rest.indexOf('<hex>'); i >= 0; i = rest.indexOf('<hex>')) {
    const j = rest.indexOf('</hex>', i);
    parts.push(Buffer.from(rest.slice(0, i), 'utf8'), Buffer.from(rest.slice(i + 5, j), 'hex'));
    rest = rest.slice(j + 6);
  }
  parts.push(Buffer.from(rest, 'utf8'));
  return Buffer.concat(parts);
}

function ok(result: ParseResult): SipMessage {
  if (!result.ok) assert.fail(`parse failed: ${result.reason}`);
  return result.message;
}

function req(result: ParseResult): SipRequest {
  const m = ok(result);
  assert.equal(m.kind, 'request');
  return m;
}

function res(result: ParseResult): SipResponse {
  const m = ok(result);
  assert.equal(m.kind, 'response');
  return m;
}

const crlf = (lines: string[]): string => lines.join('\r\n');

const options = crlf([
  'OPTIONS sip:carol@chicago.com SIP/2.0',
  'Via: SIP/2.0/UDP pc33.atlanta.com;branch=z9hG4bKhjhs8ass877',
  'Max-Forwards: 70',
  'To: <sip:carol@chicago.com>',
  'From: Alice <sip:alice@atlanta.com>;tag=1928301774',
  'Call-ID: a84b4c76e66710',
  'CSeq: 63104 OPTIONS',
  'Contact: <sip:alice@pc33.atlanta.com>',
  'Accept: application/sdp',
  'Content-Length: 0',
  '',
  '',
]);

const sdp = crlf(['v=0', 'o=alice 2890844526 2890844526 IN IP4 pc33.atlanta.com', 's=é', 'c=IN IP4 192.0.2.101', 't=0 0', 'm=audio 49172 RTP/AVP 0', '']);

function invite(body = sdp): string {
  return (
    crlf([
      'INVITE sip:bob@biloxi.com SIP/2.0',
      'Via: SIP/2.0/UDP pc33.atlanta.com;branch=z9hG4bK776asdhds',
      'Max-Forwards: 70',
      'To: Bob <sip:bob@biloxi.com>',
      'From: Alice <sip:alice@atlanta.com>;tag=1928301774',
      'Call-ID: a84b4c76e66710@pc33.atlanta.com',
      'CSeq: 314159 INVITE',
      'Contact: <sip:alice@pc33.atlanta.com>',
      'Content-Type: application/sdp',
      `Content-Length: ${Buffer.byteLength(body)}`,
      '',
      '',
    ]) + body
  );
}

// ------------------------------------------------------------------------ RFC 4475 3.1.1 valid

const validTorture = [
  'wsinv', 'intmeth', 'esc01', 'escnull', 'esc02', 'lwsdisp', 'longreq', 'semiuri', 'transports', 'unreason',
  'noreason', 'badbranch', 'bcast', 'bext01', 'cparam01', 'cparam02', 'regaut01', 'unkscm', 'novelsc',
  'unksm2', 'zeromf', 'regescrt', 'sdp01', 'invut', 'escruri', 'baddate', 'regbadct',
];

for (const name of validTorture) {
  test(`RFC 4475 ${name}: parses as a datagram and on a stream, framed by its Content-Length, and round-trips`, () => {
    const bytes = torture(name);
    const d = parseSipMessage(bytes);
    const m = ok(d);
    assert.ok(d.ok);
    assert.equal(d.consumed, bytes.length);
    const s = parseSipMessage(bytes, { stream: true });
    assert.ok(s.ok, s.ok ? '' : s.reason);
    assert.equal(s.consumed, bytes.length);
    const again = ok(parseSipMessage(serializeSipMessage(m)));
    assert.equal(again.kind, m.kind);
    if (again.kind === 'request' && m.kind === 'request') {
      assert.equal(again.method, m.method);
      assert.equal(again.uri, m.uri);
    }
    if (again.kind === 'response' && m.kind === 'response') {
      assert.equal(again.status, m.status);
      assert.equal(again.reason, m.reason);
    }
    const drop = (e: ReadonlyArray<readonly [string, string]>) => e.filter(([n]) => n !== 'Content-Length');
    assert.deepEqual(drop(again.headers.entries()), drop(m.headers.entries()));
    assert.equal(again.body, m.body);
    assert.ok(via(m), 'every Via parses');
    assert.ok(fromAddr(m) && toAddr(m) && cseq(m) && callId(m));
  });
}

test('RFC 4475 3.1.1.1 wsinv: folding, LWS around colons and slashes, compact and odd-case names, empty Subject', () => {
  const m = req(parseSipMessage(torture('wsinv')));
  assert.equal(m.method, 'INVITE');
  assert.equal(m.uri, 'sip:vivekg@chair-dnrc.example.com;unknownparam');
  assert.equal(toAddr(m)?.tag, '1918181833n');
  assert.equal(fromAddr(m)?.displayName, 'J Rosenberg \\"');
  assert.equal(fromAddr(m)?.tag, '98asjd8');
  assert.equal(maxForwards(m), 68);
  assert.deepEqual(cseq(m), { seq: 9, method: 'INVITE' });
  const vias = via(m)!;
  assert.deepEqual(
    vias.map((v) => [v.transport, v.host, v.branch]),
    [
      ['UDP', '192.0.2.2', '390skdjuw'],
      ['TCP', 'spindle.example.com', 'z9hG4bK9ikj8'],
      ['UDP', '192.168.255.111', 'z9hG4bK30239'],
    ],
  );
  assert.equal(m.headers.get('Subject'), '');
  assert.equal(m.headers.get('NewFangledHeader'), 'newfangled value continued newfangled value');
  assert.deepEqual(m.headers.all('UnknownHeaderWithUnusualValue'), [';;,,;;,;'], 'unknown headers are never split');
  const c = contacts(m);
  assert.ok(c !== '*' && c?.length === 1);
  assert.equal(c[0]!.displayName, 'Quoted string ""');
  assert.equal(c[0]!.params.get('newparam'), 'newvalue');
  assert.equal(c[0]!.params.get('secondparam'), null);
  assert.equal(c[0]!.q, 0.33);
  assert.equal(routeSet(m)?.[0]?.uri.kind, 'sip');
  assert.equal(m.body.length, 150);
});

test('RFC 4475 3.1.1.2 intmeth: token characters in method, quoted-pairs of NUL/BEL/DEL, UTF-8 values', () => {
  const m = req(parseSipMessage(torture('intmeth')));
  assert.equal(m.method, "!interesting-Method0123456789_*+`.%indeed'~");
  assert.equal(cseq(m)?.method, m.method);
  assert.equal(toAddr(m)?.displayName, 'BEL:\x07 NUL:\x00 DEL:\x7f');
  assert.equal(fromAddr(m)?.displayName, "token1~` token2'+_ token3*%!.-");
  assert.equal(fromAddr(m)?.params.get("fromparam''~+*_!.-%"), '"работающий"');
  assert.equal(fromAddr(m)?.tag, "_token~1'+`*%!-.");
  assert.equal(callId(m), 'intmeth.word%ZK-!.*_+\'@word`~)(><:\\/"][?}{');
  assert.equal(m.headers.get("extensionHeader-!.%*+_`'~"), '\ufeff大停電');
  const uri = parseUri(m.uri);
  assert.ok(uri?.kind === 'sip');
  assert.equal(uri.user, "1_unusual.URI~(to-be!sure)&isn't+it$/crazy?,/;;*");
  assert.equal(uri.password, "&it+has=1,weird!*pas$wo~d_too.(doesn't-it)");
});

test('RFC 4475 3.1.1.3 esc01 and 3.1.1.4 escnull: escapes in URIs are resolved once, NUL kept', () => {
  const e = req(parseSipMessage(torture('esc01')));
  const ruri = parseUri(e.uri);
  assert.ok(ruri?.kind === 'sip' && ruri.user === 'sips:user@example.com');
  const contact = contacts(e);
  assert.ok(contact !== '*' && contact?.[0]?.uri.kind === 'sip');
  assert.equal(contact[0].uri.user, 'caller');
  assert.equal(contact[0].uri.params.get('name'), 'value%41', 'unescaping is never recursive');
  assert.ok(contact[0].uri.params.has('lr'));
  const n = req(parseSipMessage(torture('escnull')));
  const list = contacts(n);
  assert.ok(list !== '*' && list?.length === 2);
  assert.deepEqual(
    list.map((c) => (c.uri.kind === 'sip' ? c.uri.user : '')),
    ['\0', '\0\0'],
  );
  const to = toAddr(n)?.uri;
  assert.ok(to?.kind === 'sip' && to.user === 'null-\0-null');
});

test('RFC 4475 3.1.1.5 esc02: % is no escape in methods, display names and header names', () => {
  const m = req(parseSipMessage(torture('esc02')));
  assert.equal(m.method, 'RE%47IST%45R');
  assert.equal(toAddr(m)?.displayName, '%Z%45');
  assert.equal(m.headers.all('Contact').length, 2);
  assert.equal(m.headers.get('C%6Fntact'), '<sip:alias2@host2.example.com>');
});

test('RFC 4475 3.1.1.6 lwsdisp, 3.1.1.7 longreq: no LWS before <; 34 Vias under every spelling of Via', () => {
  assert.equal(fromAddr(ok(parseSipMessage(torture('lwsdisp'))))?.displayName, 'caller');
  const m = ok(parseSipMessage(torture('longreq')));
  const vias = via(m)!;
  assert.equal(vias.length, 34);
  assert.equal(vias[0]!.host, 'sip33.example.com');
  assert.equal(vias[33]!.received, '192.0.2.5');
  const to = toAddr(m);
  assert.ok(to?.uri.kind === 'sip' && to.uri.port === 6000 && to.uri.params.size === 3);
  assert.equal(to.displayName, `I have a user name of ${'extreme'.repeat(10)} proportion`);
});

test('RFC 4475 3.1.1.8 dblreq / RFC 3261 18.3: octets after the body of a datagram are ignored', () => {
  const bytes = torture('dblreq');
  const r = parseSipMessage(bytes);
  assert.ok(r.ok);
  assert.equal((r.message as SipRequest).method, 'REGISTER');
  assert.equal(r.message.body, '');
  assert.ok(r.consumed < bytes.length);
  assert.equal(r.message.headers.get('Call-ID'), 'dblreq.0ha0isndaksdj99sdfafnl3lk233412', 'I is Call-ID');
});

test('RFC 4475 3.1.1.9 semiuri, 3.1.1.10 transports: ; in the user part; every transport token', () => {
  const m = req(parseSipMessage(torture('semiuri')));
  const uri = parseUri(m.uri);
  assert.ok(uri?.kind === 'sip' && uri.user === 'user;par=u@example.net' && uri.params.size === 0);
  assert.deepEqual(m.headers.all('Accept'), [
    'application/sdp',
    'application/pkcs7-mime',
    'multipart/mixed',
    'multipart/signed',
    'message/sip',
    'message/sipfrag',
  ]);
  const t = ok(parseSipMessage(torture('transports')));
  assert.deepEqual(
    via(t)?.map((v) => v.transport),
    ['UDP', 'SCTP', 'TLS', 'UNKNOWN', 'TCP'],
  );
});

test('RFC 4475 3.1.1.12 unreason, 3.1.1.13 noreason: UTF-8 and empty reason phrases', () => {
  const u = res(parseSipMessage(torture('unreason')));
  assert.equal(u.status, 200);
  assert.equal(u.reason, '= 2**3 * 5**2 но сто девяносто девять - простое');
  const n = res(parseSipMessage(torture('noreason')));
  assert.equal(n.status, 100);
  assert.equal(n.reason, '');
});

test('RFC 4475 3.2.1 badbranch: parses; its branch is not an RFC 3261 transaction id', () => {
  const m = ok(parseSipMessage(torture('badbranch')));
  assert.equal(via(m)?.[0]?.branch, 'z9hG4bK');
  assert.equal(isRfc3261Branch(via(m)?.[0]?.branch), false);
});

test('RFC 4475 3.3.2 unkscm, 3.3.3 novelsc, 3.3.4 unksm2: unknown URI schemes are carried opaque', () => {
  assert.equal(req(parseSipMessage(torture('unkscm'))).uri, 'nobodyKnowsThisScheme:totallyopaquecontent');
  assert.equal(parseUri(req(parseSipMessage(torture('novelsc'))).uri)?.scheme, 'soap.beep');
  const m = ok(parseSipMessage(torture('unksm2')));
  assert.deepEqual(toAddr(m)?.uri, { kind: 'other', scheme: 'isbn', opaque: '2983792873' });
  assert.equal(fromAddr(m)?.uri.scheme, 'http');
});

test('RFC 4475 3.3.11 zeromf, 3.3.12 cparam01: Max-Forwards 0; bare Contact parameters belong to the header', () => {
  assert.equal(maxForwards(ok(parseSipMessage(torture('zeromf')))), 0);
  const c = contacts(ok(parseSipMessage(torture('cparam01'))));
  assert.ok(c !== '*' && c?.[0]?.uri.kind === 'sip');
  assert.ok(c[0].params.has('unknownparam'));
  assert.equal(c[0].uri.params.size, 0);
  const c2 = contacts(ok(parseSipMessage(torture('cparam02'))));
  assert.ok(c2 !== '*' && c2?.[0]?.uri.kind === 'sip');
  assert.ok(c2[0].uri.params.has('unknownparam'));
});

// ---------------------------------------------------------------------- RFC 4475 invalid

const invalidTorture: Array<[string, string, RegExp]> = [
  ['badinv01', '3.1.2.1', /bad Via/],
  ['clerr', '3.1.2.2', /Content-Length 9999 exceeds/],
  ['ncl', '3.1.2.3', /bad Content-Length "-999"/],
  ['scalar02', '3.1.2.4', /bad CSeq/],
  ['scalarlg', '3.1.2.5', /bad CSeq/],
  ['quotbal', '3.1.2.6', /bad To/],
  ['ltgtruri', '3.1.2.7', /bad Request-URI/],
  ['lwsruri', '3.1.2.8', /request line/],
  ['lwsstart', '3.1.2.9', /request line/],
  ['trws', '3.1.2.10', /request line/],
  ['badaspec', '3.1.2.14', /bad To/],
  ['baddn', '3.1.2.15', /bad From/],
  ['badvers', '3.1.2.16', /unsupported SIP version SIP\/7\.0 \(505\)/],
  ['mismatch01', '3.1.2.17', /CSeq method INVITE does not match request method OPTIONS/],
  ['mismatch02', '3.1.2.18', /CSeq method INVITE does not match request method NEWMETHOD/],
  ['bigcode', '3.1.2.19', /bad status code/],
  ['insuf', '3.3.1', /missing To/],
  ['multi01', '3.3.8', /more than one/],
  ['mcl01', '3.3.9', /more than one Content-Length/],
  ['inv2543', '3.4.1', /missing Max-Forwards/],
];

for (const [name, section, reason] of invalidTorture) {
  test(`RFC 4475 ${section} ${name}: refused with a reason`, () => {
    const r = parseSipMessage(torture(name));
    assert.equal(r.ok, false);
    assert.ok(!r.ok);
    assert.match(r.reason, reason);
    assert.equal(r.incomplete, undefined);
  });
}

test('RFC 4475 3.1.2.2 clerr / RFC 3261 18.3: on a stream a short body is incomplete, not an error', () => {
  const r = parseSipMessage(torture('clerr'), { stream: true });
  assert.deepEqual([r.ok, !r.ok && r.incomplete], [false, true]);
});

// ------------------------------------------------------------------------------- framing

test('RFC 3261 18.3: stream framing splits back-to-back messages by Content-Length', () => {
  const a = invite();
  const both = Buffer.from(a + options, 'utf8');
  const first = parseSipMessage(both, { stream: true });
  assert.ok(first.ok);
  assert.equal(first.consumed, Buffer.byteLength(a));
  assert.equal(first.message.body, sdp);
  const second = parseSipMessage(both.subarray(first.consumed), { stream: true });
  assert.ok(second.ok);
  assert.equal((second.message as SipRequest).method, 'OPTIONS');
  assert.equal(second.consumed, Buffer.byteLength(options));
});

test('RFC 3261 7.5: CRLFs before the start line (stream keep-alives) are skipped and counted in consumed', () => {
  const r = parseSipMessage(`\r\n\r\n${options}`, { stream: true });
  assert.ok(r.ok);
  assert.equal(r.consumed, Buffer.byteLength(options) + 4);
  const only = parseSipMessage('\r\n\r\n', { stream: true });
  assert.ok(!only.ok && only.incomplete);
});

test('RFC 3261 18.3: every truncation of a message is incomplete on a stream and refused as a datagram', () => {
  const full = Buffer.from(invite(), 'utf8');
  for (let n = 1; n < full.length; n++) {
    const part = full.subarray(0, n);
    const s = parseSipMessage(part, { stream: true });
    assert.ok(!s.ok && s.incomplete, `stream prefix ${n}: ${s.ok ? 'ok' : s.reason}`);
    const d = parseSipMessage(part);
    assert.ok(!d.ok && !d.incomplete, `datagram prefix ${n}`);
  }
  assert.ok(parseSipMessage(full, { stream: true }).ok);
});

test('RFC 3261 18.3: a datagram without Content-Length takes the rest of the datagram as body', () => {
  const text = invite().replace(/Content-Length: [0-9]+\r\n/, '');
  const r = parseSipMessage(text);
  assert.ok(r.ok);
  assert.equal(r.message.body, sdp);
  const s = parseSipMessage(text, { stream: true });
  assert.ok(s.ok);
  assert.equal(s.message.body, '', 'on a stream a missing Content-Length reads as 0');
});

test('RFC 3261 20.14: Content-Length counts octets, so a UTF-8 or binary body is framed by bytes', () => {
  const body = Buffer.concat([Buffer.from('é\r\n'), Buffer.from([0, 1, 2, 0xff])]);
  const head = invite('').replace(/Content-Length: 0/, `Content-Length: ${body.length}`);
  const bytes = Buffer.concat([Buffer.from(head), body, Buffer.from(options)]);
  const r = parseSipMessage(bytes, { stream: true });
  assert.ok(r.ok);
  assert.equal(r.consumed, Buffer.byteLength(head) + body.length);
  assert.ok(r.message.body.startsWith('é\r\n\0\x01\x02'));
});

test('RFC 3261 20.14: non-numeric, negative, repeated or oversized Content-Length is refused', () => {
  for (const value of ['five', '-1', '1.5', '0x10', '']) {
    const r = parseSipMessage(options.replace('Content-Length: 0', `Content-Length: ${value}`));
    assert.ok(!r.ok && /Content-Length/.test(r.reason), value);
  }
  const huge = parseSipMessage(options.replace('Content-Length: 0', 'Content-Length: 99999999999999999999'), { stream: true });
  assert.ok(!huge.ok && !huge.incomplete, 'a body beyond the size limit fails at once instead of waiting');
  const tooBig = parseSipMessage(options.replace('Content-Length: 0', 'Content-Length: 70000'), { stream: true });
  assert.ok(!tooBig.ok && !tooBig.incomplete && /larger than 65536/.test(tooBig.reason));
});

// -------------------------------------------------------------------------------- limits

test('limits: 64 KiB message, 128 header fields, 8 KiB header field; all adjustable', () => {
  const longValue = options.replace('Accept: application/sdp', `Accept: ${'a'.repeat(9000)}`);
  assert.match((parseSipMessage(longValue) as { reason: string }).reason, /longer than 8192/);
  assert.ok(parseSipMessage(longValue, { maxHeaderLength: 10000 }).ok);
  const folded = options.replace('Accept: application/sdp', `Accept: x${'\r\n y'.repeat(5000)}`);
  assert.match((parseSipMessage(folded) as { reason: string }).reason, /longer than 8192/, 'the limit applies after unfolding');
  const many = options.replace('Accept: application/sdp', Array.from({ length: 130 }, (_, i) => `X-H${i}: ${i}`).join('\r\n'));
  assert.match((parseSipMessage(many) as { reason: string }).reason, /more than 128 header fields/);
  assert.ok(parseSipMessage(many, { maxHeaders: 200 }).ok);
  const big = invite('x'.repeat(70000));
  assert.match((parseSipMessage(big) as { reason: string }).reason, /larger than 65536/);
  assert.ok(parseSipMessage(big, { maxBytes: 100000 }).ok);
  const endless = parseSipMessage(`OPTIONS sip:a@b SIP/2.0\r\nX: ${'y'.repeat(10000)}`, { stream: true });
  assert.ok(!endless.ok && !endless.incomplete, 'a never-ending header line fails without waiting for more');
});

test('RFC 3261 7.1: garbage on a stream fails at its first line instead of waiting for an empty line', () => {
  const r = parseSipMessage('HELLO THERE\r\nmore', { stream: true });
  assert.ok(!r.ok && !r.incomplete);
});

// --------------------------------------------------------------------------- start lines

test('RFC 3261 7.1, 7.2: start line grammar', () => {
  const line = (first: string): ParseResult => parseSipMessage(options.replace('OPTIONS sip:carol@chicago.com SIP/2.0', first));
  assert.ok(line('OPTIONS sip:carol@chicago.com sip/2.0').ok, 'SIP-Version is case-insensitive');
  assert.ok(!line('OPTIONS sip:carol@chicago.com SIP/2.1').ok);
  assert.ok(!line('OPTIONS sip:carol@chicago.com').ok);
  assert.ok(!line('OPT IONS sip:carol@chicago.com SIP/2.0').ok);
  assert.ok(!line('OPTIONS sip:carol@chicago.com\tSIP/2.0').ok);
  assert.ok(!line('OPTIONS sip:car ol@chicago.com SIP/2.0').ok);
  assert.ok(!line('OPTIONS carol@chicago.com SIP/2.0').ok, 'the Request-URI must be absolute');
  assert.ok(!line('OPTIONS sip:carol@chicago.com:99999 SIP/2.0').ok);
  assert.ok(!line(' OPTIONS sip:carol@chicago.com SIP/2.0').ok);
  const resp = (first: string): ParseResult =>
    parseSipMessage(crlf([first, 'Via: SIP/2.0/UDP h;branch=z9hG4bKx', 'From: <sip:a@b>;tag=1', 'To: <sip:c@d>', 'Call-ID: x', 'CSeq: 1 OPTIONS', '', '']));
  assert.ok(resp('SIP/2.0 200 OK').ok);
  assert.ok(resp('SIP/2.0 183').ok, 'a missing reason phrase is accepted (RFC 4475 3.1.1.13 liberal reading)');
  assert.equal(res(resp('SIP/2.0 486 Busy  Here ')).reason, 'Busy  Here ');
  assert.ok(!resp('SIP/2.0 99 Low').ok);
  assert.ok(!resp('SIP/2.0 700 High').ok);
  assert.ok(!resp('SIP/2.0 2000 OK').ok);
  assert.ok(!resp('SIP/2.0 20x OK').ok);
  assert.ok(!resp('SIP/3.0 200 OK').ok);
  assert.ok(!resp('HTTP/1.1 200 OK').ok);
});

test('RFC 3261 8.1.1, 8.2.6: requests need To, From, CSeq, Call-ID, Max-Forwards, Via; responses all but Max-Forwards', () => {
  for (const name of ['Via', 'Max-Forwards', 'To', 'From', 'Call-ID', 'CSeq']) {
    const text = options.replace(new RegExp(`${name}: [^\\r]*\\r\\n`), '');
    const r = parseSipMessage(text);
    assert.ok(!r.ok && r.reason === `missing ${name}`, name);
  }
  const resp = crlf(['SIP/2.0 200 OK', 'Via: SIP/2.0/UDP h;branch=z9hG4bKx', 'From: <sip:a@b>;tag=1', 'To: <sip:c@d>', 'Call-ID: x', 'CSeq: 1 OPTIONS', '', '']);
  assert.ok(parseSipMessage(resp).ok);
  for (const name of ['Via', 'To', 'From', 'Call-ID', 'CSeq']) {
    const r = parseSipMessage(resp.replace(new RegExp(`${name}: [^\\r]*\\r\\n`), ''));
    assert.ok(!r.ok && r.reason === `missing ${name}`, name);
  }
});

test('RFC 3261 8.1.1: malformed mandatory header values are refused', () => {
  const swap = (from: string, to: string): ParseResult => parseSipMessage(options.replace(from, to));
  assert.match((swap('Max-Forwards: 70', 'Max-Forwards: 256') as { reason: string }).reason, /Max-Forwards/);
  assert.match((swap('Max-Forwards: 70', 'Max-Forwards: seventy') as { reason: string }).reason, /Max-Forwards/);
  assert.match((swap('CSeq: 63104 OPTIONS', 'CSeq: 4294967296 OPTIONS') as { reason: string }).reason, /CSeq/);
  assert.ok(swap('CSeq: 63104 OPTIONS', 'CSeq: 4294967295 OPTIONS').ok, '2**32-1 is the largest CSeq');
  assert.match((swap('CSeq: 63104 OPTIONS', 'CSeq: OPTIONS') as { reason: string }).reason, /CSeq/);
  assert.match((swap('CSeq: 63104 OPTIONS', 'CSeq: 1 options') as { reason: string }).reason, /does not match/, 'methods are case-sensitive');
  assert.match((swap('Call-ID: a84b4c76e66710', 'Call-ID: a b') as { reason: string }).reason, /Call-ID/);
  assert.match((swap('Call-ID: a84b4c76e66710', 'Call-ID:') as { reason: string }).reason, /Call-ID/);
  assert.ok(swap('Call-ID: a84b4c76e66710', 'Call-ID: YWJj+/=@h').ok, 'Call-IDs with base64 characters are accepted');
  assert.match((swap('To: <sip:carol@chicago.com>', 'To: <sip:carol@chicago.com') as { reason: string }).reason, /bad To/);
  assert.match((swap('pc33.atlanta.com;branch', 'pc33.atlanta.com:;branch') as { reason: string }).reason, /bad Via/);
  assert.ok(swap('Via: SIP/2.0/UDP', 'Via: SIP/2.0/UDP h1, SIP/2.0/UDP').ok, 'two Vias on one line are fine');
});

// ------------------------------------------------------------------------------- headers

test('RFC 3261 7.3.3: compact forms map to canonical names', () => {
  const pairs: Array<[string, string]> = [
    ['i', 'Call-ID'], ['m', 'Contact'], ['e', 'Content-Encoding'], ['l', 'Content-Length'], ['c', 'Content-Type'],
    ['f', 'From'], ['s', 'Subject'], ['k', 'Supported'], ['t', 'To'], ['v', 'Via'], ['o', 'Event'],
    ['u', 'Allow-Events'], ['r', 'Refer-To'], ['b', 'Referred-By'], ['x', 'Session-Expires'], ['y', 'Identity'],
  ];
  const m = request('MESSAGE', 'sip:a@b', pairs.filter(([c]) => c !== 'l').map(([c]) => [c.toUpperCase(), `value-${c}`]));
  for (const [compact, long] of pairs) {
    if (compact === 'l') continue;
    assert.equal(m.headers.get(long), `value-${compact}`, long);
    assert.equal(m.headers.get(compact), `value-${compact}`, `lookup by ${compact}`);
    assert.ok(m.headers.entries().some(([n]) => n === long), `${long} is the stored name`);
  }
  assert.equal(ok(parseSipMessage(options.replace('Call-ID:', 'CALL-id:'))).headers.entries()[4]![0], 'Call-ID');
});

test('RFC 3261 7.3.1: comma lists split outside quotes and <>; authentication, Date and unknown headers never', () => {
  const text = options.replace(
    'Accept: application/sdp',
    crlf([
      'Contact: "Doe, John" <sip:j@x;a=1,2>;q=0.5, <sip:k@y>',
      'Supported: 100rel,timer , path',
      'WWW-Authenticate: Digest realm="a, b", nonce="n", qop="auth,auth-int"',
      'Date: Sat, 13 Nov 2010 23:29:00 GMT',
      'X-Unknown: a, b',
      'Route: <sip:p1;lr>,<sip:p2;lr>',
      'Route: <sip:p3;lr>',
    ]),
  );
  const m = ok(parseSipMessage(text));
  assert.deepEqual(m.headers.all('Contact').slice(1), ['"Doe, John" <sip:j@x;a=1,2>;q=0.5', '<sip:k@y>']);
  assert.deepEqual(m.headers.all('Supported'), ['100rel', 'timer', 'path']);
  assert.equal(m.headers.all('WWW-Authenticate').length, 1);
  assert.equal(m.headers.get('Date'), 'Sat, 13 Nov 2010 23:29:00 GMT');
  assert.deepEqual(m.headers.all('x-unknown'), ['a, b']);
  assert.equal(routeSet(m)?.length, 3);
});

test('RFC 3261 7.3.1: header lines with bare LF and tabs are read leniently; a continuation first line is refused', () => {
  const lf = ok(parseSipMessage(options.replace(/\r\n/g, '\n')));
  assert.equal(lf.headers.get('Call-ID'), 'a84b4c76e66710');
  const tab = ok(parseSipMessage(options.replace('Accept: application/sdp', 'Accept:\tapplication/sdp,\r\n\tapplication/x')));
  assert.deepEqual(tab.headers.all('Accept'), ['application/sdp', 'application/x']);
  const r = parseSipMessage(options.replace('Via:', ' Via:'));
  assert.ok(!r.ok && /continuation/.test(r.reason));
  const noColon = parseSipMessage(options.replace('Accept: application/sdp', 'Accept application/sdp'));
  assert.ok(!noColon.ok && /colon/.test(noColon.reason));
  const badName = parseSipMessage(options.replace('Accept:', 'Acc(ept:'));
  assert.ok(!badName.ok && /header name/.test(badName.reason));
});

// ----------------------------------------------------------------------------- serialize

test('RFC 3261 7, 20.14: serialization writes CRLF lines and a Content-Length from the UTF-8 body', () => {
  const m = request(
    'MESSAGE',
    'sip:bob@biloxi.com',
    [
      ['Via', 'SIP/2.0/UDP a.example;branch=z9hG4bK1, SIP/2.0/UDP b.example;branch=z9hG4bK2'],
      ['Max-Forwards', '70'],
      ['To', '<sip:bob@biloxi.com>'],
      ['From', '<sip:alice@atlanta.com>;tag=1'],
      ['Call-ID', 'x'],
      ['CSeq', '1 MESSAGE'],
      ['Content-Length', '999'],
      ['Content-Type', 'text/plain'],
    ],
    'Grüße',
  );
  const wire = serializeSipMessage(m).toString('utf8');
  assert.ok(wire.startsWith('MESSAGE sip:bob@biloxi.com SIP/2.0\r\nVia: SIP/2.0/UDP a.example;branch=z9hG4bK1\r\nVia: SIP/2.0/UDP b.example'));
  assert.match(wire, /\r\nContent-Length: 7\r\n\r\nGrüße$/);
  assert.equal(wire.match(/Content-Length/g)?.length, 1);
  const back = ok(parseSipMessage(serializeSipMessage(m)));
  assert.equal(back.body, 'Grüße');
  assert.equal(via(back)?.length, 2);
});

test('serialization neutralises CR/LF in values (no header injection)', () => {
  const m = request('OPTIONS', 'sip:a@b', [
    ['Subject', 'hi\r\nVia: SIP/2.0/UDP evil'],
    ['Via', 'SIP/2.0/UDP h;branch=z9hG4bKx'],
  ]);
  const wire = serializeSipMessage(m).toString();
  assert.equal(wire.split('\r\n').filter((l) => l.startsWith('Via:')).length, 1);
});

test('serialization keeps Content-Length where it was and a parsed message serializes to the same bytes', () => {
  const m = ok(parseSipMessage(invite()));
  assert.equal(serializeSipMessage(m).toString('utf8'), invite());
});

// ------------------------------------------------------------------------------- builders

test('RFC 3261 8.2.6.2: responseTo copies Via, From, To, Call-ID, CSeq; adds the To tag when asked', () => {
  const text = invite().replace('Max-Forwards: 70', 'Max-Forwards: 70\r\nVia: SIP/2.0/UDP proxy.example;branch=z9hG4bK2\r\nRecord-Route: <sip:proxy.example;lr>\r\nTimestamp: 54');
  const inv = req(parseSipMessage(text));
  const ringing = responseTo(inv, 180, undefined, [['Contact', '<sip:bob@192.0.2.4>']], { toTag: 'abc' });
  assert.equal(ringing.reason, 'Ringing');
  assert.deepEqual(ringing.headers.all('Via'), inv.headers.all('Via'));
  assert.equal(ringing.headers.get('From'), inv.headers.get('From'));
  assert.equal(toAddr(ringing)?.tag, 'abc');
  assert.equal(ringing.headers.get('Call-ID'), inv.headers.get('Call-ID'));
  assert.equal(ringing.headers.get('CSeq'), '314159 INVITE');
  assert.deepEqual(ringing.headers.all('Record-Route'), ['<sip:proxy.example;lr>'], 'RFC 3261 12.1.1');
  assert.equal(ringing.headers.get('Contact'), '<sip:bob@192.0.2.4>');
  assert.equal(ringing.headers.has('Timestamp'), false);
  const trying = responseTo(inv, 100);
  assert.equal(trying.reason, 'Trying');
  assert.equal(toAddr(trying)?.tag, undefined);
  assert.equal(trying.headers.get('Timestamp'), '54', 'RFC 3261 8.2.6.1');
  assert.equal(trying.headers.has('Record-Route'), false);
  const generated = responseTo(inv, 486, 'Busy', [], { toTag: true });
  assert.match(toAddr(generated)?.tag ?? '', /^[0-9a-f]{16}$/);
  const tagged = responseTo({ ...inv, headers: responseTo(inv, 200, 'OK', [], { toTag: 'x' }).headers }, 200, 'OK', [], { toTag: 'y' });
  assert.equal(toAddr(tagged)?.tag, 'x', 'an existing To tag is kept');
  const wire = parseSipMessage(serializeSipMessage(ringing));
  assert.ok(wire.ok, 'the response parses');
});

test('builders: request and response make messages that parse back', () => {
  const r = response(200, 'OK', [
    ['v', 'SIP/2.0/TCP h;branch=z9hG4bKx'],
    ['f', '<sip:a@b>;tag=1'],
    ['t', '<sip:c@d>;tag=2'],
    ['i', 'id'],
    ['CSeq', '2 BYE'],
  ]);
  const back = res(parseSipMessage(serializeSipMessage(r)));
  assert.equal(back.headers.get('Via'), 'SIP/2.0/TCP h;branch=z9hG4bKx');
  assert.equal(back.headers.get('Content-Length'), '0');
});

test('RFC 3261 21: reason phrases for common codes and by class for unknown ones', () => {
  assert.equal(reasonPhrase(200), 'OK');
  assert.equal(reasonPhrase(401), 'Unauthorized');
  assert.equal(reasonPhrase(407), 'Proxy Authentication Required');
  assert.equal(reasonPhrase(481), 'Call/Transaction Does Not Exist');
  assert.equal(reasonPhrase(487), 'Request Terminated');
  assert.equal(reasonPhrase(603), 'Decline');
  assert.equal(reasonPhrase(499), 'Client Error');
  assert.equal(reasonPhrase(299), 'Success');
});

// ----------------------------------------------------------------------------- robustness

function rng(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s * 1664525 + 1013904223) >>> 0;
    return s / 0x100000000;
  };
}

function exercise(m: SipMessage): void {
  via(m);
  fromAddr(m);
  toAddr(m);
  contacts(m);
  cseq(m);
  callId(m);
  maxForwards(m);
  routeSet(m);
  routeSet(m, 'Record-Route');
  serializeSipMessage(m);
}

test('never throws: binary garbage as datagram and stream', () => {
  const rand = rng(1);
  for (let i = 0; i < 500; i++) {
    const buf = Buffer.alloc(Math.floor(rand() * 600));
    for (let j = 0; j < buf.length; j++) buf[j] = Math.floor(rand() * 256);
    for (const stream of [false, true]) {
      const r = parseSipMessage(buf, { stream });
      assert.equal(r.ok, false);
      assert.ok(!r.ok && !r.reason.startsWith('internal'));
    }
  }
  assert.equal(parseSipMessage(undefined as unknown as string).ok, false);
});

test('never throws: 2,000 random mutations of valid messages; what parses is usable', () => {
  const rand = rng(42);
  const seeds = [...validTorture.map(torture), Buffer.from(invite()), Buffer.from(options)];
  const alphabet = Buffer.from(' \t\r\n:;,<>"\\@%=/?[]*\x00\xff0123456789zSIP');
  let parsed = 0;
  for (let i = 0; i < 2000; i++) {
    const seed = seeds[Math.floor(rand() * seeds.length)]!;
    const bytes = Buffer.from(seed);
    let mutated: Buffer = bytes;
    const edits = 1 + Math.floor(rand() * 4);
    for (let e = 0; e < edits; e++) {
      const at = Math.floor(rand() * mutated.length);
      const kind = Math.floor(rand() * 5);
      const b = alphabet[Math.floor(rand() * alphabet.length)]!;
      if (kind === 0) mutated[at] = b;
      else if (kind === 1) mutated = Buffer.concat([mutated.subarray(0, at), Buffer.from([b]), mutated.subarray(at)]);
      else if (kind === 2) mutated = Buffer.concat([mutated.subarray(0, at), mutated.subarray(at + 1 + Math.floor(rand() * 20))]);
      else if (kind === 3) mutated = mutated.subarray(0, at);
      else {
        const from = Math.floor(rand() * mutated.length);
        mutated = Buffer.concat([mutated.subarray(0, at), mutated.subarray(from, from + 40), mutated.subarray(at)]);
      }
    }
    for (const stream of [false, true]) {
      const r = parseSipMessage(mutated, { stream });
      if (r.ok) {
        parsed++;
        assert.ok(r.consumed <= mutated.length);
        exercise(r.message);
        assert.ok(parseSipMessage(serializeSipMessage(r.message)).ok, 'a parsed message serializes to a parseable one');
      } else {
        assert.ok(!r.reason.startsWith('internal'), r.reason);
      }
    }
  }
  assert.ok(parsed > 100, `some mutations still parse (${parsed})`);
});

test('RFC 3261 25.1: a raw control character in a header value (even an unknown header) is refused', () => {
  const msg = (value: string): string =>
    `OPTIONS sip:a@127.0.0.1 SIP/2.0\r\nVia: SIP/2.0/UDP 127.0.0.1:5070;branch=z9hG4bKcc\r\nMax-Forwards: 70\r\nFrom: <sip:b@127.0.0.1>;tag=1\r\nTo: <sip:a@127.0.0.1>\r\nCall-ID: cc1\r\nCSeq: 1 OPTIONS\r\nX-Foo: ${value}\r\nContent-Length: 0\r\n\r\n`;
  assert.equal(parseSipMessage(msg('plain')).ok, true);
  for (const c of ['\x00', '\x01', '\x1b', '\x7f']) assert.equal(parseSipMessage(msg(`a${c}b`)).ok, false, JSON.stringify(c));
  assert.equal(parseSipMessage(msg('"quoted \\\x01 pair"')).ok, true, 'a quoted-pair may escape one');
});
