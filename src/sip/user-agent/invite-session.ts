/**
 * One INVITE session (RFC 3261 13–15), as caller (UAC) or callee (UAS): the initial offer/answer, CANCEL,
 * BYE, re-INVITE in both directions (14), the UAS's 2xx retransmission until the ACK (13.3.1.4) and the
 * UAC's ACK for every 2xx (13.2.2.4), in-dialog OPTIONS keep-alives, and the no-answer timer.
 *
 * The TU hears of the session through `delegate`; once the TU ends a session itself (cancel, reject, bye,
 * terminate) it hears nothing more of it. Every delegate call is guarded: a TU exception is logged.
 */
import type { TimerHandle } from '../../base/clock.js';
import { Dialog } from '../dialog/dialog.js';
import { responseTo, type HeaderInput } from '../message/codec.js';
import { cseq, toAddr } from '../message/headers.js';
import type { SipPeer, SipRequest, SipResponse } from '../message/types.js';
import type { ClientTransaction, InviteServerTransaction, ServerTransaction, TwoHundredRetransmitter } from '../transaction/index.js';
import type { LocalCause, UaContext } from './context.js';
import { cancelFor, reply, RequestFamily, withContact } from './requests.js';

export type SessionState =
  /** UAC: INVITE sent (or being sent), no provisional response yet. */
  | 'calling'
  /** UAC: a provisional response arrived. */
  | 'proceeding'
  /** UAS: the INVITE arrived and is not answered yet. */
  | 'ringing'
  /** UAS: 2xx sent, its ACK not here yet. */
  | 'accepted'
  | 'confirmed'
  | 'terminated';

/** Why a session the TU did not end has ended. */
export type EndCause =
  /** The remote party sent BYE. */
  | 'bye'
  /** Our 2xx was never acknowledged (64·T1, RFC 3261 13.3.1.4); we sent BYE. */
  | 'no-ack'
  /** An in-dialog request failed with 408/481, timed out or could not be sent (RFC 3261 12.2.1.2, 14.1). */
  | 'dead-peer';

export interface InviteSessionDelegate {
  /** UAC: a provisional response other than 100. */
  onProgress?(response: SipResponse): void;
  /** UAC: a 2xx; the ACK has been sent. */
  onAccepted?(sdpAnswer: string | undefined, response: SipResponse): void;
  /** UAC: the INVITE failed: 3xx–6xx, or a local 408 (no answer, Timer B) or 503 (transport error). */
  onRejected?(response: SipResponse, local?: LocalCause): void;
  /** UAS: the caller cancelled (CANCEL, or BYE on the early dialog). */
  onCancelled?(): void;
  /** UAS: nobody answered within the no-answer time. Without this handler the UA answers 480. */
  onNoAnswer?(): void;
  /** The established session ended without the TU asking. */
  onEnded?(cause: EndCause): void;
  /** A re-INVITE with an offer arrived: answer with `acceptModify` or `rejectModify`. */
  onModifyRequest?(sdpOffer: string): void;
  /** The remote party cancelled its re-INVITE before we answered it. */
  onModifyCancelled?(): void;
  /** Our re-INVITE was accepted (2xx, ACK sent). */
  onModifyAccepted?(sdpAnswer: string | undefined): void;
  /** Our re-INVITE was refused (488, 491, …); the session goes on as before. */
  onModifyRejected?(status: number): void;
}

/** What a session tells its user agent. */
export interface SessionHost {
  dialogEstablished(session: InviteSession, dialog: Dialog): void;
  sessionEnded(session: InviteSession): void;
}

/** Our re-INVITE while it waits for its final response. */
interface PendingModify {
  request?: SipRequest;
  tx?: ClientTransaction;
  provisional?: boolean;
  giveUp?: TimerHandle;
}

const okStatus = (s: number): boolean => s >= 200 && s < 300;

