/**
 * The MediaManagement:1 service logic (src/telephony/client/media-management-service.ts) over the in-memory
 * media endpoint: every action, every error, the MediaSessionInfo events (after the response, one per change,
 * in order), the endpoint's own reports, retention and release of stopped sessions, and that nothing leaks.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { FakeClock } from '../support/fake-clock.js';
import { silentLogger } from '../../src/base/logger.js';
import { UpnpError, type ActionArgs, type ActionHandler, type ServiceState, type UpnpValue } from '../../src/upnp/index.js';
import { MediaManagementService, type MediaManagementOptions } from '../../src/telephony/client/media-management-service.js';
import { FakeMediaSessions, defaultTcCapabilities } from '../../src/telephony/testing/fake-media-sessions.js';
import {
  buildMmsMediaCapabilityInfo,
  parseMediaSessionInfo,
  parseMediaSessionInfoList,
  parseMmsMediaCapabilityInfo,
  type MediaSessionInfo,
} from '../../src/telephony/contracts/media-management/index.js';
import { parseSdpMedia } from '../../src/media/sdp/index.js';

/** A ServiceState that records every set() (each one would be one GENA event). */
class RecordingState implements ServiceState {
  readonly sets: ActionArgs[] = [];
  private readonly values = new Map<string, UpnpValue>();
  get(name: string): UpnpValue {
    return this.values.get(name) ?? '';
  }
  set(changes: ActionArgs): void {
    this.sets.push(changes);
    for (const [k, v] of Object.entries(changes)) this.values.set(k, v);
  }
  /** The MediaSessionInfo events so far, parsed. */
  events(): MediaSessionInfo[] {
    return this.sets.map((s) => {
      const r = parseMediaSessionInfo(String(s.MediaSessionInfo));
      if (!r.ok) throw new Error(r.reason);
      return r.value;
    });
  }
}

const ctx = { remoteAddress: '127.0.0.1' };
const fixtures = fileURLToPath(new URL('../fixtures/media-management/', import.meta.url));
const fixture = (name: string): string => readFileSync(fixtures + name, 'utf8');

function sdp(media: string, address = '192.168.1.1'): string {
  return `v=0\r\no=- 0 0 IN IP4 ${address}\r\ns=-\r\nc=IN IP4 ${address}\r\nt=0 0\r\n${media}`;
}
const tsAudio = sdp('m=audio 11001 RTP/AVP 8 0 18\r\na=rtpmap:8 PCMA/8000\r\na=rtpmap:0 PCMU/8000\r\na=rtpmap:18 G729/8000\r\na=ptime:20\r\n');
const tsVideo = sdp('m=video 12001 RTP/AVP 96\r\na=rtpmap:96 MP4V-ES/90000\r\n');
const tsG729 = sdp('m=audio 11001 RTP/AVP 18\r\na=rtpmap:18 G729/8000\r\n');
const info = (s: string): string => buildMmsMediaCapabilityInfo({ mediaCapability: { format: 'SDP', content: s } });

interface Harness {
  service: MediaManagementService;
  port: FakeMediaSessions;
  clock: FakeClock;
  state: RecordingState;
  h: Readonly<Record<string, ActionHandler>>;
  call(action: string, args?: ActionArgs): Promise<ActionArgs>;
  start(offer?: string): Promise<{ id: string; answer: string }>;
}

function harness(opts: Partial<MediaManagementOptions> = {}, port = new FakeMediaSessions()): Harness {
  const clock = new FakeClock();
  const service = new MediaManagementService({ port, clock, logger: silentLogger, ...opts });
  const state = new RecordingState();
  const h: Readonly<Record<string, ActionHandler>> = service.attach(state);
  const call = async (action: string, args: ActionArgs = {}): Promise<ActionArgs> => h[action]!(args, ctx);
  return {
    service,
    port,
    clock,
    state,
    h,
    call,
    async start(offer = tsAudio) {
      const out = await call('StartMediaSession', { TSMediaCapabilityInfo: info(offer) });
      const answer = parseMmsMediaCapabilityInfo(String(out.TCMediaCapabilityInfo));
      assert.ok(answer.ok);
      return { id: String(out.MediaSessionID), answer: answer.value.mediaCapability!.content };
    },
  };
}

async function expectCode(p: Promise<unknown>, code: number): Promise<void> {
  await assert.rejects(p, (e: unknown) => e instanceof UpnpError && e.errorCode === code);
}

