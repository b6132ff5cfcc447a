/**
 * The Telephony Client over real UPnP on lo: TelephonyClient:1 devices with MediaManagement:1 on real
 * DeviceHosts, an in-memory media endpoint behind each, and a hometel ControlPoint as the TelCP. Every action,
 * the errors, the MediaSessionInfo events over GENA, and the MediaManagement requests of Appendix C of
 * CallManagement:1 posted as printed (test/fixtures/media-management/requests, format in its README).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { systemClock } from '../../src/base/clock.js';
import { ControlPoint, DeviceHost, findService, UpnpError, type RemoteService, type UpnpValue } from '../../src/upnp/index.js';
import { parseActionOutcome } from '../../src/upnp/soap/envelope.js';
import { MediaManagementService } from '../../src/telephony/client/media-management-service.js';
import { telephonyClientDevice, telephonyClientType } from '../../src/telephony/client/telephony-client-device.js';
import {
  buildMmsMediaCapabilityInfo,
  mediaManagementContract,
  mediaManagementServiceId,
  mediaManagementServiceType,
  parseMediaSessionInfo,
  parseMediaSessionInfoList,
  parseMmsMediaCapabilityInfo,
  type MediaSessionInfo,
} from '../../src/telephony/contracts/media-management/index.js';
import { sdpOfTypes } from '../../src/media/sdp/index.js';
import { FakeMediaSessions, defaultTcCapabilities } from '../../src/telephony/testing/fake-media-sessions.js';
import { lo, testLogger, waitFor } from '../support/net.js';
import { rawRequest, type RawResponse } from '../support/raw-http.js';
import { applyCorrections, type Correction } from '../support/sequences.js';

// ------------------------------------------------------------------------------------------------
// Five Telephony Clients: "TC" for the action tests, and the four TCs of the printed sequences
// ------------------------------------------------------------------------------------------------

const tcNames = ['TC', 'A-TC1', 'A-TC2', 'B-TC1', 'B-TC2'] as const;
type TcName = (typeof tcNames)[number];

interface Tc {
  readonly name: TcName;
  readonly udn: string;
  readonly port: FakeMediaSessions;
  readonly service: MediaManagementService;
  readonly host: DeviceHost;
  mm?: RemoteService;
  /** Every MediaSessionInfo event received (the initial empty value left out), parsed. */
  readonly events: MediaSessionInfo[];
  /** How many of `events` the test has looked at. */
  consumed: number;
  /** The TC's session of the running sequence (what {{MediaSessionID}} stands for), and the last one stopped. */
  current?: string;
  stopped?: string;
}

const tcs = new Map<TcName, Tc>();
for (const [i, name] of tcNames.entries()) {
  const port = new FakeMediaSessions({ basePort: 52000 + i * 1000 });
  const service = new MediaManagementService({ port, clock: systemClock, logger: testLogger(`tc-${name}`) });
  const udn = `uuid:${randomUUID()}`;
  const host = new DeviceHost({
    root: telephonyClientDevice({ udn, friendlyName: `hometel test ${name}`, mediaManagement: service }),
    interfaces: [lo],
    bootId: 1,
    logger: testLogger(`tc-${name}-device`),
  });
  await host.start();
  tcs.set(name, { name, udn, port, service, host, events: [], consumed: 0 });
}
const cp = new ControlPoint({ interfaces: [lo], logger: testLogger('telcp'), searchTarget: telephonyClientType, mx: 1 });
await cp.start();
for (const tc of tcs.values()) {
  const device = await cp.waitForDevice((d) => d.udn === tc.udn);
  tc.mm = findService(device, (s) => s.serviceType === mediaManagementServiceType);
  const sub = await cp.subscribe(tc.mm!);
  sub.on('event', (vars: Map<string, UpnpValue>) => {
    const v = vars.get('MediaSessionInfo');
    if (typeof v !== 'string' || v === '') return;
    const parsed = parseMediaSessionInfo(v);
    if (!parsed.ok) throw new Error(`${tc.name} evented a MediaSessionInfo we cannot parse: ${parsed.reason}`);
    tc.events.push(parsed.value);
  });
}
test.after(async () => {
  await cp.stop();
  for (const tc of tcs.values()) {
    await tc.host.stop();
    await tc.service.close();
  }
});

const get = (name: TcName): Tc & { mm: RemoteService } => {
  const tc = tcs.get(name)!;
  assert.ok(tc.mm, `${name} was not discovered`);
  return tc as Tc & { mm: RemoteService };
};