export class InviteSession {
  delegate: InviteSessionDelegate = {};
  private current: SessionState;
  private dialogOf?: Dialog;
  private initial?: SipRequest;
  private final?: SipResponse;
  private local?: string;
  private remote?: string;
  private quiet = false;
  private readonly family?: RequestFamily;
  // UAC
  private clientTx?: ClientTransaction;
  private invitePeer?: SipPeer;
  private provisionalSeen = false;
  private cancelRequested = false;
  private cancelSent = false;
  private readonly acks = new Map<number, { ack: SipRequest; peer: SipPeer }>();
  private ourModify?: PendingModify;
  // UAS
  private serverTx?: InviteServerTransaction;
  private localTag?: string;

  /** The To tag of our responses to the INVITE that created this session (UAS side). */
  get responseTag(): string | undefined {
    return this.localTag;
  }
  private theirModify?: InviteServerTransaction;
  private theirModifyTimer?: TimerHandle;
  private readonly retransmitters = new Map<number, TwoHundredRetransmitter>();
  private byePending = false;
  private byeSent = false;
  private retransmitted = 0;
  // timers
  private noAnswerTimer?: TimerHandle;
  private keepaliveTimer?: TimerHandle;
  private cancelTimer?: TimerHandle;

  private constructor(
    private readonly ctx: UaContext,
    private readonly host: SessionHost,
    readonly id: string,
    readonly direction: 'outgoing' | 'incoming',
    state: SessionState,
    family?: RequestFamily,
  ) {
    this.current = state;
    this.family = family;
  }

  // ------------------------------------------------------------------------------------------ creation

  /** UAC: sends an INVITE to `target` (Request-URI) with `sdp` as offer. */
  static outgoing(
    ctx: UaContext,
    host: SessionHost,
    id: string,
    target: string,
    opts: { readonly sdp?: string; readonly headers?: HeaderInput; readonly delegate?: InviteSessionDelegate } = {},
  ): InviteSession {
    const family = new RequestFamily(ctx, target);
    const s = new InviteSession(ctx, host, id, 'outgoing', 'calling', family);
    if (opts.delegate) s.delegate = opts.delegate;
    s.local = opts.sdp;
    const extra: HeaderInput = [['Contact', ctx.contact()], ...ctx.describe('request'), ...(opts.headers ?? [])];
    ctx.send(
      { build: () => family.build('INVITE', extra, opts.sdp ?? ''), nextHop: family.nextHop },
      {
        retry: () => !s.cancelRequested && s.current !== 'terminated',
        onTransaction: (tx, request, peer) => {
          s.clientTx = tx;
          s.initial = request;
          s.invitePeer = peer;
          s.provisionalSeen = false;
        },
        onProvisional: (r) => s.uacProvisional(r),
        onFinal: (r, local) => s.uacFinal(r, local),
      },
    );
    return s;
  }

  /** UAS: a new INVITE; undefined (after a 400) when it cannot create a dialog. The UA shows it to the TU, then calls `offered()`. */
  static incoming(ctx: UaContext, host: SessionHost, id: string, tx: InviteServerTransaction, localTag: string): InviteSession | undefined {
    const dialog = Dialog.asUas(tx.request, localTag);
    if (!dialog) {
      tx.respond(responseTo(tx.request, 400, 'Bad Request (no Contact or From tag)', [], { toTag: localTag }));
      return undefined;
    }
    const s = new InviteSession(ctx, host, id, 'incoming', 'ringing');
    s.serverTx = tx;
    s.initial = tx.request;
    s.localTag = localTag;
    s.remote = tx.request.body || undefined;
    s.dialogOf = dialog;
    host.dialogEstablished(s, dialog);
    s.noAnswerTimer = ctx.timer(ctx.settings.noAnswerMs, () => s.noAnswer());
    return s;
  }

  /** UAS: after the TU has seen the INVITE: ring (180 with our To tag) unless the TU already answered. */
  offered(): void {
    if (this.current !== 'ringing' || !this.serverTx || !this.initial) return;
    this.serverTx.respond(reply(this.ctx, this.initial, 180, [['Contact', this.ctx.contact()]], { toTag: this.localTag }));
  }

  // ------------------------------------------------------------------------------------------ state

