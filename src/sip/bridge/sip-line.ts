/**
 * The Telephony Server's line over SIP (design.md, "Protocol mapping"): the `Line` port implemented with
 * hometel's user agent over UDP and/or TCP. The Telephony Server speaks call events; this adapter maps them
 * to and from SIP:
 *
 * | Line                                | SIP                                                              |
 * |-------------------------------------|------------------------------------------------------------------|
 * | place                               | INVITE with the SDP offer (the line's own media when none given) |
 * | provisional / answered / failed     | 1xx (not 100) / 2xx (ACK sent) / 3xx–6xx, local 408/503          |
 * | cancel / hangUp                     | CANCEL (completed-elsewhere: RFC 3326 Reason cause=200) / BYE    |
 * | incoming                            | INVITE received (180 sent)                                       |
 * | answer / reject Busy / Rejected     | 200 with the SDP answer / 486 / 603 (or the status given)        |
 * | redirect                            | 302 Moved Temporarily, Contact: the target                       |
 * | remoteCancelled                     | CANCEL (or BYE on the early dialog); our no-answer timer (480)   |
 * | remoteHangUp                        | BYE; also an established call that died (no ACK, dead peer)      |
 * | modify / acceptModify / rejectModify| re-INVITE / 200 / 488                                            |
 * | modifyAccepted / modifyRejected     | 200 / 488, 491 and other refusals                                |
 * | watchAvailability → availability    | presence SUBSCRIBE, else periodic OPTIONS                        |
 * | identity                            | the AOR once registered; direct mode: sip:user@host:port         |
 *
 * Every report to the listener happens after the command that caused it has returned, and is guarded.
 */
import { errorDetail, silentLogger, systemClock, type Clock, type Logger } from '../../base/index.js';
import type { CancelReason, Line, LineFailure, LineListener, OutgoingCallRequest, RejectStatus, RemotePeer } from '../../telephony/domain/index.js';
import { bindSipTransports, completedElsewhere, formatUri, fromAddr, parseUri, sipUri, toAddr, UserAgent, type InviteSession, type InviteSessionDelegate, type SipRequest, type SipTransportName, type SipTransports, type TimerConfig, type TransactionOutcome, type UaTransport } from '../index.js';

export interface SipLineOptions {
  /** `direct`: reachable at sip:user@host:port, no registrar. `registered`: REGISTER with a registrar. */
  readonly mode: 'direct' | 'registered';
  /** The line's user: the Contact's user part, and the identity's (direct) or the AOR's (registered). */
  readonly user: string;
  readonly displayName?: string;
  /** The IPv4 address to listen on and to write in Via and Contact. */
  readonly host: string;
  /** Port for both UDP and TCP; default 5060; 0 picks a free one (the same for both). */
  readonly port?: number;
  /** Transports to run; the first is used when a URI names none. Default ['udp', 'tcp']. */
  readonly transports?: readonly SipTransportName[];
  /** Registered mode: the registrar's URI (`sip:provider.example` or `sip:192.0.2.1:5060`). */
  readonly registrar?: string;
  /** Digest user name; default `user`. */
  readonly username?: string;
  readonly password?: string;
  /** Requested registration lifetime; default 3600 s. */
  readonly expires?: number;
  /** The address of record; default sip:<user>@<registrar host>. */
  readonly aor?: string;
  /** Next hop for out-of-dialog requests; registered mode defaults to the registrar. */
  readonly outboundProxy?: string;
  /** How long an incoming call rings before it is answered 480 and reported cancelled; default 60 s. */
  readonly noAnswerSeconds?: number;
  /** OPTIONS probe interval for callback availability; default 60 s. */
  readonly probeIntervalSeconds?: number;
  /** In-dialog OPTIONS keep-alive interval; 0 (default) is off. */
  readonly keepaliveSeconds?: number;
  /** Try presence subscriptions before OPTIONS probing; default true. */
  readonly presence?: boolean;
  /** Registration retry back-off: first delay and cap (defaults 5 s and 300 s). */
  readonly retryBaseSeconds?: number;
  readonly retryMaxSeconds?: number;
  /** The line's own media, offered when a call is placed without an offer (InitiateCall). */
  readonly localSdp?: () => string | undefined;
  readonly clock?: Clock;
  readonly logger?: Logger;
  /** RFC 3261 timers (T1 …); tests shorten them. */
  readonly timers?: Partial<TimerConfig>;
  /** Wraps the transport the user agent uses (tests drop messages on purpose; diagnostics trace them). */
  readonly wrapTransport?: (transport: UaTransport) => UaTransport;
  readonly resolveHost?: (host: string) => Promise<string>;
}