test('GetMediaCapabilities with an empty TSMediaCapabilityInfo (every printed request) answers the whole capability', async () => {
  const t = harness();
  const out = await t.call('GetMediaCapabilities', { TSMediaCapabilityInfo: '' });
  const r = parseMmsMediaCapabilityInfo(String(out.SupportedMediaCapabilityInfo));
  assert.ok(r.ok);
  assert.deepEqual(r.value.mediaCapability, { format: 'SDP', content: defaultTcCapabilities() });
  assert.equal(t.state.sets.length, 0, 'no event');
});

test('GetMediaCapabilities with the TS capability answers the part the TC supports, in the TS SDP, or nothing', async () => {
  const t = harness();
  const both = sdp('m=audio 11001 RTP/AVP 8 0 18\r\na=rtpmap:8 PCMA/8000\r\na=rtpmap:0 PCMU/8000\r\na=rtpmap:18 G729/8000\r\nm=text 13001 RTP/AVP 98\r\na=rtpmap:98 t140/1000\r\n');
  const out = await t.call('GetMediaCapabilities', { TSMediaCapabilityInfo: info(both) });
  const r = parseMmsMediaCapabilityInfo(String(out.SupportedMediaCapabilityInfo));
  assert.ok(r.ok);
  const content = r.value.mediaCapability!.content;
  assert.match(content, /^m=audio 11001 RTP\/AVP 8 0\r$/m, 'TS order and port, G.729 dropped');
  assert.match(content, /c=IN IP4 192\.168\.1\.1/);
  assert.doesNotMatch(content, /m=text|G729/);
  const none = parseMmsMediaCapabilityInfo(String((await t.call('GetMediaCapabilities', { TSMediaCapabilityInfo: info(tsG729) })).SupportedMediaCapabilityInfo));
  assert.deepEqual(none, { ok: true, value: {} });
  await expectCode(t.call('GetMediaCapabilities', { TSMediaCapabilityInfo: '<nope/>' }), 402);
  await expectCode(t.call('GetMediaCapabilities', { TSMediaCapabilityInfo: info('m=audio 1 RTP/AVP 0') }), 707);
});

test('StartMediaSession (C.12 F21/F22): negotiates with the shared matcher, answers with the TC side, events Started after the response', async () => {
  const t = harness();
  const out = await t.call('StartMediaSession', { TSMediaCapabilityInfo: fixture('c12-f21-ts-media-capability-info.xml') });
  assert.deepEqual(Object.keys(out), ['MediaSessionID', 'TCMediaCapabilityInfo']);
  const id = String(out.MediaSessionID);
  assert.match(id, /^media-[0-9a-f]{6}-1$/);
  const opened = t.port.calls[0]!;
  assert.equal(opened.kind, 'open');
  assert.equal(opened.offer.id, id);
  assert.match(opened.offer.remoteSdp, /^m=audio 11001 RTP\/AVP 0\r\nc=IN IP4 192\.168\.1\.1\r$/m, 'the TS leg, CRLF');
  assert.deepEqual(opened.offer.media.map((m) => [m.type, m.codecs.map((c) => c.encodingName)]), [['audio', ['PCMU']]]);
  const answer = parseMmsMediaCapabilityInfo(String(out.TCMediaCapabilityInfo));
  assert.ok(answer.ok);
  assert.match(answer.value.mediaCapability!.content, /^m=audio 50000 RTP\/AVP 0\r$/m, "the fake endpoint's port for this session");
  assert.match(answer.value.mediaCapability!.content, /c=IN IP4 127\.0\.0\.1/);
  assert.equal(t.state.sets.length, 0, 'the event goes out after the response');
  t.clock.advance(0);
  assert.deepEqual(t.state.events(), [{ mediaSessionID: id, mediaSessionStatus: 'Started', mediaCapability: answer.value.mediaCapability }]);
  assert.deepEqual(t.port.openSessions(), [id]);
});

test('StartMediaSession keeps the offer order and payload numbers and drops what the TC lacks', async () => {
  const t = harness();
  const offer = sdp('m=video 12001 RTP/AVP 97 96\r\na=rtpmap:97 H264/90000\r\na=rtpmap:96 VP8/90000\r\nm=audio 11001 RTP/AVP 8 0\r\na=rtpmap:8 PCMA/8000\r\na=rtpmap:0 PCMU/8000\r\n');
  const { answer } = await t.start(offer);
  const media = parseSdpMedia(answer);
  assert.ok(media.ok);
  assert.deepEqual(media.value.map((m) => [m.type, m.codecs.map((c) => `${c.format}:${c.encodingName}`)]), [
    ['video', ['97:H264']],
    ['audio', ['8:PCMA', '0:PCMU']],
  ]);
});

