/**
 * A TsSession against a Telephony Server and two Telephony Clients hosted in this process (a scripted line as the
 * WAN side, fake media endpoints), over real UPnP on lo: what the acceptance tests with hometel and SIPp cannot
 * provoke at will — a taken TelCPName, renewal before Expires, events lost while the TS was away (the model is
 * read again with GetCallInfo), ModifyFailed and a refused remote modification (StartMediaTransfer follows, as
 * 2.6.11.4/2.6.12.4 require), a refused or cancelled call, callbacks and their availability event.
 */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import type { CallView, TelephonyClient, TelephonyServer, TsSession } from '../../src/telephony/control/index.js';
import { TelephonyError } from '../../src/telephony/control/index.js';
import { waitFor } from '../support/net.js';
import { assertSteps, startLocalHome, type LocalHome } from '../support/telcp.js';
import { remoteOfferSdp } from '../support/telephony-server.js';

let home: LocalHome;
let ts: TelephonyServer;
let tc1: TelephonyClient;
let tc2: TelephonyClient;
const sessions: TsSession[] = [];

before(async () => {
  home = await startLocalHome({ clients: 2, telcpExpiresSec: 2, disconnectedRetentionMs: 60_000 });
  ts = home.tcp.servers()[0]!;
  tc1 = home.tcp.client('tc1 client')!;
  tc2 = home.tcp.client('tc2 client')!;
});

after(async () => {
  for (const s of sessions) await s.close().catch(() => undefined);
  await home?.stop();
});

async function session(name?: string): Promise<TsSession> {
  const s = await home.tcp.openSession(ts, name !== undefined ? { name, eventTimeoutMs: 3_000 } : { eventTimeoutMs: 3_000 });
  sessions.push(s);
  return s;
}

/** The WAN side answers the call the TS placed last (after a 180). */
async function remoteAnswers(): Promise<void> {
  const before = home.line.commands.filter((c) => c.kind === 'place').length;
  await waitFor(() => home.line.commands.filter((c) => c.kind === 'place').length > before, 'the TS places the call');
  const id = home.line.last('place')!.lineCallId;
  home.line.remote.provisional(id);
  home.line.remote.answered(id, remoteOfferSdp);
}

/** An outgoing audio call with tc1, Talking. */
async function talking(s: TsSession): Promise<CallView> {
  const [call] = await Promise.all([s.call('sip:bob@127.0.0.9', { clients: [tc1] }), remoteAnswers()]);
  assert.equal(call.status, 'Talking');
  return call;
}

test('TelCPName: registered at start, name-2 when taken (702), a typed 702 when told to fail, renewed before Expires', async () => {
  const a = await session('TV@Living');
  assert.equal(a.telCPName, 'TV@Living');
  const b = await session('TV@Living');
  assert.equal(b.telCPName, 'TV@Living-2', 'the second control point takes the next free name');
  await waitFor(() => a.telCPNames().includes('TV@Living-2'), 'TelCPNameList evented to the first');
  const refused = await home.tcp.openSession(ts, { name: 'TV@Living', onNameTaken: 'fail' }).then(
    () => assert.fail('a taken name must fail'),
    (e: unknown) => e,
  );
  assert.ok(refused instanceof TelephonyError);
  assert.equal(refused.errorCode, 702);
  assert.equal(refused.sentence, 'the TelCPName is already used by another control point');
  // Expires is 2 s here: the renewal comes after 1 s with the current key, and the new key works.
  const mark = home.tcp.log.mark();
  const renewed = await new Promise<{ name: string }>((resolve) => a.once('registered', resolve));
  assert.equal(renewed.name, 'TV@Living');
  const renewal = home.tcp.log.since(mark).find((r) => r.action === 'RegisterTelCPName')!;
  assert.deepEqual(renewal.args, { TelCPName: 'TV@Living' }, 'the key is sent, never logged');
  assert.equal(renewal.outcome, 'ok');
  await a.refresh();
  const call = await talking(a);
  await a.hangup(call.callID);
});

