/**
 * The subscriber side of GENA for one remote service. It follows the service across the device's
 * life: it renews before the timeout, subscribes afresh when a renewal is refused, and when the
 * device goes away (byebye, expiry, restart) it waits and subscribes again as soon as the control
 * point sees the device come back. Events arrive typed by the service's SCPD.
 */
import { EventEmitter } from 'node:events';
import { errorMessage, type Clock, type Logger, type TimerHandle } from '../../base/index.js';
import { parsePropertySet } from '../gena/propertyset.js';
import { httpRequest } from '../http/client.js';
import type { HttpRequest, HttpResponse } from '../http/server.js';
import type { UpnpValue } from '../model/datatypes.js';
import { UpnpTransportError } from '../model/upnp-error.js';
import type { RemoteService } from './remote-service.js';

export type SubscriptionState = 'subscribing' | 'active' | 'lost' | 'closed';

export interface EventSubscriptionEvents {
  /** One received event message: its variables and SEQ. */
  event: [vars: Map<string, UpnpValue>, seq: number];
  /** A SEQ gap: `missed` messages never arrived. */
  missed: [missed: number];
  subscribed: [sid: string];
  /** The subscription is gone until the device comes back. */
  lost: [reason: string];
}

interface Stashed {
  readonly sid: string;
  readonly seq: number;
  readonly body: string;
}

const maxSeq = 0xffffffff;

export class EventSubscription extends EventEmitter<EventSubscriptionEvents> {
  private sid?: string;
  private expectedSeq = 0;
  private renewTimer?: TimerHandle;
  private stash: Stashed[] = [];
  private _state: SubscriptionState = 'subscribing';

  constructor(
    private service: RemoteService,
    readonly callbackUrl: string,
    private readonly deps: { clock: Clock; logger: Logger; timeoutSec: number; onClose: () => void },
  ) {
    super();
  }

  get state(): SubscriptionState {
    return this._state;
  }

  get udn(): string {
    return this.service.device.udn;
  }

  get serviceId(): string {
    return this.service.serviceId;
  }

  /** Subscribes (again) to the service as it is now described. Resolves once subscribed or lost. */
  async subscribe(service: RemoteService = this.service): Promise<void> {
    if (this._state === 'closed') return;
    this.service = service;
    this.renewTimer?.cancel();
    this._state = 'subscribing';
    this.sid = undefined;
    try {
      const res = await httpRequest({
        method: 'SUBSCRIBE',
        url: service.urls.eventSubUrl,
        headers: { CALLBACK: `<${this.callbackUrl}>`, NT: 'upnp:event', TIMEOUT: `Second-${this.deps.timeoutSec}` },
        timeoutMs: 10_000,
      });
      const sid = res.headers.sid?.trim();
      if (res.status !== 200 || !sid) throw new UpnpTransportError(`SUBSCRIBE answered ${res.status}`, res.status);
      if (this._state !== 'subscribing') return;
      this.sid = sid;
      this.expectedSeq = 0;
      this._state = 'active';
      this.scheduleRenewal(res.headers.timeout);
      this.deps.logger.debug('subscribed', { udn: this.udn, service: this.serviceId, sid });
      this.emit('subscribed', sid);
      const early = this.stash.filter((s) => s.sid === sid);
      this.stash = [];
      for (const s of early) this.accept(s.seq, s.body);
    } catch (e) {
      this.markLost(`subscribe failed: ${errorMessage(e)}`);
    }
  }

  private scheduleRenewal(timeoutHeader: string | undefined): void {
    const m = /Second-(\d+)/i.exec(timeoutHeader ?? '');
    const granted = m ? Number(m[1]) : this.deps.timeoutSec;
    // Renew at half the granted time: early enough to survive a lost request and a retry.
    this.renewTimer = this.deps.clock.setTimer(Math.max(1, granted / 2) * 1000, () => void this.renew());
  }

  private async renew(): Promise<void> {
    if (this._state !== 'active' || !this.sid) return;
    try {
      const res = await httpRequest({
        method: 'SUBSCRIBE',
        url: this.service.urls.eventSubUrl,
        headers: { SID: this.sid, TIMEOUT: `Second-${this.deps.timeoutSec}` },
        timeoutMs: 10_000,
      });
      if (res.status !== 200) throw new UpnpTransportError(`renewal answered ${res.status}`, res.status);
      this.scheduleRenewal(res.headers.timeout);
    } catch (e) {
      this.deps.logger.info('renewal failed, subscribing afresh', { sid: this.sid, error: errorMessage(e) });
      await this.subscribe();
    }
  }

  private markLost(reason: string): void {
    if (this._state === 'closed') return;
    this.renewTimer?.cancel();
    this.sid = undefined;
    this._state = 'lost';
    this.deps.logger.info('subscription lost', { udn: this.udn, service: this.serviceId, reason });
    this.emit('lost', reason);
  }

  /** The control point tells us the device went away. */
  deviceGone(reason: string): void {
    this.markLost(reason);
  }

  /** A GENA NOTIFY sent to this subscription's callback URL. */
  handleNotify(req: HttpRequest): HttpResponse {
    const { nt, nts, sid, seq } = req.headers;
    if (nt === undefined || nts === undefined) return { status: 400 };
    if (nt !== 'upnp:event' || nts !== 'upnp:propchange') return { status: 412 };
    const n = Number(seq);
    if (!sid || !/^\d+$/.test(seq ?? '') || n > maxSeq) return { status: 412 };
    if (this._state === 'subscribing') {
      // The initial event may overtake the SUBSCRIBE response; keep it until we know our SID.
      if (this.stash.length < 16) this.stash.push({ sid: sid.trim(), seq: n, body: req.body });
      return { status: 200 };
    }
    if (this._state !== 'active' || sid.trim() !== this.sid) return { status: 412 };
    const parsed = parsePropertySet(req.body);
    if (!parsed.ok) {
      this.deps.logger.warn('malformed event body', { sid, reason: parsed.reason });
      return { status: 400 };
    }
    this.accept(n, req.body);
    return { status: 200 };
  }

  private accept(seq: number, body: string): void {
    const parsed = parsePropertySet(body);
    if (!parsed.ok) return;
    if (seq !== this.expectedSeq) {
      const missed = seq > this.expectedSeq ? seq - this.expectedSeq : maxSeq - this.expectedSeq + seq;
      this.deps.logger.warn('events missed', { sid: this.sid, expected: this.expectedSeq, got: seq });
      this.emit('missed', missed);
    }
    this.expectedSeq = seq >= maxSeq ? 1 : seq + 1;
    this.emit('event', this.service.decodeEvent(parsed.value), seq);
  }

  /** Unsubscribes (best effort) and stops following the service. */
  async close(): Promise<void> {
    if (this._state === 'closed') return;
    const sid = this._state === 'active' ? this.sid : undefined;
    this._state = 'closed';
    this.renewTimer?.cancel();
    this.deps.onClose();
    if (!sid) return;
    try {
      await httpRequest({ method: 'UNSUBSCRIBE', url: this.service.urls.eventSubUrl, headers: { SID: sid }, timeoutMs: 5_000 });
    } catch {
      // the device may already be gone; nothing else to release
    }
  }
}
