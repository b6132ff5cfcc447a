/**
 * The SIP user agent (RFC 3261 8, 12–15, 10): the transaction user over hometel's transaction layer. It
 * places and receives calls (`InviteSession`), registers with a registrar (`Registration`), watches callees'
 * availability (`AvailabilityWatch`), answers OPTIONS, and checks every request it is handed the way RFC 3261
 * 8.2 orders it: method (405), Request-URI (416, 404), merged requests (482), Require (420), content (415),
 * dialog (481) and CSeq order (500). Out-of-dialog requests go through the outbound proxy when one is set.
 *
 * Nothing received can throw out of the UA: each request, ACK and stray response is handled under a guard,
 * and every call into the TU (delegates) is guarded too.
 */
import { lookup } from 'node:dns/promises';
import { isIP } from 'node:net';
import { randomBytes } from 'node:crypto';
import { errorDetail, errorMessage, silentLogger, systemClock, type Clock, type Logger, type TimerHandle } from '../../base/index.js';
import { dialogKey, type Dialog } from '../dialog/dialog.js';
import { responseTo, type HeaderInput } from '../message/codec.js';
import { addHeader, callId, cseq, fromAddr, generateBranch, generateTag, makeVia, optionTags, toAddr } from '../message/headers.js';
import type { SipMessage, SipPeer, SipRequest, SipResponse } from '../message/types.js';
import { formatUri, parseUri, sipUri } from '../message/uri.js';
import {
  resolveTimers,
  TransactionLayer,
  type InviteServerTransaction,
  type NonInviteServerTransaction,
  type ServerTransaction,
  type TimerConfig,
} from '../transaction/index.js';
import { defaultSipPort, type SipSource } from '../transport/transport.js';
import { AuthState, NonceCounter } from './auth.js';
import { AvailabilityWatch, type WatchHost } from './availability.js';
import type { OutgoingRequest, SendHandlers, UaContext, UaSettings } from './context.js';
import { InviteSession, type InviteOptions, type SessionHost } from './invite-session.js';
import { allowedMethods, supportedOptions, type SipTransportName, type UaCredentials, type UaTransport, type UserAgentOptions } from './options.js';
import { Registration, type RegistrationInfo, type RegistrationState } from './registration.js';
import { reply } from './requests.js';

export interface UserAgentDelegate {
  /** A new incoming call. Set `session.delegate` here; answer or reject now or later. Without it: 480. */
  onInvite?(session: InviteSession): void;
  /**
   * Asked before a new INVITE becomes a session: false when the delegate answered `tx` itself (a Digest challenge,
   * 403). Without it every INVITE is admitted.
   */
  admitInvite?(tx: InviteServerTransaction): boolean;
  onRegistration?(state: RegistrationState, info: RegistrationInfo): void;
  /**
   * A request the UA itself does not handle: out of dialog, any method of `extraMethods` (REGISTER, SUBSCRIBE …);
   * in a dialog that is not an INVITE session's or a watch's (a subscription's refresh), any allowed method. The
   * delegate responds on `tx`; returning false (or no delegate) answers 481 in a dialog and 405 out of one.
   */
  onRequest?(tx: ServerTransaction): boolean;
}

export class UserAgent implements UaContext, SessionHost, WatchHost {
  delegate: UserAgentDelegate = {};
  readonly clock: Clock;
  readonly logger: Logger;
  readonly timers: TimerConfig;
  readonly layer: TransactionLayer;
  readonly settings: UaSettings;
  private readonly transport: UaTransport;
  private readonly live = new Set<InviteSession>();
  private readonly dialogs = new Map<string, InviteSession>();
  private readonly byCallId = new Map<string, InviteSession>();
  private readonly byServerTx = new WeakMap<ServerTransaction, InviteSession>();
  private readonly merged = new Map<string, InviteSession>();
  private readonly watches = new Map<string, AvailabilityWatch>();
  private readonly subscriptions = new Map<string, AvailabilityWatch>();
  private readonly running = new Set<TimerHandle>();
  private readonly nonces = new NonceCounter();
  private readonly registration?: Registration;
  private readonly idPrefix = randomBytes(3).toString('hex');
  private readonly methods: readonly string[];
  private readonly allow: string;
  private nextId = 1;
  private awaitingFinal = 0;
  private readonly drainWaiters: Array<() => void> = [];
  private started = false;
  private stopped = false;
  private closed = false;

