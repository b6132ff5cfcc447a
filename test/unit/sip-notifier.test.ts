/**
 * The notifier of the phones' side (RFC 6665) on the in-memory network (test/support/sip-ua-fixture.ts): a phone
 * played by the test subscribes to message-summary (RFC 3842), dialog (RFC 4235) and presence (RFC 3856), and gets
 * the unsolicited message-summary NOTIFYs.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { silentLogger } from '../../src/base/logger.js';
import { DialogBook, lineTarget, PresenceService } from '../../src/phones/index.js';
import { cseq, fromAddr, request as sipRequest, toAddr, type HeaderInput, type SipRequest, type SipResponse } from '../../src/sip/message/index.js';
import { Notifier, UnsolicitedMessageWaiting, type RequestHandler } from '../../src/sip/pbx/index.js';
import { binding, FakeAuthenticator, ManualDnd, ManualMessages, MemoryDirectory } from '../support/phone-fakes.js';
import { agent, FakeClock, MemoryNet, RawPeer, settle, stopped } from '../support/sip-ua-fixture.js';

const HUB = 5062;

function setup(opts: { fromHome?: boolean } = {}) {
  const net = new MemoryNet();
  const clock = new FakeClock();
  const ua = agent(net, clock, HUB, 'hometel', { extraMethods: ['SUBSCRIBE'], acceptsUser: () => true });
  const handlers: RequestHandler[] = [];
  ua.delegate = { onRequest: (tx) => handlers.some((h) => h(tx)) };
  const side = { handle: (_m: 'SUBSCRIBE', h: RequestHandler) => void handlers.push(h), userAgent: ua, realm: 'home' };
  const directory = new MemoryDirectory();
  directory.add('21');
  directory.add('22', { user: 'anna' });
  const dialogs = new DialogBook();
  const dnd = new ManualDnd();
  const messages = new ManualMessages();
  const presence = new PresenceService({ directory, dialogs, dnd, logger: silentLogger });
  const authenticator = new FakeAuthenticator(['21', '22']);
  const notifier = new Notifier({
    side,
    authenticator,
    directory,
    presence,
    dialogs,
    messages,
    lines: () => ['home'],
    fromHome: () => opts.fromHome ?? true,
    logger: silentLogger,
  });
  const phone = new Phone(net, 5071);
  return { net, clock, ua, directory, dialogs, dnd, messages, presence, notifier, phone, authenticator };
}

/** A phone of extension 21 played by the test: subscribes, answers NOTIFYs (200 unless told otherwise). */
class Phone extends RawPeer {
  private answered = 0;
  answerWith = 200;
  private n = 0;

  async subscribe(event: string, uri: string, extra: HeaderInput = [], from = '21'): Promise<{ res: SipResponse; req: SipRequest }> {
    const req = this.request('SUBSCRIBE', HUB, [['From', `<sip:${from}@home>;tag=s${++this.n}`], ['To', `<${uri}>`], ['Event', event], ['Contact', `<sip:${from}@127.0.0.1:${this.port}>`], ...extra], { uri, callId: `sub${this.n}@phone`, cseq: 1 });
    return { res: await this.final(req), req };
  }

  /** An in-dialog SUBSCRIBE (refresh or unsubscribe) of the subscription `first` made. */
  async refresh(first: { res: SipResponse; req: SipRequest }, seq: number, expires: number): Promise<SipResponse> {
    const contact = /<([^>]+)>/.exec(first.res.headers.get('Contact')!)![1]!;
    const headers = first.req.headers.entries().filter(([n]) => !['Via', 'CSeq', 'Expires', 'To'].includes(n));
    const req = sipRequest('SUBSCRIBE', contact, [...this.request('OPTIONS', HUB).headers.entries().filter(([n]) => n === 'Via'), ['To', first.res.headers.get('To')!], ['CSeq', `${seq} SUBSCRIBE`], ['Expires', String(expires)], ...headers.filter(([n]) => n !== 'Via')]);
    return this.final(req);
  }

  async final(req: SipRequest): Promise<SipResponse> {
    const before = this.responses().length;
    this.send(req, HUB);
    await this.settle();
    const r = this.responses().slice(before).find((x) => x.status >= 200);
    assert.ok(r, `a final response to ${req.method}`);
    return r;
  }

  /** Lets messages flow, answering every new NOTIFY. */
  async settle(): Promise<void> {
    for (let i = 0; i < 5; i++) {
      await settle();
      const all = this.requests('NOTIFY');
      for (const n of all.slice(this.answered)) this.respond(n, this.answerWith);
      this.answered = all.length;
    }
  }

