/**
 * Acceptance 2 of issue 15 against `hometel start`, with the real curl: a Yealink downloads its common file and,
 * with its credentials (HTTP Digest, RFC 7616), its own `{mac}.cfg` (MAC upper and lower case, with and without
 * separators); without them its file is 401 with a Digest challenge; the common file carries no secret; ETag and
 * If-None-Match give 304 (RFC 9110 13.1.2); the secret path works, a wrong one is 401 and a log line without it;
 * path tricks are refused and the server keeps serving; nothing is served outside the home networks. The home's
 * phonebook: the Yealink file names it, and it is served to the secret path with the contacts the CLI adds.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { runHometel } from '../support/hometel-process.js';
import { curl, extensionPassword, startProvisioningHome, type ProvisioningHome } from '../support/provisioning-home.js';

const mac = '001565a1b2c3';
const yealink = ['-A', 'Yealink SIP-T46S 66.86.0.15 00:15:65:a1:b2:c3'];
let home: ProvisioningHome;
let secret: string;

before(async () => {
  // 127.0.0.2 is loopback too, but outside these home networks.
  home = await startProvisioningHome('hometel-prov-http-', { homeNetworks: ['127.0.0.1/32'] });
  secret = home.enroll(mac, 'yealink');
});

after(async () => {
  if (home) await home.stop();
});

test('acceptance 2: the common file without credentials, and it carries no secret', async () => {
  const r = await curl(`${home.base}y000000000000.cfg`, yealink);
  assert.equal(r.status, 200);
  assert.match(r.headers.get('content-type') ?? '', /^text\/plain/);
  assert.match(r.body, /^#!version:1\.0\.0\.1\n/);
  assert.ok(!r.body.includes(secret), 'no device secret');
  assert.ok(!r.body.includes(extensionPassword), 'no password');
  assert.ok(!r.body.includes('account.'), 'no account');
});

test('acceptance 2: {mac}.cfg with Digest credentials (MAC lower and upper case, with and without separators); without them 401', async () => {
  for (const name of [`${mac}.cfg`, '001565A1B2C3.cfg', '00:15:65:a1:b2:c3.cfg', '00-15-65-A1-B2-C3.cfg']) {
    const url = `${home.base}${encodeURI(name)}`;
    const refused = await curl(url, yealink);
    assert.equal(refused.status, 401, name);
    const challenges = refused.headers.get('www-authenticate') ?? '';
    assert.match(challenges, /^Digest realm="hometel-provisioning", .*algorithm=SHA-256, qop="auth"$/m);
    assert.match(challenges, /^Digest realm="hometel-provisioning", .*algorithm=MD5, qop="auth"$/m);
    const served = await curl(url, [...yealink, '--digest', '-u', `${mac}:${secret}`]);
    assert.equal(served.status, 200, `${name}: ${served.body}`);
    assert.match(served.body, /^account\.1\.user_name = 21$/m);
    assert.match(served.body, new RegExp(`^account\\.1\\.password = ${extensionPassword}$`, 'm'));
    assert.match(served.body, /^account\.1\.sip_server\.1\.address = 127\.0\.0\.1$/m);
  }
  const wrong = await curl(`${home.base}${mac}.cfg`, [...yealink, '--digest', '-u', `${mac}:not-the-secret`]);
  assert.equal(wrong.status, 401);
});

test('ETag and If-None-Match: 304 while the file is unchanged; HEAD has the ETag and no body', async () => {
  const url = `${home.base}${secret}/${mac}.cfg`;
  const first = await curl(url, yealink);
  assert.equal(first.status, 200);
  const etag = first.headers.get('etag')!;
  assert.match(etag, /^"[A-Za-z0-9_-]{43}"$/);
  const again = await curl(url, [...yealink, '-H', `If-None-Match: ${etag}`]);
  assert.equal(again.status, 304);
  assert.equal(again.body, '');
  const other = await curl(url, [...yealink, '-H', 'If-None-Match: "something-else"']);
  assert.equal(other.status, 200);
  const head = await curl(url, [...yealink, '-I']);
  assert.equal(head.status, 200);
  assert.equal(head.headers.get('etag'), etag);
  assert.equal(head.headers.get('content-length'), first.headers.get('content-length'));
  assert.ok(!head.body.includes('account.1'), 'no body (curl -I writes the headers where the body would go)');
});

test('the secret path serves the device file; a wrong secret is 401 and logged without the secret', async () => {
  const ok = await curl(`${home.base}${secret}/${mac}.cfg`, yealink);
  assert.equal(ok.status, 200);
  assert.match(ok.body, new RegExp(`^static\\.auto_provision\\.server\\.url = ${home.base.replace(/[.]/g, '\\.')}${secret}/$`, 'm'));
  const wrongSecret = 'W'.repeat(32);
  const wrong = await curl(`${home.base}${wrongSecret}/${mac}.cfg`, yealink);
  assert.equal(wrong.status, 401);
  const log = home.hometel.log();
  assert.match(log, /provisioning fetch refused.*wrong secret path/);
  assert.ok(!log.includes(wrongSecret), 'a secret path is never logged');
  assert.ok(!log.includes(secret), 'the device secret is never logged');
  assert.ok(!log.includes(extensionPassword), 'no password is logged');
});

test('path tricks are refused and the server keeps serving', async () => {
  for (const path of ['..%2f..%2fetc%2fpasswd', '../../etc/passwd', '%2fetc%2fpasswd', '/etc/passwd', '..%5c..%5cetc%5cpasswd', `${secret}/..%2f..%2fprovisioning.key`]) {
    const r = await curl(`${home.base}${path}`, [...yealink, '--path-as-is']);
    assert.ok(r.status === 403 || r.status === 404, `${path}: ${r.status}`);
    assert.ok(!r.body.includes('root:'), path);
  }
  assert.equal((await curl(`${home.base}..%2f..%2fetc%2fpasswd`, [...yealink, '--path-as-is'])).status, 403);
  assert.equal((await curl(`${home.base}hometel.json`, yealink)).status, 404);
  assert.equal((await curl(`${home.base}y000000000000.cfg`, yealink)).status, 200, 'still serving');
});

test('nothing is served outside the home networks (the socket address counts, not X-Forwarded-For)', async () => {
  const r = await curl(`${home.base}y000000000000.cfg`, [...yealink, '--interface', '127.0.0.2', '-H', 'X-Forwarded-For: 127.0.0.1']);
  assert.equal(r.status, 403);
  assert.match(home.hometel.log(), /provisioning fetch refused.*outside the home networks/);
});

test("the home's phonebook: named in the Yealink's file, served to its secret path with a contact the CLI just added", async () => {
  const added = await runHometel(['contacts', 'add', 'Anna Phonebook', '030 7654321', '--config', `${home.hometel.dir}/hometel.json`]);
  assert.equal(added.code, 0, added.stderr);
  const own = await curl(`${home.base}${secret}/${mac}.cfg`, yealink);
  const url = `${home.base}${secret}/${mac}-phonebook.xml`;
  assert.ok(own.body.includes(`remote_phonebook.data.1.url = ${url}`), own.body);
  const book = await curl(url, yealink);
  assert.equal(book.status, 200);
  assert.match(book.body, /Anna Phonebook/);
  assert.equal((await curl(`${home.base}${mac}-phonebook.xml`, yealink)).status, 401, 'not without the secret or Digest');
});