async function nextEvent(tc: Tc, timeoutMs = 5_000): Promise<MediaSessionInfo> {
  await waitFor(() => tc.events.length > tc.consumed, `a MediaSessionInfo event from ${tc.name}`, timeoutMs);
  return tc.events[tc.consumed++]!;
}

async function expectError(p: Promise<unknown>, code: number): Promise<void> {
  await assert.rejects(p, (e: unknown) => {
    assert.ok(e instanceof UpnpError, String(e));
    assert.equal(e.errorCode, code, `${e.errorCode} ${e.errorDescription}`);
    return true;
  });
}

const mediaKinds = (sdp: string | undefined): string[] => [...(sdp ?? '').matchAll(/^m=(\w+)/gm)].map((m) => m[1]!);

function sdp(media: string, address = '127.0.0.2'): string {
  return `v=0\r\no=- 0 0 IN IP4 ${address}\r\ns=-\r\nc=IN IP4 ${address}\r\nt=0 0\r\n${media}`;
}
const tsAudio = sdp('m=audio 40000 RTP/AVP 0 8\r\na=rtpmap:0 PCMU/8000\r\na=rtpmap:8 PCMA/8000\r\na=ptime:20\r\n');
const tsVideo = sdp('m=video 40006 RTP/AVP 96\r\na=rtpmap:96 MP4V-ES/90000\r\n');
const tsAudioVideo = sdp('m=audio 40002 RTP/AVP 8\r\na=rtpmap:8 PCMA/8000\r\nm=video 40004 RTP/AVP 97\r\na=rtpmap:97 H264/90000\r\n');
const info = (s: string): string => buildMmsMediaCapabilityInfo({ mediaCapability: { format: 'SDP', content: s } });

function capabilityOf(value: UpnpValue | undefined): string {
  const r = parseMmsMediaCapabilityInfo(String(value));
  assert.ok(r.ok, r.ok ? '' : r.reason);
  assert.ok(r.value.mediaCapability, 'a <mediaCapability>');
  return r.value.mediaCapability.content;
}

// ------------------------------------------------------------------------------------------------
// The device and every action through the control point
// ------------------------------------------------------------------------------------------------

test('TelephonyClient:1 is discovered with MediaManagement:1; its SCPD is the contract', () => {
  const tc = get('TC');
  assert.equal(tc.mm.device.deviceType, 'urn:schemas-upnp-org:device:TelephonyClient:1');
  assert.equal(tc.mm.serviceId, mediaManagementServiceId);
  assert.equal(tc.mm.serviceType, 'urn:schemas-upnp-org:service:MediaManagement:1');
  assert.deepEqual(tc.mm.contract, mediaManagementContract);
});

test('GetMediaCapabilities: everything with "", or the part of the TS capability the TC supports', async () => {
  const tc = get('TC');
  const all = capabilityOf((await tc.mm.invoke('GetMediaCapabilities', { TSMediaCapabilityInfo: '' })).SupportedMediaCapabilityInfo);
  assert.equal(all, defaultTcCapabilities());
  const ts = sdp('m=audio 40000 RTP/AVP 18 8\r\na=rtpmap:18 G729/8000\r\na=rtpmap:8 PCMA/8000\r\n');
  const sub = capabilityOf((await tc.mm.invoke('GetMediaCapabilities', { TSMediaCapabilityInfo: info(ts) })).SupportedMediaCapabilityInfo);
  assert.match(sub, /^m=audio 40000 RTP\/AVP 8\r$/m);
});

