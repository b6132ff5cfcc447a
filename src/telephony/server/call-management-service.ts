/**
 * The CallManagement:1 service of a Telephony Server (section 2 of the spec): the TelCPName
 * registry, Call control over a line, Monopolization and Selective Information Delivery, media
 * capabilities, call logs and callbacks. It sees the arguments the contract types and returns typed
 * results or a UpnpError with the spec's code; XML fragments are parsed and built by the cams codecs.
 *
 * This module wires the parts together and maps every action of the contract to its handler:
 * authorization (call-authorization.ts), media (media-capabilities.ts, call-media.ts), the Calls
 * (call-table.ts), what each TelCP sees (call-info-views.ts), the logbook (logbook.ts), the line's
 * events (line-events.ts) and the Call actions (call-actions.ts).
 */
import type { Clock, Logger } from '../../base/index.js';
import { UdaErrorCode, udaError, type ServiceHandlers, type ServiceImplementation, type ServiceState, type UpnpError } from '../../upnp/index.js';
import { buildTelCPNameList, CallManagementAction as A, callManagementContract, cmError } from '../contracts/index.js';
import { TelCPErrorCode, TelCPRefusal, type PhoneRinging, type PhoneCallerLeg, type PhoneCallRequest, type PlacedPhoneCall, type Call, type CallDecision, type Decided, type ForwardMode, type IncomingCallScreen, type VoiceMailPort, type CallBackRepository, type CallerDirectory, type CallStatus, type CallLogRepository, type Line, type MediaPlane, type TelCPRegistry } from '../domain/index.js';
import { CallActions } from './call-actions.js';
import { CallAuthorization } from './call-authorization.js';
import { CallDecisions } from './call-decisions.js';
import { CallInfoViews, type Publish } from './call-info-views.js';
import { CallMediaRecords } from './call-media.js';
import { CallTable } from './call-table.js';
import { LineEvents, type AnswererPolicy } from './line-events.js';
import { Logbook } from './logbook.js';
import { MediaCapabilities } from './media-capabilities.js';
import { RingingPhones } from './phone-ringing.js';
import { PhoneCalls } from './phone-calls.js';
import type { MediaProfile } from './media-profile.js';

export type { AnswererPolicy } from './line-events.js';

type CallManagement = typeof callManagementContract;

export interface CallManagementOptions {
  readonly line: Line;
  readonly registry: TelCPRegistry;
  readonly callLogs: CallLogRepository;
  readonly callBacks: CallBackRepository;
  readonly media: MediaProfile;
  /**
   * The RTP media plane: with it the line gets the TS's own WAN SDP, CallInfo the TS's home SDP, and media flows
   * between the Remote Party, the TCs and the TS's own endpoint; without it the TS only records SDP.
   */
  readonly mediaPlane?: MediaPlane;
  readonly clock: Clock;
  readonly logger: Logger;
  readonly answerers?: AnswererPolicy;
  /** Calls alive at once; one more StartCall answers 708 Busy. */
  readonly maxCalls?: number;
  /** How long a ModifyFailed Call waits for StartMediaTransfer before it returns to Talking by itself. */
  readonly modifyFailedGraceMs?: number;
  /** How long a Disconnected Call still answers 712 before its CallID is released (703). */
  readonly disconnectedRetentionMs?: number;
  /** The home's address book: a Call's Remote Party gets its contact's name. */
  readonly directory?: CallerDirectory;
  /** The line's name (IncomingCall.line). */
  readonly lineName?: string;
  /** Where Calls forwarded to voicemail go; without it a voicemail decision rejects the Call. */
  readonly voiceMail?: VoiceMailPort;
  /** How this line forwards (seed 004 2.2 3 iii): bridge (default) or redirect (3xx). */
  readonly forwardMode?: ForwardMode;
  /** How long a bridged forward rings the target before it counts as no answer; default 30 s. */
  readonly forwardNoAnswerMs?: number;
  /** A forward that fails (busy, no answer, failed) sends the caller to voicemail instead of ending the Call. */
  readonly forwardFallbackToVoiceMail?: boolean;
}

export class CallManagementService implements ServiceImplementation<CallManagement> {
  readonly contract = callManagementContract;
  private state?: ServiceState;
  private readonly capabilities: MediaCapabilities;
  private readonly logbook: Logbook;
  private readonly calls: CallTable;
  private readonly actions: CallActions;
  private readonly decisions: CallDecisions;
  private readonly bridgeParts: { readonly line: Line; readonly calls: CallTable; readonly media: CallMediaRecords; readonly logger: Logger };
  private phones?: RingingPhones;
  private readonly phoneCalls: PhoneCalls;
  private readonly endedListeners = new Set<(call: Call) => void>();
  private readonly changeListeners = new Set<(call: Call, from: CallStatus | undefined) => void>();

