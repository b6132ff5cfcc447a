/**
 * hometel's echo test endpoint, like the echo test number of a PBX or a SIP provider: a SIP UAS of its own
 * (hometel's user agent on its own UDP/TCP port) at `sip:<user>@<host>:<port>` that answers every INVITE to its
 * user with SDP (G.711 µ-law/A-law, RFC 4733 telephone-event) and sends back every RTP packet the caller sends
 * (`RtpEcho`: symmetric RTP, its own port pair per call). A call ends on the caller's BYE, on a vanished caller
 * (in-dialog OPTIONS keep-alives) and after `maxSeconds` (the echo hangs up). At most `maxCalls` calls run at once;
 * another INVITE is answered 486 Busy Here. INVITEs to any other user get 404, offers without usable audio 488;
 * everything else is the user agent's (RFC 3261 8.2: 405, 415, 420, 481 …; malformed messages: 400 on TCP,
 * dropped on UDP).
 *
 * Every call is logged: who called (From, Call-ID), when it was answered and on which RTP port, and how it ended
 * (reason, duration, packets echoed). It knows nothing of UPnP.
 */
import { errorMessage, silentLogger, systemClock, type Clock, type Logger, type TimerHandle } from '../../base/index.js';
import type { PortPool } from '../../media/index.js';
import { bindSipTransports, formatUri, fromAddr, sipUri, UserAgent, type EndCause, type InviteSession, type SipTransportName, type SipTransports, type TimerConfig } from '../../sip/index.js';
import { echoSdp } from './echo-sdp.js';
import { RtpEcho } from './rtp-echo.js';

export interface EchoServiceOptions {
  /** The IPv4 address to listen on (SIP and RTP), written in Contact, Via and SDP. */
  readonly host: string;
  /** UDP and TCP port; 0 picks a free one. The defaults of these options are the config schema's (`echo`). */
  readonly port: number;
  /** The user part it answers for (a valid SIP user part: the config schema checks it). */
  readonly user: string;
  readonly transports: readonly SipTransportName[];
  /** Where its calls take their RTP/RTCP port pairs (hometel start: the media plane's pool, or a range of its own). */
  readonly ports: PortPool;
  /** Calls at once (486 beyond). */
  readonly maxCalls: number;
  /** The echo hangs up after this long. */
  readonly maxSeconds: number;
  /** In-dialog OPTIONS every this many seconds, ending a call whose caller vanished; default 30, 0 = off. */
  readonly keepaliveSeconds?: number;
  readonly clock?: Clock;
  readonly logger?: Logger;
  /** RFC 3261 timers (T1 …); tests shorten them. */
  readonly timers?: Partial<TimerConfig>;
}

interface EchoCall {
  readonly n: number;
  readonly session: InviteSession;
  readonly from: string;
  echo?: RtpEcho;
  answeredAt?: number;
  sdpVersion: number;
  maxTimer?: TimerHandle;
}

export class EchoService {
  private ua?: UserAgent;
  private transports?: SipTransports;
  private boundPort = 0;
  private readonly calls = new Set<EchoCall>();
  private readonly rtpPorts: PortPool;
  private readonly clock: Clock;
  private readonly log: Logger;
  private readonly user: string;
  private readonly maxCalls: number;
  private readonly maxMs: number;
  private next = 1;

  constructor(private readonly opts: EchoServiceOptions) {
    this.clock = opts.clock ?? systemClock;
    this.log = opts.logger ?? silentLogger;
    this.user = opts.user;
    this.maxCalls = opts.maxCalls;
    this.maxMs = opts.maxSeconds * 1000;
    this.rtpPorts = opts.ports;
  }

  /** Binds the SIP transports and starts answering. */
  async start(): Promise<void> {
    if (this.ua) return;
    const kinds = this.opts.transports;
    const port = this.opts.port;
    let bound;
    try {
      bound = await bindSipTransports(this.opts.host, port, kinds, this.log);
    } catch (e) {
      const why = (e as NodeJS.ErrnoException).code === 'EADDRINUSE' ? 'is in use' : `cannot be bound (${errorMessage(e)})`;
      throw new Error(`echo test endpoint: SIP port ${port} on ${this.opts.host} ${why}; choose another "echo.port" or set "echo": false`, { cause: e });
    }
    this.transports = bound.transports;
    this.boundPort = bound.port;
    this.ua = new UserAgent({
      transport: bound.transports,
      host: this.opts.host,
      port: this.boundPort,
      transports: kinds,
      user: this.user,
      aor: this.uri,
      presence: false,
      keepaliveSeconds: this.opts.keepaliveSeconds ?? 30,
      product: 'hometel echo',
      ...(this.opts.timers ? { timers: this.opts.timers } : {}),
      clock: this.clock,
      logger: this.log.child('ua'),
    });
    this.ua.delegate = { onInvite: (session) => this.incoming(session) };
    this.ua.start();
    this.log.info('echo test endpoint ready', { uri: this.uri, transports: kinds.join(','), rtpPorts: `${this.rtpPorts.min}-${this.rtpPorts.max}`, maxCalls: this.maxCalls, maxSeconds: this.maxMs / 1000 });
  }

