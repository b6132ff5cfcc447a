/**
 * The RFC 3261 17 transaction layer driven by a fake clock and a transport that records what it is asked to
 * send: every timer of every machine, the state transitions, the ACK for 3xx–6xx, the matching rules, and
 * the 2xx retransmitter of the UAS core (13.3.1.4). No sockets.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Clock } from '../../src/base/clock.js';
import { FakeClock } from '../support/fake-clock.js';
import { createLogger, silentLogger, type Logger } from '../../src/base/logger.js';
import type { SipMessage, SipPeer, SipRequest, SipResponse } from '../../src/sip/message/types.js';
import { HeaderList } from '../../src/sip/message/header-list.js';
import type { SipSource } from '../../src/sip/transport/transport.js';
import {
  InviteClientTransaction,
  InviteServerTransaction,
  NonInviteServerTransaction,
  TransactionLayer,
  TwoHundredRetransmitter,
  type ClientTransactionDelegate,
  type ServerTransaction,
  type TimerConfig,
  type TransactionOutcome,
  type TransactionTransport,
} from '../../src/sip/transaction/index.js';

// ---------------------------------------------------------------------------------------------------------
// doubles

interface Sent {
  readonly at: number;
  readonly message: SipMessage;
  readonly to: SipPeer;
}

class RecordingTransport implements TransactionTransport {
  readonly sent: Sent[] = [];
  fail?: Error;
  prepareRequest?: (request: SipRequest, to: SipPeer) => { request: SipRequest; to: SipPeer };
  constructor(private readonly clock: Clock) {}
  sendRequest(request: SipRequest, to: SipPeer): Promise<void> {
    return this.record(request, to);
  }
  sendResponse(response: SipResponse, source: SipSource): Promise<void> {
    return this.record(response, source);
  }
  private record(message: SipMessage, to: SipPeer): Promise<void> {
    this.sent.push({ at: this.clock.now(), message, to });
    return this.fail ? Promise.reject(this.fail) : Promise.resolve();
  }
  /** Times at which messages matching `pred` were sent. */
  times(pred: (m: SipMessage) => boolean = () => true): number[] {
    return this.sent.filter((s) => pred(s.message)).map((s) => s.at);
  }
  requests(method: string): SipRequest[] {
    return this.sent.map((s) => s.message).filter((m): m is SipRequest => m.kind === 'request' && m.method === method);
  }
  responses(status?: number): SipResponse[] {
    return this.sent
      .map((s) => s.message)
      .filter((m): m is SipResponse => m.kind === 'response' && (status === undefined || m.status === status));
  }
}

const isRequest = (method: string) => (m: SipMessage) => m.kind === 'request' && m.method === method;
const isResponse = (status: number) => (m: SipMessage) => m.kind === 'response' && m.status === status;
const intervals = (times: number[]): number[] => times.slice(1).map((t, i) => t - times[i]!);
const flush = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

// ---------------------------------------------------------------------------------------------------------
// messages

const udpPeer: SipPeer = { transport: 'udp', address: '192.0.2.20', port: 5060 };
const tcpPeer: SipPeer = { transport: 'tcp', address: '192.0.2.20', port: 5060 };
const udpSource: SipSource = { transport: 'udp', address: '192.0.2.30', port: 5070 };
const tcpSource: SipSource = { transport: 'tcp', address: '192.0.2.30', port: 40000, connectionId: 7 };

interface RequestOptions {
  readonly branch?: string;
  readonly sentBy?: string;
  readonly transport?: 'UDP' | 'TCP';
  readonly cseq?: number;
  readonly cseqMethod?: string;
  readonly toTag?: string;
  readonly extra?: Array<[string, string]>;
}

function request(method: string, o: RequestOptions = {}): SipRequest {
  const h: Array<[string, string]> = [
    ['Via', `SIP/2.0/${o.transport ?? 'UDP'} ${o.sentBy ?? '192.0.2.30:5070'}${o.branch === '' ? '' : `;branch=${o.branch ?? 'z9hG4bK-1'}`}`],
    ['Via', 'SIP/2.0/UDP 192.0.2.99:5060;branch=z9hG4bK-lower'],
    ['Max-Forwards', '70'],
    ...(o.extra ?? []),
    ['From', '"Alice" <sip:alice@example.com>;tag=from1'],
    ['To', `<sip:bob@example.com>${o.toTag ? `;tag=${o.toTag}` : ''}`],
    ['Call-ID', 'call-1@example.com'],
    ['CSeq', `${o.cseq ?? 1} ${o.cseqMethod ?? method}`],
    ['Content-Length', '0'],
  ];
  return { kind: 'request', method, uri: 'sip:bob@example.com', headers: new HeaderList(h), body: '' };
}

function response(req: SipRequest, status: number, o: { toTag?: string; cseqMethod?: string } = {}): SipResponse {
  const h: Array<[string, string]> = req.headers.all('Via').map((v): [string, string] => ['Via', v]);
  const to = req.headers.get('To')!;
  const tag = status === 100 || /;tag=/.test(to) ? '' : `;tag=${o.toTag ?? 'to1'}`;
  h.push(['From', req.headers.get('From')!], ['To', to + tag], ['Call-ID', req.headers.get('Call-ID')!]);
  const cseq = req.headers.get('CSeq')!;
  h.push(['CSeq', o.cseqMethod ? cseq.replace(/\S+$/, o.cseqMethod) : cseq], ['Content-Length', '0']);
  return { kind: 'response', status, reason: `Reason ${status}`, headers: new HeaderList(h), body: '' };
}