  get state(): SessionState {
    return this.current;
  }

  /** UAS: the INVITE received. UAC: the INVITE as last sent (after a retry with credentials, the retry). */
  get request(): SipRequest | undefined {
    return this.initial;
  }

  /** UAC: the final response to the INVITE, once there is one. */
  get finalResponse(): SipResponse | undefined {
    return this.final;
  }

  get dialog(): Dialog | undefined {
    return this.dialogOf;
  }

  /** The SIP Call-ID of the session. */
  get callId(): string | undefined {
    return this.family?.callId ?? this.dialogOf?.id.callId;
  }

  get localSdp(): string | undefined {
    return this.local;
  }

  get remoteSdp(): string | undefined {
    return this.remote;
  }

  /** 2xx retransmissions sent so far (RFC 3261 13.3.1.4), for tests and diagnostics. */
  get twoHundredRetransmissions(): number {
    return this.retransmitted + [...this.retransmitters.values()].reduce((n, r) => n + r.retransmissions, 0);
  }

  // ------------------------------------------------------------------------------------------ TU commands

  /** UAS: answers 200 with the SDP answer; retransmitted until the ACK. */
  answer(sdp: string | undefined): void {
    if (this.direction !== 'incoming' || this.current !== 'ringing' || !this.serverTx || !this.initial) {
      this.ctx.logger.debug('answer ignored', { session: this.id, state: this.current });
      return;
    }
    this.noAnswerTimer?.cancel();
    this.local = sdp;
    this.current = 'accepted';
    this.respond2xx(this.serverTx, sdp);
  }

  /** UAS: rejects the ringing INVITE (486, 603, 480, 488 …). */
  reject(status: number, reason?: string): void {
    if (this.direction !== 'incoming' || this.current !== 'ringing' || !this.serverTx || !this.initial) {
      this.ctx.logger.debug('reject ignored', { session: this.id, state: this.current });
      return;
    }
    this.quiet = true;
    const extra: HeaderInput = status === 488 ? [['Accept', 'application/sdp']] : [];
    this.serverTx.respond(reply(this.ctx, this.initial, status, extra, { toTag: this.localTag, ...(reason ? { reason } : {}) }));
    this.terminate0();
  }

  /**
   * UAC: cancels the INVITE (RFC 3261 9.1). The CANCEL goes once a provisional response has arrived; a 2xx
   * that crosses it is ACKed and ended with BYE. An answered session is ended with BYE.
   */
  cancel(): void {
    if (this.direction !== 'outgoing') return;
    this.quiet = true;
    if (this.current === 'confirmed') {
      this.hangUpNow();
      return;
    }
    if (this.current !== 'calling' && this.current !== 'proceeding') return;
    this.cancelRequested = true;
    if (this.provisionalSeen) this.sendCancel();
  }

  /** Ends an established session with BYE (the callee waits for the ACK of its 2xx first, RFC 3261 15). */
  bye(): void {
    this.quiet = true;
    if (this.current === 'confirmed') this.hangUpNow();
    else if (this.current === 'accepted') this.byePending = true;
    else if (this.current === 'calling' || this.current === 'proceeding') this.cancel();
  }

  /** Ends the session whatever its state (shutdown): CANCEL, 480, or BYE at once. */
  terminate(): void {
    if (this.current === 'terminated') return;
    this.quiet = true;
    switch (this.current) {
      case 'calling':
      case 'proceeding':
        this.cancel();
        return;
      case 'ringing':
        this.reject(480);
        return;
      case 'accepted':
      case 'confirmed':
        this.hangUpNow();
        return;
    }
  }

