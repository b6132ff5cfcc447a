/**
 * The rule book (seed 004 2.2 3 vi, 3.2 5 automatic call processing): the screening rules and do-not-disturb, kept
 * in the store and indexed in memory (rule-index.ts) so that one decision over 100,000 entries stays well under a
 * millisecond. The most specific rule that applies wins; DND overrides the rules about classes of callers, not
 * those about a caller's own number or a blocked one (docs/decisions.md).
 */
import { randomBytes } from 'node:crypto';
import type { Clock } from '../../base/index.js';
import type { CallerFacts, DndSettings, HandlingAction, Rule, RuleDraft, ScreeningResult, WeeklySchedule } from './model.js';
import { RuleIndex } from './rule-index.js';
import { localMomentOf, scheduleApplies, scheduleProblem, type LocalMoment } from './schedule.js';
import { actionProblem, checkRule, patternKey, RuleInvalid, type MatchKey } from './validation.js';

/** A number pattern's key as stored next to its rule, with the identity of the number plan that made it. */
export interface StoredKey extends MatchKey {
  readonly plan: string;
}

/** Where the rules and DND settings live (SQLite in src/store). */
export interface RuleRepository {
  list(): Rule[];
  /** `key`: the pattern's key to keep with the rule (so that loading needs no number plan). */
  add(rule: Rule, key?: StoredKey): void;
  remove(id: string): boolean;
  dnd(): DndSettings | undefined;
  saveDnd(settings: DndSettings): void;
  /** Adds many rules at once (one transaction); without it the book adds them one by one. */
  addMany?(rules: readonly Rule[], keys?: readonly (StoredKey | undefined)[]): void;
  /** Every rule with its stored key; without it the book keys every pattern when it loads. */
  keyed?(): { rule: Rule; key?: StoredKey }[];
  /**
   * Counts up by one with every write that changes the rules or DND (also another process's); without it reload()
   * is the only way to see another process's changes.
   */
  version?(): number;
}

export interface RuleBookOptions {
  readonly repository: RuleRepository;
  /** The number key of an address (E.164 by the home's number plan), undefined when it is none. */
  readonly numberKey: (address: string) => string | undefined;
  readonly clock: Clock;
  /** The IANA time zone schedules are in; default the machine's. */
  readonly timeZone?: string;
  /**
   * What `numberKey` keys by (e.g. the number plan's identity): pattern keys are stored with it and reused while it
   * stays the same, so that 100,000 rules load without keying each again.
   */
  readonly keyPlan?: string;
}

const defaultDnd: DndSettings = { on: false, action: { kind: 'voicemail' }, vipRings: true, schedules: [] };

/** The rule kinds a caller's own number or its being blocked decides: they still apply during DND. */
const personal = new Set(['number', 'prefix', 'blocked']);

export class RuleBook {
  private index = new RuleIndex();
  private settings: DndSettings = defaultDnd;
  private loaded: number | undefined;
  private readonly local: (at: number) => LocalMoment;

  constructor(private readonly o: RuleBookOptions) {
    this.local = localMomentOf(o.timeZone);
    this.reload();
  }

  /** Every rule, oldest first. */
  list(): Rule[] {
    return [...this.index.all()];
  }

  get size(): number {
    return this.index.size;
  }

  /** Adds a rule; a malformed one throws RuleInvalid and nothing changes. */
  add(draft: RuleDraft): Rule {
    const [rule] = this.addMany([draft]);
    return rule!;
  }

  /** Adds rules all or nothing (one transaction when the repository has addMany); a bad one throws RuleInvalid naming it. */
  addMany(drafts: readonly RuleDraft[]): Rule[] {
    const now = this.o.clock.now();
    const made = drafts.map((draft, i) => {
      let key: MatchKey | undefined;
      try {
        key = checkRule(draft, this.o.numberKey);
      } catch (e) {
        if (e instanceof RuleInvalid && drafts.length > 1) throw new RuleInvalid(`rule ${i + 1}: ${e.message}`);
        throw e;
      }
      return { rule: this.ruleOf(draft, now), key };
    });
    const rules = made.map((m) => m.rule);
    const plan = this.o.keyPlan;
    const stored = made.map((m) => (m.key && plan !== undefined ? { ...m.key, plan } : undefined));
    const repo = this.o.repository;
    if (repo.addMany) repo.addMany(rules, stored);
    else rules.forEach((r, i) => repo.add(r, stored[i]));
    for (const m of made) this.index.add(m.rule, m.key);
    this.seen(1);
    return rules;
  }

  remove(id: string): boolean {
    const removed = this.o.repository.remove(id);
    this.index.remove(id);
    this.seen(removed ? 1 : 0);
    return removed;
  }

  dnd(): DndSettings {
    return this.settings;
  }

  /** Whether DND is on at this moment: switched on, or one of its schedules applies. */
  dndActive(at: number): boolean {
    const s = this.settings;
    return s.on || (s.schedules.length > 0 && this.inSchedules(s.schedules, this.local(at)));
  }

