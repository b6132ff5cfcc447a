/**
 * The Telephony Servers and Telephony Clients a control point has found, as handles that outlive a device's
 * restarts (the UDN stays, the RemoteService is replaced when the device is rediscovered). Every action goes
 * through `invoke`, typed by the device's contract (CallManagement, MediaManagement), which records it in the
 * shared ActionLog and turns failures into TelephonyError; the Telephony Client's MediaManagement actions have
 * wrappers, and its MediaSessionInfo events keep a view of its Media Sessions (2.3.4.1: the TC events "Started"
 * and "Stopped").
 */
import { EventEmitter } from 'node:events';
import type { ActionName, InArgs, RemoteService, TypedContract, UpnpValue } from '../../upnp/index.js';
import { callManagementContract, callManagementServiceType, MediaManagementAction, mediaManagementContract, mediaManagementServiceType, type MediaManagementActionName, type MediaSessionInfo } from '../contracts/index.js';
import {
  buildMmsMediaCapabilityInfo,
  parseMediaSessionInfo,
  parseMediaSessionInfoList,
  parseMmsMediaCapabilityInfo,
} from '../contracts/index.js';
import type { ActionLog } from './action-log.js';
import { answerOf, type Answer, type CallManagement, type MediaManagement } from './contract-calls.js';
import { TelephonyError, toTelephonyError, type DeviceKind } from './errors.js';

export { callManagementServiceType, mediaManagementServiceType };

/** How long one action may take before the library gives up on it. */
const actionTimeoutMs = 15_000;

/** A device whose service answers to the contract C. */
abstract class TelephonyDevice<C extends TypedContract> {
  private current: RemoteService;
  private up = true;

  constructor(
    readonly kind: DeviceKind,
    /** What the library expects of the device's service (its SCPD governs the wire). */
    private readonly contract: C,
    service: RemoteService,
    /** The UDN of the root device it is embedded in (what SSDP reports as gone). */
    readonly rootUdn: string,
    protected readonly log: ActionLog,
  ) {
    this.current = service;
  }

  get udn(): string {
    return this.current.device.udn;
  }

  get friendlyName(): string {
    return this.current.device.friendlyName;
  }

  /** The device's service as last discovered. */
  get service(): RemoteService {
    return this.current;
  }

  /** False between the device's byebye (or expiry) and its return. */
  get available(): boolean {
    return this.up;
  }

  /** @internal the control point found the device (again). */
  attach(service: RemoteService): void {
    if (!this.up) this.restarted();
    this.current = service;
    this.up = true;
  }

  /** Called when a device that was gone is back: what it told before may no longer hold. */
  protected restarted(): void {}

  /** @internal the control point lost it. */
  detach(): void {
    this.up = false;
  }

  /**
   * Invokes an action of the contract (recorded in the log first); a fault or transport failure becomes a
   * TelephonyError naming the device kind and action. `callID` only labels the error.
   */
  async invoke<A extends ActionName<C>>(action: A, args: InArgs<C, A>, callID?: string): Promise<Answer<C, A>> {
    const record = this.log.record(this.kind, this.udn, action, args);
    try {
      const out = await this.current.invoke(action, args, { timeoutMs: actionTimeoutMs });
      record.outcome = 'ok';
      return answerOf(this.contract, action, out);
    } catch (e) {
      const err = toTelephonyError(e, this.kind, action, callID);
      record.outcome = err.errorCode ?? 'failed';
      throw err;
    }
  }
}

/** A Telephony Server (a device with CallManagement:1): the TsSession speaks to it. */
export class TelephonyServer extends TelephonyDevice<CallManagement> {
  constructor(service: RemoteService, rootUdn: string, log: ActionLog) {
    super('TS', callManagementContract, service, rootUdn, log);
  }
}

export interface TelephonyClientEvents {
  /** A MediaSessionInfo event: a session started, was modified, or stopped. */
  'media-session': [MediaSessionInfo];
}

/** A Telephony Client (a device with MediaManagement:1): Media Sessions between it and a TS. */
export class TelephonyClient extends TelephonyDevice<MediaManagement> {
  readonly events = new EventEmitter<TelephonyClientEvents>();
  private readonly known = new Map<string, MediaSessionInfo>();

  constructor(service: RemoteService, rootUdn: string, log: ActionLog) {
    super('TC', mediaManagementContract, service, rootUdn, log);
  }

  protected override restarted(): void {
    this.known.clear();
  }

  /** The Media Sessions this client evented (or reported) so far, by MediaSessionID. */
  sessions(): MediaSessionInfo[] {
    return [...this.known.values()];
  }

