/**
 * The phones' line (src/sip/pbx/phone-line.ts) on the in-memory SIP network: an INVITE forked to every registered
 * device of an extension, sent to the address it registered from; the first 2xx wins and the other forks are
 * CANCELled with the RFC 3326 Reason; failures combined as RFC 3261 16.7 says.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Binding, ExtensionView, PhoneDirectory } from '../../src/phones/index.js';
import { bestFailure, extensionOf, PhoneLine } from '../../src/sip/pbx/index.js';
import { cseq, fromAddr } from '../../src/sip/message/index.js';
import type { UserAgent } from '../../src/sip/user-agent/index.js';
import type { LineListener } from '../../src/telephony/domain/index.js';
import { agent, answer, callee, FakeClock, host, MemoryNet, offer, settle, stopped, type Callee } from '../support/sip-ua-fixture.js';
import { testLogger } from '../support/net.js';

const realm = 'home.arpa';
const reasonText = 'SIP;cause=200;text="Call completed elsewhere"';

function binding(extension: string, port: number): Binding {
  // The Contact names a private address nobody can reach: requests must go to the registered source.
  return { extension, contact: `sip:${extension}@192.0.2.99:${port + 1000}`, expiresAt: 1e15, callId: `r${port}`, cseq: 1, source: { transport: 'udp', address: host, port }, registeredAt: 0 };
}

function directory(bindings: Binding[], numbers = ['21']): PhoneDirectory {
  const view = (number: string): ExtensionView => ({ number, registrations: bindings.filter((b) => b.extension === number).length });
  return {
    extension: (n) => (numbers.includes(n) ? view(n) : undefined),
    extensions: () => numbers.map(view),
    bindings: (n) => bindings.filter((b) => b.extension === n),
    credentials: () => undefined,
    onChange: () => () => {},
  };
}

function listener(): { events: string[]; l: LineListener } {
  const events: string[] = [];
  const l: LineListener = {
    incoming: () => events.push('incoming'),
    provisional: (id) => events.push(`provisional ${id}`),
    answered: (id, sdp) => events.push(`answered ${id} ${sdp === answer ? 'answer' : String(sdp)}`),
    failed: (id, reason) => events.push(`failed ${id} ${reason}`),
    remoteCancelled: (id) => events.push(`cancelled ${id}`),
    remoteHangUp: (id) => events.push(`hang-up ${id}`),
    remoteModify: (id) => events.push(`modify ${id}`),
    remoteModifyCancelled: () => {},
    modifyAccepted: () => {},
    modifyRejected: () => {},
    availability: () => {},
  };
  return { events, l };
}

interface Setup {
  readonly net: MemoryNet;
  readonly clock: FakeClock;
  readonly hub: UserAgent;
  readonly line: PhoneLine;
  readonly events: string[];
  readonly phones: Array<{ ua: UserAgent; c: Callee; port: number }>;
  readonly stop: () => Promise<void>;
}

/** The hub's phones' side on 5070 and `n` phones of extension 21 on 5081…, each answering as `onCall` says. */
function setup(n: number, onCall: (phone: number, s: Callee['sessions'][number]) => void = () => {}): Setup {
  const net = new MemoryNet();
  const clock = new FakeClock();
  const hub = agent(net, clock, 5070, 'hometel', { acceptsUser: () => true });
  const phones = Array.from({ length: n }, (_, i) => {
    const port = 5081 + i;
    const ua = agent(net, clock, port, '21');
    return { ua, port, c: callee(ua, (s) => onCall(i, s)) };
  });
  const line = new PhoneLine({ side: { userAgent: hub, realm, clock }, directory: directory(phones.map((p) => binding('21', p.port))), logger: testLogger('phone-line') });
  const rec = listener();
  line.setListener(rec.l);
  return {
    net,
    clock,
    hub,
    line,
    events: rec.events,
    phones,
    stop: async () => {
      await stopped(hub);
      for (const p of phones) await stopped(p.ua);
    },
  };
}

test('an extension with two phones: one INVITE to each registered source (Request-URI its Contact), From the outside caller; the first 18x is reported once', async () => {
  const s = setup(2);
  const id = s.line.place({ callee: `sip:21@${realm}`, priority: 'Normal', sdpOffer: offer, callerId: { id: '+4930123', name: 'Anna' } });
  await settle();
  for (const p of s.phones) {
    const invites = s.net.requests('INVITE', p.port);
    assert.equal(invites.length, 1, `phone on ${p.port} is rung at its source address`);
    assert.equal(invites[0]!.uri, `sip:21@192.0.2.99:${p.port + 1000}`, 'Request-URI: the binding\'s Contact');
    assert.equal(invites[0]!.body, offer);
    const from = fromAddr(invites[0]!);
    assert.equal(from?.displayName, 'Anna');
    assert.equal(from?.uriText, `sip:+4930123@${realm}`);
    assert.deepEqual(p.c.events, ['invite']);
  }
  assert.deepEqual(s.events, [`provisional ${id}`]);
  await s.stop();
});

test('RFC 3326: the first phone to answer takes the call; the other is CANCELled with Reason cause=200 "Call completed elsewhere"', async () => {
  const s = setup(2);
  const id = s.line.place({ callee: `sip:21@${realm}`, priority: 'Normal', sdpOffer: offer, callerId: { id: '+4930123' } });
  await settle();
  s.phones[1]!.c.sessions[0]!.answer(answer);
  await settle();
  assert.deepEqual(s.events, [`provisional ${id}`, `answered ${id} answer`]);
  const cancels = s.net.requests('CANCEL', s.phones[0]!.port);
  assert.equal(cancels.length, 1);
  assert.equal(cancels[0]!.headers.get('Reason'), reasonText);
  assert.deepEqual(s.phones[0]!.c.events, ['invite', 'cancelled']);
  assert.equal(s.net.requests('CANCEL', s.phones[1]!.port).length, 0);
  // The answered phone's dialog: its ACK goes to the registered source too.
  assert.equal(s.net.requests('ACK', s.phones[1]!.port).length, 1);
  // The phone hangs up: the line reports it; a hang-up from the hub reaches the phone.
  s.phones[1]!.c.sessions[0]!.bye();
  await settle();
  assert.deepEqual(s.events.slice(2), [`hang-up ${id}`]);
  await s.stop();
});

