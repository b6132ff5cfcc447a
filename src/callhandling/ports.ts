/**
 * What the call-handling service needs from the rest of hometel, as ports the app fills: each line's Telephony
 * Server (its CallManagement service), the address book, the rules, the home's console to answer on a Telephony
 * Client, the voicemail messages, and where the records and the activation are kept.
 */
import type { Call, CallDecision, CallStatus, Decided, IncomingCallScreen } from '../telephony/domain/index.js';
import type { CallerFacts, DndSettings, HandlingAction, ScreeningResult } from './rules/model.js';

/** One line's Telephony Server as call handling drives it (CallManagementService has this shape). */
export interface LineControl {
  setScreen(screen: IncomingCallScreen): void;
  decide(callID: string, decision: CallDecision, by: string): void;
  onDecided(listener: (call: Call, decided: Decided) => void): () => void;
  onCallChange(listener: (call: Call, from: CallStatus | undefined) => void): () => void;
  call(callID: string): Call | undefined;
}

export interface HandledLine {
  readonly name: string;
  readonly control: LineControl;
}

/** The address book's view of a caller, with the contact's name when it is one. */
export type CallerClassifier = (address: string | undefined) => CallerFacts & { readonly name?: string };

/** The rule book as the service asks it. */
export interface RulePort {
  evaluate(facts: CallerFacts, at: number): ScreeningResult | undefined;
  dnd(): DndSettings;
  setDnd(change: Partial<DndSettings>): DndSettings;
}

/** Answers a ringing Call on a named Telephony Client (the home console's answer-on-TC flow); `by` labels who. */
export type TcAnswerer = (line: string, callID: string, tc: string, by: string) => void;

/** The voicemail message a Call left, by CallID (the voicemail service's id), when there is one. */
export type MessageFinder = (line: string, callID: string) => string | undefined;

/** What a screen is: anything that counts screens online (GENA subscribers, web sessions, registered phones). */
export interface LivenessSource {
  readonly name: string;
  /** Screens of this kind online now. */
  online(): number;
}

/** Automatic (liveness), or forced on (always ring the screens) or off (the "nobody home" action for every call). */
export type Activation = 'auto' | 'on' | 'off';
export const activations: readonly Activation[] = ['auto', 'on', 'off'];

/** The profile's actions (config `callHandling`). */
export interface HandlingProfile {
  readonly noResponse: { readonly seconds: number; readonly action: HandlingAction };
  readonly nobodyHome: HandlingAction;
}
