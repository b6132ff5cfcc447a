/**
 * The web page Rules (seed 004 2.2 3 vi) in Debian's Chromium: a rule added with the form is in the store and
 * decides; a bad pattern shows the hub's message and stores nothing; remove; DND switched on with its action from
 * the page is what the rule book uses; a rule the CLI added shows on reload. The web server runs in this process on
 * a free loopback port, over a store in a temporary directory (the same rule book `hometel start` serves). With
 * HOMETEL_SCREENSHOTS=docs the page is photographed into docs/screenshots.
 */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { AccountService } from '../../src/accounts/index.js';
import { systemClock } from '../../src/base/index.js';
import { HomeConsole } from '../../src/console/index.js';
import { TelephonyControlPoint } from '../../src/telephony/control/index.js';
import { createWebServer, type WebServer } from '../../src/web/index.js';
import { openRules, setupLink } from '../../src/app/index.js';
import type { RuleBook } from '../../src/callhandling/index.js';
import { Store } from '../../src/store/index.js';
import { launchChromium, type TestBrowser } from '../support/browser.js';
import { MemoryAccountRepository } from '../support/memory-account-repository.js';
import { testLogger } from '../support/net.js';
import { photographPage, screenshotDir, setUpAdmin } from '../support/web.js';

const plan = { numberPlan: { country: 'DE', areaCode: '30' } };
let dir: string;
let store: Store;
let rules: RuleBook;
let web: WebServer;
let url: string;
let browser: TestBrowser;
let page: Page;

before(async () => {
  dir = mkdtempSync(join(tmpdir(), 'hometel-rules-page-'));
  store = Store.open(dir);
  rules = openRules(store, plan);
  const logger = testLogger('web');
  const accounts = new AccountService({ repository: new MemoryAccountRepository(), clock: systemClock, logger, scrypt: { log2N: 10, r: 8, p: 1 } });
  const home = new HomeConsole({ telcp: new TelephonyControlPoint({ logger, interfaces: [] }), telCPName: 'rules-page', clock: systemClock, logger });
  web = await createWebServer({ accounts, console: home, rules, browserClients: { add: () => Promise.reject(new Error('no browsers here')) }, clock: systemClock, logger });
  url = `${(await web.listen('127.0.0.1', 0)).replace(/\/$/, '')}/`;
  browser = await launchChromium();
  page = (await browser.newPage()).page;
  await setUpAdmin(page, setupLink(url, accounts.issueSetupToken()!), 'a password for the rules');
  await page.click('nav >> text=Rules');
  await page.waitForSelector('h1:has-text("Rules")');
});

after(async () => {
  await browser?.close();
  await web?.close();
  store?.close();
  rmSync(dir, { recursive: true, force: true });
});

const monday7pm = new Date(2026, 11, 7, 19).getTime();
const stranger = { address: '+49 30 1234567', anonymous: false, known: false, vip: false, blocked: false, groups: [] };

test('seed 004 2.2 3 vi on the Rules page: a rule added with the form decides; a bad pattern shows why and stores nothing; remove', async () => {
  await page.selectOption('select[name=match]', 'number');
  await page.fill('input[name=pattern]', '030*');
  await page.selectOption('form.editor select[name=action]', 'reject');
  await page.selectOption('form.editor select[name=status]', '486');
  await page.click('button:has-text("Add rule")');
  await page.waitForSelector('li.rule:has-text("number 030*")');
  assert.match(await page.textContent('li.rule:has-text("number 030*")') ?? '', /reject \(486\)/);
  const [rule] = rules.list();
  assert.deepEqual([rule?.match, rule?.action], [{ kind: 'number', pattern: '030*' }, { kind: 'reject', status: 486 }]);
  assert.equal(rules.evaluate(stranger, monday7pm)?.decidedBy, `rule:${rule!.id}`);

  await page.fill('input[name=pattern]', '030 12x*');
  await page.click('button:has-text("Add rule")');
  await page.waitForSelector('.notice:has-text("is malformed")');
  assert.equal(rules.list().length, 1, 'nothing stored');

  await page.click('li.rule:has-text("number 030*") >> button:has-text("Remove")');
  await page.waitForSelector('li.rule', { state: 'detached' });
  assert.equal(rules.list().length, 0);
});

test('seed 004 2.2 3 vi on the Rules page: DND on with its action, VIPs ring; a rule the CLI added shows on reload', async () => {
  const dnd = page.locator('section.dnd');
  await dnd.locator('select[name=action]').selectOption('forward');
  await dnd.locator('input[name=target]').fill('sip:voicemail@provider.example');
  await dnd.locator('button:has-text("Set the DND action")').click();
  await page.waitForSelector('section.dnd >> text=now: forward to sip:voicemail@provider.example');
  // click, not check(): the box follows the hub's answer, not the click.
  await dnd.locator('input[name=dnd-on]').click();
  await page.waitForSelector('section.dnd >> text=active now');
  assert.deepEqual(rules.dnd(), { on: true, action: { kind: 'forward', target: 'sip:voicemail@provider.example' }, vipRings: true, schedules: [] });
  assert.equal(rules.evaluate(stranger, monday7pm)?.decidedBy, 'dnd');
  assert.equal(rules.evaluate({ ...stranger, known: true, vip: true }, monday7pm), undefined, 'a VIP rings');

  // `hometel rules add` in another process: another connection to the store.
  const cli = Store.open(dir);
  openRules(cli, plan).add({ match: { kind: 'group', group: 'Family' }, action: { kind: 'ring', targetNames: ['tv'] } });
  cli.close();
  await page.reload();
  await page.waitForSelector('li.rule:has-text("group Family")');
  // A weekday window two hours from now: switching DND off below then leaves it inactive at whatever hour the test
  // runs (a fixed 22:00–07:00 made it active by schedule when run in the evening).
  const hour = (h: number): string => `${String(h % 24).padStart(2, '0')}:00`;
  const [from, to] = [hour(new Date().getHours() + 2), hour(new Date().getHours() + 3)];
  rules.setDnd({ schedules: [{ days: [1, 2, 3, 4, 5], from, to }] });
  await page.reload();
  await page.waitForSelector(`section.dnd >> text=Mon Tue Wed Thu Fri ${from}–${to}`);
  await photographPage(page, await screenshotDir(join(dir, 'screenshots')), 'rules');
  await dnd.locator('input[name=dnd-on]').click();
  await page.waitForSelector('section.dnd >> text=inactive');
  assert.equal(rules.dnd().on, false);
});
