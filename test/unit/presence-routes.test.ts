/** GET /api/presence through fastify's inject: every extension's and user's presence, behind the login like every route. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { AccountService } from '../../src/accounts/index.js';
import { createLogger, silentLogger, systemClock } from '../../src/base/index.js';
import { HomeConsole } from '../../src/console/index.js';
import { DialogBook, PresenceService } from '../../src/phones/index.js';
import { TelephonyControlPoint } from '../../src/telephony/control/index.js';
import { createWebServer } from '../../src/web/index.js';
import type { PresenceListBody } from '../../src/web/presence-schemas.js';
import { MemoryAccountRepository } from '../support/memory-account-repository.js';
import { binding, ManualDnd, MemoryDirectory } from '../support/phone-fakes.js';

const origin = 'http://hub.test';
const host = 'hub.test';

test('issue 14 presence API: each extension\'s and user\'s presence; not without a login', async () => {
  const directory = new MemoryDirectory();
  directory.add('21', { displayName: 'Kitchen', user: 'anna' });
  directory.add('22');
  const dialogs = new DialogBook();
  const dnd = new ManualDnd();
  const presence = new PresenceService({ directory, dialogs, dnd, logger: silentLogger });
  const accounts = new AccountService({ repository: new MemoryAccountRepository(), clock: systemClock, logger: silentLogger, scrypt: { log2N: 10, r: 8, p: 1 } });
  const logger = createLogger({ level: 'silent' });
  const home = new HomeConsole({ telcp: new TelephonyControlPoint({ logger, interfaces: [] }), telCPName: 'web-test', clock: systemClock, logger });
  const web = await createWebServer({ accounts, console: home, presence, browserClients: { add: () => Promise.reject(new Error('no browsers here')) }, clock: systemClock, logger });
  try {
    assert.equal((await web.app.inject({ method: 'GET', url: '/api/presence', headers: { host, origin } })).statusCode, 401);
    const setup = await web.app.inject({ method: 'POST', url: '/api/setup', headers: { host, origin }, payload: { token: accounts.issueSetupToken()!, password: 'a long enough password' } });
    const cookie = `hometel_session=${setup.cookies.find((c) => c.name === 'hometel_session')!.value}`;
    directory.setBindings('21', [binding('21', 5070)]);
    dialogs.report('21', { id: 'c1', direction: 'recipient', state: 'early', remote: { identity: '+4930123' } });
    const res = await web.app.inject({ method: 'GET', url: '/api/presence', headers: { host, origin, cookie } });
    assert.equal(res.statusCode, 200);
    assert.deepEqual(res.json<PresenceListBody>(), {
      extensions: [
        { number: '21', displayName: 'Kitchen', user: 'anna', state: 'ringing', registrations: 1, dialogs: [{ id: 'c1', direction: 'recipient', state: 'early', remote: { identity: '+4930123' } }] },
        { number: '22', state: 'offline', registrations: 0, dialogs: [] },
      ],
      users: [{ user: 'anna', state: 'ringing', extensions: ['21'] }],
    });
  } finally {
    await web.close();
    presence.close();
  }
});
