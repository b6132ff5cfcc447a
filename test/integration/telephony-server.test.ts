/**
 * The CallManagement:1 service of a running Telephony Server, driven over real UPnP on lo with a
 * scripted line as the WAN side: identity, TelCPName registry, outgoing and incoming Calls, logs.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseCallInfoList, parseCallLogs, parseSupportedMediaCapabilityInfo } from '../../src/telephony/contracts/call-management/cams-xml.js';
import { CallInfoEvents, expectError, mediaInfo, remoteOfferSdp, startTestTelephonyServer, tcAudioSdp } from '../support/telephony-server.js';
import { waitFor } from '../support/net.js';

const ts = await startTestTelephonyServer();
const events = await CallInfoEvents.subscribe(ts);
test.after(() => ts.stop());

const nonMono = { TelCPName: '', SecretKey: '' };

test('CallManagement 2.6.1: GetTelephonyIdentity returns the line identity, 714 until it has one', async () => {
  assert.deepEqual(await ts.cm.invoke('GetTelephonyIdentity'), { TelephonyIdentity: 'sip:home@127.0.0.1' });
  ts.line.setIdentity(undefined);
  await expectError(ts.cm.invoke('GetTelephonyIdentity'), 714);
  ts.line.setIdentity('sip:home@127.0.0.1');
});

test('CallManagement 2.6.2–2.6.5: register, renew, change and unregister a TelCPName; TelCPNameList is evented', async () => {
  const r = await ts.cm.invoke('RegisterTelCPName', { TelCPName: 'TV@Living', CurrentSecretKey: '' });
  assert.match(String(r.NewSecretKey), /^[0-9a-f]{32,}$|^[A-Za-z0-9+/=_-]{22,}$/, 'at least 128 random bits');
  assert.ok(Number(r.Expires) > 0);
  await waitFor(() => events.names.includes('TV@Living'), 'TelCPNameList event');
  await expectError(ts.cm.invoke('RegisterTelCPName', { TelCPName: 'TV@Living', CurrentSecretKey: '' }), 702);
  await expectError(ts.cm.invoke('RegisterTelCPName', { TelCPName: 'TV@Living', CurrentSecretKey: 'wrong' }), 701);
  const renewed = await ts.cm.invoke('RegisterTelCPName', { TelCPName: 'TV@Living', CurrentSecretKey: r.NewSecretKey! });
  const changed = await ts.cm.invoke('ChangeTelCPName', { CurrentTelCPName: 'TV@Living', CurrentSecretKey: renewed.NewSecretKey!, NewTelCPName: 'TV@Kitchen' });
  assert.deepEqual(await ts.cm.invoke('GetTelCPNameList'), { TelCPNameList: 'TV@Kitchen' });
  await expectError(ts.cm.invoke('UnregisterTelCPName', { TelCPName: 'TV@Kitchen', SecretKey: 'nope' }), 701);
  await ts.cm.invoke('UnregisterTelCPName', { TelCPName: 'TV@Kitchen', SecretKey: changed.NewSecretKey! });
  assert.deepEqual(await ts.cm.invoke('GetTelCPNameList'), { TelCPNameList: '' });
  await waitFor(() => events.names.at(-1) === '', 'TelCPNameList event after unregister');
});

test('CallManagement 2.6.6: GetMediaCapabilities returns everything, or the subset of the TC capability the TS supports', async () => {
  const all = parseSupportedMediaCapabilityInfo(String((await ts.cm.invoke('GetMediaCapabilities', { TCMediaCapabilityInfo: '' })).SupportedMediaCapabilityInfo));
  assert.ok(all.ok);
  assert.equal(all.value.mediaMixingCapability, true);
  assert.match(all.value.mediaCapability!.content, /m=audio .*\r\n[\s\S]*m=video/);
  assert.ok(all.value.nativeMediaCapability);
  const tc = tcAudioSdp.replace('RTP/AVP 0', 'RTP/AVP 0 18').replace('a=ptime', 'a=rtpmap:18 G729/8000\r\na=ptime');
  const sub = parseSupportedMediaCapabilityInfo(String((await ts.cm.invoke('GetMediaCapabilities', { TCMediaCapabilityInfo: mediaInfo(tc) })).SupportedMediaCapabilityInfo));
  assert.ok(sub.ok);
  assert.match(sub.value.mediaCapability!.content, /m=audio 41000 RTP\/AVP 0\r\n/, 'G.729 is not supported by the TS, PCMU is');
  assert.equal(sub.value.mediaMixingCapability, undefined, 'mixing/sharing capabilities only in the full answer');
  await expectError(ts.cm.invoke('GetMediaCapabilities', { TCMediaCapabilityInfo: '<not-cams/>' }), 402);
});

test('CallManagement 2.7.1.1: an outgoing Call goes Dialing → Calling → Connected → Talking → Disconnected and is logged', async () => {
  const { CallID } = await ts.cm.invoke('StartCall', {
    ...nonMono,
    CalleeID: 'tel:0774940201',
    CallPriority: 'Normal',
    MediaCapabilityInfo: mediaInfo(tcAudioSdp),
    CallMode: 'Non-Monopolize',
  });
  const id = String(CallID);
  const placed = ts.line.last('place')!;
  assert.equal(placed.request.callee, 'tel:0774940201');
  await events.waitFor(id, 'Dialing');
  ts.line.remote.provisional(placed.lineCallId);
  await events.waitFor(id, 'Calling');
  ts.line.remote.answered(placed.lineCallId, remoteOfferSdp);
  const connected = await events.waitFor(id, 'Connected');
  assert.equal(connected.remoteParty?.id, '0774940201');
  await ts.cm.invoke('StartMediaTransfer', {
    ...nonMono,
    TargetCallID: id,
    TCList: '<?xml version="1.0"?><cams:TCList xmlns:cams="urn:schemas-upnp-org:phone:cams"><TC><UDN>uuid:tc-1</UDN><mediaSessionID>ms-1</mediaSessionID></TC></cams:TCList>',
    MediaCapabilityInfo: '',
  });
  const talking = await events.waitFor(id, 'Talking');
  assert.deepEqual(talking.tcList, [{ udn: 'uuid:tc-1', mediaSessionID: 'ms-1' }]);
  await ts.cm.invoke('StopCall', { ...nonMono, CallID: id });
  await events.waitFor(id, 'Disconnected');
  assert.equal(ts.line.last('hangUp')?.lineCallId, placed.lineCallId);
  assert.deepEqual(events.statuses(id), ['Dialing', 'Calling', 'Connected', 'Talking', 'Disconnected'], 'each transition evented once');
  await expectError(ts.cm.invoke('StopCall', { ...nonMono, CallID: id }), 712);
  await expectError(ts.cm.invoke('StopCall', { ...nonMono, CallID: 'no-such-call' }), 703);

  const logs = parseCallLogs(String((await ts.cm.invoke('GetCallLogs')).CallLogs));
  assert.ok(logs.ok);
  const entry = logs.value[0]!;
  assert.equal(entry.direction, 'outgoing');
  assert.equal(entry.success, true);
  assert.equal(entry.callee[0].id, '0774940201');
  assert.match(entry.startDateTime, /^\d{4}-\d\d-\d\dT/);
});

test('CallManagement 2.7.1.2: an incoming Call rings with the caller and its offer, and AcceptCall answers with a subset', async () => {
  const lineId = ts.line.ring({ id: '0355550101' }, remoteOfferSdp);
  await waitFor(() => events.all.some((c) => c.callStatus === 'Ringing' && c.remoteParty?.id === '0355550101'), 'Ringing');
  const ringing = events.all.find((c) => c.callStatus === 'Ringing' && c.remoteParty?.id === '0355550101')!;
  assert.deepEqual(ringing.targetNames, { type: 'TelCPName', names: '*' });
  assert.match(ringing.mediaCapability!.content, /PCMA/);
  const video = 'v=0\r\no=- 0 0 IN IP4 127.0.0.1\r\ns=-\r\nc=IN IP4 127.0.0.1\r\nt=0 0\r\nm=video 41002 RTP/AVP 96\r\na=rtpmap:96 H264/90000\r\n';
  await expectError(
    ts.cm.invoke('AcceptCall', { ...nonMono, TargetCallID: ringing.callID, MediaCapabilityInfo: mediaInfo(video), CallMode: 'Non-Monopolize' }),
    707,
  );
  await ts.cm.invoke('AcceptCall', { ...nonMono, TargetCallID: ringing.callID, MediaCapabilityInfo: mediaInfo(tcAudioSdp), CallMode: 'Non-Monopolize' });
  const connected = await events.waitFor(ringing.callID, 'Connected');
  assert.match(connected.mediaCapability!.content, /m=audio 41000 RTP\/AVP 0\r\n/);
  assert.equal(ts.line.last('answer')?.lineCallId, lineId);
  ts.line.remote.remoteHangUp(lineId);
  await events.waitFor(ringing.callID, 'Disconnected');
});

test('CallManagement 2.6.16: GetCallInfo lists Calls; the caller cancelling an incoming Call ends it with reason Cancelled', async () => {
  const lineId = ts.line.ring({ id: 'anonymous' }, remoteOfferSdp);
  await waitFor(() => events.all.some((c) => c.callStatus === 'Ringing' && c.remoteParty?.id === 'anonymous'), 'Ringing');
  const id = events.all.find((c) => c.remoteParty?.id === 'anonymous')!.callID;
  const list = parseCallInfoList(String((await ts.cm.invoke('GetCallInfo', { ...nonMono, TargetCallID: id })).CallInfoList));
  assert.ok(list.ok);
  assert.equal(list.value[0]!.callStatus, 'Ringing');
  ts.line.remote.remoteCancelled(lineId);
  const ended = await events.waitFor(id, 'Disconnected');
  assert.equal(ended.reason, 'Cancelled');
});

test('CallManagement 2.6.7: StartCall refuses a bad CalleeID (704), CallMode (706), priority (705) and media (707)', async () => {
  const base = { ...nonMono, CalleeID: 'sip:bob@127.0.0.1', CallPriority: 'Normal', MediaCapabilityInfo: '', CallMode: 'Non-Monopolize' };
  await expectError(ts.cm.invoke('StartCall', { ...base, CalleeID: 'mailto:bob@example.org' }), 704);
  await expectError(ts.cm.invoke('StartCall', { ...base, CallMode: 'Whatever' }), 706);
  await expectError(ts.cm.invoke('StartCall', { ...base, CallMode: 'DP-TelCP' }), 706);
  await expectError(ts.cm.invoke('StartCall', { ...base, CallPriority: 'Urgent' }), 705);
  const g729 = tcAudioSdp.replace('RTP/AVP 0', 'RTP/AVP 18').replace('rtpmap:0 PCMU', 'rtpmap:18 G729');
  await expectError(ts.cm.invoke('StartCall', { ...base, MediaCapabilityInfo: mediaInfo(g729) }), 707);
  await expectError(ts.cm.invoke('StartCall', { ...base, MediaCapabilityInfo: mediaInfo(tcAudioSdp, '<enableMediaMixing>1</enableMediaMixing><shareMedia>m1</shareMedia>') }), 707);
  await expectError(ts.cm.invoke('StartCall', { ...base, CallMode: 'PHONE-TelCP', TelCPName: 'ghost', SecretKey: 'x' }), 701);
});

test('CallManagement 2.6.19–2.6.21: callbacks register once per callee, are listed, evented when available, and cleared', async () => {
  const a = await ts.cm.invoke('RegisterCallBack', { CalleeID: 'sip:carol@127.0.0.1' });
  const again = await ts.cm.invoke('RegisterCallBack', { CalleeID: 'sip:carol@127.0.0.1' });
  assert.equal(again.CallBackID, a.CallBackID, 'idempotent per callee');
  assert.deepEqual(ts.line.last('watch'), { kind: 'watch', calleeId: 'sip:carol@127.0.0.1', watch: true });
  await expectError(ts.cm.invoke('RegisterCallBack', { CalleeID: 'not a uri' }), 709);
  assert.match(String((await ts.cm.invoke('GetCallBackInfo')).CallbackInfo), new RegExp(String(a.CallBackID)));
  const sub = await ts.cp.subscribe(ts.cm);
  const avail: string[] = [];
  sub.on('event', (vars) => {
    const v = vars.get('CallBackAvailability');
    if (typeof v === 'string' && v !== '') avail.push(v);
  });
  ts.line.remote.availability('sip:carol@127.0.0.1', true);
  await waitFor(() => avail.some((v) => v.includes(String(a.CallBackID))), 'CallBackAvailability event');
  await sub.close();
  await expectError(ts.cm.invoke('ClearCallBack', { CallbackID: 'cb-unknown' }), 711);
  await ts.cm.invoke('ClearCallBack', { CallbackID: '' });
  assert.deepEqual(ts.line.last('watch'), { kind: 'watch', calleeId: 'sip:carol@127.0.0.1', watch: false });
  assert.doesNotMatch(String((await ts.cm.invoke('GetCallBackInfo')).CallbackInfo), /cb-/);
});

test('ClearCallBack also accepts the argument spelled CallBackID (section 4 of the spec spells it so)', async () => {
  const { CallBackID } = await ts.cm.invoke('RegisterCallBack', { CalleeID: 'tel:+12015550123' });
  await ts.cm.invokeWire('ClearCallBack', [['CallBackID', String(CallBackID)]]);
  assert.doesNotMatch(String((await ts.cm.invoke('GetCallBackInfo')).CallbackInfo), new RegExp(String(CallBackID)));
});

test('CallManagement 2.4.10: a Call to a TelCPName stays in the home and rings only that TelCP', async () => {
  const kid = await ts.cm.invoke('RegisterTelCPName', { TelCPName: 'kid@Upstairs', CurrentSecretKey: '' });
  const mum = await ts.cm.invoke('RegisterTelCPName', { TelCPName: 'mum@Kitchen', CurrentSecretKey: '' });
  const placedBefore = ts.line.commands.filter((c) => c.kind === 'place').length;
  const { CallID } = await ts.cm.invoke('StartCall', {
    TelCPName: 'mum@Kitchen',
    SecretKey: mum.NewSecretKey!,
    CalleeID: 'kid@Upstairs',
    CallPriority: 'Normal',
    MediaCapabilityInfo: mediaInfo(tcAudioSdp),
    CallMode: 'Non-Monopolize',
  });
  await events.waitFor(String(CallID), 'Calling');
  await waitFor(() => events.all.some((c) => c.callStatus === 'Ringing' && c.targetNames.names !== '*' && c.targetNames.names.includes('kid@Upstairs')), 'Ringing for kid');
  const ringing = events.all.find((c) => c.callStatus === 'Ringing' && c.targetNames.names !== '*' && c.targetNames.names.includes('kid@Upstairs'))!;
  assert.equal(ts.line.commands.filter((c) => c.kind === 'place').length, placedBefore, 'nothing went to the WAN line');
  await expectError(ts.cm.invoke('AcceptCall', { ...nonMono, TargetCallID: ringing.callID, MediaCapabilityInfo: '', CallMode: 'Non-Monopolize' }), 701);
  await ts.cm.invoke('AcceptCall', { TelCPName: 'kid@Upstairs', SecretKey: kid.NewSecretKey!, TargetCallID: ringing.callID, MediaCapabilityInfo: '', CallMode: 'Non-Monopolize' });
  await events.waitFor(ringing.callID, 'Connected');
  await events.waitFor(String(CallID), 'Connected');
  await ts.cm.invoke('StopCall', { ...nonMono, CallID: String(CallID) });
  await events.waitFor(String(CallID), 'Disconnected');
  await events.waitFor(ringing.callID, 'Disconnected');
});
