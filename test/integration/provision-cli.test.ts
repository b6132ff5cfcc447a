/**
 * `hometel provision …` as a user runs it (issue 15, "Provisioning server": the device registry and enrollment from
 * the CLI): real processes on a temporary data dir with `phones` and `provisioning` in the config — devices, add,
 * enroll, show (with --secret: the secret, the URLs and the Digest credentials), resync, rotate-secret, remove, with
 * --json and as text; --help on every command; wrong input (a bad MAC, an unknown extension or vendor, a pending
 * device's resync) refused with the service's message and exit status 1, nothing stored. A device's secret is printed
 * by `show --secret` and by nothing else.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openProvisioning, validateConfig, type OpenProvisioning } from '../../src/app/index.js';
import { silentLogger, systemClock } from '../../src/base/index.js';
import { runHometel } from '../support/hometel-process.js';

const subcommands = ['devices', 'add', 'enroll', 'show', 'resync', 'rotate-secret', 'remove'];
const mac = '001565a1b2c3';

interface Home {
  dir: string;
  config: string;
  run: (...args: string[]) => ReturnType<typeof runHometel>;
  /** The store as `hometel start` would see it, opened in this process for a moment. */
  service: <T>(f: (p: OpenProvisioning['provisioning']) => T) => T;
}