test('StartMediaSession errors: 707 for nothing usable, 402 for what is not the fragment', async () => {
  const t = harness();
  await expectCode(t.call('StartMediaSession', { TSMediaCapabilityInfo: '' }), 707);
  await expectCode(t.call('StartMediaSession', { TSMediaCapabilityInfo: buildMmsMediaCapabilityInfo({}) }), 707);
  await expectCode(t.call('StartMediaSession', { TSMediaCapabilityInfo: info('not sdp at all') }), 707);
  await expectCode(t.call('StartMediaSession', { TSMediaCapabilityInfo: info(tsG729) }), 707);
  await expectCode(t.call('StartMediaSession', { TSMediaCapabilityInfo: '<mms:mediaCapabilityInfo' }), 402);
  await expectCode(t.call('StartMediaSession', { TSMediaCapabilityInfo: '<callInfo/>' }), 402);
  // C.24 F9 as printed: "a=rtmap:96" leaves payload 96 without a codec name, so nothing in it is known.
  const c24 = tsVideo.replace('a=rtpmap:96', 'a=rtmap:96');
  await expectCode(t.call('StartMediaSession', { TSMediaCapabilityInfo: info(c24) }), 707);
  assert.deepEqual(t.port.calls, [], 'the endpoint was never asked');
  assert.equal(t.service.list().length, 0);
});

test('StartMediaSession: the endpoint failing maps to 708 / 707 / 501, and nothing is left behind', async () => {
  const t = harness();
  t.port.failNext('open', 'no-resources');
  await expectCode(t.call('StartMediaSession', { TSMediaCapabilityInfo: info(tsAudio) }), 708);
  t.port.failNext('open', 'unsupported');
  await expectCode(t.call('StartMediaSession', { TSMediaCapabilityInfo: info(tsAudio) }), 707);
  t.port.failNext('open', 'failed');
  await expectCode(t.call('StartMediaSession', { TSMediaCapabilityInfo: info(tsAudio) }), 501);
  t.port.failNext('open', 'throw');
  await expectCode(t.call('StartMediaSession', { TSMediaCapabilityInfo: info(tsAudio) }), 501);
  // An answer with media the offer did not have never reaches the wire; the endpoint is told to close it.
  t.port.failNext('open', 'bad-answer');
  await expectCode(t.call('StartMediaSession', { TSMediaCapabilityInfo: info(tsAudio) }), 501);
  assert.equal(t.port.calls.at(-1)?.kind, 'close');
  assert.deepEqual(t.port.openSessions(), []);
  assert.equal(t.service.list().length, 0);
  t.clock.advance(0);
  assert.equal(t.state.sets.length, 0, 'no event for a session that never started');
});

test('StartMediaSession answers 708 beyond maxSessions; a stopped session frees its place', async () => {
  const t = harness({ maxSessions: 2 });
  const a = await t.start();
  await t.start();
  await expectCode(t.call('StartMediaSession', { TSMediaCapabilityInfo: info(tsAudio) }), 708);
  await t.call('StopMediaSession', { TargetMediaSessionID: a.id });
  await t.start();
  assert.equal(t.port.openSessions().length, 2);
});

test('StopMediaSession (C.13 F3/F4): closes the endpoint session, events Stopped with the TC side, then 712, then 703', async () => {
  const t = harness({ stoppedRetentionMs: 30_000 });
  const { id, answer } = await t.start();
  t.clock.advance(0);
  const out = await t.call('StopMediaSession', { TargetMediaSessionID: id });
  assert.deepEqual(out, {});
  assert.deepEqual(t.port.openSessions(), []);
  t.clock.advance(0);
  assert.deepEqual(t.state.events().map((e) => [e.mediaSessionID, e.mediaSessionStatus, e.mediaCapability?.content]), [
    [id, 'Started', answer],
    [id, 'Stopped', answer],
  ]);
  await expectCode(t.call('StopMediaSession', { TargetMediaSessionID: id }), 712);
  await expectCode(t.call('ModifyMediaSession', { TargetMediaSessionID: id, NewMediaCapabilityInfo: info(tsAudio) }), 712);
  const list = parseMediaSessionInfoList(String((await t.call('GetMediaSessionInfo', { TargetMediaSessionID: id })).MediaSessionInfoList));
  assert.ok(list.ok);
  assert.equal(list.value[0]!.mediaSessionStatus, 'Stopped');
  t.clock.advance(30_000);
  await expectCode(t.call('StopMediaSession', { TargetMediaSessionID: id }), 703);
  await expectCode(t.call('GetMediaSessionInfo', { TargetMediaSessionID: id }), 703);
  await expectCode(t.call('StopMediaSession', { TargetMediaSessionID: 'media-nope' }), 703);
  await expectCode(t.call('StopMediaSession', { TargetMediaSessionID: '' }), 703);
  assert.equal(t.clock.pending, 0, 'no timer left');
});

