/** media/sdp's per-stream view (streams.ts): what the relay, the TC's endpoint and the echo read from SDP and write. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { answerDirection, parseStreams, writeStreams } from '../../src/media/sdp/index.js';

// C.12 F29 as printed: the session c= is the TelCP's, the media c= the TC's; indented, LF line ends.
const c12f29 = `v=0
o=- 0 0 IN IP4 192.168.1.11
s=-
c=IN IP4 192.168.1.11
t=0 0
m=audio 11021 RTP/AVP 0
c=IN IP4 192.168.1.21
a=rtpmap:0 PCMU/8000
a=ptime:20
    `;

test('a stream’s address is the media-level c= (C.12 F29: the TC’s, not the TelCP’s); static payload types need no rtpmap', () => {
  const [s] = parseStreams(c12f29);
  assert.equal(s?.key, 'audio:0');
  assert.equal(s?.address, '192.168.1.21');
  assert.equal(s?.port, 11021);
  assert.deepEqual(s?.codecs, [{ pt: 0, encodingName: 'PCMU', clockRate: 8000, channels: 1 }]);
  assert.equal(s?.ptime, 20);
  assert.equal(s?.direction, 'sendrecv');
  const [bare] = parseStreams('v=0\r\nc=IN IP4 10.0.0.1\r\nm=audio 4000 RTP/AVP 8 0\r\n');
  assert.deepEqual(bare?.codecs.map((c) => c.encodingName), ['PCMA', 'PCMU']);
  assert.equal(bare?.address, '10.0.0.1', 'the session c= when the media has none');
});

test('telephone-event, a=rtcp, rtcp-mux, direction, ordinals per media type, extra lines; garbage gives no stream', () => {
  const sdp = [
    'v=0',
    'c=IN IP4 10.0.0.2',
    'a=sendonly',
    'm=audio 5000 RTP/AVP 8 101',
    'a=rtpmap:8 PCMA/8000',
    'a=rtpmap:101 telephone-event/8000',
    'a=fmtp:101 0-16',
    'a=rtcp:5005 IN IP4 10.0.0.3',
    'm=video 5002 RTP/AVP 96',
    'b=AS:2500',
    'a=rtpmap:96 MP4V-ES/90000',
    'a=fmtp:96 profile-level-id=4',
    'a=framerate:30',
    'a=recvonly',
    'm=video 0 RTP/AVP 97',
    'm=audio 5010 RTP/AVP 0',
    'a=rtcp-mux',
  ].join('\n');
  const [a, v, v2, a2] = parseStreams(sdp);
  assert.deepEqual(a?.telephoneEvent, { pt: 101, clockRate: 8000, fmtp: '0-16' });
  assert.deepEqual(a?.codecs.map((c) => c.pt), [8]);
  assert.deepEqual(a?.rtcp, { address: '10.0.0.3', port: 5005 });
  assert.equal(a?.direction, 'sendonly', 'the session-level direction');
  assert.equal(v?.direction, 'recvonly');
  assert.deepEqual(v?.extra, { bandwidth: [{ type: 'AS', limit: 2500 }], framerate: 30 });
  assert.equal(v?.codecs[0]?.fmtp, 'profile-level-id=4');
  assert.deepEqual([v?.key, v2?.key, a2?.key], ['video:0', 'video:1', 'audio:1']);
  assert.equal(v2?.port, 0);
  assert.equal(a2?.rtcpMux, true);
  assert.equal(a?.rtcpMux, false);
  assert.deepEqual(parseStreams('not sdp'), []);
  assert.deepEqual(parseStreams(undefined), []);
  assert.deepEqual(parseStreams('v=0\r\nm=audio notaport RTP/AVP 0\r\n')[0]?.port, 0);
});

test('an m-line sdp-transform cannot read still counts (the answer mirrors every m-line): its type and formats, port 0', () => {
  const [bad, good] = parseStreams('v=0\r\nc=IN IP4 10.0.0.1\r\nm=Audio 4000/2 RTP/AVP 0 8\r\nm=audio 4002 RTP/AVP 8\r\n');
  assert.deepEqual([bad?.key, bad?.port, bad?.protocol, bad?.formats], ['audio:0', 0, 'RTP/AVP', ['0', '8']]);
  assert.deepEqual([good?.key, good?.port], ['audio:1', 4002]);
});

test('all RFC 3551 static payload types are known without rtpmap; a dynamic one without rtpmap and non-RTP formats are no codecs', () => {
  const [a] = parseStreams('v=0\r\nm=audio 4000 RTP/AVP 9 18 10 5 96\r\n');
  assert.deepEqual(a?.codecs.map((c) => `${c.pt} ${c.encodingName}/${c.clockRate}/${c.channels}`), ['9 G722/8000/1', '18 G729/8000/1', '10 L16/44100/2', '5 DVI4/8000/1']);
  assert.deepEqual(a?.formats, ['9', '18', '10', '5', '96']);
  const [v] = parseStreams('v=0\r\nm=video 4002 RTP/AVP 26 34\r\n');
  assert.deepEqual(v?.codecs.map((c) => `${c.encodingName}/${c.clockRate}`), ['JPEG/90000', 'H263/90000']);
  const [img] = parseStreams('v=0\r\nm=image 6000 udptl t38\r\n');
  assert.deepEqual([img?.codecs, img?.formats], [[], ['t38']]);
});

test('the TS’s SDP has one session c= and one m-line per stream; a rejected stream is its m-line alone', () => {
  const sdp = writeStreams({ address: '192.168.1.1', sessionId: 7, version: 2 }, [
    { type: 'audio', port: 11001, protocol: 'RTP/AVP', codecs: [{ pt: 0, encodingName: 'PCMU', clockRate: 8000, channels: 1 }], telephoneEvent: { pt: 101, clockRate: 8000 }, ptime: 20 },
    { type: 'video', port: 0, protocol: 'RTP/AVP', codecs: [], formats: ['96'] },
  ]);
  assert.equal(
    sdp,
    'v=0\r\no=hometel 7 2 IN IP4 192.168.1.1\r\ns=hometel\r\nc=IN IP4 192.168.1.1\r\nt=0 0\r\n' +
      'm=audio 11001 RTP/AVP 0 101\r\na=rtpmap:0 PCMU/8000\r\na=rtpmap:101 telephone-event/8000\r\na=fmtp:101 0-15\r\na=ptime:20\r\na=sendrecv\r\n' +
      'm=video 0 RTP/AVP 96\r\n',
  );
  assert.equal(answerDirection('sendonly'), 'recvonly');
  assert.equal(answerDirection('recvonly'), 'sendonly');
  assert.equal(answerDirection('inactive'), 'inactive');
});

test('what is read is written back: stereo, fmtp, bandwidth, frame rate, direction; IPv6 origin and c=', () => {
  const [a, v] = parseStreams(
    'v=0\r\nc=IN IP4 10.0.0.1\r\nm=audio 4000 RTP/AVP 97\r\na=rtpmap:97 opus/48000/2\r\na=fmtp:97 useinbandfec=1\r\n' +
      'm=video 4002 RTP/AVP 96\r\nb=AS:512\r\na=rtpmap:96 H264/90000\r\na=framerate:25\r\na=sendonly\r\n',
  );
  const written = writeStreams({ address: '::1', sessionId: 1, version: 1, username: '-' }, [
    { ...a!, codecs: a!.codecs },
    { ...v!, codecs: v!.codecs },
  ]);
  assert.match(written, /^o=- 1 1 IN IP6 ::1\r\n/m);
  assert.match(written, /^c=IN IP6 ::1\r\n/m);
  assert.match(written, /^a=rtpmap:97 opus\/48000\/2\r\na=fmtp:97 useinbandfec=1\r\n/m);
  assert.match(written, /^m=video 4002 RTP\/AVP 96\r\nb=AS:512\r\n/m);
  const [a2, v2] = parseStreams(written);
  assert.deepEqual(a2?.codecs, a?.codecs);
  assert.deepEqual([v2?.extra, v2?.direction, v2?.address], [{ bandwidth: [{ type: 'AS', limit: 512 }], framerate: 25 }, 'sendonly', '::1']);
});
