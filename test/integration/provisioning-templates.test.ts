/**
 * Acceptance 6 of issue 15 against `hometel start`: the Snom, Grandstream and Polycom files (and hometel's generic
 * XML) downloaded with curl are well-formed (`xmllint --noout`) and carry the extension's account; a user template
 * in `provisioning.templatesDir` overrides the built-in one at the next download, and going back to the built-in one
 * needs only removing it.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdir, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { runCommand } from '../support/children.js';
import { curl, extensionPassword, startProvisioningHome, type ProvisioningHome } from '../support/provisioning-home.js';

let home: ProvisioningHome;

before(async () => {
  home = await startProvisioningHome('hometel-prov-templates-');
});

after(async () => {
  if (home) await home.stop();
});

/** `xmllint --noout` on the text: exit 0 when it is well-formed XML. */
async function xmllint(text: string, name: string): Promise<void> {
  const file = join(home.dataDir, `lint-${name.replace(/[^A-Za-z0-9.-]/g, '_')}`);
  await writeFile(file, text);
  const r = await runCommand('xmllint', ['--noout', file], { okCodes: [0, 1, 2, 3, 4, 5, 6, 7, 8, 9] });
  assert.equal(r.code, 0, `${name} is not well-formed: ${r.stderr}\n${text}`);
}

const phones = [
  { vendor: 'snom' as const, mac: '000413a1b2c3', ua: 'Mozilla/4.0 (compatible; snomD735-SIP 10.1.73.16)', files: ['snomD735.xml', '000413A1B2C3.xml', 'snomD735-000413A1B2C3.xml'], account: [/<user_name idx="1" perm="">21<\/user_name>/, /<user_pass idx="1" perm="">PASSWORD<\/user_pass>/, /<user_host idx="1" perm="">127\.0\.0\.1:\d+<\/user_host>/] },
  { vendor: 'grandstream' as const, mac: '000b82aabbcc', ua: 'Grandstream Model HW GXP2170 SW 1.0.11.3 DevId 000b82aabbcc', files: ['cfg.xml', 'cfg000b82aabbcc.xml', 'cfg000b82aabbcc'], account: [/<P35>21<\/P35>/, /<P36>21<\/P36>/, /<P34>PASSWORD<\/P34>/, /<P47>127\.0\.0\.1:\d+<\/P47>/, /<P271>1<\/P271>/, /<mac>000b82aabbcc<\/mac>/] },
  { vendor: 'polycom' as const, mac: '0004f2a1b2c3', ua: 'FileTransport PolycomVVX-VVX_410-UA/5.9.0.9373 Type/Application', files: ['000000000000.cfg', '0004f2a1b2c3.cfg', '0004f2a1b2c3-phone.cfg'], account: [/reg\.1\.address="21"/, /reg\.1\.auth\.userId="21"/, /reg\.1\.auth\.password="PASSWORD"/, /reg\.1\.server\.1\.address="127\.0\.0\.1"/] },
  { vendor: 'generic' as const, mac: '02aabbccddee', ua: 'hometel-test-phone/1.0', files: ['02aabbccddee.xml'], account: [/<user>21<\/user>/, /<password>PASSWORD<\/password>/, /<registrar host="127\.0\.0\.1" port="\d+" transport="udp" realm="hometel"\/>/] },
];

test('acceptance 6: Snom, Grandstream, Polycom and generic files are well-formed and the device files carry the account', async () => {
  for (const p of phones) {
    const secret = home.enroll(p.mac, p.vendor);
    for (const name of p.files) {
      const url = `${home.base}${name}`;
      let r = await curl(url, ['-A', p.ua]);
      if (r.status === 401) {
        r = await curl(url, ['-A', p.ua, '--digest', '-u', `${p.mac}:${secret}`]);
        assert.equal(r.status, 200, `${name} with credentials`);
        for (const re of p.account) assert.match(r.body, new RegExp(re.source.replace('PASSWORD', extensionPassword)), `${name}:\n${r.body}`);
      } else {
        assert.equal(r.status, 200, name);
        assert.ok(!r.body.includes(secret) && !r.body.includes(extensionPassword), `${name} is common: no secret`);
      }
      assert.match(r.headers.get('content-type') ?? '', /^application\/xml/, name);
      await xmllint(r.body, name);
    }
  }
});

test('acceptance 6: a user template overrides the built-in one at the next download', async () => {
  const mac = '000413d1e2f3';
  const secret = home.enroll(mac, 'snom');
  const url = `${home.base}${secret}/000413D1E2F3.xml`;
  const builtIn = await curl(url);
  assert.match(builtIn.body, /<user_name idx="1" perm="">21<\/user_name>/);
  await mkdir(home.templatesDir, { recursive: true });
  const mine = join(home.templatesDir, 'snom-device.xml.mustache');
  await writeFile(mine, '<?xml version="1.0" encoding="utf-8"?>\n<settings><phone-settings>{{#accounts}}<user_name idx="{{index}}" perm="R">{{userName}}</user_name><user_realname idx="{{index}}" perm="R">mine {{displayName}}</user_realname>{{/accounts}}</phone-settings></settings>\n');
  const overridden = await curl(url, ['-H', `If-None-Match: ${builtIn.headers.get('etag')}`]);
  assert.equal(overridden.status, 200, 'a new ETag: the file changed');
  assert.match(overridden.body, /<user_realname idx="1" perm="R">mine Kitchen<\/user_realname>/);
  assert.ok(!overridden.body.includes('user_pass'));
  await xmllint(overridden.body, 'override.xml');
  await rm(mine);
  assert.equal((await curl(url)).body, builtIn.body, 'removing it brings the built-in one back');
});