// ---------------------------------------------------------------------------------------------------------
// harness

function harness(opts: { timers?: Partial<TimerConfig>; logger?: Logger; onRequest?: (tx: ServerTransaction) => void } = {}) {
  const clock = new FakeClock();
  const transport = new RecordingTransport(clock);
  const serverTxs: ServerTransaction[] = [];
  const acks: SipRequest[] = [];
  const strays: SipResponse[] = [];
  const outcomes: TransactionOutcome[] = [];
  const layer = new TransactionLayer({
    transport,
    clock,
    logger: opts.logger ?? silentLogger,
    ...(opts.timers ? { timers: opts.timers } : {}),
    onOutcome: (o) => outcomes.push(o),
    delegate: {
      onRequest: (tx) => {
        serverTxs.push(tx);
        opts.onRequest?.(tx);
      },
      onAck: (ack) => acks.push(ack),
      onStrayResponse: (r) => strays.push(r),
    },
  });
  return { clock, transport, layer, serverTxs, acks, strays, outcomes };
}

function recorder(): { log: string[]; delegate: ClientTransactionDelegate } {
  const log: string[] = [];
  return {
    log,
    delegate: {
      onProvisional: (r) => log.push(`provisional ${r.status}`),
      onFinal: (r) => log.push(`final ${r.status}`),
      onTimeout: () => log.push('timeout'),
      onTransportError: (e) => log.push(`transport error: ${e.message}`),
      onTerminated: () => log.push('terminated'),
    },
  };
}

function serverRecorder(tx: ServerTransaction): string[] {
  const log: string[] = [];
  tx.delegate = {
    onTimeout: () => log.push('timeout'),
    onTransportError: (e) => log.push(`transport error: ${e.message}`),
    onTerminated: () => log.push('terminated'),
  };
  return log;
}

// ---------------------------------------------------------------------------------------------------------
// INVITE client transaction (17.1.1)

test('RFC 3261 17.1.1.2: Timer A doubles from T1 on UDP (0.5, 1.5, 3.5, 7.5, 15.5, 31.5 s) and Timer B times out at 64*T1', () => {
  const { clock, transport, layer } = harness();
  const { log, delegate } = recorder();
  const tx = layer.sendRequest(request('INVITE'), udpPeer, delegate);
  assert.ok(tx instanceof InviteClientTransaction);
  assert.equal(tx.state, 'calling');
  clock.advance(32_000 - 1);
  const sends = transport.times(isRequest('INVITE'));
  assert.deepEqual(sends, [0, 500, 1500, 3500, 7500, 15_500, 31_500]);
  assert.deepEqual(intervals(sends), [500, 1000, 2000, 4000, 8000, 16_000]);
  assert.equal(tx.state, 'calling');
  assert.deepEqual(log, []);
  clock.advance(1);
  assert.equal(tx.state, 'terminated');
  assert.deepEqual(log, ['timeout', 'terminated']);
  assert.equal(layer.clientCount, 0);
  clock.advance(100_000);
  assert.equal(transport.sent.length, 7);
  assert.equal(clock.pending, 0);
});

test('RFC 3261 17.1.1.2: no Timer A on TCP (one INVITE sent); Timer B still fires at 64*T1', () => {
  const { clock, transport, layer } = harness();
  const { log, delegate } = recorder();
  const tx = layer.sendRequest(request('INVITE', { transport: 'TCP' }), tcpPeer, delegate);
  assert.equal(tx.reliable, true);
  clock.advance(31_999);
  assert.deepEqual(transport.times(), [0]);
  clock.advance(1);
  assert.deepEqual(log, ['timeout', 'terminated']);
  assert.equal(tx.state, 'terminated');
});

test('RFC 3261 17.1.1.2: T1 is configurable (T1 = 100 ms: A at 0.1, 0.3, 0.7 … s, B at 6.4 s)', () => {
  const { clock, transport, layer } = harness({ timers: { t1: 100 } });
  const { log, delegate } = recorder();
  layer.sendRequest(request('INVITE'), udpPeer, delegate);
  clock.advance(6399);
  assert.deepEqual(transport.times(), [0, 100, 300, 700, 1500, 3100, 6300]);
  assert.deepEqual(log, []);
  clock.advance(1);
  assert.deepEqual(log, ['timeout', 'terminated']);
});

test('RFC 3261 17.1.1.2: a provisional response moves Calling to Proceeding, stops Timer A and disarms Timer B', () => {
  const { clock, transport, layer, strays } = harness();
  const { log, delegate } = recorder();
  const invite = request('INVITE');
  const tx = layer.sendRequest(invite, udpPeer, delegate);
  clock.advance(600);
  layer.receive(response(invite, 100), udpPeer);
  layer.receive(response(invite, 180), udpPeer);
  assert.equal(tx.state, 'proceeding');
  assert.deepEqual(log, ['provisional 100', 'provisional 180']);
  clock.advance(120_000);
  assert.deepEqual(transport.times(), [0, 500]);
  assert.equal(tx.state, 'proceeding');
  // 2xx: passed up, the transaction terminates, and the transaction sends no ACK (the TU ACKs 2xx)
  layer.receive(response(invite, 200), udpPeer);
  assert.deepEqual(log, ['provisional 100', 'provisional 180', 'final 200', 'terminated']);
  assert.equal(tx.state, 'terminated');
  assert.equal(transport.requests('ACK').length, 0);
  // 2xx retransmissions find no transaction and go to the TU as stray responses
  layer.receive(response(invite, 200), udpPeer);
  assert.equal(strays.length, 1);
  assert.equal(strays[0]!.status, 200);
});

