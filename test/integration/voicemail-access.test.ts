/**
 * The home's voicemail from a phone (issue 14, acceptance 7's media): a SIPp phone calls the voicemail feature code on
 * the phones' SIP side, hears the count and the newest message (440 Hz, checked by frequency in what was captured on
 * lo), presses 7 (RFC 4733 telephone-event: that message is deleted for the whole home), hears the next one (550 Hz)
 * and presses # (hometel hangs up; the other message stays).
 */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, mkdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { silentLogger, systemClock } from '../../src/base/index.js';
import { PortPool } from '../../src/media/index.js';
import { PhoneSide } from '../../src/sip/pbx/index.js';
import { SqliteVoiceMailRepository, Store } from '../../src/store/index.js';
import { VoiceMailService } from '../../src/voicemail/index.js';
import { VoicemailAccess } from '../../src/app/voicemail-access.js';
import { PhoneMedia } from '../../src/app/phone-media.js';
import { captureUdpTo } from '../support/pcap.js';
import { expectSippSuccess, freeLoopbackPort, runSipp, SIPP_SCENARIO_DIR } from '../support/sipp.js';
import { lo } from '../support/net.js';
import { audioOf, frequencies } from '../support/tones.js';
import { seedMessage } from '../support/voicemail-fixtures.js';

let dir: string;
let store: Store;
let voicemail: VoiceMailService;
let side: PhoneSide;
let media: PhoneMedia;
let access: VoicemailAccess;

before(async () => {
  dir = mkdtempSync(join(tmpdir(), 'hometel-vm-access-'));
  store = Store.open(dir);
  const vmDir = join(dir, 'vm');
  mkdirSync(vmDir, { recursive: true });
  // Unread, newest first: m2 (440 Hz) plays first, then m1 (550 Hz).
  seedMessage(store, vmDir, { id: 'm1', hz: 550, seconds: 3, receivedAt: Date.now() - 60_000 });
  seedMessage(store, vmDir, { id: 'm2', hz: 440, seconds: 2, receivedAt: Date.now() });
  const limits = { maxMessagesPerLine: 10, maxSecondsPerMessage: 60, silenceSeconds: 2, maxDiskBytes: 10 * 1024 * 1024 };
  voicemail = new VoiceMailService({ repository: new SqliteVoiceMailRepository(store), dir: vmDir, lines: ['home'], limits, clock: systemClock, logger: silentLogger });
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

test('a phone hears the count and the newest message (440 Hz), deletes it with 7, hears the next (550 Hz) and leaves with #: hometel hangs up', async () => {
  const mediaPort = await freeLoopbackPort(4);
  const capture = await captureUdpTo(mediaPort);
  // 7 at 4 s (the count and m2 have played), # at 6 s (m1 plays from about 4.9 s to 7.9 s).
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
  const heard = frequencies(audioOf(await capture.stop()).samples, 500);
  expectSippSuccess(result, 'the phone\'s call to the voicemail (hometel ends it after #)');
  const near = (hz: number): boolean => heard.some((f) => Math.abs(f - hz) <= 10);
  assert.ok(near(660), `the count's 660 Hz pip: ${heard.join(', ')}`);
  assert.ok(near(440), `the newest message's 440 Hz: ${heard.join(', ')}`);
  assert.ok(near(550), `after the delete, the next message's 550 Hz: ${heard.join(', ')}`);
  assert.deepEqual(voicemail.list().map((m) => m.id), ['m1'], '7 deleted the message played for the whole home; # left the other');
});
