/**
 * The server transactions of RFC 3261 17.2: INVITE (17.2.1, Figure 7) and non-INVITE (17.2.2, Figure 8),
 * each an explicit state table. The TU answers with `respond()`; retransmitted requests are absorbed and
 * answered with the last response. A 2xx to an INVITE ends the transaction at once: retransmitting it is
 * the UAS core's job (RFC 3261 13.3.1.4, `TwoHundredRetransmitter`).
 */
import type { SipRequest, SipResponse } from '../message/types.js';
import type { SipSource } from '../transport/transport.js';
import { tryingFor } from './messages.js';
import { TransactionMachine, type StateTable, type TransactionContext, type TransportErrorEvent } from './state-table.js';

/** What the TU hears from a server transaction. Every callback is optional. */
export interface ServerTransactionDelegate {
  /** INVITE only: Timer H fired — no ACK came for the 3xx–6xx response (RFC 3261 17.2.1). */
  onTimeout?(): void;
  /** A response could not be sent (RFC 3261 17.2.4). */
  onTransportError?(error: Error): void;
  onTerminated?(): void;
}

abstract class ServerTransactionBase<S extends string, E extends { readonly type: string }> extends TransactionMachine<S, E> {
  /** Set by the TU (typically in `onRequest`). */
  delegate: ServerTransactionDelegate = {};
  readonly reliable: boolean;
  protected provisional?: SipResponse;
  protected final?: SipResponse;

  protected constructor(
    id: string,
    kind: string,
    initial: S,
    ctx: TransactionContext,
    readonly request: SipRequest,
    /** Where the request came from; responses are routed from it (RFC 3261 18.2.2). */
    readonly source: SipSource,
  ) {
    super(id, kind, initial, ctx);
    this.reliable = source.transport === 'tcp';
  }

  /** The last response sent (provisional or final). */
  get lastResponse(): SipResponse | undefined {
    return this.final ?? this.provisional;
  }

  /** The final response sent, if any. */
  get finalResponse(): SipResponse | undefined {
    return this.final;
  }

  /**
   * Sends a response from the TU. Provisional responses may be sent while no final one has been; the first
   * final response completes the transaction. Responses after that are ignored with a warning.
   */
  abstract respond(response: SipResponse): void;

  /** A retransmission of the request (or, for INVITE, an ACK) matched to this transaction (RFC 3261 17.2.3). */
  abstract receiveRequest(request: SipRequest): void;

  protected send(response: SipResponse): void {
    this.handOff(() => this.ctx.transport.sendResponse(response, this.source));
  }

  /** Sends the final response: the transaction's result. */
  protected finish(response: SipResponse): void {
    this.final = response;
    this.send(response);
    this.conclude(response.status);
  }

  protected checkStatus(response: SipResponse): void {
    if (!Number.isInteger(response.status) || response.status < 100 || response.status > 699) {
      throw new RangeError(`invalid SIP status ${response.status}`);
    }
  }

  protected refuse(response: SipResponse): void {
    this.ctx.logger.warn('response after the final one ignored', { tx: this.id, status: response.status, state: this.state });
  }
}

// ---------------------------------------------------------------------------------------------------------
// INVITE server transaction (RFC 3261 17.2.1)

export type InviteServerState = 'proceeding' | 'completed' | 'confirmed' | 'terminated';

type InviteServerEvent =
  | { readonly type: 'retransmission' }
  | { readonly type: 'ack' }
  | { readonly type: 'provisional'; readonly response: SipResponse }
  | { readonly type: 'success'; readonly response: SipResponse }
  | { readonly type: 'failure'; readonly response: SipResponse }
  | { readonly type: 'timerTrying' }
  | { readonly type: 'timerG' }
  | { readonly type: 'timerH' }
  | { readonly type: 'timerI' }
  | TransportErrorEvent;

export class InviteServerTransaction extends ServerTransactionBase<InviteServerState, InviteServerEvent> {
  private timerG: number;

  private static readonly table: StateTable<InviteServerTransaction, InviteServerState, InviteServerEvent> = {
    proceeding: {
      // 17.2.1: 100 Trying when the TU has not answered within 200 ms
      timerTrying: (tx) => {
        if (!tx.provisional) {
          tx.provisional = tryingFor(tx.request);
          tx.send(tx.provisional);
        }
        return undefined;
      },
      // a retransmitted INVITE gets the most recent provisional response again
      retransmission: (tx) => {
        if (tx.provisional) tx.send(tx.provisional);
        return undefined;
      },
      provisional: (tx, e) => {
        tx.stopTimer('trying');
        tx.provisional = e.response;
        tx.send(e.response);
        return undefined;
      },
      // 2xx: sent once; the transaction ends and the UAS core retransmits it (13.3.1.4)
      success: (tx, e) => {
        tx.stopTimer('trying');
        tx.finish(e.response);
        return 'terminated';
      },
      // 3xx–6xx: Timer G retransmits (UDP), Timer H waits for the ACK
      failure: (tx, e) => {
        tx.stopTimer('trying');
        tx.finish(e.response);
        if (!tx.reliable) tx.startTimer('G', tx.timerG, { type: 'timerG' });
        tx.startTimer('H', 64 * tx.ctx.timers.t1, { type: 'timerH' });
        return 'completed';
      },
      transportError: (tx, e) => tx.failed(e.error),
    },
    completed: {
      retransmission: (tx) => {
        if (tx.final) tx.send(tx.final);
        return undefined;
      },
      timerG: (tx) => {
        if (tx.final) tx.send(tx.final);
        tx.timerG = Math.min(2 * tx.timerG, tx.ctx.timers.t2);
        tx.startTimer('G', tx.timerG, { type: 'timerG' });
        return undefined;
      },
      ack: (tx) => {
        tx.stopTimer('G', 'H');
        tx.startTimer('I', tx.reliable ? 0 : tx.ctx.timers.t4, { type: 'timerI' });
        return 'confirmed';
      },
      timerH: (tx) => {
        tx.later(() => tx.delegate.onTimeout?.());
        return 'terminated';
      },
      transportError: (tx, e) => tx.failed(e.error),
    },
    confirmed: {
      // further ACKs and INVITE retransmissions are absorbed until Timer I fires
      ack: () => undefined,
      retransmission: () => undefined,
      timerI: () => 'terminated',
    },
    terminated: {},
  };

