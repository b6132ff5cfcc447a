/**
 * Watching whether a callee can be called (for CallBackAvailability). First an RFC 3856 presence
 * subscription (SUBSCRIBE, Event: presence, RFC 6665): NOTIFYs carrying a PIDF document (RFC 3863) report
 * `open`/`closed`; the subscription is refreshed at half its lifetime. Where the far end does not take it
 * (any final response but 2xx: 489, 405, 501, 404, a timeout …), or the subscription ends for good, the
 * watch falls back to OPTIONS probes at a fixed interval: a 2xx or a 4xx that shows someone is there means
 * available; 404/408/410/480/484/486, 3xx, 5xx, 6xx, a timeout or a transport error mean not available.
 * Only changes are reported (the first result always is).
 */
import type { TimerHandle } from '../../base/index.js';
import { Dialog } from '../dialog/dialog.js';
import type { HeaderInput } from '../message/codec.js';
import { parseHeaderParams } from '../message/headers.js';
import type { SipRequest, SipResponse } from '../message/types.js';
import type { ServerTransaction } from '../transaction/index.js';
import type { LocalCause, UaContext } from './context.js';
import { reply, RequestFamily, withContact } from './requests.js';

/** What a watch tells its user agent about the subscriptions it makes (to route NOTIFYs to it). */
export interface WatchHost {
  subscriptionStarted(callId: string, watch: AvailabilityWatch): void;
  subscriptionEnded(callId: string): void;
}

/** Whether an OPTIONS response means the callee can be called now. */
export function reachable(status: number, local?: LocalCause): boolean {
  if (local) return false;
  if (status >= 200 && status < 300) return true;
  if (status >= 400 && status < 500) return ![404, 408, 410, 480, 484, 486].includes(status);
  return false;
}

/** The basic status of a PIDF document (RFC 3863 4.1.4): true for open, false for closed, undefined if none. */
export function pidfBasic(body: string): boolean | undefined {
  const m = /<(?:[A-Za-z0-9_.-]+:)?basic\s*>\s*(open|closed)\s*<\//i.exec(body);
  return m ? m[1]!.toLowerCase() === 'open' : undefined;
}

interface Subscription {
  readonly family: RequestFamily;
  dialog?: Dialog;
  request?: SipRequest;
  refresh?: TimerHandle;
}

export class AvailabilityWatch {
  private mode: 'presence' | 'options' = 'options';
  private last?: boolean;
  private stopped = false;
  private probeTimer?: TimerHandle;
  private sub?: Subscription;

  constructor(
    private readonly ctx: UaContext,
    private readonly host: WatchHost,
    /** The URI watched. */
    readonly target: string,
    private readonly report: (available: boolean) => void,
  ) {}

  get method(): 'presence' | 'options' {
    return this.mode;
  }

  /** The last state reported, if any. */
  get available(): boolean | undefined {
    return this.last;
  }

  start(): void {
    if (this.ctx.settings.presence) this.subscribe();
    else this.startProbing();
  }

  stop(): void {
    if (this.stopped) return;
    this.stopped = true;
    this.probeTimer?.cancel();
    const sub = this.sub;
    this.endSubscription();
    // best effort: tell the notifier (RFC 6665 4.1.2.3)
    if (sub?.dialog) this.sendInSubscription(sub.dialog, 0, () => undefined);
  }

  // ------------------------------------------------------------------------------------------ presence

  private subscribe(): void {
    if (this.stopped) return;
    this.mode = 'presence';
    const family = new RequestFamily(this.ctx, this.target);
    const sub: Subscription = { family };
    this.sub = sub;
    this.host.subscriptionStarted(family.callId, this);
    const expires = this.ctx.settings.presenceExpires;
    this.ctx.send(
      { build: () => family.build('SUBSCRIBE', this.subscribeHeaders(expires)), nextHop: family.nextHop },
      {
        retry: () => !this.stopped && this.sub === sub,
        onTransaction: (_tx, request) => {
          sub.request = request;
        },
        onFinal: (r, local) => {
          if (this.stopped || this.sub !== sub) return;
          if (r.status >= 200 && r.status < 300 && sub.request) {
            sub.dialog ??= Dialog.asUac(sub.request, withContact(r, this.target));
            this.scheduleRefresh(sub, r, expires);
          } else if (local) {
            // Nobody there: not available now; OPTIONS probes take over at the interval.
            this.endSubscription();
            this.set(false);
            this.mode = 'options';
            this.probeTimer = this.ctx.timer(this.ctx.settings.probeIntervalMs, () => this.probe());
          } else {
            this.ctx.logger.debug('presence subscription refused: probing with OPTIONS', { target: this.target, status: r.status });
            this.fallBack();
          }
        },
      },
    );
  }

