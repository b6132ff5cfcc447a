/**
 * The transaction layer (RFC 3261 17): matches each received message to its transaction (17.1.3 for
 * responses, 17.2.3 for requests), creates server transactions for new requests and hands them to the TU,
 * and creates client transactions for the TU's requests. Messages that belong to no transaction go up as
 * they are: ACKs for 2xx (`onAck`) and 2xx retransmissions after the INVITE client transaction ended
 * (`onStrayResponse`).
 *
 * Since the INVITE server transaction ends with its 2xx (RFC 3261 as written), a retransmitted INVITE
 * arriving afterwards would look new; the layer remembers the keys of INVITEs answered 2xx for 64·T1 and
 * absorbs their retransmissions (the behaviour RFC 6026 7.1 gives its Accepted state).
 */
import { silentLogger, systemClock, type Clock, type Logger, type TimerHandle } from '../../base/index.js';
import { cseq } from '../message/headers.js';
import type { SipMessage, SipPeer, SipRequest, SipResponse } from '../message/types.js';
import type { SipSource } from '../transport/transport.js';
import {
  InviteClientTransaction,
  NonInviteClientTransaction,
  type ClientTransaction,
  type ClientTransactionDelegate,
} from './client-transactions.js';
import { clientKeyOfRequest, clientKeyOfResponse, serverKey } from './messages.js';
import { InviteServerTransaction, NonInviteServerTransaction, type ServerTransaction } from './server-transactions.js';
import type { TransactionContext, TransactionResult } from './state-table.js';
import { resolveTimers, type TimerConfig } from './timers.js';
import type { TransactionTransport } from './transaction-transport.js';
import { TwoHundredRetransmitter } from './two-hundred-retransmitter.js';

/** The transaction user (UA core) as the layer sees it. */
export interface TransactionUser {
  /** A new request with its new server transaction; the TU answers through `tx.respond()`. */
  onRequest(tx: ServerTransaction): void;
  /** An ACK that matches no server transaction: the ACK for a 2xx (RFC 3261 17.2.3 / 13.3.1.4). */
  onAck?(ack: SipRequest, from: SipSource): void;
  /** A response that matches no client transaction: typically a 2xx retransmission the TU must ACK again. */
  onStrayResponse?(response: SipResponse, from: SipSource): void;
}

/** One transaction's result as the layer reports it (for metrics): which side, its method, how it ended. */
export interface TransactionOutcome {
  readonly role: 'client' | 'server';
  readonly method: string;
  readonly result: TransactionResult;
}

export interface TransactionLayerOptions {
  readonly transport: TransactionTransport;
  /** The TU; may be replaced later through `layer.delegate`. */
  readonly delegate: TransactionUser;
  readonly clock?: Clock;
  readonly logger?: Logger;
  readonly timers?: Partial<TimerConfig>;
  /** Hears every transaction's result once it is known (a transaction the layer aborts at close has none). */
  readonly onOutcome?: (outcome: TransactionOutcome) => void;
}

export class TransactionLayer {
  delegate: TransactionUser;
  readonly timers: TimerConfig;
  private readonly clients = new Map<string, ClientTransaction>();
  private readonly servers = new Map<string, ServerTransaction>();
  /** Keys of INVITE server transactions ended by a 2xx, kept for 64·T1. */
  private readonly accepted = new Map<string, TimerHandle>();
  private readonly transport: TransactionTransport;
  private readonly clock: Clock;
  private readonly logger: Logger;
  private readonly clientCtx: TransactionContext;
  private readonly serverCtx: TransactionContext;

  constructor(opts: TransactionLayerOptions) {
    this.transport = opts.transport;
    this.delegate = opts.delegate;
    this.clock = opts.clock ?? systemClock;
    this.logger = opts.logger ?? silentLogger;
    this.timers = resolveTimers(opts.timers);
    const base = { transport: this.transport, clock: this.clock, timers: this.timers, logger: this.logger };
    const outcome = (role: TransactionOutcome['role']) => (method: string, result: TransactionResult) => opts.onOutcome?.({ role, method, result });
    this.clientCtx = { ...base, terminated: (tx) => this.clients.delete(tx.id), concluded: outcome('client') };
    this.serverCtx = { ...base, terminated: (tx) => this.serverEnded(tx.id), concluded: outcome('server') };
  }

  /** Live client and server transactions (for tests and diagnostics). */
  get clientCount(): number {
    return this.clients.size;
  }

  get serverCount(): number {
    return this.servers.size;
  }

  clientTransaction(id: string): ClientTransaction | undefined {
    return this.clients.get(id);
  }

  serverTransaction(id: string): ServerTransaction | undefined {
    return this.servers.get(id);
  }

  /** Everything the transport layer receives goes here (`transports.onMessage = (m, f) => layer.receive(m, f)`). */
  receive(message: SipMessage, from: SipSource): void {
    if (message.kind === 'response') this.receiveResponse(message, from);
    else this.receiveRequest(message, from);
  }

