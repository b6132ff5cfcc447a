/**
 * The home's voicemail from a phone (issue 14, acceptance 7's media): a SIPp phone calls the voicemail feature code on
 * the phones' SIP side, hears the count and then the message (its 440 Hz, checked by frequency in what was captured
 * on lo), presses 7 (RFC 4733 telephone-event: the message is deleted for the whole home) and # (hometel hangs up).
 */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { silentLogger, systemClock } from '../../src/base/index.js';
import { dominantFrequency, parseRtp, pcmu, PortPool, ToneSource } from '../../src/media/index.js';
import { PhoneSide } from '../../src/sip/pbx/index.js';
import { SqliteVoiceMailRepository, Store } from '../../src/store/index.js';
import { pcmWav, VoiceMailService } from '../../src/voicemail/index.js';
import { VoicemailAccess } from '../../src/app/voicemail-access.js';
import { PhoneMedia } from '../../src/app/phone-media.js';
import { captureUdpTo } from '../support/pcap.js';
import { expectSippSuccess, freeLoopbackPort, runSipp, SIPP_SCENARIO_DIR } from '../support/sipp.js';
import { lo } from '../support/net.js';

let dir: string;
let store: Store;
let voicemail: VoiceMailService;
let side: PhoneSide;
let media: PhoneMedia;
let access: VoicemailAccess;

function tone(hz: number, seconds: number): Int16Array {
  const source = new ToneSource(hz, 8000);
  const out = new Int16Array(seconds * 8000);
  for (let at = 0; at < out.length; at += 160) out.set(source.nextFrame()!, at);
  return out;
}

before(async () => {
  dir = mkdtempSync(join(tmpdir(), 'hometel-vm-access-'));
  store = Store.open(dir);
  const vmDir = join(dir, 'vm');
  mkdirSync(vmDir, { recursive: true });
  const wav = pcmWav(tone(440, 2));
  writeFileSync(join(vmDir, 'm1.wav'), wav);
  const repository = new SqliteVoiceMailRepository(store);
  repository.insert({ id: 'm1', line: 'home', callID: 'c1', callerNumber: '0301234567', receivedAt: Date.now(), durationMs: 2000, bytes: wav.length, file: 'm1.wav', read: false });
  const limits = { maxMessagesPerLine: 10, maxSecondsPerMessage: 60, silenceSeconds: 2, maxDiskBytes: 10 * 1024 * 1024 };
  voicemail = new VoiceMailService({ repository, dir: vmDir, lines: ['home'], limits, clock: systemClock, logger: silentLogger });
  voicemail.start();
  const rtp = await freeLoopbackPort(4);
  media = new PhoneMedia({ address: lo.address, ports: new PortPool({ min: rtp, max: rtp + 3 }), clock: systemClock, logger: silentLogger });
  access = new VoicemailAccess(voicemail, media, silentLogger);
  side = new PhoneSide({ host: lo.address, port: 0, transports: ['udp'], realm: 'hometel', logger: silentLogger });
  // Authentication is the registrar's (its own tests): here every phone is extension 21.
  side.onInvite((session, extension) => void access.serve(session, extension), { authenticate: () => '21' });
  await side.start();
});

after(async () => {
  await media.close();
  await side.stop();
  voicemail.close();
  store.close();
  rmSync(dir, { recursive: true, force: true });
});

test('a phone hears the count and the message (440 Hz), deletes it with 7 and leaves with #: hometel hangs up', async () => {
  const mediaPort = await freeLoopbackPort(4);
  const capture = await captureUdpTo(mediaPort);
  const sipp = await runSipp({
    scenario: `${SIPP_SCENARIO_DIR}/uac-mailbox.xml`,
    remote: `${lo.address}:${side.port}`,
    service: '*97',
    localPort: await freeLoopbackPort(),
    transport: 'u1',
    calls: 1,
    mediaPort,
    timeoutMs: 30_000,
  });
  const result = await sipp.done;
  const packets = (await capture.stop()).flatMap((d) => {
    const r = parseRtp(d.payload);
    return r.ok && r.packet.payloadType === 0 ? [r.packet] : [];
  });
  expectSippSuccess(result, 'the phone\'s call to the voicemail (hometel ends it after #)');
  // 50 packets a second: find the message among one-second windows of what the phone heard.
  const heard: number[] = [];
  for (let at = 0; at + 50 <= packets.length; at += 25) {
    const pcm = new Int16Array(50 * 160);
    packets.slice(at, at + 50).forEach((p, i) => pcm.set(pcmu.decode(p.payload).subarray(0, 160), i * 160));
    heard.push(Math.round(dominantFrequency(pcm, 8000) ?? 0));
  }
  assert.ok(heard.some((f) => Math.abs(f - 440) <= 10), `the phone heard the message's 440 Hz: ${heard.join(', ')}`);
  assert.ok(heard.some((f) => Math.abs(f - 660) <= 10), `and the count's 660 Hz pip before it: ${heard.join(', ')}`);
  assert.deepEqual(voicemail.list(), [], '7 deleted the message for the whole home');
});