for (const status of [300, 404, 486, 503, 603]) {
  test(`RFC 3261 17.1.1.3: a ${status} is ACKed by the transaction (Request-URI, top Via, Route, From, Call-ID, CSeq of the INVITE; To of the response)`, () => {
    const { clock, transport, layer } = harness();
    const { log, delegate } = recorder();
    const invite = request('INVITE', {
      cseq: 4711,
      extra: [
        ['Route', '<sip:proxy1.example.com;lr>'],
        ['Route', '<sip:proxy2.example.com;lr>'],
      ],
    });
    const tx = layer.sendRequest(invite, udpPeer, delegate);
    assert.ok(tx instanceof InviteClientTransaction);
    clock.advance(700);
    const final = response(invite, status, { toTag: 'callee-tag' });
    layer.receive(final, udpPeer);
    assert.equal(tx.state, 'completed');
    assert.deepEqual(log, [`final ${status}`]);
    const acks = transport.requests('ACK');
    assert.equal(acks.length, 1);
    const ack = acks[0]!;
    assert.equal(ack.uri, invite.uri);
    assert.deepEqual(ack.headers.all('Via'), [invite.headers.get('Via')]);
    assert.deepEqual(ack.headers.all('Route'), invite.headers.all('Route'));
    assert.equal(ack.headers.get('From'), invite.headers.get('From'));
    assert.equal(ack.headers.get('To'), '<sip:bob@example.com>;tag=callee-tag');
    assert.equal(ack.headers.get('Call-ID'), invite.headers.get('Call-ID'));
    assert.equal(ack.headers.get('CSeq'), '4711 ACK');
    assert.equal(ack.body, '');
    assert.equal(tx.ackRequest, ack);
    // Completed: retransmissions stop; a retransmitted final response is ACKed again and not passed up
    clock.advance(10_000);
    assert.deepEqual(transport.times(isRequest('INVITE')), [0, 500]);
    layer.receive(final, udpPeer);
    assert.equal(transport.requests('ACK').length, 2);
    assert.deepEqual(log, [`final ${status}`]);
  });
}

test('RFC 3261 17.1.1.2: Timer D keeps the INVITE client transaction Completed for 32 s on UDP', () => {
  const { clock, layer } = harness();
  const { log, delegate } = recorder();
  const invite = request('INVITE');
  const tx = layer.sendRequest(invite, udpPeer, delegate);
  layer.receive(response(invite, 486), udpPeer);
  clock.advance(31_999);
  assert.equal(tx.state, 'completed');
  assert.equal(layer.clientCount, 1);
  clock.advance(1);
  assert.equal(tx.state, 'terminated');
  assert.deepEqual(log, ['final 486', 'terminated']);
  assert.equal(layer.clientCount, 0);
});

test('RFC 3261 17.1.1.2: Timer D is 0 on TCP (ACK sent, Completed left at once)', () => {
  const { transport, layer } = harness();
  const { log, delegate } = recorder();
  const invite = request('INVITE', { transport: 'TCP' });
  const tx = layer.sendRequest(invite, tcpPeer, delegate);
  layer.receive(response(invite, 486), tcpPeer);
  assert.equal(transport.requests('ACK').length, 1);
  assert.equal(tx.state, 'terminated');
  assert.deepEqual(log, ['final 486', 'terminated']);
});

test('RFC 3261 17.1.4: a transport error terminates the INVITE client transaction and informs the TU', async () => {
  const { clock, transport, layer } = harness();
  const { log, delegate } = recorder();
  transport.fail = new Error('connection refused');
  const tx = layer.sendRequest(request('INVITE', { transport: 'TCP' }), tcpPeer, delegate);
  await flush();
  assert.equal(tx.state, 'terminated');
  assert.deepEqual(log, ['transport error: connection refused', 'terminated']);
  assert.equal(clock.pending, 0);
});

// ---------------------------------------------------------------------------------------------------------
// non-INVITE client transaction (17.1.2)

test('RFC 3261 17.1.2.2: Timer E retransmits at 500, 1000, 2000, 4000, 4000 … ms on UDP and Timer F times out at 64*T1', () => {
  const { clock, transport, layer } = harness();
  const { log, delegate } = recorder();
  const tx = layer.sendRequest(request('OPTIONS'), udpPeer, delegate);
  assert.equal(tx.state, 'trying');
  clock.advance(31_999);
  const sends = transport.times();
  assert.deepEqual(intervals(sends), [500, 1000, 2000, 4000, 4000, 4000, 4000, 4000, 4000, 4000]);
  assert.deepEqual(sends, [0, 500, 1500, 3500, 7500, 11_500, 15_500, 19_500, 23_500, 27_500, 31_500]);
  assert.deepEqual(log, []);
  clock.advance(1);
  assert.deepEqual(log, ['timeout', 'terminated']);
  assert.equal(tx.state, 'terminated');
  clock.advance(60_000);
  assert.equal(transport.sent.length, 11);
});