test('a refused call rejects with call-ended and its reason; aborting a call cancels it (StopCall, C.15)', async () => {
  const s = await session();
  const placed = s.call('sip:busy@127.0.0.9', { clients: [tc1] });
  await waitFor(() => home.line.last('place')?.request.callee === 'sip:busy@127.0.0.9', 'placed');
  home.line.fail(home.line.last('place')!.lineCallId, 'Busy');
  const busy = await placed.then(
    () => assert.fail('a busy callee must reject'),
    (e: unknown) => e,
  );
  assert.ok(busy instanceof TelephonyError);
  assert.equal(busy.kind, 'call-ended');
  assert.equal(busy.reason, 'Busy');
  assert.equal(s.getCall(busy.callID!)?.status, 'Disconnected');

  const abort = new AbortController();
  const mark = home.tcp.log.mark();
  const cancelled = s.call('sip:carol@127.0.0.9', { clients: [tc1], signal: abort.signal }).catch((e: unknown) => e);
  await waitFor(() => home.line.last('place')?.request.callee === 'sip:carol@127.0.0.9', 'placed');
  home.line.remote.provisional(home.line.last('place')!.lineCallId);
  await waitFor(() => s.calls().some((c) => c.status === 'Calling'), 'Calling');
  abort.abort();
  const e = await cancelled;
  assert.ok(e instanceof TelephonyError && e.kind === 'call-ended' && e.reason === 'Cancelled', String(e));
  assertSteps(home.tcp.log, mark, ['TC GetMediaCapabilities', 'TS GetMediaCapabilities', 'TS StartCall', 'TS StopCall'], 'C.15');
  assert.equal(home.line.last('cancel')?.lineCallId, home.line.last('place')!.lineCallId, 'the line cancelled the call');
});

test('events lost while the TS was away: after the resubscription the model is read again (GetCallInfo)', async () => {
  const s = await session('Kitchen');
  const call = await talking(s);
  const lineCallId = home.line.last('place')!.lineCallId;
  const ended: string[] = [];
  s.on('call-ended', (v) => ended.push(v.callID));
  const mark = home.tcp.log.mark();
  const seen: string[] = [];
  home.tcp.on('server-removed', (d) => seen.push(`server-removed ${d.friendlyName}`));
  home.tcp.on('client-removed', (d) => seen.push(`client-removed ${d.friendlyName}`));
  home.tcp.on('server-added', (d) => seen.push(`server-added ${d.friendlyName}`));
  // The remote party hangs up while the TS's UPnP side is gone: its Disconnected event reaches nobody.
  await home.restart(() => home.line.remote.remoteHangUp(lineCallId));
  // Gone (its byebye, or at the latest its restart seen in the new BOOTID) and back.
  await waitFor(() => seen.includes('server-added local line'), 'the Telephony Server is back', 15_000);
  assert.deepEqual(seen.slice(0, 4), ['server-removed local line', 'client-removed tc1 client', 'client-removed tc2 client', 'server-added local line']);
  assert.equal(home.tcp.server('local line'), ts, 'the handle outlives the restart');
  await waitFor(() => s.getCall(call.callID)?.status === 'Disconnected', 'the model learns the call ended', 15_000);
  assert.deepEqual(ended, [call.callID]);
  const sent = home.tcp.log.since(mark).filter((r) => r.device === 'TS').map((r) => r.action);
  assert.ok(sent.includes('RegisterTelCPName') && sent.includes('GetCallInfo'), `after the resubscription: ${sent.join(', ')}`);
  assert.deepEqual(s.getCall(call.callID)?.history.slice(-2), ['Talking', 'Disconnected']);
  await waitFor(() => home.media[0]!.openSessions().length === 0, 'the TC session of the ended call is stopped');
});

