/**
 * Issue 15, acceptance 4 (the notification part): extension 21 is carried by an enrolled device; a SIPp phone is
 * registered as 21 (Digest), and a SIPp subscribes to the device's `ua-profile` (RFC 6080, `sip:MAC%3a…`, Digest like
 * every SUBSCRIBE of the phones' side).
 * - `hometel phones passwd 21` from another process (the CLI: seen by the 2 s poll of the store) → the registered phone
 *   gets an out-of-dialog `NOTIFY` with `Event: check-sync;reboot=false` and answers 200 (recorded in the device's
 *   history), and the subscriber gets a NOTIFY with the provisioning URL (RFC 6665 4.2.2: a NOTIFY on each change).
 * - `ProvisioningService.resync` from another process → one more check-sync, and the request is cleared once told.
 * - The subscription runs out (RFC 6665 4.1.3: `terminated;reason=timeout`).
 *
 * Between network namespaces like acceptance 1 (test/support/provisioning-sip.ts runs the hub's side).
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import path from 'node:path';
import { openPhones } from '../../src/app/index.js';
import { silentLogger, systemClock } from '../../src/base/index.js';
import type { Device } from '../../src/provisioning/index.js';
import { runHometel } from '../support/hometel-process.js';
import { netnsPair, type NetnsPair } from '../support/netns.js';
import { waitFor } from '../support/net.js';
import { startProvisioningHub, withProvisioning, type ProvisioningHub } from '../support/provisioning-hub.js';
import { expectSippSuccess, runSipp, sippAvailable, sippMessages, SIPP_SCENARIO_DIR, type SippHandle } from '../support/sipp.js';

const scenario = (name: string): `${string}.xml` => path.join(SIPP_SCENARIO_DIR, `${name}.xml`) as `${string}.xml`;
const mac = '805ec0112233';
const password = 'first-of-21';
let pair: NetnsPair;
let hub: ProvisioningHub;
const sipps: SippHandle[] = [];

before(async () => {
  sippAvailable();
  pair = await netnsPair('notify');
  hub = await startProvisioningHub(
    'hometel-notify-',
    (dir) => ({
      dataDir: path.join(dir, 'data'),
      interfaces: [pair.device],
      lines: [{ name: 'home', sip: { mode: 'direct', user: 'home', port: 5080 } }],
      // SIPp 3.6 answers MD5 challenges only; short subscriptions so that SIPp's runs out during the test.
      phones: { registrar: { host: pair.hubAddress, port: 5060, transports: ['udp'], digestAlgorithms: ['MD5'], homeNetworks: [`${pair.hubAddress}/24`], minExpires: 10 } },
      provisioning: { tftpPort: false, plugAndPlay: false },
      web: { interface: pair.device, port: 8080 },
    }),
    pair.hub,
    // Extension 21 on an enrolled Yealink before the hub starts, as `hometel phones add` and `hometel provision add`
    // leave them: the hub learns the device's fingerprint at its start and tells nobody.
    (config) => {
      const phones = openPhones(config, systemClock, silentLogger);
      try {
        phones.phones.add({ number: '21', password });
      } finally {
        phones.close();
      }
      withProvisioning(config, (p) => p.add(mac, { vendor: 'yealink', model: 'T54W', extensions: ['21'] }));
    },
  );
});

after(async () => {
  for (const s of sipps) await s.stop();
  await hub?.stop();
  await pair?.close();
});

const remote = (): string => `${pair.hubAddress}:5060`;
const inPhone = (): { name: string; address: string } => ({ name: pair.phone, address: pair.phoneAddress });

const registrations = (number: string): number => {
  const phones = openPhones(hub.config, systemClock, silentLogger);
  try {
    return phones.phones.registrations(number).length;
  } finally {
    phones.close();
  }
};

const deviceNow = (): Device | undefined => hub.provisioning((p) => p.device(mac));

test('acceptance 4: a changed password sends check-sync to the registered phone and a NOTIFY to its profile subscriber; a resync sends check-sync once', async () => {
  // The registered phone: REGISTER with Digest, then out-of-dialog NOTIFYs answered by its out-of-call scenario.
  const phone = await runSipp({
    scenario: scenario('uac-register-hold'),
    remote: remote(),
    localPort: 5062,
    transport: 'u1',
    netns: inPhone(),
    keys: { user: '21', ooc_event: '^check-sync;reboot=false$' },
    timeoutMs: 150_000,
    extraArgs: ['-au', '21', '-ap', password, '-auth_uri', remote(), '-oocsf', scenario('ooc-notify')],
  });
  sipps.push(phone);
  await waitFor(() => registrations('21') > 0, 'phone 21 registered', 15_000).catch(async (e: Error) => {
    throw new Error(`${e.message}\n${hub.log()}\n${(await phone.stop()).report()}`);
  });

  // The profile subscriber: SUBSCRIBE sip:MAC%3a<mac>@hub with Event ua-profile, Digest as 21.
  const service = `MAC%3a${mac}`;
  const subscriber = await runSipp({
    scenario: scenario('uac-subscribe'),
    remote: remote(),
    localPort: 5064,
    transport: 'u1',
    netns: inPhone(),
    service,
    keys: { subscriber: '21', event: 'ua-profile;profile-type=device', accept: 'application/url', expires: '20' },
    timeoutMs: 60_000,
    extraArgs: ['-au', '21', '-ap', password, '-auth_uri', `${service}@${remote()}`],
  });
  sipps.push(subscriber);
  await waitFor(() => /subscription event=ua-profile/.test(hub.log()), 'the ua-profile subscription', 15_000).catch((e: Error) => {
    throw new Error(`${e.message}\n${hub.log()}`);
  });

  // `hometel phones passwd 21` in another process: the hub hears of it through the store.
  const passwd = await runHometel(['phones', 'passwd', '21', '--password', 'second-of-21', '--config', hub.configFile]);
  assert.equal(passwd.code, 0, passwd.stderr);
  // (The device's history keeps the last notification: the ua-profile NOTIFY's answer may come after this one's.)
  const answered = (): number => hub.log().match(new RegExp(`check-sync answered mac=${mac} extension=21 target=udp:${pair.phoneAddress}:5062 answer="200 OK"`, 'g'))?.length ?? 0;
  await waitFor(() => answered() === 1, 'check-sync answered', 15_000).catch((e: Error) => {
    throw new Error(`${e.message}\n${hub.log()}`);
  });

  // An administrator's resync from another process: check-sync once more, and the request is cleared once told.
  hub.provisioning((p) => p.resync(mac));
  await waitFor(() => answered() === 2 && deviceNow()?.resyncRequestedAt === undefined, 'the resync told', 15_000).catch((e: Error) => {
    throw new Error(`${e.message}\n${hub.log()}`);
  });
  const told = deviceNow()!.lastNotification!;
  assert.equal(told.kind, 'check-sync');
  assert.equal(told.answer, '200 OK');
  assert.equal(told.target, `udp:${pair.phoneAddress}:5062`);

  const sub = await subscriber.done;
  expectSippSuccess(sub, 'the ua-profile subscriber');
  const notifies = sippMessages(sub).filter((m) => m.direction === 'received' && m.firstLine.startsWith('NOTIFY'));
  const secret = hub.provisioning((p) => p.deviceSecret(mac));
  const url = `http://${pair.hubAddress}:8080/provisioning/${secret}/`;
  // The first NOTIFY at once, one after the password changed, and the last as the subscription ran out.
  assert.ok(notifies.length >= 3, `NOTIFYs: ${notifies.map((n) => n.firstLine).join(' | ')}`);
  for (const n of notifies) {
    assert.match(n.text, /^Content-Type: *application\/url/m);
    assert.ok(n.text.includes(url), n.text);
    assert.match(n.text, /^Event: *ua-profile/m);
  }
  assert.match(notifies.at(-1)!.text, /^Subscription-State: *terminated;reason=timeout/m);

  // The phone fetches its file again, as check-sync asked: it carries the new password.
  const file = await pair.exec(pair.phone, 'curl', ['-sS', '--fail', '-A', 'Yealink SIP-T54W 96.86.0.70 80:5e:c0:11:22:33', `${url}${mac}.cfg`]);
  assert.match(file, /^account\.1\.password *= *second-of-21\s*$/m, file);

  const reg = await phone.stop();
  // (It also hears the unsolicited message-summary NOTIFYs of the lamps, RFC 3842 4.)
  const checkSyncs = sippMessages(reg).filter((m) => m.direction === 'received' && m.firstLine.startsWith('NOTIFY') && /^Event: *check-sync/m.test(m.text));
  assert.equal(checkSyncs.length, 2, checkSyncs.map((n) => n.text).join('\n\n'));
  for (const n of checkSyncs) assert.match(n.text, /^Event: *check-sync;reboot=false\s*$/m);
  assert.ok(!hub.log().includes('second-of-21') && !hub.log().includes(secret!), 'no password or device secret logged');
});
