/**
 * SIP messages (RFC 3261 section 7) as hometel's SIP layers see them: parsed once by the codec into
 * readonly records; header values stay text, with typed accessors in the codec for the headers the
 * stack itself needs (Via, From, To, Call-ID, CSeq, Contact, Route, Record-Route, authentication).
 */

/** Header name as the codec normalises it: the canonical long form (`v` → `Via`, `call-id` → `Call-ID`). */
export type HeaderName = string;

export interface SipHeaders {
  /** Every value of a header, in message order (comma-joined values already split where RFC 3261 allows). */
  all(name: HeaderName): readonly string[];
  /** The first value of a header, or undefined. */
  get(name: HeaderName): string | undefined;
  has(name: HeaderName): boolean;
  /** All headers in message order as [canonical name, value] pairs. */
  entries(): ReadonlyArray<readonly [HeaderName, string]>;
}

export interface SipRequest {
  readonly kind: 'request';
  readonly method: string;
  /** The Request-URI as text. */
  readonly uri: string;
  readonly headers: SipHeaders;
  readonly body: string;
}

export interface SipResponse {
  readonly kind: 'response';
  readonly status: number;
  readonly reason: string;
  readonly headers: SipHeaders;
  readonly body: string;
}

export type SipMessage = SipRequest | SipResponse;

/** Where a message came from or goes to. */
export interface SipPeer {
  readonly transport: 'udp' | 'tcp';
  readonly address: string;
  readonly port: number;
}
