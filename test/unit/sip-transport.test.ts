/**
 * The SIP transport layer (RFC 3261 18, RFC 3581) over real sockets on 127.0.0.1: UDP datagrams, TCP
 * framing by Content-Length across and within reads, keep-alives, malformed and oversize input, connection
 * reuse and response routing, with hometel's codec (src/sip/message/codec.ts); every socket is closed by its test.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createSocket } from 'node:dgram';
import { connect, createServer, type AddressInfo, type Server, type Socket } from 'node:net';
import { createLogger, silentLogger } from '../../src/base/logger.js';
import type { SipMessage, SipPeer, SipRequest, SipResponse } from '../../src/sip/message/types.js';
import { HeaderList } from '../../src/sip/message/header-list.js';
import { topVia } from '../../src/sip/message/headers.js';
import {
  SipTransports,
  TcpTransport,
  UdpTransport,
  defaultSipCodec,
  rawErrorResponse,
  responseDestination,
  stampReceived,
  type SipCodec,
  type SipSource,
} from '../../src/sip/transport/index.js';
import type { TransactionTransport } from '../../src/sip/transaction/index.js';
import { waitFor } from '../support/net.js';

const codec = defaultSipCodec;

// ---------------------------------------------------------------------------------------------------------
// messages and helpers

const host = '127.0.0.1';

function request(method: string, via: string, body = '', extra: Array<[string, string]> = []): SipRequest {
  return {
    kind: 'request',
    method,
    uri: 'sip:bob@127.0.0.1',
    headers: new HeaderList([
      ['Via', via],
      ['Max-Forwards', '70'],
      ['From', '<sip:alice@127.0.0.1>;tag=a1'],
      ['To', '<sip:bob@127.0.0.1>'],
      ['Call-ID', 'c1@127.0.0.1'],
      ['CSeq', `1 ${method}`],
      ...extra,
      ['Content-Length', String(Buffer.byteLength(body))],
    ]),
    body,
  };
}

function responseTo(req: SipRequest, status: number): SipResponse {
  const h: Array<[string, string]> = req.headers.all('Via').map((v): [string, string] => ['Via', v]);
  h.push(['From', req.headers.get('From')!], ['To', `${req.headers.get('To')!};tag=b1`]);
  h.push(['Call-ID', req.headers.get('Call-ID')!], ['CSeq', req.headers.get('CSeq')!]);
  return { kind: 'response', status, reason: 'OK', headers: new HeaderList(h), body: '' };
}

function wire(method: string, via: string, body = ''): string {
  return codec.serialize(request(method, via, body)).toString('utf8');
}

interface Received {
  readonly message: SipMessage;
  readonly from: SipSource;
}

function collect(t: { onMessage?: (m: SipMessage, f: SipSource) => void }): Received[] {
  const got: Received[] = [];
  t.onMessage = (message, from) => got.push({ message, from });
  return got;
}

async function udp(opts: Partial<ConstructorParameters<typeof UdpTransport>[0]> = {}): Promise<UdpTransport> {
  const t = new UdpTransport({ address: host, port: 0, codec, logger: silentLogger, ...opts });
  await t.listen();
  return t;
}

async function tcp(opts: Partial<ConstructorParameters<typeof TcpTransport>[0]> = {}, listen = true): Promise<TcpTransport> {
  const t = new TcpTransport({ address: host, port: 0, codec, logger: silentLogger, ...opts });
  if (listen) await t.listen();
  return t;
}

async function rawConnect(port: number): Promise<{ socket: Socket; data: () => string; closed: () => boolean }> {
  const socket = connect({ host, port });
  await new Promise<void>((resolve, reject) => {
    socket.once('connect', resolve);
    socket.once('error', reject);
  });
  let data = '';
  let closed = false;
  socket.on('data', (c: Buffer) => (data += c.toString('utf8')));
  socket.on('close', () => (closed = true));
  socket.on('error', () => undefined);
  return { socket, data: () => data, closed: () => closed };
}

/** A listening TcpTransport (`opts`) and one raw client connected to it; both closed after `fn`, even when it fails. */
async function withRawClient(
  opts: Partial<ConstructorParameters<typeof TcpTransport>[0]>,
  fn: (server: TcpTransport, c: Awaited<ReturnType<typeof rawConnect>>) => Promise<void>,
): Promise<void> {
  const server = await tcp(opts);
  const c = await rawConnect(server.port);
  try {
    await fn(server, c);
  } finally {
    c.socket.destroy();
    await server.close();
  }
}

