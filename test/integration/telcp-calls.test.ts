/**
 * Issue 6, acceptance item 1: the Telephony Control Point library runs the spec's call flows against `hometel
 * start` (its own process: a SIP line in direct mode on 127.0.0.1, two TCs with tones and receive-only video,
 * TS-native media) over real UPnP on lo, with SIPp as the Remote Party over real SIP. Each test compares the
 * actions the library sent with the order Appendix C prints for its section (written here from the spec), and
 * checks the final state of every party: the CallInfo status the TS answers (GetCallInfo), the MediaSessionInfo
 * the TCs answer (GetMediaSessionInfo), and SIPp's result.
 *
 * Where a printed sequence and hometel differ, the test says why at the step (e.g. C.27: the old TC's session is
 * stopped by the TelCP after the change, 2.6.8.4, where the print only shows the TC's Stopped event).
 *
 * Flows that share a Call run in one test (C.12+C.13, C.23+C.25, C.27+C.28, C.24+C.26) to keep the file fast.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { CallView, TelephonyClient, TsSession } from '../../src/telephony/control/index.js';
import { expectSippSuccess, type SippHandle } from '../support/sipp.js';
import { assertSteps, sessionOf, caller, remoteParty, useHome, type HometelHome } from '../support/telcp.js';
import { waitFor } from '../support/net.js';
import { enabledTypes } from '../../src/telephony/control/media-choice.js';

let home: HometelHome;
let telcp: TsSession;
let tv: TelephonyClient;
let kitchen: TelephonyClient;

// RTP: the TS's relay 48000–48199, the TCs 48200–48399 (media-acceptance uses 47000–47399).
useHome({ clients: [{ name: 'tv', tone: 1000, video: true }, { name: 'kitchen', tone: 600, video: true }], rtpBase: 48000 }, (h, session) => {
  home = h;
  telcp = session;
  tv = h.tcs.tv!;
  kitchen = h.tcs.kitchen!;
});

const log = (): HometelHome['tcp']['log'] => home.tcp.log;

/** The next incoming Call the session sees (Ringing). */
function nextIncoming(): Promise<CallView> {
  return new Promise((resolve) => telcp.once('incoming', resolve));
}

/** The final state of every party: the TS's CallInfo, each TC's MediaSessionInfo, SIPp's result. */
async function finalState(callID: string, sessions: ReadonlyArray<readonly [TelephonyClient, string, 'Started' | 'Stopped']>, sipp: SippHandle, status = 'Disconnected'): Promise<void> {
  const [info] = await telcp.getCallInfo(callID);
  assert.equal(info?.callStatus, status, `the TS says ${callID} is ${status}`);
  for (const [tc, id, expected] of sessions) {
    const [s] = await tc.getMediaSessionInfo(id);
    assert.equal(s?.mediaSessionStatus, expected, `${tc.friendlyName}: ${id} is ${expected}`);
  }
  expectSippSuccess(await sipp.done, 'SIPp, the Remote Party');
}

/** The Media Session of a Call on a TC, carrying `type`. */
test('C.12 create a call, C.13 terminate it (3.1.1): one TC, Talking, then StopCall and StopMediaSession', async () => {
  const remote = await remoteParty();
  let mark = log().mark();
  const call = await telcp.call(remote.callee, { clients: [tv] });
  // C.12 F1 GetMediaCapabilities (TC), F3 GetMediaCapabilities (TS), F5 StartCall, F21 StartMediaSession, F29 StartMediaTransfer.
  assertSteps(log(), mark, ['TC GetMediaCapabilities', 'TS GetMediaCapabilities', 'TS StartCall', 'TC StartMediaSession', 'TS StartMediaTransfer'], 'C.12');
  assert.deepEqual(call.history, ['Dialing', 'Calling', 'Connected', 'Talking'], 'C.12 F7, F13, F17, F33');
  const ms = sessionOf(call, tv);
  assert.equal(tv.session(ms)?.mediaSessionStatus, 'Started', 'C.12 F25: the TC evented Started');
  mark = log().mark();
  const ended = await telcp.hangup(call.callID);
  // C.13 F1 StopCall, F3 StopMediaSession.
  assertSteps(log(), mark, ['TS StopCall', 'TC StopMediaSession'], 'C.13');
  assert.equal(ended.status, 'Disconnected');
  await waitFor(() => tv.session(ms)?.mediaSessionStatus === 'Stopped', 'C.13 F9: the TC evented Stopped');
  await finalState(call.callID, [[tv, ms, 'Stopped']], remote.sipp);
});