test('RFC 3261 17.1.2.2: no Timer E on TCP; Timer F still fires at 64*T1', () => {
  const { clock, transport, layer } = harness();
  const { log, delegate } = recorder();
  layer.sendRequest(request('REGISTER', { transport: 'TCP' }), tcpPeer, delegate);
  clock.advance(31_999);
  assert.deepEqual(transport.times(), [0]);
  clock.advance(1);
  assert.deepEqual(log, ['timeout', 'terminated']);
});

test('RFC 3261 17.1.2.2: in Proceeding Timer E goes on at T2 and Timer F still applies', () => {
  const { clock, transport, layer } = harness();
  const { log, delegate } = recorder();
  const req = request('BYE');
  const tx = layer.sendRequest(req, udpPeer, delegate);
  clock.advance(600);
  layer.receive(response(req, 100), udpPeer);
  assert.equal(tx.state, 'proceeding');
  clock.advance(32_000 - 600 - 1);
  assert.deepEqual(transport.times(), [0, 500, 1500, 5500, 9500, 13_500, 17_500, 21_500, 25_500, 29_500]);
  clock.advance(1);
  assert.deepEqual(log, ['provisional 100', 'timeout', 'terminated']);
});

test('RFC 3261 17.1.2.2: a final response completes the transaction; Timer K (T4) absorbs retransmissions on UDP', () => {
  const { clock, transport, layer, strays } = harness();
  const { log, delegate } = recorder();
  const req = request('OPTIONS');
  const tx = layer.sendRequest(req, udpPeer, delegate);
  clock.advance(700);
  layer.receive(response(req, 200), udpPeer);
  assert.equal(tx.state, 'completed');
  assert.deepEqual(log, ['final 200']);
  clock.advance(4999);
  layer.receive(response(req, 200), udpPeer);
  assert.deepEqual(log, ['final 200']);
  assert.equal(strays.length, 0);
  assert.deepEqual(transport.times(), [0, 500]);
  assert.equal(tx.state, 'completed');
  clock.advance(1);
  assert.equal(tx.state, 'terminated');
  assert.deepEqual(log, ['final 200', 'terminated']);
});

test('RFC 3261 17.1.2.2: Timer K is 0 on TCP', () => {
  const { layer } = harness();
  const { log, delegate } = recorder();
  const req = request('OPTIONS', { transport: 'TCP' });
  const tx = layer.sendRequest(req, tcpPeer, delegate);
  layer.receive(response(req, 404), tcpPeer);
  assert.equal(tx.state, 'terminated');
  assert.deepEqual(log, ['final 404', 'terminated']);
});

test('RFC 3261 17.1.4: a transport error terminates the non-INVITE client transaction', async () => {
  const { transport, layer } = harness();
  const { log, delegate } = recorder();
  transport.fail = new Error('EMSGSIZE');
  const tx = layer.sendRequest(request('MESSAGE'), udpPeer, delegate);
  await flush();
  assert.equal(tx.state, 'terminated');
  assert.deepEqual(log, ['transport error: EMSGSIZE', 'terminated']);
});

// ---------------------------------------------------------------------------------------------------------
// INVITE server transaction (17.2.1)

test('RFC 3261 17.2.1: the INVITE server transaction sends 100 Trying when the TU is silent for 200 ms', () => {
  const { clock, transport, layer, serverTxs } = harness();
  const invite = request('INVITE', { extra: [['Timestamp', '54']] });
  layer.receive(invite, udpSource);
  assert.equal(serverTxs.length, 1);
  const tx = serverTxs[0]!;
  assert.ok(tx instanceof InviteServerTransaction);
  assert.equal(tx.state, 'proceeding');
  clock.advance(199);
  assert.equal(transport.sent.length, 0);
  clock.advance(1);
  const trying = transport.responses(100);
  assert.equal(trying.length, 1);
  assert.equal(transport.sent[0]!.to, udpSource);
  assert.deepEqual(trying[0]!.headers.all('Via'), invite.headers.all('Via'));
  assert.equal(trying[0]!.headers.get('To'), '<sip:bob@example.com>');
  assert.equal(trying[0]!.headers.get('CSeq'), '1 INVITE');
  assert.equal(trying[0]!.headers.get('Timestamp'), '54');
  // a retransmitted INVITE is absorbed and answered with the last provisional response
  layer.receive(invite, udpSource);
  assert.equal(serverTxs.length, 1);
  assert.equal(transport.responses(100).length, 2);
});

test('RFC 3261 17.2.1: no 100 Trying when the TU answers within 200 ms; retransmitted INVITEs get its provisional again', () => {
  const { clock, transport, layer, serverTxs } = harness({ onRequest: (tx) => tx.respond(response(tx.request, 180)) });
  const invite = request('INVITE');
  layer.receive(invite, udpSource);
  clock.advance(5000);
  assert.equal(transport.responses(100).length, 0);
  assert.equal(transport.responses(180).length, 1);
  layer.receive(invite, udpSource);
  layer.receive(invite, udpSource);
  assert.equal(serverTxs.length, 1);
  assert.equal(transport.responses(180).length, 3);
  assert.equal(serverTxs[0]!.state, 'proceeding');
});

