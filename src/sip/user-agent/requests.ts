/**
 * Requests and responses the UA builds outside a dialog: out-of-dialog requests (RFC 3261 8.1.1) with the
 * outbound proxy as a preloaded Route, the CANCEL of an INVITE (9.1), and small header helpers.
 */
import { request as buildRequest, responseTo, type HeaderInput } from '../message/codec.js';
import { contacts, formatNameAddr, generateCallId, generateTag, setHeader } from '../message/headers.js';
import type { SipRequest, SipResponse } from '../message/types.js';
import { formatUri, parseUri } from '../message/uri.js';
import type { UaContext } from './context.js';

/** A proxy URI made loose-routing (`;lr`), as a Route entry needs it (RFC 3261 16.12.1.1). */
export function looseRoute(uri: string): string {
  const parsed = parseUri(uri);
  if (!parsed || parsed.kind !== 'sip') return uri;
  if (parsed.params.has('lr')) return formatUri(parsed);
  const params = new Map(parsed.params);
  params.set('lr', null);
  return formatUri({ ...parsed, params });
}

/** Who a request is from (its From header): a URI and a display name. */
export interface Identity {
  readonly uri: string;
  readonly displayName?: string;
}

/**
 * A family of out-of-dialog requests sharing Call-ID and From tag, with CSeq counting up (a REGISTER
 * refresh, a retry with credentials, RFC 3261 8.1.3.5 and 10.2.4).
 */
export class RequestFamily {
  readonly callId: string;
  readonly fromTag: string;
  private readonly from: string;
  private readonly proxy?: string;
  private seq: number;

  constructor(
    private readonly ctx: UaContext,
    /** Request-URI. */
    readonly uri: string,
    /** To header value (defaults to `<uri>`). */
    private readonly to = `<${uri}>`,
    opts: {
      readonly callId?: string;
      readonly fromTag?: string;
      /** The outbound proxy to route through: null for none; default: the UA's. */
      readonly route?: string | null;
      /** The From identity: default the UA's own (its AOR and display name). */
      readonly from?: Identity;
    } = {},
  ) {
    this.callId = opts.callId ?? generateCallId();
    this.fromTag = opts.fromTag ?? generateTag();
    const from = opts.from ?? { uri: ctx.settings.aor, ...(ctx.settings.displayName ? { displayName: ctx.settings.displayName } : {}) };
    this.from = formatNameAddr({
      ...(from.displayName ? { displayName: from.displayName } : {}),
      uri: from.uri,
      params: new Map([['tag', this.fromTag]]),
    });
    this.proxy = opts.route === undefined ? ctx.settings.outboundProxy : (opts.route ?? undefined);
    this.seq = 1 + Math.floor(ctx.random() * 1000);
  }

  /** Where requests of this family go first: the outbound proxy, else the Request-URI. */
  get nextHop(): string {
    return this.proxy ?? this.uri;
  }

  get lastSeq(): number {
    return this.seq - 1;
  }

  /** The next request of the family (no Via: the sender adds it). */
  build(method: string, headers: HeaderInput = [], body = '', contentType?: string): SipRequest {
    const proxy = this.proxy;
    const h: Array<readonly [string, string]> = [
      ...(proxy ? [['Route', `<${looseRoute(proxy)}>`] as const] : []),
      ['Max-Forwards', '70'],
      ['From', this.from],
      ['To', this.to],
      ['Call-ID', this.callId],
      ['CSeq', `${this.seq++} ${method}`],
      ...headers,
      ...(body ? [['Content-Type', contentType ?? 'application/sdp'] as const] : []),
    ];
    return buildRequest(method, this.uri, h, body);
  }
}

/**
 * RFC 3261 9.1: the CANCEL of an INVITE — same Request-URI, Call-ID, To, From, CSeq number and Route,
 * and a single Via equal to the INVITE's top Via (so it matches the INVITE's server transaction); `extra`: headers
 * of its own, such as an RFC 3326 Reason.
 */
export function cancelFor(invite: SipRequest, extra: HeaderInput = []): SipRequest {
  const h: Array<readonly [string, string]> = [];
  const via = invite.headers.get('Via');
  if (via !== undefined) h.push(['Via', via]);
  h.push(['Max-Forwards', '70']);
  for (const r of invite.headers.all('Route')) h.push(['Route', r]);
  for (const name of ['From', 'To', 'Call-ID']) {
    const v = invite.headers.get(name);
    if (v !== undefined) h.push([name, v]);
  }
  const seq = /^\s*(\d+)/.exec(invite.headers.get('CSeq') ?? '')?.[1] ?? '1';
  h.push(['CSeq', `${seq} CANCEL`], ...extra);
  return buildRequest('CANCEL', invite.uri, h);
}

/**
 * RFC 3326 Reason of the CANCEL to a fork another device answered (RFC 3326 section 2: the cause 200; the text phones
 * show, so the call does not count as missed).
 */
export const completedElsewhere = ['Reason', 'SIP;cause=200;text="Call completed elsewhere"'] as const;

/** A response with a Contact: the response itself, or with `fallback` added when it has none (lenient peers). */
export function withContact(response: SipResponse, fallback: string): SipResponse {
  const c = contacts(response);
  if (c && c !== '*' && c.length > 0) return response;
  return setHeader(response, 'Contact', `<${fallback}>`);
}

/** A response to `req` that carries our description (Allow, Server, …) and extra headers. */
export function reply(
  ctx: UaContext,
  req: SipRequest,
  status: number,
  extra: HeaderInput = [],
  opts: { toTag?: string; body?: string; reason?: string } = {},
): SipResponse {
  const body = opts.body ?? '';
  return responseTo(
    req,
    status,
    opts.reason,
    [...extra, ...ctx.describe('response'), ...(body ? [['Content-Type', 'application/sdp'] as const] : [])],
    { ...(opts.toTag !== undefined ? { toTag: opts.toTag } : {}), body },
  );
}
