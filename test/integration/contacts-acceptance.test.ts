/**
 * Issue 12's acceptance through hometel as a user runs it: `hometel start` in its own process (a SIP line, the web
 * application, the number plan DE/30), the HTTP API with an API token, Debian's Chromium for the page, SIPp as the
 * caller, the TelCP library as a control point, and the CLI next to the running hometel.
 *
 * 1. A generated vCard file of 10,000 contacts (3.0 and 4.0 mixed, folded lines, non-ASCII names) and a FRITZ!Box
 *    phonebook are imported over HTTP: the counts match and the names come back through the vCard export.
 * 2. A call from a contact's number written another way (+49 30 … for a contact saved as 030 …) shows the contact's
 *    name in the CallInfo a TelCP receives, in the web popup and in the call log.
 * 3. A 50 MiB upload is refused with a clear error; a FRITZ!Box record that cannot be read is reported.
 * 4. The Yealink phonebook (fetched as a desk phone does, the token as HTTP Basic password) is well-formed XML
 *    (xmllint) and lists every contact with a number.
 */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { request } from 'node:http';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Page } from 'playwright-core';
import { parseVcard } from '../../src/contacts/formats/index.js';
import { TelephonyControlPoint, type CallView } from '../../src/telephony/control/index.js';
import { launchChromium, type TestBrowser } from '../support/browser.js';
import { runHometel } from '../support/hometel-process.js';
import { lo, testLogger } from '../support/net.js';
import { callingParty } from '../support/remote-party.js';
import { freeLoopbackPort } from '../support/sipp.js';
import { generateVcards } from '../support/vcard-generator.js';
import { lineOnlyConfig, photographPage, screenshotDir, sessionCookie, setUpAdmin, startWebHometel, type WebHometel } from '../support/web.js';

const fixtures = fileURLToPath(new URL('../fixtures/contacts/', import.meta.url));
let web: WebHometel;
let sipPort: number;
let browser: TestBrowser;
let page: Page;
let token: string;
let telcp: TelephonyControlPoint;

before(async () => {
  sipPort = await freeLoopbackPort();
  web = await startWebHometel('hometel-contacts-', (d) => ({ ...lineOnlyConfig(d, sipPort), numberPlan: { country: 'DE', areaCode: '30' } }));
  browser = await launchChromium();
  page = (await browser.newPage()).page;
  await setUpAdmin(page, web.setupLink, 'a password for the contacts');
  const made = await fetch(new URL('/api/tokens', web.url), {
    method: 'POST',
    headers: { cookie: await sessionCookie(page), origin: new URL(web.url).origin, 'content-type': 'application/json' },
    body: JSON.stringify({ label: 'contacts test' }),
  });
  token = ((await made.json()) as { token: string }).token;
  telcp = new TelephonyControlPoint({ interfaces: [lo], logger: testLogger('telcp'), mx: 1 });
  await telcp.start();
});

after(async () => {
  await telcp?.stop();
  await browser?.close();
  const log = await web?.hometel.stop();
  if (log !== undefined) assert.match(log, /stopping signal=SIGTERM/);
});

const api = (path: string, init: RequestInit = {}) => fetch(new URL(path, web.url), { ...init, headers: { authorization: `Bearer ${token}`, ...init.headers } });

interface Report {
  added: number;
  merged: number;
  problems: Array<{ at: string; reason: string }>;
}

