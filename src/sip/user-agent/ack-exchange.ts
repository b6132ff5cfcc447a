/**
 * The 2xx–ACK exchange of one INVITE session: as callee, each 2xx we send (to the INVITE or a re-INVITE) is
 * retransmitted until its ACK arrives (RFC 3261 13.3.1.4); as caller, every 2xx gets an ACK, and a
 * retransmission of it the same ACK again (13.2.2.4).
 */
import { Dialog } from '../dialog/dialog.js';
import { cseq, toAddr } from '../message/headers.js';
import type { SipPeer, SipRequest, SipResponse } from '../message/types.js';
import type { InviteServerTransaction, TwoHundredRetransmitter } from '../transaction/index.js';
import type { UaContext } from './context.js';
import { reply, withContact } from './requests.js';

export const okStatus = (s: number): boolean => s >= 200 && s < 300;

/** What the 2xx–ACK exchange needs from its session. */
export interface AckHost {
  readonly id: string;
  /** The To tag of our 2xx responses (the UAS's tag; a UAC's answers to re-INVITEs keep the request's). */
  readonly toTag: string | undefined;
  /** The session's dialog: the ACKs sent in it are kept for the 2xx retransmissions. */
  dialog(): Dialog | undefined;
  /** Where the session's requests go instead of the remote target (InviteOptions.flow). */
  flow(): string | undefined;
  /** 64·T1 passed without the ACK of one of our 2xx. */
  noAck(): void;
}

export class AckExchange {
  private readonly retransmitters = new Map<number, TwoHundredRetransmitter>();
  private retransmitted = 0;
  private readonly acks = new Map<number, { ack: SipRequest; peer: SipPeer }>();

  constructor(
    private readonly ctx: UaContext,
    private readonly session: AckHost,
  ) {}

  /** 2xx retransmissions sent so far. */
  get retransmissions(): number {
    return this.retransmitted + [...this.retransmitters.values()].reduce((n, r) => n + r.retransmissions, 0);
  }

  /** Answers the INVITE of `tx` with 200 and `sdp`, retransmitted until its ACK. */
  respond2xx(tx: InviteServerTransaction, sdp: string | undefined): void {
    const ok = reply(this.ctx, tx.request, 200, [['Contact', this.ctx.contact()]], { toTag: this.session.toTag, body: sdp ?? '' });
    tx.respond(ok);
    const seq = cseq(tx.request)?.seq ?? 0;
    this.retransmitters.get(seq)?.stop();
    const r = this.ctx.layer.retransmit2xx(ok, tx.source, () => this.gaveUp(seq));
    this.retransmitters.set(seq, r);
  }

  /** The ACK of our 2xx to the INVITE with CSeq `seq`. */
  acknowledged(seq: number): void {
    const r = this.retransmitters.get(seq);
    if (r) {
      this.retransmitted += r.retransmissions;
      r.acknowledge();
      this.retransmitters.delete(seq);
    }
  }

  /** Stops every retransmission (the session is over). */
  stop(): void {
    for (const r of this.retransmitters.values()) {
      this.retransmitted += r.retransmissions;
      r.stop();
    }
    this.retransmitters.clear();
  }

  private gaveUp(seq: number): void {
    const r = this.retransmitters.get(seq);
    if (r) this.retransmitted += r.retransmissions;
    this.retransmitters.delete(seq);
    this.session.noAck();
  }

  /** ACKs the 2xx `r` to `invite` in `dialog`. */
  async sendAck(r: SipResponse, invite: SipRequest, dialog: Dialog): Promise<void> {
    const seq = cseq(r)?.seq ?? cseq(invite)?.seq ?? 0;
    // RFC 3261 13.2.2.4: the ACK carries the INVITE's credentials.
    const creds: Array<readonly [string, string]> = [];
    for (const name of ['Authorization', 'Proxy-Authorization']) for (const v of invite.headers.all(name)) creds.push([name, v]);
    const ack = dialog.createRequest('ACK', { cseq: seq, extra: creds });
    const sent = await this.ctx.sendAck(ack, dialog.nextHop());
    if (sent && dialog === this.session.dialog()) this.acks.set(seq, sent);
  }

  /**
   * A 2xx that matched no transaction: a retransmission (ACK it again, RFC 3261 13.2.2.4) or the 2xx of
   * another fork or of an INVITE we gave up on (ACK it and end that dialog with BYE). `invite`: the INVITE
   * we sent, if we are the caller.
   */
  stray(r: SipResponse, invite: SipRequest | undefined): void {
    const c = cseq(r);
    if (!c || c.method !== 'INVITE' || !okStatus(r.status)) return;
    const tag = toAddr(r)?.tag;
    const dialog = this.session.dialog();
    if (dialog && tag === dialog.id.remoteTag) {
      const sent = this.acks.get(c.seq);
      if (sent) this.ctx.layer.sendAck(sent.ack, sent.peer).catch((e: unknown) => this.ctx.logger.debug('ACK resend failed', { error: String(e) }));
      return;
    }
    if (!invite || !tag) return;
    const fork = Dialog.asUac(invite, withContact(r, invite.uri), this.session.flow());
    if (!fork) return;
    this.ctx.logger.info('2xx from another fork or after giving up: ACK and BYE', { session: this.session.id });
    void this.sendAck(r, invite, fork);
    this.ctx.send({ build: () => fork.createRequest('BYE', { extra: this.ctx.describe('request') }), nextHop: fork.nextHop() }, {});
  }
}
