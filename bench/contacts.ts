/**
 * The address book (issue 12): how long the number → contact lookup takes that runs on every incoming call, with
 * CONTACTS contacts in the SQLite store, and how fast a vCard file imports.
 *
 * - Lookup: a fresh store (WAL, synchronous=FULL, in a temporary directory) filled with generated contacts, each with
 *   a Berlin landline and a mobile number written nationally (`030 …`, `0170 …`). LOOKUPS lookups of random numbers
 *   written another way (`+49 30 …`, `sip:+4917…@provider.example;user=phone`), one in ten a number nobody has.
 *   Each is ContactsService.lookup: normalising the number (libphonenumber-js) and the indexed query, timed alone.
 *   classify (every contact with the number: flags and groups) likewise, and SEARCHES searches as the web page
 *   makes them while typing (a name part or five digits, the first 50).
 * - Import: a vCard file given by the caller, read by src/contacts/formats and imported in one transaction into a
 *   fresh store; contacts per second over the whole ContactsService.import (decoding, parsing, normalising,
 *   merging, writing).
 *
 * `node --import tsx bench/contacts.ts [file.vcf]` prints the section; contactsSection(await contactsBench(…)) makes it.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import { silentLogger, systemClock } from '../src/base/index.js';
import { ContactsService, type ContactDraft, type ContactParser, type ImportFormat, type ContactsServiceOptions } from '../src/contacts/index.js';
import { SqliteContactRepository, Store } from '../src/store/index.js';
import { percentile, table } from './stats.js';

const CONTACTS = Number(process.env.BENCH_CONTACTS ?? 100_000);
const LOOKUPS = Number(process.env.BENCH_CONTACT_LOOKUPS ?? 20_000);
const SEARCHES = 200;
const plan = { country: 'DE', areaCode: '30' };

export interface ContactsFigures {
  readonly contacts: number;
  /** Filling the store through ContactsService.import (generated drafts, no file): contacts per second. */
  readonly fillRate: number;
  readonly lookups: number;
  readonly hits: number;
  readonly lookup: Latency;
  readonly classify: Latency;
  readonly search: Latency;
  /** The vCard import, when a file was given. */
  readonly vcard?: { bytes: number; seconds: number; added: number; merged: number; problems: number };
}

interface Latency {
  readonly calls: number;
  readonly p50: number;
  readonly p99: number;
  readonly max: number;
}

const landline = (i: number): string => `030 ${3_000_000 + i}`;
const mobile = (i: number): string => `0170 ${1_000_000 + i}`;

/** Generated contacts, as a reader would give them. */
function drafts(n: number): ContactDraft[] {
  return Array.from({ length: n }, (_, i) => ({
    name: `Kontakt ${i} Müller`,
    addresses: [
      { value: landline(i), label: 'home' },
      { value: mobile(i), label: 'mobile' },
    ],
    ...(i % 10 === 0 ? { groups: ['Familie'] } : {}),
    ...(i % 50 === 0 ? { vip: true } : {}),
  }));
}