test('acceptance 1: 10,000 generated vCards (3.0 and 4.0, folded, non-ASCII) and a FRITZ!Box phonebook import with matching counts; names round-trip through the export', async () => {
  const generated = generateVcards({ count: 10_000 });
  const r = await api('/api/contacts/import?format=vcard', { method: 'POST', headers: { 'content-type': 'text/vcard' }, body: generated.text });
  assert.equal(r.status, 200, await r.clone().text());
  const report = (await r.json()) as Report;
  assert.deepEqual(report.problems, []);
  assert.equal(report.added + report.merged, generated.contacts.length, 'every card is a contact, or merged into one with the same number');
  const fritz = await api('/api/contacts/import?format=fritzbox', { method: 'POST', headers: { 'content-type': 'application/xml' }, body: readFileSync(join(fixtures, 'fritzbox-phonebook.xml')) });
  const fritzReport = (await fritz.json()) as Report;
  assert.equal(fritzReport.added + fritzReport.merged, 6, 'the 6 readable contacts of the phonebook');
  assert.equal(fritzReport.problems.length, 1, 'the unreadable one is reported');
  assert.match(fritzReport.problems[0]!.at, /contact\[4\]/);
  const total = ((await (await api('/api/contacts?limit=1')).json()) as { total: number }).total;
  assert.equal(total, report.added + fritzReport.added);

  const exported = await api('/api/contacts/export.vcf');
  assert.match(exported.headers.get('content-type') ?? '', /text\/vcard/);
  const back = parseVcard(await exported.text());
  assert.deepEqual(back.problems, []);
  assert.equal(back.drafts.length, total);
  const names = new Set(back.drafts.map((d) => d.name));
  for (const c of generated.contacts) assert.ok(names.has(c.name), `${c.name} comes back from the export`);
  assert.ok(names.has('Oma Gerda'));
});

test("acceptance 2: a call from a contact's number written another way shows the contact's name to a TelCP, in the web popup and in the call log", async () => {
  const server = await telcp.waitForServer();
  const session = await telcp.openSession(server, { name: 'contacts-test' });
  const incoming = new Promise<CallView>((resolve) => session.once('incoming', resolve));
  // Oma Gerda is saved (FRITZ!Box) as 030 1234567; the caller's network sends +49301234567.
  const party = await callingParty({ remote: `${lo.address}:${sipPort}`, service: 'home', toneHz: 600, caller: '+49301234567', callerName: 'GERDA MOBILE' });
  try {
    const view = await incoming;
    assert.equal(view.info.remoteParty?.name, 'Oma Gerda', 'the CallInfo the TelCP receives names the contact');
    const popup = page.locator('.popup', { hasText: 'Oma Gerda' });
    await popup.waitFor({ timeout: 10_000 });
    assert.doesNotMatch((await popup.textContent()) ?? '', /caller ID/, 'a contact is not marked as caller ID');
    assert.match((await popup.textContent()) ?? '', /VIP/, 'the FRITZ!Box "important" category is a VIP');
    await popup.locator('button:has-text("Reject")').click();
    await popup.waitFor({ state: 'detached', timeout: 10_000 });
  } finally {
    await party.stop();
    await session.close();
  }
  await page.click('nav >> text=Call log');
  const row = page.locator('table.log tbody tr', { hasText: 'Oma Gerda' }).first();
  await row.waitFor();
  assert.match((await row.textContent()) ?? '', /incoming/);
});

/**
 * Starts a POST that declares `bytes` of vCard-looking data and sends its first MiB; resolves with the server's
 * answer, which comes before the rest would (as a browser sees it), then drops the upload.
 */
function uploadTooLarge(path: string, bytes: number): Promise<{ status: number; text: string }> {
  return new Promise((resolve, reject) => {
    const url = new URL(path, web.url);
    const req = request({ host: url.hostname, port: url.port, path: url.pathname + url.search, method: 'POST', headers: { authorization: `Bearer ${token}`, 'content-type': 'text/vcard', 'content-length': bytes } });
    let answered = false;
    req.on('response', (res) => {
      answered = true;
      let text = '';
      res.setEncoding('utf8');
      res.on('data', (d: string) => (text += d));
      res.on('end', () => {
        resolve({ status: res.statusCode ?? 0, text });
        req.destroy();
      });
    });
    req.on('error', (e) => (answered ? undefined : reject(e)));
    req.write(Buffer.alloc(1024 * 1024, 'BEGIN:VCARD\r\n'));
  });
}

