/** SOAP 1.1 envelopes for UPnP control (UDA 1.0 section 3.2). */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  buildActionRequest,
  buildActionResponse,
  buildFault,
  parseActionOutcome,
  parseActionRequest,
  parseSoapAction,
  soapEncodingStyle,
  soapEnvelopeNs,
  upnpControlNs,
  type WireArgs,
} from '../../src/upnp/soap/envelope.js';

const switchPower = 'urn:schemas-upnp-org:service:SwitchPower:1';
const callInfo = '<CallInfo xmlns="urn:x"><a>1</a></CallInfo>';
const sdp = 'v=0\r\no=- 123 456 IN IP4 127.0.0.1\r\ns=-\r\nc=IN IP4 127.0.0.1\r\nt=0 0\r\nm=audio 4000 RTP/AVP 0\r\n';

function envelopeOf(inner: string, envNs = soapEnvelopeNs): string {
  return (
    '<?xml version="1.0"?>' +
    `<s:Envelope xmlns:s="${envNs}" s:encodingStyle="${soapEncodingStyle}"><s:Body>${inner}</s:Body></s:Envelope>`
  );
}

test('UDA 1.0 3.2.1: buildActionRequest writes an s:Envelope with s:encodingStyle and u:Action in the service namespace', () => {
  const xml = buildActionRequest({ serviceType: switchPower, action: 'SetTarget', args: [['newTargetValue', '1']] });
  assert.match(xml, /^<\?xml version="1\.0" encoding="utf-8"\?>/);
  assert.ok(
    xml.includes(`<s:Envelope xmlns:s="${soapEnvelopeNs}" s:encodingStyle="${soapEncodingStyle}"><s:Body>`),
    xml,
  );
  assert.ok(xml.includes(`<u:SetTarget xmlns:u="${switchPower}"><newTargetValue>1</newTargetValue></u:SetTarget>`), xml);
});

test('UDA 1.0 3.2.1: an action request round trips through parseActionRequest', () => {
  const args: WireArgs = [
    ['Text', 'hello'],
    ['Count', '3'],
    ['Mode', 'plain'],
    ['Empty', ''],
  ];
  const parsed = parseActionRequest(buildActionRequest({ serviceType: switchPower, action: 'Echo', args }));
  assert.ok(parsed.ok);
  assert.deepEqual(parsed.value, { serviceType: switchPower, action: 'Echo', args });
});

test('UDA 1.0 3.2.2: an action response round trips through parseActionOutcome', () => {
  const xml = buildActionResponse(switchPower, 'GetStatus', [['ResultStatus', '1']]);
  assert.ok(xml.includes(`<u:GetStatusResponse xmlns:u="${switchPower}"><ResultStatus>1</ResultStatus></u:GetStatusResponse>`), xml);
  const parsed = parseActionOutcome(xml);
  assert.ok(parsed.ok);
  assert.deepEqual(parsed.value, { kind: 'response', action: 'GetStatus', args: [['ResultStatus', '1']] });
});

test('UDA 1.0 3.2.2: a response without out arguments round trips', () => {
  const parsed = parseActionOutcome(buildActionResponse(switchPower, 'SetTarget', []));
  assert.ok(parsed.ok);
  assert.deepEqual(parsed.value, { kind: 'response', action: 'SetTarget', args: [] });
});

test('UDA 1.0 3.2.2: a UPnPError fault is s:Client / UPnPError with errorCode and errorDescription, and round trips', () => {
  const xml = buildFault(402, 'Invalid Args: <x> & "y"');
  assert.ok(
    xml.includes(
      '<s:Fault><faultcode>s:Client</faultcode><faultstring>UPnPError</faultstring><detail>' +
        `<UPnPError xmlns="${upnpControlNs}"><errorCode>402</errorCode>` +
        '<errorDescription>Invalid Args: &lt;x&gt; &amp; &quot;y&quot;</errorDescription></UPnPError></detail></s:Fault>',
    ),
    xml,
  );
  const parsed = parseActionOutcome(xml);
  assert.ok(parsed.ok);
  assert.deepEqual(parsed.value, { kind: 'fault', code: 402, description: 'Invalid Args: <x> & "y"' });
});

test('UDA 1.0 3.2.2: a fault without UPnPError detail is refused', () => {
  const r = parseActionOutcome(envelopeOf('<s:Fault><faultcode>s:Server</faultcode><faultstring>oops</faultstring></s:Fault>'));
  assert.equal(r.ok, false);
});

test('UDA 1.0 3.2.2: a body element that is not a Response is refused', () => {
  const r = parseActionOutcome(envelopeOf(`<u:GetStatus xmlns:u="${switchPower}"/>`));
  assert.equal(r.ok, false);
});

test('SOAP 1.1: documents that are not envelopes, or have no Body or an empty one, are refused', () => {
  assert.equal(parseActionRequest('<Envelope/>').ok, false, 'no namespace');
  assert.equal(parseActionRequest(`<s:Envelope xmlns:s="${soapEnvelopeNs}"/>`).ok, false, 'no Body');
  assert.equal(parseActionRequest(envelopeOf('')).ok, false, 'empty Body');
  assert.equal(parseActionRequest('not xml').ok, false, 'not XML');
  assert.equal(parseActionRequest(envelopeOf('<u:A xmlns:u="urn:x"/>', 'http://www.w3.org/2003/05/soap-envelope')).ok, false, 'SOAP 1.2');
});