test('RFC 3261 17.2.1 / 13.3.1.4: a 2xx is sent once and terminates the transaction; the transaction never retransmits it', () => {
  const { clock, transport, layer, serverTxs, acks } = harness();
  const invite = request('INVITE');
  layer.receive(invite, udpSource);
  const tx = serverTxs[0]!;
  const log = serverRecorder(tx);
  tx.respond(response(invite, 200));
  assert.equal(tx.state, 'terminated');
  assert.deepEqual(log, ['terminated']);
  assert.equal(layer.serverCount, 0);
  clock.advance(64_000);
  assert.equal(transport.responses(200).length, 1);
  // the ACK for the 2xx is a new transaction (new branch): it goes to the TU
  const ack = request('ACK', { branch: 'z9hG4bK-ack2xx', toTag: 'to1', cseqMethod: 'ACK' });
  layer.receive(ack, udpSource);
  assert.equal(acks.length, 1);
});

test('RFC 6026 7.1 (layer): a retransmitted INVITE after the 2xx is absorbed for 64*T1, not handed to the TU as new', () => {
  const { clock, transport, layer, serverTxs } = harness({ onRequest: (tx) => tx.respond(response(tx.request, 200)) });
  const invite = request('INVITE');
  layer.receive(invite, udpSource);
  clock.advance(1000);
  layer.receive(invite, udpSource);
  assert.equal(serverTxs.length, 1);
  assert.equal(transport.responses(200).length, 1);
  clock.advance(31_000);
  layer.receive(invite, udpSource);
  assert.equal(serverTxs.length, 2);
});

test('RFC 3261 17.2.1: Timer G retransmits a 3xx–6xx at 500, 1000, 2000, 4000, 4000 … ms on UDP; Timer H gives up at 64*T1', () => {
  const { clock, transport, layer, serverTxs } = harness();
  const invite = request('INVITE');
  layer.receive(invite, udpSource);
  const tx = serverTxs[0]!;
  const log = serverRecorder(tx);
  clock.advance(100);
  tx.respond(response(invite, 486));
  assert.equal(tx.state, 'completed');
  clock.advance(31_999);
  const sends = transport.times(isResponse(486));
  assert.deepEqual(intervals(sends), [500, 1000, 2000, 4000, 4000, 4000, 4000, 4000, 4000, 4000]);
  assert.deepEqual(sends[0], 100);
  assert.equal(tx.state, 'completed');
  clock.advance(1);
  assert.equal(tx.state, 'terminated');
  assert.deepEqual(log, ['timeout', 'terminated']);
  clock.advance(60_000);
  assert.equal(transport.responses(486).length, 11);
  assert.equal(transport.responses(100).length, 0);
});

test('RFC 3261 17.2.1: the ACK to a non-2xx is absorbed by the transaction (Confirmed); Timer I = T4 ends it on UDP', () => {
  const { clock, transport, layer, serverTxs, acks } = harness();
  const invite = request('INVITE');
  layer.receive(invite, udpSource);
  const tx = serverTxs[0]!;
  const log = serverRecorder(tx);
  tx.respond(response(invite, 603));
  clock.advance(600); // one retransmission at 500
  // a retransmitted INVITE in Completed gets the final response again
  layer.receive(invite, udpSource);
  assert.equal(transport.responses(603).length, 3);
  const ack = request('ACK', { toTag: 'to1', cseqMethod: 'ACK' });
  layer.receive(ack, udpSource);
  assert.equal(tx.state, 'confirmed');
  assert.equal(acks.length, 0);
  clock.advance(4999);
  layer.receive(ack, udpSource);
  assert.equal(acks.length, 0);
  assert.equal(transport.responses(603).length, 3, 'Timer G stopped by the ACK');
  assert.equal(tx.state, 'confirmed');
  clock.advance(1);
  assert.equal(tx.state, 'terminated');
  assert.deepEqual(log, ['terminated']);
});

test('RFC 3261 17.2.1: on TCP there is no Timer G and Timer I is 0; Timer H still waits 64*T1 for the ACK', () => {
  const { clock, transport, layer, serverTxs } = harness();
  const invite = request('INVITE', { transport: 'TCP' });
  layer.receive(invite, tcpSource);
  const a = serverTxs[0]!;
  a.respond(response(invite, 480));
  clock.advance(10_000);
  assert.equal(transport.responses(480).length, 1);
  assert.equal(transport.sent[0]!.to, tcpSource);
  layer.receive(request('ACK', { transport: 'TCP', toTag: 'to1', cseqMethod: 'ACK' }), tcpSource);
  assert.equal(a.state, 'terminated');

  const invite2 = request('INVITE', { transport: 'TCP', branch: 'z9hG4bK-2' });
  layer.receive(invite2, tcpSource);
  const b = serverTxs[1]!;
  const log = serverRecorder(b);
  b.respond(response(invite2, 480));
  clock.advance(31_999);
  assert.equal(b.state, 'completed');
  clock.advance(1);
  assert.deepEqual(log, ['timeout', 'terminated']);
});

test('RFC 3261 17.2.4: a transport error on a response terminates the server transaction and informs the TU', async () => {
  const { transport, layer, serverTxs } = harness();
  layer.receive(request('INVITE'), udpSource);
  const tx = serverTxs[0]!;
  const log = serverRecorder(tx);
  transport.fail = new Error('host unreachable');
  tx.respond(response(tx.request, 500));
  await flush();
  assert.equal(tx.state, 'terminated');
  assert.deepEqual(log, ['transport error: host unreachable', 'terminated']);
});