interface LineCall {
  readonly session: InviteSession;
}

/** RFC 3261 21 final responses → CallManagement Table 2-5 reasons (design.md). */
export function lineFailureOf(status: number): LineFailure {
  switch (status) {
    case 486:
    case 600:
      return 'Busy';
    case 404:
    case 604:
      return 'Not Found';
    case 488:
    case 606:
      return 'Not Acceptable Capability';
    case 403:
    case 603:
      return 'Rejected';
    default:
      return 'Error';
  }
}

/**
 * The caller of an incoming INVITE: the user part of a sip: From (the number of a tel: one) and its display
 * name; `anonymous` when the caller withheld its identity (RFC 3323: the anonymous URI, or Privacy: id,
 * user or header).
 */
export function remotePeerOf(invite: SipRequest): RemotePeer {
  const privacy = invite.headers
    .all('Privacy')
    .flatMap((v) => v.split(/[;,]/))
    .map((v) => v.trim().toLowerCase());
  const from = fromAddr(invite);
  if (!from || privacy.some((p) => p === 'id' || p === 'user' || p === 'header')) return { id: 'anonymous' };
  const uri = from.uri;
  let id: string;
  if (uri.kind === 'sip') {
    if (uri.host.toLowerCase() === 'anonymous.invalid' || uri.user?.toLowerCase() === 'anonymous') return { id: 'anonymous' };
    id = uri.user ?? uri.host;
  } else if (uri.kind === 'tel') {
    id = uri.number;
  } else {
    id = from.uriText;
  }
  const name = from.displayName?.trim();
  return name && name.toLowerCase() !== 'anonymous' ? { id, name } : { id };
}

/** Hands a line call's event to the listener; a listener that throws is logged, never thrown into the SIP stack. */
export function reportGuarded(listener: LineListener, lineCallId: string, fn: (l: LineListener) => void, log: Logger): void {
  try {
    fn(listener);
  } catch (e) {
    log.error('line listener failed', { lineCallId, error: errorDetail(e) });
  }
}

/** How a call's dialog events reach the line's listener (SipLine, and the phones' line of sip/pbx). */
export interface DialogEventSink {
  session(): InviteSession | undefined;
  report(fn: (l: LineListener) => void): void;
  /** Reports the call's last event and forgets it. */
  end(fn: (l: LineListener) => void): void;
  readonly log: Logger;
}

/** The Line events of an established call's session, either direction: the remote hang-up and modifications. */
export function dialogEventsOf(id: string, sink: DialogEventSink): InviteSessionDelegate {
  return {
    onEnded: (cause) => {
      sink.log.info('call ended by the remote side', { lineCallId: id, cause });
      sink.end((l) => l.remoteHangUp(id));
    },
    onModifyRequest: (offer) => sink.report((l) => l.remoteModify(id, offer)),
    onModifyCancelled: () => sink.report((l) => l.remoteModifyCancelled(id)),
    onModifyAccepted: (answer) => sink.report((l) => l.modifyAccepted(id, answer ?? sink.session()?.remoteSdp ?? '')),
    onModifyRejected: () => sink.report((l) => l.modifyRejected(id)),
  };
}

export class SipLine implements Line {
  private listener?: LineListener;
  private ua?: UserAgent;
  private transports?: SipTransports;
  private boundPort = 0;
  private readonly calls = new Map<string, LineCall>();
  private readonly watched = new Map<string, string>();
  private readonly outcomeListeners = new Set<(outcome: TransactionOutcome) => void>();
  private readonly clock: Clock;
  private readonly log: Logger;
  private readonly aor: string | undefined;
  private readonly proxy: string | undefined;
  private next = 1;

