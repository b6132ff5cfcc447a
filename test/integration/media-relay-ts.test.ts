/**
 * The Telephony Server with its media plane, driven as a TelCP drives it (SOAP and GENA on lo) with a scripted line
 * as the WAN side and RtpEndpoints as the Remote Party and the TCs:
 * - C.12: the line gets the TS's WAN SDP (never the TC's address), CallInfo the TS's home SDP, StartMediaTransfer
 *   starts the relay — sound both ways; StopCall releases every port;
 * - an incoming A-law Call answered for a µ-law TC (the TS shows and answers what it can transcode);
 * - C.27: ModifyCall to another TC re-offers the same WAN port and the Remote Party's stream stays continuous;
 * - C.34: TS-based audio (the TS records the Remote Party) with video via a TC;
 * - mixing switched on by StartMediaTransfer of a second TC and off by ModifyCall.
 */
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createTelephonyServer } from '../../src/app/telephony-server.js';
import { systemClock } from '../../src/base/clock.js';
import { PcmCollector } from '../../src/media/audio/pcm-collector.js';
import { SilenceSource, ToneSource } from '../../src/media/audio/sources.js';
import { pcma, pcmu } from '../../src/media/codecs/g711.js';
import { parseStreams } from '../../src/media/sdp/index.js';
import { Store } from '../../src/store/index.js';
import { buildMediaCapabilityInfo, buildTCList } from '../../src/telephony/contracts/call-management/cams-xml.js';
import { defaultMediaProfile } from '../../src/telephony/index.js';
import { ScriptedLine } from '../../src/telephony/testing/scripted-line.js';
import { ControlPoint, DeviceHost, findService } from '../../src/upnp/index.js';
import { lo, testLogger, waitFor } from '../support/net.js';
import { assertTone, host, openPeer, sdpOf, share, sleep, relayRig } from '../support/relay.js';
import { CallInfoEvents, callManagementType } from '../support/telephony-server.js';

const recorded = new PcmCollector();
const { relayPorts, peers, plane, close } = relayRig(29000, { native: () => ({ source: new ToneSource(800, 8000), sink: recorded }) });
const dataDir = mkdtempSync(join(tmpdir(), 'hometel-ts-media-'));
const store = Store.open(dataDir);
const line = new ScriptedLine();
const parts = createTelephonyServer({
  lineName: 'media',
  friendlyName: 'media line',
  store,
  line,
  media: defaultMediaProfile(host),
  mediaPlane: plane,
  clock: systemClock,
  logger: testLogger('ts'),
  disconnectedRetentionMs: 60_000,
});
const deviceHost = new DeviceHost({ root: parts.device, interfaces: [lo], bootId: store.nextBootId(), logger: testLogger('ts-device') });
await deviceHost.start();
const cp = new ControlPoint({ interfaces: [lo], logger: testLogger('telcp'), searchTarget: parts.device.info.udn, mx: 1 });
await cp.start();
const device = await cp.waitForDevice((d) => d.udn === parts.device.info.udn);
const cm = findService(device, (s) => s.serviceType === callManagementType)!;
const events = new CallInfoEvents(await cp.subscribe(cm));

after(async () => {
  await cp.stop();
  await deviceHost.stop();
  parts.close();
  try {
    await close();
  } finally {
    store.close();
    rmSync(dataDir, { recursive: true, force: true });
  }
});

const nonMono = { TelCPName: '', SecretKey: '' };
const tcList = (...ids: string[]): string => buildTCList(ids.map((id) => ({ udn: `uuid:tc-${id}`, mediaSessionID: id })));
const info = (sdp: string, extra: { enableMediaMixing?: boolean; native?: string } = {}): string =>
  buildMediaCapabilityInfo({
    mediaCapability: { format: 'SDP', content: sdp },
    ...(extra.native ? { nativeMediaCapability: { format: 'SDP', content: extra.native } } : {}),
    ...(extra.enableMediaMixing !== undefined ? { enableMediaMixing: extra.enableMediaMixing } : {}),
  });

function stream(sdp: string | undefined, type = 'audio'): { address?: string; port: number; codecs: string[] } {
  const s = parseStreams(sdp).find((x) => x.type === type);
  assert.ok(s, `no ${type} in\n${sdp}`);
  return { ...(s.address !== undefined ? { address: s.address } : {}), port: s.port, codecs: s.codecs.map((c) => c.encodingName.toUpperCase()) };
}

function relayed(port: number): boolean {
  return port >= relayPorts.min && port <= relayPorts.max;
}

