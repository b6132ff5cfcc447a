/**
 * The Telephony Control Point library's pure parts: choosing media (the codecs a TC and the TS, or a TC and an
 * offer, have in common, in the TC's SDP, one c= per stream), the action log (secret keys never recorded,
 * fragments summarised), and the typed errors (the spec's code and description, a sentence for people).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { buildCallInfoList, buildMediaCapabilityInfo, buildTCList } from '../../src/telephony/contracts/call-management/cams-xml.js';
import { parseSdpMedia } from '../../src/media/sdp/index.js';
import { buildMmsMediaCapabilityInfo } from '../../src/telephony/contracts/media-management/mms-xml.js';
import { combineStreams } from '../../src/media/sdp/index.js';
import { chooseStream, enabledTypes, partOf } from '../../src/telephony/control/media-choice.js';
import { ActionLog, errorSentence, formatAction, isFault, TelephonyError } from '../../src/telephony/control/index.js';
import { toTelephonyError } from '../../src/telephony/control/errors.js';
import { defaultMediaProfile } from '../../src/telephony/index.js';
import { defaultTcCapabilities } from '../../src/telephony/testing/fake-media-sessions.js';
import { UpnpError, UpnpTransportError, type UpnpValue } from '../../src/upnp/index.js';
import { silentLogger } from '../../src/base/logger.js';
import type { CallInfo } from '../../src/telephony/contracts/call-management/cams-types.js';
import type { TelephonyServer } from '../../src/telephony/control/index.js';
import { CallSync } from '../../src/telephony/control/ts-session/call-sync.js';
import { TelCPLease, type CmInvoke } from '../../src/telephony/control/ts-session/lease.js';
import { FakeClock } from '../support/fake-clock.js';

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
  assert.equal(e.errorCode, 713);
  assert.equal(e.errorDescription, 'Unauthorized Identity');
  assert.equal(e.sentence, 'the call is monopolised by another control point');
  assert.equal(e.callID, 'call-1');
  assert.equal(e.message, 'TS StopCall: the call is monopolised by another control point (713 Unauthorized Identity)');
  assert.ok(isFault(e, 712, 713) && !isFault(e, 701));
  // The spec's text wins over what a device sent (702 has two texts in the spec; we say Table 2-15's).
  assert.equal(toTelephonyError(new UpnpError(702, 'TelCPName is already used'), 'TS', 'RegisterTelCPName').errorDescription, 'TelCPName already exists');
  // The same number means something else on a Telephony Client.
  const tcError = toTelephonyError(new UpnpError(703, 'Invalid MediaSessionID'), 'TC', 'StopMediaSession');
  assert.equal(tcError.sentence, 'the Telephony Client has no such media session');
  assert.equal(errorSentence(713, 'TS', 'AcceptCall'), 'the incoming call may only be answered by other control points');
  assert.equal(errorSentence(402, 'TS'), 'the device refused the arguments');
  assert.equal(errorSentence(799, 'TC'), 'the device answered error 799');
  const down = toTelephonyError(new UpnpTransportError('connect ECONNREFUSED', undefined), 'TC', 'GetMediaCapabilities');
  assert.equal(down.kind, 'transport');
  assert.equal(down.errorCode, undefined);
  assert.match(down.sentence, /Telephony Client could not be reached/);
});

/** A Telephony Server as its actions: each answered by `answer`, each recorded. */
function fakeServer(answer: (action: string, args: Readonly<Record<string, string>>) => Record<string, UpnpValue>): Pick<TelephonyServer, 'invoke'> & { sent: string[] } {
  const sent: string[] = [];
  const invoke = async (action: string, args: Readonly<Record<string, string>>): Promise<Record<string, UpnpValue>> => {
    sent.push(`${action}${args.CurrentSecretKey !== undefined ? ` ${args.TelCPName}/${args.CurrentSecretKey}` : ''}`);
    return answer(action, args);
  };
  // The fake answers whatever its test says, so it is not typed by the contract.
  return { sent, invoke: invoke as TelephonyServer['invoke'] };
}

