/**
 * The notifier of the phones' side (RFC 6665, issue 14 "Presence and lamps"): phones subscribe to the home's
 * message-waiting state (RFC 3842 `message-summary`), to the busy lamps of extensions and lines (RFC 4235 `dialog`)
 * and to the presence of extensions and users (RFC 3856 `presence`, PIDF bodies). Each subscription is a dialog
 * (RFC 3261 12, RFC 6665 4.1.2.2 / 4.2.1); its NOTIFYs carry the full state, one in flight at a time (changes
 * meanwhile are folded into the next one).
 *
 * Who may subscribe (our reading, docs/decisions.md): a request from inside the home networks whose Digest names an
 * extension, to any extension of the home (all three packages), a line (`sip:<line name>@<realm>`, dialog only) or a
 * user (`sip:<user>@<realm>`, presence only). The home's voicemail is one mailbox, so every extension's
 * message-summary is the same.
 *
 * Other parts add event packages of their own (`addPackage`: RFC 6080 `ua-profile`, issue 15): they name the
 * resource a SUBSCRIBE asks for and the body of each NOTIFY; the subscriptions themselves are this notifier's.
 */
import type { Logger, TimerHandle } from '../../base/index.js';
import type { DialogStateSource, MessageWaitingSource, PhoneDialog, PhoneDirectory, PresenceSource } from '../../phones/index.js';
import { lineTarget } from '../../phones/index.js';
import {
  callId,
  Dialog,
  dialogKey,
  expires as expiresOf,
  fromAddr,
  generateTag,
  parseHeaderParams,
  parseUri,
  responseTo,
  toAddr,
  type HeaderInput,
  type ServerTransaction,
  type SipRequest,
  type SipResponse,
  type UserAgent,
} from '../index.js';
import type { RequestAuthenticator } from './authenticator.js';
import { dialogInfoBody, dialogInfoType, messageSummaryBody, messageSummaryType, pidfBody, pidfType } from './event-bodies.js';
import { answerText } from './message-waiting.js';
import type { RequestHandler } from './phone-side.js';

/** The event packages served, with each one's body type. */
export const eventPackages = { 'message-summary': messageSummaryType, dialog: dialogInfoType, presence: pidfType } as const;
export type EventPackage = keyof typeof eventPackages;

/** An event package another part serves through this notifier (its subscriptions, refreshes, expiry, NOTIFYs). */
export interface NotifierPackage {
  readonly name: string;
  /** The body types its NOTIFYs may have (a SUBSCRIBE whose Accept takes none of them is 406). */
  readonly types: readonly string[];
  /** The resource a SUBSCRIBE of `subscriber` names (its key and SIP URI), or the status to refuse it with. */
  resource(request: SipRequest, subscriber: string): { readonly key: string; readonly entity: string } | { readonly status: number; readonly headers?: HeaderInput };
  /** The body of a NOTIFY about resource `key` for a subscriber that sent `accept`. */
  body(key: string, accept: readonly string[]): { readonly body: string; readonly contentType: string };
  /** Tells the notifier that resource `key` changed (each of its subscriptions gets a NOTIFY). */
  onChange(listener: (key: string) => void): () => void;
  /** Each NOTIFY's answer (`200 OK`, `timeout` …) and where it went (`udp:192.168.1.20:5060`). */
  answered?(key: string, target: string, answer: string): void;
}

/** What the notifier needs of the phones' side (PhoneSide is one; tests give a user agent of their own). */
export interface NotifierSide {
  handle(method: 'SUBSCRIBE', handler: RequestHandler): void;
  readonly userAgent: UserAgent;
  readonly realm: string;
}

export interface NotifierOptions {
  readonly side: NotifierSide;
  readonly authenticator: RequestAuthenticator;
  readonly directory: PhoneDirectory;
  readonly presence: PresenceSource;
  readonly dialogs: DialogStateSource;
  readonly messages: MessageWaitingSource;
  /** The lines' names (busy lamp targets). */
  readonly lines: () => readonly string[];
  /** Whether a request's source address is in the home networks (nothing from outside may subscribe). */
  readonly fromHome: (address: string) => boolean;
  /** Shortest subscription accepted (423 below it); default 60 s. */
  readonly minExpires?: number;
  /** Longest subscription granted; default 3600 s (also the default of all three packages). */
  readonly maxExpires?: number;
  readonly logger: Logger;
}

/** What a subscription watches: an extension, a line or a user, by name; `entity` is its SIP URI. */
interface Resource {
  readonly kind: 'extension' | 'line' | 'user' | 'package';
  readonly name: string;
  readonly entity: string;
}