  constructor(private readonly opts: UserAgentOptions) {
    if (opts.transports.length === 0) throw new Error('a user agent needs at least one transport');
    this.methods = [...allowedMethods, ...(opts.extraMethods ?? []).filter((m) => !(allowedMethods as readonly string[]).includes(m))];
    this.allow = this.methods.join(', ');
    this.transport = opts.transport;
    this.clock = opts.clock ?? systemClock;
    this.logger = opts.logger ?? silentLogger;
    this.timers = resolveTimers(opts.timers);
    this.settings = {
      noAnswerMs: (opts.noAnswerSeconds ?? 60) * 1000,
      keepaliveMs: (opts.keepaliveSeconds ?? 0) * 1000,
      probeIntervalMs: (opts.probeIntervalSeconds ?? 60) * 1000,
      presenceExpires: opts.presenceExpiresSeconds ?? 600,
      presence: opts.presence ?? true,
      aor: opts.aor,
      ...(opts.displayName ? { displayName: opts.displayName } : {}),
      ...(opts.outboundProxy ? { outboundProxy: opts.outboundProxy } : {}),
    };
    this.layer = new TransactionLayer({
      transport: this.transport,
      clock: this.clock,
      logger: this.logger.child('tx'),
      timers: this.timers,
      ...(opts.onTransactionOutcome ? { onOutcome: opts.onTransactionOutcome } : {}),
      delegate: {
        onRequest: (tx) => this.guard('request', () => this.receiveRequest(tx), tx),
        onAck: (ack) => this.guard('ACK', () => this.receiveAck(ack)),
        onStrayResponse: (r) => this.guard('stray response', () => this.receiveStray(r)),
      },
    });
    if (opts.registration) {
      this.registration = new Registration(this, opts.registration, (state, info) =>
        this.safe('registration delegate', () => this.delegate.onRegistration?.(state, info)),
      );
    }
  }

  // ------------------------------------------------------------------------------------------ public API

  /** Starts receiving (the transport's messages go to the transaction layer) and registering. */
  start(): void {
    if (this.started) return;
    this.started = true;
    this.transport.onMessage = (m: SipMessage, from: SipSource) => this.guard('message', () => this.layer.receive(m, from));
    this.registration?.start();
  }

  /** Places a call: an INVITE to `target` (a sip: URI) with `sdp` as the offer. */
  invite(target: string, opts: InviteOptions = {}): InviteSession {
    const session = InviteSession.outgoing(this, this, this.newId('out'), target, opts);
    this.live.add(session);
    const id = session.callId;
    if (id) this.byCallId.set(id, session);
    return session;
  }

  /** Starts reporting whether `target` can be called (presence, else OPTIONS probes). */
  watch(target: string, report: (available: boolean) => void): void {
    if (this.watches.has(target) || this.stopped) return;
    const w = new AvailabilityWatch(this, this, target, report);
    this.watches.set(target, w);
    w.start();
  }

  unwatch(target: string): void {
    const w = this.watches.get(target);
    if (!w) return;
    this.watches.delete(target);
    w.stop();
  }

  watching(target: string): AvailabilityWatch | undefined {
    return this.watches.get(target);
  }

  get registrationState(): RegistrationState | undefined {
    return this.registration?.state;
  }

  /** True once the registrar has accepted us (registered mode). */
  get hasRegistered(): boolean {
    return this.registration?.hasRegistered ?? false;
  }

  /** Sessions not yet terminated. */
  get sessions(): readonly InviteSession[] {
    return [...this.live].filter((s) => s.state !== 'terminated');
  }

  /**
   * Ends every session (CANCEL, 480 or BYE), stops watching, removes the registration, and waits (at most
   * `stopTimeoutMs`) for those requests to be answered; then the transaction layer closes. The transport
   * is the caller's to close.
   */
  async stop(): Promise<void> {
    if (this.stopped) return;
    this.stopped = true;
    for (const s of [...this.live]) s.terminate();
    for (const w of this.watches.values()) w.stop();
    this.watches.clear();
    const unregister = this.registration?.stop() ?? Promise.resolve();
    await new Promise<void>((resolve) => {
      const deadline = this.clock.setTimer(this.opts.stopTimeoutMs ?? 2000, resolve);
      void Promise.all([unregister, this.drained()]).then(() => {
        deadline.cancel();
        resolve();
      });
    });
    for (const t of this.running) t.cancel();
    this.running.clear();
    this.closed = true;
    this.layer.close();
    if (this.transport.onMessage) this.transport.onMessage = undefined;
  }

  // ------------------------------------------------------------------------------------------ UaContext

  contact(): string {
    const tcpFirst = this.opts.transports[0] === 'tcp';
    const uri = sipUri({ user: this.opts.user, host: this.opts.host, port: this.opts.port, params: tcpFirst ? [['transport', 'tcp']] : [] });
    return `<${formatUri(uri)}>`;
  }