  /** Sends a re-INVITE with a new offer (RFC 3261 14.1). */
  modify(sdp: string): void {
    const dialog = this.dialogOf;
    if (this.current !== 'confirmed' || !dialog || this.ourModify || this.theirModify) {
      this.ctx.timer(0, () => this.emit('modify rejected', (d) => d.onModifyRejected?.(491)));
      return;
    }
    const modify: PendingModify = {};
    this.ourModify = modify;
    // Timer B only runs until a provisional response; after one, give up (CANCEL) once the remote side has had
    // its own no-answer time (plus 64·T1): the answer is then a 487 and the modification is refused.
    modify.giveUp = this.ctx.timer(this.ctx.settings.noAnswerMs + 64 * this.ctx.timers.t1, () => {
      if (this.ourModify !== modify || !modify.provisional || !modify.request || !modify.tx) return;
      this.ctx.logger.info('re-INVITE not answered: cancelling it', { session: this.id });
      try {
        this.ctx.layer.sendRequest(cancelFor(modify.request), modify.tx.destination, {});
      } catch (e) {
        this.ctx.logger.warn('CANCEL could not be sent', { session: this.id, error: String(e) });
      }
      // RFC 3261 9.1: still no final response 64·T1 later: the re-INVITE is over.
      const tx = modify.tx;
      modify.giveUp = this.ctx.timer(64 * this.ctx.timers.t1, () => {
        if (this.ourModify !== modify) return;
        this.ourModify = undefined;
        tx.abort();
        this.emit('modify rejected', (d) => d.onModifyRejected?.(487));
      });
    });
    const extra: HeaderInput = this.ctx.describe('request');
    this.ctx.send(
      { build: () => dialog.createRequest('INVITE', { body: sdp, contact: this.ctx.contact(), extra }), nextHop: dialog.nextHop() },
      {
        retry: () => this.current === 'confirmed',
        onTransaction: (tx, request) => {
          modify.request = request;
          modify.tx = tx;
          modify.provisional = false;
        },
        onProvisional: () => {
          modify.provisional = true;
        },
        onFinal: (r, local) => {
          modify.giveUp?.cancel();
          if (this.ourModify === modify) this.ourModify = undefined;
          if (this.current === 'terminated') return;
          if (okStatus(r.status) && modify.request) {
            dialog.refreshFrom(r);
            void this.sendAckFor(r, modify.request, dialog);
            this.local = sdp;
            if (r.body) this.remote = r.body;
            this.emit('modify accepted', (d) => d.onModifyAccepted?.(r.body || undefined));
          } else if (r.status === 408 || r.status === 481 || local) {
            this.deadPeer(`re-INVITE answered ${r.status}${local ? ` (${local})` : ''}`, r.status !== 481);
          } else {
            this.emit('modify rejected', (d) => d.onModifyRejected?.(r.status));
          }
        },
      },
    );
  }

  /** Answers the remote re-INVITE with 200 and our SDP answer. */
  acceptModify(sdp: string): void {
    const tx = this.theirModify;
    if (!tx) return;
    this.theirModify = undefined;
    this.theirModifyTimer?.cancel();
    this.local = sdp;
    this.remote = tx.request.body || this.remote;
    this.respond2xx(tx, sdp);
  }

  /** Refuses the remote re-INVITE (488 by default); the session goes on as before. */
  rejectModify(status = 488): void {
    const tx = this.theirModify;
    if (!tx) return;
    this.theirModify = undefined;
    this.theirModifyTimer?.cancel();
    tx.respond(reply(this.ctx, tx.request, status, status === 488 ? [['Accept', 'application/sdp']] : []));
  }

  // ------------------------------------------------------------------------------------------ UAC events

  private uacProvisional(r: SipResponse): void {
    if (this.current === 'terminated') return;
    this.provisionalSeen = true;
    if (this.current === 'calling') this.current = 'proceeding';
    if (this.cancelRequested) {
      this.sendCancel();
      return;
    }
    if (r.status > 100) this.emit('progress', (d) => d.onProgress?.(r));
  }

  private uacFinal(r: SipResponse, local?: LocalCause): void {
    this.cancelTimer?.cancel();
    if (okStatus(r.status)) {
      this.uacAccepted(r);
      return;
    }
    if (this.current === 'terminated') return;
    this.final = r;
    this.terminate0();
    this.emit('rejected', (d) => d.onRejected?.(r, local));
  }