interface Subscription {
  readonly key: string;
  readonly event: string;
  /** The package an `addPackage` part serves, when it is not one of the notifier's own. */
  readonly package?: NotifierPackage;
  /** The SUBSCRIBE's Accept values (a package's body may depend on them). */
  readonly accept: readonly string[];
  /** The Event header's value as the subscriber sent it (with its id parameter: RFC 6665 8.2.1). */
  readonly eventHeader: string;
  readonly resource: Resource;
  /** The subscriber's extension. */
  readonly subscriber: string;
  /** Where its SUBSCRIBE came from: the device (unsolicited message-summary NOTIFYs skip it). */
  readonly source: string;
  readonly dialog: Dialog;
  expiresAt: number;
  timer?: TimerHandle;
  /** RFC 4235 4.1.1: the dialog-info version, one more for each NOTIFY. */
  version: number;
  /** Dialogs terminated since the last NOTIFY (told once in the next document). */
  terminated: PhoneDialog[];
  inFlight: boolean;
  /** A change came while a NOTIFY was in flight. */
  pending: boolean;
  ended: boolean;
}

export class Notifier {
  private readonly subs = new Map<string, Subscription>();
  private readonly packages = new Map<string, NotifierPackage>();
  private readonly unsubscribe: Array<() => void> = [];
  private readonly minExpires: number;
  private readonly maxExpires: number;
  private closed = false;

  constructor(private readonly o: NotifierOptions) {
    this.minExpires = o.minExpires ?? 60;
    this.maxExpires = o.maxExpires ?? 3600;
    o.side.handle('SUBSCRIBE', (tx) => this.receive(tx));
    this.unsubscribe.push(
      o.messages.onChange(() => this.changed((s) => s.event === 'message-summary')),
      o.presence.onChange((e) => this.changed((s) => s.event === 'presence' && s.resource.name === (e.type === 'extension' ? e.number : e.user) && s.resource.kind === e.type)),
      o.dialogs.onChange((target, dialog) => this.dialogChanged(target, dialog)),
      o.directory.onChange((e) => {
        if (e.type === 'extension-removed') this.removed(e.number);
      }),
    );
  }

  /** Serves another event package until the returned function is called (its subscriptions then end). */
  addPackage(pkg: NotifierPackage): () => void {
    this.packages.set(pkg.name, pkg);
    const stop = pkg.onChange((key) => this.changed((s) => s.package === pkg && s.resource.name === key));
    return () => {
      stop();
      this.packages.delete(pkg.name);
      for (const s of [...this.subs.values()]) if (s.package === pkg) this.end(s, 'noresource');
    };
  }

  /** Active subscriptions: event, resource name, subscriber, source, and whether a NOTIFY awaits its answer. */
  subscriptions(): Array<{ event: string; resource: string; subscriber: string; source: string; notifying: boolean }> {
    return [...this.subs.values()]
      .filter((s) => !s.ended)
      .map((s) => ({ event: s.event, resource: s.resource.name, subscriber: s.subscriber, source: s.source, notifying: s.inFlight }));
  }

  /** Ends every subscription with a final NOTIFY (RFC 6665 4.1.3 `deactivated`: the phone may subscribe again at once). */
  close(): void {
    if (this.closed) return;
    this.closed = true;
    for (const u of this.unsubscribe.splice(0)) u();
    for (const s of [...this.subs.values()]) this.end(s, 'deactivated');
  }

  // ------------------------------------------------------------------------------------------ SUBSCRIBE