test('C.14 reject an incoming call: RejectCall (Busy), SIPp hears 486', async () => {
  const incoming = nextIncoming();
  const sipp = await caller(home, { scenario: 'uac-rejected', vars: { expect_final: '486' } });
  const ringing = await incoming;
  assert.equal(ringing.status, 'Ringing');
  const mark = log().mark();
  const rejected = await telcp.reject(ringing.callID, 'Busy');
  assertSteps(log(), mark, ['TS RejectCall'], 'C.14 F15');
  // C.14 F19 prints reason "Busy"; 2.6.10.3 says "Rejected" (docs/decisions.md: the spec text wins).
  assert.equal(rejected.status, 'Disconnected');
  assert.equal(rejected.reason, 'Rejected');
  await finalState(ringing.callID, [], sipp);
});

test('C.15 cancel an outgoing call: StartCall, then while Calling StopCall; SIPp gets CANCEL', async () => {
  const remote = await remoteParty('uas-noanswer');
  const abort = new AbortController();
  telcp.on('call', function calling(c) {
    if (c.view.status !== 'Calling') return;
    telcp.off('call', calling);
    abort.abort();
  });
  const mark = log().mark();
  const failure = await telcp.call(remote.callee, { clients: [tv], signal: abort.signal }).then(
    () => assert.fail('a cancelled call does not resolve'),
    (e: { kind?: string; reason?: string; callID?: string }) => e,
  );
  assert.equal(failure.kind, 'call-ended');
  assert.equal(failure.reason, 'Cancelled', 'C.15 F17: Disconnected, Cancelled');
  // C.15 F1–F5 as C.12, F15 StopCall.
  assertSteps(log(), mark, ['TC GetMediaCapabilities', 'TS GetMediaCapabilities', 'TS StartCall', 'TS StopCall'], 'C.15');
  await finalState(failure.callID!, [], remote.sipp);
});

test('C.19 outgoing call with two TCs, case 1: audio on TC1, video on TC2, one StartMediaTransfer each', async () => {
  const remote = await remoteParty();
  let mark = log().mark();
  const call = await telcp.call(remote.callee, { clients: [tv, { client: kitchen, media: ['video'] }], media: ['audio', 'video'], transfer: 'per-client' });
  // C.19 F1, F3 GetMediaCapabilities (TC1, TC2), F5 (TS), F7 StartCall, F13 StartMediaSession (TC1), F17
  // StartMediaTransfer, F19 StartMediaSession (TC2), F23 StartMediaTransfer.
  assertSteps(
    log(),
    mark,
    ['TC GetMediaCapabilities', 'TC GetMediaCapabilities', 'TS GetMediaCapabilities', 'TS StartCall', 'TC StartMediaSession', 'TS StartMediaTransfer', 'TC StartMediaSession', 'TS StartMediaTransfer'],
    'C.19',
  );
  assert.equal(log().since(mark)[4]!.udn, tv.udn);
  assert.equal(log().since(mark)[6]!.udn, kitchen.udn);
  const audio = sessionOf(call, tv);
  const video = sessionOf(call, kitchen, 'video');
  const [info] = await telcp.getCallInfo(call.callID);
  assert.deepEqual(info?.tcList?.map((t) => t.mediaSessionID), [audio, video], 'the TS lists both TCs');
  assert.deepEqual(enabledTypes(info?.mediaCapability?.content), ['audio', 'video'], 'the call has audio and video');
  mark = log().mark();
  await telcp.hangup(call.callID);
  assertSteps(log(), mark, ['TS StopCall', 'TC StopMediaSession', 'TC StopMediaSession'], 'C.13 with two TCs');
  await finalState(call.callID, [[tv, audio, 'Stopped'], [kitchen, video, 'Stopped']], remote.sipp);
});