  constructor(private readonly opts: CallManagementOptions) {
    const { line, registry, clock, logger } = opts;
    const auth = new CallAuthorization(registry);
    const media = new CallMediaRecords(opts.mediaPlane, logger);
    const views = new CallInfoViews(media, auth, this.publish);
    this.capabilities = new MediaCapabilities(opts.media);
    this.logbook = new Logbook({ callLogs: opts.callLogs, callBacks: opts.callBacks, line, clock, logger, auth, publish: this.publish });
    this.calls = new CallTable({
      line,
      clock,
      logger,
      views,
      media,
      logbook: this.logbook,
      ended: (call) => {
        for (const l of this.endedListeners) l(call);
      },
      ...(opts.maxCalls !== undefined ? { maxCalls: opts.maxCalls } : {}),
      ...(opts.modifyFailedGraceMs !== undefined ? { modifyFailedGraceMs: opts.modifyFailedGraceMs } : {}),
      ...(opts.disconnectedRetentionMs !== undefined ? { disconnectedRetentionMs: opts.disconnectedRetentionMs } : {}),
      ...(opts.directory ? { directory: opts.directory } : {}),
      changed: (call, from) => {
        this.decisions.changed(call, from);
        this.phones?.changed(call, from);
        this.phoneCalls.changed(call, from);
        for (const l of this.changeListeners) l(call, from);
      },
    });
    this.decisions = new CallDecisions({
      line,
      calls: this.calls,
      media,
      capabilities: this.capabilities,
      views,
      clock,
      logger,
      lineName: opts.lineName ?? '',
      ...(opts.voiceMail ? { voiceMail: opts.voiceMail } : {}),
      forwardMode: opts.forwardMode ?? 'bridge',
      forwardNoAnswerMs: opts.forwardNoAnswerMs ?? 30_000,
      forwardFallbackToVoiceMail: opts.forwardFallbackToVoiceMail ?? true,
    });
    const parts = { line, auth, capabilities: this.capabilities, media, calls: this.calls, views, logger, decisions: this.decisions };
    this.bridgeParts = { line, calls: this.calls, media, logger };
    this.actions = new CallActions(parts);
    this.phoneCalls = new PhoneCalls({ line, calls: this.calls, media, views, ownMedia: () => this.capabilities.ownMedia, clock, logger, transfers: () => this.phones });
    line.setListener(
      new LineEvents({ ...parts, registry, logbook: this.logbook, ringPhones: (call) => this.phones?.ring(call), ...(opts.answerers ? { answerers: opts.answerers } : {}) }),
    );
  }

  attach(state: ServiceState): ServiceHandlers<CallManagement> {
    const { registry } = this.opts;
    this.state = state;
    state.set({ TelCPNameList: buildTelCPNameList(registry.list()) });
    registry.onChange((names) => this.publish({ TelCPNameList: buildTelCPNameList([...names]) }));
    this.logbook.watchCallBacks();
    const { actions, logbook } = this;
    return {
      [A.GetTelephonyIdentity]: () => this.getTelephonyIdentity(),
      [A.RegisterTelCPName]: (a) => {
        const r = answered(() => registry.register(a.TelCPName, a.CurrentSecretKey));
        return { NewSecretKey: r.secretKey, Expires: r.expires };
      },
      [A.UnregisterTelCPName]: (a) => {
        answered(() => registry.unregister(a.TelCPName, a.SecretKey));
        return {};
      },
      [A.ChangeTelCPName]: (a) => {
        const r = answered(() => registry.change(a.CurrentTelCPName, a.CurrentSecretKey, a.NewTelCPName));
        return { NewSecretKey: r.secretKey, Expires: r.expires };
      },
      [A.GetTelCPNameList]: () => ({ TelCPNameList: buildTelCPNameList(registry.list()) }),
      [A.GetMediaCapabilities]: (a) => ({ SupportedMediaCapabilityInfo: this.capabilities.supported(a.TCMediaCapabilityInfo) }),
      [A.StartCall]: (a) => actions.startCall(a),
      [A.StopCall]: (a) => actions.stopCall(a),
      [A.AcceptCall]: (a) => actions.acceptCall(a),
      [A.RejectCall]: (a) => actions.rejectCall(a),
      [A.ModifyCall]: (a) => actions.modifyCall(a),
      [A.AcceptModifyCall]: (a) => actions.acceptModifyCall(a),
      [A.StartMediaTransfer]: (a) => actions.startMediaTransfer(a),
      [A.ChangeMonopolizer]: (a) => actions.changeMonopolizer(a),
      [A.InitiateCall]: (a) => actions.initiateCall(a),
      [A.GetCallInfo]: (a) => actions.getCallInfo(a),
      [A.GetCallLogs]: () => ({ CallLogs: logbook.callLogs() }),
      [A.ClearCallLogs]: () => {
        logbook.clearCallLogs();
        return {};
      },
      [A.RegisterCallBack]: (a) => ({ CallBackID: logbook.registerCallBack(a.CalleeID) }),
      [A.ClearCallBack]: (a) => {
        logbook.clearCallBack(a.CallbackID);
        return {};
      },
      [A.GetCallBackInfo]: () => ({ CallbackInfo: logbook.callBackInfo() }),
    };
  }