  private receive(tx: ServerTransaction): boolean {
    const req = tx.request;
    const toTag = toAddr(req)?.tag;
    const existing = toTag === undefined ? undefined : this.subs.get(this.keyOf(req, toTag));
    // An in-dialog SUBSCRIBE of a dialog we did not make belongs to no one here (the UA answers 481).
    if (toTag !== undefined && !existing) return false;
    const tag = toTag ?? generateTag();
    const respond = (status: number, extra: HeaderInput = []): void => tx.respond(this.response(tx, status, extra, tag));
    const refuse = (status: number, extra: HeaderInput = []): true => {
      respond(status, extra);
      return true;
    };
    if (this.closed) return refuse(503);
    if (!this.o.fromHome(tx.source.address)) {
      this.o.logger.info('SUBSCRIBE from outside the home networks refused', { source: tx.source.address });
      return refuse(403);
    }
    const subscriber = this.o.authenticator.authenticate(tx);
    if (subscriber === undefined) return true;
    // RFC 6665 4.2.1 / 8.2.1: Event names the package; one we do not serve is 489 with the ones we do.
    const event = this.parseEvent(req.headers.get('Event'));
    if (!event) return refuse(489, [['Allow-Events', this.allowEvents()]]);
    const pkg = this.packages.get(event.package);
    const types = pkg ? pkg.types : [eventPackages[event.package as EventPackage]];
    const accept = req.headers.all('Accept');
    if (accept.length > 0 && !types.some((t) => accepts(accept, t))) return refuse(406, [['Accept', types.join(', ')]]);
    // RFC 6665 4.2.1.1: a duration too short is 423 with Min-Expires; a longer one than we grant is shortened.
    const asked = expiresOf(req) ?? this.maxExpires;
    if (asked !== 0 && asked < this.minExpires) return refuse(423, [['Min-Expires', String(this.minExpires)]]);
    const granted = Math.min(asked, this.maxExpires);
    if (existing) {
      this.refresh(tx, existing, subscriber, event.package, granted, respond);
      return true;
    }
    let resource: Resource | undefined;
    if (pkg) {
      const named = pkg.resource(req, subscriber);
      if ('status' in named) return refuse(named.status, named.headers);
      resource = { kind: 'package', name: named.key, entity: named.entity };
    } else resource = this.resource(parseUri(req.uri), event.package as EventPackage);
    if (!resource) return refuse(404);
    const dialog = Dialog.asUas(req, tag);
    if (!dialog) return refuse(400);
    const sub: Subscription = {
      key: dialogKey(dialog.id),
      event: event.package,
      ...(pkg ? { package: pkg } : {}),
      accept,
      eventHeader: event.header,
      resource,
      subscriber,
      source: `${tx.source.address}:${tx.source.port}`,
      dialog,
      expiresAt: 0,
      version: 0,
      terminated: [],
      inFlight: false,
      pending: false,
      ended: false,
    };
    respond(200, [['Expires', String(granted)], ['Contact', this.o.side.userAgent.contact()]]);
    this.o.logger.info('subscription', { event: sub.event, resource: resource.entity, subscriber, expires: granted });
    // RFC 6665 4.2.1.2: the first NOTIFY follows at once; an Expires of 0 is a fetch (3.3.6): one NOTIFY, terminated.
    if (granted === 0) {
      this.end(sub, 'timeout');
      return true;
    }
    this.subs.set(sub.key, sub);
    this.schedule(sub, granted);
    this.notify(sub);
    return true;
  }

  private refresh(tx: ServerTransaction, sub: Subscription, subscriber: string, event: string, granted: number, respond: (status: number, extra?: HeaderInput) => void): void {
    if (subscriber !== sub.subscriber) return respond(403);
    if (event !== sub.event) return respond(489, [['Allow-Events', this.allowEvents()]]);
    // RFC 3261 12.2.2: a lower CSeq is out of order.
    if (sub.dialog.receive(tx.request) !== 'ok') return respond(500);
    respond(200, [['Expires', String(granted)], ['Contact', this.o.side.userAgent.contact()]]);
    // RFC 6665 4.2.1.4: Expires 0 unsubscribes; the final NOTIFY says terminated.
    if (granted === 0) return this.end(sub, 'timeout');
    this.schedule(sub, granted);
    this.notify(sub);
  }

  /** The resource a Request-URI names for `event`; undefined when it names nothing we serve it for. */
  private resource(uri: ReturnType<typeof parseUri>, event: EventPackage): Resource | undefined {
    if (uri?.kind !== 'sip' || uri.user === undefined) return undefined;
    const name = uri.user;
    const entity = `sip:${name}@${this.o.side.realm}`;
    if (this.o.directory.extension(name)) return { kind: 'extension', name, entity };
    if (event === 'dialog' && this.o.lines().includes(name)) return { kind: 'line', name, entity };
    if (event === 'presence' && this.o.presence.user(name)) return { kind: 'user', name, entity };
    return undefined;
  }

  private response(tx: ServerTransaction, status: number, extra: HeaderInput, tag: string): SipResponse {
    return responseTo(tx.request, status, undefined, [...extra, ...this.o.side.userAgent.describe('response')], { toTag: tag });
  }

  private keyOf(req: ServerTransaction['request'], localTag: string): string {
    return dialogKey({ callId: callId(req) ?? '', localTag, remoteTag: fromAddr(req)?.tag ?? '' });
  }

  private schedule(sub: Subscription, seconds: number): void {
    sub.timer?.cancel();
    sub.expiresAt = this.o.side.userAgent.clock.now() + seconds * 1000;
    sub.timer = this.o.side.userAgent.timer(seconds * 1000, () => this.end(sub, 'timeout'));
  }

  // ------------------------------------------------------------------------------------------ changes

  private changed(which: (s: Subscription) => boolean): void {
    for (const s of this.subs.values()) if (which(s)) this.notify(s);
  }

  private dialogChanged(target: string, dialog: PhoneDialog): void {
    for (const s of this.subs.values()) {
      if (s.event !== 'dialog' || this.dialogTarget(s.resource) !== target) continue;
      if (dialog.state === 'terminated') s.terminated.push(dialog);
      this.notify(s);
    }
  }

