/**
 * Forwarding a ringing incoming Call (seed 004 2.2 3 iii) on the line it came in on:
 * - redirect: the caller is sent to the target (SIP 302) and the Call ends;
 * - bridge: the TS calls the target itself — a hidden outgoing Call, its leg (relay-bridge.ts: offered the caller's
 *   home-side media; when it answers, the relay carries caller ↔ target; either side hanging up ends the other) —
 *   while the caller keeps ringing. A busy, failing or silent target (no answer in time: the leg is cancelled)
 *   leaves the caller to `failed`.
 */
import type { Clock, Logger, TimerHandle } from '../../base/index.js';
import { type Call, type CallStatus, type ForwardMode, type ForwardResult, type Line } from '../domain/index.js';
import type { CallMediaRecords } from './call-media.js';
import type { CallTable } from './call-table.js';
import { answerThroughLeg, endLineLeg, hangUpCaller, placeLineLeg } from './relay-bridge.js';

export interface CallForwardingOptions {
  readonly line: Line;
  readonly calls: CallTable;
  readonly media: CallMediaRecords;
  readonly clock: Clock;
  readonly logger: Logger;
  /** How long the target rings before the forward counts as no answer. */
  readonly noAnswerMs: number;
  /** The forward came to nothing (busy, no answer, failed) while the caller still rings. */
  readonly failed: (call: Call, result: ForwardResult) => void;
}

/** A bridged forward in progress: the caller's Call, the leg to the target, and the no-answer timer. */
interface Bridge {
  readonly caller: Call;
  readonly leg: Call;
  timer?: TimerHandle;
  /** Set when the TS itself ended the leg (no answer). */
  result?: ForwardResult;
}

export class CallForwarding {
  /** By the CallID of the caller's Call and of the leg. */
  private readonly bridges = new Map<string, Bridge>();

  constructor(private readonly o: CallForwardingOptions) {}

  /** Forwards a Ringing Call to a sip:/tel: target. */
  start(call: Call, target: string, mode: ForwardMode): void {
    call.forward = { target, mode };
    if (mode === 'redirect') {
      this.o.line.redirect(call.lineCallId, target);
      call.forward.result = 'redirected';
      this.o.logger.info('call', { callID: call.callID, forward: 'redirected', target });
      this.o.calls.move(call, 'StopCall');
      return;
    }
    let leg: Call;
    try {
      leg = placeLineLeg(this.o, call, target);
    } catch (e) {
      this.o.logger.warn('call', { callID: call.callID, forward: 'failed', target, error: String(e) });
      this.finish(call, 'failed');
      return;
    }
    const bridge: Bridge = { caller: call, leg };
    bridge.timer = this.o.clock.setTimer(this.o.noAnswerMs, () => this.noAnswer(bridge));
    this.bridges.set(call.callID, bridge);
    this.bridges.set(leg.callID, bridge);
    this.o.logger.info('call', { callID: call.callID, forward: 'calling the target', target, leg: leg.callID });
  }

  changed(call: Call, from: CallStatus | undefined): void {
    const bridge = this.bridges.get(call.callID);
    if (!bridge || from === undefined) return;
    if (call === bridge.leg) {
      if (call.status === 'Connected') this.answered(bridge);
      else if (call.status === 'Disconnected') this.legEnded(bridge);
    } else if (call.status === 'Disconnected') {
      this.forget(bridge);
      this.end(bridge.leg, 'the caller ended the call');
    }
  }

  close(): void {
    for (const b of this.bridges.values()) b.timer?.cancel();
    this.bridges.clear();
  }

  private answered(bridge: Bridge): void {
    bridge.timer?.cancel();
    const { caller, leg } = bridge;
    if (caller.status !== 'Ringing') {
      this.end(leg, 'the caller is gone');
      return;
    }
    // Set before the caller moves (its watchers read it); a failure below replaces it.
    if (caller.forward) caller.forward.result = 'answered';
    try {
      answerThroughLeg(this.o, caller, leg.mediaCapability, caller.forward?.target);
    } catch (e) {
      this.o.logger.warn('call', { callID: caller.callID, forward: 'failed', why: 'no media resources', error: String(e) });
      this.forget(bridge);
      this.end(leg, 'no media for the bridge');
      this.finish(caller, 'failed');
      return;
    }
    this.o.logger.info('call', { callID: caller.callID, forward: 'answered', target: caller.forward?.target, leg: leg.callID });
  }

  private legEnded(bridge: Bridge): void {
    bridge.timer?.cancel();
    this.forget(bridge);
    const { caller, leg } = bridge;
    if (leg.connectedAt !== undefined) {
      this.o.logger.info('call', { callID: caller.callID, forward: 'the target hung up', leg: leg.callID });
      hangUpCaller(this.o, caller);
      return;
    }
    const result: ForwardResult = bridge.result ?? (leg.reason === 'Busy' ? 'busy' : 'failed');
    this.o.logger.info('call', { callID: caller.callID, forward: result, reason: leg.reason, leg: leg.callID });
    this.finish(caller, result);
  }

  private noAnswer(bridge: Bridge): void {
    bridge.timer = undefined;
    bridge.result = 'no-answer';
    this.end(bridge.leg, 'no answer in time');
  }

  /** Records the forward's result; the caller, still ringing, goes where `failed` sends it. */
  private finish(caller: Call, result: ForwardResult): void {
    if (caller.forward) caller.forward.result = result;
    this.o.failed(caller, result);
  }

  /** Ends the leg whatever its state: cancelled while it rings, hung up once answered. */
  private end(leg: Call, why: string): void {
    if (leg.status === 'Disconnected') return;
    this.o.logger.info('call', { callID: leg.callID, forwardOf: leg.forwardOf, forwardLeg: 'ended', why });
    endLineLeg(this.o, leg);
  }

  private forget(bridge: Bridge): void {
    bridge.timer?.cancel();
    this.bridges.delete(bridge.caller.callID);
    this.bridges.delete(bridge.leg.callID);
  }
}
