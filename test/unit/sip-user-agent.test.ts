/**
 * The SIP user agent on an in-memory network (messages serialized and parsed again, delivered in
 * microtasks) with a fake clock: two hometel UAs calling each other, and scripted peers that answer
 * exactly as a test needs (challenges, forks, crossing CANCEL, registrar, presence notifier).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { FakeClock as BaseClock } from '../support/fake-clock.js';
import {
  addHeader,
  contacts,
  cseq,
  formatChallenge,
  fromAddr,
  generateBranch,
  makeVia,
  parseSipMessage,
  request as sipRequest,
  responseTo,
  serializeSipMessage,
  toAddr,
  verifyDigest,
  type HeaderInput,
  type SipMessage,
  type SipPeer,
  type SipRequest,
  type SipResponse,
} from '../../src/sip/message/index.js';
import { responseDestination, stampReceived, type SipSource } from '../../src/sip/transport/index.js';
import {
  UserAgent,
  cancelFor,
  pidfBasic,
  reachable,
  type InviteSession,
  type UaTransport,
  type UserAgentOptions,
} from '../../src/sip/user-agent/index.js';
import { lineFailureOf, remotePeerOf } from '../../src/sip/bridge/sip-line.js';
import { testLogger } from '../support/net.js';

// ---------------------------------------------------------------------------------------------------------
// doubles

/** The FakeClock; `run` moves time as `advance` does, letting the network deliver between timers. */
class FakeClock extends BaseClock {
  async run(ms: number): Promise<void> {
    const end = this.t + ms;
    do await settle();
    while (this.fireNext(end));
    this.t = end;
    await settle();
  }
}

/** Lets queued deliveries and promise chains run. */
async function settle(): Promise<void> {
  for (let i = 0; i < 10; i++) await new Promise((r) => setImmediate(r));
}

interface Wire {
  readonly message: SipMessage;
  readonly from: string;
  readonly to: string;
  readonly dropped: boolean;
}

const host = '127.0.0.1';

/** Endpoints by port; a message to a port nobody listens on is lost (UDP) or refused (TCP). */
class MemoryNet {
  readonly wire: Wire[] = [];
  private readonly nodes = new Map<number, MemoryTransport>();
  drop?: (m: SipMessage, from: number, to: number) => boolean;

  endpoint(port: number): MemoryTransport {
    const t = new MemoryTransport(this, port);
    this.nodes.set(port, t);
    return t;
  }

  remove(port: number): void {
    this.nodes.delete(port);
  }

  deliver(from: MemoryTransport, message: SipMessage, to: SipPeer): Promise<void> {
    const bytes = serializeSipMessage(message);
    const dropped = this.drop?.(message, from.port, to.port) ?? false;
    this.wire.push({ message, from: `${from.port}`, to: `${to.port}`, dropped });
    const target = this.nodes.get(to.port);
    if (!target) return to.transport === 'tcp' ? Promise.reject(new Error('ECONNREFUSED')) : Promise.resolve();
    if (dropped) return Promise.resolve();
    queueMicrotask(() => {
      const parsed = parseSipMessage(bytes);
      if (!parsed.ok) throw new Error(`sent an unparseable message: ${parsed.reason}`);
      const source: SipSource = { transport: to.transport, address: host, port: from.port };
      let m = parsed.message;
      if (m.kind === 'request') m = stampReceived(m, source)!;
      target.onMessage?.(m, source);
    });
    return Promise.resolve();
  }

  /** Messages on the wire matching a predicate (requests by method, responses by status). */
  sent(pred: (m: SipMessage, w: Wire) => boolean): SipMessage[] {
    return this.wire.filter((w) => pred(w.message, w)).map((w) => w.message);
  }

  requests(method: string, to?: number): SipRequest[] {
    return this.sent((m, w) => m.kind === 'request' && m.method === method && (to === undefined || w.to === String(to))) as SipRequest[];
  }

  responses(status: number, method?: string): SipResponse[] {
    return this.sent((m) => m.kind === 'response' && m.status === status && (method === undefined || cseq(m)?.method === method)) as SipResponse[];
  }
}