  describe(kind: 'request' | 'response'): HeaderInput {
    const product = this.opts.product ?? 'hometel';
    return [
      ['Allow', this.allow],
      [kind === 'request' ? 'User-Agent' : 'Server', product],
    ];
  }

  send(request: OutgoingRequest, handlers: SendHandlers): void {
    this.awaitingFinal++;
    let done = false;
    const finish = (r: SipResponse, local?: 'timeout' | 'transport'): void => {
      if (done) return;
      done = true;
      this.awaitingFinal--;
      if (this.awaitingFinal === 0) for (const w of this.drainWaiters.splice(0)) w();
      this.safe('final response handler', () => handlers.onFinal?.(r, local));
    };
    const auth = new AuthState();
    const attempt = async (): Promise<void> => {
      let req = request.build();
      const creds = this.credentialsFor(request.nextHop);
      if (creds && auth.hasChallenges) req = auth.apply(req, creds, this.nonces);
      let peer: SipPeer;
      try {
        peer = await this.resolve(request.nextHop);
      } catch (e) {
        this.logger.info('request not sent: no route', { method: req.method, to: request.nextHop, error: errorMessage(e) });
        finish(responseTo(req, 503, 'Service Unavailable (no route)'), 'transport');
        return;
      }
      if (this.closed) {
        finish(responseTo(req, 503, 'Service Unavailable (user agent stopped)'), 'transport');
        return;
      }
      const withVia = addHeader(req, 'Via', this.via(peer), 'top');
      try {
        const tx = this.layer.sendRequest(withVia, peer, {
          onProvisional: (r) => this.safe('provisional handler', () => handlers.onProvisional?.(r)),
          onFinal: (r) => {
            if ((r.status === 401 || r.status === 407) && creds && (handlers.retry?.() ?? true) && auth.accept(r)) {
              void attempt();
              return;
            }
            finish(r);
          },
          onTimeout: () => finish(responseTo(withVia, 408, 'Request Timeout'), 'timeout'),
          onTransportError: (e) => {
            this.logger.info('request could not be sent', { method: withVia.method, error: e.message });
            finish(responseTo(withVia, 503, 'Service Unavailable'), 'transport');
          },
        });
        this.safe('transaction handler', () => handlers.onTransaction?.(tx, tx.request, tx.destination));
      } catch (e) {
        this.logger.warn('request could not be sent', { method: withVia.method, error: errorMessage(e) });
        finish(responseTo(withVia, 503, 'Service Unavailable'), 'transport');
      }
    };
    void attempt();
  }

  async sendAck(ack: SipRequest, nextHop: string): Promise<{ ack: SipRequest; peer: SipPeer } | undefined> {
    try {
      const peer = await this.resolve(nextHop);
      const withVia = addHeader(ack, 'Via', this.via(peer), 'top');
      await this.layer.sendAck(withVia, peer);
      return { ack: withVia, peer };
    } catch (e) {
      this.logger.warn('ACK could not be sent', { to: nextHop, error: errorMessage(e) });
      return undefined;
    }
  }

  safe(what: string, fn: () => void): void {
    try {
      fn();
    } catch (e) {
      this.logger.error(`${what} failed`, { error: errorDetail(e) });
    }
  }

  timer(ms: number, fn: () => void): TimerHandle {
    const handle = this.clock.setTimer(ms, () => {
      this.running.delete(handle);
      this.safe('timer', fn);
    });
    this.running.add(handle);
    return {
      cancel: () => {
        handle.cancel();
        this.running.delete(handle);
      },
    };
  }

  random(): number {
    return (this.opts.random ?? Math.random)();
  }

  // ------------------------------------------------------------------------------------------ hosts

  dialogEstablished(session: InviteSession, dialog: Dialog): void {
    this.dialogs.set(dialogKey(dialog.id), session);
  }

  sessionEnded(session: InviteSession): void {
    // Kept a while: late retransmissions (a 2xx to ACK again, a BYE) still find it.
    this.timer(64 * this.timers.t1, () => {
      this.live.delete(session);
      const d = session.dialog;
      if (d && this.dialogs.get(dialogKey(d.id)) === session) this.dialogs.delete(dialogKey(d.id));
      const id = session.callId;
      if (id && this.byCallId.get(id) === session) this.byCallId.delete(id);
      for (const [k, s] of this.merged) if (s === session) this.merged.delete(k);
    });
  }

  subscriptionStarted(id: string, watch: AvailabilityWatch): void {
    this.subscriptions.set(id, watch);
  }

