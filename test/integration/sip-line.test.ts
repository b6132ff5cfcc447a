/**
 * Two SIP lines on 127.0.0.1 calling each other through the Line API, over real UDP and TCP sockets
 * (T1 shortened): answered calls, rejections, CANCEL, re-INVITE both ways, 2xx retransmission, the
 * no-answer timer, availability probing, a Digest-protected registration against a small registrar
 * written here, and a flood of malformed datagrams.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createSocket } from 'node:dgram';
import { systemClock } from '../../src/base/clock.js';
import { SipLine, type SipLineOptions } from '../../src/sip/bridge/sip-line.js';
import {
  contacts,
  expires,
  formatChallenge,
  generateNonce,
  responseTo,
  verifyDigest,
  type SipMessage,
  type SipPeer,
  type SipRequest,
  type SipResponse,
} from '../../src/sip/message/index.js';
import { TransactionLayer } from '../../src/sip/transaction/index.js';
import { SipTransports, UdpTransport, type SipSource } from '../../src/sip/transport/index.js';
import type { UaTransport } from '../../src/sip/user-agent/index.js';
import { LineRecorder } from '../support/line-recorder.js';
import { testLogger, waitFor } from '../support/net.js';

const host = '127.0.0.1';
const timers = { t1: 50, t2: 400, t4: 500, timerD: 500 };
const offer = 'v=0\r\no=alice 1 1 IN IP4 127.0.0.1\r\ns=-\r\nc=IN IP4 127.0.0.1\r\nt=0 0\r\nm=audio 40000 RTP/AVP 0 8\r\na=rtpmap:0 PCMU/8000\r\n';
const answer = 'v=0\r\no=bob 1 1 IN IP4 127.0.0.1\r\ns=-\r\nc=IN IP4 127.0.0.1\r\nt=0 0\r\nm=audio 50000 RTP/AVP 0\r\na=rtpmap:0 PCMU/8000\r\n';
const offer2 = offer.replace('40000', '40002');
const answer2 = answer.replace('50000', '50002');

interface Party {
  readonly line: SipLine;
  readonly rec: LineRecorder;
}

async function party(user: string, transport: 'udp' | 'tcp', opts: Partial<SipLineOptions> = {}): Promise<Party> {
  const line = new SipLine({
    mode: 'direct',
    user,
    host,
    port: 0,
    transports: [transport],
    timers,
    clock: systemClock,
    logger: testLogger(`line.${user}`),
    localSdp: () => offer,
    ...opts,
  });
  const rec = new LineRecorder();
  line.setListener(rec);
  await line.start();
  return { line, rec };
}

function uriOf(p: Party, user: string, transport: 'udp' | 'tcp'): string {
  return `sip:${user}@${host}:${p.line.port}${transport === 'tcp' ? ';transport=tcp' : ''}`;
}

async function pair(transport: 'udp' | 'tcp', a: Partial<SipLineOptions> = {}, b: Partial<SipLineOptions> = {}) {
  const alice = await party('alice', transport, { displayName: 'Alice', ...a });
  const bob = await party('bob', transport, b);
  return {
    alice,
    bob,
    bobUri: uriOf(bob, 'bob', transport),
    aliceUri: uriOf(alice, 'alice', transport),
    async close() {
      await alice.line.stop();
      await bob.line.stop();
    },
  };
}

/** Places a call from alice to bob and answers it; returns both line ids. */
async function connect(p: Awaited<ReturnType<typeof pair>>, n: number): Promise<{ out: string; inc: string }> {
  const out = p.alice.line.place({ callee: p.bobUri, priority: 'Normal', sdpOffer: offer });
  const call = await p.bob.rec.nextIncoming(n);
  p.bob.line.answer(call.id, answer);
  await waitFor(() => p.alice.rec.events.filter((e) => e === 'answered').length >= n, 'answered');
  await waitFor(() => p.bob.line.session(call.id)?.state === 'confirmed', 'ACK at the callee');
  return { out, inc: call.id };
}