  notifies(): SipRequest[] {
    return this.requests('NOTIFY').map((r) => r.message);
  }

  lastNotify(): SipRequest {
    const all = this.notifies();
    assert.ok(all.length > 0, 'a NOTIFY');
    return all[all.length - 1]!;
  }
}

test('RFC 6665 4.2.1 / RFC 3842: a message-summary subscription is accepted (200, Expires, Contact, To tag), NOTIFYed at once and on every change', async () => {
  const s = setup();
  const sub = await s.phone.subscribe('message-summary', 'sip:21@home', [['Expires', '600'], ['Accept', 'application/simple-message-summary']]);
  assert.equal(sub.res.status, 200);
  assert.equal(sub.res.headers.get('Expires'), '600');
  assert.ok(sub.res.headers.get('Contact'));
  const tag = toAddr(sub.res)!.tag;
  assert.ok(tag, 'the To tag that makes the dialog');
  const first = s.phone.lastNotify();
  assert.equal(first.headers.get('Event'), 'message-summary');
  assert.equal(first.headers.get('Subscription-State'), 'active;expires=600');
  assert.equal(first.headers.get('Content-Type'), 'application/simple-message-summary');
  assert.equal(first.headers.get('Call-ID'), 'sub1@phone');
  assert.equal(fromAddr(first)!.tag, tag, 'RFC 3261 12.2.1.1: the NOTIFY is in the subscription dialog');
  assert.equal(toAddr(first)!.tag, 's1');
  assert.equal(first.uri, 'sip:21@127.0.0.1:5071', 'to the remote target (the SUBSCRIBE\'s Contact)');
  assert.match(first.body, /^Messages-Waiting: no\r\nMessage-Account: sip:21@home\r\nVoice-Message: 0\/0\r\n$/);
  s.messages.set(1, 0);
  await s.phone.settle();
  assert.match(s.phone.lastNotify().body, /Messages-Waiting: yes/);
  assert.ok(cseq(s.phone.lastNotify())!.seq > cseq(first)!.seq, 'CSeq counts up in the dialog');
  s.clock.advance(100_000);
  s.messages.set(0, 1);
  await s.phone.settle();
  assert.match(s.phone.lastNotify().body, /Messages-Waiting: no\r\n.*\r\nVoice-Message: 0\/1/s);
  assert.equal(s.phone.lastNotify().headers.get('Subscription-State'), 'active;expires=500', 'the time left');
  s.notifier.close();
  await stopped(s.ua);
});

test('RFC 6665 4.2.1 / 8.2.1: unknown Event 489 with Allow-Events; too short 423 with Min-Expires; longer shortened; unknown target 404; Accept 406; not authenticated; outside the home 403', async () => {
  const s = setup();
  const bad = await s.phone.subscribe('foo', 'sip:21@home');
  assert.equal(bad.res.status, 489);
  assert.equal(bad.res.headers.all('Allow-Events').join(', '), 'message-summary, dialog, presence');
  const none = await s.phone.subscribe('', 'sip:21@home');
  assert.equal(none.res.status, 489);
  const brief = await s.phone.subscribe('dialog', 'sip:21@home', [['Expires', '10']]);
  assert.equal(brief.res.status, 423);
  assert.equal(brief.res.headers.get('Min-Expires'), '60');
  const long = await s.phone.subscribe('dialog', 'sip:21@home', [['Expires', '86400']]);
  assert.equal(long.res.status, 200);
  assert.equal(long.res.headers.get('Expires'), '3600');
  assert.equal((await s.phone.subscribe('dialog', 'sip:99@home')).res.status, 404);
  assert.equal((await s.phone.subscribe('presence', 'sip:home@home')).res.status, 404, 'a line is a busy lamp target, not a presentity');
  assert.equal((await s.phone.subscribe('dialog', 'sip:anna@home')).res.status, 404, 'a user is a presentity, not a busy lamp');
  const accept = await s.phone.subscribe('presence', 'sip:21@home', [['Accept', 'application/xpidf+xml']]);
  assert.equal(accept.res.status, 406);
  assert.equal((await s.phone.subscribe('presence', 'sip:21@home', [], '23')).res.status, 403, 'the authenticator refused');
  assert.deepEqual(s.notifier.subscriptions().map((x) => x.event), ['dialog']);
  s.notifier.close();
  await stopped(s.ua);
  const outside = setup({ fromHome: false });
  assert.equal((await outside.phone.subscribe('dialog', 'sip:21@home')).res.status, 403);
  assert.deepEqual(outside.authenticator.asked, [], 'refused before any Digest exchange');
  outside.notifier.close();
  await stopped(outside.ua);
});

