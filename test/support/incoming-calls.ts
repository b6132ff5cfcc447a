/** The incoming Calls of a Telephony Server as they come, and what a test does with each. */
import type { CallManagementService } from '../../src/telephony/index.js';
import type { Call } from '../../src/telephony/domain/index.js';

export class IncomingCalls {
  readonly calls: Call[] = [];
  /** Runs for each new incoming Call once the line event that made it is over. */
  onIncoming: (call: Call) => void = () => {};

  constructor(service: Pick<CallManagementService, 'onCallChange'>) {
    service.onCallChange((call, from) => {
      if (from !== undefined || call.direction !== 'incoming') return;
      this.calls.push(call);
      setImmediate(() => this.onIncoming(call));
    });
  }

  /** The latest incoming Call. */
  get last(): Call {
    const call = this.calls.at(-1);
    if (!call) throw new Error('no incoming Call yet');
    return call;
  }
}
