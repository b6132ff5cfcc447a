/**
 * The web page Phones (issue 14, "Extensions") in Debian's Chromium: an extension added with the form is in the store
 * as its HA1 values and listed; passwords that differ and a bad number are refused with a message and store nothing;
 * a registered device shows with its contact, source and user agent; each extension's and person's presence shows
 * (offline, available, on a call); the password is changed; remove asks first. The
 * web server runs in this process on a free loopback port over the phones service on a store in a temporary
 * directory (what `hometel start` serves). With HOMETEL_SCREENSHOTS=docs the page is photographed into docs/screenshots.
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
import { setupLink } from '../../src/app/index.js';
import { phonesOver } from '../../src/app/phones-admin.js';
import { DialogBook, ha1, PresenceService, type PhonesService } from '../../src/phones/index.js';
import { SqliteBindingRepository, SqliteExtensionRepository, Store } from '../../src/store/index.js';
import { launchChromium, type TestBrowser } from '../support/browser.js';
import { MemoryAccountRepository } from '../support/memory-account-repository.js';
import { testLogger } from '../support/net.js';
import { photographPage, screenshotDir, setUpAdmin } from '../support/web.js';

let dir: string;
let store: Store;
let extensions: SqliteExtensionRepository;
let phones: PhonesService;
/** What the phones' calls report (the busy lamps' source): presence reads it. */
const dialogs = new DialogBook();
let web: WebServer;
let browser: TestBrowser;
let page: Page;

before(async () => {
  dir = mkdtempSync(join(tmpdir(), 'hometel-phones-page-'));
  store = Store.open(dir);
  extensions = new SqliteExtensionRepository(store);
  const logger = testLogger('web');
  const accounts = new AccountService({ repository: new MemoryAccountRepository(), clock: systemClock, logger, scrypt: { log2N: 10, r: 8, p: 1 } });
  const home = new HomeConsole({ telcp: new TelephonyControlPoint({ logger, interfaces: [] }), telCPName: 'phones-page', clock: systemClock, logger });
  phones = phonesOver(store, 'hometel', systemClock, logger);
  const presence = new PresenceService({ directory: phones, dialogs, dnd: { dnd: () => false, onChange: () => () => {} }, logger });
  web = await createWebServer({ accounts, console: home, phones, presence, browserClients: { add: () => Promise.reject(new Error('no browsers here')) }, clock: systemClock, logger });
  const url = `${(await web.listen('127.0.0.1', 0)).replace(/\/$/, '')}/`;
  browser = await launchChromium();
  page = (await browser.newPage()).page;
  await setUpAdmin(page, setupLink(url, accounts.issueSetupToken()!), 'a password for the phones');
  await page.click('nav >> text=Phones');
  await page.waitForSelector('h1:has-text("Phones")');
});

after(async () => {
  await browser?.close();
  await web?.close();
  store?.close();
  rmSync(dir, { recursive: true, force: true });
});

const form = (): ReturnType<Page['locator']> => page.locator('form[aria-label="New extension"]');

async function addOnPage(number: string, name: string, user: string, password: string, again = password): Promise<void> {
  if ((await form().count()) === 0) await page.click('button:has-text("New extension")');
  await form().locator('input[name=number]').fill(number);
  await form().locator('input[name=name]').fill(name);
  await form().locator('input[name=user]').fill(user);
  await form().locator('input[name=password]').fill(password);
  await form().locator('input[name=again]').fill(again);
  // The keyboard's way: Enter in the last field submits the form.
  await form().locator('input[name=again]').press('Enter');
}

test('issue 14 Extensions on the Phones page: add (listed, stored as HA1 only); differing passwords and a bad number refused, nothing stored', async () => {
  await addOnPage('21', 'Kitchen', 'anna', 'kitchen-secret-1');
  await page.waitForSelector('li.extension[data-number="21"]:has-text("Kitchen")');
  assert.match(await page.textContent('li.extension[data-number="21"]') ?? '', /Kitchen.*not registered.*belongs to anna/);
  const stored = extensions.get('21');
  assert.deepEqual([stored?.displayName, stored?.user, stored?.ha1Md5, stored?.ha1Sha256], ['Kitchen', 'anna', ha1('md5', '21', 'hometel', 'kitchen-secret-1'), ha1('sha256', '21', 'hometel', 'kitchen-secret-1')]);
  assert.equal(await form().count(), 0, 'the form (and the password in it) is gone');

  await addOnPage('22', 'Hall', '', 'hall-secret-1', 'hall-secret-2');
  await page.waitForSelector('.notice:has-text("The passwords differ.")');
  await addOnPage('022', 'Hall', '', 'hall-secret-1');
  await page.waitForSelector('.notice:has-text("extension number \\"022\\": 2 to 6 digits, not starting with 0")');
  await form().locator('input[name=number]').fill('22');
  await form().locator('input[name=password]').fill('short');
  await form().locator('input[name=again]').fill('short');
  await form().locator('button:has-text("Add extension")').click();
  await page.waitForSelector('.notice:has-text("a password has 8 to 128 characters")');
  assert.deepEqual(extensions.list().map((e) => e.number), ['21'], 'nothing else stored');
});