test('C.12 outgoing: the line gets the TS’s WAN SDP, CallInfo its home SDP, StartMediaTransfer starts the sound; StopCall frees the ports', async () => {
  const atTc = new PcmCollector();
  const atRemote = new PcmCollector();
  const tc = await openPeer(peers, { sink: atTc, source: new ToneSource(1000, 8000) });
  const remote = await openPeer(peers, { sink: atRemote, source: new ToneSource(440, 8000) });
  try {
    const { CallID } = await cm.invoke('StartCall', { ...nonMono, CalleeID: 'tel:0774940201', CallPriority: 'Normal', MediaCapabilityInfo: info(sdpOf(tc)), CallMode: 'Non-Monopolize' });
    const id = String(CallID);
    const placed = line.last('place')!;
    const wan = stream(placed.request.sdpOffer);
    assert.equal(wan.address, host);
    assert.ok(relayed(wan.port) && wan.port !== tc.localPort, `the Remote Party is offered the TS's WAN port, not the TC's: ${wan.port}`);
    const dialing = await events.waitFor(id, 'Dialing');
    const home = stream(dialing.mediaCapability?.content);
    assert.ok(relayed(home.port) && home.port !== wan.port, `CallInfo carries the TS's home port (C.12 F7): ${home.port}`);

    line.remote.answered(placed.lineCallId, sdpOf(remote));
    remote.setRemote({ address: host, port: wan.port });
    const connected = await events.waitFor(id, 'Connected');
    assert.equal(stream(connected.mediaCapability?.content).port, home.port, 'Connected shows the TS’s SDP, not the Remote Party’s (C.12 F17)');
    assert.doesNotMatch(connected.mediaCapability!.content, new RegExp(`m=audio ${remote.localPort} `));

    // The TelCP starts the TC's Media Session with the TS's SDP (StartMediaSession), then StartMediaTransfer.
    tc.setRemote({ address: host, port: home.port });
    await cm.invoke('StartMediaTransfer', { ...nonMono, TargetCallID: id, TCList: tcList('media101'), MediaCapabilityInfo: info(sdpOf(tc)) });
    const talking = await events.waitFor(id, 'Talking');
    assert.equal(stream(talking.mediaCapability?.content).port, home.port, 'Talking shows the TS’s SDP (C.12 F33)');
    await sleep(300);
    atTc.clear();
    atRemote.clear();
    await sleep(1500);
    await cm.invoke('StopCall', { ...nonMono, CallID: id });
    await events.waitFor(id, 'Disconnected');
  } finally {
    await Promise.all([tc.close(), remote.close()]);
  }
  assertTone(atTc.samples(), 440, 1500, 'the TC hears the Remote Party');
  assertTone(atRemote.samples(), 1000, 1500, 'the Remote Party hears the TC');
  await waitFor(() => relayPorts.inUse === 0, 'every relay port released after StopCall', 2000);
});

test('incoming A-law Call answered for a µ-law TC: Ringing shows both laws at the TS, the line’s answer keeps the caller’s A-law, the relay transcodes', async () => {
  const atTc = new PcmCollector();
  const atRemote = new PcmCollector();
  const tc = await openPeer(peers, { codec: pcmu, sink: atTc, source: new ToneSource(1000, 8000) });
  const remote = await openPeer(peers, { codec: pcma, sink: atRemote, source: new ToneSource(440, 8000) });
  try {
    const lineId = line.ring({ id: '0355550101' }, sdpOf(remote, [pcma]));
    await waitFor(() => events.all.some((c) => c.callStatus === 'Ringing' && c.remoteParty?.id === '0355550101'), 'Ringing');
    const ringing = events.all.find((c) => c.callStatus === 'Ringing' && c.remoteParty?.id === '0355550101')!;
    const home = stream(ringing.mediaCapability?.content);
    assert.ok(relayed(home.port), 'Ringing carries the TS’s home SDP (C.12 F9)');
    assert.deepEqual(home.codecs, ['PCMA', 'PCMU'], 'the caller’s A-law and the µ-law the TS transcodes to');
    await cm.invoke('AcceptCall', { ...nonMono, TargetCallID: ringing.callID, MediaCapabilityInfo: info(sdpOf(tc, [pcmu])), CallMode: 'Non-Monopolize' });
    const answer = line.last('answer')!;
    assert.equal(answer.lineCallId, lineId);
    const wan = stream(answer.sdp);
    assert.deepEqual(wan.codecs, ['PCMA'], 'the answer is a subset of the offer');
    assert.ok(relayed(wan.port));
    remote.setRemote({ address: host, port: wan.port });
    await events.waitFor(ringing.callID, 'Connected');
    tc.setRemote({ address: host, port: home.port });
    await cm.invoke('StartMediaTransfer', { ...nonMono, TargetCallID: ringing.callID, TCList: tcList('media201'), MediaCapabilityInfo: info(sdpOf(tc, [pcmu])) });
    await events.waitFor(ringing.callID, 'Talking');
    await sleep(300);
    atTc.clear();
    atRemote.clear();
    await sleep(1500);
    line.remote.remoteHangUp(lineId);
    await events.waitFor(ringing.callID, 'Disconnected');
  } finally {
    await Promise.all([tc.close(), remote.close()]);
  }
  assertTone(atTc.samples(), 440, 1500, 'the µ-law TC hears the A-law caller');
  assertTone(atRemote.samples(), 1000, 1500, 'the A-law caller hears the µ-law TC');
  await waitFor(() => relayPorts.inUse === 0, 'every relay port released after the remote hang-up', 2000);
});

