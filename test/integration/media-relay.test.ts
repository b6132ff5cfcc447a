/**
 * The Telephony Server's RTP relay on 127.0.0.1 with the system clock: RtpEndpoints play the Remote Party (on the
 * relay's WAN port) and the TCs (on its home port). Sound both ways without decoding, µ-law TC against an A-law
 * Remote Party, RFC 4733 DTMF both ways with different payload numbers, RTCP terminated per leg, and a change of TC
 * that the Remote Party does not notice (C.27: one SSRC, sequence numbers without a gap, no silence over 100 ms).
 */
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { createSocket } from 'node:dgram';
import { PcmCollector } from '../../src/media/audio/pcm-collector.js';
import { ToneSource } from '../../src/media/audio/sources.js';
import { dominantFrequency, energyAt, meanSquare } from '../../src/media/audio/analysis.js';
import { pcma, pcmu } from '../../src/media/codecs/g711.js';
import type { DtmfEvent } from '../../src/media/endpoint/dtmf.js';
import { parseRtp } from '../../src/media/rtp/packet.js';
import { seqDiff, tsDiff } from '../../src/media/rtp/sequence.js';
import { waitFor } from '../support/net.js';
import { assertTone, connectCall, host, openPeer, payloadTypesOf, portOf, sdpOf, sleep, sourceEnded, relayRig } from '../support/relay.js';

const { relayPorts, peers, plane, close } = relayRig(26000, { rtcpIntervalMs: 300 });
const toneMs = 2000;

after(close);

test('one TC, same codec: the Remote Party’s 440 Hz reaches the TC and the TC’s 1 kHz the Remote Party, relayed without decoding', async () => {
  const atTc = new PcmCollector();
  const atRemote = new PcmCollector();
  const tc = await openPeer(peers, { sink: atTc, source: new ToneSource(1000, 8000, { durationMs: toneMs }) });
  const remote = await openPeer(peers, { sink: atRemote, source: new ToneSource(440, 8000, { durationMs: toneMs }) });
  const cm = plane.openCall('forward');
  try {
    await connectCall(cm, { ep: remote, id: 'remote' }, [{ ep: tc, id: 'media1' }]);
    await Promise.all([sourceEnded(tc), sourceEnded(remote)]);
    await sleep(100);
    const s = cm.stats().streams[0]!;
    assert.equal(s.mode, 'forward');
    assert.equal(s.remote.transcoded + s.clients[0]!.transcoded, 0, 'nothing re-encoded');
    assert.ok(s.remote.packetsReceived >= 0.95 * (toneMs / 20) && s.clients[0]!.packetsSent >= 0.95 * (toneMs / 20), JSON.stringify(s));
    assert.equal(s.remote.latched, `${host}:${remote.localPort}`);
  } finally {
    await Promise.all([tc.close(), remote.close()]);
    await cm.close();
  }
  assertTone(atTc.samples(), 440, toneMs, 'the TC hears the Remote Party');
  assertTone(atRemote.samples(), 1000, toneMs, 'the Remote Party hears the TC');
  assert.ok(energyAt(atRemote.samples(), 8000, 440) / meanSquare(atRemote.samples()) < 0.001, 'the Remote Party does not hear itself');
  assert.equal(relayPorts.inUse, 0);
});

