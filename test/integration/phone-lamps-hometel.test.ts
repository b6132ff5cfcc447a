/**
 * Issue 14, acceptance 5 and 6, against a real `hometel start` (its registrar on a free UDP port of 127.0.0.1, a SIP
 * line in direct mode, voicemail, the web application), baresip as extension 21, SIPp as the outside caller and as
 * the phones that subscribe (test/peers/sipp/uac-subscribe.xml, with Digest: hometel authenticates every SUBSCRIBE).
 *
 * - acceptance 6 (RFC 4235, RFC 3856 / 3863): a SIPp dialog subscriber watching extension 21 sees the call to it go
 *   early (baresip rings) → confirmed (baresip answers) → terminated (the caller hangs up), one version more per
 *   NOTIFY; a presence subscriber gets PIDF `closed` (21 offline), `open` once baresip registers (on the phone
 *   during the call), `closed` again once baresip unregisters. Both subscriptions run out (`terminated;reason=timeout`).
 * - acceptance 5 (RFC 3842): baresip's `mwi` module subscribes to message-summary and hears `Messages-Waiting: no`;
 *   an outside caller rings the home, nobody answers, call handling sends the call to voicemail and the caller leaves
 *   a message → `Messages-Waiting: yes`, `Voice-Message: 1/0`; the message marked read through the web
 *   application's HTTP API → `Messages-Waiting: no`, `Voice-Message: 0/1`.
 *
 * RTP ports of hometel's relay 43600–43799; SIP, web and the peers' ports free ones.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { silentLogger, systemClock } from '../../src/base/index.js';
import { phonesOver } from '../../src/app/phones-admin.js';
import { Store } from '../../src/store/index.js';
import { startBaresip, type Baresip } from '../support/baresip.js';
import { waitFor } from '../support/net.js';
import { expectSippSuccess, freeLoopbackPort, runSipp, sippMessages, SIPP_SCENARIO_DIR, type SippHandle, type SippResult } from '../support/sipp.js';
import { toneUlaw } from '../support/tones.js';
import { lineOnlyConfig, startWebHometel, type WebHometel } from '../support/web.js';

const host = '127.0.0.1';
const password = 'lamps-of-21';
const uacMedia = join(SIPP_SCENARIO_DIR, 'uac-media.xml') as `${string}.xml`;
const uacSubscribe = join(SIPP_SCENARIO_DIR, 'uac-subscribe.xml') as `${string}.xml`;
/** How long a call rings the home before call handling sends it to voicemail. */
const noResponseSeconds = 4;

let web: WebHometel;
let registrarPort: number;
let linePort: number;
const phones: Baresip[] = [];
const sipps: SippHandle[] = [];

before(async () => {
  registrarPort = await freeLoopbackPort();
  linePort = await freeLoopbackPort();
  web = await startWebHometel('hometel-lamps-', (dir) => {
    // Extension 21 exists before hometel starts, as `hometel phones add 21` leaves it.
    const store = Store.open(join(dir, 'data'));
    phonesOver(store, 'hometel', systemClock, silentLogger).add({ number: '21', password });
    store.close();
    return {
      ...lineOnlyConfig(dir, linePort),
      media: { rtpPortMin: 43600, rtpPortMax: 43799 },
      voicemail: { silenceSeconds: 2 },
      callHandling: { noResponse: { seconds: noResponseSeconds, action: { kind: 'voicemail' } } },
      // baresip 1.0 gives up on a SHA-256 challenge (phones-registrar.test.ts), and SIPp 3.6 answers MD5 only. Short
      // subscriptions are allowed so that SIPp's run out during the test (SIPp cannot unsubscribe: uac-subscribe.xml).
      phones: { registrar: { host, port: registrarPort, transports: ['udp'], digestAlgorithms: ['MD5'], minExpires: 10 } },
    };
  });
});

after(async () => {
  for (const s of sipps) await s.stop();
  for (const p of phones) await p.stop();
  await web?.hometel.stop();
});

const log = (): string => web.hometel.log();

async function baresip21(o: { mwi?: boolean } = {}): Promise<Baresip> {
  const phone = await startBaresip({ port: await freeLoopbackPort(3), user: '21', registrar: { domain: 'hometel', host, port: registrarPort, password }, ...o });
  phones.push(phone);
  await phone.waitForRegistration();
  return phone;
}

