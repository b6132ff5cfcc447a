/**
 * The files service (issue 15 "Secrets only where they must be", "Templates"): common files without credentials,
 * a device's own file to its secret path or HTTP Digest only (RFC 7616 3.3, 3.4: MD5 and SHA-256, qop=auth, stale
 * nonces), the home networks only, path tricks refused without touching the disk, unknown devices listed pending,
 * the rendered files well-formed with escaped values, user templates read at every render, previews masked.
 */
import { test, type TestContext } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { digestAuthorization, parseChallenge, silentLogger } from '../../src/base/index.js';
import { openPhones, openProvisioning, validateConfig } from '../../src/app/index.js';
import { ProvisioningFiles, type FileAnswer, type FileRequest, type PhonebookSource } from '../../src/provisioning/index.js';
import { parseXml } from '../../src/upnp/index.js';
import { FakeClock } from '../support/fake-clock.js';

const mac = '001565a1b2c3';
const yealinkUa = `Yealink SIP-T46S 66.86.0.15 00:15:65:a1:b2:c3`;
const password = 'kitchen <&> "secret"';

function setup(t: TestContext, phonebook?: PhonebookSource) {
  const dataDir = mkdtempSync(join(tmpdir(), 'hometel-prov-files-'));
  const config = validateConfig({ dataDir, phones: { registrar: { port: 5090 } }, provisioning: {} });
  const clock = new FakeClock(1_700_000_000_000);
  const prov = openProvisioning(config, clock, silentLogger);
  const phones = openPhones(config, clock, silentLogger);
  t.after(() => {
    phones.close();
    prov.close();
    rmSync(dataDir, { recursive: true, force: true });
  });
  phones.phones.add({ number: '21', password, displayName: 'Kitchen & Hall' });
  const templatesDir = join(dataDir, 'templates');
  const files = new ProvisioningFiles({
    service: prov.provisioning,
    phones: phones.phones,
    registrar: { host: '192.168.1.2', port: 5060, transport: 'udp', realm: 'hometel' },
    baseUrl: () => 'http://192.168.1.2:8080/provisioning/',
    timeZone: 'Europe/Berlin',
    templatesDir,
    fromHome: (a) => a.startsWith('192.168.') || a === '127.0.0.1',
    clock,
    logger: silentLogger,
    ...(phonebook ? { phonebook } : {}),
  });
  return { service: prov.provisioning, phones: phones.phones, files, clock, templatesDir };
}

const get = (path: string, extra: Partial<FileRequest> = {}): FileRequest => ({ path, protocol: 'http', address: '192.168.1.20', userAgent: yealinkUa, ...extra });

function body(a: FileAnswer): string {
  assert.equal(a.kind, 'file', JSON.stringify(a));
  return (a as { body: Buffer }).body.toString('utf8');
}

/** The Authorization answering `answer`'s challenge of `algorithm` (as a phone computes it). */
function authorization(answer: FileAnswer, algorithm: 'MD5' | 'SHA-256', username: string, secret: string, uri: string): string {
  assert.equal(answer.kind, 'unauthorized');
  const challenges = (answer as { challenge: string }).challenge.split(/, (?=Digest )/).map((c) => parseChallenge(c)!);
  const challenge = challenges.find((c) => c.algorithm === algorithm)!;
  assert.deepEqual(challenge.qop, ['auth']);
  assert.equal(challenge.realm, 'hometel-provisioning');
  return digestAuthorization({ challenge, method: 'GET', uri, username, password: secret })!;
}

