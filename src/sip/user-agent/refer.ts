/**
 * A REFER inside an INVITE session's dialog (RFC 3515) as its recipient: one Refer-To (2.4.1, else 400), 202 Accepted
 * (2.4.2), and the implicit subscription to the `refer` event (2.4.4, RFC 6665) in the same dialog: NOTIFY with a
 * `message/sipfrag;version=2.0` body (RFC 3420) — `SIP/2.0 100 Trying` at once (`Subscription-State: active`), then
 * the final status of the referenced request (`terminated;reason=noresource`, 2.4.5/2.4.7). Which request is made and
 * what became of it is the TU's: it hears `onRefer` and reports the outcome with `finish`. A TU that does not take
 * REFERs (no `onRefer`) leaves them answered 405.
 */
import type { TimerHandle } from '../../base/index.js';
import type { Dialog } from '../dialog/dialog.js';
import { reasonPhrase } from '../message/codec.js';
import { cseq, nameAddr } from '../message/headers.js';
import type { SipRequest } from '../message/types.js';
import { formatUri } from '../message/uri.js';
import type { ServerTransaction } from '../transaction/index.js';
import type { UaContext } from './context.js';
import { reply } from './requests.js';

/** The REFER event of the TU's session delegate. */
export interface ReferDelegate {
  /**
   * The remote party asks us to send a request to `refer.referTo` (a transfer): the REFER is accepted (202) and its
   * subscription started (NOTIFY 100 Trying); report what became of it with `refer.finish`. Without this handler a
   * REFER is answered 405.
   */
  onRefer?(refer: IncomingRefer): void;
}

/** How long the implicit subscription lasts without a final NOTIFY (RFC 3515 2.4.4: the notifier picks it). */
export const referSubscriptionSeconds = 180;

/** Checks a REFER (RFC 3515 2.4.1): the Refer-To's URI, or the status and reason phrase to answer it with. */
export function referTarget(req: SipRequest): { uri: string } | { status: number; reason: string } {
  const values = req.headers.all('Refer-To');
  if (values.length !== 1) return { status: 400, reason: values.length === 0 ? 'Bad Request (no Refer-To)' : 'Bad Request (more than one Refer-To)' };
  const target = nameAddr(values[0]!);
  if (!target) return { status: 400, reason: 'Bad Request (malformed Refer-To)' };
  return { uri: formatUri(target.uri) };
}

export class IncomingRefer {
  private done = false;
  private readonly expiry: TimerHandle;

  private constructor(
    private readonly ctx: UaContext,
    private readonly dialog: Dialog,
    /** The URI of the Refer-To header: where the request the REFER asks for goes. */
    readonly referTo: string,
    /** The Event header of this REFER's NOTIFYs (RFC 3515 2.4.6: with an `id` after the dialog's first REFER). */
    private readonly event: string,
    private readonly sessionId: string,
  ) {
    // RFC 6665 4.2.2: a subscription that reaches its expiry ends with `reason=timeout`.
    this.expiry = ctx.timer(referSubscriptionSeconds * 1000, () => this.end('terminated;reason=timeout', 100));
  }

  /**
   * Accepts a REFER received on `tx` (its Refer-To already checked): 202 Accepted, then the first NOTIFY. `nth` counts
   * the REFERs of the dialog (1 for its first).
   */
  static accept(ctx: UaContext, tx: ServerTransaction, dialog: Dialog, referTo: string, nth: number, sessionId: string): IncomingRefer {
    // The REFER starts a subscription usage of the dialog: its 2xx carries our Contact, as RFC 6665 asks of a SUBSCRIBE's.
    tx.respond(reply(ctx, tx.request, 202, [['Contact', ctx.contact()]]));
    const event = nth === 1 ? 'refer' : `refer;id=${cseq(tx.request)?.seq ?? 0}`;
    const refer = new IncomingRefer(ctx, dialog, referTo, event, sessionId);
    refer.notify(`active;expires=${referSubscriptionSeconds}`, 100);
    return refer;
  }

  /** Whether the final NOTIFY has gone (or the subscription expired or was dropped). */
  get finished(): boolean {
    return this.done;
  }

  /** The final status of the referenced request (200 when it succeeded): the last NOTIFY, the subscription ends. */
  finish(status: number, reason?: string): void {
    this.end('terminated;reason=noresource', status, reason);
  }

  /** The dialog is gone (the session ended): no NOTIFY can reach the subscriber any more. */
  drop(): void {
    this.done = true;
    this.expiry.cancel();
  }

  private end(state: string, status: number, reason?: string): void {
    if (this.done) return;
    this.notify(state, status, reason);
    this.drop();
  }

  private notify(state: string, status: number, reason = reasonPhrase(status)): void {
    const dialog = this.dialog;
    const body = `SIP/2.0 ${status} ${reason}\r\n`;
    const extra: Array<readonly [string, string]> = [['Event', this.event], ['Subscription-State', state], ['Contact', this.ctx.contact()], ...this.ctx.describe('request')];
    this.ctx.send(
      { build: () => dialog.createRequest('NOTIFY', { body, contentType: 'message/sipfrag;version=2.0', extra }), nextHop: dialog.nextHop() },
      { onFinal: (r) => this.ctx.logger.debug('refer NOTIFY answered', { session: this.sessionId, status: r.status }) },
    );
  }
}