  /** True while the TelCP monopolises a Call that is not over (its name can then not be unregistered, 712). */
  isMonopolizing(name: string): boolean {
    return this.calls.isMonopolizing(name);
  }

  /** Calls not yet Disconnected (metrics). */
  get activeCalls(): number {
    return this.calls.active;
  }

  /** Hears every Call that ends, once, after its call log entry is written (metrics); returns the unsubscribe. */
  onCallEnded(listener: (call: Call) => void): () => void {
    this.endedListeners.add(listener);
    return () => this.endedListeners.delete(listener);
  }

  /** Hears every new Call (`from` undefined) and every change of its status (the call-monitor feed follows these). */
  onCallChange(listener: (call: Call, from: CallStatus | undefined) => void): () => void {
    this.changeListeners.add(listener);
    return () => this.changeListeners.delete(listener);
  }

  /** Screens every new incoming Call before anyone is notified (the home's call handling, seed 004 2.2 3 vi). */
  setScreen(screen: IncomingCallScreen): void {
    this.decisions.setScreen(screen);
  }

  /**
   * Rings the phones of the home for every incoming Call that rings for the screens (issue 14): the first phone to
   * answer takes the Call (phone-ringing.ts). Without it no phone rings.
   */
  setPhoneRinging(phones: PhoneRinging): void {
    this.phones?.close();
    // A transfer's target rings as long as a bridged forward's.
    this.phones = new RingingPhones({ ...this.bridgeParts, phones, decisions: this.decisions, clock: this.opts.clock, transferNoAnswerMs: this.opts.forwardNoAnswerMs ?? 30_000 });
  }

  /**
   * Places a Call for a phone of the home (issue 14, outgoing; phone-calls.ts): an outgoing Call on this TS's line —
   * to a number, an extension (the phones' line, when it is wired) or a TelCP of the home — whose media the relay
   * carries between the phone and the callee. The phone hears of it through `leg`; undefined when it was not placed
   * (the leg has been told why).
   */
  placeForPhone(request: PhoneCallRequest, leg: PhoneCallerLeg): PlacedPhoneCall | undefined {
    return this.phoneCalls.place(request, leg);
  }

  /**
   * Decides about a ringing incoming Call: the first decision wins (seed 004 2.2 3 i–iv); a later one throws
   * DecisionRefused naming the winner; an unknown CallID throws UnknownCall, a forward to garbage InvalidForwardTarget.
   * `by` names who decided. A decision to `accept` reserves the Call for the TelCP's AcceptCall that carries it out.
   */
  decide(callID: string, decision: CallDecision, by: string): void {
    this.decisions.decide(callID, decision, by);
  }

  /** Hears every decision once taken, CallManagement:1 AcceptCall/RejectCall of a TelCP included; returns the unsubscribe. */
  onDecided(listener: (call: Call, decided: Decided) => void): () => void {
    return this.decisions.onDecided(listener);
  }

  /** The Call with this CallID, screened ones too. */
  call(callID: string): Call | undefined {
    return this.calls.get(callID);
  }

  /** Stops every timer; Calls still alive are hung up on the line. */
  close(): void {
    this.phones?.close();
    this.phoneCalls.close();
    this.decisions.close();
    this.calls.close();
  }

  /**
   * Events state variables after the action's response has gone out (the order every example of
   * Appendix C shows); events keep the order in which they were made.
   */
  private readonly publish: Publish = (changes) => {
    this.opts.clock.setTimer(0, () => this.state?.set(changes));
  };

  private getTelephonyIdentity(): { TelephonyIdentity: string } {
    const id = this.opts.line.identity();
    if (!id) throw cmError(714);
    return { TelephonyIdentity: id };
  }
}

/** Runs a registry operation; its refusal becomes the UPnP error the spec names (Table 2-54, or UDA's 501). */
function answered<T>(operation: () => T): T {
  try {
    return operation();
  } catch (e) {
    if (!(e instanceof TelCPRefusal)) throw e;
    throw refusalError(e);
  }
}

function refusalError(e: TelCPRefusal): UpnpError {
  if (e.errorCode === TelCPErrorCode.RegistryFull) return udaError(UdaErrorCode.ActionFailed, e.detail);
  return cmError(e.errorCode, e.detail);
}
