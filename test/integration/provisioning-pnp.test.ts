/**
 * Issue 15, acceptance 1 — plug and play between network namespaces: a SIPp phone in the "phone" namespace multicasts
 * the plug-and-play SUBSCRIBE (RFC 6080 5.1.1: `sip:MAC%3a…@224.0.1.75`, `Event: ua-profile;profile-type="device";
 * vendor=…;model=…;version=…`) to 224.0.1.75:5060 and gets, from the hub, `200 OK` (Expires: 0, RFC 6665 4.2.1.1's
 * fetch) and a NOTIFY (`Subscription-State: terminated;reason=timeout`) with the provisioning URL; the device is then
 * pending with its MAC, vendor, model and firmware, and its history records the NOTIFY's answer.
 * Once enrolled, the URL it is told carries its secret; with `message/external-body` in Accept the NOTIFY uses RFC
 * 4483 content indirection (RFC 6080 6.5). A datagram that is not SIP on the group is ignored and the next phone is
 * still served.
 *
 * The hub runs the phones' SIP side with provisioning (test/support/provisioning-sip.ts) on its veth address, port
 * 5060 (the namespace's own), plug and play on the veth interface only.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import path from 'node:path';
import { openPhones } from '../../src/app/index.js';
import { silentLogger, systemClock } from '../../src/base/index.js';
import { netnsPair, type NetnsPair } from '../support/netns.js';
import { waitFor } from '../support/net.js';
import { startProvisioningHub, type ProvisioningHub } from '../support/provisioning-hub.js';
import { expectSippSuccess, runSipp, sippAvailable, sippMessages, SIPP_SCENARIO_DIR, type SippResult } from '../support/sipp.js';

/** node -e: one datagram (argv[1]) to the group, from inside the phone's namespace. */
const sendToGroup = "const s = require('node:dgram').createSocket('udp4'); s.send(process.argv[1], 5060, '224.0.1.75', () => s.close());";
const scenario = path.join(SIPP_SCENARIO_DIR, 'uac-pnp.xml') as `${string}.xml`;
let pair: NetnsPair;
let hub: ProvisioningHub;

before(async () => {
  sippAvailable();
  pair = await netnsPair('pnp');
  hub = await startProvisioningHub(
    'hometel-pnp-',
    (dir) => ({
      dataDir: path.join(dir, 'data'),
      interfaces: [pair.device],
      // The registrar takes 5060 on the hub's address; the line moves aside.
      lines: [{ name: 'home', sip: { mode: 'direct', user: 'home', port: 5080 } }],
      phones: { registrar: { host: pair.hubAddress, port: 5060, transports: ['udp'], digestAlgorithms: ['MD5'], homeNetworks: [`${pair.hubAddress}/24`] } },
      provisioning: { tftpPort: false, plugAndPlayPort: 5060 },
      web: { interface: pair.device, port: 8080 },
    }),
    pair.hub,
  );
});

after(async () => {
  await hub?.stop();
  await pair?.close();
});

async function plugAndPlay(keys: Record<string, string>): Promise<SippResult> {
  const sipp = await runSipp({ scenario, remote: '224.0.1.75:5060', localPort: 5060, transport: 'u1', keys, timeoutMs: 20_000, netns: { name: pair.phone, address: pair.phoneAddress } });
  const result = await sipp.done;
  expectSippSuccess(result, `plug and play\n${hub.log()}`);
  return result;
}

const received = (r: SippResult, first: RegExp): string => {
  const m = sippMessages(r).find((x) => x.direction === 'received' && first.test(x.firstLine));
  assert.ok(m, `no ${first} received`);
  return m.text;
};