  constructor(private readonly opts: SipLineOptions) {
    this.clock = opts.clock ?? systemClock;
    this.log = opts.logger ?? silentLogger;
    if (!/^[A-Za-z0-9._~!$&'()*+,;=-]+$/.test(opts.user)) throw new Error(`SIP line user ${JSON.stringify(opts.user)} is not a valid user part`);
    if (opts.mode === 'registered') {
      const registrar = opts.registrar === undefined ? undefined : parseUri(opts.registrar);
      if (!registrar || registrar.kind !== 'sip') throw new Error('a registered SIP line needs a sip: registrar URI');
      this.aor = opts.aor ?? formatUri(sipUri({ user: opts.user, host: registrar.host }));
      this.proxy = opts.outboundProxy ?? opts.registrar;
    } else {
      this.aor = opts.aor;
      this.proxy = opts.outboundProxy;
    }
    if (this.aor !== undefined && parseUri(this.aor)?.kind !== 'sip') throw new Error(`SIP line AOR ${JSON.stringify(this.aor)} is not a sip: URI`);
  }

  /** Binds the transports and starts the user agent (and the registration in registered mode). */
  async start(): Promise<void> {
    if (this.ua) return;
    const kinds = this.opts.transports ?? ['udp', 'tcp'];
    if (kinds.length === 0) throw new Error('a SIP line needs a transport');
    const logger = this.log;
    const bound = await bindSipTransports(this.opts.host, this.opts.port ?? 5060, kinds, logger);
    this.boundPort = bound.port;
    this.transports = bound.transports;
    const transport = this.opts.wrapTransport ? this.opts.wrapTransport(this.transports) : this.transports;
    const aor = this.aor ?? this.directIdentity();
    const password = this.opts.password;
    this.ua = new UserAgent({
      transport,
      host: this.opts.host,
      port: this.boundPort,
      transports: kinds,
      user: this.opts.user,
      aor,
      ...(this.opts.displayName ? { displayName: this.opts.displayName } : {}),
      ...(password !== undefined ? { credentials: { username: this.opts.username ?? this.opts.user, password } } : {}),
      ...(this.proxy ? { outboundProxy: this.proxy } : {}),
      ...(this.opts.mode === 'registered' && this.opts.registrar
        ? {
            registration: {
              registrar: this.opts.registrar,
              ...(this.opts.expires !== undefined ? { expires: this.opts.expires } : {}),
              ...(this.opts.retryBaseSeconds !== undefined ? { retryBaseSeconds: this.opts.retryBaseSeconds } : {}),
              ...(this.opts.retryMaxSeconds !== undefined ? { retryMaxSeconds: this.opts.retryMaxSeconds } : {}),
            },
          }
        : {}),
      // Behind a registrar the proxy has chosen us; providers often put the dialled number in the Request-URI.
      ...(this.opts.mode === 'registered' ? { acceptsUser: () => true } : {}),
      ...(this.opts.noAnswerSeconds !== undefined ? { noAnswerSeconds: this.opts.noAnswerSeconds } : {}),
      ...(this.opts.keepaliveSeconds !== undefined ? { keepaliveSeconds: this.opts.keepaliveSeconds } : {}),
      ...(this.opts.probeIntervalSeconds !== undefined ? { probeIntervalSeconds: this.opts.probeIntervalSeconds } : {}),
      ...(this.opts.presence !== undefined ? { presence: this.opts.presence } : {}),
      ...(this.opts.timers ? { timers: this.opts.timers } : {}),
      ...(this.opts.resolveHost ? { resolveHost: this.opts.resolveHost } : {}),
      onTransactionOutcome: (o) => {
        for (const l of this.outcomeListeners) l(o);
      },
      clock: this.clock,
      logger: logger.child('ua'),
    });
    this.ua.delegate = {
      onInvite: (session) => this.incoming(session),
      onRegistration: (state, info) => this.log.info('registration', { state, aor: info.aor, expires: info.expires, status: info.status, retryIn: info.retryIn }),
    };
    this.ua.start();
    for (const target of new Set(this.watched.values())) this.startWatch(target);
    this.log.info('SIP line started', { mode: this.opts.mode, host: this.opts.host, port: this.boundPort, transports: kinds.join(','), aor });
  }

  /** Ends every call, removes the registration, closes the sockets. */
  async stop(): Promise<void> {
    const ua = this.ua;
    this.ua = undefined;
    this.calls.clear();
    if (ua) await ua.stop();
    await this.transports?.close();
    this.transports = undefined;
  }

  /** The port the line listens on (after `start`). */
  get port(): number {
    return this.boundPort;
  }

  /** The user agent, for tests and diagnostics. */
  get userAgent(): UserAgent | undefined {
    return this.ua;
  }

  /** Hears the result of every SIP transaction of the line (metrics); returns the unsubscribe. */
  onTransactionOutcome(listener: (outcome: TransactionOutcome) => void): () => void {
    this.outcomeListeners.add(listener);
    return () => this.outcomeListeners.delete(listener);
  }

  /** The SIP session of a line call, for tests and diagnostics. */
  session(lineCallId: string): InviteSession | undefined {
    return this.calls.get(lineCallId)?.session;
  }

  // ------------------------------------------------------------------------------------------ Line

  identity(): string | undefined {
    if (this.opts.mode === 'registered') return this.ua?.hasRegistered ? this.aor : undefined;
    return this.aor ?? (this.boundPort ? this.directIdentity() : undefined);
  }

  setListener(listener: LineListener): void {
    this.listener = listener;
  }

  place(request: OutgoingCallRequest): string {
    const id = this.newId('out');
    const target = this.targetOf(request.callee);
    const ua = this.ua;
    if ('failure' in target || !ua) {
      const reason: LineFailure = 'failure' in target ? target.failure : 'Error';
      this.log.info('call not placed', { lineCallId: id, callee: request.callee, reason, why: 'failure' in target ? target.why : 'line not started' });
      this.later(() => this.listener?.failed(id, reason));
      return id;
    }
    const sdp = request.sdpOffer ?? this.opts.localSdp?.();
    const delegate: InviteSessionDelegate = {
      onProgress: () => this.report(id, (l) => l.provisional(id)),
      onAccepted: (answer) => this.report(id, (l) => l.answered(id, answer)),
      onRejected: (r) => this.end(id, (l) => l.failed(id, lineFailureOf(r.status))),
      ...this.dialogEvents(id),
    };
    const headers: Array<readonly [string, string]> = request.priority === 'Emergency' ? [['Priority', 'emergency']] : [];
    const session = ua.invite(target.uri, { ...(sdp !== undefined ? { sdp } : {}), headers, delegate });
    this.calls.set(id, { session });
    this.log.info('call placed', { lineCallId: id, callee: request.callee, target: target.uri });
    return id;
  }

  answer(lineCallId: string, sdpAnswer: string | undefined): void {
    const session = this.calls.get(lineCallId)?.session;
    if (!session) return;
    // An INVITE without an offer (RFC 3264 delayed offer) gets our own media as the offer in the 200.
    session.answer(sdpAnswer ?? (session.remoteSdp === undefined ? this.opts.localSdp?.() : undefined));
  }

  reject(lineCallId: string, reason: 'Busy' | 'Rejected', status?: RejectStatus): void {
    const call = this.calls.get(lineCallId);
    this.calls.delete(lineCallId);
    call?.session.reject(status ?? (reason === 'Busy' ? 486 : 603));
  }

  /**
   * 302 Moved Temporarily with the target as Contact (RFC 3261 8.1.3.4, 21.3.3: the response a UA retargets on; the
   * KT draft's 303 See Other is not, see docs/decisions.md). A number goes to the line's own domain.
   */
  redirect(lineCallId: string, target: string): void {
    const call = this.calls.get(lineCallId);
    this.calls.delete(lineCallId);
    if (!call) return;
    const contact = this.contactOf(target);
    this.log.info('call redirected', { lineCallId, target: contact });
    call.session.reject(302, 'Moved Temporarily', [['Contact', `<${contact}>`]]);
  }

  cancel(lineCallId: string, reason?: CancelReason): void {
    const call = this.calls.get(lineCallId);
    this.calls.delete(lineCallId);
    call?.session.cancel(reason === 'completed-elsewhere' ? [completedElsewhere] : []);
  }

  hangUp(lineCallId: string): void {
    const call = this.calls.get(lineCallId);
    this.calls.delete(lineCallId);
    if (!call) return;
    if (call.session.state === 'ringing') call.session.reject(603);
    else call.session.bye();
  }

  modify(lineCallId: string, sdpOffer: string): void {
    const call = this.calls.get(lineCallId);
    if (!call) {
      this.later(() => this.listener?.modifyRejected(lineCallId));
      return;
    }
    call.session.modify(sdpOffer);
  }

  acceptModify(lineCallId: string, sdpAnswer: string): void {
    this.calls.get(lineCallId)?.session.acceptModify(sdpAnswer);
  }

  rejectModify(lineCallId: string): void {
    this.calls.get(lineCallId)?.session.rejectModify(488);
  }

  watchAvailability(calleeId: string, watch: boolean): void {
    const target = this.targetOf(calleeId);
    if ('failure' in target) {
      this.log.info('callee cannot be watched', { callee: calleeId, why: target.why });
      return;
    }
    if (watch) {
      this.watched.set(calleeId, target.uri);
      this.startWatch(target.uri);
    } else {
      this.watched.delete(calleeId);
      if (![...this.watched.values()].includes(target.uri)) this.ua?.unwatch(target.uri);
    }
  }

  // ------------------------------------------------------------------------------------------ events

  private incoming(session: InviteSession): void {
    const invite = session.request;
    if (!invite) return;
    if (!this.listener) {
      session.reject(480);
      return;
    }
    const id = this.newId('in');
    this.calls.set(id, { session });
    session.delegate = {
      onCancelled: () => this.end(id, (l) => l.remoteCancelled(id)),
      // The Line has no event for our own no-answer timer: the caller is told 480 and the TS sees the
      // Ringing Call end as a cancel (Disconnected, Cancelled).
      onNoAnswer: () => {
        session.reject(480);
        this.end(id, (l) => l.remoteCancelled(id));
      },
      ...this.dialogEvents(id),
    };
    const from = remotePeerOf(invite);
    const to = toAddr(invite)?.uriText ?? invite.uri;
    this.log.info('incoming call', { lineCallId: id, from: from.id, to });
    this.report(id, (l) => l.incoming(id, from, to, invite.body || undefined));
  }

  /** Events of an established call, either direction. */
  private dialogEvents(id: string): InviteSessionDelegate {
    return dialogEventsOf(id, {
      session: () => this.calls.get(id)?.session,
      report: (fn) => this.report(id, fn),
      end: (fn) => this.end(id, fn),
      log: this.log,
    });
  }

  private report(id: string, fn: (l: LineListener) => void): void {
    if (this.listener && this.calls.has(id)) reportGuarded(this.listener, id, fn, this.log);
  }

  /** Reports the last event of a call and forgets it. */
  private end(id: string, fn: (l: LineListener) => void): void {
    this.report(id, fn);
    this.calls.delete(id);
  }

  private startWatch(target: string): void {
    this.ua?.watch(target, (available) => {
      for (const [callee, t] of this.watched) {
        if (t !== target) continue;
        try {
          this.listener?.availability(callee, available);
        } catch (e) {
          this.log.error('line listener failed', { callee, error: String(e) });
        }
      }
    });
  }

  // ------------------------------------------------------------------------------------------ helpers

  /** The Request-URI for a CalleeID: sip: as given; tel: as sip:<number>@<domain>;user=phone (registered mode). */
  private targetOf(callee: string): { uri: string } | { failure: LineFailure; why: string } {
    const v = callee.trim();
    const uri = parseUri(v);
    if (!uri) return { failure: 'Error', why: 'not a URI' };
    if (uri.kind === 'tel') {
      if (this.opts.mode !== 'registered') return { failure: 'Not Found', why: 'a direct-mode line cannot call a number' };
      const domainOf = parseUri(this.aor ?? this.proxy ?? '');
      if (!domainOf || domainOf.kind !== 'sip') return { failure: 'Error', why: 'no domain for numbers' };
      const number = uri.number.replace(/[-.()]/g, '');
      return { uri: formatUri(sipUri({ user: number, host: domainOf.host, params: [['user', 'phone']] })) };
    }
    if (uri.kind !== 'sip') return { failure: 'Error', why: `unsupported scheme ${uri.scheme}` };
    if (uri.scheme === 'sips') return { failure: 'Error', why: 'sips: needs TLS, which hometel does not speak yet' };
    return { uri: v };
  }

  /** A redirect's Contact: a sip: URI as given, a number (tel:) as sip:<number>@<the line's domain, else its host>. */
  private contactOf(target: string): string {
    const uri = parseUri(target.trim());
    if (!uri || uri.kind !== 'tel') return target.trim();
    const domainOf = parseUri(this.aor ?? this.proxy ?? '');
    const host = domainOf?.kind === 'sip' ? domainOf.host : this.opts.host;
    return formatUri(sipUri({ user: uri.number.replace(/[-.()]/g, ''), host }));
  }

  private directIdentity(): string {
    return formatUri(sipUri({ user: this.opts.user, host: this.opts.host, port: this.boundPort || (this.opts.port ?? 5060) }));
  }

  private later(fn: () => void): void {
    this.clock.setTimer(0, () => {
      try {
        fn();
      } catch (e) {
        this.log.error('line listener failed', { error: String(e) });
      }
    });
  }

  private newId(kind: string): string {
    return `sip-${kind}-${this.next++}`;
  }
}