test('C.27 change of TC through ModifyCall: the same WAN port is re-offered and the Remote Party’s stream has no gap', async () => {
  const atRemote = new PcmCollector();
  const tc1 = await openPeer(peers, { source: new ToneSource(600, 8000) });
  const tc2 = await openPeer(peers, { source: new ToneSource(1000, 8000) });
  const remote = await openPeer(peers, { sink: atRemote, source: new ToneSource(440, 8000) });
  try {
    const { CallID } = await cm.invoke('StartCall', { ...nonMono, CalleeID: 'tel:0774940201', CallPriority: 'Normal', MediaCapabilityInfo: info(sdpOf(tc1)), CallMode: 'Non-Monopolize' });
    const id = String(CallID);
    const placed = line.last('place')!;
    const wanPort = stream(placed.request.sdpOffer).port;
    line.remote.answered(placed.lineCallId, sdpOf(remote));
    remote.setRemote({ address: host, port: wanPort });
    const homePort = stream((await events.waitFor(id, 'Connected')).mediaCapability?.content).port;
    tc1.setRemote({ address: host, port: homePort });
    await cm.invoke('StartMediaTransfer', { ...nonMono, TargetCallID: id, TCList: tcList('media101'), MediaCapabilityInfo: info(sdpOf(tc1)) });
    await events.waitFor(id, 'Talking');
    await sleep(800);
    const lostBefore = remote.stats().lost;

    await cm.invoke('ModifyCall', { ...nonMono, TargetCallID: id, MediaCapabilityInfo: info(sdpOf(tc2)) });
    const modify = line.last('modify')!;
    assert.equal(stream(modify.sdp).port, wanPort, 'the re-offer keeps the WAN port');
    line.remote.modifyAccepted(placed.lineCallId, sdpOf(remote));
    await events.waitFor(id, 'Modified');
    tc2.setRemote({ address: host, port: homePort });
    await cm.invoke('StartMediaTransfer', { ...nonMono, TargetCallID: id, TCList: tcList('media102'), MediaCapabilityInfo: info(sdpOf(tc2)) });
    await waitFor(() => events.statuses(id).filter((s) => s === 'Talking').length === 2, 'Talking again');
    await sleep(300);
    atRemote.clear();
    await sleep(1000);
    assert.equal(remote.stats().lost, lostBefore, 'no sequence gap at the Remote Party');
    assert.ok(remote.stats().concealedSamples <= 800, `no gap over 100 ms: ${remote.stats().concealedSamples} samples concealed`);
    await cm.invoke('StopCall', { ...nonMono, CallID: id });
    await events.waitFor(id, 'Disconnected');
  } finally {
    await Promise.all([tc1.close(), tc2.close(), remote.close()]);
  }
  assertTone(atRemote.samples(), 1000, 1000, 'after the change the Remote Party hears TC2');
  assert.ok(share(atRemote.samples(), 600) < 0.001, 'and no longer TC1');
  await waitFor(() => relayPorts.inUse === 0, 'ports released', 2000);
});

