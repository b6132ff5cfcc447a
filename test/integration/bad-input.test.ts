/**
 * Acceptance 3 of the foundation issue: bad input is answered as UDA says, with a log line, and
 * the device goes on serving a good request right after each one.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createSocket } from 'node:dgram';
import { createServer } from 'node:http';
import { randomUUID } from 'node:crypto';
import type { AddressInfo } from 'node:net';
import { ControlPoint, DeviceHost } from '../../src/upnp/index.js';
import { echoType, lightDevice, switchPowerType } from '../support/switch-power.js';
import { lo, testLogger } from '../support/net.js';
import { faultCode, rawRequest, soapRequest } from '../support/raw-http.js';

const udn = `uuid:${randomUUID()}`;
const host = new DeviceHost({ root: lightDevice(udn), interfaces: [lo], bootId: 1, logger: testLogger('device') });
await host.start();
const base = new URL(host.locations[0]!).origin;
const path = `/upnp/${udn.slice(5)}`;
const control = `${base}${path}/SwitchPower/control`;
const echoControl = `${base}${path}/Echo/control`;
const events = `${base}${path}/SwitchPower/event`;
const soapHeaders = (action: string, type = switchPowerType): Record<string, string> => ({
  'content-type': 'text/xml; charset="utf-8"',
  soapaction: `"${type}#${action}"`,
});

test.after(() => host.stop());

/** After every bad request: a good action still gets its answer. */
async function stillServes(): Promise<void> {
  const res = await rawRequest(control, 'POST', soapHeaders('GetStatus'), soapRequest('GetStatus', '', switchPowerType));
  assert.equal(res.status, 200);
  assert.match(res.body, /<ResultStatus>0<\/ResultStatus>/);
}

async function post(url: string, headers: Record<string, string>, body: string | Buffer): Promise<{ status: number; code?: number }> {
  const res = await rawRequest(url, 'POST', headers, body);
  return { status: res.status, code: faultCode(res.body) };
}

test('malformed XML is refused with 400 Bad Request', async () => {
  assert.deepEqual(await post(control, soapHeaders('GetStatus'), '<s:Envelope><s:Body><u:GetStatus>'), { status: 400, code: undefined });
  await stillServes();
});

test('a body that is XML but not a SOAP envelope is refused with 400', async () => {
  assert.equal((await post(control, soapHeaders('GetStatus'), '<GetStatus/>')).status, 400);
  await stillServes();
});

test('XML with a DOCTYPE, entity declarations or billion laughs is refused with 400 and nothing is expanded', async () => {
  const lol =
    '<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">' +
    '<!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">]>' +
    soapRequest('Echo', '<Text>&lol3;</Text><Count>1</Count><Mode>plain</Mode>', echoType).replace('<?xml version="1.0"?>', '');
  assert.equal((await post(echoControl, soapHeaders('Echo', echoType), lol)).status, 400);
  const xxe = '<?xml version="1.0"?><!DOCTYPE x [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>' + soapRequest('Echo', '<Text>&xxe;</Text><Count>1</Count><Mode>plain</Mode>', echoType).replace('<?xml version="1.0"?>', '');
  const res = await rawRequest(echoControl, 'POST', soapHeaders('Echo', echoType), xxe);
  assert.equal(res.status, 400);
  assert.doesNotMatch(res.body, /root:/);
  await stillServes();
});

test('a 10 MiB body is refused with 413, declared or chunked', async () => {
  const big = Buffer.alloc(10 * 1024 * 1024, 'a');
  assert.equal((await post(control, soapHeaders('GetStatus'), big)).status, 413);
  const chunked = await rawRequest(control, 'POST', { ...soapHeaders('GetStatus'), 'transfer-encoding': 'chunked' }, big);
  assert.equal(chunked.status, 413);
  await stillServes();
});

test('UDA 1.0 3.2.2: an unknown action is answered with UPnPError 401', async () => {
  assert.deepEqual(await post(control, soapHeaders('Explode'), soapRequest('Explode', '', switchPowerType)), { status: 500, code: 401 });
  await stillServes();
});

