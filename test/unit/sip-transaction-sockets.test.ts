/**
 * Two transaction layers over real transports on 127.0.0.1 (UDP and TCP, hometel's codec): the wiring
 * `SipTransports → TransactionLayer` end to end, with real time (T1 shortened).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { request as sipRequest, responseTo } from '../../src/sip/message/codec.js';
import { generateBranch, makeVia } from '../../src/sip/message/headers.js';
import type { SipPeer, SipRequest, SipResponse } from '../../src/sip/message/types.js';
import { silentLogger } from '../../src/base/logger.js';
import { systemClock } from '../../src/base/clock.js';
import { SipTransports, TcpTransport, UdpTransport } from '../../src/sip/transport/index.js';
import { TransactionLayer, type ServerTransaction } from '../../src/sip/transaction/index.js';
import { waitFor } from '../support/net.js';

const host = '127.0.0.1';

async function stack(onRequest: (tx: ServerTransaction) => void) {
  const udp = new UdpTransport({ address: host, port: 0, logger: silentLogger });
  const tcp = new TcpTransport({ address: host, port: 0, logger: silentLogger });
  await udp.listen();
  await tcp.listen();
  const transports = new SipTransports({ udp, tcp, logger: silentLogger });
  const acks: SipRequest[] = [];
  const layer = new TransactionLayer({
    transport: transports,
    clock: systemClock,
    logger: silentLogger,
    timers: { t1: 50, t2: 400, t4: 500, timerD: 500 },
    delegate: { onRequest, onAck: (a) => acks.push(a) },
  });
  transports.onMessage = (m, from) => layer.receive(m, from);
  return {
    udp,
    tcp,
    layer,
    acks,
    close: async () => {
      layer.close();
      await transports.close();
    },
  };
}

function request(method: string, transport: 'UDP' | 'TCP', port: number): SipRequest {
  return sipRequest(method, `sip:bob@${host}`, [
    ['Via', makeVia({ transport, host, port, branch: generateBranch(), rport: true })],
    ['Max-Forwards', '70'],
    ['From', `<sip:alice@${host}>;tag=a1`],
    ['To', `<sip:bob@${host}>`],
    ['Call-ID', `${Math.random()}@${host}`],
    ['CSeq', `1 ${method}`],
  ]);
}

test('RFC 3261 17 / 18: a non-INVITE over UDP and over TCP completes between two layers on real sockets', async () => {
  const server = await stack((tx) => tx.respond(responseTo(tx.request, 200, undefined, [], { toTag: true })));
  const client = await stack(() => undefined);
  try {
    for (const transport of ['udp', 'tcp'] as const) {
      const to: SipPeer = { transport, address: host, port: transport === 'udp' ? server.udp.port : server.tcp.port };
      const finals: SipResponse[] = [];
      const tx = client.layer.sendRequest(request('OPTIONS', transport === 'udp' ? 'UDP' : 'TCP', transport === 'udp' ? client.udp.port : client.tcp.port), to, {
        onFinal: (r) => finals.push(r),
      });
      await waitFor(() => finals.length === 1, `200 over ${transport}`);
      assert.equal(finals[0]!.status, 200);
      await waitFor(() => tx.isTerminated, `${transport} client transaction ends (Timer K)`);
    }
  } finally {
    await client.close();
    await server.close();
  }
});

test('RFC 3261 17.1.1.3 / 17.2.1: an INVITE rejected 486 over UDP is ACKed by the client transaction and absorbed by the server one', async () => {
  let serverTx: ServerTransaction | undefined;
  const server = await stack((tx) => {
    serverTx = tx;
    tx.respond(responseTo(tx.request, 486, undefined, [], { toTag: true }));
  });
  const client = await stack(() => undefined);
  try {
    const finals: number[] = [];
    const tx = client.layer.sendRequest(request('INVITE', 'UDP', client.udp.port), { transport: 'udp', address: host, port: server.udp.port }, {
      onFinal: (r) => finals.push(r.status),
    });
    await waitFor(() => finals.length === 1, '486 at the client');
    assert.deepEqual(finals, [486]);
    await waitFor(() => serverTx?.state === 'confirmed' || serverTx?.state === 'terminated', 'ACK at the server transaction');
    assert.equal(server.acks.length, 0, 'the ACK to a non-2xx never reaches the TU');
    await waitFor(() => tx.isTerminated && serverTx!.isTerminated, 'Timers D and I');
  } finally {
    await client.close();
    await server.close();
  }
});
