import { test } from 'node:test';
import assert from 'node:assert/strict';
import { defaultConfig, validateConfig } from '../../src/app/config.js';

test('an empty config means the defaults: loopback only', () => {
  assert.deepEqual(validateConfig({}), defaultConfig);
  assert.deepEqual(defaultConfig.interfaces, ['lo']);
});

test('fields override the defaults', () => {
  const c = validateConfig({ name: 'Home', interfaces: ['127.0.0.1'], httpPort: 8080, logLevel: 'debug', dataDir: '/tmp/x' });
  assert.equal(c.name, 'Home');
  assert.equal(c.httpPort, 8080);
});

test('every problem is named in one error', () => {
  assert.throws(
    () => validateConfig({ nmae: 'x', interfaces: [], httpPort: 70000, logLevel: 'loud' }),
    (e: Error) =>
      /unknown field "nmae"/.test(e.message) && /"interfaces"/.test(e.message) && /"httpPort"/.test(e.message) && /"logLevel"/.test(e.message),
  );
  assert.throws(() => validateConfig([]), /JSON object/);
});

test('lines: one Telephony Server per line, names unique and simple', () => {
  assert.deepEqual(validateConfig({}).lines.map((l) => l.name), ['home']);
  assert.deepEqual(validateConfig({ lines: [{ name: 'a', friendlyName: 'A' }, { name: 'b' }] }).lines.length, 2);
  assert.throws(() => validateConfig({ lines: [{ name: 'a' }, { name: 'a' }] }), /used twice/);
  assert.throws(() => validateConfig({ lines: [{ name: 'with space' }] }), /letters, digits/);
  assert.throws(() => validateConfig({ lines: [{ name: 'a', phone: 'x' }] }), /unknown field "phone"/);
  assert.throws(() => validateConfig({ lines: [{ name: 'a', sip: 'x' }] }), /sip" must be an object/);
  assert.throws(() => validateConfig({ lines: 'home' }), /must be an array/);
});

test('a line\'s SIP account: direct by default, registered needs a registrar and a password, ports unique', () => {
  assert.deepEqual(validateConfig({}).lines[0]!.sip, { mode: 'direct', user: 'home' });
  assert.ok(validateConfig({ lines: [{ name: 'a', sip: { mode: 'registered', user: 'u', registrar: 'sip:pbx.example.org', password: 'p', transports: ['udp', 'tcp'] } }] }));
  assert.throws(() => validateConfig({ lines: [{ name: 'a', sip: { mode: 'registered', user: 'u' } }] }), /registrar" is needed.*password" is needed/);
  assert.throws(() => validateConfig({ lines: [{ name: 'a', sip: { mode: 'direct', user: 'u', port: 5070 } }, { name: 'b', sip: { mode: 'direct', user: 'v', port: 5070 } }] }), /same SIP port/);
  assert.throws(() => validateConfig({ lines: [{ name: 'a', sip: { mode: 'p2p', user: 'u', transports: ['sctp'], registrar: 'http://x' } }] }), /mode.*transports.*registrar/s);
  assert.throws(() => validateConfig({ lines: [{ name: 'a', sip: { user: 'u', secret: 1 } }] }), /unknown field "secret".*mode" is missing/s);
});
