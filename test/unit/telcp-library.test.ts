/**
 * The Telephony Control Point library's pure parts: choosing media (the codecs a TC and the TS, or a TC and an
 * offer, have in common, in the TC's SDP, one c= per stream), the action log (secret keys never recorded,
 * fragments summarised), and the typed errors (the spec's code and description, a sentence for people).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { buildMediaCapabilityInfo, buildTCList } from '../../src/telephony/contracts/call-management/cams-xml.js';
import { parseSdpMedia } from '../../src/telephony/contracts/call-management/sdp-capability.js';
import { buildMmsMediaCapabilityInfo } from '../../src/telephony/contracts/media-management/mms-xml.js';
import { chooseStream, combineStreams, enabledTypes, partOf } from '../../src/telephony/control/media-choice.js';
import { ActionLog, errorSentence, formatAction, isFault, TelephonyError } from '../../src/telephony/control/index.js';
import { toTelephonyError } from '../../src/telephony/control/errors.js';
import { defaultMediaProfile } from '../../src/telephony/index.js';
import { defaultTcCapabilities } from '../../src/telephony/testing/fake-media-sessions.js';
import { UpnpError, UpnpTransportError } from '../../src/upnp/index.js';

const tc = defaultTcCapabilities('192.168.1.21');
const ts = defaultMediaProfile('192.168.1.1');

function codecs(sdp: string | undefined): string[] {
  const m = parseSdpMedia(sdp ?? '');
  assert.ok(m.ok, `SDP: ${sdp}`);
  return m.value.flatMap((x) => x.codecs.map((c) => `${x.type}:${c.format}:${c.encodingName}`));
}

test('an offer stream has the TC’s codecs that the TS also has, in the TC’s order and numbers, at the TC’s address', () => {
  const audio = chooseStream('audio', tc, tc, [ts.tcBased]);
  assert.deepEqual(codecs(audio), ['audio:0:PCMU', 'audio:8:PCMA', 'audio:101:telephone-event']);
  assert.match(audio!, /c=IN IP4 192\.168\.1\.21/);
  assert.match(audio!, /^m=audio 11021 /m);
  // The TC has MP4V-ES and H.264, the TS only H.264.
  const video = chooseStream('video', tc, tc, [ts.tcBased]);
  assert.deepEqual(codecs(video), ['video:97:H264']);
  assert.equal(chooseStream('text', tc, tc, [ts.tcBased]), undefined, 'nothing in common, no stream');
});

test('an answer stream has the offer’s codecs (its order and payload numbers) that the TC handles, at the TC’s address', () => {
  const offer = 'v=0\r\no=- 1 1 IN IP4 192.168.1.1\r\ns=-\r\nc=IN IP4 192.168.1.1\r\nt=0 0\r\nm=audio 11001 RTP/AVP 8 18 0 96\r\na=rtpmap:96 telephone-event/8000\r\nm=video 11002 RTP/AVP 100\r\na=rtpmap:100 H264/90000\r\n';
  const audio = chooseStream('audio', tc, offer, [tc]);
  assert.deepEqual(codecs(audio), ['audio:8:PCMA', 'audio:0:PCMU', 'audio:96:telephone-event']);
  assert.match(audio!, /^m=audio 11021 /m);
  assert.deepEqual(codecs(chooseStream('video', tc, offer, [tc])), ['video:100:H264']);
});

test('streams of several TCs make one SDP whose every m-line carries its TC’s c= (C.19 F7, C.20 F21)', () => {
  const other = defaultTcCapabilities('192.168.1.22');
  const sdp = combineStreams([chooseStream('audio', tc, tc, [ts.tcBased]), undefined, chooseStream('video', other, other, [ts.tcBased])])!;
  const lines = sdp.split('\r\n');
  const audioAt = lines.findIndex((l) => l.startsWith('m=audio'));
  const videoAt = lines.findIndex((l) => l.startsWith('m=video'));
  assert.equal(lines[audioAt + 1], 'c=IN IP4 192.168.1.21');
  assert.equal(lines[videoAt + 1], 'c=IN IP4 192.168.1.22');
  assert.ok(sdp.endsWith('\r\n') && !sdp.includes('\r\n\r\n'));
  assert.equal(combineStreams([undefined, '']), undefined);
  assert.deepEqual(enabledTypes(sdp), ['audio', 'video']);
  assert.deepEqual(enabledTypes(sdp.replace(/^m=video \d+/m, 'm=video 0')), ['audio'], 'a disabled stream is not a media type of the call');
  assert.deepEqual(enabledTypes(partOf(sdp, ['video'])), ['video']);
});

test('the action log keeps the order, the key arguments and the outcome — never a secret key, fragments summarised', () => {
  const log = new ActionLog(3);
  const mark = log.mark();
  const media = buildMediaCapabilityInfo({ enableMediaMixing: true, mediaCapability: { format: 'SDP', content: tc }, nativeMediaCapability: { format: 'SDP', content: ts.native! } });
  const start = log.record('TS', 'uuid:ts', 'StartCall', { TelCPName: 'TV@Living', SecretKey: 'secret101', CalleeID: 'tel:0774940201', MediaCapabilityInfo: media, CallMode: 'PHONE-TelCP' });
  start.outcome = 'ok';
  assert.deepEqual(start.args, { TelCPName: 'TV@Living', CalleeID: 'tel:0774940201', MediaCapabilityInfo: 'tc:audio+video native:audio mixing:1', CallMode: 'PHONE-TelCP' });
  const session = log.record('TC', 'uuid:tc', 'StartMediaSession', { TSMediaCapabilityInfo: buildMmsMediaCapabilityInfo({ mediaCapability: { format: 'SDP', content: partOf(tc, ['video'])! } }) });
  session.outcome = 707;
  const transfer = log.record('TS', 'uuid:ts', 'StartMediaTransfer', { TelCPName: '', SecretKey: '', TargetCallID: 'c1', TCList: buildTCList([{ udn: 'uuid:tc', mediaSessionID: 'm1' }, { udn: 'uuid:tc2', mediaSessionID: 'm2' }]), MediaCapabilityInfo: '' });
  assert.deepEqual(transfer.args, { TelCPName: '', TargetCallID: 'c1', TCList: 'm1,m2', MediaCapabilityInfo: '' });
  assert.deepEqual(log.steps(mark), ['TS StartCall', 'TC StartMediaSession', 'TS StartMediaTransfer']);
  assert.equal(formatAction(session), 'TC StartMediaSession TSMediaCapabilityInfo=video → 707');
  assert.ok(!JSON.stringify(log.entries).includes('secret101'), 'no secret key in the log');
  log.record('TS', 'uuid:ts', 'GetCallInfo', {});
  assert.equal(log.entries.length, 3, 'the log keeps its capacity');
  assert.deepEqual(log.steps(mark), ['TC StartMediaSession', 'TS StartMediaTransfer', 'TS GetCallInfo']);
});

test('a fault becomes a TelephonyError with the code, the spec’s description and a sentence for people', () => {
  const e = toTelephonyError(new UpnpError(713, 'Unauthorized Identity'), 'TS', 'StopCall', 'call-1');
  assert.ok(e instanceof TelephonyError && e instanceof Error);
  assert.equal(e.kind, 'fault');
  assert.equal(e.code, 713);
  assert.equal(e.description, 'Unauthorized Identity');
  assert.equal(e.sentence, 'the call is monopolised by another control point');
  assert.equal(e.callID, 'call-1');
  assert.equal(e.message, 'TS StopCall: the call is monopolised by another control point (713 Unauthorized Identity)');
  assert.ok(isFault(e, 712, 713) && !isFault(e, 701));
  // The spec's text wins over what a device sent (702 has two texts in the spec; we say Table 2-15's).
  assert.equal(toTelephonyError(new UpnpError(702, 'TelCPName is already used'), 'TS', 'RegisterTelCPName').description, 'TelCPName already exists');
  // The same number means something else on a Telephony Client.
  const tcError = toTelephonyError(new UpnpError(703, 'Invalid MediaSessionID'), 'TC', 'StopMediaSession');
  assert.equal(tcError.sentence, 'the Telephony Client has no such media session');
  assert.equal(errorSentence(713, 'TS', 'AcceptCall'), 'the incoming call may only be answered by other control points');
  assert.equal(errorSentence(402, 'TS'), 'the device refused the arguments');
  assert.equal(errorSentence(799, 'TC'), 'the device answered error 799');
  const down = toTelephonyError(new UpnpTransportError('connect ECONNREFUSED', undefined), 'TC', 'GetMediaCapabilities');
  assert.equal(down.kind, 'transport');
  assert.equal(down.code, undefined);
  assert.match(down.sentence, /Telephony Client could not be reached/);
});
