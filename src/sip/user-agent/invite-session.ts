/**
 * One INVITE session (RFC 3261 13–15), as caller (UAC) or callee (UAS): the initial offer/answer, CANCEL,
 * BYE, and the no-answer timer. Its parts: the 2xx–ACK exchange (the UAS's 2xx retransmission until the ACK,
 * 13.3.1.4; the UAC's ACK for every 2xx, 13.2.2.4) in ack-exchange.ts; the requests inside the dialog
 * (re-INVITE in both directions, 14; OPTIONS keep-alives) in in-dialog.ts.
 *
 * The TU hears of the session through `delegate`; once the TU ends a session itself (cancel, reject, bye,
 * terminate) it hears nothing more of it. Every delegate call is guarded: a TU exception is logged.
 */
import type { TimerHandle } from '../../base/index.js';
import { Dialog } from '../dialog/dialog.js';
import { responseTo, type HeaderInput } from '../message/codec.js';
import { cseq } from '../message/headers.js';
import type { SipPeer, SipRequest, SipResponse } from '../message/types.js';
import type { ClientTransaction, InviteServerTransaction, ServerTransaction } from '../transaction/index.js';
import { AckExchange, okStatus } from './ack-exchange.js';
import type { LocalCause, UaContext } from './context.js';
import { InDialogRequests, type InDialogHost, type ModifyDelegate } from './in-dialog.js';
import type { ReferDelegate } from './refer.js';
import { cancelFor, reply, RequestFamily, withContact, type Identity } from './requests.js';

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

/** How an outgoing INVITE is sent. */
export interface InviteOptions {
  readonly sdp?: string;
  readonly headers?: HeaderInput;
  readonly delegate?: InviteSessionDelegate;
  /** The From identity; default the UA's own. */
  readonly from?: Identity;
  /**
   * Where the INVITE and every later request of its dialog go (a sip: URI with the address, port and transport),
   * instead of the outbound proxy or the Request-URI: a phone behind NAT is reached at the source address it
   * registered from, not at its Contact.
   */
  readonly flow?: string;
}

export interface InviteSessionDelegate extends ModifyDelegate, ReferDelegate {
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
}