test('UDA 1.0 3.2.2: missing, extra, repeated or mistyped arguments are answered with 402', async () => {
  const set = (args: string): Promise<{ status: number; code?: number }> =>
    post(control, soapHeaders('SetTarget'), soapRequest('SetTarget', args, switchPowerType));
  assert.deepEqual(await set(''), { status: 500, code: 402 });
  assert.deepEqual(await set('<newTargetValue>1</newTargetValue><Extra>1</Extra>'), { status: 500, code: 402 });
  assert.deepEqual(await set('<newTargetValue>1</newTargetValue><newTargetValue>0</newTargetValue>'), { status: 500, code: 402 });
  assert.deepEqual(await set('<newTargetValue>maybe</newTargetValue>'), { status: 500, code: 402 });
  await stillServes();
});

test('UDA 1.0 3.2.2: values outside allowedValueList or allowedValueRange are answered with 600 and 601', async () => {
  const echo = (args: string): Promise<{ status: number; code?: number }> =>
    post(echoControl, soapHeaders('Echo', echoType), soapRequest('Echo', args, echoType));
  assert.deepEqual(await echo('<Text>x</Text><Count>1</Count><Mode>whisper</Mode>'), { status: 500, code: 600 });
  assert.deepEqual(await echo('<Text>x</Text><Count>5000</Count><Mode>plain</Mode>'), { status: 500, code: 601 });
  await stillServes();
});

test('a wrong or missing SOAPACTION is answered with 401 Invalid Action', async () => {
  const body = soapRequest('GetStatus', '', switchPowerType);
  assert.deepEqual(await post(control, soapHeaders('GetTarget'), body), { status: 500, code: 401 }, 'action differs from the body');
  assert.deepEqual(await post(control, soapHeaders('GetStatus', echoType), body), { status: 500, code: 401 }, 'another service type');
  assert.deepEqual(await post(control, { 'content-type': 'text/xml' }, body), { status: 500, code: 401 }, 'no SOAPACTION');
  assert.deepEqual(await post(control, { soapaction: 'garbage' }, body), { status: 500, code: 401 }, 'unparseable SOAPACTION');
  await stillServes();
});

test('an action whose handler fails unexpectedly is answered with 501 and the device goes on', async () => {
  const res = await post(echoControl, soapHeaders('Fail', echoType), soapRequest('Fail', '<Code>7</Code>', echoType));
  assert.deepEqual(res, { status: 500, code: 501 });
  await stillServes();
});

test('UDA 1.0 4.1.1: SUBSCRIBE without CALLBACK or NT, or with a bad NT, is refused with 412', async () => {
  const cb = '<http://127.0.0.1:9/cb>';
  assert.equal((await rawRequest(events, 'SUBSCRIBE', { nt: 'upnp:event' })).status, 412);
  assert.equal((await rawRequest(events, 'SUBSCRIBE', { callback: cb })).status, 412);
  assert.equal((await rawRequest(events, 'SUBSCRIBE', { callback: cb, nt: 'upnp:other' })).status, 412);
  assert.equal((await rawRequest(events, 'SUBSCRIBE', { callback: 'http://127.0.0.1/no-brackets', nt: 'upnp:event' })).status, 412);
  await stillServes();
});

test('CallStranger (CVE-2020-12695): a CALLBACK to another host is refused and never called', async (t) => {
  let hits = 0;
  const victim = createServer((_req, res) => {
    hits++;
    res.end();
  });
  await new Promise<void>((r) => victim.listen(0, '127.0.0.2', r));
  t.after(() => new Promise<void>((r) => victim.close(() => r())));
  const port = (victim.address() as AddressInfo).port;
  const res = await rawRequest(events, 'SUBSCRIBE', { callback: `<http://127.0.0.2:${port}/>`, nt: 'upnp:event', timeout: 'Second-300' });
  assert.equal(res.status, 412);
  const mixed = await rawRequest(events, 'SUBSCRIBE', {
    callback: `<http://127.0.0.1:${port}/><http://127.0.0.2:${port}/>`,
    nt: 'upnp:event',
  });
  assert.equal(mixed.status, 412, 'one foreign URL among several is enough to refuse');
  await new Promise((r) => setTimeout(r, 300));
  assert.equal(hits, 0);
  await stillServes();
});

test('UDA 1.0 4.1.2: renewal or UNSUBSCRIBE with an unknown SID is refused with 412; SID with NT is 400', async () => {
  const sid = `uuid:${randomUUID()}`;
  assert.equal((await rawRequest(events, 'SUBSCRIBE', { sid, timeout: 'Second-300' })).status, 412);
  assert.equal((await rawRequest(events, 'UNSUBSCRIBE', { sid })).status, 412);
  assert.equal((await rawRequest(events, 'SUBSCRIBE', { sid, nt: 'upnp:event' })).status, 400);
  await stillServes();
});

