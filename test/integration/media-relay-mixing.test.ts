/**
 * The relay's mixer and TS-native media on 127.0.0.1 with the system clock (CallManagement 2.3.1, 2.3.4.2):
 * two TCs with mixing on and off, a third session sharing one TC's stream (shareMedia), DTMF into a mixed call, a
 * change from two TCs back to one without a break at the Remote Party, and a Call whose audio the TS handles
 * itself (its tone to the Remote Party, the Remote Party's tone recorded to a WAV file at the TS).
 */
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PcmCollector } from '../../src/media/audio/pcm-collector.js';
import { SilenceSource, ToneSource } from '../../src/media/audio/sources.js';
import { WavFileSource } from '../../src/media/audio/wav-file-source.js';
import { WavRecorder } from '../../src/media/audio/wav-recorder.js';
import { pcma } from '../../src/media/codecs/g711.js';
import type { DtmfEvent } from '../../src/media/endpoint/dtmf.js';
import type { NativeMedia } from '../../src/media/relay/relay-stream.js';
import { waitFor } from '../support/net.js';
import { assertTone, connectCall, host, openPeer, portOf, sdpOf, share, sleep, relayRig } from '../support/relay.js';

const natives = new Map<string, NativeMedia>();
const { relayPorts, peers, plane, close } = relayRig(27000, { native: (callID) => natives.get(callID) });
let dir = '';

after(async () => {
  try {
    await close();
  } finally {
    if (dir) await rm(dir, { recursive: true, force: true });
  }
});

test('mixing: TC1 plays 600 Hz, the Remote Party 440 Hz — TC2 hears both, TC1 only 440, the Remote Party only 600; mixing off stops TC2 hearing TC1', async () => {
  const at1 = new PcmCollector();
  const at2 = new PcmCollector();
  const atRemote = new PcmCollector();
  // TC2 sends silence (so the Remote Party hears TC1 alone in the mix); TC1 is A-law, the others µ-law.
  const tc1 = await openPeer(peers, { codec: pcma, sink: at1, source: new ToneSource(600, 8000) });
  const tc2 = await openPeer(peers, { sink: at2, source: new SilenceSource() });
  const remote = await openPeer(peers, { sink: atRemote, source: new ToneSource(440, 8000) });
  const cm = plane.openCall('mixing');
  try {
    await connectCall(cm, { ep: remote, id: 'remote' }, [{ ep: tc1, id: 'media101', codecs: [pcma] }, { ep: tc2, id: 'media102' }], { mixing: true });
    await sleep(400);
    for (const c of [at1, at2, atRemote]) c.clear();
    await sleep(2000);
    const on = { tc1: at1.samples(), tc2: at2.samples(), remote: atRemote.samples() };
    const s = cm.stats().streams[0]!;
    assert.equal(s.mode, 'mix');
    assert.equal(s.mixing, true);

    cm.setClients([], { mixing: false, join: true });
    await sleep(400);
    at2.clear();
    await sleep(2000);
    const off = at2.samples();

    assert.ok(share(on.tc2, 440) > 0.2 && share(on.tc2, 600) > 0.2, `TC2 hears both: 440 ${share(on.tc2, 440)}, 600 ${share(on.tc2, 600)}`);
    assertTone(on.tc1, 440, 2000, 'TC1 hears the Remote Party');
    assert.ok(share(on.tc1, 600) < 0.001, `TC1 does not hear itself: ${share(on.tc1, 600)}`);
    assertTone(on.remote, 600, 2000, 'the Remote Party hears TC1 through the mix');
    assert.ok(share(on.remote, 440) < 0.001, `the Remote Party does not hear itself: ${share(on.remote, 440)}`);
    assertTone(off, 440, 2000, 'with mixing off TC2 hears the Remote Party');
    assert.ok(share(off, 600) < 0.001, `with mixing off TC2 no longer hears TC1: ${share(off, 600)}`);
  } finally {
    await Promise.all([tc1.close(), tc2.close(), remote.close()]);
    await cm.close();
  }
  assert.equal(relayPorts.inUse, 0);
});

test('media sharing: a third session (shareMedia = TC2’s Media Session) receives TC2’s stream only', async () => {
  const atShared = new PcmCollector();
  const tc1 = await openPeer(peers, { sink: new PcmCollector(), source: new ToneSource(600, 8000) });
  const tc2 = await openPeer(peers, { sink: new PcmCollector(), source: new ToneSource(1000, 8000) });
  const sharing = await openPeer(peers, { sink: atShared });
  const remote = await openPeer(peers, { sink: new PcmCollector(), source: new ToneSource(440, 8000) });
  const cm = plane.openCall('sharing');
  try {
    const { homePort } = await connectCall(cm, { ep: remote, id: 'remote' }, [{ ep: tc1, id: 'media2' }, { ep: tc2, id: 'media3' }]);
    // StartMediaTransfer on the Talking Call: TCList = the new session, <shareMedia>media3</shareMedia>.
    cm.setClients([{ mediaSessionID: 'media4', sdp: sdpOf(sharing) }], { shareMedia: 'media3', join: true });
    sharing.setRemote({ address: host, port: homePort });
    await sleep(2000);
    const s = cm.stats().streams[0]!;
    const shared = s.clients.find((c) => c.sharing === 'media3');
    assert.ok(shared && shared.packetsSent >= 90, JSON.stringify(s.clients));
  } finally {
    await Promise.all([tc1.close(), tc2.close(), sharing.close(), remote.close()]);
    await cm.close();
  }
  const got = atShared.samples();
  assertTone(got, 1000, 1500, 'the sharing session hears TC2');
  assert.ok(share(got, 440) < 0.001 && share(got, 600) < 0.001, 'and neither the Remote Party nor TC1');
});

