/**
 * The home's screening rules and do-not-disturb over hometel's store (issue 13): the rule book the call-handling
 * service asks about every incoming call, and what `hometel rules …` / `hometel dnd …` and the HTTP API change. The
 * rule book keys numbers exactly as the address book does (contacts/numbers.ts with the config's number plan), so a
 * rule for `030 1234567` and a contact with `+49 30 1234567` mean the same caller.
 */
import { systemClock, type Clock } from '../base/index.js';
import { ForwardAll, RuleBook } from '../callhandling/index.js';
import { addressKey, planIdentity } from '../contacts/index.js';
import { SqliteCallRecordRepository, SqliteRuleRepository, Store } from '../store/index.js';
import type { HometelConfig } from './config.js';

export interface RuleBookExtras {
  readonly clock?: Clock;
  /** The IANA time zone the schedules are in; default the machine's. */
  readonly timeZone?: string;
}

/** The rule book over an open store. */
export function openRules(store: Store, config: Pick<HometelConfig, 'numberPlan'>, extras: RuleBookExtras = {}): RuleBook {
  const plan = config.numberPlan;
  return new RuleBook({
    repository: new SqliteRuleRepository(store),
    numberKey: (address) => addressKey(address, plan),
    keyPlan: planIdentity(plan),
    clock: extras.clock ?? systemClock,
    ...(extras.timeZone !== undefined ? { timeZone: extras.timeZone } : {}),
  });
}

export interface OpenRules {
  readonly rules: RuleBook;
  close(): void;
}

/** The rules in the config's store, for a command that runs next to (or without) `hometel start`. */
export function openRulesStore(config: HometelConfig, clock: Clock): OpenRules {
  const store = Store.open(config.dataDir);
  try {
    return { rules: openRules(store, config, { clock }), close: () => store.close() };
  } catch (e) {
    store.close();
    throw e;
  }
}

// What the CLI reads and prints of rules (it imports only app).
export { describeDnd, describeRule, InvalidForwardTarget, parseSchedule, RuleInvalid, type DndSettings, type HandlingAction, type RuleDraft, type RuleMatch, type WeeklySchedule } from '../callhandling/index.js';

export interface OpenForwardAll {
  readonly forwardAll: ForwardAll;
  close(): void;
}

/** Forward all in the config's store, for `hometel forward …` next to (or without) `hometel start`. */
export function openForwardAllStore(config: HometelConfig): OpenForwardAll {
  const store = Store.open(config.dataDir);
  const plan = config.numberPlan;
  return { forwardAll: new ForwardAll(new SqliteCallRecordRepository(store), (address) => addressKey(address, plan)), close: () => store.close() };
}
