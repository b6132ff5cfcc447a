/** Media Capabilities as SDP (Table 2-7): reading, intersecting (2.6.6) and the subset check behind 707. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  checkSubset,
  intersectCapabilities,
  parseSdpMedia,
  restrictSdp,
  sameCodec,
} from '../../src/media/sdp/index.js';
import type { SdpMedia, SdpResult } from '../../src/media/sdp/index.js';

function media(sdp: string): SdpMedia[] {
  const r = parseSdpMedia(sdp);
  if (!r.ok) assert.fail(`expected SDP to parse: ${r.reason}`);
  return r.value;
}

function refused<T>(r: SdpResult<T>, pattern?: RegExp): void {
  assert.equal(r.ok, false, `expected ok:false, got ${JSON.stringify(r)}`);
  if (!r.ok && pattern) assert.match(r.reason, pattern);
}

const session = (host: string): string => `v=0\r\no=- 0 0 IN IP4 ${host}\r\ns=-\r\nc=IN IP4 ${host}\r\nt=0 0\r\n`;

/** C.12 F4: the TS's audio (PCMU) + video (MP4V-ES) capabilities. */
const tsAudioVideo =
  session('192.168.1.1') +
  'm=audio 11001 RTP/AVP 0\r\nc=IN IP4 192.168.1.1\r\na=rtpmap:0 PCMU/8000\r\na=ptime:20\r\n' +
  'm=video 12001 RTP/AVP 96\r\nc=IN IP4 192.168.1.1\r\nb=AS:2500\r\na=rtpmap:96 MP4V-ES/90000\r\n' +
  'a=fmtp:96 profile-level-id=4;config=000001b004000001b50900000100000001200086c40fa28a021e0a21\r\na=framerate:30\r\n';

/** C.12 F5-like: a TC that only does audio. */
const tcAudioOnly = session('192.168.1.21') + 'm=audio 11021 RTP/AVP 0\r\na=rtpmap:0 PCMU/8000\r\na=ptime:20\r\n';

const names = (m: SdpMedia): string[] => m.codecs.map((c) => `${c.format}:${c.encodingName}/${c.clockRate}`);

test('CallManagement Table 2-7: an SDP body reads as media descriptions with codecs', () => {
  const m = media(tsAudioVideo);
  assert.equal(m.length, 2);
  assert.deepEqual(
    m.map((d) => [d.type, d.port, d.protocol]),
    [
      ['audio', 11001, 'RTP/AVP'],
      ['video', 12001, 'RTP/AVP'],
    ],
  );
  assert.deepEqual(names(m[0]!), ['0:PCMU/8000']);
  assert.deepEqual(names(m[1]!), ['96:MP4V-ES/90000']);
  assert.match(m[1]!.codecs[0]!.fmtp ?? '', /^profile-level-id=4;config=/);
});

test('CallManagement Table 2-7: SDP as printed (LF, indentation, typos in attributes) still reads', () => {
  // C.13 F7 prints "S=-" and "a=rtptime:0 PCMU/8000"; C.19 F9' "aptime:20". Payload 0 is PCMU by RFC 3551.
  const printed = '   v=0\n   o=- 0 0 IN IP4 192.168.2.1\n   S=-\n   c=IN IP4 192.168.2.1\n   t=0 0\n' +
    '   m=audio 21001 RTP/AVP 0 8\n   a=rtptime:0 PCMU/8000\n   aptime:20\n';
  const [audio, ...rest] = media(printed);
  assert.equal(rest.length, 0);
  assert.deepEqual(names(audio!), ['0:PCMU/8000', '8:PCMA/8000']);
});

test('CallManagement 2.6.x (707): SDP that cannot be read is refused with a reason', () => {
  refused(parseSdpMedia(''), /empty/);
  refused(parseSdpMedia('hello'), /not SDP/);
  // C.24 F13 prints "m=video 22022RTP/AVP 96".
  refused(parseSdpMedia(session('h') + 'm=video 22022RTP/AVP 96\r\na=rtpmap:96 MP4V-ES/90000\r\n'), /m=video 22022RTP/);
  refused(parseSdpMedia(session('h') + 'm=audio 1000 RTP/AVP\r\n'), /no formats/);
  refused(parseSdpMedia(session('h') + 'm=audio 1000 RTP/AVP pcmu\r\n'), /payload type/);
  refused(parseSdpMedia(undefined as unknown as string));
});

