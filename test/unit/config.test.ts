import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { KindGuard, type TSchema } from '@sinclair/typebox';
import { Value } from '@sinclair/typebox/value';
import { defaultConfig, loadConfig, validateConfig } from '../../src/app/config.js';
import { fileSchema, fileSchemaJson } from '../../src/app/config/schema.js';

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
      /nmae: unknown field/.test(e.message) && /interfaces: must not be empty/.test(e.message) && /httpPort: must be ≤ 65535/.test(e.message) &&
      /logLevel: must be "debug", "info", "warn", "error" or "silent"/.test(e.message),
  );
  assert.throws(() => validateConfig([]), /JSON object/);
});

/** The message validateConfig throws for `config`, or '' when it is valid. */
function problemsOf(config: unknown): string {
  try {
    validateConfig(config);
  } catch (e) {
    return (e as Error).message;
  }
  return '';
}

test('every problem names its field by path: array elements, nested objects, unknown fields, wrong types, ranges', () => {
  const sip = { mode: 'direct', user: 'u' };
  assert.equal(problemsOf({ lines: [{ name: 'a', sip }, { name: 'b', sip: { ...sip, port: 70000 } }] }), 'config: lines[1].sip.port: must be ≤ 65535');
  assert.equal(problemsOf({ lines: [{ name: 'a', sip: { ...sip, prot: 5061 } }] }), 'config: lines[0].sip.prot: unknown field');
  assert.equal(problemsOf({ httpPort: '8080' }), 'config: httpPort: must be a whole number from 0 to 65535');
  assert.equal(problemsOf({ clients: [{ name: 'a', source: { tone: 440 }, rtpPorts: { min: 1000, max: 1099 } }] }), 'config: clients[0].rtpPorts.min: must be ≥ 1024');
  assert.equal(problemsOf({ echo: { maxCalls: 2.5 } }), 'config: echo.maxCalls: must be a whole number from 1 to 1000');
  assert.equal(problemsOf({ lines: [{ sip }] }), 'config: lines[0].name: is missing', 'missing, and only that');
  assert.equal(problemsOf({ 'a/b': 1 }), 'config: a/b: unknown field', 'JSON pointer escapes undone');
  // Several at once, in one message, each with its path.
  assert.equal(
    problemsOf({ name: '', interfaces: ['lo', 3], lines: [{ name: 'a', sip: { ...sip, transports: ['udp', 'udp'] } }], media: { rtpPortMax: 'high' } }),
    'config: name: must be a non-empty string; interfaces[1]: must be a non-empty string; lines[0].sip.transports: must not name an item twice; ' +
      'media.rtpPortMax: must be a whole number from 1024 to 65535',
  );
});

test('defaults are applied once, from the schema: a complete config passes through unchanged, the input is not touched', () => {
  assert.deepEqual(validateConfig(structuredClone(defaultConfig)), defaultConfig);
  const file = { lines: [{ name: 'a', sip: { mode: 'direct', user: 'u' } }], media: { rtpPortMin: 20000 } };
  const before = structuredClone(file);
  const c = validateConfig(file);
  assert.deepEqual(file, before, 'the parsed file is not filled in place');
  assert.deepEqual(c.lines, [
    { name: 'a', friendlyName: 'a line', sip: { mode: 'direct', user: 'u', port: 5060, transports: ['udp', 'tcp'] }, forwarding: { mode: 'bridge', noAnswerSeconds: 30, fallbackToVoicemail: true } },
  ]);
  assert.deepEqual(c.media, { rtpPortMin: 20000, rtpPortMax: 49999 });
  // Every top-level default in the published schema is the default config's value (derived ones aside).
  for (const [key, property] of Object.entries(fileSchema.properties) as Array<[string, { default?: unknown }]>) {
    if (key === 'lines' || key === 'clients') assert.deepEqual(validateConfig({ [key]: property.default }), defaultConfig, key);
    else if (['media', 'echo', 'web', 'numberPlan', 'voicemail', 'callHandling'].includes(key)) assert.deepEqual(property.default, {}, `${key}: its fields carry the defaults`);
    else if (key !== '$schema') assert.deepEqual(property.default, defaultConfig[key as keyof typeof defaultConfig], key);
  }
});

test('"$schema" (for editors) is accepted and left out of the config', () => {
  const c = validateConfig({ $schema: './hometel.schema.json', name: 'Home' });
  assert.equal(c.name, 'Home');
  assert.ok(!('$schema' in c));
  assert.equal(problemsOf({ $schema: 42 }), 'config: $schema: must be a string');
});

