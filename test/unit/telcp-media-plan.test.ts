/**
 * The TelCP library's media plan, without any device: which Telephony Clients serve which media types of a Call
 * and what SDP goes to the TS (StartCall, AcceptCall, ModifyCall, AcceptModifyCall), and how the Call's Media
 * Sessions change and are named in StartMediaTransfer — cases from the spec's flows (C.12, C.19-C.27, TS-based
 * media 2.3.4.2).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseSdpMedia } from '../../src/media/sdp/index.js';
import type { MediaBinding } from '../../src/telephony/control/call-model.js';
import { TelephonyError } from '../../src/telephony/control/index.js';
import {
  answerNeeds,
  assign,
  boundTypes,
  capabilitiesNeeded,
  modifyAnswer,
  modifyOffer,
  planAnswer,
  planCall,
  takingNewStreams,
  type Assignment,
  type PlanClient,
} from '../../src/telephony/control/ts-session/media-plan.js';
import { planTransfers, sharesStream, transferOptions } from '../../src/telephony/control/ts-session/transfer-plan.js';
import { defaultMediaProfile } from '../../src/telephony/index.js';
import { defaultTcCapabilities } from '../../src/telephony/testing/fake-media-sessions.js';

const ts = defaultMediaProfile('192.168.1.1');
const tsCaps = { tc: ts.tcBased, native: ts.native! };
const tc1: PlanClient = { udn: 'uuid:tc1', friendlyName: 'tc1' };
const tc2: PlanClient = { udn: 'uuid:tc2', friendlyName: 'tc2' };
const caps = new Map([
  [tc1.udn, defaultTcCapabilities('192.168.1.21')],
  [tc2.udn, defaultTcCapabilities('192.168.1.22')],
]);

/** "type:codec@address:port" of every stream of an SDP, each with the c= it carries (its own or the session's). */
function streams(sdp: string | undefined): string[] {
  const m = parseSdpMedia(sdp ?? '');
  assert.ok(m.ok, `SDP: ${sdp}`);
  const session = /^c=IN IP4 (\S+)/m.exec(sdp!.split(/^m=/m)[0]!)?.[1];
  const sections = sdp!.split(/^(?=m=)/m).slice(1);
  return m.value.map((x, i) => `${x.type}:${x.codecs.map((c) => c.encodingName).join(',')}@${/^c=IN IP4 (\S+)/m.exec(sections[i]!)?.[1] ?? session}:${x.port}`);
}

function usage(sentence: string | RegExp): (e: unknown) => boolean {
  return (e) => e instanceof TelephonyError && e.kind === 'usage' && (typeof sentence === 'string' ? e.sentence === sentence : sentence.test(e.sentence));
}

const types = (plan: readonly Assignment[]): string[] => plan.map((a) => `${a.client.friendlyName}:${a.types.join('+')}`);

test('one TC, audio (C.12): its capabilities are read, StartCall offers the codecs it shares with the TS at its address', () => {
  const wants = [{ client: tc1 }];
  assert.deepEqual(capabilitiesNeeded(wants, ['audio'], new Map()), [tc1]);
  const p = planCall({ wants, caps, ts: tsCaps });
  assert.deepEqual(types(p.plan), ['tc1:audio']);
  assert.deepEqual(p.native, []);
  assert.deepEqual(streams(p.tcOffer), ['audio:PCMU,PCMA,telephone-event@192.168.1.21:11021']);
  assert.equal(p.nativeOffer, undefined);
  assert.deepEqual(transferOptions({}, p.plan, false), {}, 'one TC: mixing left as it is');
});

test('audio and video on one TC: video has only the codec the TS also has (H.264)', () => {
  const p = planCall({ wants: [{ client: tc1 }], caps, ts: tsCaps, media: ['audio', 'video'] });
  assert.deepEqual(types(p.plan), ['tc1:audio+video']);
  assert.deepEqual(streams(p.tcOffer), ['audio:PCMU,PCMA,telephone-event@192.168.1.21:11021', 'video:H264@192.168.1.21:12021']);
});