function sendDatagram(port: number, data: Buffer | string): Promise<void> {
  const s = createSocket('udp4');
  return new Promise((resolve, reject) => {
    s.send(typeof data === 'string' ? Buffer.from(data) : data, port, host, (err) => {
      s.close();
      if (err) reject(err);
      else resolve();
    });
  });
}

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

// ---------------------------------------------------------------------------------------------------------
// Via (18.2.1, RFC 3581)

test('RFC 3261 18.2.1: received is added when the sent-by host differs from the source address or is a name; not when equal', () => {
  const from: SipSource = { transport: 'udp', address: '192.0.2.9', port: 5070 };
  const differs = stampReceived(request('OPTIONS', 'SIP/2.0/UDP 10.0.0.1:5060;branch=z9hG4bK1'), from)!;
  assert.equal(differs.headers.get('Via'), 'SIP/2.0/UDP 10.0.0.1:5060;branch=z9hG4bK1;received=192.0.2.9');
  const named = stampReceived(request('OPTIONS', 'SIP/2.0/UDP pc33.example.com;branch=z9hG4bK1'), from)!;
  assert.equal(named.headers.get('Via'), 'SIP/2.0/UDP pc33.example.com;branch=z9hG4bK1;received=192.0.2.9');
  const same = request('OPTIONS', 'SIP/2.0/UDP 192.0.2.9:5070;branch=z9hG4bK1');
  assert.equal(stampReceived(same, from), same);
  // only the top Via is touched, and the other headers keep their order
  const two = request('OPTIONS', 'SIP/2.0/UDP 10.0.0.1;branch=z9hG4bK1', '', [['Via', 'SIP/2.0/UDP 10.0.0.2;branch=z9hG4bK2']]);
  const stamped = stampReceived(two, from)!;
  assert.deepEqual(stamped.headers.all('Via'), ['SIP/2.0/UDP 10.0.0.1;branch=z9hG4bK1;received=192.0.2.9', 'SIP/2.0/UDP 10.0.0.2;branch=z9hG4bK2']);
  assert.deepEqual(
    stamped.headers.entries().map(([n]) => n),
    two.headers.entries().map(([n]) => n),
  );
  assert.equal(stampReceived({ ...same, headers: new HeaderList([['CSeq', '1 OPTIONS']]) }, from), undefined);
});

test('RFC 3581 4: a valueless rport gets the source port, and received is added even when equal to sent-by', () => {
  const from: SipSource = { transport: 'udp', address: '192.0.2.9', port: 9988 };
  const r = stampReceived(request('INVITE', 'SIP/2.0/UDP 192.0.2.9:5060;rport;branch=z9hG4bKkjshdyff'), from)!;
  assert.equal(r.headers.get('Via'), 'SIP/2.0/UDP 192.0.2.9:5060;rport=9988;branch=z9hG4bKkjshdyff;received=192.0.2.9');
});