test('a Media Session through its life: Start, GetMediaSessionInfo, Modify, Stop, each evented over GENA', async () => {
  const tc = get('TC');
  tc.consumed = tc.events.length;
  const started = await tc.mm.invoke('StartMediaSession', { TSMediaCapabilityInfo: info(tsAudio) });
  assert.deepEqual(Object.keys(started), ['MediaSessionID', 'TCMediaCapabilityInfo']);
  const id = String(started.MediaSessionID);
  const answer = capabilityOf(started.TCMediaCapabilityInfo);
  assert.match(answer, /^m=audio 52000 RTP\/AVP 0 8\r$/m);
  assert.equal(tc.port.session(id)?.offer.remoteSdp, tsAudio, 'the endpoint got the TS leg');
  assert.deepEqual(await nextEvent(tc), { mediaSessionID: id, mediaSessionStatus: 'Started', mediaCapability: { format: 'SDP', content: answer } });

  const list = parseMediaSessionInfoList(String((await tc.mm.invoke('GetMediaSessionInfo', { TargetMediaSessionID: id })).MediaSessionInfoList));
  assert.ok(list.ok);
  assert.deepEqual(list.value, [{ mediaSessionID: id, mediaSessionStatus: 'Started', mediaCapability: { format: 'SDP', content: answer } }]);

  const modified = await tc.mm.invoke('ModifyMediaSession', { TargetMediaSessionID: id, NewMediaCapabilityInfo: info(tsAudioVideo) });
  const newAnswer = capabilityOf(modified.TCMediaCapabilityInfo);
  assert.deepEqual(mediaKinds(newAnswer), ['audio', 'video']);
  assert.match(newAnswer, /^m=video \d+ RTP\/AVP 97\r$/m);
  const ev = await nextEvent(tc);
  assert.equal(ev.mediaSessionStatus, 'Started');
  assert.equal(ev.mediaCapability?.content, newAnswer);

  assert.deepEqual(await tc.mm.invoke('StopMediaSession', { TargetMediaSessionID: id }), {});
  assert.deepEqual(await nextEvent(tc), { mediaSessionID: id, mediaSessionStatus: 'Stopped', mediaCapability: { format: 'SDP', content: newAnswer } });
  assert.deepEqual(tc.port.openSessions(), []);
  const all = parseMediaSessionInfoList(String((await tc.mm.invoke('GetMediaSessionInfo', { TargetMediaSessionID: '' })).MediaSessionInfoList));
  assert.ok(all.ok);
  assert.ok(all.value.some((s) => s.mediaSessionID === id && s.mediaSessionStatus === 'Stopped'));
});

test('errors over the wire: 703, 712, 707, 708, 402, and their fault bodies', async () => {
  const tc = get('TC');
  await expectError(tc.mm.invoke('StopMediaSession', { TargetMediaSessionID: 'media-unknown' }), 703);
  await expectError(tc.mm.invoke('GetMediaSessionInfo', { TargetMediaSessionID: 'media-unknown' }), 703);
  await expectError(tc.mm.invoke('ModifyMediaSession', { TargetMediaSessionID: 'media-unknown', NewMediaCapabilityInfo: info(tsAudio) }), 703);
  const g729 = sdp('m=audio 40000 RTP/AVP 18\r\na=rtpmap:18 G729/8000\r\n');
  await expectError(tc.mm.invoke('StartMediaSession', { TSMediaCapabilityInfo: info(g729) }), 707);
  await expectError(tc.mm.invoke('StartMediaSession', { TSMediaCapabilityInfo: '' }), 707);
  await expectError(tc.mm.invoke('StartMediaSession', { TSMediaCapabilityInfo: '<not-mms/>' }), 402);
  await expectError(tc.mm.invokeWire('StartMediaSession', []), 402);
  tc.port.failNext('open', 'no-resources');
  await expectError(tc.mm.invoke('StartMediaSession', { TSMediaCapabilityInfo: info(tsAudio) }), 708);

  tc.consumed = tc.events.length;
  const { MediaSessionID } = await tc.mm.invoke('StartMediaSession', { TSMediaCapabilityInfo: info(tsAudio) });
  await tc.mm.invoke('StopMediaSession', { TargetMediaSessionID: MediaSessionID! });
  assert.deepEqual([(await nextEvent(tc)).mediaSessionStatus, (await nextEvent(tc)).mediaSessionStatus], ['Started', 'Stopped']);
  await expectError(tc.mm.invoke('StopMediaSession', { TargetMediaSessionID: MediaSessionID! }), 712);
  await expectError(tc.mm.invoke('ModifyMediaSession', { TargetMediaSessionID: MediaSessionID!, NewMediaCapabilityInfo: info(tsAudio) }), 712);

  const raw = await rawRequest(tc.mm.urls.controlUrl, 'POST', {
    'CONTENT-TYPE': 'text/xml; charset="utf-8"',
    SOAPACTION: `"${mediaManagementServiceType}#StopMediaSession"`,
  }, `<?xml version="1.0"?><s:Envelope xmlns:s="http://schemas.xmlsoap.org/soap/envelope/" s:encodingStyle="http://schemas.xmlsoap.org/soap/encoding/"><s:Body><u:StopMediaSession xmlns:u="${mediaManagementServiceType}"><TargetMediaSessionID>nope</TargetMediaSessionID></u:StopMediaSession></s:Body></s:Envelope>`);
  assert.equal(raw.status, 500);
  assert.match(raw.body, /<errorCode>703<\/errorCode><errorDescription>Invalid MediaSessionID<\/errorDescription>/);
});