  /** Hangs up every call (BYE), stops the user agent, closes the sockets. */
  async stop(): Promise<void> {
    const ua = this.ua;
    this.ua = undefined;
    for (const call of [...this.calls]) this.ended(call, 'hometel stopping');
    if (ua) await ua.stop();
    await this.transports?.close();
    this.transports = undefined;
  }

  /** The port it listens on (after `start`). */
  get port(): number {
    return this.boundPort;
  }

  /** Where to call it: sip:<user>@<host>:<port>. */
  get uri(): string {
    return formatUri(sipUri({ user: this.user, host: this.opts.host, port: this.boundPort || this.opts.port }));
  }

  /** Calls running now (answered or being answered). */
  get activeCalls(): number {
    return this.calls.size;
  }

  // ------------------------------------------------------------------------------------------ calls

  private incoming(session: InviteSession): void {
    const invite = session.request;
    const n = this.next++;
    const from = (invite && fromAddr(invite)?.uriText) ?? 'unknown';
    const callId = session.callId;
    if (this.calls.size >= this.maxCalls) {
      this.log.info(`echo call ${n} refused`, { from, callId, status: 486, why: `${this.maxCalls} echo calls already` });
      session.reject(486);
      return;
    }
    const offer = session.remoteSdp;
    if (offer !== undefined && !echoSdp(offer, this.opts.host, 0, 1)) {
      this.log.info(`echo call ${n} refused`, { from, callId, status: 488, why: 'no G.711 audio offered' });
      session.reject(488);
      return;
    }
    const call: EchoCall = { n, session, from, sdpVersion: 1 };
    this.calls.add(call);
    this.log.info(`echo call ${n}`, { from, callId });
    session.delegate = {
      onCancelled: () => this.ended(call, 'cancelled by the caller'),
      onEnded: (cause) => this.ended(call, endReason(cause)),
      onModifyRequest: (sdp) => this.modify(call, sdp),
    };
    void this.answer(call, offer);
  }

  private async answer(call: EchoCall, offer: string | undefined): Promise<void> {
    let echo: RtpEcho;
    try {
      echo = await RtpEcho.open({ address: this.opts.host, ports: this.rtpPorts, clock: this.clock, logger: this.log });
    } catch (e) {
      this.log.warn(`echo call ${call.n} refused`, { from: call.from, status: 503, why: errorMessage(e) });
      this.calls.delete(call);
      call.session.reject(503);
      return;
    }
    if (!this.calls.has(call) || call.session.state !== 'ringing') {
      await echo.close();
      return;
    }
    call.echo = echo;
    const sdp = echoSdp(offer, this.opts.host, echo.localPort, call.sdpVersion)!;
    echo.accept(sdp.payloadTypes);
    call.session.answer(sdp.sdp);
    call.answeredAt = this.clock.now();
    call.maxTimer = this.clock.setTimer(this.maxMs, () => {
      if (!this.calls.has(call)) return;
      call.session.bye();
      this.ended(call, `maximum duration (${this.maxMs / 1000} s)`);
    });
    this.log.info(`echo call ${call.n} answered`, { rtpPort: echo.localPort, payloadTypes: sdp.payloadTypes.join(','), maxSeconds: this.maxMs / 1000 });
  }

  /** A re-INVITE with a new offer: the same port pair, the new payload types, and the peer latched afresh. */
  private modify(call: EchoCall, offer: string): void {
    const echo = call.echo;
    const sdp = echo && echoSdp(offer, this.opts.host, echo.localPort, call.sdpVersion + 1);
    if (!echo || !sdp) {
      call.session.rejectModify(488);
      return;
    }
    call.sdpVersion++;
    echo.accept(sdp.payloadTypes);
    echo.relatch();
    call.session.acceptModify(sdp.sdp);
  }

  private ended(call: EchoCall, reason: string): void {
    if (!this.calls.delete(call)) return;
    call.maxTimer?.cancel();
    if (reason === 'hometel stopping') call.session.terminate();
    const stats = call.echo?.stats();
    const seconds = call.answeredAt === undefined ? undefined : Math.round((this.clock.now() - call.answeredAt) / 100) / 10;
    this.log.info(`echo call ${call.n} ended`, { from: call.from, reason, seconds, received: stats?.received, echoed: stats?.echoed });
    void call.echo?.close();
  }
}

function endReason(cause: EndCause): string {
  switch (cause) {
    case 'bye':
      return 'the caller hung up';
    case 'no-ack':
      return 'no ACK for the 200';
    case 'dead-peer':
      return 'the caller vanished';
  }
}
