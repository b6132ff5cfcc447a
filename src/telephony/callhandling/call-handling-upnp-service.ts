/**
 * The CallHandling service (contract.ts) of one line's Telephony Server, over the home's call-handling service:
 * the TelCP authenticates with its TelCPName and Secret Key (the line's TelCP registry), and that TelCPName is who
 * decided. Decisions and ignores of this line, and DND, are evented.
 */
import { DecisionRefused, InvalidForwardTarget, UnknownCall, type TelCPRegistry } from '../domain/index.js';
import { UdaErrorCode, udaError, type ServiceHandlers, type ServiceImplementation, type ServiceState } from '../../upnp/index.js';
import { type CallHandlingService, type ScreenAction } from '../../callhandling/index.js';
import { callHandlingContract, CallHandlingAction as A, type CallHandlingContract } from './contract.js';
import { alreadyDecided, CallHandlingErrorCode as E, chError } from './errors.js';
import { buildCallRecords, buildDecision, buildIgnored } from './record-xml.js';

export interface CallHandlingUpnpOptions {
  readonly lineName: string;
  readonly handling: CallHandlingService;
  readonly registry: TelCPRegistry;
  /** Most records one GetCallRecords returns. */
  readonly pageSize?: number;
}

export class CallHandlingUpnpService implements ServiceImplementation<CallHandlingContract> {
  readonly contract = callHandlingContract;
  private readonly states = new Set<ServiceState>();
  private readonly unsubscribe: () => void;

  constructor(private readonly o: CallHandlingUpnpOptions) {
    this.unsubscribe = o.handling.onEvent((e) => {
      if (e.type === 'dnd') this.set({ DoNotDisturbEnable: e.on });
      else if (e.type === 'decided' && e.line === o.lineName) this.set({ LastDecision: buildDecision(e.callID, e.by, e.action) });
      else if (e.type === 'ignored' && e.line === o.lineName) this.set({ LastIgnored: buildIgnored(e.callID, e.screen) });
    });
  }

  attach(state: ServiceState): ServiceHandlers<CallHandlingContract> {
    this.states.add(state);
    state.set({ LastDecision: '', LastIgnored: '', DoNotDisturbEnable: this.dndNow() });
    return {
      [A.IgnoreCall]: (a) => {
        const by = this.caller(a.TelCPName, a.SecretKey);
        this.refusals(a.TargetCallID, () => this.o.handling.ignore(a.TargetCallID, by, this.o.lineName));
        return {};
      },
      [A.ForwardCall]: (a) => {
        if (a.ForwardTarget.trim() === '') throw udaError(UdaErrorCode.InvalidArgs, 'ForwardTarget is empty');
        return this.decide(a.TelCPName, a.SecretKey, a.TargetCallID, { action: 'forward', target: a.ForwardTarget });
      },
      [A.ForwardToVoiceMail]: (a) => this.decide(a.TelCPName, a.SecretKey, a.TargetCallID, { action: 'voicemail' }),
      [A.GetDoNotDisturb]: () => ({ DoNotDisturbEnable: this.dndNow() }),
      [A.SetDoNotDisturb]: (a) => {
        const by = this.caller(a.TelCPName, a.SecretKey);
        this.o.handling.setDnd(a.DoNotDisturbEnable, by);
        return {};
      },
      [A.GetCallRecords]: (a) => {
        const size = this.o.pageSize ?? 200;
        const limit = a.RequestedCount === 0 ? size : Math.min(a.RequestedCount, size);
        const page = this.o.handling.records({ query: a.SearchText, offset: a.StartingIndex, limit });
        return { CallRecords: buildCallRecords(page.records), NumberReturned: page.records.length, TotalMatches: page.total };
      },
    };
  }

  close(): void {
    this.unsubscribe();
    this.states.clear();
  }

  private decide(name: string, key: string, callID: string, action: ScreenAction): Record<string, never> {
    const by = this.caller(name, key);
    this.refusals(callID, () => this.o.handling.decide(callID, action, by, this.o.lineName));
    return {};
  }

  /** The TelCPName, once its Secret Key is right. */
  private caller(name: string, key: string): string {
    if (name === '' || !this.o.registry.verify(name, key)) throw chError(E.InvalidTelCP, name);
    return name;
  }

  private refusals(callID: string, f: () => void): void {
    if (callID === '') throw udaError(UdaErrorCode.InvalidArgs, 'TargetCallID is empty');
    try {
      f();
    } catch (e) {
      if (e instanceof UnknownCall) throw chError(E.InvalidCallID, callID);
      if (e instanceof DecisionRefused) throw e.winner ? alreadyDecided(e.winner.by, e.winner.decision.action) : chError(E.InvalidCallStatus, callID);
      if (e instanceof InvalidForwardTarget) throw chError(E.InvalidForwardTarget, e.message);
      throw e;
    }
  }

  private dndNow(): boolean {
    try {
      return this.o.handling.dnd();
    } catch {
      // A rule book that cannot say (not readable now) reads as off rather than failing the subscription.
      return false;
    }
  }

  private set(vars: Parameters<ServiceState['set']>[0]): void {
    for (const s of this.states) s.set(vars);
  }
}
