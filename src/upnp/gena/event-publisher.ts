/**
 * The publisher side of GENA (UDA 1.0 section 4) for one hosted service: SUBSCRIBE, renewal and
 * UNSUBSCRIBE, the initial event, and in-order delivery of NOTIFY messages to each subscriber.
 *
 * Security: a CALLBACK is accepted only when every URL in it points at the subscriber's own IP
 * address (CallStranger, CVE-2020-12695), and subscriptions are capped per service and per address.
 */
import { errorMessage, type Clock, type Logger, type TimerHandle } from '../../base/index.js';
import { httpRequest } from '../http/client.js';
import type { HttpRequest, HttpResponse } from '../http/server.js';
import type { WireArgs } from '../soap/envelope.js';
import { buildPropertySet } from './propertyset.js';

export interface EventPublisherOptions {
  readonly clock: Clock;
  readonly logger: Logger;
  /** The evented variables' current values, for the initial event. */
  readonly currentState: () => WireArgs;
  readonly newSid: () => string;
  readonly defaultTimeoutSec?: number;
  readonly minTimeoutSec?: number;
  readonly maxTimeoutSec?: number;
  readonly maxSubscriptions?: number;
  readonly maxPerAddress?: number;
  /** Undelivered messages kept per subscriber before it is dropped as too slow. */
  readonly maxQueue?: number;
}

interface Subscription {
  readonly sid: string;
  readonly callbacks: readonly string[];
  readonly remoteAddress: string;
  timeoutSec: number;
  expiry?: TimerHandle;
  /** SEQ of the next message: 0 for the initial event, then up to 2^32-1 and round to 1. */
  seq: number;
  readonly queue: string[];
  sending: boolean;
}

const maxSeq = 0xffffffff;

export class EventPublisher {
  private readonly subs = new Map<string, Subscription>();
  private readonly defaults;

  constructor(private readonly opts: EventPublisherOptions) {
    this.defaults = {
      timeout: opts.defaultTimeoutSec ?? 1800,
      min: opts.minTimeoutSec ?? 60,
      max: opts.maxTimeoutSec ?? 86_400,
      maxSubs: opts.maxSubscriptions ?? 256,
      perAddress: opts.maxPerAddress ?? 32,
      maxQueue: opts.maxQueue ?? 256,
    };
  }

  get subscriptionCount(): number {
    return this.subs.size;
  }

  handle(req: HttpRequest): HttpResponse {
    if (req.method === 'SUBSCRIBE') return req.headers.sid !== undefined ? this.renew(req) : this.subscribe(req);
    if (req.method === 'UNSUBSCRIBE') return this.unsubscribe(req);
    return { status: 405, headers: [['ALLOW', 'SUBSCRIBE, UNSUBSCRIBE']] };
  }

  private grantedTimeout(header: string | undefined): number {
    const m = /^Second-(\d+|infinite)$/i.exec((header ?? '').trim());
    const asked = !m ? this.defaults.timeout : m[1]!.toLowerCase() === 'infinite' ? this.defaults.max : Number(m[1]);
    return Math.min(this.defaults.max, Math.max(this.defaults.min, asked));
  }

  private okResponse(sub: Subscription): HttpResponse {
    return { status: 200, headers: [['SID', sub.sid], ['TIMEOUT', `Second-${sub.timeoutSec}`]] };
  }

  private refuse(status: number, why: string, req: HttpRequest): HttpResponse {
    this.opts.logger.warn(`${req.method} refused: ${why}`, { from: req.remoteAddress, status });
    return { status };
  }

  private subscribe(req: HttpRequest): HttpResponse {
    const nt = req.headers.nt;
    const callback = req.headers.callback;
    if (nt === undefined || callback === undefined) return this.refuse(412, 'missing NT or CALLBACK', req);
    if (nt.trim() !== 'upnp:event') return this.refuse(412, `bad NT ${nt}`, req);
    const urls = parseCallback(callback);
    if (urls.length === 0) return this.refuse(412, 'CALLBACK has no http URL', req);
    const foreign = urls.find((u) => u.hostname.replace(/^\[|\]$/g, '') !== req.remoteAddress);
    if (foreign) return this.refuse(412, `CALLBACK ${foreign.host} is not the subscriber's own address`, req);
    if (this.subs.size >= this.defaults.maxSubs) return this.refuse(503, 'subscription limit of the service reached', req);
    const fromSame = [...this.subs.values()].filter((s) => s.remoteAddress === req.remoteAddress).length;
    if (fromSame >= this.defaults.perAddress) return this.refuse(503, 'subscription limit of the address reached', req);

    const sub: Subscription = {
      sid: this.opts.newSid(),
      callbacks: urls.map((u) => u.toString()),
      remoteAddress: req.remoteAddress,
      timeoutSec: this.grantedTimeout(req.headers.timeout),
      seq: 0,
      queue: [],
      sending: false,
    };
    this.subs.set(sub.sid, sub);
    this.armExpiry(sub);
    this.opts.logger.info('subscribed', { sid: sub.sid, callback: sub.callbacks[0], timeout: sub.timeoutSec });
    // The initial event goes out after the SUBSCRIBE response has been written.
    this.opts.clock.setTimer(0, () => this.enqueue(sub, buildPropertySet(this.opts.currentState())));
    return this.okResponse(sub);
  }

