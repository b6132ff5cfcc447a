/**
 * Plug and play (issue 15, RFC 6080 5.1.1) with a fake group socket and the phones' side's user agent on the
 * in-memory network: the multicast ua-profile SUBSCRIBE is answered 200 (Expires: 0) unicast to the Via's sent-by /
 * rport and followed by one NOTIFY with the URL to the SUBSCRIBE's Contact; a retransmitted SUBSCRIBE gets the same
 * 200 and no second NOTIFY (RFC 3261 17.2.2); the NOTIFY's answer — or its timeout — is recorded; datagrams from
 * outside the home interfaces, that are not SIP, or are not a device-profile ua-profile SUBSCRIBE are ignored; no
 * MAC is 400.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { silentLogger } from '../../src/base/logger.js';
import type { DeviceIdentity, NotificationRecord, Sighting } from '../../src/provisioning/index.js';
import { generateBranch, parseSipMessage, request as sipRequest, serializeSipMessage, type SipPeer, type SipResponse } from '../../src/sip/index.js';
import { PlugAndPlay, type GroupSocket } from '../../src/sip/pbx/index.js';
import { agent, FakeClock, MemoryNet, RawPeer, settle, stopped } from '../support/sip-ua-fixture.js';

class FakeGroup implements GroupSocket {
  readonly joined: string[] = [];
  readonly sent: Array<{ message: SipResponse; to: SipPeer }> = [];
  private handler?: (data: Buffer, from: SipPeer) => void;
  bound?: number;
  bind(port: number): Promise<void> {
    this.bound = port;
    return Promise.resolve();
  }
  join(address: string): void {
    this.joined.push(address);
  }
  send(data: Uint8Array, to: SipPeer): Promise<void> {
    const parsed = parseSipMessage(Buffer.from(data));
    assert.ok(parsed.ok && parsed.message.kind === 'response');
    this.sent.push({ message: parsed.message, to });
    return Promise.resolve();
  }
  onDatagram(handler: (data: Buffer, from: SipPeer) => void): void {
    this.handler = handler;
  }
  close(): Promise<void> {
    return Promise.resolve();
  }
  deliver(data: string | Buffer, from: SipPeer): void {
    this.handler?.(Buffer.from(data), from);
  }
}

const phoneAt = { transport: 'udp', address: '127.0.0.1', port: 5071 } as const;
const subscribeText = (o: { uri?: string; event?: string; branch?: string; method?: string; contact?: boolean } = {}): Buffer =>
  serializeSipMessage(
    sipRequest(o.method ?? 'SUBSCRIBE', o.uri ?? 'sip:MAC%3a001565a1b2c3@224.0.1.75', [
      ['Via', `SIP/2.0/UDP 127.0.0.1:5071;branch=${o.branch ?? generateBranch()};rport`],
      ['From', '<sip:MAC%3a001565a1b2c3@224.0.1.75>;tag=p1'],
      ['To', '<sip:MAC%3a001565a1b2c3@224.0.1.75>'],
      ['Call-ID', 'pnp@phone'],
      ['CSeq', `1 ${o.method ?? 'SUBSCRIBE'}`],
      ['Max-Forwards', '70'],
      ...(o.contact === false ? [] : [['Contact', '<sip:127.0.0.1:5071>'] as const]),
      ['Event', o.event ?? 'ua-profile;profile-type="device";vendor="Snom";model="D785";version="10.1.54.13"'],
      ['Accept', 'application/url'],
      ['Expires', '0'],
    ]),
  );

function setup() {
  const net = new MemoryNet();
  const clock = new FakeClock();
  const ua = agent(net, clock, 5062, 'hometel');
  const group = new FakeGroup();
  const seen: Array<{ identity: DeviceIdentity; sighting: Sighting }> = [];
  const records: NotificationRecord[] = [];
  const pnp = new PlugAndPlay({
    interfaces: [{ name: 'eth0', address: '127.0.0.1', netmask: '255.0.0.0' }],
    port: 5060,
    userAgent: ua,
    devices: { sighted: (identity, sighting) => seen.push({ identity, sighting }), recordNotification: (_mac, n) => void records.push(n) },
    profileUrl: (mac) => `http://127.0.0.1:8080/provisioning/${mac}-secret/`,
    socket: group,
    logger: silentLogger,
  });
  const phone = new RawPeer(net, 5071);
  return { net, clock, ua, group, seen, records, pnp, phone };
}

test('RFC 6080 5.1.1: 200 with Expires 0 unicast to the Via, one NOTIFY with the URL to the Contact, the device sighted and the answer recorded', async () => {
  const s = setup();
  await s.pnp.start();
  assert.equal(s.group.bound, 5060);
  assert.deepEqual(s.group.joined, ['127.0.0.1'], 'joined on each home interface');
  const branch = generateBranch();
  s.group.deliver(subscribeText({ branch }), phoneAt);
  await settle();
  assert.deepEqual(s.seen, [{ identity: { mac: '001565a1b2c3', vendor: 'snom', model: 'D785', firmware: '10.1.54.13' }, sighting: { via: 'plug-and-play', address: '127.0.0.1' } }]);
  assert.equal(s.group.sent.length, 1);
  const ok = s.group.sent[0]!;
  assert.equal(ok.message.status, 200);
  assert.equal(ok.message.headers.get('Expires'), '0');
  assert.deepEqual(ok.to, phoneAt, 'RFC 3581: to the source (rport)');
  const notify = s.phone.last('NOTIFY').message;
  assert.equal(notify.uri, 'sip:127.0.0.1:5071');
  assert.equal(notify.headers.get('Subscription-State'), 'terminated;reason=timeout');
  assert.equal(notify.headers.get('Content-Type'), 'application/url');
  assert.equal(notify.body, 'http://127.0.0.1:8080/provisioning/001565a1b2c3-secret/\r\n');
  assert.equal(notify.headers.get('Call-ID'), 'pnp@phone', 'in the dialog the SUBSCRIBE made');
  // RFC 3261 17.2.2: the retransmission gets the same 200, and no second NOTIFY.
  s.group.deliver(subscribeText({ branch }), phoneAt);
  await settle();
  assert.equal(s.group.sent.length, 2);
  assert.equal(s.group.sent[1]!.message.headers.get('To'), ok.message.headers.get('To'), 'the same response');
  assert.equal(s.phone.requests('NOTIFY').length, 1);
  assert.equal(s.seen.length, 1);
  s.phone.respond(s.phone.last('NOTIFY'), 200);
  await settle();
  assert.deepEqual(s.records.map((r) => [r.kind, r.answer, r.target]), [['plug-and-play', '200 OK', 'udp:127.0.0.1:5071']]);
  await s.pnp.stop();
  await stopped(s.ua);
});

test('a NOTIFY nobody answers is recorded as a timeout (RFC 3261 17.1.2.2 Timer F)', async () => {
  const s = setup();
  await s.pnp.start();
  s.group.deliver(subscribeText(), phoneAt);
  await settle();
  await s.clock.run(40_000);
  assert.deepEqual(s.records.map((r) => r.answer), ['timeout']);
  assert.ok(s.phone.requests('NOTIFY').length > 1, 'UDP retransmissions (Timer E)');
  await s.pnp.stop();
  await stopped(s.ua);
});

test('ignored: from outside the home interfaces, not SIP, another method, another package or profile type, a response; no MAC is 400', async () => {
  const s = setup();
  await s.pnp.start();
  s.group.deliver(subscribeText(), { transport: 'udp', address: '192.168.7.9', port: 5060 });
  s.group.deliver('garbage\r\n\r\n', phoneAt);
  s.group.deliver(subscribeText({ method: 'OPTIONS' }), phoneAt);
  s.group.deliver(subscribeText({ event: 'presence' }), phoneAt);
  s.group.deliver(subscribeText({ event: 'ua-profile;profile-type=user' }), phoneAt);
  s.group.deliver('SIP/2.0 200 OK\r\nVia: SIP/2.0/UDP 127.0.0.1:5062;branch=z9hG4bKx\r\nCall-ID: x\r\nCSeq: 1 NOTIFY\r\nFrom: <sip:a@b>;tag=1\r\nTo: <sip:a@b>\r\nContent-Length: 0\r\n\r\n', phoneAt);
  await settle();
  assert.equal(s.group.sent.length, 0);
  assert.equal(s.seen.length, 0);
  s.group.deliver(subscribeText({ uri: 'sip:phone@224.0.1.75' }).toString().replace(/MAC%3a001565a1b2c3/g, 'phone'), phoneAt);
  await settle();
  assert.equal(s.group.sent.at(-1)?.message.status, 400);
  assert.equal(s.seen.length, 0);
  assert.equal(s.phone.requests('NOTIFY').length, 0);
  await s.pnp.stop();
  await stopped(s.ua);
});
