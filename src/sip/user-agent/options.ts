/**
 * What a `UserAgent` is configured with, and the transport port it runs over. Every duration has a default;
 * time and the resolver are injected so tests control them.
 */
import type { Clock, Logger } from '../../base/index.js';
import type { SipMessage } from '../message/types.js';
import type { TimerConfig, TransactionOutcome, TransactionTransport } from '../transaction/index.js';
import type { SipSource } from '../transport/transport.js';

export type SipTransportName = 'udp' | 'tcp';

/**
 * The transport as the user agent sees it: what the transaction layer needs, plus the receive hook.
 * `SipTransports` is one; tests wrap it (to drop a message on purpose) or replace it with an in-memory network.
 */
export interface UaTransport extends TransactionTransport {
  onMessage?: (message: SipMessage, from: SipSource) => void;
}

export interface UaCredentials {
  readonly username: string;
  readonly password: string;
}

export interface RegistrationOptions {
  /** The registrar's URI (`sip:host[:port][;transport=tcp]`); its host is the domain of the address of record. */
  readonly registrar: string;
  /** Requested binding lifetime; default 3600 s. */
  readonly expires?: number;
  /** First retry after a failed registration; doubles up to `retryMaxSeconds`. Default 5 s. */
  readonly retryBaseSeconds?: number;
  /** Cap of the retry interval; default 300 s. */
  readonly retryMaxSeconds?: number;
}

export interface UserAgentOptions {
  readonly transport: UaTransport;
  /** The address written in Via and Contact: the one the transports listen on (an IP address). */
  readonly host: string;
  /** The listening port written in Via and Contact (UDP and TCP share it). */
  readonly port: number;
  /** Transports the UA may send over; the first is used when a URI names none. */
  readonly transports: readonly SipTransportName[];
  /** User part of our Contact. */
  readonly user: string;
  /** The From of out-of-dialog requests: our address of record. */
  readonly aor: string;
  readonly displayName?: string;
  /** Digest credentials answering 401/407 challenges (RFC 3261 22). */
  readonly credentials?: UaCredentials;
  /** Next hop (with a preloaded Route) of every out-of-dialog request (RFC 3261 8.1.2). */
  readonly outboundProxy?: string;
  /** REGISTER to a registrar (registered mode). */
  readonly registration?: RegistrationOptions;
  /** Request-URI users this UA answers for (404 otherwise); default: the Contact user, the AOR user, or none. */
  readonly acceptsUser?: (user: string | undefined) => boolean;
  /** How long an incoming call rings before `onNoAnswer` (default 480); default 60 s. */
  readonly noAnswerSeconds?: number;
  /** In-dialog OPTIONS every this many seconds to detect a dead peer; 0 (default) is off. */
  readonly keepaliveSeconds?: number;
  /** OPTIONS probe interval of availability watching; default 60 s. */
  readonly probeIntervalSeconds?: number;
  /** Requested lifetime of presence subscriptions; default 600 s. */
  readonly presenceExpiresSeconds?: number;
  /** Try an RFC 3856 presence subscription before OPTIONS probing; default true. */
  readonly presence?: boolean;
  readonly timers?: Partial<TimerConfig>;
  /** Hears every transaction's result (the transaction layer's `onOutcome`). */
  readonly onTransactionOutcome?: (outcome: TransactionOutcome) => void;
  readonly clock?: Clock;
  readonly logger?: Logger;
  /** User-Agent / Server header value; default `hometel`. */
  readonly product?: string;
  /** Resolves a host name to an address (no SRV/NAPTR); default: `dns.lookup`. */
  readonly resolveHost?: (host: string) => Promise<string>;
  /** How long `stop()` waits for BYEs and the unregistration to be answered; default 2 s. */
  readonly stopTimeoutMs?: number;
  /** Randomness for back-off jitter-free choices (Retry-After); default Math.random. */
  readonly random?: () => number;
  /**
   * Methods beyond `allowedMethods` this UA accepts (REGISTER, SUBSCRIBE, REFER … of the phones' side); requests
   * with them go to the delegate's `onRequest`.
   */
  readonly extraMethods?: readonly string[];
}

/** Methods this UA accepts (the Allow header). */
export const allowedMethods = ['INVITE', 'ACK', 'CANCEL', 'BYE', 'OPTIONS', 'NOTIFY'] as const;
export const allowHeader = allowedMethods.join(', ');
/** Option tags this UA supports (a Require naming others is answered 420). */
export const supportedOptions: readonly string[] = [];
