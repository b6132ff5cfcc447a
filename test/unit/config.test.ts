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
  assert.deepEqual(validateConfig({}).lines, [{ name: 'home' }]);
  assert.deepEqual(validateConfig({ lines: [{ name: 'a', friendlyName: 'A' }, { name: 'b' }] }).lines.length, 2);
  assert.throws(() => validateConfig({ lines: [{ name: 'a' }, { name: 'a' }] }), /used twice/);
  assert.throws(() => validateConfig({ lines: [{ name: 'with space' }] }), /letters, digits/);
  assert.throws(() => validateConfig({ lines: [{ name: 'a', sip: 'x' }] }), /unknown field "sip"/);
  assert.throws(() => validateConfig({ lines: 'home' }), /must be an array/);
});
