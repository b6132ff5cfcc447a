/**
 * A SIP dialog (RFC 3261 section 12): the peer-to-peer relationship an INVITE creates, with the state
 * needed to build requests inside it (route set, remote target, CSeq numbers) and to check the
 * requests that arrive in it.
 */
import {
  callId,
  contacts,
  cseq,
  formatNameAddr,
  fromAddr,
  parseUri,
  request,
  routeSet,
  toAddr,
  type NameAddr,
  type SipRequest,
  type SipResponse,
} from '../message/index.js';

export interface DialogId {
  readonly callId: string;
  readonly localTag: string;
  readonly remoteTag: string;
}

export function dialogKey(id: DialogId): string {
  return `${id.callId}\n${id.localTag}\n${id.remoteTag}`;
}

/** The value of a name-addr header with only its tag kept as parameter. */
function withTag(na: NameAddr, tag: string): string {
  return formatNameAddr({ ...(na.displayName !== undefined ? { displayName: na.displayName } : {}), uri: na.uri, params: new Map([['tag', tag]]) });
}

export class Dialog {
  private localSeq: number;
  private remoteSeq: number | undefined;
  private remoteTarget: string;

  private constructor(
    readonly id: DialogId,
    /** From (UAC) or To (UAS) of the creating request, with our tag. */
    private readonly local: NameAddr,
    private readonly remote: NameAddr,
    /** Route set in the order requests use it (RFC 3261 12.1.1 / 12.1.2). */
    private readonly routes: readonly string[],
    remoteTarget: string,
    localSeq: number,
    remoteSeq: number | undefined,
    /** Where every request of the dialog goes without a route set: the flow the peer is reached by (behind NAT). */
    private readonly flow?: string,
  ) {
    this.localSeq = localSeq;
    this.remoteSeq = remoteSeq;
    this.remoteTarget = remoteTarget;
  }

  /**
   * The UAC side, from our INVITE and the response (2xx, or 1xx with a To tag) that created the dialog (12.1.2);
   * `flow`: the address the INVITE went to, for a peer that is reached there rather than at its Contact (a phone
   * behind NAT, at the source address it registered from).
   */
  static asUac(invite: SipRequest, res: SipResponse, flow?: string): Dialog | undefined {
    const from = fromAddr(invite);
    const to = toAddr(res);
    const id = callId(invite);
    const seq = cseq(invite);
    const target = contactOf(res);
    if (!from?.tag || !to?.tag || !id || !seq || !target) return undefined;
    const rr = (routeSet(res, 'Record-Route') ?? []).map((r) => `<${r.uriText}>`).reverse();
    return new Dialog({ callId: id, localTag: from.tag, remoteTag: to.tag }, from, to, rr, target, seq.seq, undefined, flow);
  }

  /** The UAS side, from the INVITE that arrived and the tag we put in our To (12.1.1). */
  static asUas(invite: SipRequest, localTag: string): Dialog | undefined {
    const from = fromAddr(invite);
    const to = toAddr(invite);
    const id = callId(invite);
    const seq = cseq(invite);
    const target = contactOf(invite);
    if (!from?.tag || !to || !id || !seq || !target) return undefined;
    const rr = (routeSet(invite, 'Record-Route') ?? []).map((r) => `<${r.uriText}>`);
    return new Dialog({ callId: id, localTag, remoteTag: from.tag }, to, from, rr, target, Math.floor(Math.random() * 0x7fffffff), seq.seq);
  }

  /** Where the next request of this dialog goes: the first route, or the flow, or the remote target (RFC 3261 12.2.1.1). */
  nextHop(): string {
    const first = this.routes[0];
    return first ? first.replace(/^<|>$/g, '') : (this.flow ?? this.remoteTarget);
  }

  /**
   * A request inside the dialog (12.2.1.1): Request-URI = remote target (loose routing), Route = the
   * route set, From/To with both tags, a new CSeq (ACK and CANCEL reuse the INVITE's: `cseq` given).
   * The transaction layer adds the Via.
   */
  createRequest(method: string, opts: { body?: string; contentType?: string; contact?: string; cseq?: number; extra?: ReadonlyArray<readonly [string, string]> } = {}): SipRequest {
    const seq = opts.cseq ?? ++this.localSeq;
    const headers: Array<readonly [string, string]> = [
      ...this.routes.map((r) => ['Route', r] as const),
      ['Max-Forwards', '70'],
      ['From', withTag(this.local, this.id.localTag)],
      ['To', withTag(this.remote, this.id.remoteTag)],
      ['Call-ID', this.id.callId],
      ['CSeq', `${seq} ${method}`],
      ...(opts.contact ? [['Contact', opts.contact] as const] : []),
      ...(opts.extra ?? []),
      ...(opts.body ? [['Content-Type', opts.contentType ?? 'application/sdp'] as const] : []),
    ];
    return request(method, this.remoteTarget, headers, opts.body ?? '');
  }

  /**
   * Checks a request that arrived in the dialog (12.2.2): a CSeq lower than the last one is out of
   * order (the UAS answers 500). A target refresh (re-INVITE) updates the remote target.
   */
  receive(req: SipRequest): 'ok' | 'out-of-order' {
    const seq = cseq(req);
    if (!seq) return 'out-of-order';
    if (req.method !== 'ACK' && req.method !== 'CANCEL') {
      if (this.remoteSeq !== undefined && seq.seq <= this.remoteSeq) return 'out-of-order';
      this.remoteSeq = seq.seq;
    }
    if (req.method === 'INVITE' || req.method === 'UPDATE') {
      const target = contactOf(req);
      if (target) this.remoteTarget = target;
    }
    return 'ok';
  }

  /** A 2xx to our re-INVITE refreshes the remote target too (12.2.1.2). */
  refreshFrom(res: SipResponse): void {
    const target = contactOf(res);
    if (target) this.remoteTarget = target;
  }

  /** The CSeq number of the last request we sent. */
  get lastLocalSeq(): number {
    return this.localSeq;
  }
}

/** The URI of the single Contact a dialog-creating message must carry. */
function contactOf(msg: SipRequest | SipResponse): string | undefined {
  const c = contacts(msg);
  if (!c || c === '*' || c.length === 0) return undefined;
  return parseUri(c[0]!.uriText) ? c[0]!.uriText : undefined;
}