test('ModifyFailed: StartMediaTransfer with the call as it was (2.6.11.4); the call goes on Talking', async () => {
  const s = await session();
  const call = await talking(s);
  const mark = home.tcp.log.mark();
  const modified = s.modify(call.callID, { clients: [tc1, { client: tc2, media: ['video'] }], media: ['audio', 'video'] });
  await waitFor(() => home.line.last('modify') !== undefined && home.line.commands.at(-1)?.kind === 'modify', 'the line re-offers');
  home.line.remote.modifyRejected(home.line.last('modify')!.lineCallId);
  const result = await modified;
  assert.equal(result.accepted, false);
  assert.equal(result.reason, 'Rejected');
  assert.equal(result.call.status, 'Talking');
  assert.deepEqual(result.call.media.map((b) => [b.client, b.media]), [[tc1.udn, ['audio']]], 'the call kept its media');
  assertSteps(home.tcp.log, mark, ['TC GetMediaCapabilities', 'TS GetMediaCapabilities', 'TS ModifyCall', 'TS StartMediaTransfer'], '2.6.11.4 (ModifyFailed)');
  assert.deepEqual(home.media[1]!.openSessions(), [], 'no session was started on tc2');
  await s.hangup(call.callID);
});

test('a remote modification refused: RejectCall, then at ModifyFailed StartMediaTransfer (2.6.12.4, 2.7.1.4-3)', async () => {
  const s = await session();
  const call = await talking(s);
  const requests: string[] = [];
  s.on('modify-request', (v) => requests.push(v.callID));
  home.line.remote.remoteModify(home.line.last('place')!.lineCallId, remoteOfferSdp.replace('a=rtpmap:8', 'a=sendonly\r\na=rtpmap:8'));
  await waitFor(() => requests.includes(call.callID), 'modify-request');
  const mark = home.tcp.log.mark();
  const after = await s.rejectModify(call.callID, 'not now');
  assert.equal(after.status, 'Talking');
  assert.deepEqual(after.history.slice(-3), ['ReceivingModifyRequest', 'ModifyFailed', 'Talking']);
  assertSteps(home.tcp.log, mark, ['TS RejectCall', 'TS StartMediaTransfer'], '2.7.1.4 (reject a modification)');
  assert.equal(home.line.last('rejectModify')?.lineCallId, home.line.last('place')!.lineCallId);
  const ended = await s.hangup(call.callID);
  assert.equal(ended.status, 'Disconnected');
  assert.deepEqual(home.media[0]!.openSessions(), [], 'hang-up stopped the TC session');
});

test('callbacks: registered, listed, an availability event names the callee, cleared', async () => {
  const s = await session();
  const id = await s.registerCallBack('sip:dave@127.0.0.9');
  assert.deepEqual(home.line.last('watch'), { kind: 'watch', calleeId: 'sip:dave@127.0.0.9', watch: true });
  assert.ok((await s.callBacks()).some((c) => c.callBackID === id && c.callee === 'sip:dave@127.0.0.9'));
  const available = new Promise<{ callBackIDs: readonly string[]; callees: readonly string[] }>((resolve) => s.once('callback-available', resolve));
  home.line.remote.availability('sip:dave@127.0.0.9', true);
  const event = await available;
  assert.deepEqual([...event.callBackIDs], [id]);
  assert.deepEqual([...event.callees], ['sip:dave@127.0.0.9']);
  await s.clearCallBack(id);
  assert.deepEqual(await s.callBacks(), []);
  const unknown = await s.clearCallBack(id).then(
    () => assert.fail('a cleared callback is gone'),
    (e: unknown) => e,
  );
  assert.ok(unknown instanceof TelephonyError && unknown.errorCode === 711, String(unknown));
  const logs = await s.callLogs();
  assert.ok(logs.length >= 1, 'the calls of this file are in the call logs');
  assert.ok(logs.some((l) => l.direction === 'outgoing' && l.callee[0].id === 'sip:bob@127.0.0.9'));
  await s.clearCallLogs();
  assert.deepEqual(await s.callLogs(), []);
  assert.equal(await s.telephonyIdentity(), 'sip:home@127.0.0.1');
});