class MemoryTransport implements UaTransport {
  onMessage?: (message: SipMessage, from: SipSource) => void;
  constructor(
    private readonly net: MemoryNet,
    readonly port: number,
  ) {}
  sendRequest(request: SipRequest, to: SipPeer): Promise<void> {
    return this.net.deliver(this, request, to);
  }
  sendResponse(response: SipResponse, source: SipSource): Promise<void> {
    return this.net.deliver(this, response, responseDestination(response, source));
  }
}

/** A peer played by the test: records what arrives, answers by hand. */
class RawPeer {
  readonly received: Array<{ message: SipMessage; from: SipSource }> = [];
  readonly transport: MemoryTransport;
  constructor(
    net: MemoryNet,
    readonly port: number,
  ) {
    this.transport = net.endpoint(port);
    this.transport.onMessage = (message, from) => this.received.push({ message, from });
  }
  requests(method: string): Array<{ message: SipRequest; from: SipSource }> {
    return this.received.filter((r) => r.message.kind === 'request' && r.message.method === method) as Array<{ message: SipRequest; from: SipSource }>;
  }
  responses(): SipResponse[] {
    return this.received.filter((r) => r.message.kind === 'response').map((r) => r.message as SipResponse);
  }
  last(method: string): { message: SipRequest; from: SipSource } {
    const all = this.requests(method);
    const r = all[all.length - 1];
    assert.ok(r, `${method} received by the peer on ${this.port}`);
    return r;
  }
  respond(to: { message: SipRequest; from: SipSource }, status: number, extra: HeaderInput = [], opts: { toTag?: string; body?: string } = {}): SipResponse {
    const r = responseTo(to.message, status, undefined, extra, { ...(opts.toTag ? { toTag: opts.toTag } : {}), ...(opts.body ? { body: opts.body } : {}) });
    void this.transport.sendResponse(r, to.from);
    return r;
  }
  send(req: SipRequest, port: number): void {
    void this.transport.sendRequest(req, { transport: 'udp', address: host, port });
  }
  /** A request from this peer to `port` with the usual headers. */
  /** A request from this peer to `port` with the usual headers; `headers` replace defaults of the same name. */
  request(method: string, port: number, headers: HeaderInput = [], opts: { uri?: string; body?: string; callId?: string; cseq?: number } = {}): SipRequest {
    const defaults: HeaderInput = [
      ['Via', makeVia({ transport: 'UDP', host, port: this.port, branch: generateBranch(), rport: true })],
      ['Max-Forwards', '70'],
      ['From', `<sip:peer@${host}:${this.port}>;tag=p1`],
      ['To', `<sip:bob@${host}:${port}>`],
      ['Call-ID', opts.callId ?? `${Math.random()}@peer`],
      ['CSeq', `${opts.cseq ?? 1} ${method}`],
      ['Contact', `<sip:peer@${host}:${this.port}>`],
      ...(opts.body ? [['Content-Type', 'application/sdp'] as const] : []),
    ];
    const given = new Set(headers.map(([n]) => n.toLowerCase()));
    return sipRequest(method, opts.uri ?? `sip:bob@${host}:${port}`, [...defaults.filter(([n]) => !given.has(n.toLowerCase())), ...headers], opts.body ?? '');
  }
}

const offer = 'v=0\r\no=- 1 1 IN IP4 127.0.0.1\r\ns=-\r\nc=IN IP4 127.0.0.1\r\nt=0 0\r\nm=audio 4000 RTP/AVP 0\r\n';
const answer = offer.replace('4000', '5000');
const offer2 = offer.replace('4000', '4002');
const answer2 = offer.replace('4000', '5002');

const clocks = new WeakMap<UserAgent, FakeClock>();

/** Stops a UA, moving its clock on so that requests nobody answers time out. */
async function stopped(ua: UserAgent): Promise<void> {
  const done = ua.stop();
  await clocks.get(ua)?.run(5_000);
  await done;
}