for (const transport of ['udp', 'tcp'] as const) {
  test(`${transport}: an answered call carries SDP both ways; BYE from the caller, then from the callee`, async () => {
    const p = await pair(transport);
    try {
      const out = p.alice.line.place({ callee: p.bobUri, priority: 'Normal', sdpOffer: offer });
      const call = await p.bob.rec.nextIncoming(1);
      assert.deepEqual(call.from, { id: 'alice', name: 'Alice' });
      assert.equal(call.to, p.bobUri);
      assert.equal(call.sdp, offer);
      await p.alice.rec.wait('provisional', '180 at the caller');
      p.bob.line.answer(call.id, answer);
      await p.alice.rec.wait('answered');
      assert.equal(p.alice.rec.sdp.get(out), answer);
      await waitFor(() => p.bob.line.session(call.id)?.state === 'confirmed', 'ACK at the callee');
      p.alice.line.hangUp(out);
      await p.bob.rec.wait('remoteHangUp');
      assert.deepEqual(p.alice.rec.events, ['provisional', 'answered']);

      const second = await connect(p, 2);
      p.bob.line.hangUp(second.inc);
      await p.alice.rec.wait('remoteHangUp');
      assert.deepEqual(p.bob.rec.events, ['incoming alice', 'remoteHangUp', 'incoming alice']);
    } finally {
      await p.close();
    }
  });

  test(`${transport}: busy (486), decline (603) and not found (404 for an unknown user)`, async () => {
    const p = await pair(transport);
    try {
      p.alice.line.place({ callee: p.bobUri, priority: 'Normal', sdpOffer: offer });
      p.bob.line.reject((await p.bob.rec.nextIncoming(1)).id, 'Busy');
      await p.alice.rec.wait('failed Busy');
      p.alice.line.place({ callee: p.bobUri, priority: 'Normal', sdpOffer: offer });
      p.bob.line.reject((await p.bob.rec.nextIncoming(2)).id, 'Rejected');
      await p.alice.rec.wait('failed Rejected');
      p.alice.line.place({ callee: p.bobUri.replace('bob@', 'nobody@'), priority: 'Normal', sdpOffer: offer });
      await p.alice.rec.wait('failed Not Found');
      assert.equal(p.bob.rec.incomingCalls.length, 2, 'the unknown user never rang');
    } finally {
      await p.close();
    }
  });

  test(`${transport}: CANCEL before the answer: 487 at the caller, remoteCancelled at the callee`, async () => {
    const p = await pair(transport);
    try {
      const out = p.alice.line.place({ callee: p.bobUri, priority: 'Normal', sdpOffer: offer });
      const session = p.alice.line.session(out)!;
      await p.bob.rec.nextIncoming(1);
      await p.alice.rec.wait('provisional');
      p.alice.line.cancel(out);
      await p.bob.rec.wait('remoteCancelled');
      await waitFor(() => session.finalResponse?.status === 487, '487 at the caller');
      await new Promise((r) => setTimeout(r, 100));
      assert.deepEqual(p.alice.rec.events, ['provisional'], 'the caller hears nothing after its cancel');
    } finally {
      await p.close();
    }
  });

  test(`${transport}: re-INVITE accepted and rejected, in both directions`, async () => {
    const p = await pair(transport);
    try {
      const { out, inc } = await connect(p, 1);
      p.alice.line.modify(out, offer2);
      await p.bob.rec.wait('remoteModify');
      assert.equal(p.bob.rec.sdp.get(inc), offer2);
      p.bob.line.acceptModify(inc, answer2);
      await p.alice.rec.wait('modifyAccepted');
      assert.equal(p.alice.rec.sdp.get(out), answer2);

      p.alice.line.modify(out, offer2);
      await waitFor(() => p.bob.rec.events.filter((e) => e === 'remoteModify').length === 2, 'second remoteModify');
      p.bob.line.rejectModify(inc);
      await p.alice.rec.wait('modifyRejected');

      p.bob.line.modify(inc, offer2);
      await p.alice.rec.wait('remoteModify');
      p.alice.line.acceptModify(out, answer2);
      await p.bob.rec.wait('modifyAccepted');
      p.bob.line.modify(inc, offer2);
      await waitFor(() => p.alice.rec.events.filter((e) => e === 'remoteModify').length === 2, 'second remoteModify at alice');
      p.alice.line.rejectModify(out);
      await p.bob.rec.wait('modifyRejected');

      assert.equal(p.alice.line.session(out)!.state, 'confirmed', 'the call goes on');
      p.alice.line.hangUp(out);
      await p.bob.rec.wait('remoteHangUp');
    } finally {
      await p.close();
    }
  });
}

