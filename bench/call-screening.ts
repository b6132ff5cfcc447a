/**
 * The screening rules (issue 13, seed 004 2.2 3 vi): how long the rule decision takes that runs on every incoming
 * call before anyone is notified, with 2,000 screening entries (where a FRITZ!Box stops) and with 100,000.
 *
 * - A fresh store (WAL, synchronous=FULL, in a temporary directory) filled through RuleBook.addMany (one
 *   transaction): four in five entries an exact number (`089 …`, written nationally), one in five a prefix of 6 to 9
 *   digits (`+49301…*`), plus one rule of each caller class (blocked, VIP, group, anonymous, not in contacts).
 * - The rule book is then opened again on the store (what `hometel start` does): the load time.
 * - DECISIONS callers: 40 % an exact entry (written internationally), 30 % under a prefix, 30 % no entry (two
 *   thirds known contacts that ring, one third strangers that the not-in-contacts rule takes). Each is RuleBook.evaluate timed alone:
 *   with the caller's address only (the book keys it with libphonenumber-js, as a call from the line needs), and
 *   with the key given (CallerFacts.key: the index alone).
 *
 * `node --import tsx bench/call-screening.ts` prints the section; `BENCH_ONLY=screening npm run bench` (bench/run.ts)
 * replaces it in docs/benchmarks.md.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { availableParallelism, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import { openRules } from '../src/app/index.js';
import type { CallerFacts, RuleDraft } from '../src/callhandling/index.js';
import { addressKey } from '../src/contacts/index.js';
import { Store } from '../src/store/index.js';
import { percentile, table } from './stats.js';

const DECISIONS = Number(process.env.BENCH_SCREENING_DECISIONS ?? 50_000);
const plan = { country: 'DE', areaCode: '30' };

interface Latency {
  readonly p50: number;
  readonly p99: number;
  readonly max: number;
}

export interface ScreeningFigures {
  readonly entries: number;
  readonly addSeconds: number;
  readonly loadSeconds: number;
  readonly decisions: number;
  readonly decided: number;
  readonly withKeying: Latency;
  readonly indexOnly: Latency;
}

const exactNumber = (i: number): string => `089 ${2_000_000 + i}`;
/** Entry i (i % 5 === 0) is a prefix: +49301 and 1 to 4 more digits of i. */
const prefixOf = (i: number): string => `+49301${String(i).slice(0, 1 + (i % 4))}`;

function drafts(n: number): RuleDraft[] {
  const rules: RuleDraft[] = [
    { match: { kind: 'blocked' }, action: { kind: 'reject', status: 403 } },
    { match: { kind: 'vip' }, action: { kind: 'ring', targetNames: ['tv'] } },
    { match: { kind: 'group', group: 'Family' }, action: { kind: 'ring', targetNames: ['kitchen'] } },
    { match: { kind: 'anonymous' }, action: { kind: 'voicemail' } },
    { match: { kind: 'not-in-contacts' }, action: { kind: 'voicemail' } },
  ];
  for (let i = rules.length; i < n; i++) {
    rules.push(i % 5 === 0 ? { match: { kind: 'number', pattern: `${prefixOf(i)}*` }, action: { kind: 'reject', status: 486 } } : { match: { kind: 'number', pattern: exactNumber(i) }, action: { kind: 'voicemail' } });
  }
  return rules;
}

function latency(samples: number[]): Latency {
  samples.sort((a, b) => a - b);
  // In microseconds: a decision is well under a millisecond.
  return { p50: percentile(samples, 50) * 1000, p99: percentile(samples, 99) * 1000, max: samples.at(-1)! * 1000 };
}