test('C.20 outgoing call with two TCs, case 2: both Media Sessions, then one StartMediaTransfer', async () => {
  const remote = await remoteParty();
  const mark = log().mark();
  const call = await telcp.call(remote.callee, { clients: [tv, { client: kitchen, media: ['video'] }], media: ['audio', 'video'] });
  // C.20 F1–F16 as C.19, F17 StartMediaSession (TC2), F21 StartMediaTransfer (both).
  assertSteps(
    log(),
    mark,
    ['TC GetMediaCapabilities', 'TC GetMediaCapabilities', 'TS GetMediaCapabilities', 'TS StartCall', 'TC StartMediaSession', 'TC StartMediaSession', 'TS StartMediaTransfer'],
    'C.20',
  );
  assert.equal(log().since(mark).at(-1)!.args.TCList, `${sessionOf(call, tv)},${sessionOf(call, kitchen, 'video')}`);
  await telcp.hangup(call.callID);
  await finalState(call.callID, [[tv, sessionOf(call, tv), 'Stopped'], [kitchen, sessionOf(call, kitchen, 'video'), 'Stopped']], remote.sipp);
});

/** An incoming call with audio and video, answered with TV (audio) and Kitchen (video); the steps it took. */
async function answerWithTwo(transfer: 'per-client' | 'combined', expected: readonly string[], section: string): Promise<CallView> {
  const incoming = nextIncoming();
  const sipp = await caller(home, { vars: { video: '1' } });
  const ringing = await incoming;
  const mark = log().mark();
  const call = await telcp.answer(ringing.callID, { clients: [tv, { client: kitchen, media: ['video'] }], transfer });
  assertSteps(log(), mark, expected, section);
  await telcp.hangup(call.callID);
  await finalState(call.callID, [[tv, sessionOf(call, tv), 'Stopped'], [kitchen, sessionOf(call, kitchen, 'video'), 'Stopped']], sipp);
  return call;
}

test('C.21 accept an incoming call with two TCs, case 1: AcceptCall, then per TC StartMediaSession and StartMediaTransfer', async () => {
  // C.21 F3, F5 GetMediaCapabilities (TC1, TC2), F7 AcceptCall, F11 StartMediaSession, F15 StartMediaTransfer,
  // F17 StartMediaSession, F21 StartMediaTransfer.
  const call = await answerWithTwo(
    'per-client',
    ['TC GetMediaCapabilities', 'TC GetMediaCapabilities', 'TS AcceptCall', 'TC StartMediaSession', 'TS StartMediaTransfer', 'TC StartMediaSession', 'TS StartMediaTransfer'],
    'C.21',
  );
  assert.deepEqual(call.history, ['Ringing', 'Connected', 'Talking', 'Talking'], 'C.21 F1, F9, F23 (and a Talking for the first transfer)');
});

test('C.22 accept an incoming call with two TCs, case 2: both Media Sessions, then one StartMediaTransfer', async () => {
  // C.22 F1–F14 as C.21, F15 StartMediaSession (TC2), F19 StartMediaTransfer (both).
  await answerWithTwo('combined', ['TC GetMediaCapabilities', 'TC GetMediaCapabilities', 'TS AcceptCall', 'TC StartMediaSession', 'TC StartMediaSession', 'TS StartMediaTransfer'], 'C.22');
});

