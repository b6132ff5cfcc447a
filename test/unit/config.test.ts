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

test('media: the RTP port range of the Telephony Servers’ relay, defaults filled in, checked', () => {
  assert.deepEqual(validateConfig({}).media, { rtpPortMin: 40000, rtpPortMax: 49999 });
  assert.deepEqual(validateConfig({ media: { rtpPortMin: 20000 } }).media, { rtpPortMin: 20000, rtpPortMax: 49999 });
  assert.deepEqual(validateConfig({ media: { rtpPortMin: 10001, rtpPortMax: 10005 } }).media, { rtpPortMin: 10001, rtpPortMax: 10005 });
  assert.throws(() => validateConfig({ media: { rtpPortMin: 80, rtpPortMax: 70000, ports: 1 } }), /unknown field "ports".*rtpPortMin" must be.*rtpPortMax" must be/s);
  assert.throws(() => validateConfig({ media: { rtpPortMin: 30000, rtpPortMax: 30002 } }), /at least two RTP\/RTCP port pairs/);
  assert.throws(() => validateConfig({ media: { rtpPortMin: 30010, rtpPortMax: 30000 } }), /at least two/);
  assert.throws(() => validateConfig({ media: [40000, 49999] }), /"media" must be an object/);
  assert.throws(() => validateConfig({ media: { rtpPortMin: 40000.5 } }), /rtpPortMin" must be a port number/);
  // The TS's own media (TS-based media handling): what it plays, where it records.
  const native = { source: { wav: 'greeting.wav', loop: true }, recordDir: './answering-machine' };
  assert.deepEqual(validateConfig({ media: { native } }).media, { rtpPortMin: 40000, rtpPortMax: 49999, native });
  assert.deepEqual(validateConfig({ media: { native: { source: 'silence' } } }).media.native, { source: 'silence' });
  assert.throws(() => validateConfig({ media: { native: { source: { tone: 5000 }, recordDir: '', colour: 1 } } }), /media.native" has unknown field "colour".*media.native.source" must be.*media.native.recordDir" must be/s);
  assert.throws(() => validateConfig({ media: { native: 'tone' } }), /"media.native" must be an object/);
});
