/**
 * The GENA publisher (UDA 1.0 section 4.1) driven by hand-made requests and a fake clock.
 * Timers are never fired unless a test advances the clock, so no NOTIFY is sent except in the
 * tests that advance it (and those point their CALLBACK at a closed port on 127.0.0.1).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createServer } from 'node:net';
import { FakeClock } from '../support/fake-clock.js';
import { silentLogger } from '../../src/base/logger.js';
import { EventPublisher, parseCallback, type EventPublisherOptions } from '../../src/upnp/gena/event-publisher.js';
import type { HttpRequest, HttpResponse } from '../../src/upnp/http/server.js';

/** A port on 127.0.0.1 where nothing listens: NOTIFYs sent there fail at once. */
async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as { port: number }).port;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

let deadPort = 9;

function publisher(opts: Partial<EventPublisherOptions> = {}): { pub: EventPublisher; clock: FakeClock } {
  const clock = new FakeClock(1_000_000);
  let n = 0;
  const pub = new EventPublisher({
    clock,
    logger: silentLogger,
    currentState: () => [['Status', '0']],
    newSid: () => `uuid:00000000-0000-0000-0000-${String(++n).padStart(12, '0')}`,
    ...opts,
  });
  return { pub, clock };
}

function req(method: string, headers: Record<string, string>, remoteAddress = '127.0.0.1'): HttpRequest {
  const lower: Record<string, string> = {};
  for (const [k, v] of Object.entries(headers)) lower[k.toLowerCase()] = v;
  return { method, path: '/event', headers: lower, body: '', remoteAddress, mandatoryExtension: false };
}

function subscribeReq(extra: Record<string, string> = {}, remoteAddress = '127.0.0.1'): HttpRequest {
  return req('SUBSCRIBE', { CALLBACK: `<http://${remoteAddress}:${deadPort}/cb>`, NT: 'upnp:event', ...extra }, remoteAddress);
}

function header(res: HttpResponse, name: string): string | undefined {
  return res.headers?.find(([n]) => n.toLowerCase() === name.toLowerCase())?.[1];
}

function subscribed(pub: EventPublisher, extra: Record<string, string> = {}, remoteAddress = '127.0.0.1'): { sid: string; timeout: string } {
  const res = pub.handle(subscribeReq(extra, remoteAddress));
  assert.equal(res.status, 200);
  return { sid: header(res, 'SID')!, timeout: header(res, 'TIMEOUT')! };
}

test.before(async () => {
  deadPort = await closedPort();
});

test('UDA 1.0 4.1.1: a SUBSCRIBE is answered 200 with SID uuid:… and TIMEOUT Second-N', () => {
  const { pub } = publisher();
  const res = pub.handle(subscribeReq({ TIMEOUT: 'Second-300' }));
  assert.equal(res.status, 200);
  assert.match(header(res, 'SID') ?? '', /^uuid:[0-9a-f-]+$/);
  assert.equal(header(res, 'TIMEOUT'), 'Second-300');
  assert.equal(pub.subscriptionCount, 1);
});

test('UDA 1.0 4.1.1: SUBSCRIBE without CALLBACK is refused with 412', () => {
  const { pub } = publisher();
  assert.equal(pub.handle(req('SUBSCRIBE', { NT: 'upnp:event', TIMEOUT: 'Second-300' })).status, 412);
  assert.equal(pub.subscriptionCount, 0);
});

test('UDA 1.0 4.1.1: SUBSCRIBE without NT is refused with 412', () => {
  const { pub } = publisher();
  assert.equal(pub.handle(req('SUBSCRIBE', { CALLBACK: `<http://127.0.0.1:${deadPort}/cb>` })).status, 412);
  assert.equal(pub.subscriptionCount, 0);
});

test('UDA 1.0 4.1.1: SUBSCRIBE with an NT other than upnp:event is refused with 412', () => {
  const { pub } = publisher();
  for (const nt of ['upnp:propchange', 'ssdp:all', '', 'UPNP:EVENT x']) {
    assert.equal(pub.handle(subscribeReq({ NT: nt })).status, 412, nt);
  }
  assert.equal(pub.subscriptionCount, 0);
});