test('issue 14 Extensions and Presence on the Phones page: a registered device is shown with each presence; change the password; remove asks first', async () => {
  const now = Date.now();
  new SqliteBindingRepository(store).replace('21', [
    { extension: '21', contact: 'sip:21@192.168.1.20:5062;transport=udp', expiresAt: now + 3_600_000, callId: 'reg-1', cseq: 3, source: { transport: 'udp', address: '192.168.1.20', port: 5062 }, userAgent: 'Yealink SIP-T46U 108.86', registeredAt: now },
  ]);
  await page.click('button:has-text("Refresh")');
  await page.waitForSelector('li.extension[data-number="21"] >> text=1 device registered');
  // One more, as `hometel phones add` would make it, for the picture.
  phones.add({ number: '22', password: 'hall-secret-1', displayName: 'Living room DECT' });
  await page.reload();
  await page.waitForSelector('li.device');
  await page.waitForSelector('li.extension[data-number="22"] >> text=not registered');
  // Presence (issue 14 "shown in the web UI"): registered and idle, no device; then 21 on a call, and so its user.
  assert.equal(await page.getAttribute('li.extension[data-number="21"] .presence', 'data-presence'), 'available');
  assert.equal(await page.getAttribute('li.extension[data-number="22"] .presence', 'data-presence'), 'offline');
  dialogs.report('21', { id: 'call-1', direction: 'recipient', state: 'confirmed', remote: { identity: 'sip:+4940555@hometel' } });
  await page.click('button:has-text("Refresh")');
  await page.waitForSelector('li.extension[data-number="21"] .presence-on-the-phone:has-text("on a call")');
  await page.waitForSelector('li.person[data-user="anna"] .presence-on-the-phone');
  const device = await page.textContent('li.device');
  assert.match(device ?? '', /21.*sip:21@192\.168\.1\.20:5062;transport=udp.*from udp:192\.168\.1\.20:5062.*Yealink SIP-T46U 108\.86/);
  await photographPage(page, await screenshotDir(join(dir, 'screenshots')), 'phones');
  dialogs.report('21', { id: 'call-1', direction: 'recipient', state: 'terminated' });

  const card = page.locator('li.extension[data-number="21"]');
  // With the keyboard: the button, then the password field has the focus, Tab to the repetition, Enter saves.
  await card.locator('button:has-text("Change password")').focus();
  await page.keyboard.press('Enter');
  await page.waitForSelector('li.extension[data-number="21"] input[name=password]:focus');
  await page.keyboard.type('kitchen-secret-2');
  await page.keyboard.press('Tab');
  await page.keyboard.type('kitchen-secret-2');
  await page.keyboard.press('Enter');
  await page.waitForSelector('.notice:has-text("Extension 21 has a new password")');
  assert.equal(extensions.get('21')?.ha1Md5, ha1('md5', '21', 'hometel', 'kitchen-secret-2'));
  assert.ok(!(await page.content()).includes('kitchen-secret'), 'no password left on the page');

  page.once('dialog', (d) => void d.dismiss());
  await card.locator('button:has-text("Remove")').click();
  await page.waitForTimeout(300);
  assert.ok(extensions.get('21'), 'a dismissed question removes nothing');
  page.once('dialog', (d) => {
    assert.match(d.message(), /Remove extension 21 \(Kitchen\)\?/);
    void d.accept();
  });
  await card.locator('button:has-text("Remove")').click();
  await page.waitForSelector('li.extension[data-number="21"]', { state: 'detached' });
  await page.waitForSelector('text=No phone is registered now.');
  assert.deepEqual(extensions.list().map((e) => e.number), ['22']);
  assert.deepEqual(new SqliteBindingRepository(store).list(), [], 'its registrations went with it');
});
