/** SIP, SIPS (RFC 3261 19.1) and TEL (RFC 3966) URIs: parse, format, compare. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  aorKey,
  formatUri,
  parseSipUri,
  parseUri,
  sipUri,
  uriEquals,
  uriTextEquals,
  type SipUri,
} from '../../src/sip/message/uri.js';

function sip(text: string): SipUri {
  const uri = parseSipUri(text);
  assert.ok(uri, `${text} parses`);
  return uri;
}

test('RFC 3261 19.1.1: all components of a SIP URI', () => {
  const u = sip('sip:alice:secretword@atlanta.com:5061;transport=tcp;lr;maddr=239.255.255.1?subject=project%20x&priority=urgent');
  assert.equal(u.scheme, 'sip');
  assert.equal(u.user, 'alice');
  assert.equal(u.password, 'secretword');
  assert.equal(u.host, 'atlanta.com');
  assert.equal(u.port, 5061);
  assert.deepEqual([...u.params], [
    ['transport', 'tcp'],
    ['lr', null],
    ['maddr', '239.255.255.1'],
  ]);
  assert.deepEqual(u.headers, [
    ['subject', 'project x'],
    ['priority', 'urgent'],
  ]);
});

test('RFC 3261 19.1.3: the example URIs parse', () => {
  for (const text of [
    'sip:alice@atlanta.com',
    'sip:alice:secretword@atlanta.com;transport=tcp',
    'sips:alice@atlanta.com?subject=project%20x&priority=urgent',
    'sip:+1-212-555-1212:1234@gateway.com;user=phone',
    'sips:1212@gateway.com',
    'sip:alice@192.0.2.4',
    'sip:atlanta.com;method=REGISTER?to=alice%40atlanta.com',
    'sip:alice;day=tuesday@atlanta.com',
  ]) {
    sip(text);
  }
  const phone = sip('sip:+1-212-555-1212:1234@gateway.com;user=phone');
  assert.equal(phone.user, '+1-212-555-1212');
  assert.equal(phone.password, '1234');
  assert.equal(phone.params.get('user'), 'phone');
  assert.equal(sip('sip:alice;day=tuesday@atlanta.com').user, 'alice;day=tuesday');
  assert.equal(sip('sip:atlanta.com;method=REGISTER?to=alice%40atlanta.com').headers[0]?.[1], 'alice@atlanta.com');
  assert.equal(sip('sips:1212@gateway.com').scheme, 'sips');
});

test('RFC 3261 25.1: hosts are names, IPv4 or bracketed IPv6, with optional port', () => {
  const v6 = sip('sip:bob@[2001:db8::10]:5070;transport=udp');
  assert.equal(v6.host, '2001:db8::10');
  assert.equal(v6.port, 5070);
  assert.equal(sip('sip:[::1]').host, '::1');
  assert.equal(sip('SIP:Bob@Biloxi.COM.').host, 'Biloxi.COM.');
  assert.equal(formatUri(v6), 'sip:bob@[2001:db8::10]:5070;transport=udp');
  for (const bad of [
    'sip:bob@2001:db8::10',
    'sip:bob@[2001:db8::10',
    'sip:bob@[not-v6]',
    'sip:bob@999.1.1.1',
    'sip:bob@-bad.example.com',
    'sip:bob@example.com:70000',
    'sip:bob@example.com:',
    'sip:bob@example.com:5x',
    'sip:bob@',
    'sip:@example.com',
    'sip:',
    'sip:bob@exa mple.com',
    'sip:bob@exa\nmple.com',
    'sip:bob@example.com;lr;lr',
    'sip:bob@example.com;=x',
    'sip:bob@example.com;a=',
    'sip:bob@example.com?x',
    'sip:bob@example.com;a=<b>',
    'sip:b%zzob@example.com',
    'sip:bö@example.com',
    '<sip:bob@example.com>',
    'bob@example.com',
    ':bob',
    '',
  ]) {
    assert.equal(parseUri(bad), undefined, JSON.stringify(bad));
  }
});

test('RFC 3261 19.1.2: escaped characters are unescaped once (RFC 4475 3.1.1.3, 3.1.1.4, 3.1.1.9)', () => {
  assert.equal(sip('sip:sips%3Auser%40example.com@example.net').user, 'sips:user@example.com');
  assert.equal(sip('sip:%75se%72@example.com').user, 'user');
  assert.equal(sip('sip:I%20have%20spaces@example.net').user, 'I have spaces');
  const c = sip('sip:cal%6Cer@host5.example.net;%6C%72;n%61me=v%61lue%25%34%31');
  assert.equal(c.params.get('name'), 'value%41');
  assert.ok(c.params.has('lr'));
  assert.equal(sip('sip:null-%00-null@example.com').user, 'null-\0-null');
  assert.notEqual(sip('sip:%00@h').user, sip('sip:%00%00@h').user);
  assert.equal(sip('sip:user;par=u%40example.net@example.com').user, 'user;par=u@example.net');
  const weird = sip("sip:1_unusual.URI~(to-be!sure)&isn't+it$/crazy?,/;;*:&it+has=1,weird!*pas$wo~d_too.(doesn't-it)@example.com");
  assert.equal(weird.user, "1_unusual.URI~(to-be!sure)&isn't+it$/crazy?,/;;*");
  assert.equal(weird.password, "&it+has=1,weird!*pas$wo~d_too.(doesn't-it)");
  assert.deepEqual(sip('sip:user@example.com?Route=%3Csip:example.com%3E').headers, [['Route', '<sip:example.com>']]);
});

test('RFC 3261 25.1: formatting escapes what the grammar does not allow, and re-parses to the same URI', () => {
  const u = sipUri({ user: 'I have spaces@home', password: 'p:w', host: 'example.net', params: [['x', 'a b']], headers: [['Subject', 'hi there&more']] });
  const text = formatUri(u);
  assert.equal(text, 'sip:I%20have%20spaces%40home:p%3Aw@example.net;x=a%20b?Subject=hi%20there%26more');
  assert.deepEqual(parseUri(text), u);
  for (const t of [
    'sip:alice@atlanta.com',
    'sips:alice@atlanta.com:5061;transport=tls',
    'sip:+1-212-555-1212:1234@gateway.com;user=phone',
    'sip:user;par=u%40example.net@example.com',
    'sip:null-%00-null@example.com',
    'sip:[2001:db8::1];lr',
    'tel:+1-201-555-0123;ext=1234',
    'urn:service:sos',
  ]) {
    const parsed = parseUri(t);
    assert.ok(parsed, t);
    assert.deepEqual(parseUri(formatUri(parsed)), parsed, t);
  }
  assert.equal(formatUri(sip('sip:%75se%72@example.com')), 'sip:user@example.com');
  assert.equal(formatUri(sipUri({ host: '[::1]', port: 5060 })), 'sip:[::1]:5060');
});

test('RFC 3966 3: TEL URIs, global and local numbers', () => {
  const g = parseUri('tel:+1-201-555-0123;ext=1234');
  assert.deepEqual(g, { kind: 'tel', scheme: 'tel', number: '+1-201-555-0123', params: new Map([['ext', '1234']]) });
  const l = parseUri('tel:7042;phone-context=example.com');
  assert.ok(l?.kind === 'tel' && l.number === '7042' && l.params.get('phone-context') === 'example.com');
  assert.ok(parseUri('tel:863-1234;phone-context=+1-914-555'));
  assert.ok(parseUri('TEL:+49(0)30.1234'));
  assert.equal(parseUri('tel:7042'), undefined, 'a local number needs a phone-context');
  assert.equal(parseUri('tel:+'), undefined);
  assert.equal(parseUri('tel:+12a'), undefined);
  assert.equal(parseUri('tel:+1 234'), undefined);
});

test('RFC 3261 19.1.1: other schemes are kept opaque (RFC 4475 3.3.2, 3.3.4)', () => {
  assert.deepEqual(parseUri('isbn:2983792873'), { kind: 'other', scheme: 'isbn', opaque: '2983792873' });
  assert.deepEqual(parseUri('Soap.Beep://192.0.2.103:3002'), { kind: 'other', scheme: 'soap.beep', opaque: '//192.0.2.103:3002' });
  assert.equal(parseUri('http://x/<y>'), undefined);
  assert.equal(parseUri('1abc:x'), undefined);
  assert.equal(parseUri('name:'), undefined);
});

test('RFC 3261 19.1.4: the equivalent URI pairs compare equal', () => {
  for (const [a, b] of [
    ['sip:%61lice@atlanta.com;transport=TCP', 'sip:alice@AtLanTa.CoM;Transport=tcp'],
    ['sip:carol@chicago.com', 'sip:carol@chicago.com;newparam=5'],
    ['sip:carol@chicago.com', 'sip:carol@chicago.com;security=on'],
    ['sip:carol@chicago.com;newparam=5', 'sip:carol@chicago.com;security=on'],
    ['sip:biloxi.com;transport=tcp;method=REGISTER?to=sip:bob%40biloxi.com', 'sip:biloxi.com;method=REGISTER;transport=tcp?to=sip:bob%40biloxi.com'],
    ['sip:alice@atlanta.com?subject=project%20x&priority=urgent', 'sip:alice@atlanta.com?priority=urgent&subject=project%20x'],
  ] as const) {
    assert.ok(uriTextEquals(a, b), `${a} == ${b}`);
    assert.ok(uriTextEquals(b, a), `${b} == ${a}`);
  }
});

test('RFC 3261 19.1.4: the non-equivalent URI pairs compare unequal', () => {
  for (const [a, b] of [
    ['SIP:ALICE@AtLanTa.CoM;Transport=udp', 'sip:alice@AtLanTa.CoM;Transport=UDP'],
    ['sip:bob@biloxi.com', 'sip:bob@biloxi.com:5060'],
    ['sip:bob@biloxi.com', 'sip:bob@biloxi.com;transport=udp'],
    ['sip:bob@biloxi.com', 'sip:bob@biloxi.com:6000;transport=tcp'],
    ['sip:carol@chicago.com', 'sip:carol@chicago.com?Subject=next%20meeting'],
    ['sip:bob@phone21.boxesbybob.com', 'sip:bob@192.0.2.4'],
    ['sip:carol@chicago.com;security=on', 'sip:carol@chicago.com;security=off'],
    ['sip:alice@atlanta.com', 'sips:alice@atlanta.com'],
    ['sip:alice:pw@atlanta.com', 'sip:alice@atlanta.com'],
    ['sip:alice@atlanta.com;user=phone', 'sip:alice@atlanta.com'],
    ['sip:alice@atlanta.com', 'tel:+1234'],
    ['sip:alice@atlanta.com', 'not a uri'],
  ] as const) {
    assert.ok(!uriTextEquals(a, b), `${a} != ${b}`);
    assert.ok(!uriTextEquals(b, a), `${b} != ${a}`);
  }
});

test('RFC 3966 4: TEL comparison ignores visual separators and parameter order', () => {
  assert.ok(uriTextEquals('tel:+1-201-555-0123', 'tel:+1(201)5550123'));
  assert.ok(uriTextEquals('tel:7042;phone-context=example.com', 'tel:7042;phone-context=EXAMPLE.com'));
  assert.ok(uriTextEquals('tel:+1234;ext=1;isub=2', 'tel:+1234;isub=2;ext=1'));
  assert.ok(!uriTextEquals('tel:+1234', 'tel:1234;phone-context=example.com'));
  assert.ok(!uriTextEquals('tel:+1234;ext=1', 'tel:+1234'));
  assert.ok(!uriTextEquals('tel:7042;phone-context=example.com', 'tel:7042;phone-context=example.org'));
});

test('RFC 3261 10.3: address-of-record keys drop parameters, resolve escapes and lower-case the host', () => {
  const key = (t: string): string => aorKey(parseUri(t)!);
  assert.equal(key('sip:%61lice@AtLanta.COM;transport=tcp?x=y'), 'sip:alice@atlanta.com');
  assert.equal(key('sip:alice@atlanta.com:5060'), 'sip:alice@atlanta.com:5060');
  assert.equal(key('sips:bob@[2001:DB8::1]'), 'sips:bob@[2001:db8::1]');
  assert.notEqual(key('sip:Alice@atlanta.com'), key('sip:alice@atlanta.com'), 'user parts are case-sensitive');
  assert.equal(key('tel:+1-201-555-0123'), key('tel:+12015550123'));
  assert.ok(uriEquals(parseUri('sip:a@b')!, parseUri('sip:a@B')!));
});

test('never throws: random and hostile strings', () => {
  let s = 7;
  const rand = (): number => {
    s = (s * 1103515245 + 12345) >>> 0;
    return s / 0x100000000;
  };
  const alphabet = 'sip:tel@[]%;=?&,.:0123456789abcdefABCDEF-_!~*\'()+$/ \t\r\n<>"\\\u00e9\u0000';
  for (let i = 0; i < 3000; i++) {
    let t = rand() < 0.5 ? 'sip:' : '';
    const n = Math.floor(rand() * 40);
    for (let j = 0; j < n; j++) t += alphabet[Math.floor(rand() * alphabet.length)];
    const u = parseUri(t);
    if (u) {
      assert.deepEqual(parseUri(formatUri(u)), u, t);
      aorKey(u);
      uriEquals(u, u);
    }
  }
  assert.equal(parseUri(undefined as unknown as string), undefined);
  assert.equal(parseUri(`sip:${'a'.repeat(100000)}@${'b.'.repeat(5000)}com`), undefined);
});