test('a µ-law TC and an A-law Remote Party: the relay offers both laws and transcodes each packet', async () => {
  const atTc = new PcmCollector();
  const atRemote = new PcmCollector();
  const tc = await openPeer(peers, { codec: pcmu, sink: atTc, source: new ToneSource(1000, 8000, { durationMs: toneMs }) });
  const remote = await openPeer(peers, { codec: pcma, sink: atRemote, source: new ToneSource(440, 8000, { durationMs: toneMs }) });
  const cm = plane.openCall('transcode');
  try {
    const { wanSdp } = await connectCall(cm, { ep: remote, id: 'remote', codecs: [pcma] }, [{ ep: tc, id: 'media1', codecs: [pcmu] }]);
    assert.deepEqual(payloadTypesOf(wanSdp), [0, 8], 'the WAN offer adds A-law after the TC’s µ-law');
    await Promise.all([sourceEnded(tc), sourceEnded(remote)]);
    await sleep(100);
    const s = cm.stats().streams[0]!;
    assert.ok(s.clients[0]!.transcoded >= 0.95 * (toneMs / 20), `to the TC: ${s.clients[0]!.transcoded} transcoded`);
    assert.ok(s.remote.transcoded >= 0.95 * (toneMs / 20), `to the Remote Party: ${s.remote.transcoded} transcoded`);
  } finally {
    await Promise.all([tc.close(), remote.close()]);
    await cm.close();
  }
  assertTone(atTc.samples(), 440, toneMs, 'the µ-law TC hears the A-law Remote Party');
  assertTone(atRemote.samples(), 1000, toneMs, 'the A-law Remote Party hears the µ-law TC');
});

test('DTMF: RFC 4733 events pass Remote Party → TC and TC → Remote Party, payload numbers mapped (101 ⇄ 96)', async () => {
  const tc = await openPeer(peers, { sink: new PcmCollector(), source: new ToneSource(1000, 4000), telephoneEventPayloadType: 96 });
  const remote = await openPeer(peers, { sink: new PcmCollector(), source: new ToneSource(440, 4000), telephoneEventPayloadType: 101 });
  const atTc: DtmfEvent[] = [];
  const atRemote: DtmfEvent[] = [];
  tc.onDtmf = (e) => atTc.push(e);
  remote.onDtmf = (e) => atRemote.push(e);
  const cm = plane.openCall('dtmf');
  try {
    await connectCall(cm, { ep: remote, id: 'remote', te: 101 }, [{ ep: tc, id: 'media1', te: 96 }]);
    await waitFor(() => cm.stats().streams[0]!.remote.packetsReceived > 5 && cm.stats().streams[0]!.clients[0]!.packetsReceived > 5, 'media flows');
    await remote.sendDtmf('159#');
    await tc.sendDtmf('*0D');
    await waitFor(() => atTc.length >= 4 && atRemote.length >= 3, 'digits arrive', 5000);
    const s = cm.stats().streams[0]!;
    assert.ok(s.remote.eventsReceived > 0 && s.clients[0]!.eventsSent === s.remote.eventsReceived, JSON.stringify(s));
  } finally {
    await Promise.all([tc.close(), remote.close()]);
    await cm.close();
  }
  assert.equal(atTc.map((e) => e.digit).join(''), '159#');
  assert.equal(atRemote.map((e) => e.digit).join(''), '*0D');
});

test('RTCP is terminated per leg: each peer gets the relay’s own reports for the stream it receives, and a BYE at the end', async () => {
  const tc = await openPeer(peers, { source: new ToneSource(1000, 4000), sink: new PcmCollector(), rtcpIntervalMs: 300 });
  const remote = await openPeer(peers, { source: new ToneSource(440, 4000), sink: new PcmCollector(), rtcpIntervalMs: 300 });
  const byes: string[] = [];
  tc.onBye = () => byes.push('tc');
  remote.onBye = () => byes.push('remote');
  const cm = plane.openCall('rtcp');
  try {
    await connectCall(cm, { ep: remote, id: 'remote' }, [{ ep: tc, id: 'media1' }]);
    await waitFor(() => {
      const s = cm.stats().streams[0]!;
      return s.remote.rtcpReceived >= 2 && s.clients[0]!.rtcpReceived >= 2 && tc.stats().rtcpReceived >= 2 && remote.stats().rtcpReceived >= 2;
    }, 'reports both ways on both legs', 8000);
    const s = cm.stats().streams[0]!;
    assert.equal(s.remote.malformed + s.clients[0]!.malformed, 0, 'the peers’ reports are valid compound RTCP');
    assert.notEqual(s.remote.ssrc, s.clients[0]!.ssrc, 'one SSRC per leg');
    await cm.close();
    await waitFor(() => byes.length === 2, 'BYE on both legs', 2000);
  } finally {
    await Promise.all([tc.close(), remote.close()]);
    await cm.close();
  }
  assert.deepEqual(byes.sort(), ['remote', 'tc']);
});

