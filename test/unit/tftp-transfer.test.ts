/**
 * The TFTP server over loopback, driven packet by packet by a raw UDP peer: lock-step DATA/ACK (RFC 1350 section
 * 2), the server's own TID and error 5 to strangers (section 4), the short (or empty) last block (section 6),
 * retransmission on timeout with a bound, no Sorcerer's Apprentice (RFC 1123 4.2.3.1), block numbers past 65535,
 * the OACK (RFC 2347) with blksize (RFC 2348), timeout and tsize (RFC 2349), error 8, write requests and bad
 * names refused, garbage answered with error 4 while others are served, and the limit on transfers.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { createLogger } from '../../src/base/index.js';
import { encodePacket, ErrorCode, TftpServer, type TftpPacket, type TftpReadAnswer, type TftpServerOptions, type TransferTiming } from '../../src/tftp/index.js';
import { RawTftpPeer, type Received } from '../support/tftp-clients.js';
import { waitFor } from '../support/net.js';

interface Fixture {
  server: TftpServer;
  peer: RawTftpPeer;
  logs: string[];
  asked: string[];
  close(): Promise<void>;
}

async function serve(files: Record<string, Buffer>, o: { timing?: Partial<TransferTiming>; maxTransfers?: number; read?: TftpServerOptions['read'] } = {}): Promise<Fixture> {
  const logs: string[] = [];
  const asked: string[] = [];
  const read = async (path: string): Promise<TftpReadAnswer> => {
    asked.push(path);
    return files[path] ?? { code: ErrorCode.FILE_NOT_FOUND, message: 'File not found' };
  };
  const server = await TftpServer.start({
    host: '127.0.0.1',
    port: 0,
    read: o.read ?? read,
    logger: createLogger({ level: 'debug', write: (l) => logs.push(l) }),
    timing: { timeoutMs: 5000, ...o.timing },
    ...(o.maxTransfers ? { maxTransfers: o.maxTransfers } : {}),
  });
  const peer = await RawTftpPeer.open();
  return {
    server,
    peer,
    logs,
    asked,
    close: async () => {
      peer.close();
      await server.close();
    },
  };
}

const rrq = (filename: string, options: Record<string, string> = {}, mode = 'octet'): TftpPacket => ({ op: 'RRQ', filename, mode, options: new Map(Object.entries(options)) });

function data(r: Received): { block: number; data: Buffer } {
  if (r.packet.op !== 'DATA') assert.fail(`expected DATA, got ${JSON.stringify(r.packet)}`);
  return r.packet;
}

function error(r: Received): number {
  if (r.packet.op !== 'ERROR') assert.fail(`expected ERROR, got ${JSON.stringify(r.packet)}`);
  return r.packet.code;
}

/** Reads a whole file in lock step, acknowledging each block once; returns the blocks' sizes. */
async function readAll(f: Fixture, first: Received, blockSize = 512): Promise<{ body: Buffer; sizes: number[]; numbers: number[] }> {
  const chunks: Buffer[] = [];
  const numbers: number[] = [];
  let r = first;
  for (;;) {
    const d = data(r);
    chunks.push(d.data);
    numbers.push(d.block);
    await f.peer.send({ op: 'ACK', block: d.block }, r.from.port);
    if (d.data.length < blockSize) break;
    r = await f.peer.next();
  }
  return { body: Buffer.concat(chunks), sizes: chunks.map((c) => c.length), numbers };
}

test('RFC 1350 sections 2, 4, 6: DATA from a new TID in lock step, the last block shorter than 512 ends the transfer', async () => {
  const file = randomBytes(1300);
  const f = await serve({ 'a.bin': file });
  try {
    await f.peer.send(rrq('a.bin'), f.server.port);
    const first = await f.peer.next();
    assert.notEqual(first.from.port, f.server.port, 'the transfer has a TID of its own');
    const { body, sizes, numbers } = await readAll(f, first);
    assert.deepEqual(sizes, [512, 512, 276]);
    assert.deepEqual(numbers, [1, 2, 3]);
    assert.deepEqual(body, file);
    await waitFor(() => f.logs.some((l) => l.includes('file served') && l.includes('outcome=complete')), 'the transfer log line');
    assert.match(f.logs.find((l) => l.includes('file served'))!, /file=a\.bin .*bytes=1300 blksize=512 blocks=3 retransmissions=0/);
  } finally {
    await f.close();
  }
});

