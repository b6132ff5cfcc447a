/**
 * The requests inside the dialog of one INVITE session. Re-INVITEs (RFC 3261 14), ours and the remote
 * party's, one at a time: a re-INVITE that meets ours (glare) or arrives before the session is answered gets
 * 491, a second remote one 500 with Retry-After; ours is cancelled when it stays unanswered, a remote one the
 * TU does not answer in time is refused. OPTIONS keep-alives, and the remote party's BYE, OPTIONS, REFER (refer.ts)
 * and others.
 * An in-dialog request of ours answered 408/481, timed out or not sent means the peer is gone.
 */
import type { TimerHandle } from '../../base/index.js';
import type { Dialog } from '../dialog/dialog.js';
import type { HeaderInput } from '../message/codec.js';
import type { SipRequest } from '../message/types.js';
import type { ClientTransaction, InviteServerTransaction, ServerTransaction } from '../transaction/index.js';
import { okStatus, type AckExchange } from './ack-exchange.js';
import type { UaContext } from './context.js';
import { IncomingRefer, referTarget, type ReferDelegate } from './refer.js';
import { cancelFor, reply } from './requests.js';

/** The re-INVITE events of the TU's session delegate. */
export interface ModifyDelegate {
  /** A re-INVITE with an offer arrived: answer with `acceptModify` or `rejectModify`. */
  onModifyRequest?(sdpOffer: string): void;
  /** The remote party cancelled its re-INVITE before we answered it. */
  onModifyCancelled?(): void;
  /** Our re-INVITE was accepted (2xx, ACK sent). */
  onModifyAccepted?(sdpAnswer: string | undefined): void;
  /** Our re-INVITE was refused (488, 491, …); the session goes on as before. */
  onModifyRejected?(status: number): void;
}

/** The TU's session delegate as the in-dialog requests tell it. */
export type InDialogDelegate = ModifyDelegate & ReferDelegate;

/** What the in-dialog requests need from their session. */
export interface InDialogHost {
  readonly id: string;
  /** The 2xx and its ACK have been exchanged. */
  confirmed(): boolean;
  /** Our 2xx to the INVITE is sent, or the session is confirmed. */
  answered(): boolean;
  terminated(): boolean;
  dialog(): Dialog | undefined;
  localSdp(): string | undefined;
  /** A re-INVITE succeeded: the new local SDP, and the remote one if it came with a new one. */
  modified(local: string, remote: string | undefined): void;
  /** The TU answers remote offers (it has `onModifyRequest` and has not ended the session). */
  takesOffers(): boolean;
  /** The TU takes REFERs (it has `onRefer` and has not ended the session). */
  takesRefers(): boolean;
  emit(what: string, fn: (d: InDialogDelegate) => void): void;
  /** The remote party sent BYE (answered 200). */
  remoteBye(): void;
  /** The session ends: the peer is gone (BYE unless `sendBye` is false). */
  deadPeer(why: string, sendBye: boolean): void;
}

/** Our re-INVITE while it waits for its final response. */
interface PendingModify {
  request?: SipRequest;
  tx?: ClientTransaction;
  provisional?: boolean;
  giveUp?: TimerHandle;
}

export class InDialogRequests {
  private ours?: PendingModify;
  private theirs?: InviteServerTransaction;
  private theirsTimer?: TimerHandle;
  private keepaliveTimer?: TimerHandle;
  /** The REFERs accepted in the dialog so far (RFC 3515 2.4.6), and those whose subscription is still on. */
  private refers = 0;
  private readonly subscriptions = new Set<IncomingRefer>();

  constructor(
    private readonly ctx: UaContext,
    private readonly session: InDialogHost,
    private readonly twoHundred: AckExchange,
  ) {}

