/**
 * The hometel command as a user runs it: --help everywhere, `start` with a config file keeping its
 * identity across kill -9, `discover` and `invoke` against real devices, exit codes and --json.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { once } from 'node:events';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ControlPoint } from '../../src/upnp/index.js';
import { lo, testLogger, unavailable } from '../support/net.js';
import { startLightProcess } from '../support/light-runner.js';
import { runHometel, startHometelProcess } from '../support/hometel-process.js';

const run = runHometel;

test('--help works on the command and every subcommand', async () => {
  for (const args of [['--help'], ['start', '--help'], ['discover', '--help'], ['invoke', '--help'], ['web', '--help'], ['web', 'reset-password', '--help'], ['web', 'tokens', '--help'], ['web', 'revoke-token', '--help']]) {
    const r = await run(args);
    assert.equal(r.code, 0, args.join(' '));
    assert.match(r.stdout, /^Usage: hometel/m);
  }
});

test('a bad config file is refused with every problem named and a non-zero exit', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'hometel-cli-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  writeFileSync(join(dir, 'bad.json'), JSON.stringify({ interfaces: 'lo', colour: 'blue' }));
  const r = await run(['start', '--config', join(dir, 'bad.json')]);
  assert.notEqual(r.code, 0);
  assert.match(r.stderr, /interfaces: must be a non-empty array/);
  assert.match(r.stderr, /colour: unknown field/);
});

test('hometel start keeps its UDN across kill -9, is discoverable, and says byebye on SIGTERM', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'hometel-cli-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const config = join(dir, 'hometel.json');
  writeFileSync(
    config,
    JSON.stringify({ name: 'CLI test home', interfaces: ['lo'], dataDir: join(dir, 'data'), lines: [{ name: 'main', friendlyName: 'Main line' }, { name: 'work' }] }),
  );

  const first = await startHometelProcess(['--config', config]);
  t.after(() => first.child.kill('SIGKILL'));
  const found = await run(['discover', '--json', '--timeout', '2', '--target', first.udn]);
  assert.equal(found.code, 0);
  const roots = JSON.parse(found.stdout) as Array<{ devices: Array<{ udn: string; friendlyName: string; deviceType: string; services: Array<{ serviceType: string }> }> }>;
  const home = roots.find((r) => r.devices[0]?.udn === first.udn)!;
  assert.deepEqual(
    home.devices.map((d) => [d.friendlyName, d.deviceType, d.services.map((s) => s.serviceType).join()]),
    [
      ['CLI test home', 'urn:schemas-upnp-org:device:Basic:1', ''],
      ['Main line', 'urn:schemas-upnp-org:device:TelephonyServer:1', 'urn:schemas-upnp-org:service:CallManagement:1,urn:schemas-hometel-org:service:AddressBook:1,urn:schemas-hometel-org:service:CallHandling:1,urn:schemas-hometel-org:service:VoiceMail:1'],
      ['work line', 'urn:schemas-upnp-org:device:TelephonyServer:1', 'urn:schemas-upnp-org:service:CallManagement:1,urn:schemas-hometel-org:service:AddressBook:1,urn:schemas-hometel-org:service:CallHandling:1,urn:schemas-hometel-org:service:VoiceMail:1'],
      ['tc client', 'urn:schemas-upnp-org:device:TelephonyClient:1', 'urn:schemas-upnp-org:service:MediaManagement:1'],
    ],
    'one Telephony Server per configured line (each with the AddressBook, CallHandling and VoiceMail services) and the default Telephony Client, embedded in the root device',
  );
  first.child.kill('SIGKILL');
  await once(first.child, 'exit');

  const second = await startHometelProcess(['--config', config]);
  t.after(() => second.child.kill('SIGKILL'));
  assert.equal(second.udn, first.udn, 'the UDN survives kill -9');
  assert.match(second.log(), /bootId=2/, 'BOOTID grows at each start');

  const cp = new ControlPoint({ interfaces: [lo], logger: testLogger('cp'), searchTarget: second.udn, mx: 1 });
  t.after(() => cp.stop());
  await cp.start();
  await cp.waitForDevice((d) => d.udn === second.udn);
  const gone = unavailable(cp, second.udn);
  second.child.kill('SIGTERM');
  const [code] = (await once(second.child, 'exit')) as [number];
  assert.equal(code, 0);
  assert.equal(await gone, 'byebye');
});

test('hometel invoke runs actions on a device, with --json and exit code 2 for a UPnP error', async (t) => {
  const udn = `uuid:${randomUUID()}`;
  const light = await startLightProcess(udn);
  t.after(() => light.child.kill('SIGKILL'));

  const set = await run(['invoke', udn, 'SwitchPower', 'SetTarget', 'newTargetValue=1', '--json']);
  assert.equal(set.code, 0, set.stderr);
  assert.deepEqual(JSON.parse(set.stdout), {});
  const get = await run(['invoke', udn, 'urn:upnp-org:serviceId:SwitchPower', 'GetStatus']);
  assert.equal(get.stdout, 'ResultStatus=true\n');
  const bad = await run(['invoke', udn, 'Echo', 'Echo', 'Text=hi', 'Count=1', 'Mode=whisper', '--json']);
  assert.equal(bad.code, 2);
  assert.equal((JSON.parse(bad.stdout) as { error: { code: number } }).error.code, 600);
  const missing = await run(['invoke', 'uuid:00000000-0000-0000-0000-000000000000', 'SwitchPower', 'GetStatus', '--timeout', '1']);
  assert.equal(missing.code, 1);
  assert.match(missing.stderr, /no matching device/);
});

test('hometel start with a direct SIP line: the Telephony Server answers with the line\'s SIP identity', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'hometel-cli-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const config = join(dir, 'hometel.json');
  const port = 21_000 + Math.floor(Math.random() * 20_000);
  writeFileSync(config, JSON.stringify({ dataDir: join(dir, 'data'), lines: [{ name: 'main', sip: { mode: 'direct', user: 'alice', port } }] }));
  const running = await startHometelProcess(['--config', config]);
  t.after(() => running.child.kill('SIGKILL'));
  const found = JSON.parse((await run(['discover', '--json', '--timeout', '2', '--target', running.udn])).stdout) as Array<{ devices: Array<{ udn: string; deviceType: string }> }>;
  const ts = found.flatMap((r) => r.devices).find((d) => d.deviceType === 'urn:schemas-upnp-org:device:TelephonyServer:1')!;
  const identity = await run(['invoke', ts.udn, 'CallManagement', 'GetTelephonyIdentity', '--json']);
  assert.deepEqual(JSON.parse(identity.stdout), { TelephonyIdentity: `sip:alice@127.0.0.1:${port}` });
});

test('hometel start with a configured Telephony Client: TelephonyClient:1 with MediaManagement answers its media capabilities', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'hometel-cli-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const config = join(dir, 'hometel.json');
  const clients = [{ name: 'tv', friendlyName: 'Living room TV', source: { tone: 1000 }, recordDir: join(dir, 'rec'), video: true, rtpPorts: { min: 25400, max: 25499 } }];
  writeFileSync(config, JSON.stringify({ dataDir: join(dir, 'data'), lines: [{ name: 'main' }], clients }));
  const running = await startHometelProcess(['--config', config]);
  t.after(() => running.child.kill('SIGKILL'));
  const found = JSON.parse((await run(['discover', '--json', '--timeout', '2', '--target', running.udn])).stdout) as Array<{
    devices: Array<{ udn: string; friendlyName: string; deviceType: string; services: Array<{ serviceType: string }> }>;
  }>;
  const tc = found.flatMap((r) => r.devices).find((d) => d.deviceType === 'urn:schemas-upnp-org:device:TelephonyClient:1');
  assert.ok(tc, 'a TelephonyClient:1 device');
  assert.equal(tc.friendlyName, 'Living room TV');
  assert.deepEqual(tc.services.map((s) => s.serviceType), ['urn:schemas-upnp-org:service:MediaManagement:1']);
  const caps = await run(['invoke', tc.udn, 'MediaManagement', 'GetMediaCapabilities', 'TSMediaCapabilityInfo=', '--json']);
  assert.equal(caps.code, 0, caps.stderr);
  const info = (JSON.parse(caps.stdout) as { SupportedMediaCapabilityInfo: string }).SupportedMediaCapabilityInfo;
  assert.match(info, /m=audio 25400 RTP\/AVP 0 8 101/);
  assert.match(info, /m=video 25402 RTP\/AVP 96/);
  assert.match(info, /a=recvonly/);
});