test('RFC 1350 section 6: a file that is a multiple of the block size ends with an empty DATA block', async () => {
  const f = await serve({ 'b.bin': randomBytes(1024), 'empty.cfg': Buffer.alloc(0) });
  try {
    await f.peer.send(rrq('b.bin'), f.server.port);
    assert.deepEqual((await readAll(f, await f.peer.next())).sizes, [512, 512, 0]);
    await f.peer.send(rrq('empty.cfg'), f.server.port);
    assert.deepEqual((await readAll(f, await f.peer.next())).sizes, [0]);
  } finally {
    await f.close();
  }
});

test('RFC 1350 section 2 / RFC 1123 4.2.3.1: a lost ACK makes the server retransmit the DATA on timeout, with a bound and a log line', async () => {
  const f = await serve({ 'a.bin': randomBytes(700) }, { timing: { timeoutMs: 50, maxTimeoutMs: 100, retries: 3 } });
  try {
    await f.peer.send(rrq('a.bin'), f.server.port);
    const first = data(await f.peer.next());
    // Not acknowledged: the same block comes again.
    const again = await f.peer.next();
    assert.deepEqual(data(again), first);
    await f.peer.send({ op: 'ACK', block: 1 }, again.from.port);
    assert.equal(data(await f.peer.next()).block, 2);
    // Block 2 is never acknowledged: 3 retransmissions, then the server gives up and says so.
    for (let i = 0; i < 3; i++) assert.equal(data(await f.peer.next()).block, 2);
    await waitFor(() => f.logs.some((l) => l.includes('outcome=timeout')), 'the give-up log line');
    assert.equal(f.peer.history.filter((r) => r.packet.op === 'DATA' && r.packet.block === 2).length, 4);
    assert.equal(f.server.transfers, 0);
  } finally {
    await f.close();
  }
});

test('RFC 1123 4.2.3.1: duplicate ACKs are not answered with duplicate DATA (no Sorcerer\'s Apprentice)', async () => {
  const f = await serve({ 'a.bin': randomBytes(1500) });
  try {
    await f.peer.send(rrq('a.bin'), f.server.port);
    const one = await f.peer.next();
    await f.peer.send({ op: 'ACK', block: 1 }, one.from.port);
    assert.equal(data(await f.peer.next()).block, 2);
    // A delayed ACK 1 arrives three times, then the ACK for block 2.
    for (let i = 0; i < 3; i++) await f.peer.send({ op: 'ACK', block: 1 }, one.from.port);
    await f.peer.send({ op: 'ACK', block: 2 }, one.from.port);
    const three = await f.peer.next();
    assert.equal(data(three).block, 3);
    await f.peer.send({ op: 'ACK', block: 3 }, one.from.port);
    await waitFor(() => f.logs.some((l) => l.includes('outcome=complete')), 'the end of the transfer');
    const sent = f.peer.history.map((r) => (r.packet.op === 'DATA' ? r.packet.block : -1));
    assert.deepEqual(sent, [1, 2, 3], 'each block once: nothing answered the duplicate ACKs');
  } finally {
    await f.close();
  }
});

test('RFC 1350 section 5 (16-bit block numbers): a transfer past block 65535 goes on with block 0 and arrives whole', async () => {
  // 8-byte blocks (RFC 2348's smallest): 65,540 blocks.
  const file = randomBytes(65_539 * 8 + 3);
  const f = await serve({ 'big.bin': file });
  try {
    await f.peer.send(rrq('big.bin', { blksize: '8' }), f.server.port);
    const oack = await f.peer.next();
    assert.deepEqual(oack.packet, { op: 'OACK', options: new Map([['blksize', '8']]) });
    await f.peer.send({ op: 'ACK', block: 0 }, oack.from.port);
    const { body, numbers } = await readAll(f, await f.peer.next(), 8);
    assert.equal(numbers.length, 65_540);
    assert.deepEqual(numbers.slice(65_533, 65_540), [65_534, 65_535, 0, 1, 2, 3, 4]);
    assert.ok(body.equals(file));
  } finally {
    await f.close();
  }
});