test('RFC 4235: a busy lamp of an extension goes idle → early → confirmed → terminated → idle, the version counting up; a line\'s lamp shows its Calls', async () => {
  const s = setup();
  await s.phone.subscribe('dialog', 'sip:21@home', [['Expires', '600']]);
  const body = () => s.phone.lastNotify().body;
  assert.equal(s.phone.lastNotify().headers.get('Content-Type'), 'application/dialog-info+xml');
  assert.match(body(), /version="0" state="full" entity="sip:21@home">\n<\/dialog-info>/);
  s.dialogs.report('21', { id: 'c1', direction: 'recipient', state: 'early', remote: { identity: 'sip:+4930123@example.com' } });
  await s.phone.settle();
  assert.match(body(), /version="1"[\s\S]*<dialog id="c1" direction="recipient"><state>early<\/state>/);
  s.dialogs.report('21', { id: 'c1', direction: 'recipient', state: 'confirmed' });
  await s.phone.settle();
  assert.match(body(), /version="2"[\s\S]*<state>confirmed<\/state>/);
  s.dialogs.report('21', { id: 'c1', direction: 'recipient', state: 'terminated' });
  await s.phone.settle();
  assert.match(body(), /version="3"[\s\S]*<state>terminated<\/state>/);
  s.dialogs.report('22', { id: 'c2', direction: 'initiator', state: 'confirmed' });
  await s.phone.settle();
  assert.match(body(), /version="3"/, 'another extension\'s call is not this lamp\'s');
  await s.phone.subscribe('dialog', 'sip:home@home', [['Expires', '600']]);
  assert.match(body(), /entity="sip:home@home">\n<\/dialog-info>/);
  s.dialogs.report(lineTarget('home'), { id: 'call-1', direction: 'recipient', state: 'early' });
  await s.phone.settle();
  assert.match(body(), /entity="sip:home@home"[\s\S]*<state>early<\/state>/);
  s.notifier.close();
  await stopped(s.ua);
});

test('RFC 3856: a presence subscription gets PIDF open while a device is registered, closed when none is; a user is a presentity too', async () => {
  const s = setup();
  s.directory.setBindings('22', [binding('22', 5080)]);
  await s.phone.subscribe('presence', 'sip:22@home', [['Expires', '600']]);
  assert.equal(s.phone.lastNotify().headers.get('Content-Type'), 'application/pidf+xml');
  assert.match(s.phone.lastNotify().body, /<basic>open<\/basic>/);
  await s.phone.subscribe('presence', 'sip:anna@home', [['Expires', '600']]);
  assert.match(s.phone.lastNotify().body, /entity="sip:anna@home"[\s\S]*<basic>open<\/basic>/);
  const before = s.phone.notifies().length;
  s.directory.setBindings('22', []);
  await s.phone.settle();
  const after = s.phone.notifies().slice(before);
  assert.equal(after.length, 2, 'the extension\'s and the user\'s');
  for (const n of after) assert.match(n.body, /<basic>closed<\/basic>/);
  s.notifier.close();
  await s.phone.settle();
  for (const n of s.phone.notifies().slice(-2)) assert.equal(n.headers.get('Subscription-State'), 'terminated;reason=deactivated');
  await stopped(s.ua);
});

test('RFC 6665 4.2.1.4 / 4.1.2.2: a refresh in the dialog extends it; Expires 0 unsubscribes with a final NOTIFY; an old CSeq is 500', async () => {
  const s = setup();
  const sub = await s.phone.subscribe('message-summary', 'sip:21@home', [['Expires', '600']]);
  s.clock.advance(300_000);
  const refreshed = await s.phone.refresh(sub, 2, 900);
  assert.equal(refreshed.status, 200);
  assert.equal(refreshed.headers.get('Expires'), '900');
  assert.equal(s.phone.lastNotify().headers.get('Subscription-State'), 'active;expires=900');
  assert.equal((await s.phone.refresh(sub, 2, 900)).status, 500);
  const gone = await s.phone.refresh(sub, 3, 0);
  assert.equal(gone.status, 200);
  assert.equal(s.phone.lastNotify().headers.get('Subscription-State'), 'terminated;reason=timeout');
  assert.match(s.phone.lastNotify().body, /Messages-Waiting: no/, 'the final NOTIFY has the state too');
  const count = s.phone.notifies().length;
  s.messages.set(2, 0);
  await s.phone.settle();
  assert.equal(s.phone.notifies().length, count, 'nothing after the subscription ended');
  assert.equal((await s.phone.refresh(sub, 4, 600)).status, 481, 'the dialog is gone');
  s.notifier.close();
  await stopped(s.ua);
});

