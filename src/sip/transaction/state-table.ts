/**
 * The common machinery of the four RFC 3261 17 transaction state machines. Each machine is an explicit
 * table: state → event type → transition; a transition does its sends and timer changes and returns the
 * next state (or undefined to stay). Events no row lists are ignored (and logged at debug).
 *
 * Run-to-completion: events raised while a transition runs (a zero-length timer, a TU callback that
 * responds) are queued and run after it; TU callbacks (`later`) run after the state has changed, so the TU
 * always sees the new state.
 */
import { asError, type Clock, type Logger, type TimerHandle } from '../../base/index.js';
import type { SipRequest } from '../message/types.js';
import type { TimerConfig } from './timers.js';
import type { TransactionTransport } from './transaction-transport.js';

export interface TransactionEvent {
  readonly type: string;
}

/** The transport could not send a message (RFC 3261 17.1.4, 17.2.4): an event of every transaction. */
export interface TransportErrorEvent {
  readonly type: 'transportError';
  readonly error: Error;
}

export type Transition<Tx, S extends string, Ev> = (tx: Tx, event: Ev) => S | undefined;

export type StateTable<Tx, S extends string, E extends TransactionEvent> = {
  readonly [St in S]: { readonly [K in E['type']]?: Transition<Tx, S, Extract<E, { type: K }>> };
};

export function transitionOf<Tx, S extends string, E extends TransactionEvent>(
  table: StateTable<Tx, S, E>,
  state: S,
  event: E,
): Transition<Tx, S, E> | undefined {
  const row = table[state] as Readonly<Record<string, Transition<Tx, S, E> | undefined>>;
  return row[event.type];
}

/**
 * How a transaction ended for its TU: the status of its final response (received by a client, sent by a server), or
 * no final response — Timer B/F fired, or the transport failed first.
 */
export type TransactionResult = number | 'timeout' | 'transport-error';

/** What every transaction gets from the transaction layer. */
export interface TransactionContext {
  readonly transport: TransactionTransport;
  readonly clock: Clock;
  readonly timers: TimerConfig;
  readonly logger: Logger;
  /** Called once when the transaction reaches Terminated (the layer forgets it). */
  readonly terminated: (tx: { readonly id: string }) => void;
  /** Called once when the transaction's result is known (its final response, a timeout, a transport error). */
  readonly concluded?: (method: string, result: TransactionResult) => void;
}

/** What every TU delegate may hear, client or server. */
export interface TransactionDelegate {
  onTransportError?(error: Error): void;
  onTerminated?(): void;
}

/** `S` must include 'terminated'; every machine also takes the TransportErrorEvent. */
export abstract class TransactionMachine<S extends string, E extends TransactionEvent> {
  private current: S;
  private readonly timers = new Map<string, TimerHandle>();
  private readonly queue: Array<() => void> = [];
  private running = false;
  private reported = false;

  protected constructor(
    /** The matching key (RFC 3261 17.1.3 / 17.2.3). */
    readonly id: string,
    /** `INVITE client`, `non-INVITE server`, … (for logs). */
    readonly kind: string,
    initial: S,
    protected readonly ctx: TransactionContext,
  ) {
    this.current = initial;
  }

  get state(): S {
    return this.current;
  }

  get isTerminated(): boolean {
    return this.current === 'terminated';
  }

  /** Names of the timers running now (for tests and diagnostics). */
  get runningTimers(): readonly string[] {
    return [...this.timers.keys()];
  }

  /** The machine's state table (RFC 3261 17's figure), shared by all its transactions. */
  protected abstract readonly table: StateTable<this, S, E | TransportErrorEvent>;

  abstract readonly delegate: TransactionDelegate;

  abstract readonly request: SipRequest;

  protected dispatch(event: E | TransportErrorEvent): void {
    this.queue.push(() => this.step(event));
    if (this.running) return;
    this.running = true;
    try {
      for (let job = this.queue.shift(); job; job = this.queue.shift()) {
        try {
          job();
        } catch (e) {
          this.ctx.logger.error('transaction callback failed', { tx: this.id, error: asError(e).stack });
        }
      }
    } finally {
      this.running = false;
    }
  }

  /** Hands a message to the transport; a failure (thrown or rejected) arrives later as a transport error. */
  protected handOff(sending: () => Promise<void>): void {
    let sent: Promise<void>;
    try {
      sent = sending();
    } catch (e) {
      sent = Promise.reject(asError(e));
    }
    sent.catch((e: unknown) => this.dispatch({ type: 'transportError', error: asError(e) }));
  }

  /** A transport error while the transaction is running: the TU hears it and the transaction ends. */
  protected failed(error: Error): S {
    this.conclude('transport-error');
    this.later(() => this.delegate.onTransportError?.(error));
    return 'terminated' as S;
  }

  /** Reports the transaction's result to the layer, the first time only (a later transport error changes nothing). */
  protected conclude(result: TransactionResult): void {
    if (this.reported) return;
    this.reported = true;
    const concluded = this.ctx.concluded;
    if (concluded) this.later(() => concluded(this.request.method, result));
  }

  /** Runs `fn` after the current transition (TU notifications). */
  protected later(fn: () => void): void {
    this.queue.push(fn);
  }

  /** Starts (or restarts) a named timer raising `event`; a zero duration raises it right after this transition. */
  protected startTimer(name: string, ms: number, event: E): void {
    this.stopTimer(name);
    if (ms <= 0) {
      this.dispatch(event);
      return;
    }
    const handle = this.ctx.clock.setTimer(ms, () => {
      if (this.timers.get(name) !== handle) return;
      this.timers.delete(name);
      this.dispatch(event);
    });
    this.timers.set(name, handle);
  }

  protected stopTimer(...names: string[]): void {
    for (const name of names) {
      this.timers.get(name)?.cancel();
      this.timers.delete(name);
    }
  }

  private step(event: E | TransportErrorEvent): void {
    const transition = transitionOf(this.table, this.current, event);
    if (!transition) {
      this.ctx.logger.debug('transaction event ignored', { tx: this.id, kind: this.kind, state: this.current, event: event.type });
      return;
    }
    const next = transition(this, event);
    if (next === undefined || next === this.current) return;
    const prev = this.current;
    this.current = next;
    this.ctx.logger.debug('transaction state', { tx: this.id, kind: this.kind, from: prev, to: next, event: event.type });
    if (next === 'terminated') {
      for (const t of this.timers.values()) t.cancel();
      this.timers.clear();
      this.ctx.terminated(this);
      this.later(() => this.delegate.onTerminated?.());
    }
  }

  /** Terminates without notifying the TU (layer shutdown). */
  abort(): void {
    if (this.isTerminated) return;
    const prev = this.current;
    this.current = 'terminated' as S;
    for (const t of this.timers.values()) t.cancel();
    this.timers.clear();
    this.queue.length = 0;
    this.ctx.logger.debug('transaction state', { tx: this.id, kind: this.kind, from: prev, to: 'terminated', event: 'abort' });
    this.ctx.terminated(this);
  }
}