test('the common file carries no account and no secret; a device file needs its secret path or Digest (MD5, SHA-256)', async (t) => {
  const h = setup(t);
  h.service.add(mac, { extensions: ['21'] });
  const secret = h.service.deviceSecret(mac)!;
  const common = body(await h.files.fetch(get('y000000000000.cfg')));
  assert.match(common, /^#!version:1\.0\.0\.1\n/);
  assert.ok(!common.includes(secret) && !common.includes(password) && !common.includes('account.1'), common);

  const refused = await h.files.fetch(get(`${mac}.cfg`));
  assert.equal(refused.kind, 'unauthorized');
  for (const algorithm of ['SHA-256', 'MD5'] as const) {
    for (const [name, user] of [[`${mac}.cfg`, mac], ['001565A1B2C3.cfg', '001565A1B2C3'], ['00:15:65:a1:b2:c3.cfg', mac]] as const) {
      const header = authorization(await h.files.fetch(get(name)), algorithm, user, secret, `/provisioning/${name}`);
      const served = body(await h.files.fetch(get(name, { authorization: { header, method: 'GET' } })));
      assert.match(served, /^account\.1\.user_name = 21$/m);
      assert.match(served, /^account\.1\.password = kitchen <&> "secret"$/m, 'key = value files carry the password as it is');
      assert.match(served, /^account\.1\.sip_server\.1\.address = 192\.168\.1\.2$/m);
    }
  }
  body(await h.files.fetch(get(`${secret}/${mac}.cfg`)));
  const wrongSecret = await h.files.fetch(get(`${'x'.repeat(32)}/${mac}.cfg`));
  assert.equal(wrongSecret.kind, 'unauthorized');
  const wrongPassword = authorization(refused, 'MD5', mac, 'not-the-secret', `/provisioning/${mac}.cfg`);
  assert.equal((await h.files.fetch(get(`${mac}.cfg`, { authorization: { header: wrongPassword, method: 'GET' } }))).kind, 'unauthorized');
  // Another device's credentials, or credentials for another file, are no credentials for this one.
  h.service.sighted({ mac: '001565000001' }, { via: 'admin' });
  const other = authorization(refused, 'MD5', '001565000001', secret, `/provisioning/001565000001.cfg`);
  assert.equal((await h.files.fetch(get(`${mac}.cfg`, { authorization: { header: other, method: 'GET' } }))).kind, 'unauthorized');
  assert.equal(h.service.device(mac)?.lastFetch?.outcome, 'unauthorized');
});

test('RFC 7616 3.3: an old nonce with right credentials gets a new challenge marked stale', async (t) => {
  const h = setup(t);
  h.service.add(mac, { extensions: ['21'] });
  const secret = h.service.deviceSecret(mac)!;
  const header = authorization(await h.files.fetch(get(`${mac}.cfg`)), 'SHA-256', mac, secret, `/provisioning/${mac}.cfg`);
  h.clock.advance(301_000);
  const again = await h.files.fetch(get(`${mac}.cfg`, { authorization: { header, method: 'GET' } }));
  assert.equal(again.kind, 'unauthorized');
  assert.match((again as { challenge: string }).challenge, /stale=TRUE/);
});

test('outside the home networks nothing is served; path tricks are refused; unknown names are not found', async (t) => {
  const h = setup(t);
  assert.deepEqual(await h.files.fetch(get('y000000000000.cfg', { address: '203.0.113.9' })), { kind: 'forbidden', reason: 'outside the home networks' });
  for (const path of ['../../etc/passwd', '/etc/passwd', '..', 'a/../y000000000000.cfg', 'a\\..\\b', 'y000000000000.cfg\0', './y000000000000.cfg', 'a//b']) {
    assert.equal((await h.files.fetch(get(path))).kind, 'forbidden', path);
  }
  for (const path of ['', 'passwd', 'etc/passwd', 'a/b/y000000000000.cfg', 'hometel.json', 'provisioning.key', 'x%2f.cfg']) assert.equal((await h.files.fetch(get(path))).kind, 'not-found', path);
});

test('a device nobody knows that asks for its own file is listed pending with what its User-Agent said', async (t) => {
  const h = setup(t);
  assert.equal((await h.files.fetch(get(`${mac}.cfg`))).kind, 'unauthorized');
  const seen = h.service.device(mac)!;
  assert.equal(seen.state, 'pending');
  assert.equal(seen.vendor, 'yealink');
  assert.equal(seen.model, 'T46S');
  assert.equal(seen.firmware, '66.86.0.15');
  assert.equal(seen.firstSeenFrom, 'http 192.168.1.20');
  assert.equal(seen.lastFetch?.file, `${mac}.cfg`);
});

test('ETag: a strong hash of the body, the same while the file is, another when it changes', async (t) => {
  const h = setup(t);
  h.service.add(mac, { extensions: ['21'] });
  const secret = h.service.deviceSecret(mac)!;
  const a = await h.files.fetch(get(`${secret}/${mac}.cfg`));
  const b = await h.files.fetch(get(`${secret}/${mac}.cfg`));
  assert.equal(a.kind === 'file' && b.kind === 'file' && a.etag, b.kind === 'file' && b.etag);
  assert.match((a as { etag: string }).etag, /^"[A-Za-z0-9_-]{43}"$/);
  const before = await h.files.fingerprint(mac);
  h.phones.passwd('21', 'new-password-123');
  const c = await h.files.fetch(get(`${secret}/${mac}.cfg`));
  assert.notEqual((c as { etag: string }).etag, (a as { etag: string }).etag);
  assert.notEqual(await h.files.fingerprint(mac), before);
});

test('Snom, Grandstream, Polycom and generic files are well-formed XML with the account, values escaped', async (t) => {
  const h = setup(t);
  const devices = [
    { mac: '000413a1b2c3', template: 'snom' as const, name: '000413A1B2C3.xml', ua: 'Mozilla/4.0 (compatible; snomD735-SIP 10.1.73.16)', common: 'snomD735.xml' },
    { mac: '000b82aabbcc', template: 'grandstream' as const, name: 'cfg000b82aabbcc.xml', ua: 'Grandstream Model HW GXP2170 SW 1.0.11.3 DevId 000b82aabbcc', common: 'cfg.xml' },
    { mac: '0004f2a1b2c3', template: 'polycom' as const, name: '0004f2a1b2c3-phone.cfg', ua: 'FileTransport PolycomVVX-VVX_410-UA/5.9.0.9373 Type/Application', common: '000000000000.cfg' },
    { mac: '02aabbccddee', template: 'generic' as const, name: '02aabbccddee.xml', ua: 'curl/8', common: undefined },
  ];
  for (const d of devices) {
    h.service.add(d.mac, { extensions: ['21'], template: d.template });
    const secret = h.service.deviceSecret(d.mac)!;
    const text = body(await h.files.fetch(get(`${secret}/${d.name}`, { userAgent: d.ua })));
    const parsed = parseXml(text);
    assert.ok(parsed.ok, `${d.name}: ${parsed.ok ? '' : parsed.reason}\n${text}`);
    assert.ok(text.includes('kitchen &lt;&amp;&gt; &quot;secret&quot;'), `${d.name} carries the escaped password:\n${text}`);
    assert.ok(text.includes('Kitchen &amp; Hall'), d.name);
    assert.ok(/>21<|"21"/.test(text), `${d.name} carries the extension`);
    if (d.common) {
      const common = body(await h.files.fetch(get(d.common, { userAgent: d.ua })));
      assert.ok(parseXml(common).ok, d.common);
      assert.ok(!common.includes(secret) && !common.includes('kitchen'), `${d.common} carries no secret`);
    }
  }
});

test('a user template overrides the built-in one at the next render; previews mask every secret', async (t) => {
  const h = setup(t);
  h.service.add(mac, { extensions: ['21'], vendor: 'yealink' });
  const secret = h.service.deviceSecret(mac)!;
  const preview = await h.files.preview(mac);
  assert.deepEqual(preview.map((p) => p.name), ['y000000000000.cfg', `${mac}.cfg`]);
  const own = preview[1]!.body;
  assert.ok(!own.includes(secret) && !own.includes(password), own);
  assert.match(own, /^account\.1\.password = \*{8}$/m);
  assert.match(own, /^static\.auto_provision\.server\.password = \*{8}$/m);
  mkdirSync(h.templatesDir, { recursive: true });
  writeFileSync(join(h.templatesDir, 'yealink-device.cfg.mustache'), '#!version:1.0.0.1\n## mine\n{{#accounts}}account.{{index}}.user_name = {{{userName}}}\n{{/accounts}}');
  assert.equal(body(await h.files.fetch(get(`${secret}/${mac}.cfg`))), '#!version:1.0.0.1\n## mine\naccount.1.user_name = 21\n');
  writeFileSync(join(h.templatesDir, 'yealink-device.cfg.mustache'), '{{#accounts}broken');
  assert.match(body(await h.files.fetch(get(`${secret}/${mac}.cfg`))), /^account\.1\.enable = 1$/m, 'a template that does not parse leaves the built-in one');
});

test("the home's phonebook: a Yealink's file names it behind its secret path; it is served like the device's own file, and an update changes the fingerprint", async (t) => {
  let book = '<YealinkIPPhoneDirectory><DirectoryEntry><Name>Anna</Name><Telephone>0301234</Telephone></DirectoryEntry></YealinkIPPhoneDirectory>';
  const h = setup(t, () => book);
  h.service.add(mac, { extensions: ['21'], vendor: 'yealink' });
  h.service.add('000b82aabbcc', { extensions: ['21'], vendor: 'grandstream' });
  const secret = h.service.deviceSecret(mac)!;
  const own = body(await h.files.fetch(get(`${secret}/${mac}.cfg`)));
  const url = `http://192.168.1.2:8080/provisioning/${secret}/${mac}-phonebook.xml`;
  assert.match(own, new RegExp(`^remote_phonebook\\.data\\.1\\.url = ${url.replace(/[./]/g, '\\$&')}$`, 'm'));
  assert.equal(body(await h.files.fetch(get(`${secret}/${mac}-phonebook.xml`))), book);
  assert.equal((await h.files.fetch(get(`${mac}-phonebook.xml`))).kind, 'unauthorized', 'not without the secret');
  assert.equal((await h.files.fetch(get(`wrong${secret.slice(5)}/${mac}-phonebook.xml`))).kind, 'unauthorized');
  const gs = h.service.deviceSecret('000b82aabbcc')!;
  assert.equal((await h.files.fetch(get(`${gs}/000b82aabbcc-phonebook.xml`))).kind, 'not-found', 'no phonebook where the template names none');
  const before = await h.files.fingerprint(mac);
  book = book.replace('Anna', 'Ben');
  assert.notEqual(await h.files.fingerprint(mac), before, 'a phonebook update is a change the phone is told about');
});

test('without a phonebook the Yealink file names none and the name is not found', async (t) => {
  const h = setup(t);
  h.service.add(mac, { extensions: ['21'], vendor: 'yealink' });
  const secret = h.service.deviceSecret(mac)!;
  assert.doesNotMatch(body(await h.files.fetch(get(`${secret}/${mac}.cfg`))), /remote_phonebook/);
  assert.equal((await h.files.fetch(get(`${secret}/${mac}-phonebook.xml`))).kind, 'not-found');
});
