/**
 * `hometel web …`: the web application's accounts from the shell of the machine that holds hometel's store (which
 * is what makes these safe without a password): a new setup link when the admin password is lost, and the API
 * tokens. They work while `hometel start` runs (the store is shared safely) or without it.
 */
import { Command } from 'commander';
import { loadConfig, openAccounts, setupLink, type OpenAccounts } from '../../app/index.js';
import { createLogger, errorMessage, systemClock } from '../../base/index.js';

interface WebOptions {
  config?: string;
  dataDir?: string;
  json?: boolean;
}

function withStoreOptions(c: Command): Command {
  return c
    .option('-c, --config <file>', 'the JSON config file hometel start uses (its dataDir and web address)')
    .option('-d, --data-dir <dir>', 'where the store lives (default: the config\'s, else ./data)')
    .option('--json', 'machine-readable output');
}

/** Runs `f` with the accounts of the configured store; prints errors as the other commands do (exit 1). */
async function withAccounts(opts: WebOptions, f: (a: OpenAccounts) => unknown): Promise<void> {
  let open: OpenAccounts | undefined;
  try {
    const config = loadConfig(opts.config);
    // Warnings only: the account service logs what it did (never a secret) on stderr.
    const logger = createLogger({ level: 'warn', component: 'hometel' });
    open = openAccounts(opts.dataDir ? { ...config, dataDir: opts.dataDir } : config, systemClock, logger);
    const out = await f(open);
    process.stdout.write(opts.json ? `${JSON.stringify(out)}\n` : typeof out === 'string' ? `${out}\n` : '');
  } catch (e) {
    process.exitCode = 1;
    if (opts.json) process.stdout.write(`${JSON.stringify({ error: { message: errorMessage(e) } })}\n`);
    else process.stderr.write(`hometel web: ${errorMessage(e)}\n`);
  } finally {
    open?.close();
  }
}

export function webCommand(): Command {
  const web = new Command('web').description("the web application's accounts: a new setup link, API tokens");
  web.addCommand(
    withStoreOptions(new Command('reset-password'))
      .description('forget the admin password and end every session; prints a new one-time setup link (API tokens stay)')
      .action((opts: WebOptions) =>
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
      .action((opts: WebOptions) =>
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
      .action((id: string, opts: WebOptions) =>
        withAccounts(opts, ({ accounts }) => {
          if (!accounts.revokeApiToken(id)) throw new Error(`no API token ${id}`);
          return opts.json ? { revoked: id } : `API token ${id} revoked`;
        }),
      ),
  );
  return web;
}