test('UDA 1.0 3.2.1: parseSoapAction reads "serviceType#action" with and without quotes', () => {
  const want = { serviceType: switchPower, action: 'GetStatus' };
  assert.deepEqual(parseSoapAction(`"${switchPower}#GetStatus"`), want);
  assert.deepEqual(parseSoapAction(`${switchPower}#GetStatus`), want);
  assert.deepEqual(parseSoapAction(`  "${switchPower}#GetStatus"  `), want);
  assert.equal(parseSoapAction(undefined), undefined);
  assert.equal(parseSoapAction(''), undefined);
  assert.equal(parseSoapAction('"no hash here"'), undefined);
  assert.equal(parseSoapAction(`"${switchPower}#"`), undefined);
  assert.equal(parseSoapAction('"#GetStatus"'), undefined);
});

test('UDA 1.0 3.2.1: an argument carrying an XML fragment is escaped exactly once and comes back identical', () => {
  const xml = buildActionRequest({ serviceType: switchPower, action: 'Set', args: [['CallInfo', callInfo]] });
  assert.ok(
    xml.includes('<CallInfo>&lt;CallInfo xmlns=&quot;urn:x&quot;&gt;&lt;a&gt;1&lt;/a&gt;&lt;/CallInfo&gt;</CallInfo>'),
    xml,
  );
  assert.ok(!xml.includes('&amp;lt;'), 'not escaped twice');
  const parsed = parseActionRequest(xml);
  assert.ok(parsed.ok);
  assert.deepEqual(parsed.value.args, [['CallInfo', callInfo]]);

  const response = buildActionResponse(switchPower, 'Get', [['CallInfo', callInfo]]);
  assert.ok(!response.includes('&amp;lt;'), 'not escaped twice');
  const outcome = parseActionOutcome(response);
  assert.ok(outcome.ok && outcome.value.kind === 'response');
  assert.deepEqual(outcome.value.args, [['CallInfo', callInfo]]);
});

test('UDA 1.0 3.2.1: an argument with CR LF line ends (SDP) comes back with its CR characters', () => {
  const args: WireArgs = [['SDP', sdp], ['Mixed', 'a\rb\nc\r\n']];
  const xml = buildActionRequest({ serviceType: switchPower, action: 'Offer', args });
  assert.ok(xml.includes('v=0&#13;\no=-'), 'CR kept as a character reference');
  const parsed = parseActionRequest(xml);
  assert.ok(parsed.ok);
  assert.deepEqual(parsed.value.args, args);

  const outcome = parseActionOutcome(buildActionResponse(switchPower, 'Offer', args));
  assert.ok(outcome.ok && outcome.value.kind === 'response');
  assert.deepEqual(outcome.value.args, args);
});

test('UDA 1.0 3.2.1: an XML fragment with CR characters inside survives a round trip', () => {
  const value = `<CallInfo xmlns="urn:x"><sdp>${sdp}</sdp></CallInfo>`;
  const parsed = parseActionRequest(buildActionRequest({ serviceType: switchPower, action: 'Set', args: [['CallInfo', value]] }));
  assert.ok(parsed.ok);
  assert.equal(parsed.value.args[0]![1], value);
});

test('UDA 1.0 3.2.1: unescaped XML inside an argument element is read back as the markup text', () => {
  const parsed = parseActionRequest(envelopeOf(`<u:Set xmlns:u="${switchPower}"><CallInfo>${callInfo}</CallInfo><N>2</N></u:Set>`));
  assert.ok(parsed.ok);
  assert.deepEqual(parsed.value.args, [
    ['CallInfo', callInfo],
    ['N', '2'],
  ]);
  // The same value, escaped, reads the same.
  const escaped = parseActionRequest(
    envelopeOf(`<u:Set xmlns:u="${switchPower}"><CallInfo>&lt;CallInfo xmlns="urn:x"&gt;&lt;a&gt;1&lt;/a&gt;&lt;/CallInfo&gt;</CallInfo><N>2</N></u:Set>`),
  );
  assert.ok(escaped.ok);
  assert.deepEqual(escaped.value.args, parsed.value.args);
});

test('UDA 1.0 3.2.2: unescaped XML inside an out argument is read back as the markup text', () => {
  const outcome = parseActionOutcome(envelopeOf(`<u:GetResponse xmlns:u="${switchPower}"><CallInfo>${callInfo}</CallInfo></u:GetResponse>`));
  assert.ok(outcome.ok && outcome.value.kind === 'response');
  assert.deepEqual(outcome.value.args, [['CallInfo', callInfo]]);
});

test('UDA 1.0 3.2.1: a service namespace with a stray trailing space is accepted and trimmed', () => {
  const parsed = parseActionRequest(envelopeOf(`<u:GetStatus xmlns:u="${switchPower} "></u:GetStatus>`));
  assert.ok(parsed.ok);
  assert.equal(parsed.value.serviceType, switchPower);
  assert.equal(parsed.value.action, 'GetStatus');
  const outcome = parseActionOutcome(envelopeOf(`<u:GetStatusResponse xmlns:u="${switchPower} "><ResultStatus>1</ResultStatus></u:GetStatusResponse>`));
  assert.ok(outcome.ok);
  assert.deepEqual(outcome.value, { kind: 'response', action: 'GetStatus', args: [['ResultStatus', '1']] });
});

test('UDA 1.0 3.2: an envelope namespace with a stray trailing space is accepted', () => {
  const parsed = parseActionRequest(envelopeOf(`<u:GetStatus xmlns:u="${switchPower}"/>`, `${soapEnvelopeNs} `));
  assert.ok(parsed.ok);
  assert.equal(parsed.value.action, 'GetStatus');
});

test('UDA 1.0 3.2.1: an envelope carrying a DTD is refused', () => {
  const r = parseActionRequest(`<!DOCTYPE x [<!ENTITY a "b">]>${envelopeOf(`<u:A xmlns:u="${switchPower}"><X>&a;</X></u:A>`)}`);
  assert.equal(r.ok, false);
});
