/**
 * The rules in memory, indexed so that one decision over 100,000 entries is a few map lookups: exact number keys in
 * a map, prefixes in a map per prefix (longest prefix first: at most one lookup per character of the caller's key),
 * and the caller classes (blocked, VIP, groups, anonymous, not in contacts) in small lists.
 *
 * Within one bucket (the same number, prefix, group or class) a rule with a schedule comes before one without —
 * a time-bounded rule is the exception to the standing one — and otherwise the older rule first.
 */
import type { CallerFacts, Rule } from './model.js';
import { scheduleApplies, type LocalMoment } from './schedule.js';

type ClassKind = 'blocked' | 'vip' | 'anonymous' | 'not-in-contacts';

/** Whether `a` goes before `b` in a bucket (see the module comment). */
function before(a: Rule, b: Rule): boolean {
  if ((a.schedule === undefined) !== (b.schedule === undefined)) return a.schedule !== undefined;
  return a.created !== b.created ? a.created < b.created : a.id < b.id;
}

function byCreation(a: Rule, b: Rule): number {
  return a.created - b.created || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0);
}

function insert(bucket: Rule[], rule: Rule): void {
  let i = bucket.length;
  while (i > 0 && before(rule, bucket[i - 1]!)) i--;
  bucket.splice(i, 0, rule);
}

function put(map: Map<string, Rule[]>, key: string, rule: Rule): void {
  const bucket = map.get(key);
  if (bucket) insert(bucket, rule);
  else map.set(key, [rule]);
}

function drop(map: Map<string, Rule[]>, key: string, id: string): void {
  const bucket = map.get(key)?.filter((r) => r.id !== id);
  if (bucket === undefined) return;
  if (bucket.length === 0) map.delete(key);
  else map.set(key, bucket);
}

/** The first rule of a bucket that applies now (`moment` is computed once, only when a schedule asks). */
function firstApplying(bucket: readonly Rule[] | undefined, moment: () => LocalMoment): Rule | undefined {
  if (!bucket) return undefined;
  for (const rule of bucket) if (rule.schedule === undefined || scheduleApplies(rule.schedule, moment())) return rule;
  return undefined;
}

/** How specific a match is: the order the rule book asks the index in (docs/decisions.md). */
export type Specificity = 'number' | 'prefix' | ClassKind | 'group';

export class RuleIndex {
  private readonly exact = new Map<string, Rule[]>();
  private readonly prefixes = new Map<string, Rule[]>();
  private readonly groups = new Map<string, Rule[]>();
  private readonly classes: Record<ClassKind, Rule[]> = { blocked: [], vip: [], anonymous: [], 'not-in-contacts': [] };
  /** Each rule and the bucket it is in (a number's or prefix's key, a group's name). */
  private readonly rules = new Map<string, { rule: Rule; key?: string; prefix?: boolean }>();
  private longestPrefix = 0;
  /** The rules in the order they were added (list()). */
  private ordered: Rule[] | undefined = [];

  get size(): number {
    return this.rules.size;
  }

  has(id: string): boolean {
    return this.rules.has(id);
  }

  all(): Rule[] {
    this.ordered ??= [...this.rules.values()].map((e) => e.rule).sort(byCreation);
    return this.ordered;
  }

  /** Adds a rule; `key` is its number pattern's key (with `prefix` for a prefix). */
  add(rule: Rule, key?: { key: string; prefix: boolean }): void {
    const m = rule.match;
    if (m.kind === 'number' && key) {
      put(key.prefix ? this.prefixes : this.exact, key.key, rule);
      if (key.prefix) this.longestPrefix = Math.max(this.longestPrefix, key.key.length);
      this.rules.set(rule.id, { rule, key: key.key, prefix: key.prefix });
    } else if (m.kind === 'group') {
      put(this.groups, m.group, rule);
      this.rules.set(rule.id, { rule, key: m.group });
    } else if (m.kind !== 'number') {
      insert(this.classes[m.kind], rule);
      this.rules.set(rule.id, { rule });
    }
    this.ordered?.push(rule);
    const last = this.ordered?.[this.ordered.length - 2];
    if (last && byCreation(last, rule) > 0) this.ordered = undefined;
  }

  remove(id: string): void {
    const entry = this.rules.get(id);
    if (!entry) return;
    this.rules.delete(id);
    this.ordered = undefined;
    const m = entry.rule.match;
    if (m.kind === 'number') drop(entry.prefix ? this.prefixes : this.exact, entry.key!, id);
    else if (m.kind === 'group') drop(this.groups, m.group, id);
    else this.classes[m.kind] = this.classes[m.kind].filter((r) => r.id !== id);
  }

  /**
   * The most specific rule for a caller that applies now: its exact number, its longest prefix, then blocked, VIP,
   * a group, anonymous, not in contacts. `key` is the caller's number key (undefined when withheld or unreadable).
   */
  match(facts: CallerFacts, key: string | undefined, moment: () => LocalMoment): { rule: Rule; by: Specificity } | undefined {
    if (key !== undefined) {
      const exact = firstApplying(this.exact.get(key), moment);
      if (exact) return { rule: exact, by: 'number' };
      for (let n = Math.min(key.length, this.longestPrefix); n > 1; n--) {
        const rule = firstApplying(this.prefixes.get(key.slice(0, n)), moment);
        if (rule) return { rule, by: 'prefix' };
      }
    }
    const anonymous = facts.anonymous || key === undefined;
    const byClass = (kind: ClassKind): { rule: Rule; by: Specificity } | undefined => {
      const rule = firstApplying(this.classes[kind], moment);
      return rule && { rule, by: kind };
    };
    if (facts.blocked) {
      const r = byClass('blocked');
      if (r) return r;
    }
    if (facts.vip) {
      const r = byClass('vip');
      if (r) return r;
    }
    let group: Rule | undefined;
    for (const name of facts.groups) {
      const rule = firstApplying(this.groups.get(name), moment);
      if (rule && (group === undefined || before(rule, group))) group = rule;
    }
    if (group) return { rule: group, by: 'group' };
    if (anonymous) {
      const r = byClass('anonymous');
      if (r) return r;
    }
    return facts.known ? undefined : byClass('not-in-contacts');
  }
}
