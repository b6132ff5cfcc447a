/**
 * The TS's logbook (2.6.17-2.6.21): a log entry for every Call that ended, and the callbacks TelCPs registered —
 * kept in the repositories (they survive restarts), watched on the line, and evented as CallBackAvailability
 * when their callee becomes available.
 */
import { randomBytes } from 'node:crypto';
import type { Clock, Logger } from '../../base/index.js';
import { buildCallBackAvailability, buildCallBackInfoList, buildCallLogs, cmError } from '../contracts/index.js';
import { parseSdpMedia } from '../../media/sdp/index.js';
import type { Call, CallBackRepository, CallLogRepository, Line } from '../domain/index.js';
import type { CallAuthorization } from './call-authorization.js';
import type { Publish } from './call-info-views.js';

export interface LogbookOptions {
  readonly callLogs: CallLogRepository;
  readonly callBacks: CallBackRepository;
  readonly line: Line;
  readonly clock: Clock;
  readonly logger: Logger;
  readonly auth: CallAuthorization;
  readonly publish: Publish;
}

export class Logbook {
  constructor(private readonly o: LogbookOptions) {}

  /** Callbacks survive restarts: watch their callees again. */
  watchCallBacks(): void {
    for (const callee of new Set(this.o.callBacks.list().map((e) => e.calleeID))) this.o.line.watchAvailability(callee, true);
  }

  logCall(call: Call): void {
    const sdp = call.mediaCapability ?? call.nativeMediaCapability ?? '';
    const media = parseSdpMedia(sdp);
    const types = media.ok ? media.value.filter((m) => m.port !== 0).map((m) => m.type) : [];
    const type = types.includes('video') ? 'video' : types.includes('audio') || types.length === 0 ? 'audio' : 'data';
    const home = { id: this.o.line.identity() ?? 'home' };
    const remote = { id: call.remoteParty.id, ...(call.remoteParty.name ? { name: call.remoteParty.name } : {}) };
    this.o.callLogs.append({
      callID: call.callID,
      direction: call.direction,
      success: call.connectedAt !== undefined,
      type,
      caller: call.direction === 'outgoing' ? home : remote,
      callee: call.direction === 'outgoing' ? remote : home,
      startTime: new Date(call.startedAt).toISOString(),
      durationMs: call.connectedAt !== undefined ? (call.endedAt ?? call.connectedAt) - call.connectedAt : 0,
    });
  }

  /** GetCallLogs (2.6.17). */
  callLogs(): string {
    return buildCallLogs(
      this.o.callLogs.list().map((e) => ({
        direction: e.direction,
        success: e.success,
        type: e.type,
        caller: [{ ...e.caller }],
        callee: [{ ...e.callee }],
        startDateTime: e.startTime,
        durationMs: e.durationMs,
      })),
    );
  }

  /** ClearCallLogs (2.6.18). */
  clearCallLogs(): void {
    this.o.callLogs.clear();
  }

  /** RegisterCallBack (2.6.19): the new CallBackID. */
  registerCallBack(calleeID: string): string {
    const callee = calleeID.trim();
    this.o.auth.checkCallee(callee, 709);
    const entry = this.o.callBacks.register({
      callbackID: `cb-${randomBytes(6).toString('hex')}`,
      calleeID: callee,
      registeredAt: new Date(this.o.clock.now()).toISOString(),
    });
    this.o.line.watchAvailability(callee, true);
    return entry.callbackID;
  }

  /** ClearCallBack (2.6.20): one callback, or every one for an empty ID. */
  clearCallBack(id: string): void {
    const entries = this.o.callBacks.list();
    const cleared = id === '' ? entries : entries.filter((e) => e.callbackID === id);
    if (id !== '' && cleared.length === 0) throw cmError(711, `no callback ${JSON.stringify(id)}`);
    if (id === '') this.o.callBacks.removeAll();
    else this.o.callBacks.remove(id);
    const still = new Set(this.o.callBacks.list().map((e) => e.calleeID));
    for (const e of cleared) if (!still.has(e.calleeID)) this.o.line.watchAvailability(e.calleeID, false);
  }

  /** GetCallBackInfo (2.6.21). */
  callBackInfo(): string {
    return buildCallBackInfoList(this.o.callBacks.list().map((e) => ({ callBackID: e.callbackID, callee: [{ id: e.calleeID }] })));
  }

  /** The line found a watched callee available: its callbacks are evented. */
  availability(calleeId: string, available: boolean): void {
    if (!available) return;
    const ids = this.o.callBacks.list().filter((e) => e.calleeID === calleeId).map((e) => e.callbackID);
    const [first, ...rest] = ids;
    if (first === undefined) return;
    this.o.logger.info('callee available for callback', { callee: calleeId });
    this.o.publish({ CallBackAvailability: buildCallBackAvailability({ callBackIDs: [first, ...rest] }) });
  }
}