test('unknown paths and methods get 404 and 405', async () => {
  assert.equal((await rawRequest(`${base}/nothing`, 'GET', {})).status, 404);
  assert.equal((await rawRequest(control, 'GET', {})).status, 405);
  assert.equal((await rawRequest(`${base}/description.xml`, 'POST', {}, 'x')).status, 405);
  await stillServes();
});

test('10,000 garbage SSDP datagrams are dropped, bad searches go unanswered, and the device is still found', async (t) => {
  const sock = createSocket({ type: 'udp4' });
  await new Promise<void>((r) => sock.bind(0, '127.0.0.1', r));
  sock.setMulticastInterface('127.0.0.1');
  const replies: string[] = [];
  sock.on('message', (m) => replies.push(m.toString('latin1')));
  t.after(() => sock.close());
  const send = (b: Buffer): Promise<void> => new Promise((r) => sock.send(b, 1900, '239.255.255.250', () => r()));

  // Datagrams that are not SSDP at all: each one is counted as dropped.
  const garbage: Buffer[] = [
    Buffer.from('garbage'),
    Buffer.from('M-SEARCH * HTTP/1.1\r\nHOST 239.255.255.250:1900\r\n\r\n'),
    Buffer.from('HTTP/1.1 200 OK\r\n' + 'X: y\r\n'.repeat(500) + '\r\n'),
    Buffer.from(`NOTIFY * HTTP/1.1\r\nNT: ${'a'.repeat(9000)}\r\n\r\n`),
    Buffer.from([0, 1, 2, 3, 0xff, 0xfe, 0x0d, 0x0a, 0x0d, 0x0a]),
    Buffer.from('GET / HTTP/1.1\r\nHost: x\r\n\r\n'),
    Buffer.alloc(0),
  ];
  const before = host.ssdpDropped;
  for (let i = 0; i < 10_000; i++) {
    await send(i % 3 === 0 ? Buffer.from(randomUUID().repeat(1 + (i % 7))) : garbage[i % garbage.length]!);
    // Let the receiver drain: a burst larger than the socket buffer is lost by the kernel, not by us. On a busy
    // machine a fixed pause is not enough, so each batch waits (briefly) until the device has counted it.
    if (i % 50 === 49) {
      const deadline = Date.now() + 50;
      while (host.ssdpDropped - before < i + 1 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 1));
    }
  }
  // Well-formed SSDP that must not be answered: no MAN, a bad MX, a forged LOCATION.
  const ignored = [
    `M-SEARCH * HTTP/1.1\r\nHOST: 239.255.255.250:1900\r\nMX: 1\r\nST: ${udn}\r\n\r\n`,
    `M-SEARCH * HTTP/1.1\r\nHOST: 239.255.255.250:1900\r\nMAN: "ssdp:discover"\r\nMX: -3\r\nST: ${udn}\r\n\r\n`,
    `M-SEARCH * HTTP/1.1\r\nHOST: 239.255.255.250:1900\r\nMAN: "ssdp:discover"\r\nST: ${udn}\r\n\r\n`,
    'NOTIFY * HTTP/1.1\r\nNTS: ssdp:alive\r\nNT: upnp:rootdevice\r\nUSN: uuid:x::upnp:rootdevice\r\nLOCATION: file:///etc/passwd\r\nCACHE-CONTROL: max-age=5\r\n\r\n',
  ];
  for (const m of ignored) for (let i = 0; i < 25; i++) await send(Buffer.from(m));
  await new Promise((r) => setTimeout(r, 1_500));
  const dropped = host.ssdpDropped - before;
  assert.ok(dropped >= 9_500, `garbage was seen and dropped (${dropped} of 10000)`);
  assert.deepEqual(replies, [], 'malformed searches are not answered');

  const cp = new ControlPoint({ interfaces: [lo], logger: testLogger('cp'), searchTarget: udn, mx: 1 });
  t.after(() => cp.stop());
  await cp.start();
  const device = await cp.waitForDevice((d) => d.udn === udn, 5_000);
  assert.equal(device.udn, udn);
  await stillServes();
});