test('two TCs on one audio stream (2.3.1 figure 4): a Media Session and a StartMediaTransfer per TC, mixing on', async () => {
  const s = await session();
  const mark = home.tcp.log.mark();
  const [call] = await Promise.all([s.call('sip:erin@127.0.0.9', { clients: [tc1, tc2] }), remoteAnswers()]);
  assertSteps(
    home.tcp.log,
    mark,
    ['TC GetMediaCapabilities', 'TC GetMediaCapabilities', 'TS GetMediaCapabilities', 'TS StartCall', 'TC StartMediaSession', 'TS StartMediaTransfer', 'TC StartMediaSession', 'TS StartMediaTransfer'],
    '2.3.1 figure 4',
  );
  const transfers = home.tcp.log.since(mark).filter((r) => r.action === 'StartMediaTransfer');
  assert.deepEqual(transfers.map((r) => r.args.MediaCapabilityInfo), ['tc:audio mixing:1', 'tc:audio mixing:1']);
  assert.deepEqual(call.media.map((b) => b.media), [['audio'], ['audio']]);
  const [info] = await s.getCallInfo(call.callID);
  assert.equal(info?.enableMediaMixing, true);
  assert.equal(info?.tcList?.length, 2);
  // Mixing off at once (2.3.1: "at any time … by invoking ModifyCall()"), the TCs unchanged.
  const modified = s.modify(call.callID, { enableMediaMixing: false });
  await waitFor(() => home.line.commands.at(-1)?.kind === 'modify', 'the line re-offers');
  home.line.remote.modifyAccepted(home.line.last('modify')!.lineCallId, remoteOfferSdp);
  const result = await modified;
  assert.equal(result.accepted, true);
  assert.equal((await s.getCallInfo(call.callID))[0]?.enableMediaMixing, false);
  await s.hangup(call.callID);
  assert.deepEqual([...home.media[0]!.openSessions(), ...home.media[1]!.openSessions()], []);
});

test('a kept identity (a CLI’s next run): the name is renewed with its key (C.3) and still manages its monopolised call', async () => {
  const first = await session('Phone@Hall');
  const [call] = await Promise.all([first.call('sip:frank@127.0.0.9', { clients: [tc1], mode: 'PHONE-TelCP' }), remoteAnswers()]);
  const kept = first.identity!;
  await first.close({ unregister: false });
  const mark = home.tcp.log.mark();
  const next = await home.tcp.openSession(ts, { identity: kept });
  sessions.push(next);
  assert.equal(next.telCPName, 'Phone@Hall');
  assert.notEqual(next.identity!.secretKey, kept.secretKey, 'every renewal issues a new key');
  assert.deepEqual(home.tcp.log.since(mark)[0]!.args, { TelCPName: 'Phone@Hall' }, 'RegisterTelCPName with the kept key');
  const ended = await next.hangup(call.callID);
  assert.equal(ended.status, 'Disconnected');
  assert.deepEqual(home.media[0]!.openSessions(), [], 'the TC session named by the TCList was stopped');
  // A key the TS no longer accepts (701): the name is registered afresh — here taken, so the next one.
  const stale = await home.tcp.openSession(ts, { identity: kept });
  sessions.push(stale);
  assert.equal(stale.telCPName, 'Phone@Hall-2');
});

test('requests the library cannot carry out fail with a usage TelephonyError, before anything is sent', async () => {
  const s = await session();
  const mark = home.tcp.log.mark();
  const usage = async (p: Promise<unknown>, pattern: RegExp): Promise<void> => {
    const e = await p.then(
      () => assert.fail('must fail'),
      (x: unknown) => x,
    );
    assert.ok(e instanceof TelephonyError && e.kind === 'usage', String(e));
    assert.match(e.sentence, pattern);
  };
  await usage(s.call('sip:x@127.0.0.9'), /choose Telephony Clients/);
  await usage(s.call('sip:x@127.0.0.9', { clients: ['no such client'] }), /no Telephony Client "no such client"/);
  await usage(s.call('sip:x@127.0.0.9', { clients: [tc1], mode: 'PHONE-TelCP' }), /registered TelCPName/);
  assert.deepEqual(home.tcp.log.since(mark), []);
  await usage(home.tcp.openSession('nowhere'), /no Telephony Server "nowhere"/);
});