test('two TCs on one audio stream: the first TC’s codecs that the TS and the second TC also have; mixing switched on', () => {
  const pcmaOnly = new Map([...caps, [tc2.udn, defaultTcCapabilities('192.168.1.22').replace('RTP/AVP 0 8 101', 'RTP/AVP 8')]]);
  const p = planCall({ wants: [{ client: tc1 }, { client: tc2 }], caps: pcmaOnly, ts: tsCaps });
  assert.deepEqual(types(p.plan), ['tc1:audio', 'tc2:audio']);
  assert.deepEqual(streams(p.tcOffer), ['audio:PCMA@192.168.1.21:11021']);
  assert.ok(sharesStream(p.plan));
  assert.deepEqual(transferOptions({}, p.plan, false), { mixing: true });
  assert.deepEqual(transferOptions({ shareMedia: 'ms-1' }, p.plan, false), { shareMedia: 'ms-1' }, 'media sharing, not mixing (2.4.2.2)');
  assert.deepEqual(transferOptions({}, p.plan, true), {}, 'already shared: mixing left as it is');
  const t = planTransfers([], p.plan, p.tcOffer, {});
  assert.equal(t.combined, false, 'two TCs on one m-line: one StartMediaTransfer each');
});

test('answering with two TCs, audio on one and video on the other (C.21/C.22): each m-line at its TC; one transfer for both unless per-client', () => {
  const offer = 'v=0\r\no=- 1 1 IN IP4 203.0.113.5\r\ns=-\r\nc=IN IP4 203.0.113.5\r\nt=0 0\r\nm=audio 11001 RTP/AVP 8 0 96\r\na=rtpmap:96 telephone-event/8000\r\nm=video 11002 RTP/AVP 100\r\na=rtpmap:100 H264/90000\r\n';
  const wants = [
    { client: tc1, explicit: ['audio'] },
    { client: tc2, explicit: ['video'] },
  ];
  assert.deepEqual(capabilitiesNeeded(wants, ['audio', 'video'], new Map()), [], 'explicit types need no capabilities to decide');
  const p = planAnswer({ wants, caps, offer });
  assert.deepEqual(types(p.plan), ['tc1:audio', 'tc2:video']);
  assert.deepEqual(streams(p.tcOffer), ['audio:PCMA,PCMU,telephone-event@192.168.1.21:11021', 'video:H264@192.168.1.22:12021']);
  const combined = planTransfers([], p.plan, offer, {});
  assert.deepEqual(types(combined.fresh), ['tc1:audio', 'tc2:video']);
  assert.equal(combined.combined, true, 'Case 2: one StartMediaTransfer naming both');
  assert.equal(planTransfers([], p.plan, offer, { transfer: 'per-client' }).combined, false, 'Case 1: one each');
  assert.equal(planTransfers([], p.plan, offer, { shareMedia: 'ms-1' }).combined, false, 'shared media gets a request of its own');
  assert.deepEqual(types(planAnswer({ wants: [{ client: tc1 }], caps, offer }).plan), ['tc1:audio+video'], 'one TC takes what it can of the offer');
  assert.deepEqual(types(planAnswer({ wants: [{ client: tc1 }], caps, offer, media: ['audio'] }).plan), ['tc1:audio'], 'only the media asked for');
  assert.throws(() => planAnswer({ wants, caps, offer, media: ['audio'] }), usage("the Telephony Client tc2 handles none of the call's media"));
  assert.throws(() => planAnswer({ wants: [], native: true, tsNative: ts.native!, caps, offer: 'v=0\r\ns=-\r\nt=0 0\r\nm=text 11003 RTP/AVP 98\r\na=rtpmap:98 t140/1000\r\n' }), usage('the chosen Telephony Clients handle none of the offered media'), 'the TS’s own media has no text either');
});

