/**
 * Issue 14, acceptance 5 and 6 over real sockets: the phones' SIP side with the notifier (a fake authenticator that
 * accepts extensions 21 and 22), SIPp as the subscribing phone (scenarios written below as fixtures).
 * 5: a voicemail message arrives in a real VoiceMailService → SIPp's message-summary subscription gets
 *    `Messages-Waiting: yes`; the message is marked read → `no` (RFC 3842).
 * 6: a dialog subscriber watching extension 21 sees early → confirmed → terminated as the dialog source reports a
 *    call (RFC 4235); a presence subscriber gets PIDF open, then closed when the binding goes (RFC 3856, RFC 3863).
 * And a line's busy lamp: SIPp watching sip:home@home sees the line's Call (its onCallChange) ring, talk and end.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, afterEach, before, beforeEach, describe, it } from 'node:test';
import { startPhoneLamps, voicemailMessages, type RunningLamps } from '../../src/app/phone-lamps.js';
import { silentLogger } from '../../src/base/logger.js';
import { ToneSource } from '../../src/media/index.js';
import { PhoneSide } from '../../src/sip/pbx/index.js';
import type { Call, CallStatus } from '../../src/telephony/domain/index.js';
import { SqliteVoiceMailRepository, Store } from '../../src/store/index.js';
import { VoiceMailService } from '../../src/voicemail/index.js';
import { FakeClock } from '../support/fake-clock.js';
import { waitFor } from '../support/net.js';
import { binding, FakeAuthenticator, ManualDnd, MemoryDirectory } from '../support/phone-fakes.js';
import { expectSippSuccess, freeLoopbackPort, runSipp, sippMessages, type SippResult } from '../support/sipp.js';

const attribute = (s: string): string => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');

/** A SIPp phone of extension 21 watching `target`: SUBSCRIBE, one NOTIFY per regexp (each answered 200), unsubscribe, the final NOTIFY. */
function subscriberScenario(event: string, accept: string, notifies: readonly string[], target: string): string {
  const notify = (regexp: string, i: number): string => `
  <recv request="NOTIFY">
    <action><ereg regexp="${attribute(regexp)}" search_in="msg" check_it="true" assign_to="n${i}"/></action>
  </recv>
  <send>
    <![CDATA[

      SIP/2.0 200 OK
      [last_Via:]
      [last_From:]
      [last_To:]
      [last_Call-ID:]
      [last_CSeq:]
      Content-Length: 0

    ]]>
  </send>`;
  const subscribe = (cseq: number, expires: number, inDialog: boolean): string => `
  <send retrans="500">
    <![CDATA[

      SUBSCRIBE ${inDialog ? '[$contact]' : `sip:${target}@[remote_ip]:[remote_port]`} SIP/2.0
      Via: SIP/2.0/[transport] [local_ip]:[local_port];branch=[branch]
      From: <sip:21@home>;tag=[pid]SIPpTag[call_number]
      To: <sip:${target}@home>${inDialog ? ';tag=[$totag]' : ''}
      Call-ID: [call_id]
      CSeq: ${cseq} SUBSCRIBE
      Contact: <sip:21@[local_ip]:[local_port]>
      Max-Forwards: 70
      Event: ${event}
      Accept: ${accept}
      Expires: ${expires}
      Content-Length: 0

    ]]>
  </send>`;
  return `<?xml version="1.0" encoding="ISO-8859-1" ?>
<!DOCTYPE scenario SYSTEM "sipp.dtd">
<scenario name="hometel lamps subscriber">
  ${subscribe(1, 600, false)}
  <recv response="200">
    <action>
      <ereg regexp="tag=([^;&gt; ]+)" search_in="hdr" header="To:" check_it="true" assign_to="t,totag"/>
      <ereg regexp="&lt;([^&gt;]+)&gt;" search_in="hdr" header="Contact:" check_it="true" assign_to="c,contact"/>
    </action>
  </recv>
  ${notifies.map(notify).join('')}
  ${subscribe(2, 0, true)}
  <recv response="200"/>
  ${notify('Subscription-State: terminated;reason=timeout', notifies.length)}
  <Reference variables="t,c,${[...notifies.keys(), notifies.length].map((i) => `n${i}`).join(',')}"/>
</scenario>
`;
}