  /** A request inside the dialog (To tag ours). */
  receive(tx: ServerTransaction): void {
    const req = tx.request;
    const dialog = this.session.dialog();
    if (!dialog || this.session.terminated()) {
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
        this.session.remoteBye();
        return;
      case 'INVITE':
        this.reinvite(tx as InviteServerTransaction);
        return;
      case 'OPTIONS':
        tx.respond(reply(this.ctx, req, 200, [['Accept', 'application/sdp']]));
        return;
      case 'REFER':
        this.refer(tx, dialog);
        return;
      default:
        tx.respond(reply(this.ctx, req, 405));
    }
  }

  /** RFC 3515 2.4: a REFER goes to the TU once it has one Refer-To; the TU reports the outcome on its subscription. */
  private refer(tx: ServerTransaction, dialog: Dialog): void {
    const req = tx.request;
    if (!this.session.takesRefers()) {
      tx.respond(reply(this.ctx, req, 405));
      return;
    }
    const target = referTarget(req);
    if ('status' in target) {
      tx.respond(reply(this.ctx, req, target.status, [], { reason: target.reason }));
      return;
    }
    const refer = IncomingRefer.accept(this.ctx, tx, dialog, target.uri, ++this.refers, this.session.id);
    this.subscriptions.add(refer);
    this.session.emit('refer', (d) => d.onRefer?.(refer));
  }