/** A line's transport whose outgoing requests `send` sees first: false drops the request. */
function sendingThrough(send: (r: SipRequest) => boolean): (t: UaTransport) => UaTransport {
  return (t) => ({
    prepareRequest: t.prepareRequest?.bind(t),
    sendResponse: (r: SipResponse, s: SipSource) => t.sendResponse(r, s),
    sendRequest: (r: SipRequest, to: SipPeer) => (send(r) ? t.sendRequest(r, to) : Promise.resolve()),
    set onMessage(fn: ((m: SipMessage, f: SipSource) => void) | undefined) {
      t.onMessage = fn;
    },
    get onMessage() {
      return t.onMessage;
    },
  });
}

test('udp: the 2xx is retransmitted until the ACK arrives (the first ACK dropped on purpose)', async () => {
  let dropped = 0;
  const dropFirstAck = sendingThrough((r) => {
    if (r.method !== 'ACK' || dropped > 0) return true;
    dropped++;
    return false;
  });
  const p = await pair('udp', { wrapTransport: dropFirstAck });
  try {
    p.alice.line.place({ callee: p.bobUri, priority: 'Normal', sdpOffer: offer });
    const call = await p.bob.rec.nextIncoming(1);
    p.bob.line.answer(call.id, answer);
    await p.alice.rec.wait('answered');
    const session = p.bob.line.session(call.id)!;
    await waitFor(() => session.state === 'confirmed', 'the ACK of a retransmitted 2xx');
    assert.equal(dropped, 1);
    assert.ok(session.twoHundredRetransmissions >= 1, `retransmissions: ${session.twoHundredRetransmissions}`);
  } finally {
    await p.close();
  }
});

test('udp, RFC 3326: cancel(id, "completed-elsewhere") sends the CANCEL with Reason: SIP;cause=200;text="Call completed elsewhere"', async () => {
  const sent: SipRequest[] = [];
  const recordCancels = sendingThrough((r) => {
    if (r.method === 'CANCEL') sent.push(r);
    return true;
  });
  const p = await pair('udp', { wrapTransport: recordCancels });
  try {
    for (const reason of [undefined, 'completed-elsewhere'] as const) {
      const out = p.alice.line.place({ callee: p.bobUri, priority: 'Normal', sdpOffer: offer });
      await p.bob.rec.nextIncoming(sent.length + 1);
      await waitFor(() => p.alice.line.session(out)?.state === 'proceeding', 'ringing');
      p.alice.line.cancel(out, reason);
      await waitFor(() => p.bob.rec.events.filter((e) => e === 'remoteCancelled').length === sent.length, 'cancelled at the callee');
    }
    assert.deepEqual(sent.map((c) => c.headers.get('Reason')), [undefined, 'SIP;cause=200;text="Call completed elsewhere"']);
  } finally {
    await p.close();
  }
});

test('udp: nobody answers within the no-answer time: 480 to the caller, remoteCancelled at the callee', async () => {
  const p = await pair('udp', {}, { noAnswerSeconds: 0.3 });
  try {
    p.alice.line.place({ callee: p.bobUri, priority: 'Normal', sdpOffer: offer });
    await p.bob.rec.nextIncoming(1);
    await p.bob.rec.wait('remoteCancelled');
    await p.alice.rec.wait('failed Error', 'the 480 (Error) at the caller');
  } finally {
    await p.close();
  }
});