test('C.23 add a TC (video on TC2) by ModifyCall, then C.25 remove it again', async () => {
  const remote = await remoteParty();
  const call = await telcp.call(remote.callee, { clients: [tv] });
  const audio = sessionOf(call, tv);
  let mark = log().mark();
  const added = await telcp.modify(call.callID, { clients: [tv, { client: kitchen, media: ['video'] }], media: ['audio', 'video'] });
  // C.23 F1 GetMediaCapabilities (TC2), F3 (TS), F5 ModifyCall, F11 StartMediaSession (TC2), F15 StartMediaTransfer (TC1 and TC2).
  assertSteps(log(), mark, ['TC GetMediaCapabilities', 'TS GetMediaCapabilities', 'TS ModifyCall', 'TC StartMediaSession', 'TS StartMediaTransfer'], 'C.23');
  assert.equal(added.accepted, true);
  assert.deepEqual(added.call.history.slice(-3), ['SendingModifyRequest', 'Modified', 'Talking'], 'C.23 F7, F9, F17');
  const video = sessionOf(added.call, kitchen, 'video');
  assert.equal(log().since(mark).at(-1)!.args.TCList, `${audio},${video}`);
  assert.deepEqual(enabledTypes(added.call.info.mediaCapability?.content), ['audio', 'video'], 'the Remote Party took the video');
  mark = log().mark();
  const removed = await telcp.modify(call.callID, { clients: [tv], media: ['audio'] });
  // C.25 F1 ModifyCall, F7 StopMediaSession (TC2), F11 StartMediaTransfer (TC1).
  assertSteps(log(), mark, ['TS ModifyCall', 'TC StopMediaSession', 'TS StartMediaTransfer'], 'C.25');
  assert.deepEqual(removed.call.media.map((b) => b.mediaSessionID), [audio]);
  const [talking] = await telcp.getCallInfo(call.callID);
  assert.equal(talking?.callStatus, 'Talking');
  assert.deepEqual(talking?.tcList?.map((t) => t.mediaSessionID), [audio], 'the TS lists TC1 only');
  assert.deepEqual(enabledTypes(talking?.mediaCapability?.content), ['audio'], 'the video stream is disabled');
  const [stopped] = await kitchen.getMediaSessionInfo(video);
  assert.equal(stopped?.mediaSessionStatus, 'Stopped');
  await telcp.hangup(call.callID);
  await finalState(call.callID, [[tv, audio, 'Stopped']], remote.sipp);
});

test('C.27 change TC, then C.28 modify the media of a session (audio to audio and video, and back)', async () => {
  const remote = await remoteParty();
  const call = await telcp.call(remote.callee, { clients: [tv] });
  const first = sessionOf(call, tv);
  let mark = log().mark();
  const changed = await telcp.modify(call.callID, { clients: [kitchen] });
  // C.27 F1 GetMediaCapabilities (TC2), F3 (TS), F5 ModifyCall, F11 StartMediaSession (TC2), F15 StartMediaTransfer;
  // the print shows TC1's Stopped event (F19) only: the TelCP also stops TC1's session (2.6.8.4), after the
  // transfer so that the Remote Party hears no gap.
  assertSteps(log(), mark, ['TC GetMediaCapabilities', 'TS GetMediaCapabilities', 'TS ModifyCall', 'TC StartMediaSession', 'TS StartMediaTransfer', 'TC StopMediaSession'], 'C.27');
  const second = sessionOf(changed.call, kitchen);
  assert.equal(changed.call.media.length, 1);
  await waitFor(() => tv.session(first)?.mediaSessionStatus === 'Stopped', 'C.27 F19: TC1 evented Stopped');
  mark = log().mark();
  const video = await telcp.modify(call.callID, { media: ['audio', 'video'] });
  // C.28 F1 GetMediaCapabilities (TC), F3 (TS), F5 ModifyCall, F11 StartMediaSession (a new session for the new
  // stream, as printed), F15 StartMediaTransfer.
  assertSteps(log(), mark, ['TC GetMediaCapabilities', 'TS GetMediaCapabilities', 'TS ModifyCall', 'TC StartMediaSession', 'TS StartMediaTransfer'], 'C.28');
  const videoSession = sessionOf(video.call, kitchen, 'video');
  assert.notEqual(videoSession, second);
  mark = log().mark();
  const back = await telcp.modify(call.callID, { media: ['audio'] });
  // Back to audio (3.1.3 in reverse, as C.25 for one TC): ModifyCall, StopMediaSession (the video session), StartMediaTransfer.
  assertSteps(log(), mark, ['TS ModifyCall', 'TC StopMediaSession', 'TS StartMediaTransfer'], 'C.28 back to audio');
  assert.deepEqual(back.call.media.map((b) => b.mediaSessionID), [second]);
  await telcp.hangup(call.callID);
  await finalState(call.callID, [[tv, first, 'Stopped'], [kitchen, second, 'Stopped'], [kitchen, videoSession, 'Stopped']], remote.sipp);
});