async function withStore<T>(fn: (options: Pick<ContactsServiceOptions, 'repository' | 'plan' | 'clock' | 'logger'>) => T | Promise<T>): Promise<T> {
  const dir = mkdtempSync(join(tmpdir(), 'hometel-contacts-bench-'));
  const store = Store.open(dir);
  try {
    return await fn({ repository: new SqliteContactRepository(store), plan, clock: systemClock, logger: silentLogger });
  } finally {
    store.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

function latency(samples: number[]): Latency {
  samples.sort((a, b) => a - b);
  return { calls: samples.length, p50: percentile(samples, 50), p99: percentile(samples, 99), max: samples.at(-1)! };
}

/**
 * The figures; with `vcard` (a vCard file's text, e.g. test/support/vcard-generator.ts's) also the rate at which
 * ContactsService.import takes it into an empty store.
 */
export async function contactsBench(o: { vcard?: string } = {}): Promise<ContactsFigures> {
  const filled = await withStore((o) => {
    const all = drafts(CONTACTS);
    const generate: ContactParser = () => ({ drafts: all, problems: [] });
    const parsers: Record<ImportFormat, ContactParser> = { vcard: generate, fritzbox: generate, csv: generate };
    const service = new ContactsService({ ...o, parsers });
    const t0 = performance.now();
    const report = service.import('vcard', '');
    const fillRate = report.added / ((performance.now() - t0) / 1000);
    if (report.added !== CONTACTS) throw new Error(`filled ${report.added} of ${CONTACTS} contacts`);

    const lookupTimes: number[] = [];
    const classifyTimes: number[] = [];
    let hits = 0;
    for (let k = 0; k < LOOKUPS; k++) {
      const i = Math.floor(Math.random() * CONTACTS);
      const miss = k % 10 === 9;
      // A miss: a number in the same ranges that nobody has.
      const n = miss ? CONTACTS + i : i;
      const address = k % 2 === 0 ? `+49 30 ${3_000_000 + n}` : `sip:+49170${1_000_000 + n}@provider.example;user=phone`;
      let t = performance.now();
      const found = service.lookup(address);
      lookupTimes.push(performance.now() - t);
      if (found) hits++;
      if (Boolean(found) === miss) throw new Error(`lookup of ${address}: ${found ? 'found' : 'missed'}`);
      t = performance.now();
      service.classify(address);
      classifyTimes.push(performance.now() - t);
    }
    // Search as you type: a name part or some digits of a number, the first page of 50.
    const searchTimes: number[] = [];
    for (let k = 0; k < SEARCHES; k++) {
      const query = k % 2 === 0 ? `kontakt ${Math.floor(Math.random() * CONTACTS)}` : String(3_000_000 + Math.floor(Math.random() * CONTACTS)).slice(0, 5);
      const t = performance.now();
      service.list({ query, limit: 50 });
      searchTimes.push(performance.now() - t);
    }
    return { fillRate, hits, lookup: latency(lookupTimes), classify: latency(classifyTimes), search: latency(searchTimes) };
  });

  const text = o.vcard;
  const vcard =
    text === undefined
      ? undefined
      : await withStore((options) => {
          const t0 = performance.now();
          const report = new ContactsService(options).import('vcard', text);
          return { bytes: Buffer.byteLength(text), seconds: (performance.now() - t0) / 1000, added: report.added, merged: report.merged, problems: report.problems.length };
        });
  return { contacts: CONTACTS, lookups: LOOKUPS, ...filled, vcard };
}

export function contactsSection(f: ContactsFigures): string {
  const row = (what: string, l: Latency): string[] => [what, String(l.calls), l.p50.toFixed(3), l.p99.toFixed(3), l.max.toFixed(3)];
  const v = f.vcard;
  const vcard = v
    ? `

### vCard import

A vCard file imported in one transaction into an empty store through ContactsService.import: decoding, reading
(src/contacts/formats), normalising, merging and writing; contacts/s counts the records taken (added or merged).

${table(
  ['file MiB', 'added', 'merged', 'problems', 'seconds', 'contacts/s'],
  [[(v.bytes / (1024 * 1024)).toFixed(2), String(v.added), String(v.merged), String(v.problems), v.seconds.toFixed(2), ((v.added + v.merged) / v.seconds).toFixed(0)]],
)}`
    : '';
  return `## Address book

hometel only (bench/contacts.ts), in the benchmark process: the ContactsService over the SQLite store (WAL,
synchronous=FULL) in a temporary directory.

### Number → contact lookup (${f.contacts.toLocaleString('en')} contacts)

Each contact has a landline and a mobile number, stored as written nationally; the lookups write them another way
(\`+49 30 …\`, \`sip:+49170…@provider.example;user=phone\`), one in ten a number nobody has (${f.hits} hits). A lookup
normalises the number (libphonenumber-js) and queries the address key index; classify reads every contact with the
number. Search is the list as the web page asks for it while typing: half of the queries a name part
(\`kontakt 4711\`), half five digits of a number, the first 50 matches and the total (a scan of every contact).
Filling the store through the service's import (no file): ${f.fillRate.toFixed(0)} contacts/s.

${table(['operation', 'calls', 'p50 ms', 'p99 ms', 'max ms'], [row('lookup', f.lookup), row('classify', f.classify), row('search', f.search)])}${vcard}`;
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const file = process.argv[2];
  console.log(contactsSection(await contactsBench(file ? { vcard: readFileSync(file, 'utf8') } : {})));
}