test('ModifyMediaSession: a new TS offer gets a new answer and a Started event carrying it', async () => {
  const t = harness();
  const { id } = await t.start();
  t.clock.advance(0);
  const both = sdp('m=audio 11003 RTP/AVP 0\r\na=rtpmap:0 PCMU/8000\r\nm=video 12003 RTP/AVP 96\r\na=rtpmap:96 MP4V-ES/90000\r\n', '192.168.1.2');
  const out = await t.call('ModifyMediaSession', { TargetMediaSessionID: ` ${id} `, NewMediaCapabilityInfo: info(both) });
  assert.deepEqual(Object.keys(out), ['TCMediaCapabilityInfo']);
  const answer = parseMmsMediaCapabilityInfo(String(out.TCMediaCapabilityInfo));
  assert.ok(answer.ok);
  const content = answer.value.mediaCapability!.content;
  assert.match(content, /^m=audio 50000 RTP\/AVP 0\r$/m, 'audio keeps its port');
  assert.match(content, /^m=video 50002 RTP\/AVP 96\r$/m, 'video gets a new one');
  const modified = t.port.calls.at(-1)!;
  assert.equal(modified.kind, 'modify');
  if (modified.kind === 'modify') assert.match(modified.offer.remoteSdp, /192\.168\.1\.2/);
  t.clock.advance(0);
  assert.deepEqual(t.state.events().map((e) => e.mediaSessionStatus), ['Started', 'Started']);
  assert.equal(t.state.events()[1]!.mediaCapability?.content, content);
});

test('ModifyMediaSession errors: 703, 707, 402, 712 while another modification runs; a refused change leaves the session as it was', async () => {
  const t = harness({}, new FakeMediaSessions({ delayMs: 20 }));
  const { id, answer } = await t.start();
  await expectCode(t.call('ModifyMediaSession', { TargetMediaSessionID: 'nope', NewMediaCapabilityInfo: info(tsAudio) }), 703);
  await expectCode(t.call('ModifyMediaSession', { TargetMediaSessionID: id, NewMediaCapabilityInfo: info(tsG729) }), 707);
  await expectCode(t.call('ModifyMediaSession', { TargetMediaSessionID: id, NewMediaCapabilityInfo: '' }), 707);
  await expectCode(t.call('ModifyMediaSession', { TargetMediaSessionID: id, NewMediaCapabilityInfo: 'garbage' }), 402);
  t.port.failNext('modify', 'unsupported');
  await expectCode(t.call('ModifyMediaSession', { TargetMediaSessionID: id, NewMediaCapabilityInfo: info(tsVideo) }), 707);
  t.port.failNext('modify', 'bad-answer');
  await expectCode(t.call('ModifyMediaSession', { TargetMediaSessionID: id, NewMediaCapabilityInfo: info(tsVideo) }), 501);
  const first = t.call('ModifyMediaSession', { TargetMediaSessionID: id, NewMediaCapabilityInfo: info(tsAudio) });
  await expectCode(t.call('ModifyMediaSession', { TargetMediaSessionID: id, NewMediaCapabilityInfo: info(tsAudio) }), 712);
  await first;
  const list = parseMediaSessionInfoList(String((await t.call('GetMediaSessionInfo', { TargetMediaSessionID: id })).MediaSessionInfoList));
  assert.ok(list.ok);
  assert.equal(list.value[0]!.mediaCapability?.content, answer, 'the accepted modification answered with the same SDP');
});

test('StopMediaSession while a modification waits for the endpoint: the modification answers 712 and no Started follows the Stopped', async () => {
  const t = harness({}, new FakeMediaSessions({ delayMs: 20 }));
  const { id } = await t.start();
  t.clock.advance(0);
  const modify = t.call('ModifyMediaSession', { TargetMediaSessionID: id, NewMediaCapabilityInfo: info(tsVideo.replace('m=video', 'm=audio').replace('96 MP4V-ES/90000', '96 PCMU/8000')) });
  const refused = expectCode(modify, 712);
  await t.call('StopMediaSession', { TargetMediaSessionID: id });
  await refused;
  t.clock.advance(0);
  assert.deepEqual(t.state.events().map((e) => e.mediaSessionStatus), ['Started', 'Stopped']);
  assert.deepEqual(t.port.openSessions(), []);
});