test('C.24 accept the Remote Party’s modification adding video (on TC2), then C.26 its removal', async () => {
  const incoming = nextIncoming();
  const sipp = await caller(home, { vars: { modify: 'addremove', reinvitems: '800' } });
  const ringing = await incoming;
  const requests: CallView[] = [];
  telcp.on('modify-request', (v) => requests.push(v));
  const call = await telcp.answer(ringing.callID, { clients: [tv] });
  const audio = sessionOf(call, tv);
  await waitFor(() => requests.length >= 1, 'C.24 F1: ReceivingModifyRequest', 15_000);
  let mark = log().mark();
  const added = await telcp.acceptModify(call.callID, { clients: [tv, { client: kitchen, media: ['video'] }] });
  // C.24 F3 GetMediaCapabilities (TC2), F5 AcceptModifyCall, F9 StartMediaSession (TC2), F13 StartMediaTransfer.
  assertSteps(log(), mark, ['TC GetMediaCapabilities', 'TS AcceptModifyCall', 'TC StartMediaSession', 'TS StartMediaTransfer'], 'C.24');
  assert.deepEqual(added.call.history.slice(-3), ['ReceivingModifyRequest', 'Modified', 'Talking'], 'C.24 F1, F7, F15');
  const video = sessionOf(added.call, kitchen, 'video');
  assert.deepEqual(enabledTypes(added.call.info.mediaCapability?.content), ['audio', 'video']);
  await waitFor(() => requests.length >= 2, 'C.26 F1: ReceivingModifyRequest', 15_000);
  mark = log().mark();
  const removed = await telcp.acceptModify(call.callID);
  // C.26 F3 AcceptModifyCall, F7 StopMediaSession (TC2), F11 StartMediaTransfer.
  assertSteps(log(), mark, ['TS AcceptModifyCall', 'TC StopMediaSession', 'TS StartMediaTransfer'], 'C.26');
  assert.deepEqual(removed.call.media.map((b) => b.mediaSessionID), [audio]);
  await telcp.hangup(call.callID);
  await finalState(call.callID, [[tv, audio, 'Stopped'], [kitchen, video, 'Stopped']], sipp);
});

test('C.29 initiate a call: InitiateCall only; the TS calls with its own media; StopCall ends it', async () => {
  const remote = await remoteParty();
  let mark = log().mark();
  const callID = await telcp.initiateCall(remote.callee);
  assertSteps(log(), mark, ['TS InitiateCall'], 'C.29 F1');
  await waitFor(() => telcp.getCall(callID)?.status === 'Connected', 'the callee answered');
  mark = log().mark();
  await telcp.hangup(callID);
  assertSteps(log(), mark, ['TS StopCall'], 'hang-up of an initiated call (no TC took part)');
  await finalState(callID, [], remote.sipp);
});

