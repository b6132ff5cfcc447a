/**
 * REFER inside an INVITE session (RFC 3515) on the in-memory network (test/support/sip-ua-fixture.ts): alice called a
 * peer the test plays, the peer answered and sends REFERs in the dialog.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { fromAddr, toAddr, type HeaderInput, type SipRequest, type SipResponse } from '../../src/sip/message/index.js';
import { referSubscriptionSeconds, type IncomingRefer, type UserAgentOptions } from '../../src/sip/user-agent/index.js';
import { aliceCallsPeer, answer, host, settle, stopped } from '../support/sip-ua-fixture.js';

/** alice (taking REFERs unless `refers` is false) in a confirmed call with the peer; `refer` sends one in the dialog. */
async function inCall(options: Partial<UserAgentOptions> = { extraMethods: ['REFER'] }, refers = true) {
  const c = aliceCallsPeer(options);
  const heard: IncomingRefer[] = [];
  if (refers) c.a.delegate = { ...c.a.delegate, onRefer: (r) => heard.push(r) };
  await settle();
  const invite = c.peer.last('INVITE');
  c.peer.respond(invite, 200, [['Contact', `<sip:peer@${host}:5070>`]], { toTag: 'pt', body: answer });
  await settle();
  assert.equal(c.a.state, 'confirmed');
  let seq = 1;
  const refer = async (headers: HeaderInput): Promise<SipResponse> => {
    const req = c.peer.request('REFER', 5061, [['From', `<sip:peer@${host}:5070>;tag=pt`], ['To', invite.message.headers.get('From')!], ['Call-ID', c.a.callId!], ...headers], {
      uri: `sip:alice@${host}:5061`,
      callId: c.a.callId!,
      cseq: seq++,
    });
    const before = c.peer.responses().length;
    c.peer.send(req, 5061);
    await settle();
    const r = c.peer.responses().slice(before).find((x) => x.status >= 200);
    assert.ok(r, 'a final response to the REFER');
    return r;
  };
  /** The NOTIFYs alice sent so far (retransmissions once), each answered 200. */
  const notifies = async (): Promise<SipRequest[]> => {
    await settle();
    const byCSeq = new Map<string, SipRequest>();
    for (const n of c.peer.requests('NOTIFY')) {
      const key = n.message.headers.get('CSeq')!;
      if (!byCSeq.has(key)) c.peer.respond(n, 200);
      byCSeq.set(key, n.message);
    }
    await settle();
    return [...byCSeq.values()];
  };
  return { ...c, heard, refer, notifies };
}

test('RFC 3515 2.4.2/2.4.4/2.4.5: a REFER is answered 202, NOTIFY 100 Trying (active) follows at once, the final status ends the subscription (noresource)', async () => {
  const c = await inCall();
  const r = await c.refer([['Refer-To', '"Desk" <sip:22@hub>']]);
  assert.equal(r.status, 202);
  assert.equal(r.headers.get('Contact'), `<sip:alice@${host}:5061>`);
  assert.equal(c.heard.length, 1);
  assert.equal(c.heard[0]!.referTo, 'sip:22@hub');
  let sent = await c.notifies();
  assert.equal(sent.length, 1, 'the first NOTIFY goes without waiting for the outcome (2.4.4)');
  const first = sent[0]!;
  assert.equal(first.headers.get('Event'), 'refer');
  assert.equal(first.headers.get('Content-Type'), 'message/sipfrag;version=2.0');
  assert.equal(first.headers.get('Subscription-State'), `active;expires=${referSubscriptionSeconds}`);
  assert.equal(first.body, 'SIP/2.0 100 Trying\r\n');
  // In the dialog of the call: its Call-ID and tags (RFC 6665 4.4.1, the implicit subscription shares the dialog).
  assert.equal(first.headers.get('Call-ID'), c.a.callId);
  assert.equal(toAddr(first)?.tag, 'pt');
  assert.equal(fromAddr(first)?.tag, c.a.dialog?.id.localTag);
  c.heard[0]!.finish(200);
  sent = await c.notifies();
  assert.equal(sent.length, 2);
  assert.equal(sent[1]!.body, 'SIP/2.0 200 OK\r\n');
  assert.equal(sent[1]!.headers.get('Subscription-State'), 'terminated;reason=noresource', '2.4.7: the final NOTIFY ends the subscription');
  c.heard[0]!.finish(486);
  assert.equal((await c.notifies()).length, 2, 'nothing after the final NOTIFY');
  await stopped(c.alice);
});

test('RFC 3515 2.4.5: a failed transfer is reported with its final status; 2.4.6: a second REFER in the dialog has NOTIFYs with id', async () => {
  const c = await inCall();
  await c.refer([['Refer-To', '<sip:22@hub>']]);
  c.heard[0]!.finish(486, 'Busy Here');
  await c.refer([['Refer-To', 'sip:23@hub']]);
  const sent = await c.notifies();
  assert.equal(sent[1]!.body, 'SIP/2.0 486 Busy Here\r\n');
  const second = sent[2]!;
  assert.equal(c.heard[1]!.referTo, 'sip:23@hub');
  assert.equal(second.headers.get('Event'), 'refer;id=2', 'the CSeq of the REFER it belongs to');
  assert.equal(second.body, 'SIP/2.0 100 Trying\r\n');
  await stopped(c.alice);
});

test('RFC 3515 2.4.1: exactly one Refer-To, else 400; a UA or session that takes no REFER answers 405', async () => {
  const c = await inCall();
  assert.equal((await c.refer([])).status, 400, 'no Refer-To');
  assert.equal((await c.refer([['Refer-To', '<sip:22@hub>'], ['Refer-To', '<sip:23@hub>']])).status, 400, 'two Refer-To');
  assert.equal((await c.refer([['Refer-To', '<sip:22@hub']])).status, 400, 'a malformed one');
  assert.equal(c.heard.length, 0);
  assert.equal((await c.notifies()).length, 0);
  await stopped(c.alice);
  const noHandler = await inCall({ extraMethods: ['REFER'] }, false);
  assert.equal((await noHandler.refer([['Refer-To', '<sip:22@hub>']])).status, 405);
  await stopped(noHandler.alice);
  const noMethod = await inCall({});
  assert.equal((await noMethod.refer([['Refer-To', '<sip:22@hub>']])).status, 405);
  await stopped(noMethod.alice);
});

test('RFC 6665 4.2.2: a subscription never finished expires with reason=timeout; a session that ends drops it', async () => {
  const c = await inCall();
  await c.refer([['Refer-To', '<sip:22@hub>']]);
  await c.notifies();
  await c.clock.run(referSubscriptionSeconds * 1000);
  const sent = await c.notifies();
  assert.equal(sent.length, 2);
  assert.equal(sent[1]!.headers.get('Subscription-State'), 'terminated;reason=timeout');
  await c.refer([['Refer-To', '<sip:22@hub>']]);
  c.a.bye();
  await settle();
  c.heard[1]!.finish(200);
  const after = await c.notifies();
  assert.equal(after.length, 3, 'the 100 Trying only: no NOTIFY once the call is over');
  assert.ok(c.heard[1]!.finished);
  await stopped(c.alice);
});
