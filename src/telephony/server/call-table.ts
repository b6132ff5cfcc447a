/**
 * The Calls of the TS: created with their CallIDs, looked up by CallID (703/712) or by the line's own ID,
 * moved through the call state table (each move evented), timed (ModifyFailed grace, the retention of a
 * Disconnected Call) and, once over, logged and released.
 */
import { randomBytes } from 'node:crypto';
import type { Clock, Logger, TimerHandle } from '../../base/index.js';
import { cmError } from '../contracts/index.js';
import { actionAllowed, Call, type CallAction, type CallReason, type CallerDirectory, type CallStatus, type CallTrigger, type Line, type RemotePeer } from '../domain/index.js';
import type { CallInfoViews } from './call-info-views.js';
import type { CallMediaRecords } from './call-media.js';
import type { Logbook } from './logbook.js';

export interface CallTableOptions {
  readonly line: Line;
  readonly clock: Clock;
  readonly logger: Logger;
  readonly views: CallInfoViews;
  readonly media: CallMediaRecords;
  readonly logbook: Logbook;
  /** Calls alive at once; one more StartCall answers 708 Busy. */
  readonly maxCalls?: number;
  /** How long a ModifyFailed Call waits for StartMediaTransfer before it returns to Talking by itself. */
  readonly modifyFailedGraceMs?: number;
  /** How long a Disconnected Call still answers 712 before its CallID is released (703). */
  readonly disconnectedRetentionMs?: number;
  /** Hears every Call that ends (once, when it is Disconnected and logged). */
  readonly ended?: (call: Call) => void;
  /** Names the Remote Party of a new Call from the home's address book. */
  readonly directory?: CallerDirectory;
  /** Hears every new Call (`from` undefined) and every move of one. */
  readonly changed?: (call: Call, from: CallStatus | undefined) => void;
}

export class CallTable {
  private readonly calls = new Map<string, Call>();
  private readonly byLineId = new Map<string, Call>();
  private readonly timers = new Map<string, TimerHandle>();
  private readonly idPrefix = randomBytes(3).toString('hex');
  private nextId = 1;

  constructor(private readonly o: CallTableOptions) {}

  newCallID(): string {
    return `call-${this.idPrefix}-${this.nextId++}`;
  }

  /** A new Call; `init` sets it up before anyone hears of it (a forward's hidden leg). */
  add(direction: 'incoming' | 'outgoing', remote: RemotePeer, lineCallId: string, callID = this.newCallID(), init?: (call: Call) => void): Call {
    const call = new Call(callID, direction, this.named(remote), lineCallId, this.o.clock.now());
    init?.(call);
    this.calls.set(call.callID, call);
    this.byLineId.set(lineCallId, call);
    this.o.changed?.(call, undefined);
    return call;
  }

  /** The Remote Party with its contact's name when the address book knows it (its CallInfo, log and events show it). */
  private named(remote: RemotePeer): RemotePeer {
    const name = this.o.directory?.contactName(remote.id);
    return name === undefined ? remote : { id: remote.id, name };
  }

  /** Calls not yet Disconnected. */
  get active(): number {
    return [...this.calls.values()].filter((c) => c.status !== 'Disconnected').length;
  }

  /** True when no resource for one more Call is left (708 Busy for an action, Busy on the line). */
  full(): boolean {
    return this.active >= (this.o.maxCalls ?? 8);
  }

  get(callID: string): Call | undefined {
    return this.calls.get(callID);
  }

  all(): Call[] {
    return [...this.calls.values()];
  }

  /** The Call named by an action: 703 when unknown (or hidden from TelCPs), 712 when the action is not allowed in its status. */
  forAction(callID: string, action: CallAction): Call {
    const call = this.calls.get(callID);
    if (!call || call.hidden) throw cmError(703, `no Call ${JSON.stringify(callID)}`);
    if (!actionAllowed(call.status, action)) throw cmError(712, `${action} while ${call.status}`);
    return call;
  }

  /** The Call the line reports on (a debug line for one it does not know). */
  forLine(lineCallId: string, what: string): Call | undefined {
    const call = this.byLineId.get(lineCallId);
    if (!call) this.o.logger.debug(`line reported ${what} for an unknown call`, { lineCallId });
    return call;
  }

  /** True while the TelCP monopolises a Call that is not over (its name can then not be unregistered, 712). */
  isMonopolizing(name: string): boolean {
    return [...this.calls.values()].some((c) => c.monopolizer === name && c.status !== 'Disconnected');
  }

  /** Moves a Call by the table and events it; false when the table has no such move. */
  move(call: Call, trigger: CallTrigger, reason?: CallReason): boolean {
    const from = call.status;
    if (!call.apply(trigger, this.o.clock.now(), reason)) return false;
    this.o.logger.info('call', { callID: call.callID, from, to: call.status, trigger, reason, remote: call.remoteParty.id });
    this.o.views.event(call);
    this.afterMove(call);
    this.o.changed?.(call, from);
    return true;
  }

  /** Stops every timer; Calls still alive are hung up on the line. */
  close(): void {
    for (const t of this.timers.values()) t.cancel();
    this.timers.clear();
    for (const call of this.calls.values()) {
      if (call.status !== 'Disconnected') this.o.line.hangUp(call.lineCallId);
    }
    this.o.media.closeAll();
  }

  private afterMove(call: Call): void {
    this.timers.get(call.callID)?.cancel();
    this.timers.delete(call.callID);
    if (call.status === 'ModifyFailed') {
      this.arm(call, this.o.modifyFailedGraceMs ?? 10_000, () => this.move(call, 'ModifyFailedGraceElapsed'));
    }
    if (call.status === 'Disconnected') {
      this.byLineId.delete(call.lineCallId);
      this.o.media.close(call.callID);
      // A forward's leg is part of the forwarded Call's record, not a call of its own.
      if (call.forwardOf === undefined) this.o.logbook.logCall(call);
      this.o.ended?.(call);
      this.arm(call, this.o.disconnectedRetentionMs ?? 60_000, () => {
        this.calls.delete(call.callID);
        this.o.media.release(call.callID);
      });
    }
  }

  private arm(call: Call, ms: number, fn: () => void): void {
    this.timers.set(
      call.callID,
      this.o.clock.setTimer(ms, () => {
        this.timers.delete(call.callID);
        fn();
      }),
    );
  }
}