test('UDA 1.0 4.1.1: a CALLBACK without a usable http URL is refused with 412', () => {
  const { pub } = publisher();
  for (const cb of ['', 'http://127.0.0.1/cb', '<>', '<not a url>', '<https://127.0.0.1/cb>', '<ftp://127.0.0.1/cb>']) {
    assert.equal(pub.handle(subscribeReq({ CALLBACK: cb })).status, 412, cb);
  }
  assert.equal(pub.subscriptionCount, 0);
});

test('UDA 1.0 4.1.1 (CallStranger, CVE-2020-12695): a CALLBACK to another host than the subscriber is refused with 412', () => {
  const { pub } = publisher();
  assert.equal(pub.handle(subscribeReq({ CALLBACK: '<http://192.0.2.7:80/cb>' })).status, 412, 'other address');
  assert.equal(pub.handle(subscribeReq({ CALLBACK: `<http://127.0.0.1:${deadPort}/cb><http://192.0.2.7/cb>` })).status, 412, 'one foreign URL among several');
  assert.equal(pub.handle(subscribeReq({ CALLBACK: '<http://localhost/cb>' })).status, 412, 'a host name, not the address');
  assert.equal(pub.handle(subscribeReq({ CALLBACK: '<http://127.0.0.2/cb>' })).status, 412, 'a neighbouring loopback address');
  assert.equal(pub.subscriptionCount, 0);
  assert.equal(pub.handle(subscribeReq({ CALLBACK: `<http://127.0.0.1:${deadPort}/a><http://127.0.0.1:${deadPort}/b>` })).status, 200);
});

test('UDA 1.0 4.1.2: renewing an unknown SID is refused with 412', () => {
  const { pub } = publisher();
  subscribed(pub);
  assert.equal(pub.handle(req('SUBSCRIBE', { SID: 'uuid:ffffffff-0000-0000-0000-000000000000', TIMEOUT: 'Second-300' })).status, 412);
  assert.equal(pub.handle(req('SUBSCRIBE', { SID: '' })).status, 412, 'empty SID');
});

test('UDA 1.0 4.1.2: SID together with NT or CALLBACK is refused with 400', () => {
  const { pub } = publisher();
  const { sid } = subscribed(pub);
  assert.equal(pub.handle(req('SUBSCRIBE', { SID: sid, NT: 'upnp:event' })).status, 400, 'SID + NT');
  assert.equal(pub.handle(req('SUBSCRIBE', { SID: sid, CALLBACK: `<http://127.0.0.1:${deadPort}/cb>` })).status, 400, 'SID + CALLBACK');
  assert.equal(pub.handle(req('SUBSCRIBE', { SID: sid, NT: 'upnp:event', CALLBACK: `<http://127.0.0.1:${deadPort}/cb>` })).status, 400, 'all three');
});

test('UDA 1.0 4.1.3: UNSUBSCRIBE with SID together with NT or CALLBACK is refused with 400', () => {
  const { pub } = publisher();
  const { sid } = subscribed(pub);
  assert.equal(pub.handle(req('UNSUBSCRIBE', { SID: sid, NT: 'upnp:event' })).status, 400);
  assert.equal(pub.handle(req('UNSUBSCRIBE', { SID: sid, CALLBACK: `<http://127.0.0.1:${deadPort}/cb>` })).status, 400);
  assert.equal(pub.subscriptionCount, 1);
});

test('UDA 1.0 4.1.2: a renewal is answered 200 with the same SID and the new TIMEOUT', () => {
  const { pub } = publisher();
  const { sid } = subscribed(pub, { TIMEOUT: 'Second-300' });
  const res = pub.handle(req('SUBSCRIBE', { SID: ` ${sid} `, TIMEOUT: 'Second-600' }));
  assert.equal(res.status, 200);
  assert.equal(header(res, 'SID'), sid);
  assert.equal(header(res, 'TIMEOUT'), 'Second-600');
  assert.equal(pub.subscriptionCount, 1);
});

