/** Typed SIP header accessors (RFC 3261 section 20), received/rport (RFC 3261 18.2.1, RFC 3581), identifiers. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseSipMessage, request, response } from '../../src/sip/message/codec.js';
import {
  addHeader,
  callId,
  contacts,
  cseq,
  expires,
  formatNameAddr,
  formatVia,
  fromAddr,
  generateBranch,
  generateCallId,
  generateTag,
  isRfc3261Branch,
  magicCookie,
  makeVia,
  maxForwards,
  nameAddr,
  optionTags,
  parseContact,
  parseCSeq,
  parseVia,
  removeHeader,
  removeTopVia,
  responseTarget,
  routeSet,
  setHeader,
  toAddr,
  topVia,
  via,
  withNameAddrParam,
  withReceivedParams,
  withParam,
} from '../../src/sip/message/headers.js';
import type { SipRequest } from '../../src/sip/message/types.js';
import { formatUri } from '../../src/sip/message/uri.js';

function parsedRequest(lines: string[]): SipRequest {
  const r = parseSipMessage(lines.join('\r\n'));
  if (!r.ok) assert.fail(r.reason);
  assert.equal(r.message.kind, 'request');
  return r.message;
}

const base = [
  'REGISTER sip:registrar.biloxi.com SIP/2.0',
  'Via: SIP/2.0/UDP bobspc.biloxi.com:5060;branch=z9hG4bKnashds7;rport',
  'Via: SIP/2.0/TCP [2001:db8::9]:5070;branch=z9hG4bK2;received=2001:db8::10',
  'Max-Forwards: 070',
  'To: Bob <sip:bob@biloxi.com>',
  'From: Bob <sip:bob@biloxi.com>;tag=456248',
  'Call-ID: 843817637684230@998sdasdh09',
  'CSeq: 1826 REGISTER',
  'Contact: <sip:bob@192.0.2.4>;expires=7200, "Bob, mobile" <sip:bob@192.0.2.5;transport=tcp>;q=0.7',
  'Expires: 3600',
  'Supported: Path, OUTBOUND',
  'Route: <sip:p1.example.com;lr>, <sip:p2.example.com;lr>',
  'Content-Length: 0',
  '',
  '',
];

test('RFC 3261 20.42: Via sent-protocol, sent-by and parameters', () => {
  const m = parsedRequest(base);
  const [v1, v2] = via(m)!;
  assert.equal(v1!.protocol, 'SIP');
  assert.equal(v1!.version, '2.0');
  assert.equal(v1!.transport, 'UDP');
  assert.equal(v1!.host, 'bobspc.biloxi.com');
  assert.equal(v1!.port, 5060);
  assert.equal(v1!.branch, 'z9hG4bKnashds7');
  assert.equal(v1!.hasRport, true);
  assert.equal(v1!.rport, undefined);
  assert.equal(v2!.host, '2001:db8::9');
  assert.equal(v2!.port, 5070);
  assert.equal(v2!.received, '2001:db8::10');
  assert.equal(topVia(m)?.branch, 'z9hG4bKnashds7');
});

test('RFC 3261 25.1: Via allows LWS around / and :, and ttl/maddr/received/rport values', () => {
  const v = parseVia('  sip / 2.0 / udp   host.example.com : 5062 ; ttl = 16 ; maddr=224.2.0.1 ;received=192.0.2.1;rport=9988;branch=z9hG4bKx');
  assert.ok(v);
  assert.equal(v.transport, 'UDP');
  assert.equal(v.port, 5062);
  assert.equal(v.ttl, 16);
  assert.equal(v.maddr, '224.2.0.1');
  assert.equal(v.rport, 9988);
  for (const bad of [
    'SIP/2.0/UDP',
    'SIP/2.0 host',
    'SIP/2.0/UDPhost',
    'SIP/2.0/UDP host:99999',
    'SIP/2.0/UDP host;;branch=x',
    'SIP/2.0/UDP host;branch',
    'SIP/2.0/UDP host;rport=abc',
    'SIP/2.0/UDP host;ttl=300',
    'SIP/2.0/UDP host x',
    'SIP/2.0/UDP 2001:db8::1',
    'SIP/2.0/UDP [2001:db8::1',
    'SIP/2.0/UDP host;branch=a\u0000b',
    '',
  ]) {
    assert.equal(parseVia(bad), undefined, JSON.stringify(bad));
  }
});

test('RFC 3261 8.1.1.7: branches and the magic cookie', () => {
  assert.equal(magicCookie, 'z9hG4bK');
  const b = generateBranch();
  assert.match(b, /^z9hG4bK[A-Za-z0-9_-]{16}$/);
  assert.ok(isRfc3261Branch(b));
  assert.equal(isRfc3261Branch('z9hG4bK'), false);
  assert.equal(isRfc3261Branch('390skdjuw'), false);
  assert.equal(isRfc3261Branch(undefined), false);
  const value = makeVia({ transport: 'udp', host: '192.0.2.1', port: 5060, branch: b, rport: true });
  assert.equal(value, `SIP/2.0/UDP 192.0.2.1:5060;branch=${b};rport`);
  assert.equal(parseVia(value)?.branch, b);
  assert.equal(makeVia({ transport: 'tcp', host: '::1', branch: 'z9hG4bK1' }), 'SIP/2.0/TCP [::1];branch=z9hG4bK1');
  assert.equal(formatVia({ ...parseVia(value)!, params: withParam(parseVia(value)!.params, 'received', '1.2.3.4') }), `${value};received=1.2.3.4`);
});

test('RFC 3261 18.2.1: received is added when sent-by is a name or another address than the source', () => {
  const m = parsedRequest(base.map((l) => l.replace(';rport', '')));
  const stamped = withReceivedParams(m, { address: '192.0.2.44', port: 5060 });
  assert.equal(topVia(stamped)?.received, '192.0.2.44');
  assert.equal(via(stamped)?.[1]?.received, '2001:db8::10', 'only the top Via is touched');
  const byIp = parsedRequest(base.map((l) => l.replace('bobspc.biloxi.com:5060;branch=z9hG4bKnashds7;rport', '192.0.2.44;branch=z9hG4bKa')));
  assert.equal(withReceivedParams(byIp, { address: '192.0.2.44', port: 5060 }), byIp, 'same address: unchanged');
  assert.equal(withReceivedParams(byIp, { address: '::ffff:192.0.2.44', port: 5060 }), byIp, 'IPv4-mapped source is the same address');
  assert.equal(topVia(withReceivedParams(byIp, { address: '192.0.2.45', port: 5060 }))?.received, '192.0.2.45');
  const v6 = parsedRequest(base.map((l) => l.replace('bobspc.biloxi.com:5060;branch=z9hG4bKnashds7;rport', '[2001:DB8:0::1];branch=z9hG4bKa')));
  assert.equal(withReceivedParams(v6, { address: '2001:db8::1', port: 5060 }), v6, 'IPv6 textual variants are the same address');
});

test('RFC 3581 4: rport without value gets the source port, and received is then always set', () => {
  const m = parsedRequest(base.map((l) => l.replace('bobspc.biloxi.com:5060', '10.1.1.1:4540')));
  const stamped = withReceivedParams(m, { address: '192.0.2.1', port: 9988 });
  assert.equal(stamped.headers.get('Via'), 'SIP/2.0/UDP 10.1.1.1:4540;branch=z9hG4bKnashds7;rport=9988;received=192.0.2.1');
  const sameIp = parsedRequest(base.map((l) => l.replace('bobspc.biloxi.com:5060', '192.0.2.1:4540')));
  assert.equal(topVia(withReceivedParams(sameIp, { address: '192.0.2.1', port: 9988 }))?.received, '192.0.2.1');
  assert.deepEqual(responseTarget(topVia(stamped)!), { host: '192.0.2.1', port: 9988 });
});

test('RFC 3261 18.2.2: where responses go', () => {
  assert.deepEqual(responseTarget(parseVia('SIP/2.0/UDP h.example;branch=z9hG4bK1')!), { host: 'h.example', port: 5060 });
  assert.deepEqual(responseTarget(parseVia('SIP/2.0/TLS h.example;branch=z9hG4bK1')!), { host: 'h.example', port: 5061 });
  assert.deepEqual(responseTarget(parseVia('SIP/2.0/UDP h.example:5070;received=192.0.2.9')!), { host: '192.0.2.9', port: 5070 });
  assert.deepEqual(responseTarget(parseVia('SIP/2.0/UDP h.example:5070;maddr=224.0.1.75;rport=1')!), { host: '224.0.1.75', port: 5070 });
  assert.deepEqual(responseTarget(parseVia('SIP/2.0/UDP h;received=[2001:db8::2];rport=7000')!), { host: '2001:db8::2', port: 7000 });
});

test('RFC 3261 20.10, 20.20, 20.39: name-addr with display names, URI and header parameters', () => {
  const m = parsedRequest(base);
  assert.equal(fromAddr(m)?.displayName, 'Bob');
  assert.equal(fromAddr(m)?.tag, '456248');
  assert.equal(toAddr(m)?.tag, undefined);
  const na = nameAddr('"A \\"quoted\\" name\\\\" <sip:a@b.example;transport=tcp>;tag=x1;foo="bar baz";flag');
  assert.ok(na);
  assert.equal(na.displayName, 'A "quoted" name\\');
  assert.equal(na.uriText, 'sip:a@b.example;transport=tcp');
  assert.ok(na.uri.kind === 'sip' && na.uri.params.get('transport') === 'tcp');
  assert.equal(na.tag, 'x1');
  assert.equal(na.params.get('foo'), '"bar baz"');
  assert.equal(na.params.get('flag'), null);
  assert.equal(formatNameAddr(na), '"A \\"quoted\\" name\\\\" <sip:a@b.example;transport=tcp>;tag=x1;foo="bar baz";flag');
  const tokens = nameAddr('Mr.  J.\tUser <sip:j@x>');
  assert.equal(tokens?.displayName, 'Mr. J. User');
  assert.equal(nameAddr('<sip:j@x>')?.displayName, undefined);
  assert.equal(nameAddr('""<sip:j@x>')?.displayName, '');
  const tel = nameAddr('<tel:+1-201-555-0123>;tag=3');
  assert.equal(tel?.uri.kind, 'tel');
});

test('RFC 3261 20.10: in the addr-spec form, parameters after the URI are header parameters', () => {
  const bare = nameAddr('sip:+12125551212@server.phone2net.com;tag=887s');
  assert.ok(bare?.uri.kind === 'sip');
  assert.equal(bare.tag, '887s');
  assert.equal(bare.uri.params.size, 0);
  const userPhone = nameAddr('sip:+16505552222@ss1.example.net;user=phone');
  assert.ok(userPhone?.uri.kind === 'sip' && userPhone.uri.params.size === 0);
  assert.equal(userPhone.params.get('user'), 'phone');
  const bracketed = nameAddr('<sip:+16505552222@ss1.example.net;user=phone>');
  assert.ok(bracketed?.uri.kind === 'sip' && bracketed.uri.params.get('user') === 'phone');
  assert.equal(nameAddr('sip:vivekg@chair-dnrc.example.com ;   tag    = 1918181833n')?.tag, '1918181833n');
});

test('RFC 4475 3.1.2.6, 3.1.2.14, 3.1.2.15: malformed name-addrs are refused', () => {
  for (const bad of [
    '"Mr. J. User <sip:j.user@example.com>',
    '"Watson, Thomas" < sip:t.watson@example.org >',
    'Bell, Alexander <sip:a.g.bell@example.com>;tag=43',
    '<sip:a@b',
    '<>',
    '',
    'Bob',
    '"Bob" sip:a@b',
    '<sip:a@b>;tag',
    '<sip:a@b>;tag=a"b',
    '<sip:a@b>;;',
    '<sip:a@b> junk',
    '<sip:a@b>;tag=1;tag=2',
  ]) {
    assert.equal(nameAddr(bad), undefined, JSON.stringify(bad));
  }
});

test('withNameAddrParam sets a To tag; formatNameAddr quotes display names', () => {
  assert.equal(withNameAddrParam('Bob <sip:bob@biloxi.com>', 'tag', 'a6c85cf'), '"Bob" <sip:bob@biloxi.com>;tag=a6c85cf');
  assert.equal(withNameAddrParam('sip:bob@biloxi.com', 'tag', 'x'), '<sip:bob@biloxi.com>;tag=x');
  assert.equal(withNameAddrParam('<sip:bob@biloxi.com>;tag=old', 'tag', undefined), '<sip:bob@biloxi.com>');
  assert.equal(withNameAddrParam('garbage <', 'tag', 'x'), undefined);
  assert.equal(formatNameAddr({ displayName: 'a"b\r\nc', uri: 'sip:x@y' }), '"a\\"bc" <sip:x@y>');
});

test('RFC 3261 20.10, 10.2.2: Contact lists, expires and q; the * wildcard', () => {
  const m = parsedRequest(base);
  const list = contacts(m);
  assert.ok(list !== '*' && list?.length === 2);
  assert.equal(list[0]!.expires, 7200);
  assert.equal(list[1]!.displayName, 'Bob, mobile');
  assert.equal(list[1]!.q, 0.7);
  assert.ok(list[1]!.uri.kind === 'sip' && list[1]!.uri.params.get('transport') === 'tcp');
  assert.equal(contacts(setHeader(m, 'Contact', '*')), '*');
  assert.deepEqual(contacts(removeHeader(m, 'Contact')), []);
  assert.equal(contacts(setHeader(m, 'Contact', '<sip:a@b>;;')), undefined);
  assert.equal(parseContact('<sip:a@b>;expires=280297596632815')?.expires, undefined, 'RFC 4475 3.1.2.4: out of range');
  assert.equal(parseContact('<sip:a@b>;expires=0')?.expires, 0);
  assert.equal(parseContact('<sip:a@b>;q=1.5')?.q, undefined);
  assert.equal(parseContact('<sip:a@b>;q=0')?.q, 0);
});

test('RFC 3261 20.16, 20.22, 20.8, 20.19: CSeq, Max-Forwards, Call-ID, Expires', () => {
  const m = parsedRequest(base);
  assert.deepEqual(cseq(m), { seq: 1826, method: 'REGISTER' });
  assert.equal(maxForwards(m), 70);
  assert.equal(callId(m), '843817637684230@998sdasdh09');
  assert.equal(expires(m), 3600);
  assert.deepEqual(parseCSeq(' 0009 \t INVITE '), { seq: 9, method: 'INVITE' });
  assert.equal(parseCSeq('1 INVITE x'), undefined);
  assert.equal(parseCSeq('-1 INVITE'), undefined);
  assert.equal(parseCSeq('1 INV"ITE'), undefined);
  assert.equal(maxForwards(addHeader(m, 'Max-Forwards', '70')), undefined, 'repeated single headers read as malformed');
  assert.equal(expires(setHeader(m, 'Expires', '1'.repeat(30))), undefined);
  assert.deepEqual(optionTags(m, 'Supported'), ['path', 'outbound']);
  assert.deepEqual(
    routeSet(m)?.map((r) => formatUri(r.uri)),
    ['sip:p1.example.com;lr', 'sip:p2.example.com;lr'],
  );
  assert.deepEqual(routeSet(m, 'Record-Route'), []);
});

test('header editing returns new messages: set, add at top or bottom, remove, remove top Via', () => {
  const m = parsedRequest(base);
  const pushed = addHeader(m, 'Via', 'SIP/2.0/UDP proxy.example;branch=z9hG4bKp', 'top');
  assert.equal(topVia(pushed)?.host, 'proxy.example');
  assert.equal(via(pushed)?.length, 3);
  assert.equal(pushed.headers.entries()[0]![0], 'Via');
  assert.equal(via(m)?.length, 2, 'the original is unchanged');
  assert.equal(topVia(removeTopVia(pushed))?.host, 'bobspc.biloxi.com');
  const rr = addHeader(m, 'Record-Route', '<sip:p.example;lr>', 'top');
  assert.equal(rr.headers.entries()[0]![0], 'Record-Route', 'no existing value: first of all headers');
  const bottom = addHeader(m, 'x-custom', 'a, b');
  assert.deepEqual(bottom.headers.entries().at(-1), ['x-custom', 'a, b']);
  const set = setHeader(m, 'v', ['SIP/2.0/UDP a;branch=z9hG4bK1, SIP/2.0/UDP b;branch=z9hG4bK2']);
  assert.deepEqual(via(set)?.map((v) => v.host), ['a', 'b']);
  assert.equal(set.headers.entries()[0]![0], 'Via', 'set keeps the position of the first value');
  const added = setHeader(m, 'Subject', 'hello');
  assert.equal(added.headers.get('subject'), 'hello');
  assert.equal(removeHeader(m, 'ROUTE').headers.has('Route'), false);
  const r = response(200, 'OK', [['Via', 'SIP/2.0/UDP a;branch=z9hG4bK1']]);
  assert.equal(setHeader(r, 'To', '<sip:x@y>;tag=1').kind, 'response');
});

test('RFC 3261 19.3, 8.1.1.4: tags and Call-IDs are random, unique and token-safe', () => {
  const tags = new Set(Array.from({ length: 1000 }, generateTag));
  assert.equal(tags.size, 1000);
  for (const t of tags) assert.match(t, /^[0-9a-f]{16}$/);
  const ids = new Set(Array.from({ length: 1000 }, () => generateCallId()));
  assert.equal(ids.size, 1000);
  assert.match(generateCallId('pc33.atlanta.com'), /^[A-Za-z0-9_-]{22}@pc33\.atlanta\.com$/);
  const branches = new Set(Array.from({ length: 1000 }, generateBranch));
  assert.equal(branches.size, 1000);
  const m = request('OPTIONS', 'sip:a@b', [['Call-ID', generateCallId()]]);
  assert.ok(callId(m));
});

test('never throws: accessors on hostile values', () => {
  let s = 99;
  const rand = (): number => {
    s = (s * 1103515245 + 12345) >>> 0;
    return s / 0x100000000;
  };
  const alphabet = 'SIP/2.0UDP sip:a@b.c<>";,=\\\t\u0000\r\né[]:5060z9hG4bK*tag';
  for (let i = 0; i < 3000; i++) {
    let t = '';
    const n = Math.floor(rand() * 50);
    for (let j = 0; j < n; j++) t += alphabet[Math.floor(rand() * alphabet.length)];
    parseVia(t);
    nameAddr(t);
    parseContact(t);
    parseCSeq(t);
    withNameAddrParam(t, 'tag', 'x');
    const na = nameAddr(t);
    if (na) assert.ok(nameAddr(formatNameAddr(na)), `${JSON.stringify(t)} formats to a parseable name-addr`);
    const v = parseVia(t);
    if (v) assert.deepEqual(parseVia(formatVia(v))?.params, v.params);
  }
  assert.equal(parseVia(undefined as unknown as string), undefined);
  assert.equal(nameAddr(42 as unknown as string), undefined);
});
