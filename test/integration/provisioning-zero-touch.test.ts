/**
 * Issue 15, acceptance 5 (zero touch) and acceptance 3 against hometel itself, between two network namespaces:
 * `hometel start` in the hub with auto-enrollment and TFTP on port 69 (the namespace's own), a SIPp "phone" in
 * the other.
 * - Zero touch: the phone does plug and play (RFC 6080 5.1.1) and is told a URL with its secret (auto-enrolled to a
 *   new extension), downloads its Yealink file over HTTP, reads its account from it (user name, password, server),
 *   registers with it (Digest, RFC 3261 22) and rings — 180, then answers — when a call comes in on the line.
 * - TFTP (RFC 1350; RFC 2347/2348/2349 options): atftp with 512- and 1428-byte blocks and tftp-hpa download the
 *   same common and per-device files HTTP serves, byte-identical under 20 % packet loss each way; a write request,
 *   `../../etc/passwd` and an absolute path are refused.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { openPhones } from '../../src/app/index.js';
import { silentLogger, systemClock } from '../../src/base/index.js';
import { netnsPair, type NetnsPair } from '../support/netns.js';
import { waitFor } from '../support/net.js';
import { startProvisioningHub, type ProvisioningHub } from '../support/provisioning-hub.js';
import { expectSippSuccess, runSipp, sippAvailable, sippMessages, SIPP_SCENARIO_DIR, type SippHandle } from '../support/sipp.js';
import { atftpGet, atftpPut, tftpHpaGet, type TftpTarget } from '../support/tftp-clients.js';

const scenario = (name: string): `${string}.xml` => path.join(SIPP_SCENARIO_DIR, `${name}.xml`) as `${string}.xml`;
const mac = '001565c0ffee';
const userAgent = 'Yealink SIP-T54W 96.86.0.70 00:15:65:c0:ff:ee';
const sha256 = (b: Buffer | string): string => createHash('sha256').update(b).digest('hex');
let pair: NetnsPair;
let hub: ProvisioningHub;
let work: string;
const sipps: SippHandle[] = [];
/** What the phone learnt by plug and play (the TFTP test fetches with it). */
let learnt: { url: string; secret: string } | undefined;

before(async () => {
  sippAvailable();
  work = await mkdtemp(path.join(tmpdir(), 'hometel-zero-touch-'));
  pair = await netnsPair('zt');
  hub = await startProvisioningHub(
    'hometel-zero-touch-',
    (dir) => ({
      dataDir: path.join(dir, 'data'),
      interfaces: [pair.device],
      clients: [],
      echo: false,
      lines: [{ name: 'home', sip: { mode: 'direct', user: 'home', port: 5080, transports: ['udp'] } }],
      // SIPp 3.6 answers MD5 challenges only.
      phones: { registrar: { host: pair.hubAddress, port: 5060, transports: ['udp'], digestAlgorithms: ['MD5'], homeNetworks: [`${pair.hubAddress}/24`] } },
      provisioning: { tftpPort: 69, autoEnroll: { first: 30, last: 39 } },
      web: { interface: pair.device, port: 8080 },
    }),
    pair.hub,
  );
});

after(async () => {
  for (const s of sipps) await s.stop();
  await hub?.stop();
  await pair?.close();
  await rm(work, { recursive: true, force: true });
});

const inPhone = (): { name: string; address: string } => ({ name: pair.phone, address: pair.phoneAddress });
/** `curl` in the phone's namespace, as the Yealink (or, without `agent`, as TFTP asks: no User-Agent). */
const curlInPhone = (url: string, agent = userAgent): Promise<string> => pair.exec(pair.phone, 'curl', ['-sS', '--fail', '-A', agent, url]);
const setting = (file: string, key: string): string => {
  const m = new RegExp(`^${key.replace(/\./g, '\\.')} *= *(.*)$`, 'm').exec(file);
  assert.ok(m, `${key} in\n${file}`);
  return m[1]!.trim();
};