test('RFC 2347/2348/2349: the OACK grants blksize, answers tsize with the size, echoes timeout, omits unknown options; DATA waits for ACK 0', async () => {
  const file = randomBytes(3000);
  const f = await serve({ 'a.bin': file });
  try {
    await f.peer.send(rrq('a.bin', { blksize: '1428', tsize: '0', timeout: '3', foo: 'bar' }), f.server.port);
    const oack = await f.peer.next();
    assert.deepEqual(oack.packet, { op: 'OACK', options: new Map([['blksize', '1428'], ['tsize', '3000'], ['timeout', '3']]) });
    await f.peer.send({ op: 'ACK', block: 0 }, oack.from.port);
    const { body, sizes } = await readAll(f, await f.peer.next(), 1428);
    assert.deepEqual(sizes, [1428, 1428, 144]);
    assert.ok(body.equals(file));
    // A blksize larger than a datagram of the path is granted as 1468 (the client must use it, RFC 2348).
    await f.peer.send(rrq('a.bin', { blksize: '65464' }), f.server.port);
    const capped = await f.peer.next();
    assert.deepEqual(capped.packet, { op: 'OACK', options: new Map([['blksize', '1468']]) });
    await f.peer.send({ op: 'ACK', block: 0 }, capped.from.port);
    assert.equal(data(await f.peer.next()).data.length, 1468);
  } finally {
    await f.close();
  }
});

test('RFC 2347 / RFC 1350 section 2: the OACK is sent again when the client repeats its request, not on the timer (atftp aborts on a second OACK); unanswered, the transfer gives up', async () => {
  const f = await serve({ 'a.bin': randomBytes(100) }, { timing: { timeoutMs: 30, maxTimeoutMs: 30, retries: 3 } });
  try {
    await f.peer.send(rrq('a.bin', { tsize: '0' }), f.server.port);
    const oack = await f.peer.next();
    assert.equal(oack.packet.op, 'OACK');
    await f.peer.send(rrq('a.bin', { tsize: '0' }), f.server.port);
    const again = await f.peer.next();
    assert.deepEqual(again, oack, 'the same OACK from the same TID');
    await waitFor(() => f.logs.some((l) => l.includes('outcome=timeout')), 'the give-up');
    assert.equal(f.peer.history.length, 2, 'no OACK but the two the requests asked for');
    assert.match(f.logs.find((l) => l.includes('outcome=timeout'))!, /retransmissions=1 .*detail="no ACK 0 after 3 timeouts"/);
  } finally {
    await f.close();
  }
});

test('RFC 2347: a client that refuses the OACK with error 8 ends the transfer; no DATA is sent', async () => {
  const f = await serve({ 'a.bin': randomBytes(100) });
  try {
    await f.peer.send(rrq('a.bin', { blksize: '1428' }), f.server.port);
    const oack = await f.peer.next();
    assert.equal(oack.packet.op, 'OACK');
    await f.peer.send({ op: 'ERROR', code: ErrorCode.OPTIONS_REFUSED, message: 'no' }, oack.from.port);
    await waitFor(() => f.logs.some((l) => l.includes('outcome=options-refused')), 'the refused transfer');
    assert.equal(f.server.transfers, 0);
    assert.ok(f.peer.history.every((r) => r.packet.op !== 'DATA'));
  } finally {
    await f.close();
  }
});

test('RFC 1350 section 4: a packet from another TID gets error 5 and does not disturb the transfer', async () => {
  const f = await serve({ 'a.bin': randomBytes(600) });
  const stranger = await RawTftpPeer.open();
  try {
    await f.peer.send(rrq('a.bin'), f.server.port);
    const one = await f.peer.next();
    await stranger.send({ op: 'ACK', block: 1 }, one.from.port);
    const e = await stranger.next();
    assert.equal(error(e), ErrorCode.UNKNOWN_TID);
    await f.peer.send({ op: 'ACK', block: 1 }, one.from.port);
    const two = await f.peer.next();
    assert.equal(data(two).block, 2);
    await f.peer.send({ op: 'ACK', block: 2 }, one.from.port);
    await waitFor(() => f.logs.some((l) => l.includes('outcome=complete')), 'the transfer to end');
  } finally {
    stranger.close();
    await f.close();
  }
});

test('RFC 1350 section 5: garbage to the server gets error 4, and the server goes on serving everyone else', async () => {
  const f = await serve({ 'a.bin': Buffer.from('hello') });
  const other = await RawTftpPeer.open();
  try {
    await f.peer.send(Buffer.from('GET / HTTP/1.0\r\n\r\n'), f.server.port);
    assert.equal(error(await f.peer.next()), ErrorCode.ILLEGAL_OPERATION);
    await f.peer.send({ op: 'ACK', block: 1 }, f.server.port);
    assert.equal(error(await f.peer.next()), ErrorCode.ILLEGAL_OPERATION);
    await other.send(rrq('a.bin'), f.server.port);
    assert.deepEqual(data(await other.next()).data, Buffer.from('hello'));
    assert.ok(f.logs.some((l) => l.includes('not a TFTP request')));
  } finally {
    other.close();
    await f.close();
  }
});