test('RFC 6665 4.2.2: a subscription expires on the clock (terminated;reason=timeout); a NOTIFY answered 481 ends it; a fetch (Expires 0) gets one NOTIFY', async () => {
  const s = setup();
  await s.phone.subscribe('presence', 'sip:21@home', [['Expires', '60']]);
  await s.clock.run(60_000);
  await s.phone.settle();
  assert.equal(s.phone.lastNotify().headers.get('Subscription-State'), 'terminated;reason=timeout');
  assert.deepEqual(s.notifier.subscriptions(), []);
  await s.phone.subscribe('message-summary', 'sip:21@home', [['Expires', '600']]);
  assert.equal(s.notifier.subscriptions().length, 1);
  s.phone.answerWith = 481;
  s.messages.set(1, 0);
  await s.phone.settle();
  assert.deepEqual(s.notifier.subscriptions(), [], 'removed');
  const count = s.phone.notifies().length;
  s.messages.set(2, 0);
  await s.phone.settle();
  assert.equal(s.phone.notifies().length, count);
  s.phone.answerWith = 200;
  const fetch = await s.phone.subscribe('dialog', 'sip:21@home', [['Expires', '0']]);
  assert.equal(fetch.res.status, 200);
  assert.equal(s.phone.lastNotify().headers.get('Subscription-State'), 'terminated;reason=timeout');
  assert.deepEqual(s.notifier.subscriptions(), []);
  s.notifier.close();
  await stopped(s.ua);
});

test('one NOTIFY in flight per subscription: changes meanwhile are folded into the next, which has the latest state', async () => {
  const s = setup();
  await s.phone.subscribe('message-summary', 'sip:21@home', [['Expires', '600']]);
  const start = s.phone.notifies().length;
  // The fixture's settle lets messages flow without answering them: the first change's NOTIFY stays in flight.
  s.messages.set(1, 0);
  await settle();
  s.messages.set(2, 0);
  s.messages.set(3, 0);
  await settle();
  assert.equal(s.phone.notifies().length, start + 1);
  await s.phone.settle();
  const later = s.phone.notifies().slice(start);
  assert.equal(later.length, 2);
  assert.match(later[1]!.body, /Voice-Message: 3\/0/);
  s.notifier.close();
  await stopped(s.ua);
});

test('RFC 3842: unsolicited message-summary NOTIFYs go to every registered device without a subscription of its own, and to a device newly registered', async () => {
  const s = setup();
  const other = new RawPeer(s.net, 5072);
  s.directory.setBindings('21', [binding('21', 5071)]);
  s.directory.setBindings('22', [binding('22', 5072)]);
  const subscribedSources = () => new Set(s.notifier.subscriptions().filter((x) => x.event === 'message-summary').map((x) => x.source));
  const mwi = new UnsolicitedMessageWaiting({ userAgent: s.ua, realm: 'home', directory: s.directory, messages: s.messages, subscribed: subscribedSources, logger: silentLogger });
  await s.phone.subscribe('message-summary', 'sip:21@home', [['Expires', '600']]);
  const phoneBefore = s.phone.notifies().length;
  s.messages.set(1, 2);
  await s.phone.settle();
  assert.equal(s.phone.notifies().length, phoneBefore + 1, 'the subscribed device: its subscription\'s NOTIFY only');
  const unsolicited = other.requests('NOTIFY');
  assert.equal(unsolicited.length, 1);
  const n = unsolicited[0]!.message;
  assert.equal(n.uri, 'sip:22@127.0.0.1:5072');
  assert.equal(toAddr(n)!.tag, undefined, 'out of dialog');
  assert.equal(n.headers.get('Event'), 'message-summary');
  assert.match(n.body, /^Messages-Waiting: yes\r\nMessage-Account: sip:22@home\r\nVoice-Message: 1\/2\r\n$/);
  other.respond(unsolicited[0]!, 200);
  const third = new RawPeer(s.net, 5073);
  s.directory.setBindings('22', [binding('22', 5072), binding('22', 5073)]);
  await settle();
  assert.equal(third.requests('NOTIFY').length, 1, 'the new device learns the state');
  assert.equal(other.requests('NOTIFY').length, 1, 'the device told before is not told again');
  mwi.close();
  s.notifier.close();
  await stopped(s.ua);
});
