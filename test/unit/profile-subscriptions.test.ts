/**
 * RFC 6080 `ua-profile` (issue 15) on the in-memory network (test/support/sip-ua-fixture.ts): the Event parameters and
 * device URIs (6.2, 5.1.1), the NOTIFY bodies (application/url; RFC 4483 content indirection, 6.5), subscriptions
 * through the phones' notifier — accepted (200, NOTIFY at once), a NOTIFY on each change of the device's file,
 * un-SUBSCRIBE (RFC 6665 4.2.1.4), refused profile types (489), other subscribers' devices (403), unknown devices
 * (404), Accept (406) — each answer recorded in the device's history; and check-sync to registered bindings.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { silentLogger } from '../../src/base/logger.js';
import { DialogBook, PresenceService } from '../../src/phones/index.js';
import type { Device, NotificationRecord } from '../../src/provisioning/index.js';
import { toAddr, type HeaderInput, type SipRequest, type SipResponse } from '../../src/sip/message/index.js';
import { macOfUri, Notifier, parseUaProfileEvent, profileBody, ProfileSubscriptions, sendCheckSync, vendorOf, type RequestHandler } from '../../src/sip/pbx/index.js';
import { binding, FakeAuthenticator, ManualDnd, ManualMessages, MemoryDirectory } from '../support/phone-fakes.js';
import { agent, FakeClock, MemoryNet, RawPeer, settle, stopped } from '../support/sip-ua-fixture.js';

const HUB = 5062;
const mac = '001565a1b2c3';

test('RFC 6080 6.2 / 5.1.1: the Event parameters, the device in a URI, the vendor', () => {
  const e = parseUaProfileEvent('ua-profile;profile-type="device";vendor="Yealink";model="T46U";version="108.86.0.45"');
  assert.deepEqual({ ...e }, { profileType: 'device', vendor: 'Yealink', model: 'T46U', version: '108.86.0.45', header: 'ua-profile;profile-type="device";vendor="Yealink";model="T46U";version="108.86.0.45"' });
  assert.equal(parseUaProfileEvent('UA-Profile ; profile-type=user')?.profileType, 'user');
  assert.equal(parseUaProfileEvent('ua-profile;profile-type=application')?.profileType, undefined, 'not one of RFC 6080\'s');
  assert.equal(parseUaProfileEvent('presence'), undefined);
  assert.equal(parseUaProfileEvent('ua-profile;;'), undefined, 'parameters that do not parse');
  assert.equal(macOfUri('sip:MAC%3a001565A1B2C3@224.0.1.75'), mac);
  assert.equal(macOfUri('sip:MAC:00-15-65-a1-b2-c3@224.0.1.75:5060'), mac, 'unescaped, as some phones write it');
  assert.equal(macOfUri('sip:mac%3a0015.65a1.b2c3@home'), mac);
  assert.equal(macOfUri('sip:21@home'), undefined);
  assert.equal(macOfUri('sip:MAC%3anot-a-mac@home'), undefined);
  assert.equal(vendorOf('Yealink'), 'yealink');
  assert.equal(vendorOf('snom'), 'snom');
  assert.equal(vendorOf('Cisco'), undefined, 'no template for it: left out');
  assert.equal(vendorOf('generic'), undefined, 'hometel\'s own format is no vendor a phone names');
});

test('RFC 6080 6.5 / RFC 4483: the bare URL unless the subscriber lists message/external-body', () => {
  assert.deepEqual(profileBody('http://h:8080/provisioning/s/', []), { contentType: 'application/url', body: 'http://h:8080/provisioning/s/\r\n' });
  assert.equal(profileBody('http://h/p/', ['application/url, */*']).contentType, 'application/url');
  const indirect = profileBody('http://h/p/', ['message/external-body', 'application/url']);
  assert.equal(indirect.contentType, 'message/external-body;access-type="URL";URL="http://h/p/"');
  assert.match(indirect.body, /^Content-Type: [^\r\n]+\r\nContent-ID: <[^>]+>\r\n\r\n$/, 'RFC 4483: the phantom body with its Content-ID');
});

class Devices {
  readonly records: Array<{ mac: string; n: NotificationRecord }> = [];
  constructor(public list: Device[]) {}
  device = (m: string): Device | undefined => this.list.find((d) => d.mac === m);
  devices = (): Device[] => this.list;
  recordNotification = (m: string, n: NotificationRecord): void => void this.records.push({ mac: m, n });
}

const enrolled = (m: string, extensions: string[]): Device => ({ mac: m, state: 'enrolled', extensions, secretGeneration: 1, firstSeen: 0, firstSeenFrom: 'admin' });