test('loadConfig: a missing file means the defaults; an unreadable file and invalid JSON are named', () => {
  assert.equal(loadConfig(undefined), defaultConfig);
  assert.throws(() => loadConfig('/nonexistent/hometel.json'), /^ConfigError: config: cannot read \/nonexistent\/hometel\.json: ENOENT/);
  const dir = mkdtempSync(join(tmpdir(), 'hometel-config-'));
  try {
    writeFileSync(join(dir, 'hometel.json'), '{"name": ');
    assert.throws(() => loadConfig(join(dir, 'hometel.json')), /^ConfigError: config: .*hometel\.json is not valid JSON: /);
    writeFileSync(join(dir, 'hometel.json'), '{"httpPort": -1}');
    assert.throws(() => loadConfig(join(dir, 'hometel.json')), /^ConfigError: config: httpPort: must be ≥ 0$/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('lines: one Telephony Server per line, names unique and simple', () => {
  assert.deepEqual(validateConfig({}).lines.map((l) => l.name), ['home']);
  assert.deepEqual(validateConfig({ lines: [{ name: 'a', friendlyName: 'A' }, { name: 'b' }] }).lines.length, 2);
  assert.throws(() => validateConfig({ lines: [{ name: 'a' }, { name: 'a' }] }), /lines\[1\]\.name: "a" is used twice \(also lines\[0\]\.name\)/);
  assert.throws(() => validateConfig({ lines: [{ name: 'with space' }] }), /lines\[0\]\.name: must be 1–32 letters, digits/);
  assert.throws(() => validateConfig({ lines: [{ name: 'a', phone: 'x' }] }), /lines\[0\]\.phone: unknown field/);
  assert.throws(() => validateConfig({ lines: [{ name: 'a', sip: 'x' }] }), /lines\[0\]\.sip: must be an object/);
  assert.throws(() => validateConfig({ lines: 'home' }), /lines: must be an array/);
});

test('a line\'s forwarding: bridge, 30 s, voicemail fallback by default; mode and time checked', () => {
  assert.deepEqual(validateConfig({ lines: [{ name: 'a', forwarding: { mode: 'redirect' } }] }).lines[0]!.forwarding, { mode: 'redirect', noAnswerSeconds: 30, fallbackToVoicemail: true });
  assert.throws(() => validateConfig({ lines: [{ name: 'a', forwarding: { mode: '303' } }] }), /lines\[0\]\.forwarding\.mode/);
  assert.throws(() => validateConfig({ lines: [{ name: 'a', forwarding: { noAnswerSeconds: 0 } }] }), /lines\[0\]\.forwarding\.noAnswerSeconds/);
});

test('a line\'s SIP account: direct by default, registered needs a registrar and a password, ports unique', () => {
  assert.deepEqual(validateConfig({}).lines[0]!.sip, { mode: 'direct', user: 'home', port: 5060, transports: ['udp', 'tcp'] });
  assert.ok(validateConfig({ lines: [{ name: 'a', sip: { mode: 'registered', user: 'u', registrar: 'sip:pbx.example.org', password: 'p', transports: ['udp', 'tcp'] } }] }));
  assert.throws(() => validateConfig({ lines: [{ name: 'a', sip: { mode: 'registered', user: 'u' } }] }), /lines\[0\]\.sip\.registrar: is needed in registered mode.*lines\[0\]\.sip\.password: is needed in registered mode/);
  assert.throws(() => validateConfig({ lines: [{ name: 'a', sip: { mode: 'direct', user: 'u', port: 5070 } }, { name: 'b', sip: { mode: 'direct', user: 'v', port: 5070 } }] }), /lines\[1\]\.sip\.port: 5070 is also lines\[0\]\.sip\.port/);
  assert.throws(() => validateConfig({ lines: [{ name: 'a', sip: { mode: 'p2p', user: 'u', transports: ['sctp'], registrar: 'http://x' } }] }), /sip\.mode: must be "direct" or "registered".*sip\.transports\[0\]: must be "udp" or "tcp".*sip\.registrar: must be a sip: or sips: URI/s);
  assert.throws(() => validateConfig({ lines: [{ name: 'a', sip: { user: 'u', secret: 1 } }] }), /lines\[0\]\.sip\.mode: is missing.*lines\[0\]\.sip\.secret: unknown field/s);
});

test('media: the RTP port range of the Telephony Servers’ relay, defaults filled in, checked', () => {
  assert.deepEqual(validateConfig({}).media, { rtpPortMin: 40000, rtpPortMax: 49999 });
  assert.deepEqual(validateConfig({ media: { rtpPortMin: 20000 } }).media, { rtpPortMin: 20000, rtpPortMax: 49999 });
  assert.deepEqual(validateConfig({ media: { rtpPortMin: 10001, rtpPortMax: 10005 } }).media, { rtpPortMin: 10001, rtpPortMax: 10005 });
  assert.throws(() => validateConfig({ media: { rtpPortMin: 80, rtpPortMax: 70000, ports: 1 } }), /media\.ports: unknown field.*media\.rtpPortMin: must be ≥ 1024.*media\.rtpPortMax: must be ≤ 65535/s);
  assert.throws(() => validateConfig({ media: { rtpPortMin: 30000, rtpPortMax: 30002 } }), /media: 30000–30002 must hold at least 2 RTP\/RTCP port pairs .*; it holds 1/);
  assert.throws(() => validateConfig({ media: { rtpPortMin: 30010, rtpPortMax: 30000 } }), /media: 30010–30000 must hold at least 2 RTP\/RTCP port pairs .*; it holds 0/);
  assert.throws(() => validateConfig({ media: [40000, 49999] }), /media: must be an object \{rtpPortMin\?, rtpPortMax\?, native\?\}/);
  assert.throws(() => validateConfig({ media: { rtpPortMin: 40000.5 } }), /media\.rtpPortMin: must be a whole number from 1024 to 65535/);
  // The TS's own media (TS-based media handling): what it plays, where it records.
  const native = { source: { wav: 'greeting.wav', loop: true }, recordDir: './answering-machine' };
  assert.deepEqual(validateConfig({ media: { native } }).media, { rtpPortMin: 40000, rtpPortMax: 49999, native });
  assert.deepEqual(validateConfig({ media: { native: { source: 'silence' } } }).media.native, { source: 'silence' });
  assert.throws(() => validateConfig({ media: { native: { source: { tone: 5000 }, recordDir: '', colour: 1 } } }), /media\.native\.colour: unknown field.*media\.native\.source: must be.*media\.native\.recordDir: must be a non-empty string/s);
  assert.throws(() => validateConfig({ media: { native: 'tone' } }), /media\.native: must be an object \{source\?, recordDir\?\}/);
});

test('echo: the echo test endpoint is on by default at echo@:5070, `false` turns it off, fields override the defaults', () => {
  assert.deepEqual(validateConfig({}).echo, { user: 'echo', port: 5070, transports: ['udp', 'tcp'], maxCalls: 8, maxSeconds: 600 });
  assert.equal(validateConfig({ echo: false }).echo, false);
  const echo = validateConfig({ echo: { user: 'test', port: 0, host: '127.0.0.2', transports: ['udp'], rtpPorts: { min: 38000, max: 38009 }, maxCalls: 5, maxSeconds: 30.5 } }).echo;
  assert.deepEqual(echo, { user: 'test', port: 0, host: '127.0.0.2', transports: ['udp'], rtpPorts: { min: 38000, max: 38009 }, maxCalls: 5, maxSeconds: 30.5 });
  assert.deepEqual(validateConfig({ echo: { port: 5080 } }).echo, { user: 'echo', port: 5080, transports: ['udp', 'tcp'], maxCalls: 8, maxSeconds: 600 });
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
  assert.match(problems({ echo: true }), /echo: must be an object .* or false/);
  assert.match(problems({ echo: [] }), /echo: must be an object/);
  const bad = problems({ echo: { user: 'a b', port: 70000, host: '', transports: ['sctp'], rtpPorts: { min: 80, max: 90 }, maxCalls: 0, maxSeconds: -1, colour: 1 } });
  for (const field of ['echo.colour: unknown field', 'echo.user: must be a SIP user part', 'echo.port: must be ≤ 65535', 'echo.host: must be a non-empty string', 'echo.transports[0]: must be "udp" or "tcp"', 'echo.rtpPorts.min: must be ≥ 1024', 'echo.rtpPorts.max: must be ≥ 1024', 'echo.maxCalls: must be ≥ 1', 'echo.maxSeconds: must be above 0']) {
    assert.ok(bad.includes(field), `${field} in: ${bad}`);
  }
  // Without rtpPorts of its own it takes pairs from the media range; a range of its own must stand apart.
  assert.equal(problems({ media: { rtpPortMin: 20000, rtpPortMax: 29999 } }), '');
  const own = { rtpPorts: { min: 39000, max: 39099 } };
  assert.match(problems({ echo: { rtpPorts: { min: 39000, max: 39005 } } }), /echo\.rtpPorts: 39000–39005 must hold at least 8 RTP\/RTCP port pairs \(one per call of echo\.maxCalls\); it holds 3/);
  assert.match(problems({ media: { rtpPortMin: 30000, rtpPortMax: 49999 }, echo: own }), /echo\.rtpPorts: 39000–39099 overlaps media 30000–49999/);
  assert.match(problems({ clients: [{ name: 'a', rtpPorts: { min: 39050, max: 39149 } }], echo: own }), /echo\.rtpPorts: 39000–39099 overlaps clients\[0\]\.rtpPorts 39050–39149/);
  assert.match(problems({ echo: { rtpPorts: { min: 30010, max: 30029 } } }), /echo\.rtpPorts: 30010–30029 overlaps clients\[0\]\.rtpPorts 30000–30099/, 'against the default client too');
  assert.match(problems({ echo: { port: 5060 } }), /echo\.port: 5060 is also lines\[0\]\.sip\.port/);
  assert.match(problems({ lines: [{ name: 'a', sip: { mode: 'direct', user: 'a', port: 5070 } }] }), /echo\.port: 5070 is also lines\[0\]\.sip\.port/);
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

test('hometel.schema.json is the schema npm run schema writes, for editors: $schema, $id, title, a description on every field', () => {
  const committed = readFileSync(new URL('../../hometel.schema.json', import.meta.url), 'utf8');
  assert.equal(committed, fileSchemaJson(), 'hometel.schema.json is stale: run npm run schema');
  const published = JSON.parse(committed) as Record<string, unknown>;
  assert.equal(published.$schema, 'http://json-schema.org/draft-07/schema#');
  assert.match(String(published.$id), /hometel\.schema\.json$/);
  assert.equal(published.title, 'hometel configuration');
  const undescribed: string[] = [];
  const walk = (schema: TSchema, path: string): void => {
    if (KindGuard.IsObject(schema)) {
      for (const [k, p] of Object.entries(schema.properties)) {
        if (!p.description) undescribed.push(`${path}.${k}`);
        walk(p, `${path}.${k}`);
      }
    } else if (KindGuard.IsArray(schema)) walk(schema.items, `${path}[]`);
    else if (KindGuard.IsUnion(schema)) schema.anyOf.forEach((s) => walk(s, path));
  };
  walk(fileSchema, '');
  assert.deepEqual(undescribed, []);
});

test('the README\'s configs and the defaults are valid against the published schema', () => {
  // The committed file is fileSchema's JSON (test above), so checking against fileSchema checks against the file.
  const [defaults, complete] = readmeConfigBlocks();
  for (const config of [defaults, complete, defaultConfig, {}, { $schema: './hometel.schema.json' }]) {
    assert.ok(Value.Check(fileSchema, config), [...Value.Errors(fileSchema, config)].map((e) => `${e.path} ${e.message}`).join('; '));
  }
  assert.ok(!Value.Check(fileSchema, { ...(complete as object), colour: 'blue' }), 'and the schema refuses what hometel refuses');
});

test('issue 14 "a dial plan per extension": the home\'s rules and each extension\'s own; every line they name is a line of the config', () => {
  const lines = [{ name: 'home', sip: { mode: 'direct', user: 'home', port: 5070 } }, { name: 'work', sip: { mode: 'direct', user: 'work', port: 5072 } }];
  const phones = (dialPlan: unknown): unknown => ({ lines, echo: false, phones: { registrar: { port: 5080 }, dialPlan } });
  const ok = validateConfig(phones({ line: 'home', outsidePrefix: '0', extensions: { '21': { line: 'work', addPrefix: '+49' } } }));
  assert.deepEqual(ok.phones && ok.phones.dialPlan.extensions, { '21': { line: 'work', addPrefix: '+49' } });
  assert.match(problemsOf(phones({ line: 'nowhere' })), /phones\.dialPlan\.line: "nowhere" is not a line \(lines\[\]\.name: "home", "work"\)/);
  assert.match(problemsOf(phones({ extensions: { '21': { line: 'office' } } })), /phones\.dialPlan\.extensions\.21\.line: "office" is not a line/);
  assert.match(problemsOf(phones({ extensions: { '021': { line: 'work' } } })), /phones\.dialPlan\.extensions/, 'an extension number does not start with 0');
  assert.match(problemsOf(phones({ extensions: { '21': { colour: 'red' } } })), /colour: unknown field/);
});
