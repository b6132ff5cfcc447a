/**
 * More of the Telephony Control Point library against `hometel start` (its own process) over real UPnP on lo, with
 * SIPp over real SIP: media sharing (2.3.1, architecture 2: a second TC's Media Session receives TC1's stream,
 * <shareMedia> in StartMediaTransfer), a monopolised Call handed over twice (ChangeMonopolizer, 2.6.12, A → B → C),
 * and callback availability (2.4.4, 2.6.19–2.6.21) found by the line's OPTIONS probes of a SIPp callee that is busy
 * first and then answers.
 *
 * RTP: the TS's relay 45000–45199, the TCs 45200–45399 (no other test uses 45000–45999).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { WavFileSource } from '../../src/media/audio/wav-file-source.js';
import { tcRecordingName } from '../../src/media/bridge/index.js';
import type { CallBackAvailable, TelephonyClient, TsSession } from '../../src/telephony/control/index.js';
import { waitFor } from '../support/net.js';
import { assertTone, sleep } from '../support/relay.js';
import { expectSippSuccess, sippCount } from '../support/sipp.js';
import { assertRefused as refused, assertSteps, sessionOf, availabilityCallee, remoteParty, useHome, type HometelHome } from '../support/telcp.js';

const TV_TONE = 1000;

let home: HometelHome;
let telcp: TsSession;
let tv: TelephonyClient;
let kitchen: TelephonyClient;

// A short probe interval: the callback test sees the callee's change within a second or two.
useHome({ clients: [{ name: 'tv', tone: TV_TONE }, { name: 'kitchen' }], rtpBase: 45000, sip: { probeIntervalSeconds: 1 } }, (h, session) => {
  home = h;
  telcp = session;
  tv = h.tcs.tv!;
  kitchen = h.tcs.kitchen!;
});

test('2.3.1 media sharing: TC2 joins with shareMedia = TC1’s Media Session, is Started, bound, and records TC1’s tone', async () => {
  const remote = await remoteParty();
  const log = home.tcp.log;
  const call = await telcp.call(remote.callee, { clients: [tv] });
  const tc1 = sessionOf(call, tv);

  const mark = log.mark();
  const joined = await telcp.modify(call.callID, { clients: [tv, kitchen], shareMedia: tc1 });
  const sharedAt = Date.now();
  // TC2's capabilities, the TS's, ModifyCall; then one StartMediaTransfer per session (as C.19): TC1's as it was,
  // then TC2's new session and its own request carrying <shareMedia> (mixing and sharing are exclusive, 2.4.2.2).
  assertSteps(
    log,
    mark,
    ['TC GetMediaCapabilities', 'TS GetMediaCapabilities', 'TS ModifyCall', 'TS StartMediaTransfer', 'TC StartMediaSession', 'TS StartMediaTransfer'],
    '2.3.1 architecture 2',
  );
  assert.equal(joined.accepted, true);
  const tc2 = sessionOf(joined.call, kitchen);
  const sent = log.since(mark);
  assert.equal(sent[4]!.udn, kitchen.udn, 'StartMediaSession on TC2');
  const [first, second] = [sent[3], sent[5]];
  assert.equal(first!.args.TCList, tc1);
  // The log summarises MediaCapabilityInfo: "tc:audio", "mixing:1", "share:<id>".
  assert.equal(first!.args.MediaCapabilityInfo, 'tc:audio', 'TC1’s transfer: no sharing, no mixing');
  assert.equal(second!.args.TCList, tc2);
  assert.equal(second!.args.MediaCapabilityInfo, `tc:audio share:${tc1}`, 'TC2’s transfer: <shareMedia> names TC1’s session, no mixing');

  // TC2's session is Started and bound to the call; the TS lists both sessions and the sharing.
  assert.equal(kitchen.session(tc2)?.mediaSessionStatus, 'Started');
  const [ms] = await kitchen.getMediaSessionInfo(tc2);
  assert.equal(ms?.mediaSessionStatus, 'Started');
  const [info] = await telcp.getCallInfo(call.callID);
  assert.equal(info?.callStatus, 'Talking');
  assert.deepEqual(info?.tcList?.map((t) => t.mediaSessionID), [tc1, tc2], 'the TS lists both TCs');
  assert.equal(info?.tcList?.[1]?.udn, kitchen.udn);
  assert.equal(info?.shareMedia?.trim(), tc1, 'the call shares TC1’s session');
  assert.equal(info?.enableMediaMixing, undefined);

  // TC2 (silent itself; SIPp sends no RTP) receives TC1's stream: its recording holds TC1's tone.
  await sleep(2000);
  const ended = await telcp.hangup(call.callID);
  const sharedMs = Date.now() - sharedAt;
  assert.equal(ended.status, 'Disconnected');
  const [after2] = await kitchen.getMediaSessionInfo(tc2);
  assert.equal(after2?.mediaSessionStatus, 'Stopped');
  const recording = new WavFileSource(join(home.dir, 'kitchen', tcRecordingName(tc2, 'audio'))).samples;
  assertTone(recording, TV_TONE, Math.min(sharedMs, 2000) - 500, 'TC2 records TC1’s stream');
  expectSippSuccess(await remote.sipp.done, 'SIPp, the Remote Party');
});

test('2.6.12 ChangeMonopolizer twice: A → B → C; each new monopolizer manages the call, the previous one gets 713', async () => {
  const cpB = await home.controlPoint();
  const cpC = await home.controlPoint();
  const a = await home.tcp.openSession(home.ts, { name: 'A@Hall' });
  const b = await cpB.openSession(cpB.servers()[0]!, { name: 'B@Study' });
  const c = await cpC.openSession(cpC.servers()[0]!, { name: 'C@Garden' });
  try {
    const remote = await remoteParty();
    const call = await a.call(remote.callee, { clients: [tv], mode: 'PHONE-TelCP' });
    const callID = call.callID;
    assert.equal(call.status, 'Talking');
    const session = sessionOf(call, tv);

    const steps: Array<[TsSession, TsSession, string, HometelHome['tcp']]> = [
      [a, b, 'B@Study', home.tcp],
      [b, c, 'C@Garden', cpB],
    ];
    for (const [from, to, name, fromCp] of steps) {
      let mark = fromCp.log.mark();
      await from.handOver(callID, name);
      assertSteps(fromCp.log, mark, ['TS ChangeMonopolizer'], `ChangeMonopolizer to ${name}`);
      assert.equal(fromCp.log.since(mark)[0]!.args.NewMonopolizer, name);
      await waitFor(() => to.getCall(callID)?.mine === true, `${name} takes the call over`, 10_000);
      // The new monopolizer manages the call: its full information, with the TC's session.
      const [full] = await to.getCallInfo(callID);
      assert.equal(full?.callStatus, 'Talking');
      assert.equal(full?.remoteParty?.id, remote.callee, `${name} reads the full information`);
      assert.equal(full?.tcList?.[0]?.mediaSessionID, session);
      assert.ok(to.getCall(callID)!.media.some((m) => m.mediaSessionID === session), `${name} knows the TC’s session`);
      // The previous one may no longer end it.
      mark = fromCp.log.mark();
      await refused(from.hangup(callID), 713);
      assertSteps(fromCp.log, mark, ['TS StopCall → 713'], `the previous monopolizer after the hand-over to ${name}`);
      assert.equal(from.getCall(callID)!.mine, false);
    }
    // A, two hand-overs back, is refused too.
    await refused(a.hangup(callID), 713);

    const mark = cpC.log.mark();
    const ended = await c.hangup(callID);
    assertSteps(cpC.log, mark, ['TS StopCall', 'TC StopMediaSession'], 'C hangs up');
    assert.equal(ended.status, 'Disconnected');
    const [info] = await c.getCallInfo(callID);
    assert.equal(info?.callStatus, 'Disconnected');
    const [ms] = await tv.getMediaSessionInfo(session);
    assert.equal(ms?.mediaSessionStatus, 'Stopped');
    expectSippSuccess(await remote.sipp.done, 'SIPp, the Remote Party');
  } finally {
    for (const s of [a, b, c]) await s.close().catch(() => undefined);
  }
});

test('2.4.4 / 2.6.19–2.6.21 callback: a busy SIPp callee, then one that answers the probes; callback-available, then cleared', async () => {
  const busy = await availabilityCallee(home.dir, 486);
  const port = Number(new URL(busy.callee.replace(/^sip:/, 'sip://')).port);
  const seen: CallBackAvailable[] = [];
  const onAvailable = (x: CallBackAvailable): void => void seen.push(x);
  telcp.on('callback-available', onAvailable);
  try {
    const mark = home.tcp.log.mark();
    const id = await telcp.registerCallBack(busy.callee);
    assert.match(id, /\S/);
    assert.deepEqual(await telcp.callBacks(), [{ callBackID: id, callee: busy.callee }]);
    // The line probes (presence refused, then OPTIONS every second): busy, so nothing is evented.
    await sleep(3000);
    assert.deepEqual(seen, [], 'a busy callee is not available');

    // The callee becomes available: another SIPp at the same address answers the probes 200.
    const busyRun = await busy.sipp.stop();
    assert.ok(sippCount(busyRun, 'OPTIONS', 'Recv') >= 2, `the line probed the busy callee with OPTIONS:\n${busyRun.report()}`);
    const free = await availabilityCallee(home.dir, 200, port);
    assert.equal(free.callee, busy.callee);
    await waitFor(() => seen.length > 0, 'callback-available', 20_000);
    assert.deepEqual(seen[0], { callBackIDs: [id], callees: [busy.callee] });

    await telcp.clearCallBack();
    assert.deepEqual(await telcp.callBacks(), []);
    assertSteps(home.tcp.log, mark, ['TS RegisterCallBack', 'TS GetCallBackInfo', 'TS ClearCallBack', 'TS GetCallBackInfo'], '2.6.19–2.6.21');
  } finally {
    telcp.off('callback-available', onAvailable);
    await telcp.clearCallBack().catch(() => undefined);
  }
});
