/** media/sdp: the RFC 3551 static payload types, codec identity across rtpmap and static numbers, and the capability logic built on it. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  checkSubset,
  combineStreams,
  describeCodec,
  intersectCapabilities,
  mediaTypesOf,
  mergeSdp,
  normalizeSdp,
  parseSdpMedia,
  restrictSdp,
  sameCodec,
  sdpOfTypes,
  sdpPerSection,
  staticPayloadType,
  type SdpMedia,
} from '../../src/media/sdp/index.js';

const session = (host: string): string => `v=0\r\no=- 0 0 IN IP4 ${host}\r\ns=-\r\nc=IN IP4 ${host}\r\nt=0 0\r\n`;

function media(sdp: string): SdpMedia[] {
  const r = parseSdpMedia(sdp);
  if (!r.ok) assert.fail(`expected SDP to parse: ${r.reason}`);
  return r.value;
}

const describe = (pt: number): string | undefined => {
  const s = staticPayloadType(pt);
  return s && `${s.encodingName}/${s.clockRate}/${s.channels} ${s.media}`;
};

const table4: Array<[number, string]> = [
  [0, 'PCMU/8000/1 A'],
  [3, 'GSM/8000/1 A'],
  [6, 'DVI4/16000/1 A'],
  [8, 'PCMA/8000/1 A'],
  // G.722 has an 8000 Hz RTP clock although it samples at 16 kHz (RFC 3551 4.5.2).
  [9, 'G722/8000/1 A'],
  [10, 'L16/44100/2 A'],
  [11, 'L16/44100/1 A'],
  [13, 'CN/8000/1 A'],
  [14, 'MPA/90000/1 A'],
  [17, 'DVI4/22050/1 A'],
  [18, 'G729/8000/1 A'],
];
const table5: Array<[number, string]> = [
  [25, 'CelB/90000/1 V'],
  [26, 'JPEG/90000/1 V'],
  [28, 'nv/90000/1 V'],
  [31, 'H261/90000/1 V'],
  [32, 'MPV/90000/1 V'],
  [33, 'MP2T/90000/1 AV'],
  [34, 'H263/90000/1 V'],
];

test('RFC 3551 tables 4 and 5: the static audio and video payload types; reserved, unassigned and dynamic numbers have none', () => {
  for (const [pt, meaning] of [...table4, ...table5]) assert.equal(describe(pt), meaning, `payload type ${pt}`);
  for (const pt of [1, 2, 19, 20, 24, 27, 29, 35, 72, 76, 95, 96, 127, 128, -1]) assert.equal(staticPayloadType(pt), undefined, `payload type ${pt}`);
  const assigned = Array.from({ length: 128 }, (_, pt) => pt).filter((pt) => staticPayloadType(pt) !== undefined);
  assert.equal(assigned.length, 24, 'every assigned static type of the two tables');
});

test('codec identity: a static number without rtpmap is the codec its rtpmap names, under any payload number and letter case', () => {
  const [bare] = media(session('a') + 'm=audio 1 RTP/AVP 0 9 18 10\r\n');
  const [mapped] = media(session('b') + 'm=audio 2 RTP/AVP 100 101 102 103\r\na=rtpmap:100 pcmu/8000\r\na=rtpmap:101 G722/8000/1\r\na=rtpmap:102 g729/8000\r\na=rtpmap:103 L16/44100/2\r\n');
  bare!.codecs.forEach((c, i) => assert.ok(sameCodec(c, mapped!.codecs[i]!), `${describeCodec(c)} = ${describeCodec(mapped!.codecs[i]!)}`));
  assert.equal(sameCodec(bare!.codecs[3]!, { encodingName: 'L16', clockRate: 44100 }), false, 'PT 10 is stereo');
  assert.equal(sameCodec({ encodingName: 'G722', clockRate: 8000 }, { encodingName: 'G722', clockRate: 16000 }), false);
  assert.equal(sameCodec({ encodingName: '', clockRate: 8000 }, { encodingName: '', clockRate: 8000 }), false, 'unknown codecs never match');
  assert.equal(describeCodec({ format: '96', encodingName: '' }), 'payload 96');
  // The capability view keeps what the SDP said: no channels for a mono rtpmap, none for a static mono type.
  assert.deepEqual(bare!.codecs[0], { format: '0', encodingName: 'PCMU', clockRate: 8000 });
  assert.deepEqual(bare!.codecs[3], { format: '10', encodingName: 'L16', clockRate: 44100, channels: 2 });
});

test('intersection, subset and restriction across static numbers and rtpmap', () => {
  const offer = media(session('a') + 'm=audio 4000 RTP/AVP 96 9 34\r\na=rtpmap:96 PCMA/8000\r\nm=video 4002 RTP/AVP 34 26\r\n');
  const own = session('b') + 'm=audio 5000 RTP/AVP 8 9\r\na=ptime:20\r\nm=video 5002 RTP/AVP 99\r\na=rtpmap:99 h263/90000\r\na=rtcp-fb:99 nack\r\na=rtcp-fb:* ccm fir\r\n';
  const common = intersectCapabilities(offer, media(own));
  assert.deepEqual(common.map((m) => [m.type, m.codecs.map((c) => c.format)]), [['audio', ['96', '9']], ['video', ['34']]]);
  assert.deepEqual(checkSubset(common, offer), { ok: true });
  const notOffered = checkSubset(media(session('c') + 'm=video 1 RTP/AVP 26 31\r\n'), offer);
  assert.deepEqual(notOffered, { ok: false, reason: 'video codec H261/90000 is not offered' });
  const answer = restrictSdp(own, common);
  if (!answer.ok) assert.fail(answer.reason);
  assert.equal(
    answer.value,
    session('b') +
      'm=audio 5000 RTP/AVP 96 9\r\na=rtpmap:96 PCMA/8000\r\na=rtpmap:9 G722/8000\r\na=ptime:20\r\n' +
      'm=video 5002 RTP/AVP 34\r\na=rtpmap:34 H263/90000\r\na=rtcp-fb:* ccm fir\r\n',
    "the offer's numbers, rtpmap written for static types too, rtcp-fb only of kept formats",
  );
});

test('section-wise editing: merge by media type, keep some types, list types, combine streams keeping each c=', () => {
  const tc = session('10.0.0.1') + 'm=audio 4000 RTP/AVP 0\r\n';
  const ts = session('10.0.0.9') + 'm=audio 6000 RTP/AVP 8\r\nm=video 6002 RTP/AVP 96\r\na=rtpmap:96 H264/90000\r\n';
  assert.equal(mergeSdp(tc, ts), tc + 'm=video 6002 RTP/AVP 96\r\na=rtpmap:96 H264/90000\r\n');
  assert.equal(sdpOfTypes(ts, new Set(['video'])), session('10.0.0.9') + 'm=video 6002 RTP/AVP 96\r\na=rtpmap:96 H264/90000\r\n');
  assert.equal(sdpOfTypes(tc, new Set(['video'])), undefined);
  assert.deepEqual([...mediaTypesOf(ts + 'm=Image 0 udptl t38\r\n')], ['audio', 'video', 'image']);
  const tc2 = session('10.0.0.2') + 'm=video 4002 RTP/AVP 96\r\ni=camera\r\n';
  assert.equal(
    combineStreams([tc, undefined, tc2]),
    session('10.0.0.1') + 'm=audio 4000 RTP/AVP 0\r\nc=IN IP4 10.0.0.1\r\nm=video 4002 RTP/AVP 96\r\ni=camera\r\nc=IN IP4 10.0.0.2\r\n',
    'c= after m= and i= (RFC 4566 5)',
  );
  assert.equal(combineStreams([undefined, ' ']), undefined);
  assert.equal(normalizeSdp('  v=0\n\n  s=-\r'), 'v=0\r\ns=-\r\n');
});

test('one SDP per media section, each with the session part (StartMediaTransfer to several TCs, C.20 F21)', () => {
  const sdp = 'v=0\r\nc=IN IP4 192.168.1.11\r\nm=audio 11021 RTP/AVP 0\r\nc=IN IP4 192.168.1.21\r\nm=video 12022 RTP/AVP 96\r\nc=IN IP4 192.168.1.22\r\na=rtpmap:96 MP4V-ES/90000\r\n';
  assert.deepEqual(sdpPerSection(sdp), [
    'v=0\r\nc=IN IP4 192.168.1.11\r\nm=audio 11021 RTP/AVP 0\r\nc=IN IP4 192.168.1.21\r\n',
    'v=0\r\nc=IN IP4 192.168.1.11\r\nm=video 12022 RTP/AVP 96\r\nc=IN IP4 192.168.1.22\r\na=rtpmap:96 MP4V-ES/90000\r\n',
  ]);
  assert.deepEqual(sdpPerSection('v=0\r\ns=-\r\n'), []);
});
