/**
 * The SIP user agent's test setup: an in-memory network (messages serialized and parsed again, delivered in
 * microtasks) with a fake clock, hometel UAs on it (`agent`, `twoAgents`, `established`), peers played by the test
 * (`RawPeer`), and recorders of what a caller's or a callee's session reports.
 */
import assert from 'node:assert/strict';
import { FakeClock as BaseClock } from './fake-clock.js';
import {
  cseq,
  generateBranch,
  makeVia,
  parseSipMessage,
  request as sipRequest,
  responseTo,
  serializeSipMessage,
  type HeaderInput,
  type SipMessage,
  type SipPeer,
  type SipRequest,
  type SipResponse,
} from '../../src/sip/message/index.js';
import { responseDestination, stampReceived, type SipSource } from '../../src/sip/transport/index.js';
import { UserAgent, type InviteSession, type UaTransport, type UserAgentOptions } from '../../src/sip/user-agent/index.js';
import { testLogger } from './net.js';

/** The FakeClock; `run` moves time as `advance` does, letting the network deliver between timers. */
export class FakeClock extends BaseClock {
  async run(ms: number): Promise<void> {
    const end = this.t + ms;
    do await settle();
    while (this.fireNext(end));
    this.t = end;
    await settle();
  }
}

/** Lets queued deliveries and promise chains run. */
export async function settle(): Promise<void> {
  for (let i = 0; i < 10; i++) await new Promise((r) => setImmediate(r));
}

export interface Wire {
  readonly message: SipMessage;
  readonly from: string;
  readonly to: string;
  readonly dropped: boolean;
}

export const host = '127.0.0.1';

/** Endpoints by port; a message to a port nobody listens on is lost (UDP) or refused (TCP). */
export class MemoryNet {
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

export class MemoryTransport implements UaTransport {
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
export class RawPeer {
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

export const offer = 'v=0\r\no=- 1 1 IN IP4 127.0.0.1\r\ns=-\r\nc=IN IP4 127.0.0.1\r\nt=0 0\r\nm=audio 4000 RTP/AVP 0\r\n';
export const answer = offer.replace('4000', '5000');
export const offer2 = offer.replace('4000', '4002');
export const answer2 = offer.replace('4000', '5002');

const clocks = new WeakMap<UserAgent, FakeClock>();

/** Stops a UA, moving its clock on so that requests nobody answers time out. */
export async function stopped(ua: UserAgent): Promise<void> {
  const done = ua.stop();
  await clocks.get(ua)?.run(5_000);
  await done;
}

export function agent(net: MemoryNet, clock: FakeClock, port: number, user: string, opts: Partial<UserAgentOptions> = {}): UserAgent {
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
export function recorder(): { events: string[]; delegate: Parameters<UserAgent['invite']>[1] & object } {
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

export interface Callee {
  readonly sessions: InviteSession[];
  readonly events: string[];
}

/** Makes `ua` record incoming calls; `onCall` may answer or reject at once. */
export function callee(ua: UserAgent, onCall?: (s: InviteSession) => void): Callee {
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

export interface TwoAgents {
  readonly net: MemoryNet;
  readonly clock: FakeClock;
  /** sip:alice@127.0.0.1:5061 */
  readonly alice: UserAgent;
  /** sip:bob@127.0.0.1:5062 */
  readonly bob: UserAgent;
  /** Stops alice, then bob (each as `stopped` does). */
  readonly stop: () => Promise<void>;
}

/** The usual pair: alice and bob started on one in-memory network and one clock. */
export function twoAgents(aliceOptions: Partial<UserAgentOptions> = {}, bobOptions: Partial<UserAgentOptions> = {}): TwoAgents {
  const net = new MemoryNet();
  const clock = new FakeClock();
  const alice = agent(net, clock, 5061, 'alice', aliceOptions);
  const bob = agent(net, clock, 5062, 'bob', bobOptions);
  return {
    net,
    clock,
    alice,
    bob,
    stop: async () => {
      await stopped(alice);
      await stopped(bob);
    },
  };
}

/** alice has called bob, who answered: both sessions confirmed. */
export async function established(
  bobOptions: Partial<UserAgentOptions> = {},
): Promise<TwoAgents & { a: InviteSession; b: InviteSession; ae: string[]; be: string[] }> {
  const ua = twoAgents({}, bobOptions);
  const c = callee(ua.bob, (s) => s.answer(answer));
  const rec = recorder();
  const a = ua.alice.invite(`sip:bob@${host}:5062`, { sdp: offer, ...rec.delegate });
  await settle();
  assert.equal(a.state, 'confirmed');
  assert.equal(c.sessions[0]!.state, 'confirmed');
  return { ...ua, a, b: c.sessions[0]!, ae: rec.events, be: c.events };
}

/** alice (with `options`) has sent an INVITE with `offer` to a peer the test plays on 5070; `rec` records her session. */
export function aliceCallsPeer(options: Partial<UserAgentOptions> = {}): {
  net: MemoryNet;
  clock: FakeClock;
  alice: UserAgent;
  peer: RawPeer;
  rec: ReturnType<typeof recorder>;
  a: InviteSession;
} {
  const net = new MemoryNet();
  const clock = new FakeClock();
  const alice = agent(net, clock, 5061, 'alice', options);
  const peer = new RawPeer(net, 5070);
  const rec = recorder();
  const a = alice.invite(`sip:peer@${host}:5070`, { sdp: offer, ...rec.delegate });
  return { net, clock, alice, peer, rec, a };
}