test('udp: availability — a live peer (presence refused, OPTIONS answered) is available, a dead one is not', async () => {
  const p = await pair('udp', { probeIntervalSeconds: 0.5 });
  const silent = createSocket('udp4');
  await new Promise<void>((r) => silent.bind(0, host, r));
  const deadUri = `sip:dave@${host}:${silent.address().port}`;
  try {
    p.alice.line.watchAvailability(p.bobUri, true);
    p.alice.line.watchAvailability(deadUri, true);
    await p.alice.rec.wait(`availability ${p.bobUri} true`);
    await p.alice.rec.wait(`availability ${deadUri} false`);
    assert.equal(p.alice.line.userAgent!.watching(p.bobUri)?.method, 'options');
    // bob goes away: the next probe finds nobody
    await p.bob.line.stop();
    await p.alice.rec.wait(`availability ${p.bobUri} false`);
    p.alice.line.watchAvailability(p.bobUri, false);
    p.alice.line.watchAvailability(deadUri, false);
    assert.equal(p.alice.line.userAgent!.watching(p.bobUri), undefined);
  } finally {
    silent.close();
    await p.close();
  }
});

test('direct mode: the identity is sip:user@host:port; a tel: callee is Not Found', async () => {
  const alice = await party('alice', 'udp');
  try {
    assert.equal(alice.line.identity(), `sip:alice@${host}:${alice.line.port}`);
    alice.line.place({ callee: 'tel:+15550100', priority: 'Normal' });
    await alice.rec.wait('failed Not Found');
  } finally {
    await alice.line.stop();
  }
});

/** A registrar (and a proxy that knows nobody) on its own UDP transport, with Digest authentication. */
async function tinyRegistrar(password: string) {
  const udp = new UdpTransport({ address: host, port: 0, logger: testLogger('registrar') });
  await udp.listen();
  const transports = new SipTransports({ udp, logger: testLogger('registrar') });
  const realm = 'home.test';
  const nonces = new Set<string>();
  const bindings = new Map<string, { contact: string; expires: number }>();
  const requests: SipRequest[] = [];
  const layer = new TransactionLayer({
    transport: transports,
    timers,
    logger: testLogger('registrar.tx'),
    delegate: {
      onRequest: (tx) => {
        const req = tx.request;
        requests.push(req);
        if (req.method !== 'REGISTER') {
          // not a registered user of ours: 404 (a proxy with an empty location service)
          tx.respond(responseTo(req, 404, undefined, [], { toTag: true }));
          return;
        }
        const auth = req.headers.get('Authorization');
        const ok = auth !== undefined && [...nonces].some((nonce) => verifyDigest({ authorization: auth, method: 'REGISTER', realm, password, nonce, uri: req.uri }));
        if (!ok) {
          const nonce = generateNonce();
          nonces.add(nonce);
          tx.respond(responseTo(req, 401, undefined, [['WWW-Authenticate', formatChallenge({ realm, nonce })]], { toTag: true }));
          return;
        }
        const to = /<([^>]+)>/.exec(req.headers.get('To') ?? '')?.[1] ?? '';
        const c = contacts(req);
        const requested = expires(req) ?? 3600;
        const granted = requested === 0 ? 0 : Math.min(requested, 60);
        if (c && c !== '*' && c[0]) {
          if (granted === 0) bindings.delete(to);
          else bindings.set(to, { contact: c[0].uriText, expires: granted });
        }
        const binding = bindings.get(to);
        tx.respond(responseTo(req, 200, undefined, binding ? [['Contact', `<${binding.contact}>;expires=${binding.expires}`]] : [], { toTag: true }));
      },
    },
  });
  transports.onMessage = (m, f) => layer.receive(m, f);
  return {
    uri: `sip:${host}:${udp.port}`,
    bindings,
    requests,
    async close() {
      layer.close();
      await transports.close();
    },
  };
}