test('C.27 change of TC: the Remote Party sees one continuous stream (one SSRC, no sequence gap, no pause over 100 ms)', async () => {
  // The Remote Party is a bare socket, so that every packet's header and arrival time can be examined.
  const remoteSock = createSocket('udp4');
  await new Promise<void>((r) => remoteSock.bind(0, host, r));
  const remotePort = remoteSock.address().port;
  const got: Array<{ ssrc: number; seq: number; ts: number; at: number; pcm: Int16Array; marker: boolean }> = [];
  remoteSock.on('message', (data) => {
    const p = parseRtp(data);
    if (p.ok && p.packet.payloadType === 0) got.push({ ssrc: p.packet.ssrc, seq: p.packet.sequenceNumber, ts: p.packet.timestamp, at: Date.now(), pcm: pcmu.decode(p.packet.payload), marker: p.packet.marker });
  });
  const tc1 = await openPeer(peers, { source: new ToneSource(600, 8000) });
  const tc2 = await openPeer(peers, { source: new ToneSource(1000, 8000) });
  const cm = plane.openCall('change-tc');
  try {
    const wan = cm.wanSdp(sdpOf(tc1));
    cm.setRemote(sdpOf({ localPort: remotePort }), 'answer');
    const home = cm.homeSdp(sdpOf({ localPort: remotePort }));
    cm.setClients([{ mediaSessionID: 'media101', sdp: sdpOf(tc1) }], { join: false });
    await cm.ready();
    tc1.setRemote({ address: host, port: portOf(home) });
    // TC2 already sends to the home port (its Media Session has started): dropped until StartMediaTransfer names it.
    tc2.setRemote({ address: host, port: portOf(home) });
    await sleep(1000);
    assert.ok(cm.stats().streams[0]!.unknownSource > 20, 'TC2 is not relayed before it is a client');
    // ModifyCall re-offers the same WAN stream (the Remote Party's answer is the same), StartMediaTransfer sets TC2.
    assert.equal(portOf(cm.wanSdp(sdpOf(tc2))), portOf(wan), 'the WAN port stays');
    cm.setRemote(sdpOf({ localPort: remotePort }), 'answer');
    cm.setClients([{ mediaSessionID: 'media102', sdp: sdpOf(tc2) }], { join: false });
    await sleep(1000);
  } finally {
    await Promise.all([tc1.close(), tc2.close()]);
    await cm.close();
    await new Promise<void>((r) => remoteSock.close(() => r()));
  }
  assert.ok(got.length >= 90, `${got.length} packets`);
  assert.equal(new Set(got.map((p) => p.ssrc)).size, 1, 'one SSRC');
  let maxGap = 0;
  for (let i = 1; i < got.length; i++) {
    const a = got[i - 1]!;
    const b = got[i]!;
    assert.equal(seqDiff(b.seq, a.seq), 1, `sequence ${a.seq} → ${b.seq} at packet ${i}`);
    const dt = tsDiff(b.ts, a.ts);
    assert.ok(dt >= 160 && dt <= 800, `timestamp step ${dt} at packet ${i}`);
    maxGap = Math.max(maxGap, b.at - a.at);
  }
  assert.ok(maxGap <= 100, `largest pause ${maxGap} ms`);
  // The first second is TC1's 600 Hz, the last TC2's 1 kHz; the change is marked as a new talkspurt.
  const switchAt = got.findIndex((p, i) => i > 0 && p.marker);
  assert.ok(switchAt > 0, 'the first packet from TC2 has the marker bit');
  const before = got.slice(5, switchAt - 2).flatMap((p) => [...p.pcm]);
  const afterSwitch = got.slice(switchAt + 2, -2).flatMap((p) => [...p.pcm]);
  assert.ok(Math.abs(dominantFrequency(before, 8000)! - 600) <= 5, 'TC1 before the change');
  assert.ok(Math.abs(dominantFrequency(afterSwitch, 8000)! - 1000) <= 5, 'TC2 after the change');
  assert.equal(relayPorts.inUse, 0);
});
