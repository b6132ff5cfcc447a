/**
 * The SIP user agent on an in-memory network with a fake clock (test/support/sip-ua-fixture.ts), continued from
 * sip-user-agent.test.ts: the UAS's checks (RFC 3261 8.2), registration against a registrar played by the test,
 * callee availability (presence and OPTIONS probes), and the mapping helpers.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  contacts,
  cseq,
  formatChallenge,
  generateBranch,
  makeVia,
  request as sipRequest,
  responseTo,
  toAddr,
  verifyDigest,
  type HeaderInput,
  type SipRequest,
  type SipResponse,
} from '../../src/sip/message/index.js';
import { pidfBasic, reachable } from '../../src/sip/user-agent/index.js';
import { lineFailureOf, remotePeerOf } from '../../src/sip/bridge/sip-line.js';
import { agent, answer, callee, FakeClock, host, MemoryNet, offer, RawPeer, recorder, settle, stopped, twoAgents } from '../support/sip-ua-fixture.js';

// ---------------------------------------------------------------------------------------------------------
// the UAS's checks (RFC 3261 8.2)

test('UAS checks: OPTIONS 200 with Allow and Accept; 405 with Allow; 420 with Unsupported; 481; 482; 500 for an old CSeq; 416', async () => {
  const net = new MemoryNet();
  const clock = new FakeClock();
  const bob = agent(net, clock, 5062, 'bob');
  callee(bob);
  const peer = new RawPeer(net, 5070);
  const status = async (req: SipRequest): Promise<SipResponse> => {
    const before = peer.responses().length;
    peer.send(req, 5062);
    await settle();
    const r = peer.responses().slice(before).find((x) => x.status >= 200);
    assert.ok(r, `a final response to ${req.method}`);
    return r;
  };
  const options = await status(peer.request('OPTIONS', 5062));
  assert.equal(options.status, 200);
  assert.match(options.headers.all('Allow').join(','), /INVITE.*BYE.*OPTIONS/);
  assert.equal(options.headers.get('Accept'), 'application/sdp');
  const message = await status(peer.request('MESSAGE', 5062));
  assert.equal(message.status, 405);
  assert.ok(message.headers.get('Allow'));
  const required = await status(peer.request('INVITE', 5062, [['Require', '100rel, foo']], { body: offer }));
  assert.equal(required.status, 420);
  assert.deepEqual(required.headers.all('Unsupported'), ['100rel', 'foo']);
  assert.equal((await status(peer.request('BYE', 5062, [['To', `<sip:bob@${host}:5062>;tag=nope`]]))).status, 481);
  const cancel = peer.request('CANCEL', 5062);
  assert.equal((await status(cancel)).status, 481, 'CANCEL for no INVITE');
  assert.equal((await status(peer.request('INVITE', 5062, [], { uri: `tel:+15551234` , body: offer}))).status, 416);
  assert.equal((await status(peer.request('INVITE', 5062, [['Content-Type', 'text/plain']], { body: 'hi' }))).status, 415);

  // a ringing call, then the same INVITE by another path (other branch): 482
  const invite = peer.request('INVITE', 5062, [], { callId: 'merged@peer', body: offer });
  peer.send(invite, 5062);
  await settle();
  const dup = sipRequest('INVITE', invite.uri, [
    ['Via', makeVia({ transport: 'UDP', host, port: 5070, branch: generateBranch() })],
    ...invite.headers.entries().filter(([n]) => n !== 'Via'),
  ], invite.body);
  assert.equal((await status(dup)).status, 482);

  // an answered call, then an in-dialog request with an old CSeq: 500
  bob.sessions.find((s) => s.callId === 'merged@peer')!.answer(answer);
  await settle();
  const ok = peer.responses().find((r) => r.status === 200 && cseq(r)?.method === 'INVITE')!;
  const tag = toAddr(ok)!.tag!;
  const inDialog = (method: string, seq: number): SipRequest =>
    peer.request(method, 5062, [], { callId: 'merged@peer', cseq: seq, uri: contactOf(ok) });
  const withTag = (r: SipRequest): SipRequest =>
    sipRequest(r.method, r.uri, r.headers.entries().map(([n, v]) => (n === 'To' ? [n, `${v};tag=${tag}`] : [n, v])), r.body);
  peer.send(withTag(peer.request('ACK', 5062, [], { callId: 'merged@peer', cseq: 1, uri: contactOf(ok) })), 5062);
  assert.equal((await status(withTag(inDialog('OPTIONS', 5)))).status, 200);
  assert.equal((await status(withTag(inDialog('OPTIONS', 3)))).status, 500);
  assert.equal((await status(withTag(inDialog('INFO', 6)))).status, 405);
  assert.equal((await status(withTag(inDialog('BYE', 7)))).status, 200);
  await stopped(bob);
});

test('malformed but parseable requests never throw out of the UA: no Contact, no From tag, a throwing TU', async () => {
  const net = new MemoryNet();
  const clock = new FakeClock();
  const bob = agent(net, clock, 5062, 'bob');
  bob.delegate = {
    onInvite: () => {
      throw new Error('TU bug');
    },
  };
  const peer = new RawPeer(net, 5070);
  const noContact = sipRequest('INVITE', `sip:bob@${host}:5062`, peer.request('INVITE', 5062, [], { body: offer }).headers.entries().filter(([n]) => n !== 'Contact'), offer);
  peer.send(noContact, 5062);
  const noTag = sipRequest(
    'INVITE',
    `sip:bob@${host}:5062`,
    peer.request('INVITE', 5062, [], { body: offer }).headers.entries().map(([n, v]) => (n === 'From' ? [n, `<sip:peer@${host}>`] : [n, v])),
    offer,
  );
  peer.send(noTag, 5062);
  peer.send(peer.request('INVITE', 5062, [], { body: offer }), 5062);
  // responses nobody asked for, an ACK for nothing
  void peer.transport.sendRequest(peer.request('ACK', 5062, [['To', `<sip:bob@${host}>;tag=zz`]]), { transport: 'udp', address: host, port: 5062 });
  void net.deliver(peer.transport, responseTo(peer.request('INVITE', 5062), 200, 'OK', [], { toTag: 'q' }), { transport: 'udp', address: host, port: 5062 });
  void net.deliver(peer.transport, responseTo(peer.request('BYE', 5062), 481, undefined, [], { toTag: 'q' }), { transport: 'udp', address: host, port: 5062 });
  await settle();
  const finals = peer.responses().filter((r) => r.status >= 200).map((r) => `${r.status} ${cseq(r)?.method}`);
  assert.deepEqual(finals.slice(0, 2), ['400 INVITE', '400 INVITE']);
  assert.equal(peer.responses().filter((r) => r.status === 180).length, 1, 'the call still rings though the TU threw');
  await stopped(bob);
});

test('the no-answer timer: without a handler the UA answers 480; with one the TU decides', async () => {
  const { clock, alice, bob } = twoAgents({}, { noAnswerSeconds: 20 });
  let handled = 0;
  bob.delegate = {
    onInvite: (s) => {
      if (handled === 0) s.delegate = {};
      else
        s.delegate = {
          onNoAnswer: () => {
            handled++;
            s.reject(603);
          },
        };
    },
  };
  const rec = recorder();
  alice.invite(`sip:bob@${host}:5062`, { sdp: offer, ...rec.delegate });
  await clock.run(19_000);
  assert.deepEqual(rec.events, ['progress 180']);
  await clock.run(1_000);
  assert.deepEqual(rec.events, ['progress 180', 'rejected 480']);
  handled = 1;
  const rec2 = recorder();
  alice.invite(`sip:bob@${host}:5062`, { sdp: offer, ...rec2.delegate });
  await clock.run(20_000);
  assert.equal(handled, 2);
  assert.deepEqual(rec2.events, ['progress 180', 'rejected 603']);
  await stopped(alice);
  await stopped(bob);
});

// ---------------------------------------------------------------------------------------------------------
// registration

/** A registrar played by the test: Digest-challenges, then grants `grant` seconds; `fail` answers 503. */
function registrar(net: MemoryNet, port: number, opts: { grant: number; fail?: () => boolean }) {
  const peer = new RawPeer(net, port);
  const bindings: Array<{ contact: string; expires: number }> = [];
  let nonce = 0;
  peer.transport.onMessage = (message, from) => {
    peer.received.push({ message, from });
    if (message.kind !== 'request' || message.method !== 'REGISTER') return;
    const entry = { message, from };
    if (opts.fail?.()) return peer.respond(entry, 503, [], { toTag: 'r' });
    const auth = message.headers.get('Authorization');
    if (!auth || !verifyDigest({ authorization: auth, method: 'REGISTER', realm: 'example', password: 'pw', nonce: `n${nonce}` })) {
      nonce++;
      return peer.respond(entry, 401, [['WWW-Authenticate', formatChallenge({ realm: 'example', nonce: `n${nonce}` })]], { toTag: 'r' });
    }
    const c = contacts(message);
    const requested = Number(message.headers.get('Expires'));
    const granted = requested === 0 ? 0 : opts.grant;
    if (c && c !== '*' && c[0]) bindings.push({ contact: c[0].uriText, expires: granted });
    peer.respond(entry, 200, c && c !== '*' && c[0] ? [['Contact', `<${c[0].uriText}>;expires=${granted}`]] : [], { toTag: 'r' });
  };
  return { peer, bindings };
}