/** A SIPp phone of extension 21 subscribing to `event` of 21 for `expires` seconds; resolves once hometel granted it. */
async function subscriber(event: 'dialog' | 'presence', accept: string, expires: number): Promise<SippHandle> {
  const granted = new RegExp(`subscription event=${event} resource=sip:21@hometel subscriber=21 expires=${expires}`);
  const seen = log().match(new RegExp(granted, 'g'))?.length ?? 0;
  const sipp = await runSipp({
    scenario: uacSubscribe,
    remote: `${host}:${registrarPort}`,
    localPort: await freeLoopbackPort(),
    transport: 'u1',
    service: '21',
    keys: { subscriber: '21', event, accept, expires: String(expires) },
    // The digest-uri SIPp names must be the Request-URI, sip:21@host:port (RFC 7616 3.4.6).
    extraArgs: ['-au', '21', '-ap', password, '-auth_uri', `21@${host}:${registrarPort}`],
    autoAnswer: false,
    timeoutMs: (expires + 30) * 1000,
  });
  sipps.push(sipp);
  try {
    await waitFor(() => (log().match(new RegExp(granted, 'g'))?.length ?? 0) > seen, `hometel grants the ${event} subscription`);
  } catch (e) {
    throw new Error(`${(e as Error).message}\n${(await sipp.stop()).report()}`);
  }
  return sipp;
}

/** The NOTIFY bodies SIPp received, in order, each with its Subscription-State. */
function notifies(result: SippResult): Array<{ state: string; body: string }> {
  return sippMessages(result)
    .filter((m) => m.direction === 'received' && m.firstLine.startsWith('NOTIFY'))
    .map((m) => ({ state: /^Subscription-State: *(.+)$/im.exec(m.text)?.[1]?.trim() ?? '', body: m.text.split(/\r?\n\r?\n/).slice(1).join('\n\n') }));
}

/** SIPp calls the line from +4930555 ("Alice"), playing 440 Hz, and hangs up after `holdms`. */
async function outsideCall(holdms: number): Promise<SippHandle> {
  const sipp = await runSipp({
    scenario: uacMedia,
    remote: `${host}:${linePort}`,
    localPort: await freeLoopbackPort(),
    mediaPort: await freeLoopbackPort(4),
    transport: 'u1',
    service: 'home',
    files: { 'tone.ulaw': toneUlaw(440) },
    keys: { caller: '+4930555', caller_name: 'Alice' },
    vars: { hangup: 'sipp', holdms: String(holdms) },
    timeoutMs: 60_000,
  });
  sipps.push(sipp);
  return sipp;
}

/** Collapses runs of equal neighbours: the states a lamp went through. */
const changes = <T>(xs: readonly T[]): T[] => xs.filter((x, i) => i === 0 || x !== xs[i - 1]);