test('registered mode: Digest-protected REGISTER, the AOR as identity, tel: routed to the registrar, unregister on stop', async () => {
  const registrar = await tinyRegistrar('s3cret');
  const alice = await party('alice', 'udp', { mode: 'registered', registrar: registrar.uri, username: 'alice', password: 's3cret' });
  try {
    await waitFor(() => alice.line.identity() !== undefined, 'registered');
    assert.equal(alice.line.identity(), `sip:alice@${host}`);
    assert.deepEqual(registrar.bindings.get(`sip:alice@${host}`), { contact: `sip:alice@${host}:${alice.line.port}`, expires: 60 });
    assert.equal(registrar.requests.filter((r) => r.method === 'REGISTER').length, 2, 'challenged once');
    alice.line.place({ callee: 'tel:+1-555-0100', priority: 'Emergency' });
    await alice.rec.wait('failed Not Found');
    const invite = registrar.requests.find((r) => r.method === 'INVITE')!;
    assert.equal(invite.uri, `sip:+15550100@${host};user=phone`);
    assert.equal(invite.headers.get('Priority'), 'emergency');
    assert.equal(invite.body, offer, "the line's own media when no offer is given");
  } finally {
    await alice.line.stop();
  }
  assert.equal(registrar.bindings.size, 0, 'unregistered on stop');
  await registrar.close();
});

test('registered mode: a wrong password never registers (identity stays unknown)', async () => {
  const registrar = await tinyRegistrar('right');
  const alice = await party('alice', 'udp', { mode: 'registered', registrar: registrar.uri, password: 'wrong', retryBaseSeconds: 60 });
  try {
    await waitFor(() => registrar.requests.filter((r) => r.method === 'REGISTER').length >= 2, 'REGISTER attempts');
    await new Promise((r) => setTimeout(r, 200));
    assert.equal(alice.line.identity(), undefined);
    assert.equal(registrar.bindings.size, 0);
  } finally {
    await alice.line.stop();
    await registrar.close();
  }
});

test('udp: 500 malformed datagrams to the line, then a call still completes', async () => {
  const p = await pair('udp');
  const sock = createSocket('udp4');
  try {
    const port = p.bob.line.port;
    const garbage = (i: number): Buffer => {
      switch (i % 10) {
        case 0:
          return Buffer.from(Array.from({ length: 200 }, (_, k) => (i * 31 + k * 7) % 256));
        case 1:
          return Buffer.from('INVITE sip:bob@127.0.0.1 SIP/2.0\r\n\r\n');
        case 2:
          return Buffer.from(`INVITE sip:bob@127.0.0.1 SIP/7.0\r\nVia: SIP/2.0/UDP ${host}:1;branch=z9hG4bK${i}\r\n\r\n`);
        case 3:
          return Buffer.from(`SIP/2.0 999 Nope\r\nVia: x\r\n\r\n`);
        case 4:
          return Buffer.from(`OPTIONS sip:bob@${host} SIP/2.0\r\nVia: SIP/2.0/UDP ${host}:9;branch=z9hG4bK${i}\r\nCSeq: x OPTIONS\r\n\r\n`);
        case 5:
          return Buffer.from(`BYE sip:bob@${host} SIP/2.0\r\nContent-Length: 99999\r\n\r\nshort`);
        case 6:
          return Buffer.from('\r\n\r\n');
        case 7:
          return Buffer.from(`ACK sip:bob@${host} SIP/2.0\r\nTo: <sip:a@b>;tag=x\r\nFrom: <<<\r\n\r\n`);
        case 8:
          return Buffer.alloc(65_000, 0x41);
        default:
          return Buffer.from(`INVITE sip:bob@${host} SIP/2.0\r\nVia: SIP/2.0/UDP ${host}:9;branch=z9hG4bK${i}\r\nFrom: a\r\nTo: b\r\nCall-ID: ${i}\r\nCSeq: 1 INVITE\r\nMax-Forwards: 70\r\nContent-Type: application/sdp\r\nContent-Length: 5\r\n\r\n12345`);
      }
    };
    for (let i = 0; i < 500; i++) {
      await new Promise<void>((resolve, reject) => sock.send(garbage(i), port, host, (e) => (e ? reject(e) : resolve())));
    }
    const { out } = await connect(p, 1);
    assert.equal(p.alice.rec.sdp.get(out), answer);
    assert.equal(p.bob.rec.incomingCalls.length, 1, 'none of the garbage rang');
  } finally {
    sock.close();
    await p.close();
  }
});
