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
 * - Import: a generated vCard file (3.0 and 4.0 mixed, some folded lines, some non-ASCII names) read by
 *   src/contacts/formats and imported in one transaction into a fresh store; contacts per second over the whole
 *   ContactsService.import (decoding, parsing, normalising, merging, writing).
 *
 * `node --import tsx bench/contacts.ts` prints the section; contactsSection(await contactsBench()) makes it.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import { errorMessage, silentLogger, systemClock } from '../src/base/index.js';
import { ContactsService, type ContactDraft, type ContactParser, type ImportFormat, type ContactsServiceOptions } from '../src/contacts/index.js';
import { SqliteContactRepository, Store } from '../src/store/index.js';
import { percentile, table } from './stats.js';

const CONTACTS = Number(process.env.BENCH_CONTACTS ?? 100_000);
const LOOKUPS = Number(process.env.BENCH_CONTACT_LOOKUPS ?? 20_000);
const VCARDS = Number(process.env.BENCH_VCARDS ?? 10_000);
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
  /** The vCard import, or why it could not run. */
  readonly vcard: { contacts: number; bytes: number; seconds: number; added: number; problems: number } | { error: string };
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

/** A vCard file of n contacts: 3.0 and 4.0 alternating, every seventh with a folded NOTE, every third a non-ASCII name. */
export function generatedVcards(n: number): string {
  const cards: string[] = [];
  for (let i = 0; i < n; i++) {
    const given = i % 3 === 0 ? ['Jürgen', 'Zoë', 'Ånne', 'Łukasz', '美咲'][i % 5]! : 'Anna';
    const family = `Nachname${i}`;
    const lines = ['BEGIN:VCARD', i % 2 === 0 ? 'VERSION:3.0' : 'VERSION:4.0', `FN:${given} ${family}`, `N:${family};${given};;;`];
    lines.push(i % 2 === 0 ? `TEL;TYPE=HOME,VOICE:${landline(i)}` : `TEL;TYPE=home;VALUE=uri:tel:+49-30-${3_000_000 + i}`);
    lines.push(i % 2 === 0 ? `TEL;TYPE=CELL:${mobile(i)}` : `TEL;TYPE=cell;VALUE=uri:tel:+49-170-${1_000_000 + i}`);
    // RFC 6350 3.2: a long line folded by CRLF and one space.
    if (i % 7 === 0) lines.push(`NOTE:Eine längere Notiz über diesen Kontakt, die über das Zeilenende hinausgeht u\r\n nd deshalb gefaltet ist.`);
    lines.push('END:VCARD');
    cards.push(lines.join('\r\n'));
  }
  return `${cards.join('\r\n')}\r\n`;
}

export async function contactsBench(): Promise<ContactsFigures> {
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

  const text = generatedVcards(VCARDS);
  const vcard = await withStore((o) => {
    const service = new ContactsService(o);
    const t0 = performance.now();
    try {
      const report = service.import('vcard', text);
      return { contacts: VCARDS, bytes: Buffer.byteLength(text), seconds: (performance.now() - t0) / 1000, added: report.added, problems: report.problems.length };
    } catch (e) {
      return { error: errorMessage(e) };
    }
  });
  return { contacts: CONTACTS, lookups: LOOKUPS, ...filled, vcard };
}

export function contactsSection(f: ContactsFigures): string {
  const row = (what: string, l: Latency): string[] => [what, String(l.calls), l.p50.toFixed(3), l.p99.toFixed(3), l.max.toFixed(3)];
  const vcard =
    'error' in f.vcard
      ? `The vCard import could not run: ${f.vcard.error}`
      : table(
          ['vCards', 'file MiB', 'added', 'problems', 'seconds', 'contacts/s'],
          [[String(f.vcard.contacts), (f.vcard.bytes / (1024 * 1024)).toFixed(2), String(f.vcard.added), String(f.vcard.problems), f.vcard.seconds.toFixed(2), (f.vcard.contacts / f.vcard.seconds).toFixed(0)]],
        );
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

${table(['operation', 'calls', 'p50 ms', 'p99 ms', 'max ms'], [row('lookup', f.lookup), row('classify', f.classify), row('search', f.search)])}

### vCard import

A generated file (3.0 and 4.0 alternating, some folded lines, a third of the names non-ASCII, two numbers each)
imported in one transaction into an empty store: decoding, reading (src/contacts/formats), normalising, merging
and writing.

${vcard}`;
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  console.log(contactsSection(await contactsBench()));
}