// ---------------------------------------------------------------------------------------------------------
// non-INVITE server transaction (17.2.2)

test('RFC 3261 17.2.2: Trying discards retransmissions, Proceeding repeats the provisional, Completed the final; Timer J = 64*T1 on UDP', () => {
  const { clock, transport, layer, serverTxs } = harness();
  const req = request('REGISTER');
  layer.receive(req, udpSource);
  const tx = serverTxs[0]!;
  assert.ok(tx instanceof NonInviteServerTransaction);
  const log = serverRecorder(tx);
  assert.equal(tx.state, 'trying');
  clock.advance(1000);
  assert.equal(transport.sent.length, 0, 'no 100 Trying from a non-INVITE server transaction');
  layer.receive(req, udpSource);
  assert.equal(transport.sent.length, 0);
  tx.respond(response(req, 100));
  assert.equal(tx.state, 'proceeding');
  layer.receive(req, udpSource);
  assert.equal(transport.responses(100).length, 2);
  tx.respond(response(req, 200));
  assert.equal(tx.state, 'completed');
  layer.receive(req, udpSource);
  assert.equal(transport.responses(200).length, 2);
  assert.equal(serverTxs.length, 1);
  tx.respond(response(req, 500)); // after the final: ignored
  assert.equal(transport.responses(500).length, 0);
  clock.advance(31_999);
  assert.equal(tx.state, 'completed');
  clock.advance(1);
  assert.equal(tx.state, 'terminated');
  assert.deepEqual(log, ['terminated']);
  // after Timer J the same request is new again
  layer.receive(req, udpSource);
  assert.equal(serverTxs.length, 2);
});

test('RFC 3261 17.2.2: Timer J is 0 on TCP', () => {
  const { layer, serverTxs } = harness({ onRequest: (tx) => tx.respond(response(tx.request, 200)) });
  layer.receive(request('OPTIONS', { transport: 'TCP' }), tcpSource);
  assert.equal(serverTxs[0]!.state, 'terminated');
  assert.equal(layer.serverCount, 0);
});

test('RFC 3261 17.2.2: a status outside 100–699 is refused', () => {
  const { layer, serverTxs } = harness();
  layer.receive(request('OPTIONS'), udpSource);
  assert.throws(() => serverTxs[0]!.respond(response(serverTxs[0]!.request, 99)), RangeError);
});

// ---------------------------------------------------------------------------------------------------------
// matching (17.1.3, 17.2.3) and the layer

test('RFC 3261 17.1.3: responses match by top-Via branch and CSeq method (CANCEL and INVITE share a branch)', () => {
  const { layer, strays } = harness();
  const inv = recorder();
  const can = recorder();
  const invite = request('INVITE');
  const cancel = request('CANCEL');
  const itx = layer.sendRequest(invite, udpPeer, inv.delegate);
  const ctx = layer.sendRequest(cancel, udpPeer, can.delegate);
  assert.notEqual(itx.id, ctx.id);
  layer.receive(response(invite, 180), udpPeer);
  layer.receive(response(cancel, 200), udpPeer);
  assert.deepEqual(inv.log, ['provisional 180']);
  assert.deepEqual(can.log, ['final 200']);
  layer.receive(response(invite, 487), udpPeer);
  assert.deepEqual(inv.log, ['provisional 180', 'final 487']);
  // another branch, or the right branch with another CSeq method, is stray
  layer.receive(response(request('INVITE', { branch: 'z9hG4bK-other' }), 200), udpPeer);
  layer.receive(response(invite, 200, { cseqMethod: 'PRACK' }), udpPeer);
  assert.deepEqual(
    strays.map((r) => r.status),
    [200, 200],
  );
});

test('RFC 3261 17.2.3: requests match by branch, sent-by and method; the same branch from another sent-by is a new transaction', () => {
  const { layer, serverTxs } = harness();
  layer.receive(request('OPTIONS', { sentBy: '192.0.2.30:5070' }), udpSource);
  layer.receive(request('OPTIONS', { sentBy: '192.0.2.31:5070' }), udpSource);
  layer.receive(request('OPTIONS', { sentBy: '192.0.2.30' }), udpSource);
  layer.receive(request('OPTIONS', { sentBy: '192.0.2.30:5060' }), udpSource); // default port: same as the previous
  assert.equal(serverTxs.length, 3);
});

test('RFC 3261 9.2 / 17.2.3: a CANCEL is its own transaction and is matched to the INVITE it cancels', () => {
  const { transport, layer, serverTxs } = harness();
  const invite = request('INVITE');
  layer.receive(invite, udpSource);
  const itx = serverTxs[0]!;
  itx.respond(response(invite, 180));
  layer.receive(request('CANCEL'), udpSource);
  assert.equal(serverTxs.length, 2);
  const ctx = serverTxs[1]!;
  assert.ok(ctx instanceof NonInviteServerTransaction);
  assert.equal(ctx.cancelTarget, itx);
  ctx.respond(response(ctx.request, 200));
  assert.equal(ctx.state, 'completed');
  assert.equal(itx.state, 'proceeding');
  itx.respond(response(invite, 487));
  assert.equal(itx.state, 'completed');
  assert.deepEqual(
    transport.responses().map((r) => `${r.status} ${r.headers.get('CSeq')}`),
    ['180 1 INVITE', '200 1 CANCEL', '487 1 INVITE'],
  );
  // a CANCEL for an unknown INVITE has no target (the TU answers 481)
  layer.receive(request('CANCEL', { branch: 'z9hG4bK-unknown' }), udpSource);
  assert.equal((serverTxs[2] as NonInviteServerTransaction).cancelTarget, undefined);
});