test('REGISTER with Digest: challenged, registered, refreshed at half the granted time, removed on stop (Expires: 0)', async () => {
  const net = new MemoryNet();
  const clock = new FakeClock();
  const reg = registrar(net, 5080, { grant: 120 });
  const states: string[] = [];
  const alice = agent(net, clock, 5061, 'alice', {
    aor: `sip:alice@${host}`,
    credentials: { username: 'alice', password: 'pw' },
    registration: { registrar: `sip:${host}:5080`, expires: 3600 },
    outboundProxy: `sip:${host}:5080`,
  });
  alice.delegate = { onRegistration: (s, info) => states.push(`${s}${info.expires !== undefined ? ` ${info.expires}` : ''}`) };
  await settle();
  assert.equal(alice.hasRegistered, true);
  assert.deepEqual(states, ['registered 120']);
  const registers = reg.peer.requests('REGISTER').map((r) => r.message);
  assert.equal(registers.length, 2, 'one challenged, one accepted');
  assert.equal(registers[0]!.uri, `sip:${host}:5080`);
  assert.equal(registers[0]!.headers.get('To'), `<sip:alice@${host}>`);
  assert.equal(registers[0]!.headers.get('Route'), undefined, 'no Route to the registrar itself');
  assert.equal(registers[1]!.headers.get('Call-ID'), registers[0]!.headers.get('Call-ID'));
  assert.equal(cseq(registers[1]!)!.seq, cseq(registers[0]!)!.seq + 1);
  await clock.run(59_000);
  assert.equal(reg.peer.requests('REGISTER').length, 2);
  await clock.run(1_000);
  assert.equal(reg.peer.requests('REGISTER').length, 4, 'refreshed at 60 s (challenged again)');
  assert.equal(cseq(reg.peer.requests('REGISTER')[3]!.message)!.seq, cseq(registers[0]!)!.seq + 3);
  await stopped(alice);
  const last = reg.peer.requests('REGISTER').at(-1)!.message;
  assert.equal(last.headers.get('Expires'), '0');
  assert.deepEqual(reg.bindings.at(-1), { contact: `sip:alice@${host}:5061`, expires: 0 });
});