test('a session the media endpoint ends by itself is evented Stopped to the TelCP; its StopMediaSession then succeeds once, then 712', async () => {
  const tc = get('TC');
  tc.consumed = tc.events.length;
  const { MediaSessionID } = await tc.mm.invoke('StartMediaSession', { TSMediaCapabilityInfo: info(tsAudio) });
  assert.equal((await nextEvent(tc)).mediaSessionStatus, 'Started');
  tc.port.end(String(MediaSessionID), 'socket error');
  const ev = await nextEvent(tc);
  assert.deepEqual([ev.mediaSessionID, ev.mediaSessionStatus], [MediaSessionID, 'Stopped']);
  await tc.mm.invoke('StopMediaSession', { TargetMediaSessionID: MediaSessionID! });
  await expectError(tc.mm.invoke('StopMediaSession', { TargetMediaSessionID: MediaSessionID! }), 712);
});

// ------------------------------------------------------------------------------------------------
// Appendix C: the MediaManagement requests as printed
// ------------------------------------------------------------------------------------------------

const requestsDir = fileURLToPath(new URL('../fixtures/media-management/requests/', import.meta.url));

type Step =
  | {
      do: 'post';
      label: string;
      tc: TcName;
      action: string;
      body: string;
      corrections?: Correction[];
      placeholders?: string[];
      soapRefusal?: string;
      expect: { args: string[]; media?: string[] };
    }
  | { do: 'event'; label: string; tc: TcName; status: string; printedID: string; media: string[] }
  | { do: 'given'; tc: TcName; session: 'audio' | 'video'; why: string }
  | { do: 'stop'; tc: TcName; unprinted: string };

interface Sequence {
  id: string;
  title: string;
  tcMedia?: string[];
  steps: Step[];
}

const script = JSON.parse(readFileSync(join(requestsDir, 'sequences.json'), 'utf8')) as { sequences: Sequence[] };

/** Printed requests that hometel's SOAP layer refuses as printed (see the fixtures' README, `soapRefusal`). */
const soapGaps: string[] = [];

const fragmentArgument: Record<string, string> = { GetMediaCapabilities: 'TSMediaCapabilityInfo', StartMediaSession: 'TSMediaCapabilityInfo' };

function post(tc: Tc & { mm: RemoteService }, action: string, body: string): Promise<RawResponse> {
  return rawRequest(
    tc.mm.urls.controlUrl,
    'POST',
    { 'CONTENT-TYPE': 'text/xml ; charset="utf-8"', SOAPACTION: `"urn:schemas-upnp-org:service:MediaManagement:1#${action}"` },
    body,
  );
}

/** Stops what a sequence left running and forgets its events, so that the next sequence starts clean. */
async function resetTcs(): Promise<void> {
  for (const name of tcNames) {
    const tc = get(name);
    const stopped: string[] = [];
    for (const s of tc.service.list()) {
      if (s.mediaSessionStatus !== 'Started') continue;
      await tc.mm.invoke('StopMediaSession', { TargetMediaSessionID: s.mediaSessionID });
      stopped.push(s.mediaSessionID);
    }
    assert.deepEqual(tc.port.openSessions(), [], `${name}: the endpoint still has sessions`);
    const isStopped = (id: string): boolean => tc.events.some((e) => e.mediaSessionID === id && e.mediaSessionStatus === 'Stopped');
    await waitFor(() => stopped.every(isStopped), `${name}: Stopped events of the sessions left running`);
    tc.consumed = tc.events.length;
    delete tc.current;
    delete tc.stopped;
    tc.port.setCapabilities(defaultTcCapabilities());
  }
}