  private uacAccepted(r: SipResponse): void {
    const invite = this.initial;
    if (!invite) return;
    if (this.dialogOf) {
      this.strayResponse(r);
      return;
    }
    const dialog = Dialog.asUac(invite, withContact(r, invite.uri));
    if (!dialog) {
      this.ctx.logger.warn('2xx without a To tag: cannot ACK it', { session: this.id });
      this.final = r;
      this.terminate0();
      this.emit('rejected', (d) => d.onRejected?.(r));
      return;
    }
    this.final = r;
    this.dialogOf = dialog;
    this.host.dialogEstablished(this, dialog);
    void this.sendAckFor(r, invite, dialog);
    if (this.cancelRequested || this.current === 'terminated') {
      // RFC 3261 9.1/15: the 2xx crossed our CANCEL: ACK it, then BYE.
      this.current = 'confirmed';
      this.hangUpNow();
      return;
    }
    this.current = 'confirmed';
    this.remote = r.body || undefined;
    this.startKeepalive();
    this.emit('accepted', (d) => d.onAccepted?.(r.body || undefined, r));
  }

  /**
   * A 2xx that matched no transaction: a retransmission (ACK it again, RFC 3261 13.2.2.4) or the 2xx of
   * another fork or of an INVITE we gave up on (ACK it and end that dialog with BYE).
   */
  strayResponse(r: SipResponse): void {
    const c = cseq(r);
    if (!c || c.method !== 'INVITE' || !okStatus(r.status)) return;
    const tag = toAddr(r)?.tag;
    const dialog = this.dialogOf;
    if (dialog && tag === dialog.id.remoteTag) {
      const sent = this.acks.get(c.seq);
      if (sent) this.ctx.layer.sendAck(sent.ack, sent.peer).catch((e: unknown) => this.ctx.logger.debug('ACK resend failed', { error: String(e) }));
      return;
    }
    const invite = this.initial;
    if (!invite || !tag || this.direction !== 'outgoing') return;
    const fork = Dialog.asUac(invite, withContact(r, invite.uri));
    if (!fork) return;
    this.ctx.logger.info('2xx from another fork or after giving up: ACK and BYE', { session: this.id });
    void this.sendAckFor(r, invite, fork);
    this.ctx.send({ build: () => fork.createRequest('BYE', { extra: this.ctx.describe('request') }), nextHop: fork.nextHop() }, {});
  }

  private async sendAckFor(r: SipResponse, invite: SipRequest, dialog: Dialog): Promise<void> {
    const seq = cseq(r)?.seq ?? cseq(invite)?.seq ?? 0;
    // RFC 3261 13.2.2.4: the ACK carries the INVITE's credentials.
    const creds: Array<readonly [string, string]> = [];
    for (const name of ['Authorization', 'Proxy-Authorization']) for (const v of invite.headers.all(name)) creds.push([name, v]);
    const ack = dialog.createRequest('ACK', { cseq: seq, extra: creds });
    const sent = await this.ctx.sendAck(ack, dialog.nextHop());
    if (sent && dialog === this.dialogOf) this.acks.set(seq, sent);
  }

  private sendCancel(): void {
    if (this.cancelSent || !this.clientTx || !this.initial || !this.invitePeer) return;
    this.cancelSent = true;
    const tx = this.clientTx;
    try {
      this.ctx.layer.sendRequest(cancelFor(this.initial), this.invitePeer, {});
    } catch (e) {
      this.ctx.logger.warn('CANCEL could not be sent', { session: this.id, error: String(e) });
    }
    // RFC 3261 9.1: no final response within 64·T1 after the CANCEL: consider the INVITE cancelled.
    this.cancelTimer = this.ctx.timer(64 * this.ctx.timers.t1, () => {
      if (this.current !== 'calling' && this.current !== 'proceeding') return;
      tx.abort();
      this.terminate0();
    });
  }

  // ------------------------------------------------------------------------------------------ UAS events