  subscriptionEnded(id: string): void {
    // NOTIFYs may still arrive for a short while (a final NOTIFY after unsubscribing): answer them 481 then.
    this.subscriptions.delete(id);
  }

  // ------------------------------------------------------------------------------------------ receiving

  private receiveRequest(tx: ServerTransaction): void {
    const req = tx.request;
    const respond = (status: number, extra: HeaderInput = [], reason?: string): void =>
      tx.respond(reply(this, req, status, extra, { toTag: toAddr(req)?.tag === undefined ? generateTag() : undefined, ...(reason ? { reason } : {}) }));
    if (this.stopped) return respond(503);
    if (req.method === 'CANCEL') return this.receiveCancel(tx as NonInviteServerTransaction);
    // RFC 3261 8.2.1: method
    if (!this.methods.includes(req.method)) return respond(405);
    const from = fromAddr(req);
    const to = toAddr(req);
    const id = callId(req);
    const seq = cseq(req);
    if (!from || !to || !id || !seq) return respond(400);
    if (to.tag === undefined) {
      // 8.2.2.1: Request-URI
      const uri = parseUri(req.uri);
      if (!uri || uri.kind !== 'sip') return respond(416);
      if (!this.acceptsUser(uri.user)) return respond(404);
      // 8.2.2.2: a request we already have by another path
      if (req.method === 'INVITE' && this.merged.has(mergeKey(id, from.tag, seq.seq))) return respond(482);
    }
    // 8.2.2.3: Require
    const unsupported = optionTags(req, 'Require').filter((t) => !supportedOptions.includes(t));
    if (unsupported.length > 0) return respond(420, [['Unsupported', unsupported.join(', ')]]);
    // 8.2.3: content
    if (req.method === 'INVITE' && req.body !== '') {
      const type = (req.headers.get('Content-Type') ?? '').split(';')[0]!.trim().toLowerCase();
      if (type !== 'application/sdp') return respond(415, [['Accept', 'application/sdp']]);
    }
    if (to.tag !== undefined) {
      const session = from.tag === undefined ? undefined : this.dialogs.get(dialogKey({ callId: id, localTag: to.tag, remoteTag: from.tag }));
      if (session) {
        if (req.method === 'INVITE') this.byServerTx.set(tx, session);
        session.receiveRequest(tx);
        return;
      }
      if (req.method === 'NOTIFY') {
        const watch = this.subscriptions.get(id);
        if (watch) return watch.notify(tx);
      }
      if (this.delegated(tx)) return;
      return respond(481);
    }
    switch (req.method) {
      case 'INVITE':
        return this.receiveInvite(tx as InviteServerTransaction, mergeKey(id, from.tag, seq.seq));
      case 'OPTIONS':
        return respond(200, [['Accept', 'application/sdp'], ['Contact', this.contact()]]);
      case 'BYE':
      case 'NOTIFY':
        return respond(481);
      default:
        if (this.delegated(tx)) return;
        return respond(405);
    }
  }

  /** Hands a request to the delegate's `onRequest`; true when it took it. */
  private delegated(tx: ServerTransaction): boolean {
    const delegate = this.delegate;
    if (!delegate.onRequest) return false;
    let taken = false;
    this.safe('request delegate', () => (taken = delegate.onRequest?.(tx) ?? false));
    return taken || tx.finalResponse !== undefined;
  }

  private receiveInvite(tx: InviteServerTransaction, merge: string): void {
    const delegate = this.delegate;
    if (delegate.admitInvite && !delegate.admitInvite(tx)) return;
    const session = InviteSession.incoming(this, this, this.newId('in'), tx, generateTag());
    if (!session) return;
    this.live.add(session);
    this.byServerTx.set(tx, session);
    this.merged.set(merge, session);
    this.logger.info('incoming call', { session: session.id, from: tx.request.headers.get('From') ?? '' });
    if (!delegate.onInvite) session.reject(480);
    else this.safe('incoming call delegate', () => delegate.onInvite?.(session));
    session.offered();
  }

  private receiveCancel(tx: NonInviteServerTransaction): void {
    // Every response but 100 carries a To tag (RFC 3261 8.2.6.2); the CANCEL's 200 uses the INVITE's (9.2).
    const target = tx.cancelTarget;
    if (!target) {
      tx.respond(reply(this, tx.request, 481, [], { toTag: generateTag() }));
      return;
    }
    const session = this.byServerTx.get(target);
    tx.respond(reply(this, tx.request, 200, [], { toTag: session?.responseTag ?? generateTag() }));
    session?.cancelled(target);
  }

