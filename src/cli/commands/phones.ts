/**
 * `hometel phones …`: the extensions of the home's phones from the shell (issue 14) — add, list, remove, change a
 * password, and the devices registered now. Every command has --json. The realm is the registrar's
 * (`phones.registrar.realm`, default `hometel` also while `phones` is off), so extensions can be made before the
 * registrar is switched on. A password is never printed; `--password -` reads it from stdin.
 */
import { Command } from 'commander';
import { openPhones, type OpenPhones } from '../../app/index.js';
import { onStore, withStoreOptions, type StoreOptions } from './store-command.js';

const withPhones = (opts: StoreOptions, f: (p: OpenPhones) => unknown): Promise<void> => onStore('phones', opts, openPhones, f);

const passwordHelp = "the extension's password (8 to 128 characters); `-` reads it from the first line of stdin, so it is not in the process list or the shell history";

/** The password as given, or stdin's first line for `-` (a pipe or a terminal, read to its end). */
async function passwordOf(given: string | undefined): Promise<string> {
  if (given === undefined) throw new Error('give --password PW (or --password - to read it from stdin)');
  if (given !== '-') return given;
  const chunks: Buffer[] = [];
  for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8').split(/\r?\n/)[0] ?? '';
}

const plural = (n: number, what: string): string => `${n} ${what}${n === 1 ? '' : 's'}`;

export function phonesCommand(): Command {
  const phones = new Command('phones')
    .description("the home's phones: extensions (number, name, user, password) and the devices registered now")
    .addHelpText(
      'after',
      '\nA phone registers with hometel (the config\'s "phones" section, port 5060 by default) with the extension number as its\n' +
        'user name and the password given here. Only the Digest HA1 values for the realm phones.registrar.realm (default\n' +
        '"hometel", also while "phones" is off) are stored, never the password: changing the realm needs a new passwd.',
    );
  phones.addCommand(
    withStoreOptions(new Command('add'))
      .description('add an extension: hometel phones add 21 --name Kitchen --password - (a phone then registers as user 21)')
      .argument('<number>', 'the extension number: 2 to 6 digits, not starting with 0')
      .option('--password <pw>', passwordHelp)
      .option('--name <name>', 'its display name')
      .option('--user <user>', 'the person it belongs to')
      .action((number: string, opts: StoreOptions & { password?: string; name?: string; user?: string }) =>
        withPhones(opts, async ({ phones: p }) => {
          const added = p.add({ number, password: await passwordOf(opts.password), ...(opts.name !== undefined ? { displayName: opts.name } : {}), ...(opts.user !== undefined ? { user: opts.user } : {}) });
          return opts.json ? added : `added extension ${added.number}`;
        }),
      ),
  );
  phones.addCommand(
    withStoreOptions(new Command('list'))
      .description('the extensions with their names, users and registered devices')
      .action((opts: StoreOptions) =>
        withPhones(opts, ({ phones: p }) => {
          const all = p.list();
          if (opts.json) return { extensions: all };
          const lines = all.map((e) => `${e.number}  ${e.displayName ?? '-'}  ${e.user ?? '-'}  ${plural(e.registrations, 'device')}`);
          return [...lines, plural(all.length, 'extension')].join('\n');
        }),
      ),
  );
  phones.addCommand(
    withStoreOptions(new Command('remove'))
      .description('remove an extension and its registrations')
      .argument('<number>', 'the extension number')
      .action((number: string, opts: StoreOptions) =>
        withPhones(opts, ({ phones: p }) => {
          p.remove(number);
          return opts.json ? { removed: number } : `removed extension ${number}`;
        }),
      ),
  );
  phones.addCommand(
    withStoreOptions(new Command('passwd'))
      .description("change an extension's password (its phones must then register with the new one)")
      .argument('<number>', 'the extension number')
      .option('--password <pw>', passwordHelp)
      .action((number: string, opts: StoreOptions & { password?: string }) =>
        withPhones(opts, async ({ phones: p }) => {
          p.passwd(number, await passwordOf(opts.password));
          return opts.json ? { changed: number } : `changed the password of extension ${number}`;
        }),
      ),
  );
  phones.addCommand(
    withStoreOptions(new Command('registrations'))
      .description('the devices registered now, of every extension or of NUMBER')
      .argument('[number]', 'only this extension')
      .action((number: string | undefined, opts: StoreOptions) =>
        withPhones(opts, ({ phones: p }) => {
          const all = p.registrations(number);
          if (opts.json) return { registrations: all };
          const lines = all.map((r) => `${r.extension}  ${r.contact}  from ${r.source}  until ${new Date(r.expiresAt).toISOString()}${r.userAgent !== undefined ? `  ${r.userAgent}` : ''}`);
          return [...lines, plural(all.length, 'device')].join('\n');
        }),
      ),
  );
  return phones;
}