  /** A CANCEL matched one of our INVITE server transactions (the UA answered the CANCEL itself). */
  cancelled(target: ServerTransaction): void {
    if (target === this.serverTx && this.current === 'ringing' && this.initial) {
      target.respond(reply(this.ctx, this.initial, 487, [], { toTag: this.localTag }));
      this.terminate0();
      this.emit('cancelled', (d) => d.onCancelled?.());
    } else if (target === this.theirModify) {
      this.theirModify = undefined;
      this.theirModifyTimer?.cancel();
      target.respond(reply(this.ctx, target.request, 487));
      this.emit('modify cancelled', (d) => d.onModifyCancelled?.());
    }
  }

  /** The ACK of one of our 2xx responses (initial INVITE or re-INVITE). */
  receiveAck(ack: SipRequest): void {
    const seq = cseq(ack)?.seq;
    if (seq === undefined) return;
    const r = this.retransmitters.get(seq);
    if (r) {
      this.retransmitted += r.retransmissions;
      r.acknowledge();
      this.retransmitters.delete(seq);
    }
    if (this.current === 'accepted' && this.initial && seq === cseq(this.initial)?.seq) {
      this.current = 'confirmed';
      if (this.byePending) this.hangUpNow();
      else this.startKeepalive();
    }
  }

  /** A request inside the dialog (To tag ours). */
  receiveRequest(tx: ServerTransaction): void {
    const req = tx.request;
    const dialog = this.dialogOf;
    if (!dialog || this.current === 'terminated') {
      tx.respond(reply(this.ctx, req, 481));
      return;
    }
    if (dialog.receive(req) === 'out-of-order') {
      tx.respond(reply(this.ctx, req, 500, [], { reason: 'Out of Order CSeq' }));
      return;
    }
    switch (req.method) {
      case 'BYE':
        tx.respond(reply(this.ctx, req, 200));
        this.remoteBye();
        return;
      case 'INVITE':
        this.reinvite(tx as InviteServerTransaction);
        return;
      case 'OPTIONS':
        tx.respond(reply(this.ctx, req, 200, [['Accept', 'application/sdp']]));
        return;
      default:
        tx.respond(reply(this.ctx, req, 405));
    }
  }

  private remoteBye(): void {
    if (this.direction === 'incoming' && this.current === 'ringing' && this.serverTx && this.initial) {
      this.serverTx.respond(reply(this.ctx, this.initial, 487, [], { toTag: this.localTag }));
      this.terminate0();
      this.emit('cancelled', (d) => d.onCancelled?.());
      return;
    }
    this.terminate0();
    this.emit('ended', (d) => d.onEnded?.('bye'));
  }

  /** RFC 3261 14.2: a re-INVITE. */
  private reinvite(tx: InviteServerTransaction): void {
    const req = tx.request;
    if (this.current !== 'confirmed' && this.current !== 'accepted') {
      tx.respond(reply(this.ctx, req, 491));
      return;
    }
    if (this.ourModify) {
      tx.respond(reply(this.ctx, req, 491)); // glare: both sides modify at once
      return;
    }
    if (this.theirModify) {
      const after = Math.floor(this.ctx.random() * 10);
      tx.respond(reply(this.ctx, req, 500, [['Retry-After', String(after)]]));
      return;
    }
    if (!req.body) {
      // No offer: a session refresh; our current SDP is the offer in the 2xx (the ACK's answer is not used).
      this.respond2xx(tx, this.local);
      return;
    }
    this.theirModify = tx;
    if (!this.delegate.onModifyRequest || this.quiet) {
      this.rejectModify(488);
      return;
    }
    // Not answered within the no-answer time: refused (488), and the TU hears it as cancelled.
    this.theirModifyTimer = this.ctx.timer(this.ctx.settings.noAnswerMs, () => {
      if (this.theirModify !== tx) return;
      this.ctx.logger.info('re-INVITE not answered in time: refusing it', { session: this.id });
      this.rejectModify(488);
      this.emit('modify cancelled', (d) => d.onModifyCancelled?.());
    });
    this.emit('modify request', (d) => d.onModifyRequest?.(req.body));
  }