test('TS-based media (2.3.4.2): no TC, the native part of the TS’s capabilities; mixed with a TC for video', () => {
  const p = planCall({ wants: [], caps, ts: tsCaps, native: true });
  assert.deepEqual(p.plan, []);
  assert.deepEqual(p.native, ['audio']);
  assert.equal(p.tcOffer, undefined);
  assert.deepEqual(streams(p.nativeOffer), ['audio:PCMU,PCMA,telephone-event@192.168.1.1:40004']);
  const both = planCall({ wants: [{ client: tc1 }], caps, ts: tsCaps, native: ['audio'], media: ['audio', 'video'] });
  assert.deepEqual(types(both.plan), ['tc1:video']);
  assert.deepEqual(streams(both.tcOffer), ['video:H264@192.168.1.21:12021']);
  assert.deepEqual(streams(both.nativeOffer), ['audio:PCMU,PCMA,telephone-event@192.168.1.1:40004']);
});

test('nothing in common is a usage error: no common codec, a TC for none of the media, a type nobody handles', () => {
  const g722 = new Map([[tc1.udn, 'v=0\r\no=- 0 0 IN IP4 192.168.1.21\r\ns=-\r\nc=IN IP4 192.168.1.21\r\nt=0 0\r\nm=audio 11021 RTP/AVP 9\r\na=rtpmap:9 G722/8000\r\n']]);
  assert.throws(() => planCall({ wants: [{ client: tc1 }], caps: g722, ts: tsCaps }), usage('the chosen Telephony Clients and the Telephony Server have no audio codec in common'));
  const videoOnly = new Map([[tc1.udn, 'v=0\r\no=- 0 0 IN IP4 192.168.1.21\r\ns=-\r\nc=IN IP4 192.168.1.21\r\nt=0 0\r\nm=video 12021 RTP/AVP 97\r\na=rtpmap:97 H264/90000\r\n']]);
  assert.throws(() => planCall({ wants: [{ client: tc1 }], caps: videoOnly, ts: tsCaps }), usage("the Telephony Client tc1 handles none of the call's media"));
  assert.throws(() => planCall({ wants: [{ client: tc1 }, { client: tc2, explicit: ['video'] }], caps: videoOnly, ts: tsCaps, media: ['audio', 'video'] }), usage(/tc1 handles none/));
  assert.throws(() => planCall({ wants: [{ client: tc1, explicit: ['audio'] }], caps, ts: tsCaps, media: ['audio', 'video'] }), usage('none of the chosen Telephony Clients handles video'));
});

test('adding video to a Call (C.23): the TC serving audio takes it; audio offered as negotiated, video as the TC and TS share it', () => {
  const audio: MediaBinding = { client: tc1.udn, mediaSessionID: 'ms-1', media: ['audio'], sdp: 'v=0\r\no=- 0 0 IN IP4 192.168.1.21\r\ns=-\r\nc=IN IP4 192.168.1.21\r\nt=0 0\r\nm=audio 11050 RTP/AVP 8\r\na=rtpmap:8 PCMA/8000\r\n' };
  const current = boundTypes([audio]);
  const wants = [{ client: tc1 }];
  assert.deepEqual(capabilitiesNeeded(wants, ['audio', 'video'], current), [tc1], 'video is open: the TC’s capabilities decide');
  const plan = assign(wants, ['audio', 'video'], current, caps);
  assert.deepEqual(types(plan), ['tc1:audio+video']);
  assert.deepEqual(takingNewStreams(plan, current), [tc1]);
  const o = modifyOffer({ tcTarget: ['audio', 'video'], plan, current, media: [audio], caps, ts: tsCaps, native: [], nativeChanged: false });
  assert.deepEqual(streams(o.tcOffer), ['audio:PCMA@192.168.1.21:11050', 'video:H264@192.168.1.21:12021']);
  assert.equal(o.nativeOffer, undefined);
  assert.deepEqual(capabilitiesNeeded(wants, ['audio'], current), [], 'a client keeping what it serves needs no capabilities');
  assert.deepEqual(takingNewStreams(assign(wants, ['audio'], current, new Map()), current), []);
  assert.throws(() => modifyOffer({ tcTarget: [], plan: [], current, media: [audio], caps, native: [], nativeChanged: false }), usage('the modified call would have no media'));
});

