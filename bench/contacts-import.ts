/**
 * vCard import rate (issue 12's benchmark): parseVcard on the generated 10,000-contact file (3.0 and 4.0 mixed,
 * folded lines, non-ASCII names; test/support/vcard-generator.ts), best of N runs after one warm-up, in this process.
 * The parse alone: no store, no merge (the contacts service's import adds those).
 */
import { performance } from 'node:perf_hooks';
import { parseVcard } from '../src/contacts/formats/index.js';
import { generateVcards } from '../test/support/vcard-generator.js';
import { ms, table } from './stats.js';

export interface VcardImportFigures {
  readonly contacts: number;
  readonly bytes: number;
  readonly runs: number;
  readonly bestMs: number;
  readonly medianMs: number;
  /** contacts per second in the best run */
  readonly perSecond: number;
}

export function vcardImportRate(runs = Number(process.env.BENCH_ROUNDS ?? 5), count = 10_000): VcardImportFigures {
  const { text } = generateVcards({ count });
  const once = (): number => {
    const started = performance.now();
    const { drafts } = parseVcard(text);
    const elapsed = performance.now() - started;
    if (drafts.length !== count) throw new Error(`parsed ${drafts.length} of ${count} contacts`);
    return elapsed;
  };
  once(); // warm-up: JIT, ical.js's lazy tables
  const times = Array.from({ length: Math.max(1, runs) }, once).sort((a, b) => a - b);
  const bestMs = times[0]!;
  return {
    contacts: count,
    bytes: Buffer.byteLength(text),
    runs: times.length,
    bestMs,
    medianMs: times[Math.floor((times.length - 1) / 2)]!,
    perSecond: (count / bestMs) * 1000,
  };
}

/** The figures as a markdown table. */
export function describeVcardImport(f: VcardImportFigures): string {
  return table(
    ['contacts', 'file (MiB)', 'runs', 'best (ms)', 'median (ms)', 'contacts/s (best)'],
    [[String(f.contacts), (f.bytes / 1024 / 1024).toFixed(2), String(f.runs), ms(f.bestMs), ms(f.medianMs), f.perSecond.toFixed(0)]],
  );
}