test('GetMediaSessionInfo (C.18 F1/F2): one session, or every session with an empty TargetMediaSessionID', async () => {
  const t = harness();
  await expectCode(t.call('GetMediaSessionInfo', { TargetMediaSessionID: 'media101' }), 703);
  const none = parseMediaSessionInfoList(String((await t.call('GetMediaSessionInfo', { TargetMediaSessionID: '' })).MediaSessionInfoList));
  assert.deepEqual(none, { ok: true, value: [] });
  const a = await t.start();
  const b = await t.start(tsVideo);
  await t.call('StopMediaSession', { TargetMediaSessionID: a.id });
  const all = parseMediaSessionInfoList(String((await t.call('GetMediaSessionInfo', { TargetMediaSessionID: '' })).MediaSessionInfoList));
  assert.ok(all.ok);
  assert.deepEqual(all.value.map((s) => [s.mediaSessionID, s.mediaSessionStatus]), [[a.id, 'Stopped'], [b.id, 'Started']]);
  const one = parseMediaSessionInfoList(String((await t.call('GetMediaSessionInfo', { TargetMediaSessionID: `\n ${b.id}\n` })).MediaSessionInfoList));
  assert.ok(one.ok);
  assert.deepEqual(one.value, [{ mediaSessionID: b.id, mediaSessionStatus: 'Started', mediaCapability: { format: 'SDP', content: b.answer } }]);
});

test('a session the endpoint ends by itself (the TS’s RTCP BYE, C.13/C.27) is evented Stopped; the TelCP’s StopMediaSession that follows succeeds once, then 712', async () => {
  const t = harness();
  const { id } = await t.start();
  t.port.end(id, 'socket error');
  t.port.end(id, 'again');
  t.clock.advance(0);
  assert.deepEqual(t.state.events().map((e) => e.mediaSessionStatus), ['Started', 'Stopped']);
  await t.call('StopMediaSession', { TargetMediaSessionID: id });
  await expectCode(t.call('StopMediaSession', { TargetMediaSessionID: id }), 712);
  await expectCode(t.call('ModifyMediaSession', { TargetMediaSessionID: id, NewMediaCapabilityInfo: info(tsAudio) }), 712);
  t.clock.advance(0);
  assert.deepEqual(t.state.events().map((e) => e.mediaSessionStatus), ['Started', 'Stopped'], 'no second Stopped event');
});

test('events: one per change, in the order of the changes, each with its own session', async () => {
  const t = harness();
  const a = await t.start();
  const b = await t.start(tsVideo);
  await t.call('StopMediaSession', { TargetMediaSessionID: a.id });
  await t.call('StopMediaSession', { TargetMediaSessionID: b.id });
  t.clock.advance(0);
  assert.deepEqual(t.state.events().map((e) => `${e.mediaSessionID} ${e.mediaSessionStatus}`), [
    `${a.id} Started`,
    `${b.id} Started`,
    `${a.id} Stopped`,
    `${b.id} Stopped`,
  ]);
  assert.ok(t.state.sets.every((s) => Object.keys(s).join() === 'MediaSessionInfo'));
});

test('stopped sessions kept for their retention are capped; the oldest is released first', async () => {
  const t = harness({ maxStoppedRetained: 2 });
  const ids: string[] = [];
  for (let i = 0; i < 4; i++) {
    const { id } = await t.start();
    ids.push(id);
    await t.call('StopMediaSession', { TargetMediaSessionID: id });
  }
  assert.deepEqual(t.service.list().map((s) => s.mediaSessionID), ids.slice(2));
  await expectCode(t.call('GetMediaSessionInfo', { TargetMediaSessionID: ids[0]! }), 703);
});

test('close(): every open session is closed on the endpoint, timers stop, nothing is evented afterwards', async () => {
  const t = harness();
  await t.start();
  const b = await t.start(tsVideo);
  await t.call('StopMediaSession', { TargetMediaSessionID: b.id });
  await t.service.close();
  assert.deepEqual(t.port.openSessions(), []);
  t.clock.advance(0);
  assert.equal(t.state.sets.length, 0, 'the events still queued are dropped');
  assert.equal(t.clock.pending, 0);
  assert.equal(t.service.list().length, 0);
});

test('StartMediaSession that completes while the service closes is closed again on the endpoint (no leak)', async () => {
  const t = harness({}, new FakeMediaSessions({ delayMs: 20 }));
  const p = t.call('StartMediaSession', { TSMediaCapabilityInfo: info(tsAudio) });
  await t.service.close();
  await expectCode(p, 501);
  assert.deepEqual(t.port.openSessions(), []);
});
