/**
 * Imports contacts through the real store and is killed in the middle: `tsx contacts-writer.ts <dataDir>`.
 * A first import of COMMITTED contacts completes; a second one of IMPORTING contacts (one transaction) prints
 * `WRITTEN <json>` (the counts, and the numbers of the first and last contact of either import) from inside its transaction once HALFWAY of them are inserted, and goes on inserting. The test
 * kills it with SIGKILL as soon as the line appears (stdout to a pipe is written synchronously on Linux, so the
 * line is out while the transaction is still open). The file readers are a generator: the format is not the point.
 */
import { systemClock } from '../../src/base/clock.js';
import { silentLogger } from '../../src/base/logger.js';
import { ContactsService, type ContactDraft, type ContactParser, type KeyedContact, type ParsedContacts } from '../../src/contacts/index.js';
import { SqliteContactRepository, Store } from '../../src/store/index.js';

const COMMITTED = 1_000;
const IMPORTING = 60_000;
const HALFWAY = 5_000;

/** The i-th generated contact's number: Berlin numbers 030 2000000 + i, written nationally. */
const numberOf = (i: number): string => `030 ${2_000_000 + i}`;

/** "from,count" → that many contacts. */
const generate: ContactParser = (text): ParsedContacts => {
  const [from = 0, n = 0] = text.split(',').map(Number);
  const drafts: ContactDraft[] = Array.from({ length: n }, (_, k) => ({ name: `Contact ${from + k}`, addresses: [{ value: numberOf(from + k), label: 'home' }], groups: ['Imported'] }));
  return { drafts, problems: [] };
};

class ReportingRepository extends SqliteContactRepository {
  inserted = 0;
  override insert(keyed: KeyedContact): void {
    super.insert(keyed);
    if (++this.inserted === COMMITTED + HALFWAY) {
      // The numbers of the first and last contact of each import so far; the test looks them up.
      const numbers = [0, COMMITTED - 1, COMMITTED, this.inserted - 1].map(numberOf);
      process.stdout.write(`WRITTEN ${JSON.stringify({ committed: COMMITTED, inserted: this.inserted, numbers })}\n`);
    }
  }
}

const dataDir = process.argv[2];
if (!dataDir) throw new Error('usage: contacts-writer.ts <dataDir>');
const store = Store.open(dataDir);
const service = new ContactsService({
  repository: new ReportingRepository(store),
  plan: { country: 'DE', areaCode: '30' },
  clock: systemClock,
  logger: silentLogger,
  parsers: { vcard: generate, fritzbox: generate, csv: generate },
});
service.import('vcard', `0,${COMMITTED}`);
service.import('vcard', `${COMMITTED},${IMPORTING}`);
process.stdout.write('IMPORTED (the kill came too late)\n');
setInterval(() => undefined, 60_000);