  private subscribeHeaders(expires: number): HeaderInput {
    return [
      ['Event', 'presence'],
      ['Accept', 'application/pidf+xml'],
      ['Expires', String(expires)],
      ['Contact', this.ctx.contact()],
      ...this.ctx.describe('request'),
    ];
  }

  private scheduleRefresh(sub: Subscription, r: SipResponse, requested: number): void {
    const granted = Number(r.headers.get('Expires') ?? requested);
    const seconds = Number.isFinite(granted) && granted > 0 ? granted : requested;
    sub.refresh?.cancel();
    sub.refresh = this.ctx.timer(Math.max(1, seconds / 2) * 1000, () => {
      const dialog = sub.dialog;
      if (this.stopped || this.sub !== sub || !dialog) return;
      this.sendInSubscription(dialog, requested, (res) => {
        if (this.stopped || this.sub !== sub) return;
        if (res.status >= 200 && res.status < 300) this.scheduleRefresh(sub, res, requested);
        else this.fallBack();
      });
    });
  }

  private sendInSubscription(dialog: Dialog, expires: number, onFinal: (r: SipResponse) => void): void {
    this.ctx.send(
      { build: () => dialog.createRequest('SUBSCRIBE', { contact: this.ctx.contact(), extra: this.subscribeHeaders(expires).filter(([n]) => n !== 'Contact') }), nextHop: dialog.nextHop() },
      { onFinal },
    );
  }

  /** A NOTIFY whose Call-ID is one of our subscriptions'. */
  notify(tx: ServerTransaction): void {
    const req = tx.request;
    const sub = this.sub;
    if (!sub || this.stopped || (req.headers.get('Event') ?? '').split(';')[0]!.trim().toLowerCase() !== 'presence') {
      tx.respond(reply(this.ctx, req, 481));
      return;
    }
    if (!sub.dialog) {
      // The NOTIFY may overtake the 2xx to SUBSCRIBE; it creates the dialog then (RFC 6665 4.1.2.4).
      sub.dialog = Dialog.asUas(req, sub.family.fromTag);
    } else if (sub.dialog.receive(req) === 'out-of-order') {
      tx.respond(reply(this.ctx, req, 500, [], { reason: 'Out of Order CSeq' }));
      return;
    }
    tx.respond(reply(this.ctx, req, 200));
    const state = parseSubscriptionState(req.headers.get('Subscription-State') ?? '');
    const basic = req.body ? pidfBasic(req.body) : undefined;
    if (basic !== undefined) this.set(basic);
    if (state.state === 'terminated') {
      const again = state.reason === undefined || ['deactivated', 'timeout', 'probation'].includes(state.reason);
      this.endSubscription();
      if (!again) {
        this.fallBack();
      } else {
        const wait = (state.retryAfter ?? 0) * 1000;
        this.probeTimer = this.ctx.timer(wait, () => this.subscribe());
      }
    }
  }

  private endSubscription(): void {
    const sub = this.sub;
    if (!sub) return;
    sub.refresh?.cancel();
    this.sub = undefined;
    this.host.subscriptionEnded(sub.family.callId);
  }

  private fallBack(): void {
    this.endSubscription();
    this.startProbing();
  }

  // ------------------------------------------------------------------------------------------ OPTIONS

  private startProbing(): void {
    if (this.stopped) return;
    this.mode = 'options';
    this.probe();
  }

  private probe(): void {
    if (this.stopped) return;
    const family = new RequestFamily(this.ctx, this.target);
    this.ctx.send(
      { build: () => family.build('OPTIONS', [['Accept', 'application/sdp'], ...this.ctx.describe('request')]), nextHop: family.nextHop },
      {
        retry: () => !this.stopped,
        onFinal: (r, local) => {
          if (this.stopped) return;
          this.set(reachable(r.status, local));
          this.probeTimer?.cancel();
          this.probeTimer = this.ctx.timer(this.ctx.settings.probeIntervalMs, () => this.probe());
        },
      },
    );
  }

  private set(available: boolean): void {
    if (this.last === available) return;
    this.last = available;
    this.ctx.safe('availability report', () => this.report(available));
  }
}

/** RFC 6665 8.2.3: `active;expires=600`, `terminated;reason=timeout;retry-after=30`. */
export function parseSubscriptionState(value: string): { state: string; reason?: string; retryAfter?: number } {
  const semi = value.indexOf(';');
  const state = (semi < 0 ? value : value.slice(0, semi)).trim().toLowerCase();
  const params = semi < 0 ? undefined : parseHeaderParams(value.slice(semi));
  const reason = params?.get('reason') ?? undefined;
  const retry = Number(params?.get('retry-after') ?? NaN);
  return { state, ...(reason ? { reason: reason.toLowerCase() } : {}), ...(Number.isFinite(retry) && retry >= 0 ? { retryAfter: retry } : {}) };
}
