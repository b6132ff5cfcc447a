/** The one XML entry point for untrusted text: no DTDs, no entities, a size limit, well-formed only. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { defaultMaxXmlBytes, elementValue, escapeXml, parseXml, textElement } from '../../src/upnp/xml/safe-xml.js';

function refusedWithReason(text: string, maxBytes?: number): string {
  const r = maxBytes === undefined ? parseXml(text) : parseXml(text, maxBytes);
  assert.equal(r.ok, false, `should be refused: ${text.slice(0, 80)}`);
  assert.ok(!r.ok && typeof r.reason === 'string' && r.reason.length > 0, 'a refusal carries a reason');
  return r.ok ? '' : r.reason;
}

test('UDA 1.0 2 / 3.2 (SOAP forbids DTDs): a document with a DOCTYPE is refused', () => {
  const reason = refusedWithReason('<!DOCTYPE root SYSTEM "http://127.0.0.1:1/x.dtd"><root/>');
  assert.match(reason, /DTD|entit/i);
  refusedWithReason('<?xml version="1.0"?>\n<!doctype root><root/>');
});

test('XXE: an external entity declaration is refused', () => {
  refusedWithReason('<?xml version="1.0"?><!DOCTYPE r [<!ENTITY xxe SYSTEM "file:///etc/passwd">]><r>&xxe;</r>');
  // An ENTITY declaration without a DOCTYPE is not XML anyway, but the reason names the entity.
  assert.match(refusedWithReason('<!ENTITY x "y"><r/>'), /DTD|entit/i);
});

test('billion laughs: nested entity expansion is refused before parsing', () => {
  const lol =
    '<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol">' +
    Array.from({ length: 9 }, (_, i) => `<!ENTITY lol${i + 1} "${`&lol${i === 0 ? '' : i};`.repeat(10)}">`).join('') +
    ']><lolz>&lol9;</lolz>';
  const started = Date.now();
  assert.match(refusedWithReason(lol), /DTD|entit/i);
  assert.ok(Date.now() - started < 1000, 'refused quickly, without expanding');
});

test('a document over the size limit is refused (default limit and an explicit one)', () => {
  assert.equal(defaultMaxXmlBytes, 1024 * 1024);
  const big = `<r>${'a'.repeat(defaultMaxXmlBytes)}</r>`;
  assert.match(refusedWithReason(big), /larger/);
  assert.match(refusedWithReason('<r>0123456789</r>', 10), /larger/);
  assert.ok(parseXml('<r>0123456789</r>', 17).ok, 'exactly at the limit is fine');
  // The limit counts UTF-8 bytes, not characters: 6 two-byte characters are 12 bytes.
  assert.equal(parseXml('<r>éééééé</r>', 18).ok, false);
  assert.ok(parseXml('<r>éééééé</r>', 19).ok);
});

test('malformed documents are refused with a reason', () => {
  for (const text of [
    '',
    'not xml',
    '<a><b></a>',
    '<a>',
    '<a></a><b/>',
    '<a x="1" x="2"/>',
    '<a>&undefined;</a>',
    '<a>&amp</a>',
    '<?xml version="1.0"?>',
  ]) {
    refusedWithReason(text);
  }
});

test('XML 1.0 2.2 (Legal Character): a character reference to a non-Char such as &#0; is refused', () => {
  refusedWithReason('<a>&#0;</a>');
  refusedWithReason('<a>&#x1;</a>');
});

test('numeric character references (decimal and hex) and the predefined entities are decoded', () => {
  const r = parseXml('<a>&#65;&#x42;&#x43;&#13;&#10;&#x1F600;&lt;&gt;&amp;&quot;&apos;</a>');
  assert.ok(r.ok, r.ok ? '' : r.reason);
  assert.equal(r.doc.documentElement!.textContent, 'ABC\r\n😀<>&"\'');
});

test('escapeXml escapes markup characters and keeps CR as &#13; so it survives parsing', () => {
  assert.equal(escapeXml(`<a href="x">&'\r\n</a>`), '&lt;a href=&quot;x&quot;&gt;&amp;&apos;&#13;\n&lt;/a&gt;');
  const text = 'v=0\r\no=- 1 1 IN IP4 127.0.0.1\r\n<&>"\'';
  const r = parseXml(textElement('X', text));
  assert.ok(r.ok);
  assert.equal(r.doc.documentElement!.textContent, text);
  assert.equal(elementValue(r.doc.documentElement!), text);
});

test('elementValue returns the text of a leaf and the markup of unescaped child elements', () => {
  const r = parseXml('<X><CallInfo xmlns="urn:x"><a>1</a></CallInfo></X>');
  assert.ok(r.ok);
  assert.equal(elementValue(r.doc.documentElement!), '<CallInfo xmlns="urn:x"><a>1</a></CallInfo>');
});