test('REGISTER failures back off exponentially (5, 10, 20 s …, capped) and recover', async () => {
  const net = new MemoryNet();
  const clock = new FakeClock();
  let failing = true;
  const reg = registrar(net, 5080, { grant: 3600, fail: () => failing });
  const states: string[] = [];
  const alice = agent(net, clock, 5061, 'alice', {
    aor: `sip:alice@${host}`,
    credentials: { username: 'alice', password: 'pw' },
    registration: { registrar: `sip:${host}:5080`, retryBaseSeconds: 5, retryMaxSeconds: 20 },
  });
  alice.delegate = {
    onRegistration: (s, info) => {
      if (s !== 'registering') states.push(`${s} ${info.status ?? info.expires} ${info.retryIn ?? ''}`.trim());
    },
  };
  await settle();
  await clock.run(5_000 + 10_000 + 20_000 + 20_000);
  assert.deepEqual(states, ['failed 503 5', 'failed 503 10', 'failed 503 20', 'failed 503 20', 'failed 503 20']);
  failing = false;
  await clock.run(20_000);
  assert.equal(states.at(-1), 'registered 3600');
  assert.equal(alice.hasRegistered, true);
  void reg;
  await stopped(alice);
});

test('a registrar that does not answer: local 408, retried', async () => {
  const net = new MemoryNet();
  const clock = new FakeClock();
  const states: string[] = [];
  const alice = agent(net, clock, 5061, 'alice', {
    aor: `sip:alice@${host}`,
    registration: { registrar: `sip:${host}:5999`, retryBaseSeconds: 1 },
  });
  alice.delegate = { onRegistration: (s, info) => states.push(`${s} ${info.status ?? ''}`.trim()) };
  await clock.run(32_000);
  assert.deepEqual(states, ['failed 408']);
  await clock.run(1_000 + 32_000);
  assert.deepEqual(states, ['failed 408', 'registering', 'failed 408']);
  await stopped(alice);
});