/** What a session tells its user agent. */
export interface SessionHost {
  dialogEstablished(session: InviteSession, dialog: Dialog): void;
  sessionEnded(session: InviteSession): void;
}

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
  private cancelHeaders: HeaderInput = [];
  /** Where every request of the session goes (InviteOptions.flow). */
  private flow?: string;
  // UAS
  private serverTx?: InviteServerTransaction;
  private byePending = false;
  private byeSent = false;
  // both
  private readonly twoHundred: AckExchange;
  private readonly inDialog: InDialogRequests;
  // timers
  private noAnswerTimer?: TimerHandle;
  /** The TU sends the 180 itself (ringWhenTold). */
  private ringsWhenTold = false;
  private cancelTimer?: TimerHandle;

  private constructor(
    private readonly ctx: UaContext,
    private readonly host: SessionHost,
    readonly id: string,
    readonly direction: 'outgoing' | 'incoming',
    state: SessionState,
    family?: RequestFamily,
    /** UAS: the To tag of our responses to the INVITE. */
    private readonly localTag?: string,
  ) {
    this.current = state;
    this.family = family;
    this.twoHundred = new AckExchange(ctx, { id, toTag: localTag, dialog: () => this.dialogOf, flow: () => this.flow, noAck: () => this.noAck() });
    this.inDialog = new InDialogRequests(ctx, this.inDialogHost(), this.twoHundred);
  }

  // ------------------------------------------------------------------------------------------ creation

  /** UAC: sends an INVITE to `target` (Request-URI) with `sdp` as offer. */
  static outgoing(ctx: UaContext, host: SessionHost, id: string, target: string, opts: InviteOptions = {}): InviteSession {
    // A flow replaces the outbound proxy: the request goes straight to where the callee is reached.
    const family = new RequestFamily(ctx, target, undefined, { ...(opts.from ? { from: opts.from } : {}), ...(opts.flow ? { route: null } : {}) });
    const s = new InviteSession(ctx, host, id, 'outgoing', 'calling', family);
    s.flow = opts.flow;
    if (opts.delegate) s.delegate = opts.delegate;
    s.local = opts.sdp;
    const extra: HeaderInput = [['Contact', ctx.contact()], ...ctx.describe('request'), ...(opts.headers ?? [])];
    ctx.send(
      { build: () => family.build('INVITE', extra, opts.sdp ?? ''), nextHop: opts.flow ?? family.nextHop },
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
    const s = new InviteSession(ctx, host, id, 'incoming', 'ringing', undefined, localTag);
    s.serverTx = tx;
    s.initial = tx.request;
    s.remote = tx.request.body || undefined;
    s.dialogOf = dialog;
    host.dialogEstablished(s, dialog);
    s.noAnswerTimer = ctx.timer(ctx.settings.noAnswerMs, () => s.noAnswer());
    return s;
  }

  /** UAS: after the TU has seen the INVITE: ring (180 with our To tag) unless the TU already answered or rings itself. */
  offered(): void {
    if (!this.ringsWhenTold) this.ring();
  }

  /**
   * UAS: the TU sends the 180 itself (`ring()`) when what it calls rings — a call it places on elsewhere — instead of
   * the UA at once; until then the caller has the transaction's 100 Trying.
   */
  ringWhenTold(): void {
    this.ringsWhenTold = true;
  }

  /** UAS: 180 Ringing with our To tag, unless answered or ended. */
  ring(): void {
    if (this.current !== 'ringing' || !this.serverTx || !this.initial) return;
    this.serverTx.respond(reply(this.ctx, this.initial, 180, [['Contact', this.ctx.contact()]], { toTag: this.localTag }));
  }

  // ------------------------------------------------------------------------------------------ state

  /** The To tag of our responses to the INVITE that created this session (UAS side). */
  get responseTag(): string | undefined {
    return this.localTag;
  }

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
    return this.twoHundred.retransmissions;
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
    this.twoHundred.respond2xx(this.serverTx, sdp);
  }

  /** UAS: rejects the ringing INVITE (486, 603, 480, 488 …), or redirects it (3xx with `headers` carrying the Contact). */
  reject(status: number, reason?: string, headers: HeaderInput = []): void {
    if (this.direction !== 'incoming' || this.current !== 'ringing' || !this.serverTx || !this.initial) {
      this.ctx.logger.debug('reject ignored', { session: this.id, state: this.current });
      return;
    }
    this.quiet = true;
    const extra: HeaderInput = status === 488 ? [['Accept', 'application/sdp'], ...headers] : headers;
    this.serverTx.respond(reply(this.ctx, this.initial, status, extra, { toTag: this.localTag, ...(reason ? { reason } : {}) }));
    this.terminate0();
  }

  /**
   * UAC: cancels the INVITE (RFC 3261 9.1). The CANCEL goes once a provisional response has arrived; a 2xx
   * that crosses it is ACKed and ended with BYE. An answered session is ended with BYE. `headers` go on the CANCEL
   * (an RFC 3326 Reason).
   */
  cancel(headers: HeaderInput = []): void {
    if (this.direction !== 'outgoing') return;
    this.quiet = true;
    if (this.current === 'confirmed') {
      this.hangUpNow();
      return;
    }
    if (this.current !== 'calling' && this.current !== 'proceeding') return;
    this.cancelRequested = true;
    this.cancelHeaders = headers;
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
    this.inDialog.modify(sdp);
  }

  /** Answers the remote re-INVITE with 200 and our SDP answer. */
  acceptModify(sdp: string): void {
    this.inDialog.acceptModify(sdp);
  }

  /** Refuses the remote re-INVITE (488 by default); the session goes on as before. */
  rejectModify(status = 488): void {
    this.inDialog.rejectModify(status);
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
    const dialog = Dialog.asUac(invite, withContact(r, invite.uri), this.flow);
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
    void this.twoHundred.sendAck(r, invite, dialog);
    if (this.cancelRequested || this.current === 'terminated') {
      // RFC 3261 9.1/15: the 2xx crossed our CANCEL: ACK it, then BYE.
      this.current = 'confirmed';
      this.hangUpNow();
      return;
    }
    this.current = 'confirmed';
    this.remote = r.body || undefined;
    this.inDialog.startKeepalive();
    this.emit('accepted', (d) => d.onAccepted?.(r.body || undefined, r));
  }

  /** A 2xx that matched no transaction (a retransmission, or another fork's). */
  strayResponse(r: SipResponse): void {
    this.twoHundred.stray(r, this.direction === 'outgoing' ? this.initial : undefined);
  }

  private sendCancel(): void {
    if (this.cancelSent || !this.clientTx || !this.initial || !this.invitePeer) return;
    this.cancelSent = true;
    const tx = this.clientTx;
    try {
      this.ctx.layer.sendRequest(cancelFor(this.initial, this.cancelHeaders), this.invitePeer, {});
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
    } else {
      this.inDialog.cancelled(target);
    }
  }

  /** The ACK of one of our 2xx responses (initial INVITE or re-INVITE). */
  receiveAck(ack: SipRequest): void {
    const seq = cseq(ack)?.seq;
    if (seq === undefined) return;
    this.twoHundred.acknowledged(seq);
    if (this.current === 'accepted' && this.initial && seq === cseq(this.initial)?.seq) {
      this.current = 'confirmed';
      if (this.byePending) this.hangUpNow();
      else this.inDialog.startKeepalive();
    }
  }

  /** A request inside the dialog (To tag ours). */
  receiveRequest(tx: ServerTransaction): void {
    this.inDialog.receive(tx);
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

  /** RFC 3261 13.3.1.4: 64·T1 without an ACK: the session ends with BYE. */
  private noAck(): void {
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
    this.twoHundred.stop();
    this.inDialog.end();
    this.host.sessionEnded(this);
  }

  /** The session as its in-dialog requests see it. */
  private inDialogHost(): InDialogHost {
    return {
      id: this.id,
      confirmed: () => this.current === 'confirmed',
      answered: () => this.current === 'confirmed' || this.current === 'accepted',
      terminated: () => this.current === 'terminated',
      dialog: () => this.dialogOf,
      localSdp: () => this.local,
      modified: (local, remote) => {
        this.local = local;
        this.remote = remote || this.remote;
      },
      takesOffers: () => !!this.delegate.onModifyRequest && !this.quiet,
      takesRefers: () => !!this.delegate.onRefer && !this.quiet,
      emit: (what, fn) => this.emit(what, fn),
      remoteBye: () => this.remoteBye(),
      deadPeer: (why, sendBye) => this.deadPeer(why, sendBye),
    };
  }

  private emit(what: string, fn: (d: InviteSessionDelegate) => void): void {
    if (this.quiet) return;
    this.ctx.safe(`session ${what}`, () => fn(this.delegate));
  }
}
