/**
 * The echo test endpoint's SDP (src/app/echo/echo-sdp.ts): its answer keeps the offer's G.711 payload numbers and
 * telephone-event, rejects every other m-line at port 0, mirrors the direction; its own offer for an INVITE
 * without SDP; nothing for an offer without G.711 audio (488).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { echoSdp } from '../../src/app/echo/echo-sdp.js';
import { parseStreams } from '../../src/media/sdp/index.js';

const sdp = (...media: string[]): string => ['v=0', 'o=- 1 1 IN IP4 192.0.2.7', 's=-', 'c=IN IP4 192.0.2.7', 't=0 0', ...media, ''].join('\r\n');

test('an offer of PCMA, PCMU, G.729 and telephone-event: the answer keeps the two G.711 codecs under the offer’s numbers', () => {
  const offer = sdp('m=audio 4000 RTP/AVP 8 18 0 96', 'a=rtpmap:18 G729/8000', 'a=rtpmap:96 telephone-event/8000', 'a=fmtp:96 0-16', 'a=sendrecv');
  const answer = echoSdp(offer, '127.0.0.1', 49400, 3)!;
  assert.deepEqual(answer.payloadTypes, [8, 0, 96]);
  const [audio] = parseStreams(answer.sdp);
  assert.equal(audio!.port, 49400);
  assert.equal(audio!.address, '127.0.0.1');
  assert.deepEqual(audio!.codecs.map((c) => `${c.pt} ${c.encodingName}`), ['8 PCMA', '0 PCMU']);
  assert.deepEqual(audio!.telephoneEvent, { pt: 96, clockRate: 8000, fmtp: '0-16' });
  assert.equal(audio!.direction, 'sendrecv');
  assert.match(answer.sdp, /^o=hometel 1 3 IN IP4 127\.0\.0\.1\r$/m, 'the o= version is the one given');
});

test('other m-lines are rejected at port 0, in the offer’s order; the direction is mirrored', () => {
  const offer = sdp('m=video 5000 RTP/AVP 96', 'a=rtpmap:96 H264/90000', 'm=audio 0 RTP/AVP 0', 'm=audio 4002 RTP/SAVP 0', 'm=audio 4004 RTP/AVP 0', 'a=sendonly');
  const answer = echoSdp(offer, '127.0.0.1', 49402, 1)!;
  const streams = parseStreams(answer.sdp);
  assert.deepEqual(streams.map((s) => `${s.type} ${s.port} ${s.protocol}`), ['video 0 RTP/AVP', 'audio 0 RTP/AVP', 'audio 0 RTP/SAVP', 'audio 49402 RTP/AVP']);
  assert.equal(streams[3]!.direction, 'recvonly');
  assert.deepEqual(answer.payloadTypes, [0]);
});

test('no G.711 audio (only G.729, only video, SRTP, not SDP): no answer', () => {
  for (const offer of [sdp('m=audio 4000 RTP/AVP 18', 'a=rtpmap:18 G729/8000'), sdp('m=video 5000 RTP/AVP 96'), sdp('m=audio 4000 RTP/SAVP 0'), 'garbage', '']) {
    assert.equal(echoSdp(offer, '127.0.0.1', 49404, 1), undefined, JSON.stringify(offer));
  }
});

test('an INVITE without SDP: the echo offers PCMU, PCMA and telephone-event itself', () => {
  const own = echoSdp(undefined, '127.0.0.1', 49406, 1)!;
  assert.deepEqual(own.payloadTypes, [0, 8, 101]);
  const [audio] = parseStreams(own.sdp);
  assert.equal(audio!.port, 49406);
  assert.deepEqual(audio!.codecs.map((c) => c.encodingName), ['PCMU', 'PCMA']);
});