test('RFC 3261 17.2.3: RFC 2543 requests (no magic cookie) match by Request-URI, From tag, Call-ID, CSeq and top Via; their ACK by the same', () => {
  const { layer, serverTxs, acks } = harness();
  const invite = request('INVITE', { branch: '' });
  layer.receive(invite, udpSource);
  layer.receive(invite, udpSource);
  assert.equal(serverTxs.length, 1);
  serverTxs[0]!.respond(response(invite, 404));
  layer.receive(request('ACK', { branch: '', toTag: 'to1', cseqMethod: 'ACK' }), udpSource);
  assert.equal(serverTxs[0]!.state, 'confirmed');
  assert.equal(acks.length, 0);
  layer.receive(request('INVITE', { branch: '', cseq: 2 }), udpSource);
  assert.equal(serverTxs.length, 2);
});

test('RFC 3261 17.2.3: requests without a usable Via or with a CSeq method other than the request method are dropped', () => {
  const { layer, serverTxs } = harness();
  const noVia: SipRequest = {
    kind: 'request',
    method: 'OPTIONS',
    uri: 'sip:x@example.com',
    headers: new HeaderList([['CSeq', '1 OPTIONS']]),
    body: '',
  };
  layer.receive(noVia, udpSource);
  layer.receive(request('OPTIONS', { cseqMethod: 'INFO' }), udpSource);
  assert.equal(serverTxs.length, 0);
});

test('RFC 3261 17.1: sendRequest refuses ACK, a request without branch, and a branch already in use', () => {
  const { layer } = harness();
  assert.throws(() => layer.sendRequest(request('ACK'), udpPeer), /ACK/);
  assert.throws(() => layer.sendRequest(request('OPTIONS', { branch: '' }), udpPeer), /branch/);
  layer.sendRequest(request('OPTIONS'), udpPeer);
  assert.throws(() => layer.sendRequest(request('OPTIONS'), udpPeer), /exists/);
  layer.close();
  assert.equal(layer.clientCount, 0);
});

test('RFC 3261 18.1.1: the transport may move a large request to TCP before the transaction starts (no Timer A then)', () => {
  const { clock, transport, layer } = harness();
  transport.prepareRequest = (req, to) => ({ request: req, to: { ...to, transport: 'tcp' } });
  const tx = layer.sendRequest(request('INVITE'), udpPeer, {});
  assert.equal(tx.reliable, true);
  assert.equal(tx.destination.transport, 'tcp');
  clock.advance(10_000);
  assert.deepEqual(transport.times(), [0]);
});

test('RFC 3261 17: transaction state changes are logged at debug', () => {
  const lines: string[] = [];
  const logger = createLogger({ level: 'debug', write: (l) => lines.push(l), component: 'sip' });
  const { layer } = harness({ logger });
  const invite = request('INVITE');
  layer.sendRequest(invite, udpPeer, {});
  layer.receive(response(invite, 180), udpPeer);
  const line = lines.find((l) => l.includes('transaction state'));
  assert.ok(line, lines.join('\n'));
  assert.match(line, /DEBUG/);
  assert.match(line, /kind="INVITE client" from=calling to=proceeding/);
});

test('a TU callback that throws does not break the transaction', () => {
  const { layer } = harness();
  const invite = request('INVITE');
  const tx = layer.sendRequest(invite, udpPeer, {
    onFinal: () => {
      throw new Error('TU bug');
    },
  });
  layer.receive(response(invite, 486), udpPeer);
  assert.equal(tx.state, 'completed');
});

// ---------------------------------------------------------------------------------------------------------
// the UAS core's 2xx retransmission (13.3.1.4)

test('RFC 3261 13.3.1.4: TwoHundredRetransmitter retransmits at 500, 1000, 2000, 4000, 4000 … ms and gives up at 64*T1', () => {
  const clock = new FakeClock();
  const sends: number[] = [];
  let gaveUp = 0;
  const r = new TwoHundredRetransmitter({ clock, send: () => void sends.push(clock.now()), onGiveUp: () => gaveUp++ });
  assert.equal(r.state, 'idle');
  r.start();
  assert.equal(r.state, 'retransmitting');
  clock.advance(31_999);
  assert.deepEqual(sends, [500, 1500, 3500, 7500, 11_500, 15_500, 19_500, 23_500, 27_500, 31_500]);
  assert.deepEqual(intervals([0, ...sends]), [500, 1000, 2000, 4000, 4000, 4000, 4000, 4000, 4000, 4000]);
  assert.equal(gaveUp, 0);
  clock.advance(1);
  assert.equal(gaveUp, 1);
  assert.equal(r.state, 'gave-up');
  clock.advance(60_000);
  assert.equal(sends.length, 10);
  assert.equal(r.retransmissions, 10);
  assert.equal(clock.pending, 0);
});

