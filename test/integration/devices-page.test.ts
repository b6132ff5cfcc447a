/**
 * The web page Devices (issue 15, "Provisioning server": devices, enrollment, resync in the web UI) in Debian's
 * Chromium, against `hometel start` with `phones` and `provisioning` in its config: a phone seen before the start is
 * listed pending with what it said (MAC, vendor, model, where from); the Enroll form enrolls it to an extension
 * (from the phones API) and the store says so; the enrolled card shows its extensions, last fetch and last
 * notification; Resync reaches the provisioning service (resyncRequestedAt in the store the running hometel
 * reads); the secret shows on request only; a phone seen while the page is open appears without a reload; Remove
 * asks first. With HOMETEL_SCREENSHOTS=docs the page is photographed into docs/screenshots.
 */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { openPhones, openProvisioning, validateConfig, type HometelConfig } from '../../src/app/index.js';
import { silentLogger, systemClock } from '../../src/base/index.js';
import type { ProvisioningService } from '../../src/provisioning/index.js';
import { launchChromium, type TestBrowser } from '../support/browser.js';
import { lineOnlyConfig, photographPage, screenshotDir, setUpAdmin, startWebHometel, type WebHometel } from '../support/web.js';

const kitchenPhone = '001565a1b2c3';
const hallPhone = '000b82aa0102';
let running: WebHometel;
let config: HometelConfig;
let browser: TestBrowser;
let page: Page;

/** The provisioning service over the running hometel's store, opened in this process for a moment. */
function service<T>(f: (p: ProvisioningService) => T): T {
  const opened = openProvisioning(config, systemClock, silentLogger);
  try {
    return f(opened.provisioning);
  } finally {
    opened.close();
  }
}

before(async () => {
  running = await startWebHometel('hometel-devices-page-', (dir) => {
    const raw = {
      ...lineOnlyConfig(dir, 0),
      phones: { registrar: { host: '127.0.0.1', port: 0 } },
      // No TFTP and no plug and play in this test: the page is what it is about.
      provisioning: { tftpPort: false, plugAndPlay: false },
    };
    // Before the start, as `hometel phones add` and a phone's plug-and-play SUBSCRIBE would leave the store.
    config = validateConfig(raw);
    const phones = openPhones(config, systemClock, silentLogger);
    phones.phones.add({ number: '21', password: 'kitchen-secret-1', displayName: 'Kitchen' });
    phones.phones.add({ number: '22', password: 'hall-secret-01', displayName: 'Hall' });
    phones.close();
    service((p) => p.sighted({ mac: kitchenPhone, vendor: 'yealink', model: 'T46S', firmware: '66.86.0.15' }, { via: 'plug-and-play', address: '192.168.1.20' }));
    return raw;
  });
  browser = await launchChromium();
  page = (await browser.newPage()).page;
  await setUpAdmin(page, running.setupLink, 'a password for the devices');
  await page.click('nav >> text=Devices');
  await page.waitForSelector('h1:has-text("Devices")');
});

after(async () => {
  await browser?.close();
  await running?.hometel.stop();
});

const card = (mac: string): ReturnType<Page['locator']> => page.locator(`li.device[data-mac="${mac}"]`);

