/**
 * The rtpdump recordings of a Telephony Client's receive-only video (src/media/tc/rtpdump.ts): the rtptools
 * `-F dump` layout byte for byte, a round trip through parseRtpdump, the size cap, files cut short, and refusals.
 */
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { serializeRtp } from '../../src/media/rtp/packet.js';
import { parseRtpdump, RtpdumpWriter } from '../../src/media/tc/rtpdump.js';

const dir = await mkdtemp(join(tmpdir(), 'hometel-rtpdump-'));
after(() => rm(dir, { recursive: true, force: true }));

const packet = (seq: number, size: number): Uint8Array =>
  serializeRtp({ payloadType: 96, sequenceNumber: seq, timestamp: seq * 3000, ssrc: 0xcafe, payload: new Uint8Array(size).fill(seq & 0xff) });

test('the file is the rtptools dump format: text line, 16-octet header, 8-octet record headers, big-endian', async () => {
  const path = join(dir, 'layout.rtpdump');
  const startMs = 1_700_000_000_250;
  const w = new RtpdumpWriter(path, { address: '192.168.1.21', port: 30002, startMs });
  await w.ready;
  const p = packet(1, 4);
  w.write(p, startMs + 1234);
  await w.close();
  const bytes = await readFile(path);
  const line = '#!rtpplay1.0 192.168.1.21/30002\n';
  assert.equal(bytes.subarray(0, line.length).toString('ascii'), line);
  const h = bytes.subarray(line.length, line.length + 16);
  assert.equal(h.readUInt32BE(0), 1_700_000_000, 'start seconds');
  assert.equal(h.readUInt32BE(4), 250_000, 'start microseconds');
  assert.equal(h.readUInt32BE(8), (192 << 24 >>> 0) + (168 << 16) + (1 << 8) + 21, 'source address');
  assert.equal(h.readUInt16BE(12), 30002);
  const r = bytes.subarray(line.length + 16);
  assert.equal(r.readUInt16BE(0), 8 + p.length, 'record length');
  assert.equal(r.readUInt16BE(2), p.length, 'packet length');
  assert.equal(r.readUInt32BE(4), 1234, 'offset in ms');
  assert.deepEqual([...r.subarray(8)], [...p]);
  assert.equal(r.length, 8 + p.length);
});

test('round trip: many packets of different sizes come back in order with their offsets', async () => {
  const path = join(dir, 'trip.rtpdump');
  const w = new RtpdumpWriter(path, { address: '127.0.0.1', port: 4000, startMs: 0 });
  const sent = Array.from({ length: 300 }, (_, i) => packet(i, 1 + ((i * 37) % 1400)));
  sent.forEach((p, i) => w.write(p, i * 33));
  await w.close();
  assert.equal(w.packets, 300);
  const r = parseRtpdump(await readFile(path));
  assert.ok(r.ok, r.ok ? '' : r.reason);
  assert.equal(r.value.address, '127.0.0.1');
  assert.equal(r.value.port, 4000);
  assert.equal(r.value.startMs, 0);
  assert.equal(r.value.packets.length, 300);
  r.value.packets.forEach((p, i) => {
    assert.equal(p.offsetMs, i * 33);
    assert.deepEqual(p.data, sent[i]);
  });
});

test('the size cap drops later packets and counts them; writes after close are dropped', async () => {
  const path = join(dir, 'cap.rtpdump');
  const w = new RtpdumpWriter(path, { address: '127.0.0.1', port: 4000, startMs: 0, maxBytes: 3 * (8 + 112) });
  for (let i = 0; i < 5; i++) w.write(packet(i, 100), i);
  await w.close();
  w.write(packet(9, 100), 9);
  assert.equal(w.packets, 3);
  assert.equal(w.dropped, 3);
  const r = parseRtpdump(await readFile(path));
  assert.ok(r.ok);
  assert.equal(r.value.packets.length, 3);
});

test('a recording cut short still reads up to its last whole record; what is not rtpdump is refused', async () => {
  const path = join(dir, 'cut.rtpdump');
  const w = new RtpdumpWriter(path, { address: '127.0.0.1', port: 4000, startMs: 0 });
  for (let i = 0; i < 3; i++) w.write(packet(i, 50), i);
  await w.close();
  const bytes = await readFile(path);
  const cut = parseRtpdump(bytes.subarray(0, bytes.length - 10));
  assert.ok(cut.ok);
  assert.equal(cut.value.packets.length, 2);
  assert.equal(parseRtpdump(Buffer.from('RIFF....WAVE')).ok, false);
  assert.equal(parseRtpdump(Buffer.from('#!rtpplay1.0 1.2.3.4/5\nshort')).ok, false);
  const bad = Buffer.concat([Buffer.from('#!rtpplay1.0 1.2.3.4/5\n'), Buffer.alloc(16), Buffer.from([0, 4, 0, 0, 0, 0, 0, 0])]);
  assert.equal(parseRtpdump(bad).ok, false);
});

test('a file that cannot be created rejects ready and close; writes are dropped', async () => {
  const w = new RtpdumpWriter(join(dir, 'no', 'such', 'dir.rtpdump'), { address: '127.0.0.1', port: 1, startMs: 0 });
  await assert.rejects(w.ready, /ENOENT/);
  w.write(packet(1, 10), 1);
  assert.equal(w.dropped, 1);
  await assert.rejects(w.close(), /ENOENT/);
});
