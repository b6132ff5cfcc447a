import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
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

test('echo: the echo test endpoint is on by default at echo@:5070, `false` turns it off, fields override the defaults', () => {
  assert.deepEqual(validateConfig({}).echo, { user: 'echo', port: 5070, maxCalls: 8, maxSeconds: 600 });
  assert.equal(validateConfig({ echo: false }).echo, false);
  const echo = validateConfig({ echo: { user: 'test', port: 0, host: '127.0.0.2', transports: ['udp'], rtpPorts: { min: 38000, max: 38009 }, maxCalls: 5, maxSeconds: 30.5 } }).echo;
  assert.deepEqual(echo, { user: 'test', port: 0, host: '127.0.0.2', transports: ['udp'], rtpPorts: { min: 38000, max: 38009 }, maxCalls: 5, maxSeconds: 30.5 });
  assert.deepEqual(validateConfig({ echo: { port: 5080 } }).echo, { user: 'echo', port: 5080, maxCalls: 8, maxSeconds: 600 });
});

test('echo: every problem is named', () => {
  const problems = (config: Record<string, unknown>): string => {
    try {
      validateConfig(config);
    } catch (e) {
      return (e as Error).message;
    }
    return '';
  };
  assert.match(problems({ echo: true }), /"echo" must be an object .* or false/);
  assert.match(problems({ echo: [] }), /"echo" must be an object/);
  const bad = problems({ echo: { user: 'a b', port: 70000, host: '', transports: ['sctp'], rtpPorts: { min: 80, max: 90 }, maxCalls: 0, maxSeconds: -1, colour: 1 } });
  for (const field of ['unknown field "colour"', '"echo.user"', '"echo.port"', '"echo.host"', '"echo.transports"', '"echo.rtpPorts"', '"echo.maxCalls"', '"echo.maxSeconds"']) {
    assert.ok(bad.includes(field), `${field} in: ${bad}`);
  }
  // Without rtpPorts of its own it takes pairs from the media range; a range of its own must stand apart.
  assert.equal(problems({ media: { rtpPortMin: 20000, rtpPortMax: 29999 } }), '');
  const own = { rtpPorts: { min: 39000, max: 39099 } };
  assert.match(problems({ echo: { rtpPorts: { min: 39000, max: 39005 } } }), /holds 3 port pairs, fewer than "echo.maxCalls" \(8\)/);
  assert.match(problems({ media: { rtpPortMin: 30000, rtpPortMax: 49999 }, echo: own }), /"echo.rtpPorts" 39000–39099 overlaps the "media" range 30000–49999/);
  assert.match(problems({ clients: [{ name: 'a', rtpPorts: { min: 39050, max: 39149 } }], echo: own }), /overlaps "clients\[0\].rtpPorts"/);
  assert.match(problems({ echo: { rtpPorts: { min: 30010, max: 30029 } } }), /overlaps "clients\[0\].rtpPorts"/, 'against the default client too');
  assert.match(problems({ echo: { port: 5060 } }), /"echo.port" 5060 is the SIP port of "lines\[0\]"/);
  assert.match(problems({ lines: [{ name: 'a', sip: { mode: 'direct', user: 'a', port: 5070 } }] }), /"echo.port" 5070 is the SIP port of "lines\[0\]"/);
  assert.equal(problems({ lines: [{ name: 'a', sip: { mode: 'direct', user: 'a', port: 5070 } }], echo: false }), '');
  assert.equal(problems({ lines: [{ name: 'a', sip: { mode: 'direct', user: 'a', host: '127.0.0.1', port: 5070 } }], echo: { host: '127.0.0.2' } }), '', 'another address');
});

/** The ```json blocks of the README's Configuration section, in order. */
function readmeConfigBlocks(): unknown[] {
  const readme = readFileSync(new URL('../../README.md', import.meta.url), 'utf8');
  const section = readme.slice(readme.indexOf('## Configuration'), readme.indexOf('| field | meaning |'));
  return [...section.matchAll(/```json\n([\s\S]*?)```/g)].map((m) => JSON.parse(m[1]!) as unknown);
}

test('the README: its defaults are the defaults, and its complete example is a valid config with every part', () => {
  const [defaults, complete] = readmeConfigBlocks();
  assert.deepEqual(defaults, defaultConfig);
  const c = validateConfig(complete);
  assert.deepEqual(c.lines.map((l) => l.sip?.mode), ['direct', 'registered']);
  assert.equal(c.clients.length, 2);
  assert.ok(c.media.native && c.echo && c.interfaces.length === 1 && c.dataDir !== defaultConfig.dataDir);
});