function agent(net: MemoryNet, clock: FakeClock, port: number, user: string, opts: Partial<UserAgentOptions> = {}): UserAgent {
  const ua = new UserAgent({
    transport: net.endpoint(port),
    host,
    port,
    transports: ['udp'],
    user,
    aor: `sip:${user}@${host}:${port}`,
    clock,
    logger: testLogger(`ua.${user}`),
    presence: false,
    ...opts,
  });
  clocks.set(ua, clock);
  ua.start();
  return ua;
}

/** Records what a session reports. */
function recorder(): { events: string[]; delegate: Parameters<UserAgent['invite']>[1] & object } {
  const events: string[] = [];
  return {
    events,
    delegate: {
      delegate: {
        onProgress: (r) => events.push(`progress ${r.status}`),
        onAccepted: (sdp) => events.push(`accepted ${sdp ? 'sdp' : 'none'}`),
        onRejected: (r, local) => events.push(`rejected ${r.status}${local ? ` ${local}` : ''}`),
        onEnded: (cause) => events.push(`ended ${cause}`),
        onModifyAccepted: (sdp) => events.push(`modify accepted ${sdp === answer2 ? 'answer2' : String(sdp)}`),
        onModifyRejected: (status) => events.push(`modify rejected ${status}`),
        onModifyRequest: () => events.push('modify request'),
        onModifyCancelled: () => events.push('modify cancelled'),
      },
    },
  };
}

interface Callee {
  readonly sessions: InviteSession[];
  readonly events: string[];
}

/** Makes `ua` record incoming calls; `onCall` may answer or reject at once. */
function callee(ua: UserAgent, onCall?: (s: InviteSession) => void): Callee {
  const sessions: InviteSession[] = [];
  const events: string[] = [];
  ua.delegate = {
    onInvite: (s) => {
      sessions.push(s);
      events.push('invite');
      s.delegate = {
        onCancelled: () => events.push('cancelled'),
        onEnded: (cause) => events.push(`ended ${cause}`),
        onModifyRequest: (sdp) => events.push(`modify request ${sdp === offer2 ? 'offer2' : 'other'}`),
        onModifyCancelled: () => events.push('modify cancelled'),
        onModifyAccepted: () => events.push('modify accepted'),
        onModifyRejected: (status) => events.push(`modify rejected ${status}`),
      };
      onCall?.(s);
    },
  };
  return { sessions, events };
}

async function established(
  bobOptions: Partial<UserAgentOptions> = {},
): Promise<{ net: MemoryNet; clock: FakeClock; alice: UserAgent; bob: UserAgent; a: InviteSession; b: InviteSession; ae: string[]; be: string[] }> {
  const net = new MemoryNet();
  const clock = new FakeClock();
  const alice = agent(net, clock, 5061, 'alice');
  const bob = agent(net, clock, 5062, 'bob', bobOptions);
  const c = callee(bob, (s) => s.answer(answer));
  const rec = recorder();
  const a = alice.invite(`sip:bob@${host}:5062`, { sdp: offer, ...rec.delegate });
  await settle();
  assert.equal(a.state, 'confirmed');
  assert.equal(c.sessions[0]!.state, 'confirmed');
  return { net, clock, alice, bob, a, b: c.sessions[0]!, ae: rec.events, be: c.events };
}

// ---------------------------------------------------------------------------------------------------------
// calls between two UAs

test('a call: INVITE → 180 → 200 with the SDP answer → ACK; BYE from the caller ends it at the callee', async () => {
  const net = new MemoryNet();
  const clock = new FakeClock();
  const alice = agent(net, clock, 5061, 'alice', { displayName: 'Alice' });
  const bob = agent(net, clock, 5062, 'bob');
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
  await stopped(alice);
  await stopped(bob);
});

test('BYE from the callee ends the call at the caller', async () => {
  const { alice, bob, b, ae } = await established();
  b.bye();
  await settle();
  assert.deepEqual(ae, ['accepted sdp', 'ended bye']);
  await stopped(alice);
  await stopped(bob);
});

