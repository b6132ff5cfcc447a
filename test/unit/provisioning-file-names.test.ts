/**
 * The file names phones ask for and what their User-Agents say (issue 15 "The file names phones really ask for"):
 * every form of each vendor, MACs in any case and with or without separators, the `{mac}.xml` and `{mac}.cfg`
 * clashes settled by the vendor, and names that are none of them.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseFileName, parseUserAgent, templateFileName, templateIds, timeZoneOf } from '../../src/provisioning/index.js';

const mac = '001565a1b2c3';

test('Yealink: y000000000000.cfg and model files are common, {mac}.cfg is the device own, in any MAC form', () => {
  assert.deepEqual(parseFileName('y000000000000.cfg', undefined), { kind: 'common', vendor: 'yealink', template: 'yealink-common' });
  assert.deepEqual(parseFileName('y000000000028.cfg', 'yealink'), { kind: 'common', vendor: 'yealink', template: 'yealink-common', model: '000000000028' });
  for (const name of ['001565a1b2c3.cfg', '001565A1B2C3.cfg', '00:15:65:a1:b2:c3.cfg', '00-15-65-A1-B2-C3.cfg']) {
    assert.deepEqual(parseFileName(name, undefined), { kind: 'device', vendor: 'yealink', template: 'yealink-device', mac }, name);
    assert.deepEqual(parseFileName(name, 'yealink'), { kind: 'device', vendor: 'yealink', template: 'yealink-device', mac }, name);
  }
});

test('Snom: snom{model}.xml is common; {MAC}.xml (for a Snom) and snom{model}-{MAC}.xml are the device own', () => {
  assert.deepEqual(parseFileName('snomD735.xml', 'snom'), { kind: 'common', vendor: 'snom', template: 'snom-common', model: 'D735' });
  assert.deepEqual(parseFileName('snom320.xml', undefined), { kind: 'common', vendor: 'snom', template: 'snom-common', model: '320' });
  assert.deepEqual(parseFileName('000413A1B2C3.xml', 'snom'), { kind: 'device', vendor: 'snom', template: 'snom-device', mac: '000413a1b2c3' });
  assert.deepEqual(parseFileName('snomD735-000413A1B2C3.xml', undefined), { kind: 'device', vendor: 'snom', template: 'snom-device', mac: '000413a1b2c3', model: 'D735' });
});

test('hometel generic XML: {mac}.xml of a phone that is no Snom', () => {
  assert.deepEqual(parseFileName('001565A1B2C3.xml', undefined), { kind: 'device', vendor: 'generic', template: 'generic-device', mac });
  assert.deepEqual(parseFileName('00:15:65:a1:b2:c3.xml', 'yealink'), { kind: 'device', vendor: 'generic', template: 'generic-device', mac });
});

test('Grandstream: cfg.xml and cfg{model}.xml are common; cfg{mac}.xml and cfg{mac} are the device own', () => {
  assert.deepEqual(parseFileName('cfg.xml', undefined), { kind: 'common', vendor: 'grandstream', template: 'grandstream-common' });
  assert.deepEqual(parseFileName('cfggxp2170.xml', undefined), { kind: 'common', vendor: 'grandstream', template: 'grandstream-common', model: 'GXP2170' });
  for (const name of ['cfg000b82aabbcc.xml', 'cfg000B82AABBCC.xml', 'cfg000b82aabbcc', 'CFG000B82AABBCC']) {
    assert.deepEqual(parseFileName(name, undefined), { kind: 'device', vendor: 'grandstream', template: 'grandstream-device', mac: '000b82aabbcc' }, name);
  }
});

test('Polycom: 000000000000.cfg and {mac}.cfg (for a Polycom) are the master file; {mac}-phone.cfg is the device own', () => {
  assert.deepEqual(parseFileName('000000000000.cfg', undefined), { kind: 'common', vendor: 'polycom', template: 'polycom-master' });
  assert.deepEqual(parseFileName('0004f2a1b2c3.cfg', 'polycom'), { kind: 'common', vendor: 'polycom', template: 'polycom-master', mac: '0004f2a1b2c3' });
  for (const name of ['0004f2a1b2c3-phone.cfg', '0004F2A1B2C3-phone.cfg', '00:04:f2:a1:b2:c3-phone.cfg']) {
    assert.deepEqual(parseFileName(name, undefined), { kind: 'device', vendor: 'polycom', template: 'polycom-device', mac: '0004f2a1b2c3' }, name);
  }
});

test('names that are no provisioning file are nothing', () => {
  for (const name of ['passwd', 'index.html', 'y00000000002.cfg', '001565a1b2.cfg', 'cfg.bin', 'cfg000000000000.xml', '000000000000.xml', 'snom.xml', 'hometel.json', '000000000000-phone.cfg', '']) {
    assert.equal(parseFileName(name, undefined), undefined, name);
  }
});

test('User-Agents: vendor, model, firmware and (Yealink, Grandstream) the MAC', () => {
  assert.deepEqual(parseUserAgent('Yealink SIP-T46S 66.86.0.15 00:15:65:a1:b2:c3'), { vendor: 'yealink', model: 'T46S', firmware: '66.86.0.15', mac });
  assert.deepEqual(parseUserAgent('Yealink SIP-T54W 96.85.0.5'), { vendor: 'yealink', model: 'T54W', firmware: '96.85.0.5' });
  assert.deepEqual(parseUserAgent('Yealink W60B 77.83.0.85 00:15:65:A1:B2:C3'), { vendor: 'yealink', model: 'W60B', firmware: '77.83.0.85', mac });
  assert.deepEqual(parseUserAgent('Mozilla/4.0 (compatible; snomD735-SIP 10.1.73.16 2010.12-00004-g1a9d4f1 UP)'), { vendor: 'snom', model: 'D735', firmware: '10.1.73.16' });
  assert.deepEqual(parseUserAgent('Mozilla/4.0 (compatible; snom320-SIP 8.7.5.35)'), { vendor: 'snom', model: '320', firmware: '8.7.5.35' });
  assert.deepEqual(parseUserAgent('Grandstream Model HW GXP2170 SW 1.0.11.3 DevId 000b82aabbcc'), { vendor: 'grandstream', model: 'GXP2170', firmware: '1.0.11.3', mac: '000b82aabbcc' });
  assert.deepEqual(parseUserAgent('FileTransport PolycomVVX-VVX_410-UA/5.9.0.9373 Type/Application'), { vendor: 'polycom', model: 'VVX 410', firmware: '5.9.0.9373' });
  assert.deepEqual(parseUserAgent('FileTransport PolycomSoundPointIP-SPIP_650-UA/4.0.1.13681'), { vendor: 'polycom', model: 'SPIP 650', firmware: '4.0.1.13681' });
  for (const other of [undefined, '', 'curl/8.5.0', 'Mozilla/5.0 (X11; Linux x86_64)', 'Yealink']) assert.equal(parseUserAgent(other), undefined, String(other));
});

test('every built-in template has a user template name inside the templates directory', () => {
  const names = templateIds.map(templateFileName);
  assert.equal(new Set(names).size, templateIds.length);
  for (const n of names) assert.match(n, /^[a-z]+-[a-z]+\.(cfg|xml)\.mustache$/);
  assert.equal(templateFileName('yealink-device'), 'yealink-device.cfg.mustache');
  assert.equal(templateFileName('snom-device'), 'snom-device.xml.mustache');
});

test('time zones: the standard-time offset, whichever hemisphere has summer time', () => {
  assert.deepEqual(timeZoneOf('Europe/Berlin', 2026), { name: 'Europe/Berlin', offsetMinutes: 60, offsetSeconds: 3600, offsetHours: '+1' });
  assert.equal(timeZoneOf('America/New_York', 2026).offsetHours, '-5');
  assert.equal(timeZoneOf('Asia/Kolkata', 2026).offsetHours, '+5.5');
  assert.equal(timeZoneOf('Australia/Sydney', 2026).offsetHours, '+10');
  assert.equal(timeZoneOf('UTC', 2026).offsetHours, '+0');
});