  private respond2xx(tx: InviteServerTransaction, sdp: string | undefined): void {
    const ok = reply(this.ctx, tx.request, 200, [['Contact', this.ctx.contact()]], { toTag: this.localTag, body: sdp ?? '' });
    tx.respond(ok);
    const seq = cseq(tx.request)?.seq ?? 0;
    this.retransmitters.get(seq)?.stop();
    const r = this.ctx.layer.retransmit2xx(ok, tx.source, () => this.noAck(seq));
    this.retransmitters.set(seq, r);
  }

  /** RFC 3261 13.3.1.4: 64·T1 without an ACK: the session ends with BYE. */
  private noAck(seq: number): void {
    const r = this.retransmitters.get(seq);
    if (r) this.retransmitted += r.retransmissions;
    this.retransmitters.delete(seq);
    if (this.current === 'terminated') return;
    this.ctx.logger.warn('no ACK for our 2xx within 64*T1: ending the session', { session: this.id });
    this.current = 'confirmed';
    this.hangUpNow();
    this.emit('ended', (d) => d.onEnded?.('no-ack'));
  }

  private noAnswer(): void {
    if (this.current !== 'ringing') return;
    if (this.delegate.onNoAnswer && !this.quiet) this.emit('no answer', (d) => d.onNoAnswer?.());
    else this.reject(480);
  }

  // ------------------------------------------------------------------------------------------ dialog upkeep

  private startKeepalive(): void {
    const every = this.ctx.settings.keepaliveMs;
    if (every <= 0 || this.current !== 'confirmed') return;
    this.keepaliveTimer?.cancel();
    this.keepaliveTimer = this.ctx.timer(every, () => this.keepalive());
  }

  private keepalive(): void {
    const dialog = this.dialogOf;
    if (this.current !== 'confirmed' || !dialog) return;
    this.ctx.send(
      { build: () => dialog.createRequest('OPTIONS', { extra: this.ctx.describe('request') }), nextHop: dialog.nextHop() },
      {
        retry: () => this.current === 'confirmed',
        onFinal: (r, local) => {
          if (this.current !== 'confirmed') return;
          if (r.status === 408 || r.status === 481 || local) this.deadPeer(`keep-alive OPTIONS answered ${r.status}`, r.status !== 481);
          else this.startKeepalive();
        },
      },
    );
  }

  private deadPeer(why: string, sendBye: boolean): void {
    this.ctx.logger.info('dead peer: ending the session', { session: this.id, why });
    if (sendBye) this.sendBye();
    this.terminate0();
    this.emit('ended', (d) => d.onEnded?.('dead-peer'));
  }

  private hangUpNow(): void {
    this.sendBye();
    this.terminate0();
  }

  private sendBye(): void {
    const dialog = this.dialogOf;
    if (!dialog || this.byeSent) return;
    this.byeSent = true;
    this.ctx.send({ build: () => dialog.createRequest('BYE', { extra: this.ctx.describe('request') }), nextHop: dialog.nextHop() }, {
      onFinal: (r) => this.ctx.logger.debug('BYE answered', { session: this.id, status: r.status }),
    });
  }

  /** Enters Terminated: timers and retransmissions stop, a pending remote re-INVITE gets 487. */
  private terminate0(): void {
    if (this.current === 'terminated') return;
    this.current = 'terminated';
    this.noAnswerTimer?.cancel();
    this.keepaliveTimer?.cancel();
    for (const r of this.retransmitters.values()) {
      this.retransmitted += r.retransmissions;
      r.stop();
    }
    this.retransmitters.clear();
    const pending = this.theirModify;
    this.theirModify = undefined;
    this.theirModifyTimer?.cancel();
    this.ourModify?.giveUp?.cancel();
    if (pending) pending.respond(reply(this.ctx, pending.request, 487));
    this.host.sessionEnded(this);
  }

  private emit(what: string, fn: (d: InviteSessionDelegate) => void): void {
    if (this.quiet) return;
    this.ctx.safe(`session ${what}`, () => fn(this.delegate));
  }
}