  /** Sends a re-INVITE with a new offer (RFC 3261 14.1). */
  modify(sdp: string): void {
    const dialog = this.session.dialog();
    if (!this.session.confirmed() || !dialog || this.ours || this.theirs) {
      this.ctx.timer(0, () => this.session.emit('modify rejected', (d) => d.onModifyRejected?.(491)));
      return;
    }
    const modify: PendingModify = {};
    this.ours = modify;
    // Timer B only runs until a provisional response; after one, give up (CANCEL) once the remote side has had
    // its own no-answer time (plus 64·T1): the answer is then a 487 and the modification is refused.
    modify.giveUp = this.ctx.timer(this.ctx.settings.noAnswerMs + 64 * this.ctx.timers.t1, () => {
      if (this.ours !== modify || !modify.provisional || !modify.request || !modify.tx) return;
      this.ctx.logger.info('re-INVITE not answered: cancelling it', { session: this.session.id });
      try {
        this.ctx.layer.sendRequest(cancelFor(modify.request), modify.tx.destination, {});
      } catch (e) {
        this.ctx.logger.warn('CANCEL could not be sent', { session: this.session.id, error: String(e) });
      }
      // RFC 3261 9.1: still no final response 64·T1 later: the re-INVITE is over.
      const tx = modify.tx;
      modify.giveUp = this.ctx.timer(64 * this.ctx.timers.t1, () => {
        if (this.ours !== modify) return;
        this.ours = undefined;
        tx.abort();
        this.session.emit('modify rejected', (d) => d.onModifyRejected?.(487));
      });
    });
    const extra: HeaderInput = this.ctx.describe('request');
    this.ctx.send(
      { build: () => dialog.createRequest('INVITE', { body: sdp, contact: this.ctx.contact(), extra }), nextHop: dialog.nextHop() },
      {
        retry: () => this.session.confirmed(),
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
          if (this.ours === modify) this.ours = undefined;
          if (this.session.terminated()) return;
          if (okStatus(r.status) && modify.request) {
            dialog.refreshFrom(r);
            void this.twoHundred.sendAck(r, modify.request, dialog);
            this.session.modified(sdp, r.body);
            this.session.emit('modify accepted', (d) => d.onModifyAccepted?.(r.body || undefined));
          } else if (r.status === 408 || r.status === 481 || local) {
            this.session.deadPeer(`re-INVITE answered ${r.status}${local ? ` (${local})` : ''}`, r.status !== 481);
          } else {
            this.session.emit('modify rejected', (d) => d.onModifyRejected?.(r.status));
          }
        },
      },
    );
  }

  /** RFC 3261 14.2: a re-INVITE. */
  private reinvite(tx: InviteServerTransaction): void {
    const req = tx.request;
    if (!this.session.answered()) {
      tx.respond(reply(this.ctx, req, 491));
      return;
    }
    if (this.ours) {
      tx.respond(reply(this.ctx, req, 491)); // glare: both sides modify at once
      return;
    }
    if (this.theirs) {
      const after = Math.floor(this.ctx.random() * 10);
      tx.respond(reply(this.ctx, req, 500, [['Retry-After', String(after)]]));
      return;
    }
    if (!req.body) {
      // No offer: a session refresh; our current SDP is the offer in the 2xx (the ACK's answer is not used).
      this.twoHundred.respond2xx(tx, this.session.localSdp());
      return;
    }
    this.theirs = tx;
    if (!this.session.takesOffers()) {
      this.rejectModify(488);
      return;
    }
    // Not answered within the no-answer time: refused (488), and the TU hears it as cancelled.
    this.theirsTimer = this.ctx.timer(this.ctx.settings.noAnswerMs, () => {
      if (this.theirs !== tx) return;
      this.ctx.logger.info('re-INVITE not answered in time: refusing it', { session: this.session.id });
      this.rejectModify(488);
      this.session.emit('modify cancelled', (d) => d.onModifyCancelled?.());
    });
    this.session.emit('modify request', (d) => d.onModifyRequest?.(req.body));
  }

  /** Answers the remote re-INVITE with 200 and our SDP answer. */
  acceptModify(sdp: string): void {
    const tx = this.takeTheirs();
    if (!tx) return;
    this.session.modified(sdp, tx.request.body);
    this.twoHundred.respond2xx(tx, sdp);
  }

  /** Refuses the remote re-INVITE; the session goes on as before. */
  rejectModify(status: number): void {
    const tx = this.takeTheirs();
    if (!tx) return;
    tx.respond(reply(this.ctx, tx.request, status, status === 488 ? [['Accept', 'application/sdp']] : []));
  }

  /** A CANCEL matched `target`: if it is the remote re-INVITE, that gets 487. */
  cancelled(target: ServerTransaction): void {
    if (target !== this.theirs) return;
    this.takeTheirs();
    target.respond(reply(this.ctx, target.request, 487));
    this.session.emit('modify cancelled', (d) => d.onModifyCancelled?.());
  }

  /** Starts (or restarts) the keep-alive timer of a confirmed session. */
  startKeepalive(): void {
    const every = this.ctx.settings.keepaliveMs;
    if (every <= 0 || !this.session.confirmed()) return;
    this.keepaliveTimer?.cancel();
    this.keepaliveTimer = this.ctx.timer(every, () => this.keepalive());
  }

  private keepalive(): void {
    const dialog = this.session.dialog();
    if (!this.session.confirmed() || !dialog) return;
    this.ctx.send(
      { build: () => dialog.createRequest('OPTIONS', { extra: this.ctx.describe('request') }), nextHop: dialog.nextHop() },
      {
        retry: () => this.session.confirmed(),
        onFinal: (r, local) => {
          if (!this.session.confirmed()) return;
          if (r.status === 408 || r.status === 481 || local) this.session.deadPeer(`keep-alive OPTIONS answered ${r.status}`, r.status !== 481);
          else this.startKeepalive();
        },
      },
    );
  }

  /** The session ended: timers stop, a pending remote re-INVITE gets 487. */
  end(): void {
    this.keepaliveTimer?.cancel();
    for (const refer of this.subscriptions) refer.drop();
    this.subscriptions.clear();
    const pending = this.takeTheirs();
    this.ours?.giveUp?.cancel();
    if (pending) pending.respond(reply(this.ctx, pending.request, 487));
  }

  private takeTheirs(): InviteServerTransaction | undefined {
    const tx = this.theirs;
    if (!tx) return undefined;
    this.theirs = undefined;
    this.theirsTimer?.cancel();
    return tx;
  }
}