test('UDA 1.0 4.1.3: UNSUBSCRIBE of an unknown or missing SID is refused with 412', () => {
  const { pub } = publisher();
  assert.equal(pub.handle(req('UNSUBSCRIBE', { SID: 'uuid:ffffffff-0000-0000-0000-000000000000' })).status, 412);
  assert.equal(pub.handle(req('UNSUBSCRIBE', {})).status, 412);
});

test('UDA 1.0 4.1.3: UNSUBSCRIBE ends the subscription; a second one is refused with 412', () => {
  const { pub } = publisher();
  const { sid } = subscribed(pub);
  assert.equal(pub.handle(req('UNSUBSCRIBE', { SID: sid })).status, 200);
  assert.equal(pub.subscriptionCount, 0);
  assert.equal(pub.handle(req('UNSUBSCRIBE', { SID: sid })).status, 412);
  assert.equal(pub.handle(req('SUBSCRIBE', { SID: sid })).status, 412, 'nor can it be renewed');
});

test('UDA 1.0 4.1: methods other than SUBSCRIBE and UNSUBSCRIBE are answered 405', () => {
  const { pub } = publisher();
  const res = pub.handle(req('GET', {}));
  assert.equal(res.status, 405);
  assert.equal(header(res, 'ALLOW'), 'SUBSCRIBE, UNSUBSCRIBE');
});

test('UDA 1.0 4.1.1: TIMEOUT is clamped to the publisher minimum and maximum; absent or malformed gets the default', () => {
  const { pub } = publisher({ minTimeoutSec: 60, maxTimeoutSec: 3600, defaultTimeoutSec: 1800 });
  assert.equal(subscribed(pub, { TIMEOUT: 'Second-1' }).timeout, 'Second-60');
  assert.equal(subscribed(pub, { TIMEOUT: 'Second-0' }).timeout, 'Second-60');
  assert.equal(subscribed(pub, { TIMEOUT: 'Second-600' }).timeout, 'Second-600');
  assert.equal(subscribed(pub, { TIMEOUT: 'second-700' }).timeout, 'Second-700', 'case-insensitive');
  assert.equal(subscribed(pub, { TIMEOUT: 'Second-999999' }).timeout, 'Second-3600');
  assert.equal(subscribed(pub).timeout, 'Second-1800');
  assert.equal(subscribed(pub, { TIMEOUT: 'Minute-5' }).timeout, 'Second-1800');
  assert.equal(subscribed(pub, { TIMEOUT: 'Second--5' }).timeout, 'Second-1800');
});

test('UDA 1.0 4.1.1: TIMEOUT Second-infinite is granted as the publisher maximum', () => {
  const { pub } = publisher({ maxTimeoutSec: 7200 });
  assert.equal(subscribed(pub, { TIMEOUT: 'Second-infinite' }).timeout, 'Second-7200');
  assert.equal(subscribed(pub, { TIMEOUT: 'Second-INFINITE' }).timeout, 'Second-7200');
  const { pub: defaults } = publisher();
  assert.equal(subscribed(defaults, { TIMEOUT: 'Second-infinite' }).timeout, 'Second-86400');
});

test('UDA 1.0 4.1.2: a renewal clamps TIMEOUT the same way', () => {
  const { pub } = publisher({ minTimeoutSec: 60, maxTimeoutSec: 3600 });
  const { sid } = subscribed(pub);
  const renew = (t: string): string | undefined => header(pub.handle(req('SUBSCRIBE', { SID: sid, TIMEOUT: t })), 'TIMEOUT');
  assert.equal(renew('Second-5'), 'Second-60');
  assert.equal(renew('Second-infinite'), 'Second-3600');
  assert.equal(renew('Second-100000'), 'Second-3600');
});