test('CallManagement 2.6.6: audio-only TC capabilities against audio+video TS capabilities give audio only', () => {
  const result = intersectCapabilities(media(tcAudioOnly), media(tsAudioVideo));
  assert.equal(result.length, 1);
  assert.equal(result[0]!.type, 'audio');
  assert.equal(result[0]!.port, 11021, "the offerer's description");
  assert.deepEqual(names(result[0]!), ['0:PCMU/8000']);
  // And the other way round: the audio+video offer restricted to what the audio-only side supports.
  assert.deepEqual(intersectCapabilities(media(tsAudioVideo), media(tcAudioOnly)).map((m) => m.type), ['audio']);
});

test('CallManagement 2.6.6: codecs are intersected per media type, in the offerer\'s order', () => {
  const offered = media(
    session('a') +
      'm=audio 4000 RTP/AVP 18 0 97 8 101\r\na=rtpmap:97 opus/48000/2\r\na=rtpmap:101 telephone-event/8000\r\na=fmtp:101 0-15\r\n' +
      'm=video 4002 RTP/AVP 96 98\r\na=rtpmap:96 H264/90000\r\na=rtpmap:98 VP8/90000\r\n',
  );
  const supported = media(
    session('b') +
      'm=audio 5000 RTP/AVP 8 111 0 100\r\na=rtpmap:111 OPUS/48000/2\r\na=rtpmap:100 telephone-event/8000\r\n' +
      'm=video 5002 RTP/AVP 100\r\na=rtpmap:100 vp8/90000\r\n',
  );
  const [audio, video, ...rest] = intersectCapabilities(offered, supported);
  assert.equal(rest.length, 0);
  // G.729 (18) dropped; order 0, 97, 8, 101 kept with the offerer's payload numbers.
  assert.deepEqual(names(audio!), ['0:PCMU/8000', '97:opus/48000', '8:PCMA/8000', '101:telephone-event/8000']);
  assert.equal(audio!.codecs[3]!.fmtp, '0-15');
  assert.deepEqual(names(video!), ['98:VP8/90000']);
});

test('CallManagement 2.6.6: same name but another clock rate or channel count is another codec', () => {
  const a = media(session('a') + 'm=audio 1 RTP/AVP 96 97\r\na=rtpmap:96 opus/48000/2\r\na=rtpmap:97 L16/16000\r\n')[0]!;
  const b = media(session('b') + 'm=audio 2 RTP/AVP 96 97\r\na=rtpmap:96 opus/48000\r\na=rtpmap:97 L16/8000\r\n')[0]!;
  assert.equal(sameCodec(a.codecs[0]!, b.codecs[0]!), false);
  assert.equal(sameCodec(a.codecs[1]!, b.codecs[1]!), false);
  assert.deepEqual(intersectCapabilities([a], [b]), []);
});

test('CallManagement 2.6.6: nothing in common gives an empty list', () => {
  const video = media(session('a') + 'm=video 1 RTP/AVP 31\r\n');
  assert.deepEqual(intersectCapabilities(video, media(tcAudioOnly)), []);
  const g729 = media(session('a') + 'm=audio 1 RTP/AVP 18\r\n');
  assert.deepEqual(intersectCapabilities(g729, media(tcAudioOnly)), []);
  assert.deepEqual(intersectCapabilities([], media(tcAudioOnly)), []);
  assert.deepEqual(intersectCapabilities(media(tcAudioOnly), []), []);
  // A disabled stream (port 0) offers nothing.
  assert.deepEqual(intersectCapabilities(media(session('a') + 'm=audio 0 RTP/AVP 0\r\n'), media(tcAudioOnly)), []);
  // A dynamic payload type without rtpmap cannot be identified, so it matches nothing.
  assert.deepEqual(intersectCapabilities(media(session('a') + 'm=audio 1 RTP/AVP 96\r\n'), media(session('b') + 'm=audio 1 RTP/AVP 96\r\n')), []);
});