  protected readonly table = InviteServerTransaction.table;

  constructor(ctx: TransactionContext, id: string, request: SipRequest, source: SipSource) {
    super(id, 'INVITE server', 'proceeding', ctx, request, source);
    this.timerG = ctx.timers.t1;
  }

  /** Starts the 200 ms 100-Trying timer; called once by the transaction layer before the TU sees the request. */
  start(): void {
    this.startTimer('trying', this.ctx.timers.tryingDelay, { type: 'timerTrying' });
  }

  respond(response: SipResponse): void {
    this.checkStatus(response);
    if (this.state !== 'proceeding') return this.refuse(response);
    const s = response.status;
    this.dispatch(s < 200 ? { type: 'provisional', response } : s < 300 ? { type: 'success', response } : { type: 'failure', response });
  }

  receiveRequest(request: SipRequest): void {
    this.dispatch(request.method === 'ACK' ? { type: 'ack' } : { type: 'retransmission' });
  }
}

// ---------------------------------------------------------------------------------------------------------
// Non-INVITE server transaction (RFC 3261 17.2.2)

export type NonInviteServerState = 'trying' | 'proceeding' | 'completed' | 'terminated';

type NonInviteServerEvent =
  | { readonly type: 'retransmission' }
  | { readonly type: 'provisional'; readonly response: SipResponse }
  | { readonly type: 'final'; readonly response: SipResponse }
  | { readonly type: 'timerJ' }
  | TransportErrorEvent;

export class NonInviteServerTransaction extends ServerTransactionBase<NonInviteServerState, NonInviteServerEvent> {
  /**
   * For a CANCEL: the INVITE server transaction it cancels (RFC 3261 9.2), found by the layer with the rules of
   * 17.2.3 but the method; undefined when there is none (the TU then answers 481).
   */
  cancelTarget?: InviteServerTransaction;

  private static readonly table: StateTable<NonInviteServerTransaction, NonInviteServerState, NonInviteServerEvent> = {
    trying: {
      // a retransmission before any response is discarded
      retransmission: () => undefined,
      provisional: (tx, e) => {
        tx.provisional = e.response;
        tx.send(e.response);
        return 'proceeding';
      },
      final: (tx, e) => tx.completed(e.response),
      transportError: (tx, e) => tx.failed(e.error),
    },
    proceeding: {
      retransmission: (tx) => {
        if (tx.provisional) tx.send(tx.provisional);
        return undefined;
      },
      provisional: (tx, e) => {
        tx.provisional = e.response;
        tx.send(e.response);
        return undefined;
      },
      final: (tx, e) => tx.completed(e.response),
      transportError: (tx, e) => tx.failed(e.error),
    },
    completed: {
      retransmission: (tx) => {
        if (tx.final) tx.send(tx.final);
        return undefined;
      },
      timerJ: () => 'terminated',
      transportError: () => 'terminated',
    },
    terminated: {},
  };

  protected readonly table = NonInviteServerTransaction.table;

  constructor(ctx: TransactionContext, id: string, request: SipRequest, source: SipSource) {
    super(id, 'non-INVITE server', 'trying', ctx, request, source);
  }

  start(): void {
    // nothing to start: a non-INVITE server transaction waits for its TU
  }

  respond(response: SipResponse): void {
    this.checkStatus(response);
    if (this.state !== 'trying' && this.state !== 'proceeding') return this.refuse(response);
    this.dispatch(response.status < 200 ? { type: 'provisional', response } : { type: 'final', response });
  }

  receiveRequest(_request: SipRequest): void {
    this.dispatch({ type: 'retransmission' });
  }

  /** Final response: Timer J (64·T1 UDP, 0 TCP) absorbs request retransmissions. */
  private completed(response: SipResponse): NonInviteServerState {
    this.finish(response);
    this.startTimer('J', this.reliable ? 0 : 64 * this.ctx.timers.t1, { type: 'timerJ' });
    return 'completed';
  }
}

export type ServerTransaction = InviteServerTransaction | NonInviteServerTransaction;