// ---------------------------------------------------------------------------------------------------------
// availability

test('availability: a hometel peer refuses SUBSCRIBE (405), so OPTIONS probes decide; a dead peer is unavailable; unwatch stops', async () => {
  const { net, clock, alice, bob } = twoAgents({ presence: true, probeIntervalSeconds: 30 });
  const seen: string[] = [];
  alice.watch(`sip:bob@${host}:5062`, (a) => seen.push(`bob ${a}`));
  alice.watch(`sip:dave@${host}:5999`, (a) => seen.push(`dave ${a}`));
  await settle();
  assert.equal(net.responses(405, 'SUBSCRIBE').length, 1);
  assert.deepEqual(seen, ['bob true']);
  assert.equal(alice.watching(`sip:bob@${host}:5062`)?.method, 'options');
  await clock.run(64 * 500);
  assert.deepEqual(seen, ['bob true', 'dave false']);
  const probes = net.requests('OPTIONS', 5062).length;
  await stopped(bob);
  net.remove(5062);
  await clock.run(30_000 + 64 * 500);
  assert.deepEqual(seen, ['bob true', 'dave false', 'bob false']);
  assert.ok(net.requests('OPTIONS', 5062).length > probes);
  alice.unwatch(`sip:bob@${host}:5062`);
  alice.unwatch(`sip:dave@${host}:5999`);
  const after = net.requests('OPTIONS').length;
  await clock.run(120_000);
  assert.equal(net.requests('OPTIONS').length, after, 'no probes once unwatched');
  await stopped(alice);
});

test('availability: RFC 3856 presence — NOTIFY with PIDF open/closed is reported; a terminated subscription falls back to OPTIONS', async () => {
  const net = new MemoryNet();
  const clock = new FakeClock();
  const alice = agent(net, clock, 5061, 'alice', { presence: true });
  const notifier = new RawPeer(net, 5070);
  const seen: boolean[] = [];
  alice.watch(`sip:carol@${host}:5070`, (a) => seen.push(a));
  await settle();
  const sub = notifier.last('SUBSCRIBE');
  assert.equal(sub.message.headers.get('Event'), 'presence');
  assert.equal(sub.message.headers.get('Accept'), 'application/pidf+xml');
  notifier.respond(sub, 200, [['Contact', `<sip:carol@${host}:5070>`], ['Expires', '600']], { toTag: 'n1' });
  let seq = 1;
  const notify = (state: string, basic?: 'open' | 'closed'): void => {
    const body = basic
      ? `<?xml version="1.0"?><presence xmlns="urn:ietf:params:xml:ns:pidf" entity="sip:carol@${host}"><tuple id="t"><status><basic>${basic}</basic></status></tuple></presence>`
      : '';
    notifier.send(
      sipRequest(
        'NOTIFY',
        `sip:alice@${host}:5061`,
        [
          ['Via', makeVia({ transport: 'UDP', host, port: 5070, branch: generateBranch() })],
          ['Max-Forwards', '70'],
          ['From', `<sip:carol@${host}:5070>;tag=n1`],
          ['To', sub.message.headers.get('From')!],
          ['Call-ID', sub.message.headers.get('Call-ID')!],
          ['CSeq', `${seq++} NOTIFY`],
          ['Contact', `<sip:carol@${host}:5070>`],
          ['Event', 'presence'],
          ['Subscription-State', state],
          ...(body ? [['Content-Type', 'application/pidf+xml'] as const] : []),
        ],
        body,
      ),
      5061,
    );
  };
  notify('active;expires=600', 'closed');
  await settle();
  notify('active;expires=590', 'open');
  await settle();
  assert.deepEqual(seen, [false, true]);
  assert.equal(net.responses(200, 'NOTIFY').length, 2);
  await clock.run(300_000);
  assert.equal(notifier.requests('SUBSCRIBE').length, 2, 'refreshed at half the lifetime');
  assert.match(notifier.last('SUBSCRIBE').message.headers.get('To')!, /tag=n1/, 'in the dialog');
  notifier.respond(notifier.last('SUBSCRIBE'), 200, [['Expires', '600']]);
  notify('terminated;reason=rejected');
  await settle();
  assert.equal(alice.watching(`sip:carol@${host}:5070`)?.method, 'options');
  const probe = notifier.last('OPTIONS');
  notifier.respond(probe, 486, [], { toTag: 'b' });
  await settle();
  assert.deepEqual(seen, [false, true, false]);
  alice.unwatch(`sip:carol@${host}:5070`);
  await stopped(alice);
});