test('acceptance 6 (RFC 4235, RFC 3863): BLF early → confirmed → terminated during a call to baresip 21; presence closed → open → closed', async () => {
  // Each runs out a while after the call (SIPp cannot unsubscribe): long enough for a slow machine, no longer.
  const presence = await subscriber('presence', 'application/pidf+xml', 25);
  const phone = await baresip21();
  const blf = await subscriber('dialog', 'application/dialog-info+xml', 15);

  const since = phone.mark();
  const caller = await outsideCall(3000);
  await phone.waitForEvent('CALL_INCOMING', 15_000, since);
  await phone.answer();
  await phone.waitForEvent('CALL_ESTABLISHED', 10_000, since);
  expectSippSuccess(await caller.done, 'the outside caller');
  await phone.waitForEvent('CALL_CLOSED', 10_000, since);
  // baresip unregisters on SIGTERM (Expires: 0): 21 goes offline.
  await phone.stop();
  await waitFor(() => /registrations changed extension=21 count=0/.test(log()), 'hometel logs the binding of 21 gone');

  const dialog = await blf.done;
  expectSippSuccess(dialog, 'the dialog subscriber');
  const documents = notifies(dialog);
  assert.match(documents[0]!.body, /<dialog-info xmlns="urn:ietf:params:xml:ns:dialog-info" version="0" state="full" entity="sip:21@hometel">\s*<\/dialog-info>/, 'idle at first');
  // RFC 4235 4.1.1: each NOTIFY's document is one version more.
  assert.deepEqual(documents.map((d) => Number(/version="(\d+)"/.exec(d.body)?.[1])), documents.map((_, i) => i));
  const states = documents.flatMap((d) => [...d.body.matchAll(/<dialog id="([^"]+)" direction="recipient"><state>(\w+)<\/state>/g)].map((m) => ({ id: m[1]!, state: m[2]! })));
  assert.deepEqual(changes(states.map((s) => s.state)), ['early', 'confirmed', 'terminated'], JSON.stringify(documents));
  assert.equal(new Set(states.map((s) => s.id)).size, 1, 'one dialog throughout');
  assert.match(documents.find((d) => d.body.includes('<state>early</state>'))!.body, /<remote><identity display="Alice">[^<]*4930555[^<]*<\/identity><\/remote>/);
  assert.match(documents.at(-1)!.state, /^terminated;reason=timeout/);
  assert.match(documents.at(-1)!.body, /state="full" entity="sip:21@hometel">\s*<\/dialog-info>/, 'idle again');

  const watched = await presence.done;
  expectSippSuccess(watched, 'the presence subscriber');
  const pidf = notifies(watched);
  for (const p of pidf) assert.match(p.body, /<presence xmlns="urn:ietf:params:xml:ns:pidf"[^>]* entity="sip:21@hometel">/);
  assert.deepEqual(changes(pidf.map((p) => /<basic>(\w+)<\/basic>/.exec(p.body)?.[1])), ['closed', 'open', 'closed'], JSON.stringify(pidf));
  assert.ok(pidf.some((p) => /<basic>open<\/basic>[\s\S]*<rpid:on-the-phone\/>/.test(p.body)), 'on the phone during the call (RFC 4480 activity)');
  assert.match(pidf.at(-1)!.state, /^terminated;reason=timeout/);
});

/**
 * The message-summary bodies baresip received, in order, from what its mwi module prints (its MWI_NOTIFY events are
 * lost when the first NOTIFY comes before the control connection does).
 */
const summaries = (phone: Baresip): string[] => [...phone.output().matchAll(/----- MWI for sip:21@hometel -----\n([\s\S]*?)\n\n/g)].map((m) => m[1]!);

/**
 * Waits for the first message-summary from `since` on (an index into `summaries`) that says `waiting`; resolves with
 * it and its index. (hometel may repeat an unchanged summary: one NOTIFY per change of the voicemail.) Says what
 * baresip had and what hometel did when it does not come.
 */
async function summarySaying(phone: Baresip, waiting: 'yes' | 'no', since: number, timeoutMs: number): Promise<{ body: string; index: number }> {
  const find = (): number => summaries(phone).findIndex((s, i) => i >= since && s.startsWith(`Messages-Waiting: ${waiting}\n`));
  try {
    await waitFor(() => find() >= 0, `baresip hears Messages-Waiting: ${waiting}`, timeoutMs);
  } catch (e) {
    const lines = log().split('\n').filter((l) => /lamps|voicemail|call /.test(l)).slice(-30).join('\n');
    throw new Error(`${(e as Error).message}: ${JSON.stringify(summaries(phone))}\n--- hometel ---\n${lines}\n--- baresip ---\n${phone.output().slice(-3000)}`);
  }
  const index = find();
  return { body: summaries(phone)[index]!, index };
}

test('acceptance 5 (RFC 3842): a voicemail arrives → baresip 21 (mwi) hears Messages-Waiting: yes; marked read in the web application → no', async () => {
  const phone = await baresip21({ mwi: true });
  await summarySaying(phone, 'no', 0, 10_000);
  assert.match(summaries(phone)[0]!, /^Messages-Waiting: no\nMessage-Account: sip:21@hometel\nVoice-Message: 0\/0$/);
  // From its own subscription (baresip answers the unsolicited NOTIFY hometel sends a newly registered device 481).
  assert.match(log(), /subscription event=message-summary resource=sip:21@hometel subscriber=21 expires=\d+/);

  // Nobody answers: after the no-response time the call goes to voicemail (baresip's ringing is cancelled), and
  // the caller speaks 440 Hz through the greeting and the beep (2.8 s) and 2 s more.
  const since = phone.mark();
  const caller = await outsideCall(3500 + 2000);
  await phone.waitForEvent('CALL_INCOMING', 15_000, since);
  await phone.waitForEvent('CALL_CLOSED', (noResponseSeconds + 10) * 1000, since);
  expectSippSuccess(await caller.done, 'the caller leaving a message');
  assert.match(log(), /call decided callID=\S+ action=voicemail by=no-response/);
  const waiting = await summarySaying(phone, 'yes', 1, 15_000);
  assert.match(waiting.body, /^Messages-Waiting: yes\nMessage-Account: sip:21@hometel\nVoice-Message: 1\/0$/);

  // Marked read through the web application's HTTP API, logged in as the web application does.
  const origin = web.url.replace(/\/$/, '');
  const setup = await fetch(`${origin}/api/setup`, { method: 'POST', headers: { origin, 'content-type': 'application/json' }, body: JSON.stringify({ token: web.setupLink.split('#token=')[1], password: 'a password for the lamps' }) });
  assert.equal(setup.status, 200);
  const h = { origin, cookie: setup.headers.get('set-cookie')!.split(';')[0]!, 'content-type': 'application/json' };
  const listed = (await (await fetch(`${origin}/api/voicemail`, { headers: h })).json()) as { messages: Array<{ id: string; read: boolean }>; unread: number };
  assert.equal(listed.unread, 1);
  const marked = await fetch(`${origin}/api/voicemail/${listed.messages[0]!.id}`, { method: 'PATCH', headers: h, body: JSON.stringify({ read: true }) });
  assert.equal(marked.status, 200, await marked.text());
  assert.match((await summarySaying(phone, 'no', waiting.index + 1, 10_000)).body, /^Messages-Waiting: no\nMessage-Account: sip:21@hometel\nVoice-Message: 0\/1$/);
});