export function screeningBench(entries: number): ScreeningFigures {
  const dir = mkdtempSync(join(tmpdir(), 'hometel-screening-bench-'));
  const store = Store.open(dir);
  try {
    const all = drafts(entries);
    let t = performance.now();
    openRules(store, { numberPlan: plan }).addMany(all);
    const addSeconds = (performance.now() - t) / 1000;
    t = performance.now();
    const book = openRules(store, { numberPlan: plan });
    const loadSeconds = (performance.now() - t) / 1000;
    if (book.size !== entries) throw new Error(`loaded ${book.size} of ${entries} rules`);

    const callers: CallerFacts[] = [];
    for (let k = 0; k < DECISIONS; k++) {
      const i = 5 + Math.floor(Math.random() * (entries - 5));
      const kind = k % 10;
      const base = { anonymous: false, vip: false, blocked: false, groups: [] };
      if (kind < 4) callers.push({ ...base, address: `+49 89 ${2_000_000 + (i % 5 === 0 ? i + 1 : i)}`, known: false });
      else if (kind < 7) callers.push({ ...base, address: `${prefixOf(i - (i % 5))}${'7'.repeat(13 - prefixOf(i - (i % 5)).length)}`, known: false });
      else callers.push({ ...base, address: `+49 40 ${3_000_000 + i}`, known: kind < 9 });
    }
    const time = (facts: CallerFacts): number => {
      const t0 = performance.now();
      book.evaluate(facts, Date.now());
      return performance.now() - t0;
    };
    // Warm up (JIT, libphonenumber's metadata), then measure.
    callers.slice(0, 2000).forEach(time);
    let decided = 0;
    for (const c of callers) if (book.evaluate(c, Date.now())) decided++;
    const withKeying = callers.map(time);
    const keyed = callers.map((c) => ({ ...c, key: addressKey(c.address!, plan)! }));
    const indexOnly = keyed.map(time);
    return { entries, addSeconds, loadSeconds, decisions: DECISIONS, decided, withKeying: latency(withKeying), indexOnly: latency(indexOnly) };
  } finally {
    store.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

export const screeningHeading = '## Call screening rules';

/** The figures of a shared machine are not an idle one's: say how busy it was. */
function loadNote(): string {
  const [one = 0] = loadavg();
  return `Measured with a 1-minute load average of ${one.toFixed(1)} on ${availableParallelism()} cores.`;
}

export function screeningSection(figures: readonly ScreeningFigures[]): string {
  const us = (n: number): string => n.toFixed(1);
  return `${screeningHeading}

hometel only (bench/call-screening.ts), in the benchmark process: the RuleBook over the SQLite store (WAL,
synchronous=FULL) in a temporary directory. The rule decision runs on every incoming call before any screen is
notified (seed 004 2.2 3 vi). 2,000 entries is where a FRITZ!Box's call blocking list stops; hometel keeps the rules
in SQLite and an in-memory index (an exact-number map, a map per prefix asked longest first, small lists for the
caller classes), so 100,000 cost the same per decision.

Four in five entries are exact numbers, one in five a prefix of 6 to 9 digits, plus one rule per caller class.
${figures[0]?.decisions.toLocaleString('en') ?? 0} callers per row: 40 % an exact entry, 30 % under a prefix, 30 % no
entry (two thirds known contacts that ring, one third strangers for the not-in-contacts rule). "with keying" is
RuleBook.evaluate given the caller's address (libphonenumber-js reads it: the bulk of the time); "index only" is the
same with the caller's key given (CallerFacts.key). Add is RuleBook.addMany in one transaction (every pattern
validated and keyed); load is opening the rule book on the store again (keys stored with their number plan, no
re-keying). ${loadNote()}

${table(
  ['entries', 'add s', 'load s', 'decided', 'with keying p50 µs', 'p99 µs', 'max µs', 'index only p50 µs', 'p99 µs', 'max µs'],
  figures.map((f) => [f.entries.toLocaleString('en'), f.addSeconds.toFixed(2), f.loadSeconds.toFixed(2), `${f.decided}/${f.decisions}`, us(f.withKeying.p50), us(f.withKeying.p99), us(f.withKeying.max), us(f.indexOnly.p50), us(f.indexOnly.p99), us(f.indexOnly.max)]),
)}`;
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const section = screeningSection([screeningBench(2_000), screeningBench(100_000)]);
  console.log(section);
}
