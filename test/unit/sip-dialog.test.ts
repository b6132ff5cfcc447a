import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Dialog } from '../../src/sip/dialog/dialog.js';
import { cseq, request, responseTo, type SipRequest } from '../../src/sip/message/index.js';

function invite(): SipRequest {
  return request('INVITE', 'sip:bob@biloxi.example', [
    ['Via', 'SIP/2.0/UDP 127.0.0.1:5070;branch=z9hG4bK1'],
    ['Max-Forwards', '70'],
    ['From', '"Alice" <sip:alice@atlanta.example>;tag=a1'],
    ['To', '<sip:bob@biloxi.example>'],
    ['Call-ID', 'c1@atlanta'],
    ['CSeq', '314 INVITE'],
    ['Contact', '<sip:alice@127.0.0.1:5070>'],
    ['Record-Route', '<sip:p1.example;lr>'],
    ['Record-Route', '<sip:p2.example;lr>'],
  ]);
}

test('RFC 3261 12.1.2: the UAC dialog reverses Record-Route and targets the 2xx Contact; BYE gets a new CSeq', () => {
  // responseTo copies the INVITE's Record-Route into the 2xx (RFC 3261 12.1.1), as a UAS does.
  const ok = responseTo(invite(), 200, 'OK', [['Contact', '<sip:bob@127.0.0.2:5080>']], { toTag: 'b1' });
  const d = Dialog.asUac(invite(), ok)!;
  assert.deepEqual(d.id, { callId: 'c1@atlanta', localTag: 'a1', remoteTag: 'b1' });
  const bye = d.createRequest('BYE');
  assert.equal(bye.uri, 'sip:bob@127.0.0.2:5080');
  assert.deepEqual(bye.headers.all('Route'), ['<sip:p2.example;lr>', '<sip:p1.example;lr>']);
  assert.deepEqual(cseq(bye), { seq: 315, method: 'BYE' });
  assert.match(bye.headers.get('From')!, /tag=a1/);
  assert.match(bye.headers.get('To')!, /tag=b1/);
  assert.equal(d.nextHop(), 'sip:p2.example;lr');
  assert.deepEqual(cseq(d.createRequest('ACK', { cseq: 314 })), { seq: 314, method: 'ACK' });
});

test('RFC 3261 12.1.1 and 12.2.2: the UAS dialog keeps Record-Route order, refuses out-of-order requests, refreshes its target', () => {
  const d = Dialog.asUas(invite(), 'b1')!;
  assert.deepEqual(d.id, { callId: 'c1@atlanta', localTag: 'b1', remoteTag: 'a1' });
  assert.deepEqual(d.createRequest('BYE').headers.all('Route'), ['<sip:p1.example;lr>', '<sip:p2.example;lr>']);
  const reinvite = (seq: number, contact: string): SipRequest =>
    request('INVITE', 'sip:bob@127.0.0.2', [
      ['Via', 'SIP/2.0/UDP 127.0.0.1:5070;branch=z9hG4bK2'],
      ['Max-Forwards', '70'],
      ['From', '<sip:alice@atlanta.example>;tag=a1'],
      ['To', '<sip:bob@biloxi.example>;tag=b1'],
      ['Call-ID', 'c1@atlanta'],
      ['CSeq', `${seq} INVITE`],
      ['Contact', contact],
    ]);
  assert.equal(d.receive(reinvite(313, '<sip:alice@127.0.0.1:5070>')), 'out-of-order');
  assert.equal(d.receive(reinvite(315, '<sip:alice@127.0.0.9:5999>')), 'ok');
  assert.equal(d.createRequest('BYE').uri, 'sip:alice@127.0.0.9:5999');
});

test('no dialog without tags or Contact', () => {
  assert.equal(Dialog.asUac(invite(), responseTo(invite(), 200, 'OK', [['Contact', '<sip:b@x>']])), undefined, 'no To tag');
  assert.equal(Dialog.asUac(invite(), responseTo(invite(), 200, 'OK', [], { toTag: 'b1' })), undefined, 'no Contact');
});
