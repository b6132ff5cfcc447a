/**
 * The client transactions of RFC 3261 17.1: INVITE (17.1.1, Figure 5) and non-INVITE (17.1.2, Figure 6),
 * each an explicit state table. Retransmissions (Timers A and E) only run on unreliable transports.
 */
import type { SipPeer, SipRequest, SipResponse } from '../message/types.js';
import { ackForNonSuccess } from './messages.js';
import { TransactionMachine, type StateTable, type TransactionContext, type TransportErrorEvent } from './state-table.js';

/** What the TU hears from a client transaction. Every callback is optional. */
export interface ClientTransactionDelegate {
  /** 1xx (including 100 Trying). */
  onProvisional?(response: SipResponse): void;
  /** The first final response (2xx–6xx). For INVITE, the TU ACKs a 2xx itself; 3xx–6xx are ACKed here. */
  onFinal?(response: SipResponse): void;
  /** Timer B (INVITE) or F (non-INVITE) fired without a final response: treat as 408 (RFC 3261 8.1.3.1). */
  onTimeout?(): void;
  /** The transport could not send the request (RFC 3261 17.1.4): treat as 503. */
  onTransportError?(error: Error): void;
  onTerminated?(): void;
}

abstract class ClientTransactionBase<S extends string, E extends { readonly type: string }> extends TransactionMachine<S, E> {
  readonly reliable: boolean;

  protected constructor(
    id: string,
    kind: string,
    initial: S,
    ctx: TransactionContext,
    readonly request: SipRequest,
    readonly destination: SipPeer,
    readonly delegate: ClientTransactionDelegate,
  ) {
    super(id, kind, initial, ctx);
    this.reliable = destination.transport === 'tcp';
  }

  /** Sends the request and starts the timers of the initial state; called once by the transaction layer. */
  abstract start(): void;

  /** A response matched to this transaction (RFC 3261 17.1.3). */
  abstract receiveResponse(response: SipResponse): void;

  protected send(request: SipRequest): void {
    this.handOff(() => this.ctx.transport.sendRequest(request, this.destination));
  }
}

// ---------------------------------------------------------------------------------------------------------
// INVITE client transaction (RFC 3261 17.1.1)

export type InviteClientState = 'calling' | 'proceeding' | 'completed' | 'terminated';

type InviteClientEvent =
  | { readonly type: 'provisional'; readonly response: SipResponse }
  | { readonly type: 'success'; readonly response: SipResponse }
  | { readonly type: 'failure'; readonly response: SipResponse }
  | { readonly type: 'timerA' }
  | { readonly type: 'timerB' }
  | { readonly type: 'timerD' }
  | TransportErrorEvent;

export class InviteClientTransaction extends ClientTransactionBase<InviteClientState, InviteClientEvent> {
  private timerA: number;
  private ack?: SipRequest;

  private static readonly table: StateTable<InviteClientTransaction, InviteClientState, InviteClientEvent> = {
    calling: {
      // 17.1.1.2: Timer A retransmits the INVITE at T1, 2·T1, 4·T1, … (UDP only)
      timerA: (tx) => {
        tx.send(tx.request);
        tx.timerA *= 2;
        tx.startTimer('A', tx.timerA, { type: 'timerA' });
        return undefined;
      },
      // Timer B (64·T1) in Calling: the TU hears a timeout
      timerB: (tx) => {
        tx.conclude('timeout');
        tx.later(() => tx.delegate.onTimeout?.());
        return 'terminated';
      },
      provisional: (tx, e) => {
        tx.stopTimer('A', 'B');
        tx.later(() => tx.delegate.onProvisional?.(e.response));
        return 'proceeding';
      },
      success: (tx, e) => tx.accepted(e.response),
      failure: (tx, e) => tx.rejected(e.response),
      transportError: (tx, e) => tx.failed(e.error),
    },
    proceeding: {
      provisional: (tx, e) => {
        tx.later(() => tx.delegate.onProvisional?.(e.response));
        return undefined;
      },
      success: (tx, e) => tx.accepted(e.response),
      failure: (tx, e) => tx.rejected(e.response),
      transportError: (tx, e) => tx.failed(e.error),
    },
    completed: {
      // a retransmitted final response: ACK again, do not pass up
      failure: (tx) => {
        if (tx.ack) tx.send(tx.ack);
        return undefined;
      },
      // provisional and 2xx responses after a non-2xx final one are absorbed
      provisional: () => undefined,
      success: () => undefined,
      timerD: () => 'terminated',
      transportError: () => 'terminated',
    },
    terminated: {},
  };

  protected readonly table = InviteClientTransaction.table;

  constructor(ctx: TransactionContext, id: string, request: SipRequest, destination: SipPeer, delegate: ClientTransactionDelegate) {
    super(id, 'INVITE client', 'calling', ctx, request, destination, delegate);
    this.timerA = ctx.timers.t1;
  }

  /** The ACK this transaction sent for a 3xx–6xx response, if any. */
  get ackRequest(): SipRequest | undefined {
    return this.ack;
  }