test('RFC 3261 21.4.1: a raw 400 copies Via, From, To (adding a tag), Call-ID and CSeq of a refused request; none for ACK or responses', () => {
  const bad = Buffer.from(
    'INVITE sip:bob@x SIP/2.0\r\nv: SIP/2.0/TCP 127.0.0.1:5060;branch=z9hG4bK1\r\nVia: SIP/2.0/TCP 10.0.0.1\r\nf: <sip:a@x>;tag=1\r\nTo: <sip:b@x>\r\ni: c1\r\nCSeq: 1 INVITE\r\nBroken header\r\n\r\n',
  );
  const r = rawErrorResponse(bad, 400, 'Bad Request')!.toString();
  assert.match(r, /^SIP\/2\.0 400 Bad Request\r\n/);
  assert.match(r, /\r\nVia: SIP\/2\.0\/TCP 127\.0\.0\.1:5060;branch=z9hG4bK1\r\nVia: SIP\/2\.0\/TCP 10\.0\.0\.1\r\n/);
  assert.match(r, /\r\nFrom: <sip:a@x>;tag=1\r\n/);
  assert.match(r, /\r\nTo: <sip:b@x>;tag=[0-9a-f]+\r\n/);
  assert.match(r, /\r\nCall-ID: c1\r\nCSeq: 1 INVITE\r\nContent-Length: 0\r\n\r\n$/);
  assert.equal(rawErrorResponse(Buffer.from(bad.toString().replace('INVITE sip', 'ACK sip')), 400, 'Bad Request'), undefined);
  assert.equal(rawErrorResponse(Buffer.from('SIP/2.0 200 OK\r\nVia: x\r\n\r\n'), 400, 'Bad Request'), undefined);
  assert.equal(rawErrorResponse(Buffer.from('OPTIONS sip:x SIP/2.0\r\nVia: SIP/2.0/TCP h\r\n\r\n'), 400, 'Bad Request'), undefined);
});

// ---------------------------------------------------------------------------------------------------------
// UDP (18.1.1, 18.2.1, 18.3)

test('RFC 3261 18.2.1: UDP delivers a datagram as one message, requests stamped with received/rport; responses go back', async () => {
  const a = await udp();
  const b = await udp();
  try {
    const atB = collect(b);
    const atA = collect(a);
    const req = request('OPTIONS', `SIP/2.0/UDP 192.0.2.1:${a.port};rport;branch=z9hG4bKu1`, 'hello');
    await a.send(req, { transport: 'udp', address: host, port: b.port });
    await waitFor(() => atB.length === 1, 'request at b');
    const got = atB[0]!;
    assert.deepEqual({ ...got.from }, { transport: 'udp', address: host, port: a.port });
    assert.equal(got.message.kind, 'request');
    assert.equal(got.message.body, 'hello');
    assert.equal(got.message.headers.get('Via'), `SIP/2.0/UDP 192.0.2.1:${a.port};rport=${a.port};branch=z9hG4bKu1;received=127.0.0.1`);
    const res = responseTo(got.message, 200);
    await b.send(res, responseDestination(res, got.from));
    await waitFor(() => atA.length === 1, 'response at a');
    assert.equal((atA[0]!.message as SipResponse).status, 200);
    assert.equal(a.droppedCount + b.droppedCount, 0);
  } finally {
    await a.close();
    await b.close();
  }
});