test('a mixed call: DTMF from the Remote Party reaches both TCs; going back to one TC keeps the Remote Party’s stream continuous', async () => {
  const tc1 = await openPeer(peers, { sink: new PcmCollector(), source: new ToneSource(600, 8000) });
  const tc2 = await openPeer(peers, { sink: new PcmCollector(), source: new ToneSource(1000, 8000) });
  const remote = await openPeer(peers, { sink: new PcmCollector(), source: new ToneSource(440, 8000) });
  const digits1: DtmfEvent[] = [];
  const digits2: DtmfEvent[] = [];
  tc1.onDtmf = (e) => digits1.push(e);
  tc2.onDtmf = (e) => digits2.push(e);
  const cm = plane.openCall('mixed-dtmf');
  try {
    await connectCall(cm, { ep: remote, id: 'remote' }, [{ ep: tc1, id: 'media1' }, { ep: tc2, id: 'media2' }], { mixing: true });
    await waitFor(() => cm.stats().streams[0]!.remote.packetsSent > 10, 'the mix reaches the Remote Party');
    await remote.sendDtmf('42');
    await waitFor(() => digits1.length >= 2 && digits2.length >= 2, 'digits at both TCs', 5000);
    const lostBefore = remote.stats().lost;
    // TC2 leaves (StartMediaTransfer with TC1 only): the stream goes from the mixer back to forwarding.
    cm.setClients([{ mediaSessionID: 'media1', sdp: sdpOf(tc1) }], { join: false });
    await sleep(600);
    assert.equal(cm.stats().streams[0]!.mode, 'forward');
    assert.equal(remote.stats().lost, lostBefore, 'no sequence gap at the Remote Party');
    assert.ok(remote.stats().concealedSamples <= 800, `no gap over 100 ms in its audio: ${remote.stats().concealedSamples} samples concealed`);
  } finally {
    await Promise.all([tc1.close(), tc2.close(), remote.close()]);
    await cm.close();
  }
  assert.equal(digits1.map((d) => d.digit).join(''), '42');
  assert.equal(digits2.map((d) => d.digit).join(''), '42');
});

test('TS-based media (C.34): the TS plays its own tone to the Remote Party and records the Remote Party’s 440 Hz to a WAV file', async () => {
  dir ||= await mkdtemp(join(tmpdir(), 'hometel-relay-'));
  const path = join(dir, 'native.wav');
  const recorder = new WavRecorder(path);
  natives.set('native', { source: new ToneSource(800, 8000), sink: recorder, close: () => recorder.close() });
  const atRemote = new PcmCollector();
  const remote = await openPeer(peers, { sink: atRemote, source: new ToneSource(440, 8000, { durationMs: 2000 }) });
  const cm = plane.openCall('native');
  try {
    // The TelCP chose the TS's native audio (no TC): the TS's own media is the offer.
    cm.setNative(['audio']);
    const wan = cm.wanSdp('v=0\r\no=- 0 0 IN IP4 127.0.0.1\r\ns=-\r\nc=IN IP4 127.0.0.1\r\nt=0 0\r\nm=audio 9 RTP/AVP 0 101\r\na=rtpmap:101 telephone-event/8000\r\n');
    cm.setRemote(sdpOf(remote), 'answer');
    await cm.ready();
    remote.setRemote({ address: host, port: portOf(wan) });
    await new Promise<void>((r) => (remote.onSourceEnd = r));
    await sleep(300);
    const s = cm.stats().streams[0]!;
    assert.equal(s.native, true);
    assert.equal(s.mode, 'mix');
    assert.ok(s.nativeFramesRecorded >= 100, `${s.nativeFramesRecorded} frames recorded`);
  } finally {
    await remote.close();
    await cm.close();
  }
  const recorded = new WavFileSource(path).samples;
  assertTone(recorded, 440, 2000, 'the TS’s recording');
  assertTone(atRemote.samples(), 800, 2000, 'the Remote Party hears the TS');
  assert.ok(share(recorded, 800) < 0.001, 'the TS does not record its own tone');
  assert.equal(relayPorts.inUse, 0);
});