function home(t: { after: (f: () => unknown) => void }, provisioning: object | false = { tftpPort: 6969 }): Home {
  const dir = mkdtempSync(join(tmpdir(), 'hometel-cli-provision-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const raw = { dataDir: join(dir, 'data'), phones: { registrar: { port: 5090 } }, web: { port: 8123 }, ...(provisioning ? { provisioning } : {}) };
  const config = join(dir, 'hometel.json');
  writeFileSync(config, JSON.stringify(raw));
  return {
    dir,
    config,
    run: (...args) => runHometel([...args, '--config', config]),
    service: (f) => {
      const opened = openProvisioning(validateConfig(raw), systemClock, silentLogger);
      try {
        return f(opened.provisioning);
      } finally {
        opened.close();
      }
    },
  };
}

const json = <T>(r: { stdout: string }): T => JSON.parse(r.stdout) as T;

interface DeviceOut {
  mac: string;
  state: string;
  vendor?: string;
  model?: string;
  firmware?: string;
  extensions: string[];
  secretGeneration: number;
  firstSeenFrom: string;
  resyncRequestedAt?: number;
  lastFetch?: { file: string };
  lastNotification?: { kind: string; answer: string };
}

test('hometel provision: --help on every command exits 0 and says what it does', async () => {
  for (const command of ['', ...subcommands]) {
    const r = await runHometel(['provision', ...(command ? [command] : []), '--help']);
    assert.equal(r.code, 0, command);
    assert.match(r.stdout, /^Usage: hometel provision/m);
    if (command) assert.match(r.stdout, /--json/, `${command}: has --json`);
  }
  const show = await runHometel(['provision', 'show', '--help']);
  assert.match(show.stdout.replace(/\s+/g, ' '), /--secret print its provisioning secret .* the only place it is shown/);
});

test('issue 15 Provisioning server from the shell: a pending device as it said, add, enroll, show, --secret, resync, rotate-secret, remove', async (t) => {
  const h = home(t);
  for (const [n, pw] of [['21', 'kitchen-secret-1'], ['22', 'hall-secret-01']]) assert.equal((await h.run('phones', 'add', n!, '--password', pw!)).code, 0);
  // What plug and play and a fetch record (the notifier's and the files service's parts).
  const at = Date.UTC(2026, 11, 7, 16);
  h.service((p) => {
    p.sighted({ mac, vendor: 'yealink', model: 'T46S', firmware: '66.86.0.15' }, { via: 'plug-and-play', address: '192.168.1.20' });
    p.recordFetch(mac, { at, address: '192.168.1.20', file: 'y000000000000.cfg', protocol: 'http', userAgent: 'Yealink SIP-T46S 66.86.0.15', outcome: 'served' });
    p.recordNotification(mac, { at: at + 1000, kind: 'plug-and-play', target: 'udp:192.168.1.20:5060', answer: '200 OK' });
  });
  const printed: string[] = [];
  const run = async (...args: string[]) => {
    const r = await h.run(...args);
    printed.push(r.stdout, r.stderr);
    assert.equal(r.code, 0, `${args.join(' ')}: ${r.stderr}${r.stdout}`);
    return r;
  };

  const listed = json<{ devices: DeviceOut[] }>(await run('provision', 'devices', '--json')).devices;
  assert.equal(listed.length, 1);
  assert.deepEqual(
    [listed[0]!.mac, listed[0]!.state, listed[0]!.vendor, listed[0]!.model, listed[0]!.firmware, listed[0]!.firstSeenFrom, listed[0]!.lastFetch?.file, listed[0]!.lastNotification?.answer],
    [mac, 'pending', 'yealink', 'T46S', '66.86.0.15', 'plug-and-play 192.168.1.20', 'y000000000000.cfg', '200 OK'],
  );
  const text = (await run('provision', 'devices')).stdout;
  assert.match(text, /^00:15:65:a1:b2:c3 {2}pending {3}yealink T46S firmware 66\.86\.0\.15 {2}first seen \S+ via plug-and-play 192\.168\.1\.20 {2}last fetch: 2026-12-07T16:00:00\.000Z http y000000000000\.cfg from 192\.168\.1\.20 \(served\) Yealink SIP-T46S 66\.86\.0\.15 {2}last notification: 2026-12-07T16:00:01\.000Z plug-and-play to udp:192\.168\.1\.20:5060: 200 OK$/m);
  assert.match(text, /^1 device, 1 pending$/m);

  const added = json<DeviceOut>(await run('provision', 'add', '00:04:13:AA:BB:01', '--extension', '21', '--extension', '22', '--vendor', 'snom', '--model', 'D735', '--json'));
  assert.deepEqual([added.mac, added.state, added.vendor, added.model, added.extensions, added.firstSeenFrom], ['000413aabb01', 'enrolled', 'snom', 'D735', ['21', '22'], 'admin']);
  assert.equal((await run('provision', 'add', '0004.13aa.bb02', '--vendor', 'grandstream')).stdout, 'added 00:04:13:aa:bb:02 (pending)\n');

  const enrolled = json<DeviceOut>(await run('provision', 'enroll', '00-15-65-A1-B2-C3', '--extension', '21', '--json'));
  assert.deepEqual([enrolled.state, enrolled.extensions], ['enrolled', ['21']]);
  assert.equal(h.service((p) => p.device(mac)?.state), 'enrolled', 'in the store');

  const shown = (await run('provision', 'show', mac)).stdout;
  assert.match(shown, /^device 00:15:65:a1:b2:c3: enrolled$/m);
  assert.match(shown, /extensions: +21$/m);
  assert.match(shown, /last fetch: +2026-12-07T16:00:00\.000Z http y000000000000\.cfg from 192\.168\.1\.20 \(served\)/);
  assert.match(shown, /last notification: +2026-12-07T16:00:01\.000Z plug-and-play to udp:192\.168\.1\.20:5060: 200 OK/);
  const shownJson = json<{ device: DeviceOut; access?: unknown }>(await run('provision', 'show', '00:15:65:a1:b2:c3', '--json'));
  assert.equal(shownJson.device.mac, mac);
  assert.equal(shownJson.access, undefined, 'no secret without --secret');

  const secret = h.service((p) => p.deviceSecret(mac)!);
  const access = json<{ access: object }>(await run('provision', 'show', mac, '--secret', '--json')).access;
  assert.deepEqual(access, { mac, secret, http: `http://127.0.0.1:8123/provisioning/${secret}/`, tftp: `tftp://127.0.0.1:6969/${secret}/`, digest: { user: mac, password: secret } });
  const secretText = (await run('provision', 'show', mac, '--secret')).stdout;
  assert.match(secretText, new RegExp(`HTTP URL: +http://127\\.0\\.0\\.1:8123/provisioning/${secret}/$`, 'm'));
  assert.match(secretText, new RegExp(`HTTP Digest: +user ${mac}, password ${secret} \\(with http://127\\.0\\.0\\.1:8123/provisioning/\\)$`, 'm'));
  const withSecret = printed.splice(printed.length - 4, 4);

  const resync = json<DeviceOut>(await run('provision', 'resync', '00:15:65:a1:b2:c3', '--json'));
  assert.ok(resync.resyncRequestedAt, 'asked for');
  assert.equal(h.service((p) => p.device(mac)?.resyncRequestedAt), resync.resyncRequestedAt, 'in the store, for the running hometel to send check-sync');
  assert.match((await run('provision', 'resync', mac)).stdout, /^resync of 00:15:65:a1:b2:c3 asked for: the running hometel sends it check-sync$/m);

  const rotated = json<DeviceOut>(await run('provision', 'rotate-secret', mac, '--json'));
  assert.equal(rotated.secretGeneration, 2);
  assert.ok(!h.service((p) => p.isDeviceSecret(mac, secret)), 'the old secret stops working');
  const fresh = h.service((p) => p.deviceSecret(mac)!);

  assert.deepEqual(json(await run('provision', 'remove', '00:04:13:aa:bb:01', '--json')), { removed: '000413aabb01' });
  assert.equal((await run('provision', 'remove', '0004.13aa.bb02')).stdout, 'removed device 00:04:13:aa:bb:02\n');
  assert.deepEqual(json<{ devices: DeviceOut[] }>(await run('provision', 'devices', '--json')).devices.map((d) => d.mac), [mac]);

  const others = printed.join('\n');
  for (const s of [secret, fresh]) assert.ok(!others.includes(s), 'a secret is printed by show --secret only');
  assert.ok(withSecret.join('\n').includes(secret));
  for (const pw of ['kitchen-secret-1', 'hall-secret-01']) assert.ok(!others.includes(pw) && !withSecret.join('\n').includes(pw), 'no extension password printed');
});

test('issue 15 Provisioning server from the shell: a bad MAC, an unknown extension or vendor, a pending resync — the message, exit status 1, nothing stored', async (t) => {
  const h = home(t);
  assert.equal((await h.run('phones', 'add', '21', '--password', 'kitchen-secret-1')).code, 0);
  h.service((p) => p.sighted({ mac, vendor: 'yealink' }, { via: 'http', address: '192.168.1.20' }));
  const refusals: Array<[string[], RegExp]> = [
    [['add', '00:15:65:a1:b2'], /not a MAC address: "00:15:65:a1:b2"/],
    [['enroll', 'kitchen', '--extension', '21'], /not a MAC address: "kitchen"/],
    [['show', '0015'], /not a MAC address: "0015"/],
    [['resync', 'zz:15:65:a1:b2:c3'], /not a MAC address/],
    [['rotate-secret', '1234'], /not a MAC address/],
    [['remove', '00:15:65:a1:b2:c3:d4'], /not a MAC address/],
    [['add', '001565000099', '--extension', '99'], /no extension 99/],
    [['add', '001565000099', '--vendor', 'nokia'], /unknown vendor "nokia": one of yealink, snom, grandstream, polycom, generic/],
    [['enroll', '001565000099', '--extension', '21'], /no device 001565000099/],
    [['enroll', mac, '--extension', '21', '--template', 'cisco'], /unknown vendor "cisco"/],
    [['resync', mac], /device 001565a1b2c3 is pending: enroll it first/],
    [['show', mac, '--secret'], /device 00:15:65:a1:b2:c3 is pending: it has no provisioning secret until it is enrolled/],
    [['show', '001565000099'], /no device 00:15:65:00:00:99/],
    [['remove', '001565000099'], /no device 001565000099/],
  ];
  for (const [args, message] of refusals) {
    const r = await h.run('provision', ...args, '--json');
    assert.equal(r.code, 1, args.join(' '));
    assert.match(json<{ error: { message: string } }>(r).error.message, message, args.join(' '));
  }
  const asText = await h.run('provision', 'enroll', 'kitchen', '--extension', '21');
  assert.equal(asText.code, 1);
  assert.equal(asText.stdout, '');
  assert.equal(asText.stderr, 'hometel provision: not a MAC address: "kitchen"\n');
  const noExtension = await h.run('provision', 'enroll', mac);
  assert.notEqual(noExtension.code, 0);
  assert.match(noExtension.stderr, /required option '--extension <number>' not specified/);
  assert.deepEqual(h.service((p) => p.devices().map((d) => [d.mac, d.state, d.extensions])), [[mac, 'pending', []]], 'nothing stored, nothing changed');

  const off = home(t, false);
  const r = await off.run('provision', 'devices');
  assert.equal(r.code, 1);
  assert.match(r.stderr, /provisioning is off: add a "provisioning" section to the config \(and "phones"\)/);
});