test('RFC 3261 13.3.1.4: the 200 is retransmitted until the ACK (the first ACK lost); the caller ACKs the retransmission', async () => {
  const net = new MemoryNet();
  const clock = new FakeClock();
  const alice = agent(net, clock, 5061, 'alice');
  const bob = agent(net, clock, 5062, 'bob');
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
  await stopped(alice);
  await stopped(bob);
});

test('RFC 3261 13.3.1.4: no ACK within 64·T1 → the callee sends BYE and reports the call dead', async () => {
  const net = new MemoryNet();
  const clock = new FakeClock();
  const alice = agent(net, clock, 5061, 'alice');
  const bob = agent(net, clock, 5062, 'bob');
  const c = callee(bob, (s) => s.answer(answer));
  net.drop = (m) => m.kind === 'request' && m.method === 'ACK';
  alice.invite(`sip:bob@${host}:5062`, { sdp: offer });
  await settle();
  await clock.run(64 * 500);
  assert.deepEqual(c.events, ['invite', 'ended no-ack']);
  assert.equal(net.requests('BYE').length, 1);
  assert.ok(net.responses(200, 'INVITE').length >= 7, 'retransmitted at T1, 2T1, 4T1, then every T2');
  await stopped(alice);
  await stopped(bob);
});

test('a callee that hangs up before the ACK sends its BYE once the ACK is there (RFC 3261 15)', async () => {
  const net = new MemoryNet();
  const clock = new FakeClock();
  const alice = agent(net, clock, 5061, 'alice');
  const bob = agent(net, clock, 5062, 'bob');
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
  await stopped(alice);
  await stopped(bob);
});

test('rejections: 486, 603 and 404 for a user the UA does not serve; a callee without a delegate answers 480', async () => {
  const net = new MemoryNet();
  const clock = new FakeClock();
  const alice = agent(net, clock, 5061, 'alice');
  const bob = agent(net, clock, 5062, 'bob');
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
  const net = new MemoryNet();
  const clock = new FakeClock();
  const alice = agent(net, clock, 5061, 'alice');
  const bob = agent(net, clock, 5062, 'bob');
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
  await stopped(alice);
  await stopped(bob);
});

test('RFC 3261 9.1: a CANCEL waits for a provisional response; a 2xx crossing it is ACKed and ended with BYE', async () => {
  const net = new MemoryNet();
  const clock = new FakeClock();
  const alice = agent(net, clock, 5061, 'alice');
  const peer = new RawPeer(net, 5070);
  const rec = recorder();
  const a = alice.invite(`sip:peer@${host}:5070`, { sdp: offer, ...rec.delegate });
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
  const net = new MemoryNet();
  const clock = new FakeClock();
  const alice = agent(net, clock, 5061, 'alice', { credentials: { username: 'alice', password: 'secret' } });
  const peer = new RawPeer(net, 5070);
  const rec = recorder();
  alice.invite(`sip:peer@${host}:5070`, { sdp: offer, ...rec.delegate });
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
  const net = new MemoryNet();
  const clock = new FakeClock();
  const alice = agent(net, clock, 5061, 'alice', { credentials: { username: 'alice', password: 'wrong' } });
  const peer = new RawPeer(net, 5070);
  const rec = recorder();
  alice.invite(`sip:peer@${host}:5070`, { sdp: offer, ...rec.delegate });
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
  const net = new MemoryNet();
  const clock = new FakeClock();
  const alice = agent(net, clock, 5061, 'alice', {
    credentials: { username: 'alice', password: 'secret' },
    registration: { registrar: `sip:${host}:5999` },
  });
  const peer = new RawPeer(net, 5070);
  const rec = recorder();
  alice.invite(`sip:peer@${host}:5070`, { sdp: offer, ...rec.delegate });
  await settle();
  peer.respond(peer.last('INVITE'), 401, [['WWW-Authenticate', formatChallenge({ realm: 'evil', nonce: 'n' })]], { toTag: 'x' });
  await settle();
  assert.equal(peer.requests('INVITE').length, 1);
  assert.deepEqual(rec.events, ['rejected 401']);
  await stopped(alice);
});

