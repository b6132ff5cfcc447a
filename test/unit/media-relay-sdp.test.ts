/** The relay's G.711 transcoding, the SDP it gives each TC, and the RTP numbering of what it sends each peer (OutStream). */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseStreams } from '../../src/media/sdp/index.js';
import { g711Of, withTranscodable } from '../../src/media/relay/transcoding.js';
import { OutStream } from '../../src/media/relay/out-stream.js';
import { clientsOf } from '../../src/telephony/server/call-media.js';

test('the TS transcodes G.711: one law brings the other', () => {
  assert.deepEqual(withTranscodable([{ pt: 0, encodingName: 'PCMU', clockRate: 8000, channels: 1 }]).map((c) => `${c.pt} ${c.encodingName}`), ['0 PCMU', '8 PCMA']);
  assert.deepEqual(withTranscodable([{ pt: 8, encodingName: 'pcma', clockRate: 8000, channels: 1 }]).map((c) => c.pt), [8, 0]);
  assert.equal(withTranscodable([{ pt: 96, encodingName: 'H264', clockRate: 90000, channels: 1 }]).length, 1);
  assert.equal(g711Of({ pt: 97, encodingName: 'pcmu', clockRate: 8000, channels: 1 })?.encodingName, 'PCMU', 'by name, whatever the payload number');
  assert.equal(g711Of({ pt: 0, encodingName: 'PCMU', clockRate: 16000, channels: 1 }), undefined);
});

test('StartMediaTransfer’s SDP among several TCs: one m-line each when the counts match (C.20 F21), else the whole SDP each', () => {
  const sdp = 'v=0\r\nc=IN IP4 192.168.1.11\r\nm=audio 11021 RTP/AVP 0\r\nc=IN IP4 192.168.1.21\r\nm=video 12022 RTP/AVP 96\r\nc=IN IP4 192.168.1.22\r\na=rtpmap:96 MP4V-ES/90000\r\n';
  const [tc1, tc2] = clientsOf([{ udn: 'uuid:1', mediaSessionID: 'media101' }, { udn: 'uuid:2', mediaSessionID: 'media102' }], sdp);
  assert.deepEqual(parseStreams(tc1!.sdp).map((s) => `${s.key} ${s.address}:${s.port}`), ['audio:0 192.168.1.21:11021']);
  assert.deepEqual(parseStreams(tc2!.sdp).map((s) => `${s.key} ${s.address}:${s.port}`), ['video:0 192.168.1.22:12022']);
  assert.equal(tc2!.mediaSessionID, 'media102');
  const three = clientsOf([{ mediaSessionID: 'a' }, { mediaSessionID: 'b' }, { mediaSessionID: 'c' }], sdp);
  assert.ok(three.every((c) => c.sdp === sdp));
  assert.deepEqual(clientsOf([], sdp), [{ sdp }]);
});

function counter(values: number[]): () => number {
  let i = 0;
  return () => values[i++ % values.length]!;
}

test('OutStream: one source keeps its spacing (loss and reordering stay visible); a new source continues the numbering', () => {
  const out = new OutStream(counter([0xabcdef01, 1000, 50_000]), 8000, 160);
  assert.equal(out.ssrc, 0xabcdef01);
  const h1 = out.map('tc:a', 11, 500, 9000, 0);
  assert.deepEqual(h1, { sequenceNumber: 1000, timestamp: 50_000, switched: true });
  out.sent(h1, 160, 0);
  const h2 = out.map('tc:a', 11, 502, 9320, 40); // 501 was lost
  assert.deepEqual(h2, { sequenceNumber: 1002, timestamp: 50_320, switched: false });
  out.sent(h2, 160, 40);
  const late = out.map('tc:a', 11, 501, 9160, 45);
  assert.equal(late.sequenceNumber, 1001, 'a reordered packet keeps its place');
  out.sent(late, 160, 45);
  // TC b takes over 20 ms later: sequence +1, timestamp one frame on, whatever b's own numbers are.
  const b = out.map('tc:b', 99, 7, 123_456, 60);
  assert.deepEqual(b, { sequenceNumber: 1003, timestamp: 50_480, switched: true });
  out.sent(b, 160, 60);
  // After 105 ms without a packet the next source starts 100 ms (5 whole frames) on.
  const mix = out.map('mix', 0, 0, 0, 165);
  assert.deepEqual(mix, { sequenceNumber: 1004, timestamp: 50_480 + 800, switched: true });
  // The same TC with a new SSRC (it restarted its stream) is a new source too.
  out.sent(mix, 160, 165);
  assert.equal(out.map('mix', 0, 1, 160, 185).switched, false);
  assert.equal(out.map('mix', 5, 1, 160, 185).switched, true);
  assert.equal(out.packets, 5);
});

test('OutStream: numbers wrap; a source that starts right away still moves one frame on; the SR timestamp follows the clock', () => {
  const out = new OutStream(counter([1, 0xffff, 0xffffff80]), 8000, 160);
  const h = out.map('remote', 1, 10, 0, 1000);
  out.sent(h, 160, 1000);
  assert.equal(h.sequenceNumber, 0xffff);
  const n = out.map('remote', 1, 11, 160, 1020);
  assert.equal(n.sequenceNumber, 0);
  assert.equal(n.timestamp, 0x20, 'the timestamp wraps too');
  out.sent(n, 160, 1020);
  const other = out.map('tc:x', 2, 0, 0, 1021);
  assert.equal(other.timestamp, 0x20 + 160, 'at least one frame after the last');
  assert.equal(out.timestampAt(1020 + 500), 0x20 + 4000);
  const video = new OutStream(counter([1, 0, 0]), 90000, 1);
  video.sent(video.map('remote', 1, 0, 0, 0), 1000, 0);
  assert.equal(video.map('tc:y', 3, 0, 0, 33).timestamp, 2970, 'video continues by elapsed 90 kHz ticks');
});
