/**
 * The home's automatic call processing (seed 004 2.2 3 vi, 3.2 5): screening rules by caller, do-not-disturb and
 * weekly schedules, as plain data. The rule book (rule-book.ts) evaluates them; the call-handling service acts.
 */

/** What a rule (or DND, or a profile's no-response / nobody-home setting) does with a Call. */
export type HandlingAction =
  /** Answer: on a named TC (its friendly name or UDN) through the home's control point, else with the TS's own media. */
  | { readonly kind: 'accept'; readonly tc?: string }
  /** Reject with this SIP status (default 603 Decline). */
  | { readonly kind: 'reject'; readonly status?: 486 | 603 | 403 | 480 }
  | { readonly kind: 'forward'; readonly target: string }
  | { readonly kind: 'voicemail' }
  /** Ring only these screens (the spec's targetNames: TelCPNames). */
  | { readonly kind: 'ring'; readonly targetNames: readonly string[] };

/** Which callers a rule is for. */
export type RuleMatch =
  /** A number: exact (`+49301234567`), or a prefix ending in `*` (`+4930*`), in any format the number plan reads. */
  | { readonly kind: 'number'; readonly pattern: string }
  /** A caller that withheld its number. */
  | { readonly kind: 'anonymous' }
  /** A contact marked blocked / VIP; any caller not in the contacts; a contact of this group. */
  | { readonly kind: 'blocked' }
  | { readonly kind: 'vip' }
  | { readonly kind: 'not-in-contacts' }
  | { readonly kind: 'group'; readonly group: string };

/** Days 0 (Sunday) … 6 and a time span `HH:MM`–`HH:MM` in the home's local time; an end before the start spans midnight. */
export interface WeeklySchedule {
  readonly days: readonly number[];
  readonly from: string;
  readonly to: string;
}

export interface RuleDraft {
  readonly match: RuleMatch;
  readonly action: HandlingAction;
  /** Only while the schedule says so; always without one. */
  readonly schedule?: WeeklySchedule;
  readonly note?: string;
}

export interface Rule extends RuleDraft {
  readonly id: string;
  readonly created: number;
}

/** Do-not-disturb (seed 004 2.2 3 vi): its own action for every call, VIPs still ring when `vipRings`, and a schedule. */
export interface DndSettings {
  readonly on: boolean;
  readonly action: HandlingAction;
  readonly vipRings: boolean;
  /** DND is also on during these times. */
  readonly schedules: readonly WeeklySchedule[];
}

/** What the rules know of a caller: its number key and its classes in the address book. */
export interface CallerFacts {
  /** The caller's number or SIP URI as the line gave it; undefined or `anonymous` when withheld. */
  readonly address: string | undefined;
  readonly anonymous: boolean;
  /** The address's number key when the caller already has it (saves keying it again); else the rule book keys it. */
  readonly key?: string;
  readonly known: boolean;
  readonly vip: boolean;
  readonly blocked: boolean;
  readonly groups: readonly string[];
}

/** The outcome of screening: what to do and the rule (or `dnd`) that decided; undefined: ring everyone. */
export interface ScreeningResult {
  readonly action: HandlingAction;
  /** `rule:<id>` or `dnd`. */
  readonly decidedBy: string;
  readonly rule?: Rule;
}