test('write requests get error 2; absolute paths, ".." and control characters get error 2 before the files are asked; mode mail gets error 4', async () => {
  const f = await serve({ 'a.bin': Buffer.from('x') });
  try {
    await f.peer.send({ op: 'WRQ', filename: 'a.bin', mode: 'octet', options: new Map() }, f.server.port);
    assert.equal(error(await f.peer.next()), ErrorCode.ACCESS_VIOLATION);
    for (const name of ['../../etc/passwd', '/etc/passwd', 'a/../../../etc/shadow', '..\\..\\boot.ini', 'a\x01b']) {
      await f.peer.send(rrq(name), f.server.port);
      assert.equal(error(await f.peer.next()), ErrorCode.ACCESS_VIOLATION, name);
    }
    await f.peer.send(rrq('a.bin', {}, 'mail'), f.server.port);
    assert.equal(error(await f.peer.next()), ErrorCode.ILLEGAL_OPERATION);
    await f.peer.send(rrq('missing.cfg'), f.server.port);
    assert.equal(error(await f.peer.next()), ErrorCode.FILE_NOT_FOUND);
    assert.deepEqual(f.asked, ['missing.cfg'], 'no refused name reached the files');
    assert.ok(!f.logs.some((l) => l.includes('\x01')), 'control characters are escaped in the log');
  } finally {
    await f.close();
  }
});

test('the files callback: its error is answered as given; when it throws, error 0 and a log line', async () => {
  const f = await serve({}, {
    read: (path) => (path === 'secret.cfg' ? Promise.resolve({ code: ErrorCode.ACCESS_VIOLATION, message: 'Access violation' }) : Promise.reject(new Error('disk on fire'))),
  });
  try {
    await f.peer.send(rrq('secret.cfg'), f.server.port);
    assert.equal(error(await f.peer.next()), ErrorCode.ACCESS_VIOLATION);
    await f.peer.send(rrq('other.cfg'), f.server.port);
    assert.equal(error(await f.peer.next()), ErrorCode.NOT_DEFINED);
    assert.ok(f.logs.some((l) => l.includes('reading the file failed') && l.includes('disk on fire')));
  } finally {
    await f.close();
  }
});

test('at most N transfers: a request beyond is dropped (logged) and served when the client repeats it later; a repeated request does not start a second transfer', async () => {
  const f = await serve({ 'a.bin': Buffer.from('one'), 'b.bin': Buffer.from('two') }, { maxTransfers: 1 });
  const second = await RawTftpPeer.open();
  try {
    await f.peer.send(rrq('a.bin'), f.server.port);
    const one = await f.peer.next();
    // The same request again (as a client does when its first answer is late): ignored.
    await f.peer.send(rrq('a.bin'), f.server.port);
    await second.send(rrq('b.bin'), f.server.port);
    await waitFor(() => f.logs.some((l) => l.includes('too many transfers')), 'the dropped request');
    await f.peer.send({ op: 'ACK', block: 1 }, one.from.port);
    await waitFor(() => f.server.transfers === 0, 'the first transfer to end');
    await second.send(rrq('b.bin'), f.server.port);
    assert.deepEqual(data(await second.next()).data, Buffer.from('two'));
    assert.equal(f.peer.history.length, 1, 'one DATA 1 for the repeated request');
    assert.ok(f.logs.some((l) => l.includes('repeated request')));
  } finally {
    second.close();
    await f.close();
  }
});

test('netascii: the file is sent with CR LF line ends and tsize counts what is sent', async () => {
  const f = await serve({ 't.txt': Buffer.from('a\nb\n') });
  try {
    await f.peer.send(encodePacket(rrq('t.txt', { tsize: '0' }, 'NetASCII')), f.server.port);
    const oack = await f.peer.next();
    assert.deepEqual(oack.packet, { op: 'OACK', options: new Map([['tsize', '6']]) });
    await f.peer.send({ op: 'ACK', block: 0 }, oack.from.port);
    assert.deepEqual(data(await f.peer.next()).data, Buffer.from('a\r\nb\r\n'));
  } finally {
    await f.close();
  }
});