let dir: string;
let side: PhoneSide;
let directory: MemoryDirectory;
let lamps: RunningLamps;
let store: Store;
let voicemail: VoiceMailService;
/** SIPp's port: extension 21's device is registered from there (so it gets no unsolicited NOTIFY: it subscribes). */
let port: number;
/** The line "home": its CallManagement service's onCallChange, played by the test. */
let lineCallChange: ((call: Call, from: CallStatus | undefined) => void) | undefined;
const vmClock = new FakeClock(1_700_000_000_000);

before(() => {
  dir = mkdtempSync(join(tmpdir(), 'hometel-lamps-'));
});
after(() => rmSync(dir, { recursive: true, force: true }));

beforeEach(async () => {
  side = new PhoneSide({ host: '127.0.0.1', port: 0, transports: ['udp'], realm: 'home', logger: silentLogger });
  await side.start();
  directory = new MemoryDirectory();
  directory.add('21', { user: 'anna' });
  directory.add('22');
  port = await freeLoopbackPort();
  directory.setBindings('21', [binding('21', port)]);
  store = Store.open(mkdtempSync(join(dir, 'store-')));
  voicemail = new VoiceMailService({
    repository: new SqliteVoiceMailRepository(store),
    dir: mkdtempSync(join(dir, 'vm-')),
    lines: ['home'],
    limits: { maxMessagesPerLine: 10, maxSecondsPerMessage: 60, silenceSeconds: 2, maxDiskBytes: 10 * 1024 * 1024 },
    clock: vmClock,
    logger: silentLogger,
  });
  voicemail.start();
  lamps = startPhoneLamps({
    side,
    directory,
    authenticator: new FakeAuthenticator(['21', '22']),
    messages: voicemailMessages(voicemail),
    dnd: new ManualDnd(),
    lines: [{ name: 'home', onCallChange: (f) => ((lineCallChange = f), () => (lineCallChange = undefined)) }],
    homeNetworks: ['127.0.0.0/8'],
    logger: silentLogger,
  });
});

afterEach(async () => {
  lamps.stop();
  await side.stop();
  voicemail.close();
  store.close();
});

/** Runs a subscriber scenario against the phones' side while `drive` changes the state; returns SIPp's result. */
async function subscriber(name: string, event: string, accept: string, notifies: readonly string[], drive: () => Promise<void>, target = '21'): Promise<SippResult> {
  const file = join(dir, `${name}.xml`);
  writeFileSync(file, subscriberScenario(event, accept, notifies, target));
  const sipp = await runSipp({ scenario: file as `${string}.xml`, remote: `127.0.0.1:${side.port}`, localPort: port, transport: 'u1', timeoutMs: 30_000, autoAnswer: false });
  try {
    await waitFor(() => lamps.notifier.subscriptions().length === 1, `${name}: the subscription`);
    await drive();
  } catch (e) {
    const r = await sipp.stop();
    throw new Error(`${(e as Error).message}\n${r.report()}`);
  }
  const result = await sipp.done;
  expectSippSuccess(result, name);
  return result;
}

/** The NOTIFY bodies SIPp received, in order. */
function notifyBodies(result: SippResult): string[] {
  return sippMessages(result).filter((m) => m.direction === 'received' && m.firstLine.startsWith('NOTIFY')).map((m) => m.text);
}

/** A message left by a caller: greeting and beep, 2 s of 440 Hz, then silence ends it. */
async function leaveMessage(): Promise<void> {
  const media = voicemail.deposit({ callID: 'c1', line: 'home', callerNumber: '+4930123', callerName: 'Alice' }, () => undefined);
  while (media.source!.nextFrame());
  const tone = new ToneSource(440, 8000);
  for (let i = 0; i < 100; i++) media.sink!.write(tone.nextFrame()!);
  for (let i = 0; i < 101; i++) media.sink!.write(new Int16Array(160));
  vmClock.advance(0);
  await media.close!();
  assert.equal(voicemail.list().length, 1);
}