function setup() {
  const net = new MemoryNet();
  const clock = new FakeClock();
  const ua = agent(net, clock, HUB, 'hometel', { extraMethods: ['SUBSCRIBE'], acceptsUser: () => true });
  const handlers: RequestHandler[] = [];
  ua.delegate = { onRequest: (tx) => handlers.some((h) => h(tx)) };
  const directory = new MemoryDirectory();
  directory.add('21');
  directory.add('22');
  const dialogs = new DialogBook();
  const presence = new PresenceService({ directory, dialogs, dnd: new ManualDnd(), logger: silentLogger });
  const notifier = new Notifier({
    side: { handle: (_m, h) => void handlers.push(h), userAgent: ua, realm: 'home' },
    authenticator: new FakeAuthenticator(['21', '22']),
    directory,
    presence,
    dialogs,
    messages: new ManualMessages(),
    lines: () => [],
    fromHome: () => true,
    logger: silentLogger,
  });
  const devices = new Devices([enrolled(mac, ['21']), enrolled('000b82000022', ['22'])]);
  const subscriptions = new ProfileSubscriptions({ notifier, devices, profileUrl: (m) => `http://hub:8080/provisioning/secret-of-${m}/`, realm: 'home', now: () => clock.now(), logger: silentLogger });
  const phone = new RawPeer(net, 5071);
  let n = 0;
  let answered = 0;
  const flow = async (): Promise<void> => {
    for (let i = 0; i < 5; i++) {
      await settle();
      const all = phone.requests('NOTIFY');
      for (const r of all.slice(answered)) phone.respond(r, 200);
      answered = all.length;
    }
  };
  const subscribe = async (uri: string, event: string, extra: HeaderInput = [], from = '21'): Promise<SipResponse> => {
    const req = phone.request('SUBSCRIBE', HUB, [['From', `<sip:${from}@home>;tag=s${++n}`], ['To', `<${uri}>`], ['Event', event], ['Contact', `<sip:${from}@127.0.0.1:5071>`], ...extra], { uri, callId: `sub${n}@phone` });
    const before = phone.responses().length;
    phone.send(req, HUB);
    await flow();
    const r = phone.responses().slice(before).find((x) => x.status >= 200);
    assert.ok(r, 'a final response');
    return r;
  };
  const notifies = (): SipRequest[] => phone.requests('NOTIFY').map((r) => r.message);
  return { net, clock, ua, notifier, devices, directory, subscriptions, phone, flow, subscribe, notifies };
}

test('a device-profile subscription (RFC 6080 6.2, RFC 6665 4.2.1): 200, a NOTIFY with the URL at once and on each change of the file, recorded; Expires 0 ends it', async () => {
  const s = setup();
  const res = await s.subscribe(`sip:MAC%3a${mac}@home`, 'ua-profile;profile-type=device', [['Expires', '600'], ['Accept', 'application/url']]);
  assert.equal(res.status, 200);
  const first = s.notifies().at(-1)!;
  assert.equal(first.headers.get('Event'), 'ua-profile;profile-type=device', 'RFC 6665 8.2.1: the Event as subscribed');
  assert.equal(first.headers.get('Subscription-State'), 'active;expires=600');
  assert.equal(first.headers.get('Content-Type'), 'application/url');
  assert.equal(first.body, `http://hub:8080/provisioning/secret-of-${mac}/\r\n`);
  assert.deepEqual(s.devices.records.map((r) => [r.mac, r.n.kind, r.n.answer, r.n.target]), [[mac, 'ua-profile', '200 OK', 'udp:127.0.0.1:5071']]);
  s.subscriptions.changed('000b82000022');
  await s.flow();
  assert.equal(s.notifies().length, 1, 'another device\'s change is not this subscriber\'s');
  s.subscriptions.changed(mac);
  await s.flow();
  assert.equal(s.notifies().length, 2);
  // RFC 6665 4.2.1.4: unsubscribe in the dialog: 200, a final NOTIFY.
  const tag = toAddr(res)!.tag!;
  const unsub = s.phone.request('SUBSCRIBE', HUB, [['From', '<sip:21@home>;tag=s1'], ['To', `<sip:MAC%3a${mac}@home>;tag=${tag}`], ['Event', 'ua-profile;profile-type=device'], ['Expires', '0']], { uri: 'sip:hometel@127.0.0.1:5062', callId: 'sub1@phone', cseq: 2 });
  s.phone.send(unsub, HUB);
  await s.flow();
  assert.equal(s.phone.responses().at(-1)!.status, 200);
  assert.equal(s.notifies().at(-1)!.headers.get('Subscription-State'), 'terminated;reason=timeout');
  s.subscriptions.changed(mac);
  await s.flow();
  assert.equal(s.notifies().length, 3, 'no NOTIFY after it ended');
  s.notifier.close();
  await stopped(s.ua);
});