test('C.34 TC-based video and TS-based audio in one call', async () => {
  const remote = await remoteParty();
  const mark = log().mark();
  const call = await telcp.call(remote.callee, { clients: [{ client: tv, media: ['video'] }], native: ['audio'], media: ['audio', 'video'] });
  // C.34 F1 GetMediaCapabilities (TC), F3 (TS), F5 StartCall (mediaCapability video, nativeMediaCapability audio),
  // F21 StartMediaSession (TC, video), F29 StartMediaTransfer.
  assertSteps(log(), mark, ['TC GetMediaCapabilities', 'TS GetMediaCapabilities', 'TS StartCall', 'TC StartMediaSession', 'TS StartMediaTransfer'], 'C.34');
  const sent = log().since(mark);
  assert.equal(sent[2]!.args.MediaCapabilityInfo, 'tc:video native:audio');
  assert.match(sent[4]!.args.MediaCapabilityInfo!, /^tc:video native:audio/);
  assert.deepEqual(call.native, ['audio']);
  const video = sessionOf(call, tv, 'video');
  const [info] = await telcp.getCallInfo(call.callID);
  assert.ok(info?.nativeMediaCapability, 'the TS handles audio itself');
  await telcp.hangup(call.callID);
  await finalState(call.callID, [[tv, video, 'Stopped']], remote.sipp);
});

test('3.2.1, 3.2.3, 3.2.2 TS-based media: a call on the TS’s own audio, video added on a TC, then an incoming call answered natively', async () => {
  const remote = await remoteParty();
  let mark = log().mark();
  const call = await telcp.call(remote.callee, { native: true });
  // 3.2.1: 1 GetMediaCapabilities (TS), 3 StartCall (nativeMediaCapability), 6 StartMediaTransfer.
  assertSteps(log(), mark, ['TS GetMediaCapabilities', 'TS StartCall', 'TS StartMediaTransfer'], '3.2.1');
  assert.equal(log().since(mark)[1]!.args.MediaCapabilityInfo, 'native:audio');
  assert.deepEqual(call.native, ['audio']);
  mark = log().mark();
  const video = await telcp.modify(call.callID, { clients: [{ client: tv, media: ['video'] }], media: ['audio', 'video'] });
  // 3.2.3: 2 GetMediaCapabilities (TS) and 3 (TC1) — the TC first, as in 3.1.3 and C.23 —, 5 ModifyCall,
  // 7 StartMediaSession (TC1), 9 StartMediaTransfer.
  assertSteps(log(), mark, ['TC GetMediaCapabilities', 'TS GetMediaCapabilities', 'TS ModifyCall', 'TC StartMediaSession', 'TS StartMediaTransfer'], '3.2.3');
  assert.equal(video.accepted, true);
  const session = sessionOf(video.call, tv, 'video');
  const [info] = await telcp.getCallInfo(call.callID);
  assert.deepEqual(enabledTypes(info?.mediaCapability?.content), ['video'], 'video via the TC');
  assert.deepEqual(enabledTypes(info?.nativeMediaCapability?.content), ['audio'], 'audio still the TS’s own');
  await telcp.hangup(call.callID);
  await finalState(call.callID, [[tv, session, 'Stopped']], remote.sipp);

  const incoming = nextIncoming();
  const sipp = await caller(home);
  const ringing = await incoming;
  mark = log().mark();
  const answered = await telcp.answer(ringing.callID, { native: true });
  // 3.2.2: 3 AcceptCall (nativeMediaCapability from the Ringing CallInfo), 5 StartMediaTransfer.
  assertSteps(log(), mark, ['TS AcceptCall', 'TS StartMediaTransfer'], '3.2.2');
  assert.equal(answered.status, 'Talking');
  await telcp.hangup(ringing.callID);
  await finalState(ringing.callID, [], sipp);
});
