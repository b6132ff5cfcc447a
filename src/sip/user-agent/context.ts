/**
 * What the parts of a user agent (INVITE sessions, the registration, availability watchers) need from it:
 * time, logs, the transaction layer, our own addresses, and a way to send requests that answers Digest
 * challenges and turns timeouts and transport errors into local 408/503 responses.
 */
import type { Clock, Logger, TimerHandle } from '../../base/index.js';
import type { HeaderInput } from '../message/codec.js';
import type { SipPeer, SipRequest, SipResponse } from '../message/types.js';
import type { ClientTransaction, TimerConfig, TransactionLayer } from '../transaction/index.js';

/** Why a final response is local: Timer B/F fired (408) or the transport failed (503) (RFC 3261 8.1.3.1). */
export type LocalCause = 'timeout' | 'transport';

export interface SendHandlers {
  /** Asked before a retry with credentials; false gives the 401/407 to `onFinal` instead. Default: retry. */
  retry?(): boolean;
  /** Each transaction the request is sent in (the first, and each retry with credentials). */
  onTransaction?(tx: ClientTransaction, request: SipRequest, peer: SipPeer): void;
  onProvisional?(response: SipResponse): void;
  /** The final response; 401/407 only when they could not be answered. `local` for synthesized 408/503. */
  onFinal?(response: SipResponse, local?: LocalCause): void;
}

export interface OutgoingRequest {
  /** Builds the request without Via; called again (with a higher CSeq) for a retry with credentials. */
  build(): SipRequest;
  /** URI of the next hop: the outbound proxy, the first route of a dialog, or the Request-URI. */
  readonly nextHop: string;
}

export interface UaContext {
  readonly clock: Clock;
  readonly logger: Logger;
  readonly timers: TimerConfig;
  readonly layer: TransactionLayer;
  readonly settings: UaSettings;
  /** Our Contact header value. */
  contact(): string;
  /** Allow, User-Agent and the like, for requests and responses that describe us. */
  describe(kind: 'request' | 'response'): HeaderInput;
  /** Sends a request in a client transaction, answering Digest challenges. */
  send(request: OutgoingRequest, handlers: SendHandlers): void;
  /** Sends an ACK for a 2xx to `nextHop`; resolves with what was sent (for re-ACKing retransmissions). */
  sendAck(ack: SipRequest, nextHop: string): Promise<{ ack: SipRequest; peer: SipPeer } | undefined>;
  /** Runs TU code: an exception is logged, never thrown into the stack. */
  safe(what: string, fn: () => void): void;
  /** A timer on the UA's clock that the UA cancels when it stops. */
  timer(ms: number, fn: () => void): TimerHandle;
  /** Fresh random number in [0, 1). */
  random(): number;
}

/** The resolved settings sessions use. */
export interface UaSettings {
  readonly noAnswerMs: number;
  readonly keepaliveMs: number;
  readonly probeIntervalMs: number;
  readonly presenceExpires: number;
  readonly presence: boolean;
  readonly aor: string;
  readonly displayName?: string;
  readonly outboundProxy?: string;
}