test('without a MAC, and the user profile: the one device carrying the subscriber\'s extension; content indirection when asked', async () => {
  const s = setup();
  assert.equal((await s.subscribe('sip:21@home', 'ua-profile;profile-type=device', [['Accept', 'message/external-body']])).status, 200);
  assert.equal(s.notifies().at(-1)!.headers.get('Content-Type'), `message/external-body;access-type="URL";URL="http://hub:8080/provisioning/secret-of-${mac}/"`);
  assert.equal((await s.subscribe('sip:21@home', 'ua-profile;profile-type=user')).status, 200);
  assert.equal(s.notifies().at(-1)!.body, `http://hub:8080/provisioning/secret-of-${mac}/\r\n`);
  s.notifier.close();
  await stopped(s.ua);
});

test('refused: local-network and unknown profile types 489; another extension\'s device or user 403; an unknown or pending device 404; Accept without a URL type 406', async () => {
  const s = setup();
  s.devices.list.push({ ...enrolled('00000000aaaa', []), state: 'pending' });
  assert.equal((await s.subscribe('sip:anonymous@home', 'ua-profile;profile-type=local-network')).status, 489);
  assert.equal((await s.subscribe(`sip:MAC%3a${mac}@home`, 'ua-profile')).status, 489, 'no profile type');
  assert.equal((await s.subscribe('sip:MAC%3a000b82000022@home', 'ua-profile;profile-type=device')).status, 403, '22\'s phone');
  assert.equal((await s.subscribe('sip:22@home', 'ua-profile;profile-type=user')).status, 403);
  assert.equal((await s.subscribe('sip:MAC%3a0000000000ff@home', 'ua-profile;profile-type=device')).status, 404);
  assert.equal((await s.subscribe('sip:MAC%3a00000000aaaa@home', 'ua-profile;profile-type=device')).status, 404, 'pending: no profile yet');
  const bad = await s.subscribe(`sip:MAC%3a${mac}@home`, 'ua-profile;profile-type=device', [['Accept', 'application/xml']]);
  assert.equal(bad.status, 406);
  assert.equal(bad.headers.all('Accept').join(', '), 'application/url, message/external-body');
  const unknown = await s.subscribe('sip:21@home', 'foo');
  assert.match(unknown.headers.all('Allow-Events').join(', '), /ua-profile/, 'RFC 6665 8.2.1: ua-profile among the packages served');
  assert.equal(s.notifies().length, 0);
  s.subscriptions.close();
  assert.equal((await s.subscribe(`sip:MAC%3a${mac}@home`, 'ua-profile;profile-type=device')).status, 489, 'closed: no longer served');
  s.notifier.close();
  await stopped(s.ua);
});

test('check-sync: an out-of-dialog NOTIFY (Event check-sync;reboot=…) to each registered binding of the device\'s extensions, each answer recorded', async () => {
  const s = setup();
  s.directory.setBindings('21', [binding('21', 5071)]);
  const sent = sendCheckSync({ userAgent: s.ua, realm: 'home', directory: s.directory, devices: s.devices, reboot: false, logger: silentLogger }, s.devices.device(mac)!);
  assert.equal(sent, 1);
  await s.flow();
  const n = s.notifies().at(-1)!;
  assert.equal(n.headers.get('Event'), 'check-sync;reboot=false');
  assert.equal(toAddr(n)!.tag, undefined, 'out of any dialog');
  assert.equal(n.body, '');
  assert.deepEqual(s.devices.records.map((r) => [r.n.kind, r.n.answer, r.n.target]), [['check-sync', '200 OK', 'udp:127.0.0.1:5071']]);
  sendCheckSync({ userAgent: s.ua, realm: 'home', directory: s.directory, devices: s.devices, reboot: true, logger: silentLogger }, s.devices.device(mac)!);
  await s.flow();
  assert.equal(s.notifies().at(-1)!.headers.get('Event'), 'check-sync;reboot=true');
  assert.equal(sendCheckSync({ userAgent: s.ua, realm: 'home', directory: s.directory, devices: s.devices, reboot: false, logger: silentLogger }, s.devices.device('000b82000022')!), 0, '22 has no registered phone');
  s.notifier.close();
  await stopped(s.ua);
});