test('acceptance 1: the multicast SUBSCRIBE gets 200 and a NOTIFY with the provisioning URL; the device is pending with what it said', async () => {
  // Not SIP on the group: ignored with a log line, and the phone after it is served (issue 15: bad input loses nothing).
  await pair.exec(pair.phone, process.execPath, ['-e', sendToGroup, 'hello\r\n']);
  await waitFor(() => hub.log().includes('plug-and-play datagram ignored: not SIP'), 'the garbage datagram logged');
  // Another method, and another event package, on the group: another server's business, ignored (debug log).
  const sip = (method: string, event: string): string =>
    [`${method} sip:MAC%3a0000000000aa@224.0.1.75 SIP/2.0`, `Via: SIP/2.0/UDP ${pair.phoneAddress}:5099;branch=z9hG4bK${method}`, 'From: <sip:a@x>;tag=1', 'To: <sip:MAC%3a0000000000aa@224.0.1.75>', `Call-ID: ${method}@x`, `CSeq: 1 ${method}`, 'Max-Forwards: 70', `Event: ${event}`, 'Content-Length: 0', '', ''].join('\r\n');
  for (const [method, event] of [['OPTIONS', 'ua-profile;profile-type=device'], ['SUBSCRIBE', 'presence'], ['SUBSCRIBE', 'ua-profile;profile-type=user']]) {
    await pair.exec(pair.phone, process.execPath, ['-e', sendToGroup, sip(method!, event!)]);
  }
  await waitFor(() => (hub.log().match(/plug-and-play datagram ignored source=/g)?.length ?? 0) >= 3, 'the other requests ignored').catch((e: Error) => {
    throw new Error(`${e.message}\n${hub.log()}`);
  });
  assert.equal(hub.provisioning((p) => p.device('0000000000aa')), undefined, 'no device from them');

  const result = await plugAndPlay({ mac: '001565a1b2c3', vendor: 'Yealink', model: 'T46U', version: '108.86.0.45' });
  const ok = received(result, /^SIP\/2\.0 200/);
  assert.match(ok, /^Expires: *0\s*$/m, 'RFC 6665 4.2.1.1: a one-time fetch');
  const notify = received(result, /^NOTIFY /);
  assert.match(notify, /^Event: *ua-profile/m);
  assert.match(notify, /^Subscription-State: *terminated;reason=timeout/m);
  assert.match(notify, /^Content-Type: *application\/url/m);
  // Pending: the URL without a secret, on the registrar's host and the web port.
  assert.match(notify, new RegExp(`\\r?\\n\\r?\\nhttp://${pair.hubAddress.replace(/\./g, '\\.')}:8080/provisioning/\\s*$`));
  // The answer came unicast from the hub, not from the group.
  assert.match(notify, new RegExp(`^Via: SIP/2\\.0/UDP ${pair.hubAddress.replace(/\./g, '\\.')}:5060`, 'm'));

  await waitFor(() => hub.provisioning((p) => p.device('001565a1b2c3')?.lastNotification) !== undefined, 'the NOTIFY recorded').catch((e: Error) => {
    throw new Error(`${e.message}\n${hub.log()}`);
  });
  {
    const device = hub.provisioning((p) => p.device('00:15:65:A1:B2:C3'))!;
    assert.equal(device.state, 'pending');
    assert.equal(device.vendor, 'yealink');
    assert.equal(device.model, 'T46U');
    assert.equal(device.firmware, '108.86.0.45');
    assert.equal(device.firstSeenFrom, `plug-and-play ${pair.phoneAddress}`);
    assert.equal(device.lastNotification?.kind, 'plug-and-play');
    assert.equal(device.lastNotification?.answer, '200 OK');
    assert.equal(device.lastNotification?.target, `udp:${pair.phoneAddress}:5060`);
  }
});

test('an enrolled device is told the URL with its secret, as RFC 4483 content indirection when it accepts message/external-body', async () => {
  const mac = '000b82aabbcc';
  // An extension for it, as `hometel phones add` leaves one.
  const phones = openPhones(hub.config, systemClock, silentLogger);
  try {
    phones.phones.add({ number: '31', password: 'pnp-secret-31' });
  } finally {
    phones.close();
  }
  const secret = hub.provisioning((p) => {
    p.add(mac, { vendor: 'grandstream' });
    p.enroll(mac, ['31']);
    return p.deviceSecret(mac);
  });
  assert.ok(secret);
  const result = await plugAndPlay({ mac, vendor: 'Grandstream', model: 'GXP2170', version: '1.0.11.3', accept: 'message/external-body, application/url' });
  const notify = received(result, /^NOTIFY /);
  const url = `http://${pair.hubAddress}:8080/provisioning/${secret}/`;
  const type = /^Content-Type: *(.*)$/m.exec(notify)?.[1] ?? '';
  assert.match(type, /^message\/external-body;/);
  assert.ok(type.includes(`access-type="URL"`) && type.includes(`URL="${url}"`), type);
  assert.match(notify, /^Content-ID: *<[^>]+>/m, 'RFC 4483: the phantom body carries a Content-ID');
  assert.ok(!hub.log().includes(secret), 'the device secret is never logged');
});