test('C.34: audio handled by the TS itself (it records the Remote Party’s 440 Hz and plays its own tone), video via a TC', async () => {
  const atRemote = new PcmCollector();
  const remote = await openPeer(peers, { sink: atRemote, source: new ToneSource(440, 8000) });
  const videoTc = { localPort: 29990 };
  const videoSdp = `v=0\r\no=- 0 0 IN IP4 ${host}\r\ns=-\r\nc=IN IP4 ${host}\r\nt=0 0\r\nm=video ${videoTc.localPort} RTP/AVP 96\r\na=rtpmap:96 H264/90000\r\n`;
  const native = defaultMediaProfile(host).native!;
  try {
    const { CallID } = await cm.invoke('StartCall', {
      ...nonMono,
      CalleeID: 'tel:0774940201',
      CallPriority: 'Normal',
      MediaCapabilityInfo: info(videoSdp, { native }),
      CallMode: 'Non-Monopolize',
    });
    const id = String(CallID);
    const placed = line.last('place')!;
    const offered = parseStreams(placed.request.sdpOffer);
    assert.deepEqual(offered.map((s) => s.type).sort(), ['audio', 'video'], 'one offer with the TC’s video and the TS’s audio');
    assert.ok(offered.every((s) => relayed(s.port)));
    const dialing = await events.waitFor(id, 'Dialing');
    assert.ok(relayed(stream(dialing.mediaCapability?.content, 'video').port), 'mediaCapability: the TS’s video port');
    assert.ok(relayed(stream(dialing.nativeMediaCapability?.content, 'audio').port), 'nativeMediaCapability: the TS’s audio');
    const answer = `${sdpOf(remote)}m=video 9 RTP/AVP 96\r\na=rtpmap:96 H264/90000\r\n`;
    line.remote.answered(placed.lineCallId, answer);
    remote.setRemote({ address: host, port: stream(placed.request.sdpOffer).port });
    await events.waitFor(id, 'Connected');
    await cm.invoke('StartMediaTransfer', { ...nonMono, TargetCallID: id, TCList: tcList('media101'), MediaCapabilityInfo: info(videoSdp, { native }) });
    await events.waitFor(id, 'Talking');
    await sleep(300);
    recorded.clear();
    atRemote.clear();
    await sleep(1500);
    await cm.invoke('StopCall', { ...nonMono, CallID: id });
    await events.waitFor(id, 'Disconnected');
  } finally {
    await remote.close();
  }
  assertTone(recorded.samples(), 440, 1500, 'the TS records the Remote Party');
  assertTone(atRemote.samples(), 800, 1500, 'the Remote Party hears the TS’s own tone');
  await waitFor(() => relayPorts.inUse === 0, 'ports released', 2000);
});

test('mixing on by StartMediaTransfer of a second TC on the Talking Call (C.19 F23), off again by ModifyCall', async () => {
  const at2 = new PcmCollector();
  const tc1 = await openPeer(peers, { source: new ToneSource(600, 8000) });
  const tc2 = await openPeer(peers, { sink: at2, source: new SilenceSource() });
  const remote = await openPeer(peers, { source: new ToneSource(440, 8000) });
  try {
    const { CallID } = await cm.invoke('StartCall', { ...nonMono, CalleeID: 'tel:0774940201', CallPriority: 'Normal', MediaCapabilityInfo: info(sdpOf(tc1)), CallMode: 'Non-Monopolize' });
    const id = String(CallID);
    const placed = line.last('place')!;
    line.remote.answered(placed.lineCallId, sdpOf(remote));
    remote.setRemote({ address: host, port: stream(placed.request.sdpOffer).port });
    const homePort = stream((await events.waitFor(id, 'Connected')).mediaCapability?.content).port;
    tc1.setRemote({ address: host, port: homePort });
    tc2.setRemote({ address: host, port: homePort });
    await cm.invoke('StartMediaTransfer', { ...nonMono, TargetCallID: id, TCList: tcList('media101'), MediaCapabilityInfo: info(sdpOf(tc1)) });
    await events.waitFor(id, 'Talking');
    await cm.invoke('StartMediaTransfer', { ...nonMono, TargetCallID: id, TCList: tcList('media102'), MediaCapabilityInfo: info(sdpOf(tc2), { enableMediaMixing: true }) });
    await sleep(400);
    at2.clear();
    await sleep(1500);
    const on = at2.samples();
    await cm.invoke('ModifyCall', { ...nonMono, TargetCallID: id, MediaCapabilityInfo: info(sdpOf(tc1), { enableMediaMixing: false }) });
    await sleep(400);
    at2.clear();
    await sleep(1500);
    const off = at2.samples();
    assert.ok(share(on, 440) > 0.2 && share(on, 600) > 0.2, `with mixing TC2 hears the Remote Party and TC1: ${share(on, 440)}, ${share(on, 600)}`);
    assert.ok(share(off, 440) > 0.9 && share(off, 600) < 0.001, `without, only the Remote Party: ${share(off, 440)}, ${share(off, 600)}`);
    line.remote.modifyAccepted(placed.lineCallId, sdpOf(remote));
    await events.waitFor(id, 'Modified');
    await cm.invoke('StopCall', { ...nonMono, CallID: id });
    await events.waitFor(id, 'Disconnected');
  } finally {
    await Promise.all([tc1.close(), tc2.close(), remote.close()]);
  }
  await waitFor(() => relayPorts.inUse === 0, 'ports released', 2000);
});
