/**
 * The TFTP codec and the read request's checks, without a socket: packets as RFC 1350 section 5 lays them out,
 * the OACK and option negotiation of RFC 2347, blksize (RFC 2348), timeout and tsize (RFC 2349), the filename
 * and mode checks, and netascii (RFC 1350 section 1).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { decodePacket, encodePacket, ErrorCode, filenameProblem, negotiate, TftpPacketError, toNetascii } from '../../src/tftp/index.js';
import { transferMode } from '../../src/tftp/requests.js';

const bytes = (...parts: Array<number[] | string>): Buffer => Buffer.concat(parts.map((p) => (typeof p === 'string' ? Buffer.from(p, 'latin1') : Buffer.from(p))));

test('RFC 1350 section 5: an RRQ is opcode 1, filename, 0, mode, 0; RFC 2347: options follow as name/value pairs, names case-insensitive', () => {
  const wire = bytes([0, 1], 'cfg/y000000000000.cfg', [0], 'OCTET', [0], 'BLKSIZE', [0], '1428', [0], 'tsize', [0], '0', [0]);
  const p = decodePacket(wire);
  assert.equal(p.op, 'RRQ');
  assert.ok(p.op === 'RRQ');
  assert.equal(p.filename, 'cfg/y000000000000.cfg');
  assert.equal(p.mode, 'octet');
  assert.deepEqual([...p.options], [['blksize', '1428'], ['tsize', '0']]);
  assert.deepEqual(encodePacket({ op: 'RRQ', filename: 'cfg/y000000000000.cfg', mode: 'OCTET', options: new Map([['BLKSIZE', '1428'], ['tsize', '0']]) }), wire);
});

test('RFC 1350 section 5: DATA (3, block, data), ACK (4, block), ERROR (5, code, message, 0); RFC 2347: OACK (6, pairs)', () => {
  assert.deepEqual(encodePacket({ op: 'DATA', block: 2, data: Buffer.from('ab') }), bytes([0, 3, 0, 2], 'ab'));
  assert.deepEqual(encodePacket({ op: 'ACK', block: 65535 }), bytes([0, 4, 255, 255]));
  assert.deepEqual(encodePacket({ op: 'ERROR', code: ErrorCode.ACCESS_VIOLATION, message: 'Access violation' }), bytes([0, 5, 0, 2], 'Access violation', [0]));
  assert.deepEqual(encodePacket({ op: 'OACK', options: new Map([['blksize', '1428']]) }), bytes([0, 6], 'blksize', [0], '1428', [0]));
  assert.deepEqual(decodePacket(bytes([0, 3, 1, 0])), { op: 'DATA', block: 256, data: Buffer.alloc(0) });
  assert.deepEqual(decodePacket(bytes([0, 4, 0, 7])), { op: 'ACK', block: 7 });
  assert.deepEqual(decodePacket(bytes([0, 5, 0, 8], 'no', [0])), { op: 'ERROR', code: 8, message: 'no' });
  // Block numbers are 16 bits: block 65536 goes out as 0.
  assert.deepEqual(encodePacket({ op: 'DATA', block: 65536, data: Buffer.alloc(0) }), bytes([0, 3, 0, 0]));
});

test('RFC 1350 section 5: what is no TFTP packet throws TftpPacketError (answered with error 4)', () => {
  for (const wire of [
    bytes([0, 1]), // too short
    bytes([0, 9, 0, 0]), // unknown opcode
    bytes([0, 1], 'file', [0], 'octet'), // mode without its NUL
    bytes([0, 1], 'file', [0]), // no mode
    bytes([0, 1], 'file', [0], 'octet', [0], 'blksize', [0]), // an option without its value
    bytes([0, 4, 0, 1, 0]), // an ACK of 5 bytes
    bytes('GET / HTTP/1.1\r\n\r\n'),
  ]) {
    assert.throws(() => decodePacket(wire), TftpPacketError, wire.toString('hex'));
  }
});

test('RFC 2348: blksize 8–65464 is granted up to what fits the path; out of range or not a number it is left out', () => {
  assert.equal(negotiate(new Map([['blksize', '1428']]), 5000, 1468).blockSize, 1428);
  const capped = negotiate(new Map([['blksize', '65464']]), 5000, 1468);
  assert.equal(capped.blockSize, 1468);
  assert.equal(capped.acknowledged.get('blksize'), '1468');
  assert.equal(negotiate(new Map([['blksize', '8']]), 5000, 1468).blockSize, 8);
  for (const v of ['7', '65465', 'big', '-1', '']) {
    const n = negotiate(new Map([['blksize', v]]), 5000, 1468);
    assert.equal(n.blockSize, 512, v);
    assert.equal(n.acknowledged.size, 0, v);
  }
});

test('RFC 2349: tsize is answered with the size of the file; timeout 1–255 is echoed as sent; RFC 2347: unknown options are ignored', () => {
  const n = negotiate(new Map([['multicast', ''], ['tsize', '0'], ['timeout', '3'], ['windowsize', '4']]), 2048, 1468);
  assert.deepEqual([...n.acknowledged], [['tsize', '2048'], ['timeout', '3']]);
  assert.equal(n.timeoutS, 3);
  for (const v of ['0', '256', 'x']) assert.equal(negotiate(new Map([['timeout', v]]), 1, 1468).acknowledged.size, 0, v);
  // No option accepted: no OACK (RFC 2347: DATA 1 answers the request).
  assert.equal(negotiate(new Map(), 1, 1468).acknowledged.size, 0);
});

test('filenames: absolute paths, ".." segments, backslashes, NUL and control characters are refused before any lookup', () => {
  for (const ok of ['y000000000000.cfg', 'Kq3_secret-Path/001565a1b2c3.cfg', 'snom 300.xml']) assert.equal(filenameProblem(ok), undefined, ok);
  for (const bad of ['', '/etc/passwd', '../../etc/passwd', 'a/../../b', 'a/./b', 'a//b', 'dir/', '..', 'a\\..\\b', 'C:\\boot.ini', 'a\x00b', 'a\nb', 'a\x7fb', 'caf\xe9']) {
    assert.ok(filenameProblem(bad), JSON.stringify(bad));
  }
});

test('RFC 1350 section 1: modes octet and netascii only (mail is obsolete); netascii sends LF as CR LF and a bare CR as CR NUL', () => {
  assert.equal(transferMode('octet'), 'octet');
  assert.equal(transferMode('netascii'), 'netascii');
  assert.equal(transferMode('mail'), undefined);
  assert.deepEqual(toNetascii(Buffer.from('a\nb\r\nc\rd')), Buffer.from('a\r\nb\r\0\r\nc\r\0d', 'latin1'));
  const plain = Buffer.from('no line ends');
  assert.equal(toNetascii(plain), plain);
});