  private renew(req: HttpRequest): HttpResponse {
    if (req.headers.nt !== undefined || req.headers.callback !== undefined) return this.refuse(400, 'SID together with NT or CALLBACK', req);
    const sub = this.subs.get((req.headers.sid ?? '').trim());
    if (!sub) return this.refuse(412, `unknown SID ${req.headers.sid}`, req);
    sub.timeoutSec = this.grantedTimeout(req.headers.timeout);
    this.armExpiry(sub);
    return this.okResponse(sub);
  }

  private unsubscribe(req: HttpRequest): HttpResponse {
    if (req.headers.nt !== undefined || req.headers.callback !== undefined) return this.refuse(400, 'SID together with NT or CALLBACK', req);
    const sid = (req.headers.sid ?? '').trim();
    if (!sid) return this.refuse(412, 'missing SID', req);
    if (!this.subs.has(sid)) return this.refuse(412, `unknown SID ${sid}`, req);
    this.drop(sid, 'unsubscribed');
    return { status: 200 };
  }

  private armExpiry(sub: Subscription): void {
    sub.expiry?.cancel();
    sub.expiry = this.opts.clock.setTimer(sub.timeoutSec * 1000, () => this.drop(sub.sid, 'expired'));
  }

  private drop(sid: string, why: string): void {
    const sub = this.subs.get(sid);
    if (!sub) return;
    sub.expiry?.cancel();
    sub.queue.length = 0;
    this.subs.delete(sid);
    this.opts.logger.info(`subscription ${why}`, { sid });
  }

  /** Sends one event with these variables to every subscriber. */
  publish(vars: WireArgs): void {
    if (vars.length === 0 || this.subs.size === 0) return;
    const body = buildPropertySet(vars);
    for (const sub of this.subs.values()) this.enqueue(sub, body);
  }

  private enqueue(sub: Subscription, body: string): void {
    if (!this.subs.has(sub.sid)) return;
    if (sub.queue.length >= this.defaults.maxQueue) {
      this.drop(sub.sid, 'dropped: subscriber too slow');
      return;
    }
    sub.queue.push(body);
    if (!sub.sending) void this.deliver(sub);
  }

  private async deliver(sub: Subscription): Promise<void> {
    sub.sending = true;
    while (sub.queue.length > 0 && this.subs.has(sub.sid)) {
      const body = sub.queue.shift()!;
      const seq = sub.seq;
      sub.seq = sub.seq >= maxSeq ? 1 : sub.seq + 1;
      await this.send(sub, body, seq);
    }
    sub.sending = false;
  }

  private async send(sub: Subscription, body: string, seq: number): Promise<void> {
    for (const url of sub.callbacks) {
      const u = new URL(url);
      try {
        const res = await httpRequest({
          method: 'NOTIFY',
          url,
          timeoutMs: 5_000,
          headers: {
            HOST: u.host,
            'CONTENT-TYPE': 'text/xml; charset="utf-8"',
            NT: 'upnp:event',
            NTS: 'upnp:propchange',
            SID: sub.sid,
            SEQ: String(seq),
          },
          body,
        });
        if (res.status >= 200 && res.status < 300) return;
        this.opts.logger.debug('NOTIFY refused', { sid: sub.sid, status: res.status, url });
      } catch (e) {
        this.opts.logger.debug('NOTIFY failed', { sid: sub.sid, url, error: errorMessage(e) });
      }
    }
    // A subscriber that unsubscribed meanwhile (a short-lived control point) is no news; one still subscribed is.
    if (this.subs.has(sub.sid)) this.opts.logger.warn('event not delivered to any callback', { sid: sub.sid, seq });
    else this.opts.logger.debug('event not delivered: the subscriber unsubscribed meanwhile', { sid: sub.sid, seq });
  }

  close(): void {
    for (const sid of [...this.subs.keys()]) this.drop(sid, 'ended: service stopped');
  }
}

/** `<http://a/cb><http://b/cb>` → the http URLs in it. */
export function parseCallback(header: string): URL[] {
  const urls: URL[] = [];
  for (const m of header.matchAll(/<([^>]*)>/g)) {
    try {
      const u = new URL(m[1]!.trim());
      if (u.protocol === 'http:') urls.push(u);
    } catch {
      // not a URL: ignored, as UDA lets a publisher skip unusable callbacks
    }
  }
  return urls;
}
