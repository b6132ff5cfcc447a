/**
 * The SIP user agent on an in-memory network (messages serialized and parsed again, delivered in
 * microtasks) with a fake clock: two hometel UAs calling each other, and scripted peers that answer
 * exactly as a test needs (challenges, forks, crossing CANCEL); re-INVITEs. The UAS's checks, registration and
 * availability: sip-user-agent-uas.test.ts. The setup: test/support/sip-ua-fixture.ts.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { addHeader, cseq, formatChallenge, fromAddr, generateBranch, makeVia, toAddr, verifyDigest } from '../../src/sip/message/index.js';
import { cancelFor } from '../../src/sip/user-agent/index.js';
import { agent, aliceCallsPeer, answer, answer2, callee, established, FakeClock, host, MemoryNet, offer, offer2, RawPeer, recorder, settle, stopped, twoAgents } from '../support/sip-ua-fixture.js';

// ---------------------------------------------------------------------------------------------------------
// calls between two UAs

test('a call: INVITE → 180 → 200 with the SDP answer → ACK; BYE from the caller ends it at the callee', async () => {
  const { net, alice, bob, stop } = twoAgents({ displayName: 'Alice' });
  const c = callee(bob);
  const rec = recorder();
  const a = alice.invite(`sip:bob@${host}:5062`, { sdp: offer, ...rec.delegate });
  await settle();
  assert.deepEqual(c.events, ['invite']);
  const b = c.sessions[0]!;
  assert.equal(b.state, 'ringing');
  assert.equal(b.remoteSdp, offer);
  assert.deepEqual(rec.events, ['progress 180']);
  const ringing = net.responses(180)[0]!;
  assert.ok(toAddr(ringing)?.tag, '180 carries our To tag');
  assert.ok(ringing.headers.get('Contact'));
  const invite = net.requests('INVITE')[0]!;
  assert.equal(invite.headers.get('Content-Type'), 'application/sdp');
  assert.match(invite.headers.get('From')!, /^"Alice" <sip:alice@127\.0\.0\.1:5061>;tag=/);
  assert.match(invite.headers.get('Allow')!, /INVITE/);

  b.answer(answer);
  await settle();
  assert.deepEqual(rec.events, ['progress 180', 'accepted sdp']);
  assert.equal(a.remoteSdp, answer);
  const ack = net.requests('ACK')[0]!;
  assert.equal(cseq(ack)?.seq, cseq(invite)?.seq, 'the ACK has the INVITE CSeq number (RFC 3261 13.2.2.4)');
  assert.equal(ack.uri, `sip:bob@${host}:5062`, 'the ACK goes to the remote target (the 2xx Contact)');
  assert.equal(b.state, 'confirmed');
  assert.equal(b.twoHundredRetransmissions, 0);

  a.bye();
  await settle();
  assert.deepEqual(c.events, ['invite', 'ended bye']);
  assert.equal(net.responses(200, 'BYE').length, 1);
  assert.deepEqual(rec.events, ['progress 180', 'accepted sdp'], 'the TU that hung up hears nothing more');
  await stop();
});

test('BYE from the callee ends the call at the caller', async () => {
  const { b, ae, stop } = await established();
  b.bye();
  await settle();
  assert.deepEqual(ae, ['accepted sdp', 'ended bye']);
  await stop();
});

test('RFC 3261 13.3.1.4: the 200 is retransmitted until the ACK (the first ACK lost); the caller ACKs the retransmission', async () => {
  const { net, clock, alice, bob, stop } = twoAgents();
  const c = callee(bob, (s) => s.answer(answer));
  let acks = 0;
  net.drop = (m) => m.kind === 'request' && m.method === 'ACK' && ++acks === 1;
  const a = alice.invite(`sip:bob@${host}:5062`, { sdp: offer });
  await settle();
  const b = c.sessions[0]!;
  assert.equal(a.state, 'confirmed');
  assert.equal(b.state, 'accepted', 'no ACK yet');
  await clock.run(500); // T1
  assert.equal(net.responses(200, 'INVITE').length, 2, 'one retransmission');
  assert.equal(net.requests('ACK').length, 2, 'the caller ACKs the retransmitted 2xx');
  assert.equal(b.state, 'confirmed');
  assert.equal(b.twoHundredRetransmissions, 1);
  await clock.run(10_000);
  assert.equal(net.responses(200, 'INVITE').length, 2, 'no more after the ACK');
  await stop();
});

test('RFC 3261 13.3.1.4: no ACK within 64·T1 → the callee sends BYE and reports the call dead', async () => {
  const { net, clock, alice, bob, stop } = twoAgents();
  const c = callee(bob, (s) => s.answer(answer));
  net.drop = (m) => m.kind === 'request' && m.method === 'ACK';
  alice.invite(`sip:bob@${host}:5062`, { sdp: offer });
  await settle();
  await clock.run(64 * 500);
  assert.deepEqual(c.events, ['invite', 'ended no-ack']);
  assert.equal(net.requests('BYE').length, 1);
  assert.ok(net.responses(200, 'INVITE').length >= 7, 'retransmitted at T1, 2T1, 4T1, then every T2');
  await stop();
});

test('a callee that hangs up before the ACK sends its BYE once the ACK is there (RFC 3261 15)', async () => {
  const { net, clock, alice, bob, stop } = twoAgents();
  const c = callee(bob, (s) => s.answer(answer));
  let acks = 0;
  net.drop = (m) => m.kind === 'request' && m.method === 'ACK' && ++acks === 1;
  const rec = recorder();
  alice.invite(`sip:bob@${host}:5062`, { sdp: offer, ...rec.delegate });
  await settle();
  c.sessions[0]!.bye();
  await settle();
  assert.equal(net.requests('BYE').length, 0, 'no BYE before the ACK');
  await clock.run(500);
  assert.equal(net.requests('BYE').length, 1);
  assert.deepEqual(rec.events, ['accepted sdp', 'ended bye']);
  await stop();
});

test('rejections: 486, 603 and 404 for a user the UA does not serve; a callee without a delegate answers 480', async () => {
  const { net, clock, alice, bob } = twoAgents();
  const carol = agent(net, clock, 5063, 'carol');
  let status = 486;
  callee(bob, (s) => s.reject(status));
  for (const [target, want] of [
    [`sip:bob@${host}:5062`, 486],
    [`sip:bob@${host}:5062`, 603],
    [`sip:nobody@${host}:5062`, 404],
    [`sip:carol@${host}:5063`, 480],
  ] as const) {
    status = want;
    const rec = recorder();
    const s = alice.invite(target, { sdp: offer, ...rec.delegate });
    await settle();
    assert.deepEqual(rec.events.filter((e) => e.startsWith('rejected')), [`rejected ${want}`], target);
    assert.equal(s.state, 'terminated');
  }
  assert.equal(net.responses(180).length, 0, 'a call rejected at once never rings');
  assert.equal(net.requests('ACK').length, 4, 'the transaction ACKs each non-2xx');
  await stopped(alice);
  await stopped(bob);
  await stopped(carol);
});

test('CANCEL after the 180: 200 to the CANCEL, 487 to the INVITE, the callee hears it cancelled, the caller nothing more', async () => {
  const { net, alice, bob, stop } = twoAgents();
  const c = callee(bob);
  const rec = recorder();
  const a = alice.invite(`sip:bob@${host}:5062`, { sdp: offer, ...rec.delegate });
  await settle();
  a.cancel();
  await settle();
  assert.deepEqual(c.events, ['invite', 'cancelled']);
  assert.equal(net.responses(200, 'CANCEL').length, 1);
  assert.equal(net.responses(487, 'INVITE').length, 1);
  assert.equal(a.finalResponse?.status, 487);
  assert.equal(a.state, 'terminated');
  assert.deepEqual(rec.events, ['progress 180']);
  await stop();
});

test('RFC 3261 9.1: a CANCEL waits for a provisional response; a 2xx crossing it is ACKed and ended with BYE', async () => {
  const { net, alice, peer, rec, a } = aliceCallsPeer();
  await settle();
  a.cancel();
  await settle();
  assert.equal(net.requests('CANCEL').length, 0, 'no CANCEL before a provisional response');
  const inv = peer.last('INVITE');
  peer.respond(inv, 100);
  await settle();
  assert.equal(net.requests('CANCEL').length, 1, 'the CANCEL follows the first provisional response');
  const cancel = peer.last('CANCEL').message;
  assert.equal(cancel.uri, inv.message.uri);
  assert.equal(cancel.headers.get('Via'), inv.message.headers.get('Via'), 'same top Via (branch) as the INVITE');
  assert.equal(cseq(cancel)?.seq, cseq(inv.message)?.seq);
  // the callee answered just before the CANCEL arrived
  peer.respond(inv, 200, [['Contact', `<sip:peer@${host}:5070>`]], { toTag: 'crossed', body: answer });
  peer.respond(peer.last('CANCEL'), 200);
  await settle();
  assert.equal(peer.requests('ACK').length, 1, 'the crossing 2xx is ACKed');
  assert.equal(peer.requests('BYE').length, 1, 'and the call ended with BYE');
  assert.match(peer.last('BYE').message.headers.get('To')!, /tag=crossed/);
  assert.deepEqual(rec.events, [], 'the TU that cancelled hears nothing');
  await stopped(alice);
});

test('RFC 3261 22: a 401 is answered once with Digest credentials, CSeq + 1, same Call-ID and From tag; the ACK carries them', async () => {
  const { alice, peer, rec } = aliceCallsPeer({ credentials: { username: 'alice', password: 'secret' } });
  await settle();
  const first = peer.last('INVITE');
  peer.respond(first, 407, [['Proxy-Authenticate', formatChallenge({ realm: 'home', nonce: 'n1' })]], { toTag: 'x' });
  await settle();
  assert.equal(peer.requests('ACK').length, 1, 'the 407 is ACKed by the transaction');
  const second = peer.last('INVITE');
  assert.notEqual(second, first);
  assert.equal(cseq(second.message)?.seq, cseq(first.message)!.seq + 1);
  assert.equal(second.message.headers.get('Call-ID'), first.message.headers.get('Call-ID'));
  assert.equal(fromAddr(second.message)?.tag, fromAddr(first.message)?.tag);
  const auth = second.message.headers.get('Proxy-Authorization')!;
  assert.ok(verifyDigest({ authorization: auth, method: 'INVITE', realm: 'home', password: 'secret', nonce: 'n1', uri: second.message.uri }));
  // a second challenge that is not stale is the end of it
  peer.respond(second, 200, [['Contact', `<sip:peer@${host}:5070>`]], { toTag: 'ok', body: answer });
  await settle();
  assert.deepEqual(rec.events, ['accepted sdp']);
  const ack = peer.requests('ACK')[1]!.message;
  assert.equal(ack.headers.get('Proxy-Authorization'), auth);
  await stopped(alice);
});

test('RFC 3261 22: credentials refused twice → the 401 is the final answer', async () => {
  const { alice, peer, rec } = aliceCallsPeer({ credentials: { username: 'alice', password: 'wrong' } });
  for (let i = 0; i < 2; i++) {
    await settle();
    peer.respond(peer.last('INVITE'), 401, [['WWW-Authenticate', formatChallenge({ realm: 'home', nonce: `n${i}` })]], { toTag: 'x' });
  }
  await settle();
  assert.equal(peer.requests('INVITE').length, 2);
  assert.deepEqual(rec.events, ['rejected 401']);
  await stopped(alice);
});

test('with a registrar configured, only the registrar and the proxy get our Digest credentials; a callee asking gets none', async () => {
  const { alice, peer, rec } = aliceCallsPeer({
    credentials: { username: 'alice', password: 'secret' },
    registration: { registrar: `sip:${host}:5999` },
  });
  await settle();
  peer.respond(peer.last('INVITE'), 401, [['WWW-Authenticate', formatChallenge({ realm: 'evil', nonce: 'n' })]], { toTag: 'x' });
  await settle();
  assert.equal(peer.requests('INVITE').length, 1);
  assert.deepEqual(rec.events, ['rejected 401']);
  await stopped(alice);
});

test('RFC 3261 13.2.2.4: a 2xx from a second fork is ACKed and ended with BYE; a retransmitted 2xx is ACKed again', async () => {
  const { alice, peer, rec, a } = aliceCallsPeer();
  await settle();
  const inv = peer.last('INVITE');
  peer.respond(inv, 200, [['Contact', `<sip:peer@${host}:5070>`]], { toTag: 'fork1', body: answer });
  await settle();
  peer.respond(inv, 200, [['Contact', `<sip:peer@${host}:5070>`]], { toTag: 'fork1', body: answer });
  peer.respond(inv, 200, [['Contact', `<sip:peer@${host}:5070>`]], { toTag: 'fork2', body: answer });
  await settle();
  const acks = peer.requests('ACK').map((r) => toAddr(r.message)?.tag);
  assert.deepEqual(acks, ['fork1', 'fork1', 'fork2']);
  assert.deepEqual(peer.requests('BYE').map((r) => toAddr(r.message)?.tag), ['fork2']);
  assert.deepEqual(rec.events, ['accepted sdp']);
  assert.equal(a.state, 'confirmed');
  await stopped(alice);
});

test('no answer at all: Timer B gives the caller a local 408; an unreachable TCP peer a local 503', async () => {
  const net = new MemoryNet();
  const clock = new FakeClock();
  const alice = agent(net, clock, 5061, 'alice', { transports: ['udp', 'tcp'] });
  const rec = recorder();
  alice.invite(`sip:bob@${host}:5999`, { sdp: offer, ...rec.delegate });
  await clock.run(64 * 500);
  assert.deepEqual(rec.events, ['rejected 408 timeout']);
  const rec2 = recorder();
  alice.invite(`sip:bob@${host}:5999;transport=tcp`, { sdp: offer, ...rec2.delegate });
  await settle();
  assert.deepEqual(rec2.events, ['rejected 503 transport']);
  const rec3 = recorder();
  alice.invite(`sips:bob@${host}:5999`, { sdp: offer, ...rec3.delegate });
  await settle();
  assert.deepEqual(rec3.events, ['rejected 503 transport'], 'sips: without TLS');
  await stopped(alice);
});

test('RFC 3261 8.1.2: with an outbound proxy, out-of-dialog requests go to it with a loose Route; in-dialog ones follow the dialog', async () => {
  const net = new MemoryNet();
  const clock = new FakeClock();
  const alice = agent(net, clock, 5061, 'alice', { outboundProxy: `sip:${host}:5090` });
  const proxy = new RawPeer(net, 5090);
  const rec = recorder();
  const a = alice.invite(`sip:bob@example.test`, { sdp: offer, ...rec.delegate });
  await settle();
  const inv = proxy.last('INVITE');
  assert.equal(inv.message.uri, 'sip:bob@example.test');
  assert.equal(inv.message.headers.get('Route'), `<sip:${host}:5090;lr>`);
  proxy.respond(inv, 200, [['Contact', `<sip:bob@${host}:5091>`], ['Record-Route', `<sip:${host}:5090;lr>`]], { toTag: 'b', body: answer });
  await settle();
  assert.deepEqual(rec.events, ['accepted sdp']);
  const ack = proxy.last('ACK').message;
  assert.equal(ack.uri, `sip:bob@${host}:5091`, 'Request-URI: the remote target');
  assert.equal(ack.headers.get('Route'), `<sip:${host}:5090;lr>`, 'Route: the recorded route');
  a.bye();
  await settle();
  assert.equal(proxy.last('BYE').message.uri, `sip:bob@${host}:5091`);
  alice.watch('sip:carol@example.test', () => undefined);
  await settle();
  assert.equal(proxy.last('OPTIONS').message.headers.get('Route'), `<sip:${host}:5090;lr>`);
  await stopped(alice);
});

// ---------------------------------------------------------------------------------------------------------
// re-INVITE

test('re-INVITE from the caller accepted (200 with the answer, ACK) and rejected (488)', async () => {
  const { a, b, ae, be, stop } = await established();
  a.modify(offer2);
  await settle();
  assert.deepEqual(be, ['invite', 'modify request offer2']);
  b.acceptModify(answer2);
  await settle();
  assert.deepEqual(ae, ['accepted sdp', 'modify accepted answer2']);
  assert.equal(a.localSdp, offer2);
  assert.equal(b.localSdp, answer2);
  a.modify(offer2);
  await settle();
  b.rejectModify();
  await settle();
  assert.deepEqual(ae, ['accepted sdp', 'modify accepted answer2', 'modify rejected 488']);
  assert.equal(a.state, 'confirmed', 'the call goes on');
  await stop();
});

test('re-INVITE from the callee accepted and rejected', async () => {
  const { alice, b, ae, be, stop } = await established();
  b.modify(offer2);
  await settle();
  assert.deepEqual(ae, ['accepted sdp', 'modify request']);
  const alices = alice.sessions[0]!;
  alices.acceptModify(answer2);
  await settle();
  assert.deepEqual(be, ['invite', 'modify accepted']);
  b.modify(offer2);
  await settle();
  alices.rejectModify();
  await settle();
  assert.deepEqual(be, ['invite', 'modify accepted', 'modify rejected 488']);
  await stop();
});

test('RFC 3261 14: glare — both sides re-INVITE at once and both get 491', async () => {
  const { clock, a, b, ae, be, stop } = await established();
  a.modify(offer2);
  b.modify(offer2);
  await settle();
  assert.deepEqual(ae, ['accepted sdp', 'modify rejected 491']);
  assert.deepEqual(be, ['invite', 'modify rejected 491']);
  // and a modify while one is pending is refused at once
  a.modify(offer2);
  await settle();
  a.modify(offer2);
  await clock.run(0);
  assert.deepEqual(ae, ['accepted sdp', 'modify rejected 491', 'modify rejected 491']);
  await stop();
});

test('a re-INVITE without an offer is a refresh: 200 with our current SDP, the TU is not asked', async () => {
  const { net, alice, b, be, stop } = await established();
  const reinvite = alice.sessions[0]!.dialog!.createRequest('INVITE', { contact: `<sip:alice@${host}:5061>` });
  const side = net.endpoint(5069);
  void side.sendRequest(addHeader(reinvite, 'Via', makeVia({ transport: 'UDP', host, port: 5069, branch: generateBranch() }), 'top'), {
    transport: 'udp',
    address: host,
    port: 5062,
  });
  await settle();
  const ok = net.responses(200, 'INVITE').at(-1)!;
  assert.equal(cseq(ok)?.seq, cseq(reinvite)?.seq);
  assert.equal(ok.body, b.localSdp);
  assert.deepEqual(be, ['invite']);
  await stop();
});

test('RFC 3261 14.1: a re-INVITE that times out ends the call (dead peer), with BYE', async () => {
  const { net, clock, a, ae, stop } = await established();
  net.drop = (_m, from) => from === 5062;
  a.modify(offer2);
  await clock.run(64 * 500);
  assert.deepEqual(ae, ['accepted sdp', 'ended dead-peer']);
  assert.equal(a.state, 'terminated');
  assert.ok(net.requests('BYE').length >= 1);
  await stop();
});

test('a CANCEL of a pending re-INVITE: 487 to it, the TU hears the modify cancelled', async () => {
  const { net, alice, bob, a, be } = await established();
  a.modify(offer2);
  await settle();
  assert.deepEqual(be, ['invite', 'modify request offer2']);
  const reinvite = net.requests('INVITE', 5062).at(-1)!;
  void net.endpoint(5068).sendRequest(cancelFor(reinvite), { transport: 'udp', address: host, port: 5062 });
  await settle();
  assert.deepEqual(be, ['invite', 'modify request offer2', 'modify cancelled']);
  assert.equal(net.responses(487, 'INVITE').length, 1);
  await stopped(bob);
  await stopped(alice);
});

test('a re-INVITE nobody answers: the callee refuses it (488) after its no-answer time and reports it cancelled; the caller hears 488', async () => {
  const { clock, a, ae, be, stop } = await established();
  a.modify(offer2);
  await settle();
  await clock.run(60_000);
  assert.deepEqual(be, ['invite', 'modify request offer2', 'modify cancelled']);
  assert.deepEqual(ae, ['accepted sdp', 'modify rejected 488']);
  assert.equal(a.state, 'confirmed');
  await stop();
});

test('a re-INVITE stuck after its 100 Trying is cancelled by the caller (487, refused), the call goes on', async () => {
  const { net, clock, a, ae, be, stop } = await established({ noAnswerSeconds: 600 });
  a.modify(offer2);
  await clock.run(60_000 + 64 * 500 - 1);
  assert.equal(net.requests('CANCEL').length, 0);
  assert.equal(net.responses(100, 'INVITE').length, 1, 'the callee said Trying');
  await clock.run(1);
  assert.equal(net.requests('CANCEL').length, 1);
  assert.deepEqual(ae, ['accepted sdp', 'modify rejected 487']);
  assert.deepEqual(be, ['invite', 'modify request offer2', 'modify cancelled']);
  assert.equal(a.state, 'confirmed');

  // and when even the CANCEL goes unanswered, the re-INVITE is given up 64·T1 later
  net.drop = (_m, from) => from === 5062;
  a.modify(offer2);
  await clock.run(100); // bob's 100 Trying is lost too: Timer B runs
  await clock.run(64 * 500);
  assert.deepEqual(ae, ['accepted sdp', 'modify rejected 487', 'ended dead-peer'], 'no response at all is a dead peer (RFC 3261 14.1)');
  await stop();
});

test('a re-INVITE whose CANCEL brings no final response either is given up 64·T1 after the CANCEL', async () => {
  const { net, clock, a, ae, stop } = await established({ noAnswerSeconds: 600 });
  net.drop = (m, from) => from === 5062 && m.kind === 'response' && m.status >= 200;
  a.modify(offer2);
  await clock.run(60_000 + 64 * 500);
  assert.equal(net.requests('CANCEL').length, 1);
  assert.deepEqual(ae, ['accepted sdp']);
  await clock.run(64 * 500);
  assert.deepEqual(ae, ['accepted sdp', 'modify rejected 487']);
  assert.equal(a.state, 'confirmed');
  await stop();
});

test('in-dialog OPTIONS keep-alive: a peer that vanished ends the call', async () => {
  const { net, clock, alice, bob, stop } = twoAgents({ keepaliveSeconds: 30 });
  callee(bob, (s) => s.answer(answer));
  const rec = recorder();
  alice.invite(`sip:bob@${host}:5062`, { sdp: offer, ...rec.delegate });
  await clock.run(30_000);
  assert.equal(net.requests('OPTIONS').length, 1);
  assert.equal(net.responses(200, 'OPTIONS').length, 1, 'answered in the dialog');
  await clock.run(30_000);
  assert.equal(net.requests('OPTIONS').length, 2);
  net.drop = (_m, from) => from === 5062; // bob's host goes silent
  await clock.run(30_000 + 64 * 500);
  assert.deepEqual(rec.events, ['accepted sdp', 'ended dead-peer']);
  await stop();
});

test('a 481 to an in-dialog request ends the call', async () => {
  const { net, alice, bob, a, ae } = await established();
  net.drop = (m) => m.kind === 'request' && m.method === 'BYE';
  await stopped(bob); // bob forgets the dialog (its BYE is lost)
  const bob2 = agent(net, new FakeClock(), 5062, 'bob');
  a.modify(offer2);
  await settle();
  assert.deepEqual(ae, ['accepted sdp', 'ended dead-peer']);
  assert.equal(net.responses(481, 'INVITE').length, 1);
  await stopped(alice);
  await stopped(bob2);
});