test('RFC 3261 18.3: garbage datagrams are dropped with a debug log and counted; CRLF keep-alives are ignored silently', async () => {
  const lines: string[] = [];
  const t = await udp({ logger: createLogger({ level: 'debug', write: (l) => lines.push(l) }) });
  try {
    const got = collect(t);
    await sendDatagram(t.port, 'this is not SIP\r\n\r\n');
    await sendDatagram(t.port, Buffer.from([0xff, 0x00, 0x13, 0x37]));
    await sendDatagram(t.port, 'OPTIONS sip:x SIP/2.0\r\nCSeq: 1 OPTIONS\r\n\r\n'); // parses, but no Via
    await sendDatagram(t.port, '\r\n\r\n');
    await sendDatagram(t.port, wire('OPTIONS', 'SIP/2.0/UDP 127.0.0.1:5999;branch=z9hG4bKok'));
    await waitFor(() => got.length === 1, 'the valid datagram');
    assert.equal(t.droppedCount, 3);
    assert.equal(lines.filter((l) => l.includes('DEBUG') && l.includes('dropped SIP datagram')).length, 3);
    assert.ok(lines.some((l) => /why=".*missing To/.test(l)), lines.join('\n'));
  } finally {
    await t.close();
  }
});

test('RFC 3261 18.1.1: datagrams over the size limit are dropped; sends over 65,507 bytes are refused; the MTU threshold is exposed', async () => {
  const t = await udp({ maxDatagramBytes: 2000 });
  try {
    assert.equal(t.mtuThreshold, 1300);
    const got = collect(t);
    await sendDatagram(t.port, wire('MESSAGE', 'SIP/2.0/UDP 127.0.0.1:5999;branch=z9hG4bKbig', 'x'.repeat(2500)));
    await sendDatagram(t.port, wire('MESSAGE', 'SIP/2.0/UDP 127.0.0.1:5999;branch=z9hG4bKsmall', 'x'.repeat(100)));
    await waitFor(() => got.length === 1, 'the small datagram');
    assert.equal(t.droppedCount, 1);
    assert.match(got[0]!.message.headers.get('Via')!, /z9hG4bKsmall/);
    await assert.rejects(t.send(Buffer.alloc(70_000, 0x41), { transport: 'udp', address: host, port: t.port }), /too large for UDP/);
  } finally {
    await t.close();
  }
  assert.equal(new UdpTransport({ address: host, codec, logger: silentLogger, mtuThreshold: 1200 }).mtuThreshold, 1200);
});

test('RFC 3261 18: the codec is injectable; a serializer failure rejects the send instead of throwing', async () => {
  const failing: SipCodec = {
    parse: (data, o) => codec.parse(data, o),
    serialize: () => {
      throw new Error('cannot serialize');
    },
  };
  const u = await udp({ codec: failing });
  const t = await tcp({ codec: failing }, false);
  try {
    const req = request('OPTIONS', 'SIP/2.0/UDP 127.0.0.1;branch=z9hG4bKc');
    await assert.rejects(u.send(req, { transport: 'udp', address: host, port: u.port }), /cannot serialize/);
    await assert.rejects(t.send(req, { transport: 'tcp', address: host, port: 9 }), /cannot serialize/);
  } finally {
    await u.close();
    await t.close();
  }
});

// ---------------------------------------------------------------------------------------------------------
// TCP (18, 18.3)

test('RFC 3261 18: TCP connects on demand, reuses the connection both ways, and names it in the source', async () => {
  const server = await tcp();
  const client = await tcp({}, false);
  try {
    const atServer = collect(server);
    const atClient = collect(client);
    const to: SipPeer = { transport: 'tcp', address: host, port: server.port };
    // two sends at once share the one connection being opened
    await Promise.all([
      client.send(request('REGISTER', 'SIP/2.0/TCP 127.0.0.1:5060;branch=z9hG4bKt1'), to),
      client.send(request('OPTIONS', 'SIP/2.0/TCP 127.0.0.1:5060;branch=z9hG4bKt2'), to),
    ]);
    await waitFor(() => atServer.length === 2, 'two requests');
    assert.equal(client.connectionCount, 1);
    assert.equal(server.connectionCount, 1);
    const from = atServer[0]!.from;
    assert.equal(from.transport, 'tcp');
    assert.equal(typeof from.connectionId, 'number');
    assert.equal(atServer[1]!.from.connectionId, from.connectionId);
    assert.equal(server.hasConnection(from.connectionId!), true);
    // the response goes back over the same connection, not a new one to the sent-by port 5060
    const res = responseTo(atServer[0]!.message as SipRequest, 200);
    await server.send(res, responseDestination(res, from));
    await waitFor(() => atClient.length === 1, 'response at client');
    assert.equal((atClient[0]!.message as SipResponse).status, 200);
    assert.equal(server.connectionCount, 1);
  } finally {
    await client.close();
    await server.close();
  }
});

test('RFC 3261 18.3: TCP frames by Content-Length a message split across reads (start line, headers and body cut)', async () => {
  await withRawClient({}, async (server, c) => {
    const got = collect(server);
    const msg = wire('MESSAGE', 'SIP/2.0/TCP 127.0.0.1:5999;branch=z9hG4bKs1', 'split body text');
    const cuts = [5, msg.indexOf('Call-ID') + 3, msg.length - 6];
    let prev = 0;
    for (const cut of [...cuts, msg.length]) {
      c.socket.write(msg.slice(prev, cut));
      prev = cut;
      await sleep(30);
      if (cut !== msg.length) assert.equal(got.length, 0);
    }
    await waitFor(() => got.length === 1, 'the message');
    assert.equal(got[0]!.message.body, 'split body text');
    assert.equal(c.closed(), false);
  });
});

test('RFC 3261 18.3 / 7.5: two messages in one read are both delivered; CRLF keep-alives before and between are ignored', async () => {
  await withRawClient({}, async (server, c) => {
    const got = collect(server);
    const one = wire('OPTIONS', 'SIP/2.0/TCP 127.0.0.1:5999;branch=z9hG4bKm1', 'first');
    const two = wire('INFO', 'SIP/2.0/TCP 127.0.0.1:5999;branch=z9hG4bKm2', 'second');
    c.socket.write('\r\n\r\n' + one + '\r\n\r\n\r\n' + two);
    await waitFor(() => got.length === 2, 'two messages');
    assert.deepEqual(
      got.map((g) => [(g.message as SipRequest).method, g.message.body]),
      [
        ['OPTIONS', 'first'],
        ['INFO', 'second'],
      ],
    );
    c.socket.write('\r\n\r\n');
    await sleep(50);
    assert.equal(c.closed(), false);
    assert.equal(server.droppedCount, 0);
  });
});

test('RFC 3261 7.5 / 18.3: a head ending in bare LFs (lenient senders) is framed too', async () => {
  await withRawClient({}, async (server, c) => {
    const got = collect(server);
    c.socket.write(wire('OPTIONS', 'SIP/2.0/TCP 127.0.0.1:5999;branch=z9hG4bKlf', 'body').replace(/\r\n/g, '\n'));
    await waitFor(() => got.length === 1, 'the message');
    assert.equal(got[0]!.message.body, 'body');
  });
});

test('RFC 3261 18.3: a malformed message on TCP is answered 400 and its connection closed; later bytes are not delivered', async () => {
  await withRawClient({}, async (server, c) => {
    const got = collect(server);
    c.socket.write(
      'INVITE sip:bob@127.0.0.1 SIP/2.0\r\nVia: SIP/2.0/TCP 127.0.0.1:5999;branch=z9hG4bKbad\r\nFrom: <sip:a@x>;tag=1\r\nTo: <sip:b@x>\r\nCall-ID: bad1\r\nCSeq: 1 INVITE\r\nthis line has no colon\r\nContent-Length: 0\r\n\r\n' +
        wire('OPTIONS', 'SIP/2.0/TCP 127.0.0.1:5999;branch=z9hG4bKafter'),
    );
    await waitFor(() => c.closed(), 'the server to close');
    assert.match(c.data(), /^SIP\/2\.0 400 Bad Request\r\n/);
    assert.match(c.data(), /Via: SIP\/2\.0\/TCP 127\.0\.0\.1:5999;branch=z9hG4bKbad\r\n/);
    assert.match(c.data(), /Call-ID: bad1\r\n/);
    assert.equal(got.length, 0);
    assert.equal(server.droppedCount, 1);
    await waitFor(() => server.connectionCount === 0, 'connection forgotten');
  });
});

test('RFC 3261 18.3: a malformed message on TCP that cannot be answered (no request line, no Via) just closes the connection', async () => {
  await withRawClient({}, async (server, c) => {
    c.socket.write('HELLO WORLD\r\n\r\n');
    await waitFor(() => c.closed(), 'the server to close');
    assert.equal(c.data(), '');
  });
});

test('RFC 3261 18.3: bytes beyond the per-connection buffer limit close the connection (513 when the headers allow an answer)', async () => {
  const server = await tcp({ maxMessageBytes: 1024 });
  const a = await rawConnect(server.port);
  const b = await rawConnect(server.port);
  try {
    const got = collect(server);
    // headers that never end
    a.socket.write('OPTIONS sip:x SIP/2.0\r\nX-Filler: ' + 'y'.repeat(2000));
    await waitFor(() => a.closed(), 'first connection closed');
    // a body announced larger than the limit
    const big = wire('MESSAGE', 'SIP/2.0/TCP 127.0.0.1:5999;branch=z9hG4bKhuge', 'z'.repeat(5000));
    b.socket.write(big.slice(0, 1500));
    await waitFor(() => b.closed(), 'second connection closed');
    assert.match(b.data(), /^SIP\/2\.0 513 Message Too Large\r\n/);
    assert.equal(got.length, 0);
    assert.equal(server.droppedCount, 2);
  } finally {
    a.socket.destroy();
    b.socket.destroy();
    await server.close();
  }
});

test('RFC 3261 18: an idle TCP connection is closed after the idle timeout', async () => {
  await withRawClient({ idleTimeoutMs: 150 }, async (server, c) => {
    await waitFor(() => server.connectionCount === 1, 'connection accepted');
    await waitFor(() => c.closed(), 'idle close', 3000);
    await waitFor(() => server.connectionCount === 0, 'connection forgotten');
  });
});

test('RFC 3261 17.1.4 / 18: a TCP send to a port where nothing listens rejects', async () => {
  const probe = createServer();
  await new Promise<void>((r) => probe.listen(0, host, r));
  const port = (probe.address() as AddressInfo).port;
  await new Promise<void>((r) => probe.close(() => r()));
  const client = await tcp({}, false);
  try {
    await assert.rejects(client.send(request('OPTIONS', 'SIP/2.0/TCP 127.0.0.1;branch=z9hG4bKx'), { transport: 'tcp', address: host, port }));
    assert.equal(client.connectionCount, 0);
  } finally {
    await client.close();
  }
});

// ---------------------------------------------------------------------------------------------------------
// the facade (18.1.1, 18.2.2)

test('RFC 3261 18.1.1: a request over the MTU threshold for UDP goes over TCP with its top Via rewritten; small ones stay on UDP', () => {
  const stub = { protocol: 'udp' as const, reliable: false, mtuThreshold: 1300, send: () => Promise.resolve(), close: () => Promise.resolve() };
  const stubTcp = { ...stub, protocol: 'tcp' as const, reliable: true };
  const both = new SipTransports({ udp: stub, tcp: stubTcp, codec, logger: silentLogger });
  const to: SipPeer = { transport: 'udp', address: '192.0.2.5', port: 5060 };
  const small = request('MESSAGE', 'SIP/2.0/UDP 192.0.2.1:5060;branch=z9hG4bKa', 'x'.repeat(100));
  assert.deepEqual(both.prepareRequest(small, to), { request: small, to });
  const large = request('MESSAGE', 'SIP/2.0/UDP 192.0.2.1:5060;branch=z9hG4bKa', 'x'.repeat(1300));
  const moved = both.prepareRequest(large, to);
  assert.equal(moved.to.transport, 'tcp');
  assert.equal(moved.request.headers.get('Via'), 'SIP/2.0/TCP 192.0.2.1:5060;branch=z9hG4bKa');
  assert.equal(moved.request.body, large.body);
  const udpOnly = new SipTransports({ udp: stub, codec, logger: silentLogger });
  assert.equal(udpOnly.prepareRequest(large, to).to.transport, 'udp');
});

test('RFC 3261 18.2.2 / RFC 3581: response destinations (TCP connection, received + sent-by port, rport, maddr)', () => {
  const res = (via: string): SipResponse => ({ kind: 'response', status: 200, reason: 'OK', headers: new HeaderList([['Via', via]]), body: '' });
  const udpFrom: SipSource = { transport: 'udp', address: '192.0.2.9', port: 40000 };
  const tcpFrom: SipSource = { transport: 'tcp', address: '192.0.2.9', port: 40001, connectionId: 3 };
  assert.deepEqual(responseDestination(res('SIP/2.0/TCP h.example.com:5080;branch=z9hG4bK1;received=192.0.2.9'), tcpFrom), {
    transport: 'tcp',
    address: '192.0.2.9',
    port: 5080,
    connectionId: 3,
  });
  assert.deepEqual(responseDestination(res('SIP/2.0/UDP 10.0.0.1;branch=z9hG4bK1;received=192.0.2.9'), udpFrom), {
    transport: 'udp',
    address: '192.0.2.9',
    port: 5060,
  });
  assert.deepEqual(responseDestination(res('SIP/2.0/UDP 10.0.0.1:5062;rport=40000;branch=z9hG4bK1;received=192.0.2.9'), udpFrom), {
    transport: 'udp',
    address: '192.0.2.9',
    port: 40000,
  });
  assert.deepEqual(responseDestination(res('SIP/2.0/UDP 192.0.2.9:5070;branch=z9hG4bK1'), udpFrom), {
    transport: 'udp',
    address: '192.0.2.9',
    port: 5070,
  });
  assert.deepEqual(responseDestination(res('SIP/2.0/UDP 10.0.0.1:5070;maddr=239.255.255.1;branch=z9hG4bK1'), udpFrom), {
    transport: 'udp',
    address: '239.255.255.1',
    port: 5070,
  });
});

test('RFC 3261 18.2.2: a response goes over the TCP connection its request came in on; once closed, to received and the sent-by port', async () => {
  const udpT = new UdpTransport({ address: host, port: 0, codec, logger: silentLogger });
  const tcpT = new TcpTransport({ address: host, port: 0, codec, logger: silentLogger });
  await udpT.listen();
  await tcpT.listen();
  const transports = new SipTransports({ udp: udpT, tcp: tcpT, codec, logger: silentLogger });
  const forTransactions: TransactionTransport = transports; // the facade is what the transaction layer needs
  assert.equal(forTransactions, transports);
  // where the peer listens for new connections (its Via sent-by port)
  const peerListener: Server = createServer();
  const accepted: string[] = [];
  const peerSockets: Socket[] = [];
  peerListener.on('connection', (s) => {
    peerSockets.push(s);
    s.on('data', (d: Buffer) => accepted.push(d.toString()));
  });
  await new Promise<void>((r) => peerListener.listen(0, host, r));
  const peerPort = (peerListener.address() as AddressInfo).port;
  const c = await rawConnect(tcpT.port);
  try {
    const got = collect(transports);
    c.socket.write(wire('INVITE', `SIP/2.0/TCP 127.0.0.1:${peerPort};branch=z9hG4bKf1`));
    await waitFor(() => got.length === 1, 'request');
    const { message, from } = got[0]!;
    const req = message as SipRequest;
    assert.equal(topVia(req)!.received, undefined, 'sent-by equals the source address');
    await transports.sendResponse(responseTo(req, 180), from);
    await waitFor(() => c.data().includes('SIP/2.0 180'), '180 on the same connection');
    c.socket.destroy();
    await waitFor(() => tcpT.connectionCount === 0, 'connection gone');
    await transports.sendResponse(responseTo(req, 200), from);
    await waitFor(() => accepted.join('').includes('SIP/2.0 200'), '200 over a new connection to the sent-by port');
    // the facade sends by the destination's transport and hands up what either transport receives
    await transports.send(request('OPTIONS', 'SIP/2.0/UDP 127.0.0.1;branch=z9hG4bKq'), { transport: 'udp', address: host, port: udpT.port });
    await waitFor(() => got.length === 2, 'the UDP request');
    assert.equal(got[1]!.from.transport, 'udp');
  } finally {
    c.socket.destroy();
    await transports.close();
    for (const s of peerSockets) s.destroy();
    await new Promise<void>((r) => peerListener.close(() => r()));
  }
});