test('issue 15 Enrollment on the Devices page: a pending phone as it said, enrolled to an extension with the form, Resync reaches the service', async () => {
  await page.waitForSelector(`ul.pending li.device[data-mac="${kitchenPhone}"]`);
  assert.match((await card(kitchenPhone).textContent()) ?? '', /00:15:65:a1:b2:c3.*pending.*yealink T46S firmware 66\.86\.0\.15.*first seen .* via plug-and-play 192\.168\.1\.20/);
  const form = page.locator('form[aria-label="Enroll 00:15:65:a1:b2:c3"]');
  assert.deepEqual(await form.locator('select[name=extension] option').allTextContents(), ['choose…', '21 Kitchen', '22 Hall'], 'the extensions from the phones API');
  await form.locator('select[name=extension]').selectOption('21');
  await form.locator('button:has-text("Enroll")').click();
  await page.waitForSelector(`ul.enrolled li.device[data-mac="${kitchenPhone}"]`);
  assert.deepEqual(service((p) => [p.device(kitchenPhone)?.state, p.device(kitchenPhone)?.extensions]), ['enrolled', ['21']], 'enrolled in the store');
  assert.match((await card(kitchenPhone).textContent()) ?? '', /extensions 21 Kitchen.*last fetch: never.*last notification: none/);

  await card(kitchenPhone).locator('button:has-text("Resync")').click();
  await page.waitForSelector('.notice:has-text("Resync of 00:15:65:a1:b2:c3 asked for")');
  const asked = service((p) => p.device(kitchenPhone)?.resyncRequestedAt);
  assert.ok(asked !== undefined && asked > Date.now() - 60_000, 'the request reached the provisioning service');
  await card(kitchenPhone).locator('.tag.resync').waitFor();

  // The secret: on request only, and gone again when hidden.
  const secret = service((p) => p.deviceSecret(kitchenPhone)!);
  assert.ok(!(await page.content()).includes(secret), 'no secret on the page before it is asked for');
  await card(kitchenPhone).locator('button:has-text("Show secret")').click();
  await page.waitForSelector(`[aria-label="Secret of 00:15:65:a1:b2:c3"] >> text=${secret}`);
  assert.match((await page.textContent('[aria-label="Secret of 00:15:65:a1:b2:c3"]')) ?? '', new RegExp(`URL http://127\\.0\\.0\\.1:\\d+/provisioning/${secret}/.*Digest user ${kitchenPhone} password ${secret}`));
  await page.click('button:has-text("Hide the secret")');
  assert.ok(!(await page.content()).includes(secret), 'hidden again');

  // Files: the previews come from the configuration server; the page says when the hub renders none.
  await card(kitchenPhone).locator('button:has-text("Files")').click();
  await card(kitchenPhone).locator('.preview, p:has-text("No preview")').first().waitFor();
});

test('issue 15 Provisioning server on the Devices page: a phone seen while the page is open appears by itself with its last fetch and notification; Remove asks first', async () => {
  const now = Date.now();
  service((p) => {
    p.sighted({ mac: hallPhone, vendor: 'grandstream', model: 'GXP2170' }, { via: 'http', address: '192.168.1.31' });
    p.recordFetch(kitchenPhone, { at: now, address: '192.168.1.20', file: '001565a1b2c3.cfg', protocol: 'http', userAgent: 'Yealink SIP-T46S 66.86.0.15', outcome: 'served' });
    p.recordNotification(kitchenPhone, { at: now + 1, kind: 'check-sync', target: 'udp:192.168.1.20:5060', answer: '200 OK' });
  });
  // No click, no reload: the page refreshes itself.
  await page.waitForSelector(`ul.pending li.device[data-mac="${hallPhone}"]`, { timeout: 15_000 });
  await card(kitchenPhone).locator('text=/last fetch: .* http 001565a1b2c3\\.cfg from 192\\.168\\.1\\.20 \\(served\\)/').waitFor();
  await card(kitchenPhone).locator('text=/last notification: .* check-sync to udp:192\\.168\\.1\\.20:5060: 200 OK/').waitFor();
  await card(kitchenPhone).locator('.tag.resync').waitFor({ state: 'detached' });
  assert.match((await card(hallPhone).textContent()) ?? '', /00:0b:82:aa:01:02.*pending.*grandstream GXP2170.*via http 192\.168\.1\.31/);
  // The picture without the notices of the first test (they go after 6 s).
  await page.waitForSelector('.notice', { state: 'detached', timeout: 15_000 });
  await photographPage(page, await screenshotDir(join(running.hometel.dir, 'screenshots')), 'devices');

  page.once('dialog', (d) => void d.dismiss());
  await card(hallPhone).locator('button:has-text("Remove")').click();
  await page.waitForTimeout(300);
  assert.ok(service((p) => p.device(hallPhone)), 'a dismissed question removes nothing');
  page.once('dialog', (d) => {
    assert.match(d.message(), /Remove device 00:0b:82:aa:01:02\?/);
    void d.accept();
  });
  await card(hallPhone).locator('button:has-text("Remove")').click();
  await card(hallPhone).waitFor({ state: 'detached' });
  assert.equal(service((p) => p.device(hallPhone)), undefined);
});
