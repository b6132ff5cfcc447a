/**
 * `hometel web …`: the web application's accounts from the shell of the machine that holds hometel's store (which
 * is what makes these safe without a password): a new setup link when the admin password is lost, and the API
 * tokens. They work while `hometel start` runs (the store is shared safely) or without it.
 */
import { Command } from 'commander';
import { openAccounts, setupLink, type OpenAccounts } from '../../app/index.js';
import { onStore, withStoreOptions, type StoreOptions } from './store-command.js';

const withAccounts = (opts: StoreOptions, f: (a: OpenAccounts) => unknown): Promise<void> => onStore('web', opts, openAccounts, f);

export function webCommand(): Command {
  const web = new Command('web').description("the web application's accounts: a new setup link, API tokens");
  web.addCommand(
    withStoreOptions(new Command('reset-password'))
      .description('forget the admin password and end every session; prints a new one-time setup link (API tokens stay)')
      .action((opts: StoreOptions) =>
        withAccounts(opts, ({ accounts, baseUrl }) => {
          const token = accounts.resetPassword();
          const link = setupLink(baseUrl, token);
          return opts.json ? { setupLink: link } : `Open ${link} to set a new admin password (the link works once).`;
        }),
      ),
  );
  web.addCommand(
    withStoreOptions(new Command('tokens'))
      .description('list the API tokens (never their secrets)')
      .action((opts: StoreOptions) =>
        withAccounts(opts, ({ accounts }) => {
          const tokens = accounts.listApiTokens();
          if (opts.json) return tokens;
          return tokens.map((t) => `${t.id}  ${t.label}  made ${new Date(t.created).toISOString()}${t.lastUsed ? `  used ${new Date(t.lastUsed).toISOString()}` : ''}`).join('\n') || 'no API tokens';
        }),
      ),
  );
  web.addCommand(
    withStoreOptions(new Command('revoke-token'))
      .description('revoke an API token by its id (from `hometel web tokens`)')
      .argument('<id>', 'the token id')
      .action((id: string, opts: StoreOptions) =>
        withAccounts(opts, ({ accounts }) => {
          if (!accounts.revokeApiToken(id)) throw new Error(`no API token ${id}`);
          return opts.json ? { revoked: id } : `API token ${id} revoked`;
        }),
      ),
  );
  return web;
}