test('UDA 1.1 4.1.1: the per-address cap answers 503 and leaves other addresses alone', () => {
  const { pub } = publisher({ maxPerAddress: 2, maxSubscriptions: 10 });
  subscribed(pub);
  subscribed(pub);
  assert.equal(pub.handle(subscribeReq()).status, 503);
  assert.equal(pub.subscriptionCount, 2);
  subscribed(pub, {}, '127.0.0.2');
  assert.equal(pub.subscriptionCount, 3);
});

test('UDA 1.1 4.1.1: the per-service cap answers 503 whatever the address', () => {
  const { pub } = publisher({ maxPerAddress: 10, maxSubscriptions: 3 });
  subscribed(pub, {}, '127.0.0.1');
  subscribed(pub, {}, '127.0.0.2');
  subscribed(pub, {}, '127.0.0.3');
  assert.equal(pub.handle(subscribeReq({}, '127.0.0.4')).status, 503);
  assert.equal(pub.subscriptionCount, 3);
});

test('UDA 1.0 4.1.3: an UNSUBSCRIBE frees a place under the cap', () => {
  const { pub } = publisher({ maxPerAddress: 1 });
  const { sid } = subscribed(pub);
  assert.equal(pub.handle(subscribeReq()).status, 503);
  assert.equal(pub.handle(req('UNSUBSCRIBE', { SID: sid })).status, 200);
  assert.equal(pub.handle(subscribeReq()).status, 200);
});

test('UDA 1.0 4.1.2: a subscription not renewed within TIMEOUT expires and its SID is unknown afterwards', () => {
  const { pub, clock } = publisher();
  const { sid } = subscribed(pub, { TIMEOUT: 'Second-100' });
  clock.advance(99_999);
  assert.equal(pub.subscriptionCount, 1, 'still there just before TIMEOUT');
  clock.advance(1);
  assert.equal(pub.subscriptionCount, 0, 'gone at TIMEOUT');
  assert.equal(pub.handle(req('SUBSCRIBE', { SID: sid, TIMEOUT: 'Second-100' })).status, 412);
  assert.equal(pub.handle(req('UNSUBSCRIBE', { SID: sid })).status, 412);
});

test('UDA 1.0 4.1.2: a renewal restarts the expiry timer', () => {
  const { pub, clock } = publisher();
  const { sid } = subscribed(pub, { TIMEOUT: 'Second-100' });
  clock.advance(90_000);
  assert.equal(pub.handle(req('SUBSCRIBE', { SID: sid, TIMEOUT: 'Second-100' })).status, 200);
  clock.advance(90_000);
  assert.equal(pub.subscriptionCount, 1, 'renewed at 90 s, still alive at 180 s');
  clock.advance(10_000);
  assert.equal(pub.subscriptionCount, 0, 'expired 100 s after the renewal');
});

test('UDA 1.0 4.1.3: close() ends every subscription and cancels their timers', () => {
  const { pub, clock } = publisher();
  subscribed(pub);
  subscribed(pub);
  pub.close();
  assert.equal(pub.subscriptionCount, 0);
  // Only the (harmless) initial-event timers may remain; no expiry timer.
  clock.advance(86_400_000);
  assert.equal(pub.subscriptionCount, 0);
});

test('UDA 1.0 4.1.1: parseCallback returns every http URL in angle brackets, in order, and skips the rest', () => {
  assert.deepEqual(
    parseCallback('<http://127.0.0.1:5000/a><http://127.0.0.1:5001/b?x=1> <http://[::1]:5002/c>').map(String),
    ['http://127.0.0.1:5000/a', 'http://127.0.0.1:5001/b?x=1', 'http://[::1]:5002/c'],
  );
  assert.deepEqual(parseCallback('< http://127.0.0.1/padded >').map(String), ['http://127.0.0.1/padded']);
  assert.deepEqual(parseCallback('<https://127.0.0.1/s><junk><http://127.0.0.1/ok>').map(String), ['http://127.0.0.1/ok']);
  assert.deepEqual(parseCallback('http://127.0.0.1/no-brackets'), []);
  assert.deepEqual(parseCallback(''), []);
});