test('acceptance 5, zero touch: plug and play, the file it names, REGISTER with the account read from it, and the phone rings on an incoming call', { timeout: 150_000 }, async () => {
  const pnp = await runSipp({ scenario: scenario('uac-pnp'), remote: '224.0.1.75:5060', localPort: 5060, transport: 'u1', keys: { mac, vendor: 'Yealink', model: 'T54W', version: '96.86.0.70' }, timeoutMs: 20_000, netns: inPhone() });
  const told = await pnp.done;
  expectSippSuccess(told, `plug and play\n${hub.log()}`);
  const notify = sippMessages(told).find((m) => m.direction === 'received' && m.firstLine.startsWith('NOTIFY'));
  const url = /(http:\/\/\S+\/provisioning\/([A-Za-z0-9_-]{32})\/)\s*$/.exec(notify?.text ?? '');
  assert.ok(url, `the NOTIFY names a URL with the device's secret (auto-enrolled):\n${notify?.text}`);

  // The phone fetches what a Yealink fetches: the common file, then its own.
  const common = await curlInPhone(`${url[1]}y000000000000.cfg`);
  const own = await curlInPhone(`${url[1]}${mac}.cfg`);
  learnt = { url: url[1]!, secret: url[2]! };
  const user = setting(own, 'account.1.user_name');
  const password = setting(own, 'account.1.password');
  const server = `${setting(own, 'account.1.sip_server.1.address')}:${setting(own, 'account.1.sip_server.1.port')}`;
  assert.equal(user, '30', 'auto-enrolled to the first number of the range');
  assert.equal(server, `${pair.hubAddress}:5060`);
  assert.ok(!common.includes(password) && !common.includes(url[2]!), 'the common file carries no secret');

  // It registers with what it read; calls to it reach its out-of-call scenario, which rings and answers.
  const phone = await runSipp({
    scenario: scenario('uac-register-hold'),
    remote: server,
    localPort: 5062,
    transport: 'u1',
    netns: inPhone(),
    keys: { user, expires: '300' },
    vars: { holdms: '90000', ringms: '300' },
    timeoutMs: 120_000,
    extraArgs: ['-au', user, '-ap', password, '-auth_uri', server, '-oocsf', scenario('ooc-ring')],
  });
  sipps.push(phone);
  const registered = (): number => {
    const p = openPhones(hub.config, systemClock, silentLogger);
    try {
      return p.phones.registrations(user).length;
    } finally {
      p.close();
    }
  };
  await waitFor(() => registered() > 0, `extension ${user} registered`, 15_000).catch(async (e: Error) => {
    throw new Error(`${e.message}\n${hub.log()}\n${(await phone.stop()).report()}`);
  });

  // A call on the line: the registered phone is a screen online, so it rings (not voicemail) and answers.
  const caller = await runSipp({ scenario: 'uac-call', remote: `${pair.hubAddress}:5080`, localPort: 5070, transport: 'u1', service: 'home', netns: inPhone(), vars: { hangup: 'sipp', holdms: '500' }, timeoutMs: 30_000 });
  expectSippSuccess(await caller.done, `the incoming call\n${hub.log()}`);
  const heard = sippMessages(await phone.stop());
  const invite = heard.find((m) => m.direction === 'received' && m.firstLine.startsWith('INVITE'));
  assert.ok(invite, `the phone got the INVITE:\n${heard.map((m) => `${m.direction} ${m.firstLine}`).join('\n')}`);
  assert.match(invite.firstLine, new RegExp(`^INVITE sip:${user}@${pair.phoneAddress.replace(/\./g, '\\.')}:5062`));
  assert.ok(heard.some((m) => m.direction === 'sent' && m.firstLine.startsWith('SIP/2.0 180')), 'the phone rang');
  assert.ok(heard.some((m) => m.direction === 'received' && m.firstLine.startsWith('BYE')), 'the call ended at the phone');
  assert.ok(!hub.log().includes(password) && !hub.log().includes(url[2]!), 'neither the password nor the secret logged');
});

test('acceptance 3 against hometel: atftp and tftp-hpa download the files HTTP serves, byte-identical under 20 % loss; writes and path tricks refused', { timeout: 170_000 }, async () => {
  assert.ok(learnt, 'the zero-touch test ran first');
  const target: TftpTarget = { host: pair.hubAddress, port: 69, netns: pair.phone };
  // Over HTTP without a User-Agent, as a TFTP request comes (a model named by the User-Agent shows in the common file).
  const files = [
    { remote: 'y000000000000.cfg', http: await curlInPhone(`${learnt.url}y000000000000.cfg`, '') },
    { remote: `${learnt.secret}/${mac}.cfg`, http: await curlInPhone(`${learnt.url}${mac}.cfg`, '') },
  ];

  // Refusals first, without loss: a write request, a path out of the tree, an absolute path, a device file without its secret.
  const put = await atftpPut(target, 'y000000000000.cfg', path.join(work, 'upload'));
  assert.notEqual(put.code, 0, 'a write request is refused');
  for (const trick of ['../../etc/passwd', '/etc/passwd', `${mac}.cfg`]) {
    const r = await atftpGet(target, trick, path.join(work, 'trick'), { clientTimeoutS: 1 });
    assert.notEqual(r.code, 0, `${trick} refused`);
    assert.match(`${r.stdout}${r.stderr}`, /Access violation|File not found/, trick);
  }

  // atftp waits 3 s per try (5 tries): hometel retransmits after 1, 2, 4, 8 s (RFC 1123 4.2.3.1's backoff), so a
  // block lost three times still arrives in atftp's window; with 1 s per try, one block in about 125 would not.
  await pair.loss(20);
  try {
    for (const [client, get] of [
      ['atftp', (remote: string, local: string) => atftpGet(target, remote, local, { clientTimeoutS: 3 })],
      ['atftp-1428', (remote: string, local: string) => atftpGet(target, remote, local, { clientTimeoutS: 3, blksize: 1428, tsize: true })],
      ['tftp-hpa', (remote: string, local: string) => tftpHpaGet(target, remote, local)],
    ] as const) {
      for (const [i, f] of files.entries()) {
        const local = path.join(work, `${client}-${i}`);
        const r = await get(f.remote, local);
        assert.ok(r.code === 0 && !/Error|timed out/.test(r.stdout), `${client} ${i}: ${r.stdout}${r.stderr}\n${hub.log().split('\n').filter((l) => l.includes('tftp')).join('\n')}`);
        assert.equal(sha256(await readFile(local)), sha256(f.http), `${client} got what HTTP serves (${i})`);
      }
    }
  } finally {
    await pair.loss(0);
  }
  assert.ok(!hub.log().includes(learnt.secret), 'the secret path is masked in the log');
});
