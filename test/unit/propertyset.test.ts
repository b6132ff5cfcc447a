/** The GENA event body (UDA 1.0 section 4.2.1). */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { buildPropertySet, eventNs, parsePropertySet } from '../../src/upnp/gena/propertyset.js';
import type { WireArgs } from '../../src/upnp/soap/envelope.js';

test('UDA 1.0 4.2.1: the event namespace is urn:schemas-upnp-org:event-1-0', () => {
  assert.equal(eventNs, 'urn:schemas-upnp-org:event-1-0');
});

test('UDA 1.0 4.2.1: buildPropertySet writes one e:property per variable inside e:propertyset', () => {
  const xml = buildPropertySet([
    ['Status', '1'],
    ['LastText', 'hi'],
  ]);
  assert.equal(
    xml,
    '<?xml version="1.0" encoding="utf-8"?>\r\n' +
      '<e:propertyset xmlns:e="urn:schemas-upnp-org:event-1-0">' +
      '<e:property><Status>1</Status></e:property>' +
      '<e:property><LastText>hi</LastText></e:property>' +
      '</e:propertyset>\r\n',
  );
});

test('UDA 1.0 4.2.1: a property set round trips, in order', () => {
  const vars: WireArgs = [
    ['Status', '0'],
    ['Empty', ''],
    ['LastText', 'a & b < c > d " e \' f'],
  ];
  const parsed = parsePropertySet(buildPropertySet(vars));
  assert.ok(parsed.ok);
  assert.deepEqual(parsed.value, vars);
});

test('UDA 1.0 4.2.1: an XML fragment value is escaped once and comes back identical, CR characters included', () => {
  const callInfo = '<CallInfo xmlns="urn:x"><a>1</a></CallInfo>';
  const sdp = 'v=0\r\no=- 1 1 IN IP4 127.0.0.1\r\n';
  const xml = buildPropertySet([
    ['CallInfo', callInfo],
    ['SDP', sdp],
  ]);
  assert.ok(xml.includes('&lt;CallInfo xmlns=&quot;urn:x&quot;&gt;'), xml);
  assert.ok(!xml.includes('&amp;lt;'), 'not escaped twice');
  const parsed = parsePropertySet(xml);
  assert.ok(parsed.ok);
  assert.deepEqual(parsed.value, [
    ['CallInfo', callInfo],
    ['SDP', sdp],
  ]);
});

test('UDA 1.0 4.2.1: unescaped XML inside a variable element reads as the markup text', () => {
  const parsed = parsePropertySet(
    `<e:propertyset xmlns:e="${eventNs}"><e:property><CallInfo><CallInfo xmlns="urn:x"><a>1</a></CallInfo></CallInfo></e:property></e:propertyset>`,
  );
  assert.ok(parsed.ok);
  assert.deepEqual(parsed.value, [['CallInfo', '<CallInfo xmlns="urn:x"><a>1</a></CallInfo>']]);
});

test('UDA 1.0 4.2.1: several variables in one e:property, foreign children and a stray namespace space are tolerated', () => {
  const parsed = parsePropertySet(
    `<e:propertyset xmlns:e="${eventNs} "><e:property><A>1</A><B>2</B></e:property><other/><e:property><C>3</C></e:property></e:propertyset>`,
  );
  assert.ok(parsed.ok);
  assert.deepEqual(parsed.value, [
    ['A', '1'],
    ['B', '2'],
    ['C', '3'],
  ]);
});

test('UDA 1.0 4.2.1: an empty property set parses to no variables', () => {
  const parsed = parsePropertySet(buildPropertySet([]));
  assert.ok(parsed.ok);
  assert.deepEqual(parsed.value, []);
});

test('UDA 1.0 4.2.1: documents that are not a propertyset in the event namespace are refused', () => {
  assert.equal(parsePropertySet('<propertyset><property><A>1</A></property></propertyset>').ok, false, 'no namespace');
  assert.equal(parsePropertySet('<e:propertyset xmlns:e="urn:other"/>').ok, false, 'other namespace');
  assert.equal(parsePropertySet(`<e:other xmlns:e="${eventNs}"/>`).ok, false, 'other root');
  assert.equal(parsePropertySet('<e:propertyset').ok, false, 'malformed');
  assert.equal(
    parsePropertySet(`<!DOCTYPE e [<!ENTITY x "y">]><e:propertyset xmlns:e="${eventNs}"><e:property><A>&x;</A></e:property></e:propertyset>`).ok,
    false,
    'DTD',
  );
});
