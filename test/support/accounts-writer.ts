/**
 * Writes account state through the real store and then waits to be killed: `tsx accounts-writer.ts <dataDir>`.
 * Completes setup (the admin password), logs in once more and creates an API token, then prints
 * `WRITTEN <json>` (the password, the session cookie values and the token) and idles. Nothing is closed: the test kills it with
 * SIGKILL as soon as the line appears.
 */
import { systemClock } from '../../src/base/clock.js';
import { silentLogger } from '../../src/base/logger.js';
import { AccountService } from '../../src/accounts/index.js';
import { SqliteAccountRepository, Store } from '../../src/store/index.js';

const PASSWORD = 'correct horse battery';

const dataDir = process.argv[2];
if (!dataDir) throw new Error('usage: accounts-writer.ts <dataDir>');
const store = Store.open(dataDir);
const service = new AccountService({ repository: new SqliteAccountRepository(store), clock: systemClock, logger: silentLogger });
const setup = await service.completeSetup(service.issueSetupToken()!, PASSWORD);
const login = await service.login('127.0.0.1', PASSWORD);
const token = service.createApiToken('ci');
process.stdout.write(`WRITTEN ${JSON.stringify({ password: PASSWORD, sessions: [setup.token, login.token], token: token.token, tokenID: token.id })}\n`);
setInterval(() => undefined, 60_000);
