/**
 * Unsolicited message-summary NOTIFYs (RFC 3842 4: a notifier may send them without a subscription; many desk
 * phones only light their lamp from these). When the home's voicemail counts change, each registered device of each
 * extension gets one out of dialog — except a device that subscribed to message-summary itself (its subscription's
 * NOTIFYs already tell it). A device newly registered gets the current state once.
 */
import type { Logger } from '../../base/index.js';
import type { Binding, MessageWaitingSource, PhoneDirectory } from '../../phones/index.js';
import { generateCallId, generateTag, request, type HeaderInput, type LocalCause, type SipResponse, type UserAgent } from '../index.js';
import { messageSummaryBody, messageSummaryType } from './event-bodies.js';

export interface UnsolicitedMessageWaitingOptions {
  readonly userAgent: UserAgent;
  readonly realm: string;
  readonly directory: PhoneDirectory;
  readonly messages: MessageWaitingSource;
  /** Sources (`address:port`) of the devices with a message-summary subscription of their own. */
  readonly subscribed: () => ReadonlySet<string>;
  readonly logger: Logger;
}

export class UnsolicitedMessageWaiting {
  private readonly unsubscribe: Array<() => void>;
  /** The contacts of each extension told so far (a new one is told the current state). */
  private readonly told = new Map<string, Set<string>>();

  constructor(private readonly o: UnsolicitedMessageWaitingOptions) {
    for (const e of o.directory.extensions()) this.told.set(e.number, new Set(o.directory.bindings(e.number).map((b) => b.contact)));
    this.unsubscribe = [
      o.messages.onChange(() => this.tellAll()),
      o.directory.onChange((e) => {
        if (e.type === 'registrations') this.tellNew(e.number);
        else if (e.type === 'extension-removed') this.told.delete(e.number);
      }),
    ];
  }

  close(): void {
    for (const u of this.unsubscribe.splice(0)) u();
  }

  private tellAll(): void {
    for (const e of this.o.directory.extensions()) {
      const bindings = this.o.directory.bindings(e.number);
      this.told.set(e.number, new Set(bindings.map((b) => b.contact)));
      for (const b of bindings) this.tell(b);
    }
  }

  private tellNew(number: string): void {
    const before = this.told.get(number) ?? new Set<string>();
    const bindings = this.o.directory.bindings(number);
    this.told.set(number, new Set(bindings.map((b) => b.contact)));
    for (const b of bindings) if (!before.has(b.contact)) this.tell(b);
  }

  private tell(b: Binding): void {
    if (this.o.subscribed().has(`${b.source.address}:${b.source.port}`)) return;
    const account = `sip:${b.extension}@${this.o.realm}`;
    const body = messageSummaryBody(this.o.messages.summary(), account);
    sendUnsolicitedNotify(this.o.userAgent, this.o.realm, b, 'message-summary', { body, contentType: messageSummaryType }, (answer) => {
      if (answer.status >= 300) this.o.logger.info('unsolicited message-summary NOTIFY refused', { extension: b.extension, contact: b.contact, status: answer.status });
    });
  }
}

/** How an out-of-dialog NOTIFY was answered: the status (408 for a timeout), and where it went. */
export interface UnsolicitedAnswer {
  readonly status: number;
  /** `200 OK`, `timeout`, or `error: 503 …` when it could not be sent. */
  readonly answer: string;
  /** `udp:192.168.1.20:5060` */
  readonly target: string;
}

/**
 * An out-of-dialog NOTIFY of `event` (message-summary, RFC 6080's check-sync …) to a registered device of an
 * extension: to its Contact, sent to where it registered from (behind a NAT its Contact may not be reachable).
 */
export function sendUnsolicitedNotify(
  ua: UserAgent,
  realm: string,
  b: Binding,
  event: string,
  content: { readonly body: string; readonly contentType: string } | undefined,
  answered: (a: UnsolicitedAnswer) => void,
): void {
  const account = `sip:${b.extension}@${realm}`;
  const headers: HeaderInput = [
    ['Max-Forwards', '70'],
    ['From', `<${account}>;tag=${generateTag()}`],
    ['To', `<${account}>`],
    ['Call-ID', generateCallId()],
    ['CSeq', '1 NOTIFY'],
    ['Contact', ua.contact()],
    ['Event', event],
    // RFC 6665 7.2: every NOTIFY carries Subscription-State; this one belongs to no subscription of ours.
    ['Subscription-State', 'active'],
    ...ua.describe('request'),
    ...(content ? [['Content-Type', content.contentType] as const] : []),
  ];
  let target = `${b.source.transport}:${b.source.address}:${b.source.port}`;
  ua.send(
    { build: () => request('NOTIFY', b.contact, headers, content?.body ?? ''), nextHop: `sip:${b.source.address}:${b.source.port};transport=${b.source.transport}` },
    {
      retry: () => false,
      onTransaction: (_tx, _req, to) => (target = `${to.transport}:${to.address}:${to.port}`),
      onFinal: (r, local) => answered({ status: r.status, target, answer: answerText(r, local) }),
    },
  );
}

/** A request's answer as the device history records it: `200 OK`, `timeout`, or `error: …` when it was never sent. */
export function answerText(r: SipResponse, local?: LocalCause): string {
  if (local === 'timeout') return 'timeout';
  return local === 'transport' ? `error: ${r.status} ${r.reason}` : `${r.status} ${r.reason}`;
}