test('accepting a remote modification (C.24): the kept session answers its stream; a new stream needs the first server’s capabilities', () => {
  const audio: MediaBinding = { client: tc1.udn, mediaSessionID: 'ms-1', media: ['audio'], sdp: 'v=0\r\no=- 0 0 IN IP4 192.168.1.21\r\ns=-\r\nc=IN IP4 192.168.1.21\r\nt=0 0\r\nm=audio 11050 RTP/AVP 0 8\r\na=rtpmap:0 PCMU/8000\r\na=rtpmap:8 PCMA/8000\r\n' };
  const offer = 'v=0\r\no=- 2 2 IN IP4 203.0.113.5\r\ns=-\r\nc=IN IP4 203.0.113.5\r\nt=0 0\r\nm=audio 11001 RTP/AVP 8\r\na=rtpmap:8 PCMA/8000\r\nm=video 11002 RTP/AVP 100\r\na=rtpmap:100 H264/90000\r\n';
  const current = boundTypes([audio]);
  const plan = assign([{ client: tc1 }], ['audio', 'video'], current, caps);
  assert.deepEqual(answerNeeds(['audio', 'video'], plan, current, [audio], offer), [tc1]);
  assert.deepEqual(answerNeeds(['audio'], plan, current, [audio], offer), [], 'the kept audio session answers audio');
  assert.deepEqual(streams(modifyAnswer(['audio', 'video'], plan, current, [audio], offer, caps)), ['audio:PCMA@192.168.1.21:11050', 'video:H264@192.168.1.21:12021']);
});

test('Media Sessions after a modification: dropped (C.25), changed TC (C.27), narrowed, and sessions only known from a TCList', () => {
  const b1: MediaBinding = { client: tc1.udn, mediaSessionID: 'ms-1', media: ['audio'], sdp: 'x' };
  const b2: MediaBinding = { client: tc2.udn, mediaSessionID: 'ms-2', media: ['audio'], sdp: 'x' };
  const home = ts.tcBased;
  const dropped = planTransfers([b1, b2], [{ client: tc1, types: ['audio'] }], home, {});
  assert.deepEqual(dropped.removed, [b2]);
  assert.deepEqual(dropped.replaced, [], 'nothing replaces it: stopped before the transfer');
  assert.deepEqual(dropped.fresh, []);
  const changed = planTransfers([b1], [{ client: tc2, types: ['audio'] }], home, {});
  assert.deepEqual(changed.removed, [b1]);
  assert.deepEqual(changed.replaced, [b1], 'the new TC takes over: the old one stops after the transfer');
  assert.deepEqual(types(changed.fresh), ['tc2:audio']);
  const av: MediaBinding = { client: tc1.udn, mediaSessionID: 'ms-3', media: ['audio', 'video'], sdp: 'x' };
  const narrowed = planTransfers([av], [{ client: tc1, types: ['audio'] }], home, {});
  assert.deepEqual(narrowed.narrowed, [{ binding: av, types: ['audio'] }]);
  assert.deepEqual([narrowed.removed, narrowed.fresh], [[], []]);
  assert.equal(narrowed.combined, true);
  const learnt: MediaBinding = { client: tc1.udn, mediaSessionID: 'ms-4', media: [], sdp: '' };
  const kept = planTransfers([learnt], [{ client: tc1, types: ['audio'] }], home, {});
  assert.deepEqual([kept.removed, kept.narrowed, kept.fresh], [[], [], []], 'a session learnt from a TCList stays while its client is wanted');
  assert.deepEqual(planTransfers([learnt], [{ client: tc2, types: ['audio'] }], home, {}).removed, [learnt]);
  assert.deepEqual(planTransfers([], [{ client: tc1, types: ['audio', 'text'] }], home, {}).fresh.map((g) => g.types), [['audio']], 'only types of the home SDP');
});