async function runPost(step: Extract<Step, { do: 'post' }>, where: string, problems: string[]): Promise<boolean> {
  const tc = get(step.tc);
  let body = applyCorrections(readFileSync(join(requestsDir, step.body), 'utf8'), step.corrections ?? []);
  if (body.includes('{{MediaSessionID}}')) {
    if (!tc.current) {
      problems.push(`${where}: ${step.tc} has no session for {{MediaSessionID}}`);
      return false;
    }
    body = body.split('{{MediaSessionID}}').join(tc.current);
  }
  let res = await post(tc, step.action, body);
  if (res.status === 400 && step.soapRefusal) {
    soapGaps.push(`${where} (${step.action})`);
    const arg = fragmentArgument[step.action]!;
    res = await post(tc, step.action, applyCorrections(body, [{ escapeMarkupIn: arg, why: 'the SOAP layer refuses the raw fragment' }]));
  }
  if (res.status !== 200) {
    problems.push(`${where}: HTTP ${res.status} ${res.body.slice(0, 300)}`);
    return false;
  }
  const outcome = parseActionOutcome(res.body);
  if (!outcome.ok || outcome.value.kind !== 'response') {
    problems.push(`${where}: not an action response`);
    return false;
  }
  const out = new Map(outcome.value.args);
  const names = outcome.value.args.map(([n]) => n);
  if (JSON.stringify(names) !== JSON.stringify(step.expect.args)) problems.push(`${where}: out-arguments ${names.join(',')} instead of ${step.expect.args.join(',')}`);
  const fragment = out.get('SupportedMediaCapabilityInfo') ?? out.get('TCMediaCapabilityInfo');
  if (step.expect.media) {
    const parsed = parseMmsMediaCapabilityInfo(fragment ?? '');
    const kinds = parsed.ok ? mediaKinds(parsed.value.mediaCapability?.content) : [];
    if (JSON.stringify(kinds) !== JSON.stringify(step.expect.media)) problems.push(`${where}: media ${kinds.join(',')} instead of ${step.expect.media.join(',')}`);
  }
  if (step.action === 'StartMediaSession') tc.current = out.get('MediaSessionID');
  if (step.action === 'StopMediaSession') tc.stopped = tc.current;
  if (step.action === 'GetMediaSessionInfo') {
    const list = parseMediaSessionInfoList(out.get('MediaSessionInfoList') ?? '');
    if (!list.ok || list.value.length !== 1 || list.value[0]!.mediaSessionID !== tc.current || list.value[0]!.mediaSessionStatus !== 'Started') {
      problems.push(`${where}: MediaSessionInfoList does not list ${tc.current} as Started`);
    }
  }
  return true;
}

for (const seq of script.sequences) {
  test(`Appendix ${seq.id} ${seq.title}: the MediaManagement requests as printed are accepted, with the printed events`, async () => {
    const problems: string[] = [];
    if (seq.tcMedia) {
      const only = sdpOfTypes(defaultTcCapabilities(), new Set(seq.tcMedia));
      assert.ok(only);
      for (const tc of tcs.values()) tc.port.setCapabilities(only);
    }
    try {
      for (const step of seq.steps) {
        const tc = get(step.tc);
        if (step.do === 'given') {
          const offer = step.session === 'video' ? tsVideo : tsAudio;
          tc.current = String((await tc.mm.invoke('StartMediaSession', { TSMediaCapabilityInfo: info(offer) })).MediaSessionID);
          await nextEvent(tc);
        } else if (step.do === 'stop') {
          await tc.mm.invoke('StopMediaSession', { TargetMediaSessionID: tc.current! });
          tc.stopped = tc.current;
        } else if (step.do === 'post') {
          if (!(await runPost(step, `${seq.id} ${step.label}`, problems))) break;
        } else {
          const ev = await nextEvent(tc);
          const id = step.status === 'Started' ? tc.current : tc.stopped;
          const where = `${seq.id} ${step.label}`;
          if (ev.mediaSessionStatus !== step.status) problems.push(`${where}: status ${ev.mediaSessionStatus} instead of ${step.status}`);
          if (ev.mediaSessionID !== id) problems.push(`${where}: session ${ev.mediaSessionID} instead of ${id} (printed ${step.printedID})`);
          const kinds = mediaKinds(ev.mediaCapability?.content);
          if (JSON.stringify(kinds) !== JSON.stringify(step.media)) problems.push(`${where}: event media ${kinds.join(',')} instead of ${step.media.join(',')}`);
        }
      }
    } finally {
      await resetTcs();
    }
    assert.deepEqual(problems, []);
  });
}

test('the 8 printed requests with a raw fragment were accepted by the service once escaped', () => {
  const flagged = script.sequences.flatMap((s) => s.steps.filter((x) => x.do === 'post' && x.soapRefusal).map((x) => `${s.id} ${(x as { label: string }).label}`));
  assert.equal(flagged.length, 8);
  for (const gap of soapGaps) assert.ok(flagged.some((f) => gap.startsWith(f)), `${gap} was refused but is not flagged`);
});

test('the printed requests with a raw fragment whose mms prefix is declared nowhere are accepted as printed', () => {
  assert.deepEqual(soapGaps, []);
});
