/**
 * RFC 3261 13.3.1.4: the UAS core, not the INVITE server transaction, retransmits a 2xx to an INVITE —
 * first after T1, the interval doubling up to T2 — until the ACK arrives; after 64·T1 without an ACK it
 * gives up and reports, and the UA should end the session with BYE. The retransmissions run whatever the
 * transport (a TCP hop may be followed by a UDP one). The UA layer creates one per 2xx it sends.
 */
import { asError, silentLogger, type Clock, type Logger, type TimerHandle } from '../../base/index.js';
import { resolveTimers, type TimerConfig } from './timers.js';

export interface TwoHundredRetransmitterOptions {
  readonly clock: Clock;
  readonly timers?: Partial<TimerConfig>;
  /** Passes the 2xx to the transport again; a rejected promise is logged and retransmission goes on. */
  readonly send: () => void | Promise<void>;
  /** 64·T1 passed without an ACK. */
  readonly onGiveUp: () => void;
  readonly logger?: Logger;
}

export type TwoHundredRetransmitterState = 'idle' | 'retransmitting' | 'acknowledged' | 'gave-up' | 'stopped';

export class TwoHundredRetransmitter {
  private current: TwoHundredRetransmitterState = 'idle';
  private interval: number;
  private retransmitTimer?: TimerHandle;
  private giveUpTimer?: TimerHandle;
  private count = 0;
  private readonly timers: TimerConfig;
  private readonly logger: Logger;

  constructor(private readonly opts: TwoHundredRetransmitterOptions) {
    this.timers = resolveTimers(opts.timers);
    this.interval = this.timers.t1;
    this.logger = opts.logger ?? silentLogger;
  }

  get state(): TwoHundredRetransmitterState {
    return this.current;
  }

  /** Retransmissions sent so far (the first transmission, by the transaction, not counted). */
  get retransmissions(): number {
    return this.count;
  }

  /** Starts the schedule; call right after the 2xx was sent for the first time. */
  start(): void {
    if (this.current !== 'idle') throw new Error(`2xx retransmitter already ${this.current}`);
    this.current = 'retransmitting';
    this.schedule();
    this.giveUpTimer = this.opts.clock.setTimer(64 * this.timers.t1, () => {
      if (this.current !== 'retransmitting') return;
      this.finish('gave-up');
      this.logger.debug('no ACK for 2xx within 64*T1 (RFC 3261 13.3.1.4)', { retransmissions: this.count });
      this.opts.onGiveUp();
    });
  }

  /** The ACK arrived: stop retransmitting. */
  acknowledge(): void {
    if (this.current === 'retransmitting' || this.current === 'idle') this.finish('acknowledged');
  }

  /** Stops without an ACK (the dialog ended otherwise). */
  stop(): void {
    if (this.current === 'retransmitting' || this.current === 'idle') this.finish('stopped');
  }

  private schedule(): void {
    this.retransmitTimer = this.opts.clock.setTimer(this.interval, () => {
      if (this.current !== 'retransmitting') return;
      this.count++;
      try {
        const p = this.opts.send();
        if (p) p.catch((e: unknown) => this.logger.debug('2xx retransmission failed', { error: asError(e).message }));
      } catch (e) {
        this.logger.debug('2xx retransmission failed', { error: asError(e).message });
      }
      this.interval = Math.min(2 * this.interval, this.timers.t2);
      this.schedule();
    });
  }

  private finish(state: TwoHundredRetransmitterState): void {
    this.current = state;
    this.retransmitTimer?.cancel();
    this.giveUpTimer?.cancel();
    this.retransmitTimer = undefined;
    this.giveUpTimer = undefined;
  }
}