// ---------------------------------------------------------------------------------------------------------
// mapping helpers

test('reachable(): 2xx and most 4xx are someone there; 404/408/480/486, 5xx, 6xx and local failures are not', () => {
  for (const s of [200, 202, 401, 403, 405, 407, 415, 481, 489]) assert.equal(reachable(s), true, String(s));
  for (const s of [302, 404, 408, 410, 480, 484, 486, 500, 503, 600, 603]) assert.equal(reachable(s), false, String(s));
  assert.equal(reachable(408, 'timeout'), false);
  assert.equal(pidfBasic('<p:basic>open</p:basic>'), true);
  assert.equal(pidfBasic('<basic> closed </basic>'), false);
  assert.equal(pidfBasic('<note/>'), undefined);
});

test('design.md mapping: final responses to Table 2-5 reasons; callers from the From header (RFC 3323 anonymity)', () => {
  assert.deepEqual(
    [486, 600, 404, 604, 488, 606, 603, 403, 480, 500, 408].map(lineFailureOf),
    ['Busy', 'Busy', 'Not Found', 'Not Found', 'Not Acceptable Capability', 'Not Acceptable Capability', 'Rejected', 'Rejected', 'Error', 'Error', 'Error'],
  );
  const inv = (from: string, extra: HeaderInput = []): SipRequest =>
    sipRequest('INVITE', 'sip:bob@h', [['From', from], ['To', '<sip:bob@h>'], ['Call-ID', 'c'], ['CSeq', '1 INVITE'], ['Max-Forwards', '70'], ...extra]);
  assert.deepEqual(remotePeerOf(inv('"Alice" <sip:alice@example.com>;tag=1')), { id: 'alice', name: 'Alice' });
  assert.deepEqual(remotePeerOf(inv('<tel:+1-555-0100>;tag=1')), { id: '+1-555-0100' });
  assert.deepEqual(remotePeerOf(inv('"Anonymous" <sip:anonymous@anonymous.invalid>;tag=1')), { id: 'anonymous' });
  assert.deepEqual(remotePeerOf(inv('"Alice" <sip:alice@example.com>;tag=1', [['Privacy', 'id']])), { id: 'anonymous' });
  assert.deepEqual(remotePeerOf(inv('<sip:example.com>;tag=1')), { id: 'example.com' });
});

function contactOf(r: SipResponse): string {
  const c = contacts(r);
  assert.ok(c && c !== '*' && c[0]);
  return c[0].uriText;
}

test('RFC 3261 13.3.1.1: a TU that rings when told — no 180 when the INVITE is handed on, one 180 when it rings', async () => {
  const { clock, alice, bob } = twoAgents();
  let ring: (() => void) | undefined;
  bob.delegate = {
    onInvite: (s) => {
      s.ringWhenTold();
      ring = () => s.ring();
    },
  };
  const rec = recorder();
  alice.invite(`sip:bob@${host}:5062`, { sdp: offer, ...rec.delegate });
  await clock.run(1_000);
  assert.deepEqual(rec.events, [], 'nothing but the 100 Trying before the TU rings');
  ring?.();
  await clock.run(100);
  assert.deepEqual(rec.events, ['progress 180']);
  await stopped(alice);
  await stopped(bob);
});