  /** Changes DND; a bad action or schedule throws RuleInvalid and nothing changes. */
  setDnd(change: Partial<DndSettings>): DndSettings {
    const next: DndSettings = { ...this.settings, ...definedOnly(change) };
    if (typeof next.on !== 'boolean') throw new RuleInvalid('DND is on or off (true or false)');
    if (typeof next.vipRings !== 'boolean') throw new RuleInvalid('vipRings is true or false');
    const problem = actionProblem(next.action, this.o.numberKey) ?? (Array.isArray(next.schedules) ? next.schedules.map(scheduleProblem).find((p) => p) : 'DND schedules are a list');
    if (problem) throw new RuleInvalid(`DND: ${problem}`);
    const settings: DndSettings = { on: next.on, action: copyAction(next.action), vipRings: next.vipRings, schedules: next.schedules.map(copySchedule) };
    this.o.repository.saveDnd(settings);
    this.settings = settings;
    this.seen(1);
    return settings;
  }

  /**
   * What to do with a caller now: the most specific rule that applies, or DND's action; undefined: ring everyone.
   * During DND a rule about the caller's own number (exact or prefix) or about blocked callers still decides; a VIP
   * rings (or gets its VIP or group rule) when `vipRings`; everyone else gets DND's action.
   */
  evaluate(facts: CallerFacts, at: number): ScreeningResult | undefined {
    const address = facts.address;
    const withheld = facts.anonymous || address === undefined || address.trim().toLowerCase() === 'anonymous';
    const key = withheld ? undefined : (facts.key ?? this.o.numberKey(address));
    let moment: LocalMoment | undefined;
    const now = (): LocalMoment => (moment ??= this.local(at));
    const found = this.index.match(withheld ? { ...facts, anonymous: true } : facts, key, now);
    const s = this.settings;
    const dnd = s.on || (s.schedules.length > 0 && this.inSchedules(s.schedules, now()));
    if (dnd && !(found && personal.has(found.by)) && !(s.vipRings && facts.vip && !facts.blocked)) return { action: s.action, decidedBy: 'dnd' };
    return found && { action: found.rule.action, decidedBy: `rule:${found.rule.id}`, rule: found.rule };
  }

  /** Reads the rules and DND again (another process, the CLI, changed them). */
  reload(): void {
    const version = this.o.repository.version?.();
    const index = new RuleIndex();
    const repo = this.o.repository;
    const entries = repo.keyed ? repo.keyed() : repo.list().map((rule) => ({ rule, key: undefined }));
    for (const { rule, key } of entries) index.add(rule, key !== undefined && key.plan === this.o.keyPlan ? key : this.keyOf(rule));
    this.index = index;
    this.settings = this.o.repository.dnd() ?? defaultDnd;
    this.loaded = version;
  }

  /** Reloads when the store says the rules or DND changed since (cheap: call it about once a second); true when it did. */
  refreshIfChanged(): boolean {
    const version = this.o.repository.version?.();
    if (version === undefined || version === this.loaded) return false;
    this.reload();
    return true;
  }

  /**
   * Our own change (`bumps` counts of the version) is in memory already: no reload for it — unless another process
   * changed something too since we loaded, which the next refreshIfChanged() then reads.
   */
  private seen(bumps: number): void {
    const version = this.o.repository.version?.();
    if (version !== undefined && this.loaded !== undefined && version === this.loaded + bumps) this.loaded = version;
  }

  private inSchedules(schedules: readonly WeeklySchedule[], at: LocalMoment): boolean {
    return schedules.some((sc) => scheduleApplies(sc, at));
  }

  private keyOf(rule: Rule): MatchKey | undefined {
    if (rule.match.kind !== 'number') return undefined;
    const key = patternKey(rule.match.pattern, this.o.numberKey);
    // A stored pattern the number plan no longer reads (the plan changed) matches nothing.
    return typeof key === 'string' ? undefined : key;
  }

  private ruleOf(draft: RuleDraft, created: number): Rule {
    let id: string;
    do id = randomBytes(6).toString('hex');
    while (this.index.has(id));
    const match = draft.match.kind === 'number' ? { kind: 'number' as const, pattern: draft.match.pattern.trim() } : draft.match.kind === 'group' ? { kind: 'group' as const, group: draft.match.group.trim() } : { kind: draft.match.kind };
    return {
      id,
      created,
      match,
      action: copyAction(draft.action),
      ...(draft.schedule ? { schedule: copySchedule(draft.schedule) } : {}),
      ...(draft.note !== undefined && draft.note !== '' ? { note: draft.note } : {}),
    };
  }
}

/** Only the members of an action its kind has (a request may carry more). */
function copyAction(a: HandlingAction): HandlingAction {
  switch (a.kind) {
    case 'accept':
      return a.tc === undefined ? { kind: 'accept' } : { kind: 'accept', tc: a.tc.trim() };
    case 'reject':
      return a.status === undefined ? { kind: 'reject' } : { kind: 'reject', status: a.status };
    case 'forward':
      return { kind: 'forward', target: a.target.trim() };
    case 'ring':
      return { kind: 'ring', targetNames: a.targetNames.map((n) => n.trim()) };
    default:
      return { kind: 'voicemail' };
  }
}

function copySchedule(s: WeeklySchedule): WeeklySchedule {
  return { days: [...new Set(s.days)].sort((a, b) => a - b), from: s.from, to: s.to };
}

function definedOnly<T extends object>(o: T): Partial<T> {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as Partial<T>;
}