  start(): void {
    this.send(this.request);
    if (!this.reliable) this.startTimer('A', this.timerA, { type: 'timerA' });
    this.startTimer('B', 64 * this.ctx.timers.t1, { type: 'timerB' });
  }

  receiveResponse(response: SipResponse): void {
    const s = response.status;
    if (s < 200) this.dispatch({ type: 'provisional', response });
    else if (s < 300) this.dispatch({ type: 'success', response });
    else this.dispatch({ type: 'failure', response });
  }

  /** 2xx: passed up, the transaction ends; the TU ACKs it and gets its retransmissions as stray responses. */
  private accepted(response: SipResponse): InviteClientState {
    this.conclude(response.status);
    this.later(() => this.delegate.onFinal?.(response));
    return 'terminated';
  }

  /** 17.1.1.3: 3xx–6xx: ACK, pass up, wait Timer D (32 s UDP, 0 TCP) for retransmissions. */
  private rejected(response: SipResponse): InviteClientState {
    this.stopTimer('A', 'B');
    this.ack = ackForNonSuccess(this.request, response);
    this.send(this.ack);
    this.conclude(response.status);
    this.later(() => this.delegate.onFinal?.(response));
    this.startTimer('D', this.reliable ? 0 : this.ctx.timers.timerD, { type: 'timerD' });
    return 'completed';
  }
}

// ---------------------------------------------------------------------------------------------------------
// Non-INVITE client transaction (RFC 3261 17.1.2)

export type NonInviteClientState = 'trying' | 'proceeding' | 'completed' | 'terminated';

type NonInviteClientEvent =
  | { readonly type: 'provisional'; readonly response: SipResponse }
  | { readonly type: 'final'; readonly response: SipResponse }
  | { readonly type: 'timerE' }
  | { readonly type: 'timerF' }
  | { readonly type: 'timerK' }
  | TransportErrorEvent;

export class NonInviteClientTransaction extends ClientTransactionBase<NonInviteClientState, NonInviteClientEvent> {
  private timerE: number;

  private static readonly table: StateTable<NonInviteClientTransaction, NonInviteClientState, NonInviteClientEvent> = {
    trying: {
      // 17.1.2.2: Timer E retransmits at T1, then MIN(2·E, T2) (UDP only)
      timerE: (tx) => {
        tx.send(tx.request);
        tx.timerE = Math.min(2 * tx.timerE, tx.ctx.timers.t2);
        tx.startTimer('E', tx.timerE, { type: 'timerE' });
        return undefined;
      },
      timerF: (tx) => tx.timedOut(),
      provisional: (tx, e) => {
        tx.later(() => tx.delegate.onProvisional?.(e.response));
        return 'proceeding';
      },
      final: (tx, e) => tx.completed(e.response),
      transportError: (tx, e) => tx.failed(e.error),
    },
    proceeding: {
      // in Proceeding Timer E is reset to T2 each time
      timerE: (tx) => {
        tx.send(tx.request);
        tx.timerE = tx.ctx.timers.t2;
        tx.startTimer('E', tx.timerE, { type: 'timerE' });
        return undefined;
      },
      timerF: (tx) => tx.timedOut(),
      provisional: (tx, e) => {
        tx.later(() => tx.delegate.onProvisional?.(e.response));
        return undefined;
      },
      final: (tx, e) => tx.completed(e.response),
      transportError: (tx, e) => tx.failed(e.error),
    },
    completed: {
      // response retransmissions are absorbed
      provisional: () => undefined,
      final: () => undefined,
      timerK: () => 'terminated',
      transportError: () => 'terminated',
    },
    terminated: {},
  };

  protected readonly table = NonInviteClientTransaction.table;

  constructor(ctx: TransactionContext, id: string, request: SipRequest, destination: SipPeer, delegate: ClientTransactionDelegate) {
    super(id, 'non-INVITE client', 'trying', ctx, request, destination, delegate);
    this.timerE = ctx.timers.t1;
  }

  start(): void {
    this.send(this.request);
    if (!this.reliable) this.startTimer('E', this.timerE, { type: 'timerE' });
    this.startTimer('F', 64 * this.ctx.timers.t1, { type: 'timerF' });
  }

  receiveResponse(response: SipResponse): void {
    this.dispatch(response.status < 200 ? { type: 'provisional', response } : { type: 'final', response });
  }

  /** Final response: pass up, wait Timer K (T4 UDP, 0 TCP) absorbing retransmissions. */
  private completed(response: SipResponse): NonInviteClientState {
    this.stopTimer('E', 'F');
    this.conclude(response.status);
    this.later(() => this.delegate.onFinal?.(response));
    this.startTimer('K', this.reliable ? 0 : this.ctx.timers.t4, { type: 'timerK' });
    return 'completed';
  }

  private timedOut(): NonInviteClientState {
    this.conclude('timeout');
    this.later(() => this.delegate.onTimeout?.());
    return 'terminated';
  }
}

export type ClientTransaction = InviteClientTransaction | NonInviteClientTransaction;