test('acceptance 3: a vCard file with 5 malformed records among 100: 95 imported, the 5 reported with their line and reason', async () => {
  const generated = generateVcards({ count: 100, malformed: 5, seed: 4242 });
  const r = await api('/api/contacts/import?format=vcard', { method: 'POST', headers: { 'content-type': 'text/vcard' }, body: generated.text });
  const report = (await r.json()) as Report;
  assert.equal(report.added + report.merged, 95);
  assert.deepEqual(
    report.problems.map((p) => p.at),
    generated.malformed.map((m) => `line ${m.line}`),
  );
  for (const p of report.problems) assert.ok(p.reason.length > 10, `a reason is given: ${p.reason}`);
  // The page shows the address book and imports like this too.
  await page.click('nav >> text=Contacts');
  await page.fill('input[name=q]', 'Oma');
  await page.locator('.contact', { hasText: 'Oma Gerda' }).waitFor();
  await photographPage(page, await screenshotDir(join(web.hometel.dir, 'screenshots')), 'contacts');
});

test('acceptance 3: a 50 MiB upload is refused with a clear error, and nothing of it is imported', async () => {
  const before = ((await (await api('/api/contacts?limit=1')).json()) as { total: number }).total;
  // The server answers as soon as it sees the length, before the body has arrived: read its answer as a browser
  // would, while still sending.
  const { status, text } = await uploadTooLarge('/api/contacts/import?format=vcard', 50 * 1024 * 1024);
  assert.equal(status, 413);
  const body = JSON.parse(text) as { error: string; message: string };
  assert.equal(body.error, 'request.too-large');
  assert.match(body.message, /large/i);
  assert.equal(((await (await api('/api/contacts?limit=1')).json()) as { total: number }).total, before);
  assert.equal((await api('/api/contacts?limit=1')).status, 200, 'the server goes on');
});

test('acceptance 4: the Yealink phonebook, fetched with the token as HTTP Basic password, is well-formed XML listing every contact with a number', async () => {
  const basic = Buffer.from(`phone:${token}`).toString('base64');
  const r = await fetch(new URL('/api/phonebook/yealink', web.url), { headers: { authorization: `Basic ${basic}` } });
  assert.equal(r.status, 200);
  const xml = await r.text();
  const lint = await new Promise<{ code: number; stderr: string }>((resolve) => {
    const child = execFile('xmllint', ['--noout', '-'], (err, _out, stderr) => resolve({ code: err ? 1 : 0, stderr }));
    child.stdin!.end(xml);
  });
  assert.equal(lint.code, 0, lint.stderr);
  const total = ((await (await api('/api/contacts?limit=1')).json()) as { total: number }).total;
  assert.equal((xml.match(/<DirectoryEntry>/g) ?? []).length, total, 'every contact has a number here');
  assert.match(xml, /<Name>Oma Gerda<\/Name>/);
  assert.equal((await fetch(new URL('/api/phonebook/yealink', web.url))).status, 401, 'not without a token');
});

test('hometel contacts (CLI, next to the running hometel): list finds a contact by a number written any way, add and remove', async () => {
  const config = join(web.hometel.dir, 'hometel.json');
  const found = await runHometel(['contacts', 'list', '1234567', '--config', config, '--json']);
  assert.equal(found.code, 0, found.stderr);
  assert.ok((JSON.parse(found.stdout) as { contacts: Array<{ name: string }> }).contacts.some((c) => c.name === 'Oma Gerda'));
  const added = await runHometel(['contacts', 'add', 'Carla Test', '+49 30 7654321', '--vip', '--config', config, '--json']);
  assert.equal(added.code, 0, added.stderr);
  const { id } = JSON.parse(added.stdout) as { id: string };
  const lookup = (await (await api('/api/contacts?q=Carla')).json()) as { contacts: Array<{ id: string; vip?: boolean }> };
  assert.deepEqual(lookup.contacts.map((c) => [c.id, c.vip]), [[id, true]], 'the running hometel sees the CLI\'s contact');
  assert.equal((await runHometel(['contacts', 'remove', id, '--config', config])).code, 0);
  assert.equal((await runHometel(['contacts', 'remove', id, '--config', config])).code, 1);
});