/** Waits until the NOTIFY just sent is answered: a change made meanwhile would be folded into the next NOTIFY. */
const answered = () => waitFor(() => lamps.notifier.subscriptions().every((s) => !s.notifying), 'the NOTIFY answered');

describe('phone lamps with SIPp as the phone (issue 14, acceptance 5 and 6)', () => {
  it('acceptance 5 (RFC 3842): a voicemail arrives → Messages-Waiting: yes; marked read → no', async () => {
    const result = await subscriber('mwi', 'message-summary', 'application/simple-message-summary', ['Messages-Waiting: no', 'Messages-Waiting: yes', 'Messages-Waiting: no'], async () => {
      await answered();
      await leaveMessage();
      await answered();
      voicemail.markRead(voicemail.list()[0]!.id, true);
    });
    const bodies = notifyBodies(result);
    assert.equal(bodies.length, 4);
    assert.match(bodies[1]!, /Content-Type: application\/simple-message-summary/);
    assert.match(bodies[1]!, /Messages-Waiting: yes\r?\nMessage-Account: sip:21@home\r?\nVoice-Message: 1\/0/);
    assert.match(bodies[2]!, /Voice-Message: 0\/1/);
  });

  it('acceptance 6 (RFC 4235): a dialog subscriber sees extension 21 go early → confirmed → terminated', async () => {
    const call = { id: 'call-1', direction: 'recipient' as const, remote: { identity: 'sip:+4930123@example.com', displayName: 'Alice' } };
    const result = await subscriber(
      'blf',
      'dialog',
      'application/dialog-info+xml',
      ['version="0" state="full" entity="sip:21@home">\\s*</dialog-info>', 'version="1".*<state>early</state>', 'version="2".*<state>confirmed</state>', 'version="3".*<state>terminated</state>'],
      async () => {
        for (const state of ['early', 'confirmed', 'terminated'] as const) {
          await answered();
          lamps.dialogs.report('21', { ...call, state });
        }
      },
    );
    const bodies = notifyBodies(result);
    assert.match(bodies[1]!, /Content-Type: application\/dialog-info\+xml/);
    assert.match(bodies[1]!, /<dialog id="call-1" direction="recipient"><state>early<\/state>.*<remote><identity display="Alice">sip:\+4930123@example.com<\/identity><\/remote>/);
  });

  it('RFC 4235: a busy lamp of the line "home" (sip:home@realm) shows its Call ringing, talking, gone', async () => {
    const result = await subscriber(
      'line-blf',
      'dialog',
      'application/dialog-info+xml',
      ['entity="sip:home@home">\\s*</dialog-info>', '<dialog id="call-7" direction="recipient"><state>early</state>', '<state>confirmed</state>', '<state>terminated</state>'],
      async () => {
        for (const status of ['Ringing', 'Talking', 'Disconnected'] as const) {
          await answered();
          lineCallChange!({ callID: 'call-7', direction: 'incoming', status, remoteParty: { id: '+4930123' } } as unknown as Call, undefined);
        }
      },
      'home',
    );
    assert.match(notifyBodies(result)[1]!, /<remote><identity>\+4930123<\/identity><\/remote>/);
  });

  it('acceptance 6 (RFC 3856 / 3863): a presence subscriber gets PIDF open, then closed when the binding goes', async () => {
    const result = await subscriber('presence', 'presence', 'application/pidf+xml', ['<basic>open</basic>', '<basic>closed</basic>'], async () => {
      await answered();
      directory.setBindings('21', []);
    });
    const bodies = notifyBodies(result);
    assert.match(bodies[0]!, /Content-Type: application\/pidf\+xml/);
    assert.match(bodies[0]!, /<presence xmlns="urn:ietf:params:xml:ns:pidf"[^>]* entity="sip:21@home">/);
  });
});