test('RFC 3261 13.3.1.4: TwoHundredRetransmitter stops on the ACK', () => {
  const clock = new FakeClock();
  let sends = 0;
  let gaveUp = 0;
  const r = new TwoHundredRetransmitter({ clock, send: () => void sends++, onGiveUp: () => gaveUp++ });
  r.start();
  clock.advance(2000);
  assert.equal(sends, 2);
  r.acknowledge();
  assert.equal(r.state, 'acknowledged');
  clock.advance(100_000);
  assert.equal(sends, 2);
  assert.equal(gaveUp, 0);
  assert.throws(() => r.start());
});

test('RFC 3261 13.3.1.4: TwoHundredRetransmitter honours T1/T2 and survives failing sends', async () => {
  const clock = new FakeClock();
  const sends: number[] = [];
  let gaveUp = 0;
  const r = new TwoHundredRetransmitter({
    clock,
    timers: { t1: 100, t2: 400 },
    send: () => {
      sends.push(clock.now());
      return Promise.reject(new Error('unreachable'));
    },
    onGiveUp: () => gaveUp++,
  });
  r.start();
  clock.advance(6400);
  await flush();
  assert.deepEqual(intervals([0, ...sends]).slice(0, 5), [100, 200, 400, 400, 400]);
  assert.equal(gaveUp, 1);
});

test('RFC 3261 13.3.1.4: the layer retransmits a 2xx through the transport to the request source until acknowledged', () => {
  const { clock, transport, layer, serverTxs } = harness({ onRequest: (tx) => tx.respond(response(tx.request, 200)) });
  const invite = request('INVITE');
  layer.receive(invite, udpSource);
  const ok = serverTxs[0]!.finalResponse!;
  let gaveUp = false;
  const r = layer.retransmit2xx(ok, udpSource, () => (gaveUp = true));
  clock.advance(1600);
  assert.deepEqual(transport.times(isResponse(200)), [0, 500, 1500]);
  assert.ok(transport.sent.every((s) => s.to === udpSource));
  r.acknowledge();
  clock.advance(40_000);
  assert.equal(transport.responses(200).length, 3);
  assert.equal(gaveUp, false);
});

test('RFC 3261 17.1.4: a transport that throws instead of rejecting is still a transport error', async () => {
  const { clock, transport, layer } = harness();
  const { log, delegate } = recorder();
  transport.sendRequest = () => {
    throw new Error('serializer failed');
  };
  const tx = layer.sendRequest(request('OPTIONS'), udpPeer, delegate);
  await flush();
  assert.equal(tx.state, 'terminated');
  assert.deepEqual(log, ['transport error: serializer failed', 'terminated']);
  assert.equal(layer.clientCount, 0);
  assert.equal(clock.pending, 0);
});

// ---------------------------------------------------------------------------------------------------------
// outcomes (what metrics count)

test('the layer reports each transaction once: its final status, a timeout, or a transport error; retransmissions and aborts add nothing', async () => {
  const { clock, transport, layer, serverTxs, outcomes } = harness();
  const invite = request('INVITE', { branch: 'z9hG4bK-o1' });
  layer.sendRequest(invite, udpPeer, {});
  layer.receive(response(invite, 180), udpPeer);
  layer.receive(response(invite, 486), udpPeer);
  layer.receive(response(invite, 486), udpPeer);
  const options = request('OPTIONS', { branch: 'z9hG4bK-o2' });
  layer.sendRequest(options, udpPeer, {});
  layer.receive(response(options, 200), udpPeer);
  layer.receive(response(options, 200), udpPeer);
  layer.sendRequest(request('BYE', { branch: 'z9hG4bK-o3' }), udpPeer, {});
  clock.advance(32_000);
  layer.receive(request('INVITE', { branch: 'z9hG4bK-o4' }), udpSource);
  serverTxs[0]!.respond(response(serverTxs[0]!.request, 180));
  serverTxs[0]!.respond(response(serverTxs[0]!.request, 200));
  layer.receive(request('FOO', { branch: 'z9hG4bK-o5' }), udpSource);
  serverTxs[1]!.respond(response(serverTxs[1]!.request, 501));
  layer.receive(request('FOO', { branch: 'z9hG4bK-o5' }), udpSource);
  transport.fail = new Error('unreachable');
  layer.sendRequest(request('REGISTER', { branch: 'z9hG4bK-o6' }), udpPeer, {});
  layer.receive(request('OPTIONS', { branch: 'z9hG4bK-o7' }), udpSource);
  await flush();
  layer.close();
  assert.deepEqual(outcomes, [
    { role: 'client', method: 'INVITE', result: 486 },
    { role: 'client', method: 'OPTIONS', result: 200 },
    { role: 'client', method: 'BYE', result: 'timeout' },
    { role: 'server', method: 'INVITE', result: 200 },
    { role: 'server', method: 'FOO', result: 501 },
    { role: 'client', method: 'REGISTER', result: 'transport-error' },
  ]);
});

test('a server transaction whose final response then fails to go out is reported once, with that response', async () => {
  const { transport, layer, serverTxs, outcomes } = harness();
  layer.receive(request('INVITE'), udpSource);
  transport.fail = new Error('host unreachable');
  serverTxs[0]!.respond(response(serverTxs[0]!.request, 500));
  await flush();
  assert.equal(serverTxs[0]!.state, 'terminated');
  assert.deepEqual(outcomes, [{ role: 'server', method: 'INVITE', result: 500 }]);
});
