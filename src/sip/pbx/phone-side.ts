/**
 * The phones' side of hometel's SIP (issue 14): one user agent on the registrar's address and port (5060 by
 * default) that every phone of the home talks to — REGISTER (registrar.ts), INVITEs from phones and to them
 * (phone calls), SUBSCRIBE for the lamps and presence, REFER. This module only binds the transports, runs the user
 * agent and hands each request to the part that handles its method; a method nobody handles is answered 405.
 */
import { silentLogger, systemClock, type Clock, type Logger } from '../../base/index.js';
import { bindSipTransports, UserAgent, type InviteSession, type ServerTransaction, type SipRequest, type SipTransportName, type SipTransports, type TimerConfig } from '../index.js';
import type { RequestAuthenticator } from './authenticator.js';

export interface PhoneSideOptions {
  /** The IPv4 address to listen on and to write in Via and Contact. */
  readonly host: string;
  /** UDP and TCP port; 0 picks a free one. */
  readonly port: number;
  readonly transports: readonly SipTransportName[];
  /** The Digest realm, also the registrar's domain in addresses of record it writes. */
  readonly realm: string;
  readonly clock?: Clock;
  readonly logger?: Logger;
  readonly timers?: Partial<TimerConfig>;
}

/** A part of the phones' side: the requests of one method (out of dialog, or in a dialog the part made). */
export type RequestHandler = (tx: ServerTransaction) => boolean;

/** Methods the phones' side accepts beyond INVITE, ACK, CANCEL, BYE, OPTIONS and NOTIFY. */
export const phoneSideMethods = ['REGISTER', 'SUBSCRIBE', 'REFER', 'PUBLISH'] as const;

export class PhoneSide {
  private ua?: UserAgent;
  private transports?: SipTransports;
  private boundPort = 0;
  private readonly handlers = new Map<string, RequestHandler[]>();
  private invites?: { readonly handler: (session: InviteSession, extension: string) => void; readonly authenticator: RequestAuthenticator };
  /** The extension each admitted INVITE authenticated as. */
  private readonly callers = new WeakMap<SipRequest, string>();
  readonly clock: Clock;
  readonly logger: Logger;

  constructor(private readonly opts: PhoneSideOptions) {
    this.clock = opts.clock ?? systemClock;
    this.logger = opts.logger ?? silentLogger;
  }

  /** Requests of `method` go to `handler` (several handlers of one method are asked in turn until one takes it). */
  handle(method: (typeof phoneSideMethods)[number] | 'NOTIFY', handler: RequestHandler): void {
    this.handlers.set(method, [...(this.handlers.get(method) ?? []), handler]);
  }

  /**
   * INVITEs from phones (a new call) go to `handler` with the extension they authenticated as; `authenticator`
   * answers the others (a challenge, 403). Without a handler every INVITE is answered 480.
   */
  onInvite(handler: (session: InviteSession, extension: string) => void, authenticator: RequestAuthenticator): void {
    this.invites = { handler, authenticator };
  }

  async start(): Promise<void> {
    if (this.ua) return;
    const bound = await bindSipTransports(this.opts.host, this.opts.port, this.opts.transports, this.logger.child('transport'));
    this.boundPort = bound.port;
    this.transports = bound.transports;
    this.ua = new UserAgent({
      transport: bound.transports,
      host: this.opts.host,
      port: bound.port,
      transports: this.opts.transports,
      user: 'hometel',
      aor: `sip:hometel@${this.opts.realm}`,
      // Phones address extensions, numbers and feature codes: the parts decide who exists (404 there).
      acceptsUser: () => true,
      extraMethods: phoneSideMethods,
      // Nothing of the phones' side subscribes to presence or probes availability.
      presence: false,
      clock: this.clock,
      logger: this.logger.child('ua'),
      ...(this.opts.timers ? { timers: this.opts.timers } : {}),
    });
    this.ua.delegate = {
      admitInvite: (tx) => {
        if (!this.invites) return true;
        const extension = this.invites.authenticator.authenticate(tx);
        if (extension === undefined) return false;
        this.callers.set(tx.request, extension);
        return true;
      },
      onInvite: (session) => {
        const extension = session.request && this.callers.get(session.request);
        if (this.invites && extension !== undefined) this.invites.handler(session, extension);
        else session.reject(480);
      },
      onRequest: (tx) => (this.handlers.get(tx.request.method) ?? []).some((h) => h(tx)),
    };
    this.ua.start();
    this.logger.info('phones\' SIP side started', { host: this.opts.host, port: bound.port, transports: this.opts.transports.join(',') });
  }

  async stop(): Promise<void> {
    const ua = this.ua;
    this.ua = undefined;
    await ua?.stop();
    await this.transports?.close();
    this.transports = undefined;
  }

  /** The user agent (to place calls to phones, send NOTIFYs). Throws before `start`. */
  get userAgent(): UserAgent {
    if (!this.ua) throw new Error('the phones\' SIP side is not started');
    return this.ua;
  }

  get host(): string {
    return this.opts.host;
  }

  /** The port it listens on (after `start`). */
  get port(): number {
    return this.boundPort;
  }

  get realm(): string {
    return this.opts.realm;
  }
}