  private receiveAck(ack: SipRequest): void {
    const to = toAddr(ack)?.tag;
    const from = fromAddr(ack)?.tag;
    const id = callId(ack);
    if (!to || !from || !id) return;
    this.dialogs.get(dialogKey({ callId: id, localTag: to, remoteTag: from }))?.receiveAck(ack);
  }

  private receiveStray(r: SipResponse): void {
    const c = cseq(r);
    if (!c || c.method !== 'INVITE') return;
    const id = callId(r);
    const local = fromAddr(r)?.tag;
    const remote = toAddr(r)?.tag;
    if (!id) return;
    const byDialog = local && remote ? this.dialogs.get(dialogKey({ callId: id, localTag: local, remoteTag: remote })) : undefined;
    (byDialog ?? this.byCallId.get(id))?.strayResponse(r);
  }

  // ------------------------------------------------------------------------------------------ helpers

  private acceptsUser(user: string | undefined): boolean {
    if (this.opts.acceptsUser) return this.opts.acceptsUser(user);
    if (user === undefined || user === this.opts.user) return true;
    const aor = parseUri(this.opts.aor);
    return aor?.kind === 'sip' && aor.user === user;
  }


  /**
   * The credentials to answer a challenge with: with a registrar or an outbound proxy configured, only for
   * requests whose next hop is one of them (a callee cannot harvest our Digest responses); without either
   * (direct mode with a password), for any challenge.
   */
  private credentialsFor(nextHop: string): UaCredentials | undefined {
    const creds = this.opts.credentials;
    if (!creds) return undefined;
    const trusted = [this.opts.outboundProxy, this.opts.registration?.registrar].filter((t): t is string => t !== undefined);
    if (trusted.length === 0) return creds;
    return trusted.some((t) => sameHop(t, nextHop)) ? creds : undefined;
  }

  private via(peer: SipPeer): string {
    return makeVia({ transport: peer.transport.toUpperCase(), host: this.opts.host, port: this.opts.port, branch: generateBranch(), rport: true });
  }

  /** Where a request for `uriText` goes (no DNS SRV/NAPTR: an address, or a name looked up, and the port). */
  async resolve(uriText: string): Promise<SipPeer> {
    const uri = parseUri(uriText);
    if (!uri || uri.kind !== 'sip') throw new Error(`cannot route to ${uriText}`);
    if (uri.scheme === 'sips') throw new Error('sips: needs TLS, which hometel does not speak yet');
    const named = uri.params.get('transport')?.toLowerCase();
    let transport: SipTransportName;
    if (named === 'udp' || named === 'tcp') {
      if (!this.opts.transports.includes(named)) throw new Error(`no SIP ${named.toUpperCase()} transport for ${uriText}`);
      transport = named;
    } else if (named) {
      throw new Error(`unsupported transport ${named}`);
    } else {
      transport = this.opts.transports[0]!;
    }
    const host = uri.params.get('maddr') ?? uri.host;
    const address = isIP(host) !== 0 ? host : await (this.opts.resolveHost ?? defaultResolve)(host);
    return { transport, address, port: uri.port ?? defaultSipPort };
  }

  private drained(): Promise<void> {
    if (this.awaitingFinal === 0) return Promise.resolve();
    return new Promise((resolve) => this.drainWaiters.push(resolve));
  }

  private newId(kind: string): string {
    return `${kind}-${this.idPrefix}-${this.nextId++}`;
  }

  private guard(what: string, fn: () => void, tx?: ServerTransaction): void {
    try {
      fn();
    } catch (e) {
      this.logger.error(`handling ${what} failed`, { error: errorDetail(e) });
      if (tx && !tx.finalResponse) {
        try {
          tx.respond(responseTo(tx.request, 500, 'Server Internal Error', [], { toTag: true }));
        } catch {
          // the transaction is gone; nothing more to do
        }
      }
    }
  }
}

/** Same host and port (default 5060) in two SIP URIs. */
function sameHop(a: string, b: string): boolean {
  const x = parseUri(a);
  const y = parseUri(b);
  if (x?.kind !== 'sip' || y?.kind !== 'sip') return false;
  return x.host.toLowerCase() === y.host.toLowerCase() && (x.port ?? defaultSipPort) === (y.port ?? defaultSipPort);
}

function mergeKey(callIdValue: string, fromTag: string | undefined, seq: number): string {
  return `${callIdValue}|${fromTag ?? ''}|${seq}`;
}

async function defaultResolve(host: string): Promise<string> {
  const r = await lookup(host, { family: 4 });
  return r.address;
}
