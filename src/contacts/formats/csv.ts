/**
 * CSV with a header row (csv-parse). Header names are matched without regard to case, `_`, `-` or `.`, with the
 * usual synonyms (Outlook's, Google's and spreadsheet habits, some German); columns nobody knows are ignored. The
 * delimiter is the header line's most frequent of `,` `;` and tab (spreadsheets in many locales write `;`).
 * Problems are per line: a record csv-parse cannot read, more fields than the header, a flag that is neither yes
 * nor no, a record with no name and no number.
 */
import { parse } from 'csv-parse/sync';
import type { AddressLabel, ParsedContacts } from '../model.js';
import { lineAt, numberOrSip, ParseResult, sipAddress, yesNo, type RecordFields } from './draft.js';

type Column = AddressLabel | 'name' | 'given' | 'family' | 'org' | 'sip' | 'note' | 'groups' | 'vip' | 'blocked';

const synonyms: Record<Column, readonly string[]> = {
  name: ['name', 'full name', 'fullname', 'display name', 'displayname', 'fn', 'contact', 'contact name'],
  given: ['first name', 'firstname', 'given name', 'vorname'],
  family: ['last name', 'lastname', 'family name', 'surname', 'nachname'],
  org: ['company', 'organization', 'organisation', 'org', 'firma'],
  other: ['phone', 'phone number', 'number', 'telephone', 'tel', 'other', 'other phone', 'telefon', 'nummer'],
  mobile: ['mobile', 'mobile phone', 'mobilenumber', 'cell', 'cell phone', 'cellphone', 'handy', 'mobil'],
  home: ['home', 'home phone', 'home number', 'homenumber', 'privat'],
  work: ['work', 'work phone', 'business', 'business phone', 'office', 'office phone', 'officenumber', 'geschäftlich'],
  fax: ['fax', 'business fax', 'home fax', 'work fax', 'faxnumber'],
  sip: ['sip', 'sip uri', 'sip address'],
  note: ['note', 'notes', 'comment', 'comments', 'description', 'notiz'],
  groups: ['groups', 'group', 'categories', 'category', 'gruppe', 'gruppen'],
  vip: ['vip', 'favorite', 'favourite', 'important'],
  blocked: ['blocked', 'block', 'blacklist', 'blacklisted', 'blocklist', 'blocklisted', 'spam', 'gesperrt'],
};

const columnOf = new Map<string, Column>(
  Object.entries(synonyms).flatMap(([column, names]) => names.map((n) => [n, column as Column] as const)),
);

function headerKey(name: string): string {
  return name.toLowerCase().replace(/[_.-]/g, ' ').replace(/\s+/g, ' ').trim();
}

function delimiterOf(text: string): string {
  const header = text.slice(0, text.indexOf('\n') >>> 0);
  const counts = [',', ';', '\t'].map((d) => [d, header.split(d).length] as const);
  return counts.reduce((best, c) => (c[1] > best[1] ? c : best))[0];
}

export function parseCsv(text: string): ParsedContacts {
  const result = new ParseResult();
  // One line end, so csv-parse counts lines as an editor does.
  const normalized = text.replace(/^\uFEFF/, '').replace(/\r\n?/g, '\n');
  let columns: (Column | undefined)[] | undefined;
  parse(normalized, {
    delimiter: delimiterOf(normalized),
    relax_column_count: true,
    // A stray quote is kept as text: csv-parse's recovery from a quote error loses the records after it.
    relax_quotes: true,
    skip_empty_lines: true,
    skip_records_with_error: true,
    raw: true,
    on_skip: (err) => {
      result.problem(lineAt(Number(err?.lines ?? 1)), `not readable as CSV: ${err?.message ?? 'unknown error'}`);
      return undefined;
    },
    on_record: (withRaw, info) => {
      // With `raw`, csv-parse hands on_record `{ record, raw }` (its types say string[]).
      const { record } = withRaw as unknown as { record: string[] };
      // The record ends on info.lines; it starts as many line breaks earlier as it holds (blank lines before it aside).
      const line = info.lines - ((info.raw ?? '').replace(/^\n+|\n+$/g, '').match(/\n/g)?.length ?? 0);
      if (!columns) {
        columns = record.map((h) => columnOf.get(headerKey(h)) ?? columnOf.get(headerKey(h).replace(/ /g, '')));
        if (!columns.some((c) => c !== undefined && c !== 'note' && c !== 'groups' && c !== 'vip' && c !== 'blocked')) {
          result.problem(lineAt(line), `the header names no name and no number column: ${record.join(', ')}`);
          columns = [];
        }
      } else if (columns.length > 0 && record.some((f) => f.trim() !== '')) {
        readRecord(result, line, columns, record);
      }
      return null;
    },
  });
  return result.done();
}

function readRecord(result: ParseResult, line: number, columns: readonly (Column | undefined)[], record: readonly string[]): void {
  const at = lineAt(line);
  if (record.length > columns.length) return result.problem(at, `${record.length} fields, the header has ${columns.length}`);
  const fields: RecordFields = { addresses: [], notes: [], groups: [] };
  let given = '';
  let family = '';
  for (const [i, raw] of record.entries()) {
    const column = columns[i];
    const value = raw.trim();
    if (column === undefined || value === '') continue;
    switch (column) {
      case 'name':
        fields.name ||= value;
        break;
      case 'given':
        given ||= value;
        break;
      case 'family':
        family ||= value;
        break;
      case 'org':
        fields.fallbackName ||= value;
        break;
      case 'sip':
        fields.addresses.push({ value: sipAddress(value) ?? value, label: 'other' });
        break;
      case 'note':
        fields.notes!.push(raw);
        break;
      case 'groups':
        fields.groups!.push(...value.split(/[;,|]/));
        break;
      case 'vip':
      case 'blocked': {
        const flag = yesNo(value);
        if (flag === undefined) return result.problem(at, `${column}: "${value}" is neither yes nor no`);
        fields[column] = flag;
        break;
      }
      default: {
        const address = numberOrSip(value, column);
        if (address) fields.addresses.push(address);
      }
    }
  }
  fields.name ||= [given, family].filter((n) => n !== '').join(' ');
  result.add(at, fields);
}
