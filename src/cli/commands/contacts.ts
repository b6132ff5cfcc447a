/**
 * `hometel contacts …`: the home's address book from the shell — list and search, add, remove, import a file
 * (vCard from a phone, a FRITZ!Box phonebook, CSV), export as vCard, and the desk phones' phonebooks. Every command
 * has --json.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { extname } from 'node:path';
import { Command, Option } from 'commander';
import { openContacts, type OpenContacts } from '../../app/index.js';
import { onStore, withStoreOptions, type StoreOptions } from './store-command.js';

const withContacts = (opts: StoreOptions, f: (c: OpenContacts) => unknown): Promise<void> => onStore('contacts', opts, openContacts, f);

const labels = ['mobile', 'home', 'work', 'fax', 'other'] as const;
const formats = ['vcard', 'fritzbox', 'csv'] as const;
type Format = (typeof formats)[number];

/** The format of a file by its name: .vcf/.vcard, .xml (FRITZ!Box), .csv. */
function formatOf(file: string): Format {
  const ext = extname(file).toLowerCase();
  if (ext === '.vcf' || ext === '.vcard') return 'vcard';
  if (ext === '.xml') return 'fritzbox';
  if (ext === '.csv') return 'csv';
  throw new Error(`cannot tell the format of ${file}: give --format ${formats.join('|')}`);
}

export function contactsCommand(): Command {
  const contacts = new Command('contacts').description("the home's address book: list, add, remove, import, export, phonebooks");
  contacts.addCommand(
    withStoreOptions(new Command('list'))
      .description('the contacts, or those whose name, number or SIP URI contains QUERY')
      .argument('[query]', 'part of a name or number')
      .option('--group <name>', 'only this group')
      .action((query: string | undefined, opts: StoreOptions & { group?: string }) =>
        withContacts(opts, ({ contacts: c }) => {
          const { contacts: found, total } = c.list({ ...(query ? { query } : {}), ...(opts.group ? { group: opts.group } : {}), limit: 10_000 });
          if (opts.json) return { contacts: found, total };
          const lines = found.map((x) => `${x.id}  ${x.name}${x.vip ? ' [VIP]' : ''}${x.blocked ? ' [blocked]' : ''}  ${x.addresses.map((a) => `${a.label}:${a.value}`).join(' ')}`);
          return [...lines, `${total} contact${total === 1 ? '' : 's'}`].join('\n');
        }),
      ),
  );
  contacts.addCommand(
    withStoreOptions(new Command('add'))
      .description('add a contact: hometel contacts add "Alice Example" 030 1234567 sip:alice@example.org')
      .argument('<name>', 'the name')
      .argument('<address...>', 'numbers and SIP URIs')
      .addOption(new Option('--label <label>', 'the label of the numbers').choices(labels).default('mobile'))
      .option('--vip', 'a VIP')
      .option('--blocked', 'a blocked caller')
      .option('--group <name...>', 'groups')
      .option('--note <text>', 'a note')
      .action((name: string, addresses: string[], opts: StoreOptions & { label: (typeof labels)[number]; vip?: boolean; blocked?: boolean; group?: string[]; note?: string }) =>
        withContacts(opts, ({ contacts: c }) => {
          const added = c.add({
            name,
            addresses: addresses.map((value) => ({ value, label: opts.label })),
            ...(opts.vip ? { vip: true } : {}),
            ...(opts.blocked ? { blocked: true } : {}),
            ...(opts.group ? { groups: opts.group } : {}),
            ...(opts.note !== undefined ? { note: opts.note } : {}),
          });
          return opts.json ? added : `added ${added.id}  ${added.name}`;
        }),
      ),
  );
  contacts.addCommand(
    withStoreOptions(new Command('remove'))
      .description('remove a contact by its id (from `hometel contacts list`)')
      .argument('<id>', 'the contact id')
      .action((id: string, opts: StoreOptions) =>
        withContacts(opts, ({ contacts: c }) => {
          if (!c.remove(id)) throw new Error(`no contact ${id}`);
          return opts.json ? { removed: id } : `removed ${id}`;
        }),
      ),
  );
  contacts.addCommand(
    withStoreOptions(new Command('import'))
      .description('import a file: merged by number, every unreadable record reported, all or nothing')
      .argument('<file>', 'a vCard (.vcf), FRITZ!Box phonebook (.xml) or CSV (.csv) file')
      .addOption(new Option('--format <format>', 'the file format (default: by its extension)').choices(formats))
      .action((file: string, opts: StoreOptions & { format?: Format }) =>
        withContacts(opts, ({ contacts: c }) => {
          const report = c.import(opts.format ?? formatOf(file), readFileSync(file));
          if (opts.json) return report;
          return [`imported ${report.added} new, merged ${report.merged}`, ...report.problems.map((p) => `not read: ${p.at}: ${p.reason}`)].join('\n');
        }),
      ),
  );
  contacts.addCommand(
    withStoreOptions(new Command('export'))
      .description('every contact as vCard, to stdout or --output FILE')
      .option('-o, --output <file>', 'write here instead of stdout')
      .action((opts: StoreOptions & { output?: string }) =>
        withContacts(opts, ({ contacts: c }) => {
          const vcard = c.exportVcard();
          if (opts.output) {
            writeFileSync(opts.output, vcard);
            return opts.json ? { file: opts.output, bytes: Buffer.byteLength(vcard) } : `wrote ${opts.output}`;
          }
          return opts.json ? { vcard } : vcard.replace(/\r?\n$/, '');
        }),
      ),
  );
  contacts.addCommand(
    withStoreOptions(new Command('phonebook'))
      .description("the address book as a desk phone's remote phonebook XML")
      .addOption(new Option('--format <format>', 'the phone').choices(['yealink', 'snom', 'grandstream']).makeOptionMandatory())
      .action((opts: StoreOptions & { format: 'yealink' | 'snom' | 'grandstream' }) =>
        withContacts(opts, ({ contacts: c }) => {
          const xml = c.phonebook(opts.format);
          return opts.json ? { xml } : xml.replace(/\r?\n$/, '');
        }),
      ),
  );
  return contacts;
}