test('hangUp of the answered call sends BYE to the phone that answered', async () => {
  const s = setup(1);
  const id = s.line.place({ callee: '21', priority: 'Normal', sdpOffer: offer });
  await settle();
  s.phones[0]!.c.sessions[0]!.answer(answer);
  await settle();
  s.line.hangUp(id);
  await settle();
  assert.equal(s.net.requests('BYE', s.phones[0]!.port).length, 1);
  assert.deepEqual(s.phones[0]!.c.events, ['invite', 'ended bye']);
  await s.stop();
});

test('RFC 3261 13.2.2.4: two phones answering at once — the second 2xx is ACKed and ended with BYE', async () => {
  const s = setup(2, (_, session) => session.answer(answer));
  const id = s.line.place({ callee: '21', priority: 'Normal', sdpOffer: offer });
  await settle();
  assert.deepEqual(s.events, [`answered ${id} answer`]);
  const acked = s.phones.map((p) => s.net.requests('ACK', p.port).length);
  assert.deepEqual(acked, [1, 1], 'both 2xx are ACKed');
  const byes = s.phones.map((p) => s.net.requests('BYE', p.port).length);
  assert.deepEqual(byes, [0, 1], 'the late one gets BYE');
  assert.deepEqual(s.phones[1]!.c.events, ['invite', 'ended bye']);
  await s.stop();
});

test('cancel: every fork gets CANCEL; with completed-elsewhere it carries the RFC 3326 Reason, else none', async () => {
  const s = setup(2);
  const plain = s.line.place({ callee: '21', priority: 'Normal', sdpOffer: offer });
  await settle();
  s.line.cancel(plain);
  await settle();
  assert.deepEqual(s.net.requests('CANCEL').map((c) => c.headers.get('Reason')), [undefined, undefined]);
  const elsewhere = s.line.place({ callee: '21', priority: 'Normal', sdpOffer: offer });
  await settle();
  s.line.cancel(elsewhere, 'completed-elsewhere');
  await settle();
  const second = s.net.requests('CANCEL').slice(2);
  assert.equal(second.length, 2);
  for (const c of second) assert.equal(c.headers.get('Reason'), reasonText);
  assert.deepEqual(s.phones[0]!.c.events, ['invite', 'cancelled', 'invite', 'cancelled']);
  assert.deepEqual(s.events, [`provisional ${plain}`, `provisional ${elsewhere}`], 'a cancelled call reports nothing more');
  await s.stop();
});

test('failures: Busy when every phone is busy, a 603 beats a busy one, no device registered (Error) and no such extension (Not Found)', async () => {
  const busy = setup(2, (_, session) => session.reject(486));
  const a = busy.line.place({ callee: '21', priority: 'Normal', sdpOffer: offer });
  await settle();
  assert.deepEqual(busy.events, [`failed ${a} Busy`]);
  await busy.stop();

  const mixed = setup(2, (i, session) => session.reject(i === 0 ? 486 : 603));
  const b = mixed.line.place({ callee: '21', priority: 'Normal', sdpOffer: offer });
  await settle();
  assert.deepEqual(mixed.events, [`failed ${b} Rejected`]);

  const empty = new PhoneLine({ side: { userAgent: mixed.hub, realm, clock: mixed.clock }, directory: directory([], ['21']) });
  const rec = listener();
  empty.setListener(rec.l);
  const c = empty.place({ callee: '21', priority: 'Normal' });
  const d = empty.place({ callee: 'sip:99@home.arpa', priority: 'Normal' });
  assert.deepEqual(rec.events, [], 'reported after place returned');
  await mixed.clock.run(0);
  assert.deepEqual(rec.events, [`failed ${c} Error`, `failed ${d} Not Found`]);
  await mixed.stop();
});

test('a phone that fails while the other rings leaves the call ringing; the RFC 3261 16.7 best failure', async () => {
  assert.equal(bestFailure([486, 486]), 'Busy');
  assert.equal(bestFailure([486, 404]), 'Not Found');
  assert.equal(bestFailure([480, 486]), 'Error');
  assert.equal(bestFailure([486, 600]), 'Busy');
  assert.equal(bestFailure([404, 603]), 'Rejected');
  assert.equal(extensionOf('sip:21@home.arpa'), '21');
  assert.equal(extensionOf('tel:21'), '21');
  assert.equal(extensionOf(' 21 '), '21');
  assert.equal(extensionOf('sip:anna@home.arpa'), undefined);

  const s = setup(2, (i, session) => i === 0 && session.reject(486));
  const id = s.line.place({ callee: '21', priority: 'Normal', sdpOffer: offer });
  await settle();
  assert.deepEqual(s.events, [`provisional ${id}`]);
  s.phones[1]!.c.sessions[0]!.answer(answer);
  await settle();
  assert.deepEqual(s.events, [`provisional ${id}`, `answered ${id} answer`]);
  assert.equal(s.net.requests('CANCEL').length, 0, 'nothing left to cancel');
  assert.ok(cseq(s.net.requests('ACK', s.phones[1]!.port)[0]!));
  await s.stop();
});

