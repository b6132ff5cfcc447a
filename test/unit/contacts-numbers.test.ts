/**
 * Address keys (src/contacts/numbers.ts): every way of writing one telephone number gives the same E.164 key
 * under the configured country and area code; SIP URIs compare as RFC 3261 19.1.4 says as far as one key can.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { addressKey, displayNumber, isTelephoneNumber, planProblem, type NumberPlan } from '../../src/contacts/index.js';

const berlin: NumberPlan = { country: 'DE', areaCode: '30' };
const noArea: NumberPlan = { country: 'DE' };
const newYork: NumberPlan = { country: 'US', areaCode: '212' };

function sameKey(plan: NumberPlan, key: string, forms: readonly string[]): void {
  for (const form of forms) assert.equal(addressKey(form, plan), key, form);
}

test('issue 12: 030 1234567, +49301234567, 0049 30 1234567 and sip:+49301234567@provider.example are one number', () => {
  sameKey(berlin, '+49301234567', [
    '030 1234567',
    '+49301234567',
    '0049 30 1234567',
    'sip:+49301234567@provider.example',
    // The subscriber number alone: behind the plan's area code.
    '1234567',
    '123 45 67',
    '+49 (30) 123-4567',
    '+49 (0)30 1234567',
    '+49 30 1234567',
    '030/1234567',
    '030-123 45 67',
    '(030) 1234567',
    '030.123.4567',
    '0301234567',
    '\u00a0030\u00a01234567 ',
    // RFC 3966 tel: URIs, global and local (phone-context a global number prefix, or a domain: the plan reads it).
    'tel:+49-30-1234567',
    'TEL:+49.30.1234567',
    'tel:1234567;phone-context=+4930',
    'tel:1234567;phone-context=provider.example',
    'tel:+49301234567;ext=22',
    // SIP and SIPS URIs whose user part is the number: user=phone, or a user part that is written like one.
    'sip:+49301234567@provider.example;user=phone',
    'sip:1234567;phone-context=+4930@provider.example;user=phone',
    'sip:0301234567@sipgate.example',
    'sips:+49-30-1234567@provider.example:5061;transport=tls',
    'sip:%2B49301234567@provider.example',
    '"Anna" <sip:+49301234567@provider.example>',
    '<tel:+49301234567>',
  ]);
  // Without an area code the subscriber number alone is a (short, unassigned) national number, not Berlin's.
  assert.notEqual(addressKey('1234567', noArea), '+49301234567');
  sameKey(noArea, '+49301234567', ['030 1234567', '+49301234567', '0049 30 1234567']);
});

test('numbers: mobile, other countries, the NANP written without its trunk prefix, international prefixes', () => {
  sameKey(berlin, '+491701234567', ['0170 1234567', '0170/123 45 67', '+49 170 1234567', '0049 (0) 170 1234567']);
  sameKey(berlin, '+442079460958', ['+44 20 7946 0958', '0044 20 7946 0958', '+44 (0)20 7946 0958', 'tel:+44-20-7946-0958']);
  sameKey(berlin, '+33142685300', ['+33 1 42 68 53 00', '0033 1 42 68 53 00']);
  sameKey(newYork, '+12125551234', ['2125551234', '(212) 555-1234', '212-555-1234', '1 212 555 1234', '+1 212 555 1234', '555-1234', '5551234']);
  sameKey(newYork, '+49301234567', ['011 49 30 1234567', '+49 30 1234567']);
  // Another country's trunk prefix means nothing in the plan's country: 0044… from the US is not a UK number.
  assert.notEqual(addressKey('0044 20 7946 0958', newYork), '+442079460958');
});

test('numbers: service codes, extensions, letters and nonsense match nothing', () => {
  for (const value of ['110', '112', '21', '**610', '#31#', '', '   ', 'hello', '+', '+0', 'abc 123', '030 1234567 oder so', '1'.repeat(20), 'mailto:anna@example.com', 'http://example.com']) {
    assert.equal(addressKey(value, berlin), undefined, value);
  }
  // Dialable all the same: desk phones' phonebooks list them.
  assert.ok(isTelephoneNumber('**610', berlin));
  assert.ok(isTelephoneNumber('110', berlin));
  assert.ok(isTelephoneNumber('030 1234567', berlin));
  assert.ok(isTelephoneNumber('sip:+49301234567@provider.example', berlin));
  assert.ok(!isTelephoneNumber('sip:anna@example.com', berlin));
  assert.ok(!isTelephoneNumber('hello', berlin));
  // A SIP user part that is an internal extension stays a SIP URI.
  assert.equal(addressKey('sip:21@fritz.box', berlin), 'sip:21@fritz.box');
});

test('RFC 3261 19.1.4: scheme, userinfo case and escapes, host case, ports and parameters', () => {
  const key = (v: string): string | undefined => addressKey(v, berlin);
  const same = (a: string, b: string): void => assert.equal(key(a), key(b), `${a} = ${b}`);
  const differ = (a: string, b: string): void => assert.notEqual(key(a), key(b), `${a} ≠ ${b}`);
  // 19.1.4's own examples of equivalent URIs.
  same('sip:%61lice@atlanta.com;transport=TCP', 'sip:alice@AtLanTa.CoM;Transport=tcp');
  same('sip:carol@chicago.com', 'sip:carol@chicago.com;newparam=5');
  same('sip:carol@chicago.com;security=on', 'sip:carol@chicago.com;newparam=5');
  same('sip:biloxi.com;transport=tcp;method=REGISTER?to=sip:bob%40biloxi.com', 'sip:biloxi.com;method=REGISTER;transport=tcp?to=sip:bob%40biloxi.com');
  same('sip:alice@atlanta.com?subject=project%20x&priority=urgent', 'sip:alice@atlanta.com?priority=urgent&subject=project%20x');
  // …and of non-equivalent ones.
  differ('SIP:ALICE@AtLanTa.CoM;Transport=udp', 'sip:alice@AtLanTa.CoM;Transport=UDP');
  differ('sip:bob@biloxi.com', 'sip:bob@biloxi.com:5060');
  differ('sip:bob@biloxi.com', 'sip:bob@biloxi.com;transport=udp'); // a single key cannot ignore transport in one URI only
  differ('sip:bob@biloxi.com:6000;transport=tcp', 'sip:bob@biloxi.com:6000');
  differ('sip:carol@chicago.com', 'sip:carol@chicago.com?Subject=next%20meeting');
  differ('sip:bob@phone21.boxesbybob.com', 'sip:bob@192.0.2.4');
  differ('sip:alice@atlanta.com', 'sips:alice@atlanta.com');
  differ('sip:alice@atlanta.com', 'sip:alice@atlanta.com;maddr=239.255.255.1');
  differ('sip:alice@atlanta.com', 'sip:alice@atlanta.com;ttl=15');
  differ('sip:alice@atlanta.com', 'sip:alice@atlanta.com;method=INVITE');
  differ('sip:alice@atlanta.com', 'sip:alice:secret@atlanta.com');
  // Escapes: of an unreserved character the same, of a reserved one not; hex case and literal non-ASCII alike.
  same('sip:%41lice@atlanta.com', 'sip:Alice@atlanta.com');
  differ('sip:alice@atlanta.com', 'sip:Alice@atlanta.com');
  differ('sip:a%2Bb@atlanta.com', 'sip:a+b@atlanta.com');
  same('sip:a%2bb@atlanta.com', 'sip:a%2Bb@atlanta.com');
  same('sip:j%C3%BCrgen@example.de', 'sip:jürgen@example.de');
  same('sip:j%c3%bcrgen@example.de', 'sip:jürgen@example.de');
  // Parameter order, case of names and values; parameters 19.1.4 ignores are dropped; lr is one of them.
  same('sip:alice@atlanta.com;ttl=15;maddr=239.255.255.1', 'sip:alice@atlanta.com;MADDR=239.255.255.1;TTL=15;lr');
  same('<sip:alice@atlanta.com;lr>', 'sip:alice@atlanta.com');
  same('"Alice <Office>" <sip:alice@atlanta.com>', 'sip:alice@atlanta.com');
  same('sip:alice@[2001:DB8::1]:5061', 'sip:alice@[2001:db8::1]:5061');
  assert.equal(key('sip:%61lice@AtLanTa.CoM:5070;Transport=TCP;lr;user=ip'), 'sip:alice@atlanta.com:5070;transport=tcp;user=ip');
  assert.equal(key('sip:atlanta.com'), 'sip:atlanta.com');
});

test('SIP URIs: malformed ones match nothing', () => {
  for (const value of ['sip:', 'sip:@atlanta.com', 'sip:alice@', 'sip:alice@atlanta.com:0', 'sip:alice@atlanta.com:70000', 'sip:al ice@atlanta.com', 'sip:alice@atla_nta.com', 'sip:alice@atlanta.com;=x', 'sip:alice@atlanta.com?novalue', 'sip:<alice>@atlanta.com']) {
    assert.equal(addressKey(value, berlin), undefined, value);
  }
});

test('displayNumber: national for the plan country, international otherwise, anything else as written', () => {
  assert.equal(displayNumber('+49301234567', berlin), '030 1234567');
  assert.equal(displayNumber('1234567', berlin), '030 1234567');
  assert.equal(displayNumber('sip:+491701234567@provider.example', berlin), '0170 1234567');
  assert.equal(displayNumber('0044 20 7946 0958', berlin), '+44 20 7946 0958');
  assert.equal(displayNumber('+12125551234', newYork), '(212) 555-1234');
  assert.equal(displayNumber(' sip:alice@atlanta.com ', berlin), 'sip:alice@atlanta.com');
  assert.equal(displayNumber('**610', berlin), '**610');
});

test('number plans: the country must be known and the area code digits', () => {
  assert.equal(planProblem(berlin), undefined);
  assert.equal(planProblem({ country: 'de' }), undefined);
  assert.match(planProblem({ country: 'XX' }) ?? '', /unknown country/);
  assert.match(planProblem({ country: 'DE', areaCode: '030a' }) ?? '', /area code/);
});