  private removed(number: string): void {
    for (const s of [...this.subs.values()]) {
      if (s.resource.kind === 'extension' && s.resource.name === number) this.end(s, 'noresource');
      else if (s.subscriber === number) this.end(s, 'rejected');
    }
  }

  private dialogTarget(r: Resource): string {
    return r.kind === 'line' ? lineTarget(r.name) : r.name;
  }

  // ------------------------------------------------------------------------------------------ NOTIFY

  /** Ends a subscription with a final NOTIFY (RFC 6665 4.1.3 reasons: timeout, noresource, rejected, deactivated). */
  private end(sub: Subscription, reason: 'timeout' | 'noresource' | 'rejected' | 'deactivated'): void {
    if (sub.ended) return;
    sub.ended = true;
    sub.timer?.cancel();
    this.subs.delete(sub.key);
    this.o.logger.info('subscription ended', { event: sub.event, resource: sub.resource.entity, subscriber: sub.subscriber, reason });
    this.send(sub, `terminated;reason=${reason}`);
  }

  /** Sends the current state now, or once the NOTIFY in flight is answered. */
  private notify(sub: Subscription): void {
    if (sub.ended) return;
    if (sub.inFlight) {
      sub.pending = true;
      return;
    }
    const remaining = Math.max(0, Math.ceil((sub.expiresAt - this.o.side.userAgent.clock.now()) / 1000));
    this.send(sub, `active;expires=${remaining}`);
  }

  private send(sub: Subscription, state: string): void {
    const ua = this.o.side.userAgent;
    const { body, contentType } = this.body(sub);
    let target = sub.dialog.nextHop();
    sub.inFlight = true;
    sub.pending = false;
    const extra: HeaderInput = [['Event', sub.eventHeader], ['Subscription-State', state], ...ua.describe('request')];
    ua.send(
      { build: () => sub.dialog.createRequest('NOTIFY', { body, contentType, contact: ua.contact(), extra }), nextHop: sub.dialog.nextHop() },
      {
        // No credentials of ours to give a phone that challenges a NOTIFY.
        retry: () => false,
        onTransaction: (_tx, _req, to) => (target = `${to.transport}:${to.address}:${to.port}`),
        onFinal: (r, local) => {
          sub.inFlight = false;
          sub.package?.answered?.(sub.resource.name, target, answerText(r, local));
          if (r.status >= 300) {
            // RFC 6665 4.2.2: a NOTIFY answered with an error (481, a 408 timeout …) removes the subscription.
            if (!sub.ended) {
              this.o.logger.info('subscription removed: NOTIFY failed', { event: sub.event, resource: sub.resource.entity, status: r.status, ...(local ? { local } : {}) });
              sub.ended = true;
              sub.timer?.cancel();
              this.subs.delete(sub.key);
            }
            return;
          }
          if (sub.pending) this.notify(sub);
        },
      },
    );
  }

  private body(sub: Subscription): { body: string; contentType: string } {
    const r = sub.resource;
    if (sub.package) return sub.package.body(r.name, sub.accept);
    const contentType = eventPackages[sub.event as EventPackage];
    switch (sub.event as EventPackage) {
      case 'message-summary':
        return { body: messageSummaryBody(this.o.messages.summary(), r.entity), contentType };
      case 'dialog': {
        const terminated = sub.terminated.splice(0);
        return { body: dialogInfoBody(r.entity, sub.version++, [...this.o.dialogs.dialogs(this.dialogTarget(r)), ...terminated]), contentType };
      }
      case 'presence': {
        const state = (r.kind === 'user' ? this.o.presence.user(r.name)?.state : this.o.presence.extension(r.name)?.state) ?? 'offline';
        return { body: pidfBody(r.entity, state), contentType };
      }
    }
  }

  private allowEvents(): string {
    return [...Object.keys(eventPackages), ...this.packages.keys()].join(', ');
  }

  /** The package and the header of an Event value we serve (`dialog;id=a`), or undefined. */
  private parseEvent(value: string | undefined): { package: string; header: string } | undefined {
    if (value === undefined) return undefined;
    const semi = value.indexOf(';');
    const name = (semi < 0 ? value : value.slice(0, semi)).trim().toLowerCase();
    if (semi >= 0 && !parseHeaderParams(value.slice(semi))) return undefined;
    return Object.hasOwn(eventPackages, name) || this.packages.has(name) ? { package: name, header: value.trim() } : undefined;
  }
}

/** Whether Accept values take `type` (RFC 3261 20.1: media ranges with wildcards). */
export function accepts(values: readonly string[], type: string): boolean {
  const [main] = type.split('/');
  return values
    .flatMap((v) => v.split(','))
    .map((v) => v.split(';')[0]!.trim().toLowerCase())
    .some((v) => v === type || v === '*/*' || v === `${main}/*`);
}
