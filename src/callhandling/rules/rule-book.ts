/**
 * The rule book: the screening rules and DND, kept in the store and indexed in memory so that one decision over
 * 100,000 entries stays well under a millisecond. (Stub: the call-handling rules are being built.)
 */
import type { Clock } from '../../base/index.js';
import type { CallerFacts, DndSettings, Rule, RuleDraft, ScreeningResult } from './model.js';

/** Where the rules and DND settings live (SQLite in src/store). */
export interface RuleRepository {
  list(): Rule[];
  add(rule: Rule): void;
  remove(id: string): boolean;
  dnd(): DndSettings | undefined;
  saveDnd(settings: DndSettings): void;
}

export interface RuleBookOptions {
  readonly repository: RuleRepository;
  /** The number key of an address (E.164 by the home's number plan), undefined when it is none. */
  readonly numberKey: (address: string) => string | undefined;
  readonly clock: Clock;
}

export class RuleBook {
  constructor(private readonly o: RuleBookOptions) {}

  list(): Rule[] {
    return this.o.repository.list();
  }

  /** Adds a rule; a malformed one throws RuleInvalid and nothing changes. */
  add(draft: RuleDraft): Rule {
    void draft;
    throw new Error('not implemented yet');
  }

  remove(id: string): boolean {
    return this.o.repository.remove(id);
  }

  dnd(): DndSettings {
    return this.o.repository.dnd() ?? { on: false, action: { kind: 'voicemail' }, vipRings: true, schedules: [] };
  }

  setDnd(change: Partial<DndSettings>): DndSettings {
    void change;
    throw new Error('not implemented yet');
  }

  /** What to do with a caller now: the most specific matching rule, or DND; undefined: ring. */
  evaluate(facts: CallerFacts, at: number): ScreeningResult | undefined {
    void facts;
    void at;
    return undefined;
  }

  /** Reads the rules again (another process, the CLI, changed them). */
  reload(): void {}
}