  /**
   * Sends a request in a new client transaction (INVITE or non-INVITE by method). The request must carry
   * its top Via with a unique branch (RFC 3261 8.1.1.7). ACK is not sent in a transaction: use `sendAck`.
   */
  sendRequest(request: SipRequest, to: SipPeer, delegate: ClientTransactionDelegate = {}): ClientTransaction {
    if (request.method === 'ACK') throw new Error('ACK is not sent in a transaction; use sendAck');
    const prepared = this.transport.prepareRequest?.(request, to) ?? { request, to };
    const id = clientKeyOfRequest(prepared.request);
    if (!id) throw new Error(`${request.method} request without a top Via branch`);
    if (this.clients.has(id)) throw new Error(`a client transaction with branch key ${id} exists`);
    const tx =
      request.method === 'INVITE'
        ? new InviteClientTransaction(this.clientCtx, id, prepared.request, prepared.to, delegate)
        : new NonInviteClientTransaction(this.clientCtx, id, prepared.request, prepared.to, delegate);
    this.clients.set(id, tx);
    this.logger.debug('client transaction created', { tx: id, method: request.method, to: `${to.transport}:${to.address}:${to.port}` });
    tx.start();
    return tx;
  }

  /** Sends an ACK for a 2xx (RFC 3261 13.2.2.4), outside any transaction. */
  sendAck(ack: SipRequest, to: SipPeer): Promise<void> {
    return this.transport.sendRequest(ack, to);
  }

  /** Sends a response outside any transaction (2xx retransmissions, RFC 3261 13.3.1.4). */
  sendResponse(response: SipResponse, source: SipSource): Promise<void> {
    return this.transport.sendResponse(response, source);
  }

  /**
   * Starts retransmitting a 2xx to an INVITE that came from `source` (RFC 3261 13.3.1.4) with this layer's
   * clock and timers; call `acknowledge()` on the ACK. `onGiveUp` after 64·T1 without one.
   */
  retransmit2xx(response: SipResponse, source: SipSource, onGiveUp: () => void): TwoHundredRetransmitter {
    const r = new TwoHundredRetransmitter({
      clock: this.clock,
      timers: this.timers,
      logger: this.logger,
      send: () => this.sendResponse(response, source),
      onGiveUp,
    });
    r.start();
    return r;
  }

  /** Ends every transaction without telling the TU, and forgets everything (shutdown). */
  close(): void {
    for (const tx of [...this.clients.values(), ...this.servers.values()]) tx.abort();
    for (const t of this.accepted.values()) t.cancel();
    this.accepted.clear();
    this.clients.clear();
    this.servers.clear();
  }

  private receiveResponse(response: SipResponse, from: SipSource): void {
    const id = clientKeyOfResponse(response);
    const tx = id === undefined ? undefined : this.clients.get(id);
    if (tx) {
      tx.receiveResponse(response);
      return;
    }
    this.logger.debug('response matches no client transaction', { status: response.status, key: id ?? 'none' });
    this.delegate.onStrayResponse?.(response, from);
  }

  private receiveRequest(request: SipRequest, from: SipSource): void {
    const c = cseq(request);
    const id = serverKey(request);
    if (!c || c.method !== request.method || id === undefined) {
      this.logger.debug('request dropped: no usable Via or CSeq', { method: request.method });
      return;
    }
    const existing = this.servers.get(id);
    if (request.method === 'ACK') {
      if (existing instanceof InviteServerTransaction) existing.receiveRequest(request);
      else this.delegate.onAck?.(request, from);
      return;
    }
    if (existing) {
      existing.receiveRequest(request);
      return;
    }
    if (request.method === 'INVITE' && this.accepted.has(id)) {
      this.logger.debug('retransmitted INVITE after 2xx absorbed', { tx: id });
      return;
    }
    let tx: ServerTransaction;
    if (request.method === 'INVITE') {
      tx = new InviteServerTransaction(this.serverCtx, id, request, from);
    } else {
      const nonInvite = new NonInviteServerTransaction(this.serverCtx, id, request, from);
      if (request.method === 'CANCEL') {
        const key = serverKey(request, 'INVITE');
        const target = key === undefined ? undefined : this.servers.get(key);
        if (target instanceof InviteServerTransaction) nonInvite.cancelTarget = target;
      }
      tx = nonInvite;
    }
    this.servers.set(id, tx);
    this.logger.debug('server transaction created', { tx: id, method: request.method, from: `${from.transport}:${from.address}:${from.port}` });
    tx.start();
    this.delegate.onRequest(tx);
  }

  private serverEnded(id: string): void {
    const tx = this.servers.get(id);
    this.servers.delete(id);
    if (tx instanceof InviteServerTransaction && tx.finalResponse && tx.finalResponse.status < 300) {
      this.accepted.get(id)?.cancel();
      this.accepted.set(
        id,
        this.clock.setTimer(64 * this.timers.t1, () => this.accepted.delete(id)),
      );
    }
  }
}