test('the TelCPName lease on the injected clock: name-2 on 702, renewed half-way to Expires with the current key', async () => {
  const clock = new FakeClock();
  let keys = 0;
  const server = fakeServer((action, args): Record<string, UpnpValue> => {
    if (action !== 'RegisterTelCPName') return {};
    if (args.TelCPName === 'TV' && args.CurrentSecretKey === '') throw toTelephonyError(new UpnpError(702, 'TelCPName already exists'), 'TS', action);
    return { NewSecretKey: `k${++keys}`, Expires: 4 };
  });
  const registered: string[] = [];
  const lease = new TelCPLease({ server, clock, logger: silentLogger, opts: { name: 'TV' }, emit: (e, ...a) => void registered.push(`${e} ${JSON.stringify(a[0])}`), background: (p) => void p });
  await lease.start();
  assert.deepEqual(lease.identity, { name: 'TV-2', secretKey: 'k1' });
  assert.deepEqual(server.sent, ['RegisterTelCPName TV/', 'RegisterTelCPName TV-2/']);
  clock.advance(1_999);
  assert.equal(server.sent.length, 2, 'not renewed before half of Expires');
  clock.advance(1);
  await new Promise((resolve) => setImmediate(resolve));
  assert.deepEqual(server.sent.slice(2), ['RegisterTelCPName TV-2/k1']);
  assert.equal(lease.identity?.secretKey, 'k2');
  assert.deepEqual(registered, ['registered {"name":"TV-2","expires":4}', 'registered {"name":"TV-2","expires":4}']);
  lease.stop();
  assert.equal(clock.pending, 0, 'a stopped lease leaves no timer');
  const strict = new TelCPLease({ server, clock, logger: silentLogger, opts: { name: 'TV', onNameTaken: 'fail' }, emit: () => undefined, background: (p) => void p });
  await assert.rejects(strict.start(), (e: unknown) => isFault(e, 702));
});

test('a flow’s wait on the injected clock: met by an event; else GetCallInfo once when the event timeout passes, then a timeout error', async () => {
  const clock = new FakeClock();
  let status: CallInfo['callStatus'] = 'Calling';
  const info = (): CallInfo => ({ callID: 'c1', targetNames: { type: 'TelCPName', names: '*' }, callStatus: status });
  const server = fakeServer(() => ({ TelCPNameList: '' }));
  const asked: string[] = [];
  const sync = new CallSync({
    server,
    cm: (async (action: string, args: { readonly TargetCallID?: string }) => {
      asked.push(`${action} ${args.TargetCallID}`);
      return { CallInfoList: buildCallInfoList([info()]) };
    }) as CmInvoke,
    clock,
    logger: silentLogger,
    emit: () => undefined,
    eventTimeoutMs: 1_000,
    onCallBacksAvailable: () => undefined,
  });
  const r = sync.book.ensure('c1', 'Dialing');
  const talking = sync.waitStatus(r, 0, ['Talking']);
  assert.equal(clock.pending, 1, 'the wait’s timer is on the injected clock');
  status = 'Talking';
  sync.book.apply(info(), 'event');
  assert.equal((await talking).status, 'Talking');
  assert.equal(clock.pending, 0, 'the timer went with the wait');
  assert.deepEqual(asked, []);
  const ended = sync.waitStatus(r, r.history.length, ['Disconnected']);
  clock.advance(999);
  assert.deepEqual(asked, [], 'still waiting for the event');
  clock.advance(1);
  await assert.rejects(ended, (e: unknown) => e instanceof TelephonyError && e.kind === 'timeout' && e.callID === 'c1');
  assert.deepEqual(asked, ['GetCallInfo c1'], 'read once before giving up');
  // Waiting for a second Talking that never comes: nothing before the timeout, then the wait ends on the clock.
  let over = false;
  const seen = sync.untilSeen(r, 0, 'Talking', 2).then(() => (over = true));
  await new Promise((resolve) => setImmediate(resolve));
  assert.equal(over, false, 'one Talking is not two');
  assert.equal(clock.pending, 1, 'the wait’s timer is on the injected clock');
  clock.advance(1_000);
  await seen;
  assert.equal(over, true);
  assert.equal(clock.pending, 0);
});