test('RFC 3261 13.2.2.4: a 2xx from a second fork is ACKed and ended with BYE; a retransmitted 2xx is ACKed again', async () => {
  const net = new MemoryNet();
  const clock = new FakeClock();
  const alice = agent(net, clock, 5061, 'alice');
  const peer = new RawPeer(net, 5070);
  const rec = recorder();
  const a = alice.invite(`sip:peer@${host}:5070`, { sdp: offer, ...rec.delegate });
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
  const { alice, bob, a, b, ae, be } = await established();
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
  await stopped(alice);
  await stopped(bob);
});

test('re-INVITE from the callee accepted and rejected', async () => {
  const { alice, bob, b, ae, be } = await established();
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
  await stopped(alice);
  await stopped(bob);
});

test('RFC 3261 14: glare — both sides re-INVITE at once and both get 491', async () => {
  const { clock, alice, bob, a, b, ae, be } = await established();
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
  await stopped(alice);
  await stopped(bob);
});

test('a re-INVITE without an offer is a refresh: 200 with our current SDP, the TU is not asked', async () => {
  const { net, alice, bob, b, be } = await established();
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
  await stopped(alice);
  await stopped(bob);
});

test('RFC 3261 14.1: a re-INVITE that times out ends the call (dead peer), with BYE', async () => {
  const { net, clock, alice, bob, a, ae } = await established();
  net.drop = (_m, from) => from === 5062;
  a.modify(offer2);
  await clock.run(64 * 500);
  assert.deepEqual(ae, ['accepted sdp', 'ended dead-peer']);
  assert.equal(a.state, 'terminated');
  assert.ok(net.requests('BYE').length >= 1);
  await stopped(alice);
  await stopped(bob);
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
  const { clock, alice, bob, a, ae, be } = await established();
  a.modify(offer2);
  await settle();
  await clock.run(60_000);
  assert.deepEqual(be, ['invite', 'modify request offer2', 'modify cancelled']);
  assert.deepEqual(ae, ['accepted sdp', 'modify rejected 488']);
  assert.equal(a.state, 'confirmed');
  await stopped(alice);
  await stopped(bob);
});

test('a re-INVITE stuck after its 100 Trying is cancelled by the caller (487, refused), the call goes on', async () => {
  const { net, clock, alice, bob, a, ae, be } = await established({ noAnswerSeconds: 600 });
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
  await stopped(alice);
  await stopped(bob);
});

test('a re-INVITE whose CANCEL brings no final response either is given up 64·T1 after the CANCEL', async () => {
  const { net, clock, alice, bob, a, ae } = await established({ noAnswerSeconds: 600 });
  net.drop = (m, from) => from === 5062 && m.kind === 'response' && m.status >= 200;
  a.modify(offer2);
  await clock.run(60_000 + 64 * 500);
  assert.equal(net.requests('CANCEL').length, 1);
  assert.deepEqual(ae, ['accepted sdp']);
  await clock.run(64 * 500);
  assert.deepEqual(ae, ['accepted sdp', 'modify rejected 487']);
  assert.equal(a.state, 'confirmed');
  await stopped(alice);
  await stopped(bob);
});

test('in-dialog OPTIONS keep-alive: a peer that vanished ends the call', async () => {
  const net = new MemoryNet();
  const clock = new FakeClock();
  const alice = agent(net, clock, 5061, 'alice', { keepaliveSeconds: 30 });
  const bob = agent(net, clock, 5062, 'bob');
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
  await stopped(alice);
  await stopped(bob);
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
  const net = new MemoryNet();
  const clock = new FakeClock();
  const alice = agent(net, clock, 5061, 'alice');
  const bob = agent(net, clock, 5062, 'bob', { noAnswerSeconds: 20 });
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
  const net = new MemoryNet();
  const clock = new FakeClock();
  const alice = agent(net, clock, 5061, 'alice', { presence: true, probeIntervalSeconds: 30 });
  const bob = agent(net, clock, 5062, 'bob');
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