test('CallManagement 2.6.6: non-RTP media are compared by format token', () => {
  const offered = media(session('a') + 'm=image 6000 udptl t38\r\nm=application 7000 TCP/MSRP *\r\n');
  const supported = media(session('b') + 'm=image 6002 udptl T38\r\n');
  const result = intersectCapabilities(offered, supported);
  assert.deepEqual(result.map((m) => [m.type, m.codecs.map((c) => c.format)]), [['image', ['t38']]]);
});

test('CallManagement 2.6.9 (707): an AcceptCall media capability must be a subset of the offered one', () => {
  const offer = media(tsAudioVideo);
  assert.deepEqual(checkSubset(media(tcAudioOnly), offer), { ok: true });
  assert.deepEqual(checkSubset(offer, offer), { ok: true });
  // Declining the video stream with port 0 is still a subset.
  assert.deepEqual(checkSubset(media(tcAudioOnly + 'm=video 0 RTP/AVP 31\r\n'), offer), { ok: true });
  const g729 = checkSubset(media(session('a') + 'm=audio 1 RTP/AVP 0 18\r\n'), offer);
  assert.equal(g729.ok, false);
  assert.match(g729.ok ? '' : g729.reason, /G729/);
  const extraVideo = checkSubset(media(tsAudioVideo), media(tcAudioOnly));
  assert.equal(extraVideo.ok, false);
  assert.match(extraVideo.ok ? '' : extraVideo.reason, /video/);
  // Two audio streams against one offered audio stream are not a subset.
  const twoAudio = media(session('a') + 'm=audio 1 RTP/AVP 0\r\nm=audio 2 RTP/AVP 0\r\n');
  assert.equal(checkSubset(twoAudio, offer).ok, false);
});

test('CallManagement 2.6.6: the TS answers with its own SDP restricted to the intersection', () => {
  const common = intersectCapabilities(media(tcAudioOnly), media(tsAudioVideo));
  const r = restrictSdp(tsAudioVideo, common);
  if (!r.ok) assert.fail(r.reason);
  const sdp = r.value;
  assert.ok(sdp.startsWith('v=0\r\n') && sdp.endsWith('\r\n'));
  assert.ok(!/[^\r]\n/.test(sdp), 'CRLF line ends');
  assert.ok(sdp.includes('o=- 0 0 IN IP4 192.168.1.1'), "the TS's own origin");
  assert.ok(sdp.includes('m=audio 11001 RTP/AVP 0'), "the TS's own port");
  assert.ok(sdp.includes('a=rtpmap:0 PCMU/8000') && sdp.includes('a=ptime:20'));
  assert.ok(!sdp.includes('m=video'));
  const back = media(sdp);
  assert.deepEqual(back.map(names), [['0:PCMU/8000']]);
  assert.deepEqual(checkSubset(back, media(tcAudioOnly)), { ok: true });

  // Codecs in the offerer's order and numbering, other attributes of the TS kept.
  const offered = media(session('a') + 'm=audio 4000 RTP/AVP 8 97 0\r\na=rtpmap:97 opus/48000/2\r\n');
  const own = session('b') + 'm=audio 5000 RTP/AVP 0 111 8\r\na=rtpmap:111 opus/48000/2\r\na=ptime:20\r\na=sendrecv\r\n';
  const answer = restrictSdp(own, intersectCapabilities(offered, media(own)));
  if (!answer.ok) assert.fail(answer.reason);
  assert.ok(answer.value.includes('m=audio 5000 RTP/AVP 8 97 0\r\n'));
  assert.ok(answer.value.includes('a=rtpmap:97 opus/48000/2') && answer.value.includes('a=sendrecv'));
  refused(restrictSdp('not sdp', common), /not SDP/);
});