  session(id: string): MediaSessionInfo | undefined {
    return this.known.get(id);
  }

  /** @internal a MediaSessionInfo event from the subscription. */
  onEvent(vars: Map<string, UpnpValue>): void {
    const text = vars.get('MediaSessionInfo');
    if (typeof text !== 'string' || text.trim() === '') return;
    const parsed = parseMediaSessionInfo(text);
    if (parsed.ok) this.remember(parsed.value);
  }

  private remember(info: MediaSessionInfo): void {
    // Keep the list bounded: a TC releases stopped sessions after a while, so may we.
    if (!this.known.has(info.mediaSessionID) && this.known.size >= 512) {
      const oldest = [...this.known.values()].find((s) => s.mediaSessionStatus === 'Stopped') ?? [...this.known.values()][0]!;
      this.known.delete(oldest.mediaSessionID);
    }
    this.known.set(info.mediaSessionID, info);
    this.events.emit('media-session', info);
  }

  /**
   * GetMediaCapabilities (C.12 F1): the TC's media as SDP; with `tsSdp`, the part of it the TC supports.
   * Undefined when the TC has nothing (in common).
   */
  async getMediaCapabilities(tsSdp?: string): Promise<string | undefined> {
    const out = await this.invoke(MediaManagementAction.GetMediaCapabilities, { TSMediaCapabilityInfo: tsSdp ? mmsInfo(tsSdp) : '' });
    return this.sdpOf(out.SupportedMediaCapabilityInfo, MediaManagementAction.GetMediaCapabilities, true);
  }

  /** StartMediaSession (C.12 F21): a session towards the TS's home SDP; its ID and the TC's answer. */
  async startMediaSession(tsSdp: string): Promise<{ id: string; sdp: string }> {
    const out = await this.invoke(MediaManagementAction.StartMediaSession, { TSMediaCapabilityInfo: mmsInfo(tsSdp) });
    const id = (out.MediaSessionID ?? '').trim();
    const sdp = this.sdpOf(out.TCMediaCapabilityInfo, MediaManagementAction.StartMediaSession, false)!;
    if (id === '') throw this.nonsense(MediaManagementAction.StartMediaSession, 'no MediaSessionID');
    return { id, sdp };
  }

  /** ModifyMediaSession: the session follows a new home SDP (other streams); the TC's new answer. */
  async modifyMediaSession(id: string, tsSdp: string): Promise<string> {
    const out = await this.invoke(MediaManagementAction.ModifyMediaSession, { TargetMediaSessionID: id, NewMediaCapabilityInfo: mmsInfo(tsSdp) });
    return this.sdpOf(out.TCMediaCapabilityInfo, MediaManagementAction.ModifyMediaSession, false)!;
  }

  /** StopMediaSession (C.13 F3). */
  async stopMediaSession(id: string): Promise<void> {
    await this.invoke(MediaManagementAction.StopMediaSession, { TargetMediaSessionID: id });
  }

  /** GetMediaSessionInfo (C.18 F1): one session, or every session the TC knows with "". */
  async getMediaSessionInfo(id = ''): Promise<MediaSessionInfo[]> {
    const out = await this.invoke(MediaManagementAction.GetMediaSessionInfo, { TargetMediaSessionID: id });
    const parsed = parseMediaSessionInfoList(out.MediaSessionInfoList ?? '');
    if (!parsed.ok) throw this.nonsense(MediaManagementAction.GetMediaSessionInfo, parsed.reason);
    for (const s of parsed.value) if (this.known.get(s.mediaSessionID)?.mediaSessionStatus !== s.mediaSessionStatus) this.remember(s);
    return parsed.value;
  }

  private sdpOf(value: string | undefined, action: MediaManagementActionName, optional: boolean): string | undefined {
    const parsed = parseMmsMediaCapabilityInfo(value ?? '');
    if (!parsed.ok) throw this.nonsense(action, parsed.reason);
    const sdp = parsed.value.mediaCapability?.content;
    if (sdp === undefined && !optional) throw this.nonsense(action, 'no <mediaCapability>');
    return sdp;
  }

  private nonsense(action: MediaManagementActionName, why: string): TelephonyError {
    return new TelephonyError({ kind: 'transport', device: 'TC', action, sentence: `the Telephony Client answered something unreadable: ${why}` });
  }
}

function mmsInfo(sdp: string): string {
  return buildMmsMediaCapabilityInfo({ mediaCapability: { format: 'SDP', content: sdp } });
}
