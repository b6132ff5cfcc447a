/**
 * Issue 14 "Transfer": blind transfer by REFER (RFC 3515) from a phone to an outside number, against a real
 * `hometel start` whose line is registered at Kamailio (the provider, test/support/provider-home.ts). An outside
 * caller (a SIPp UAC sending 440 Hz) calls the line's number through Kamailio; baresip registered as extension 21
 * (its tone 700 Hz) answers, then transfers the call with `transfer sip:<number>@hometel`. The TS places the target's
 * leg on the caller's line: through Kamailio to a SIPp UAS registered there as that number (its tone 1000 Hz), which
 * answers. The caller ends up talking to the target: what the caller received goes from 700 Hz to 1000 Hz and the
 * target received the caller's 440 Hz (captured on lo, judged by frequency); 21 got NOTIFY sipfrag 100 then 200 and
 * its call ended; the caller's hang-up reaches the target as a BYE through Kamailio.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { waitFor } from '../support/net.js';
import { LINE_USER, PROVIDER, SIPP_TIMEOUT_MS, startProviderHome, type ProviderHome } from '../support/provider-home.js';
import { assertTone, sleep } from '../support/relay.js';
import { expectSippSuccess, freeLoopbackPort, runSipp, SIPP_SCENARIO_DIR } from '../support/sipp.js';
import { audioOf, frequencies, toneUlaw } from '../support/tones.js';
import { assertHandedOver, assertReferSucceeded } from '../support/transfer-checks.js';

const TARGET = '5551234';
const CALLER = '5559876';
let home: ProviderHome;

before(async () => {
  home = await startProviderHome({
    prefix: 'hometel-transfer-outside-',
    passwords: { '21': 'secret-twenty-one' },
    numbers: [TARGET],
    config: () => ({ name: 'hometel transfer outside', clients: [], media: { rtpPortMin: 42000, rtpPortMax: 42199 } }),
  });
});

after(async () => {
  await home?.stop();
});

test('issue 14 "Transfer": baresip (21) answers a call that came through the provider and transfers it by REFER to an outside number; the caller ends up talking to it, both ways', async (t) => {
  // -s: baresip prints the SIP it sends and receives (the NOTIFYs of the transfer).
  const { phone: desk } = await home.phone('21', 700, { extraArgs: ['-s'] });
  const callerMedia = await freeLoopbackPort(4);
  const targetMedia = await freeLoopbackPort(4);
  const target = await home.outsideParty(TARGET, { scenario: 'uas-media', mediaPort: targetMedia, files: { 'tone.ulaw': toneUlaw(1000) } });
  const [toCaller, toTarget] = await home.captures(callerMedia, targetMedia);
  // The caller is not one of the provider's users: Kamailio proxies its INVITE to the line's registered Contact.
  const caller = await runSipp({
    scenario: join(SIPP_SCENARIO_DIR, 'uac-media.xml') as `${string}.xml`,
    remote: `127.0.0.1:${home.kamailio.udpPort}`,
    localPort: await freeLoopbackPort(),
    transport: 'u1',
    service: LINE_USER,
    mediaPort: callerMedia,
    files: { 'tone.ulaw': toneUlaw(440) },
    keys: { caller: CALLER, caller_name: 'Outside Caller' },
    vars: { hangup: 'sipp', holdms: '12000' },
    timeoutMs: SIPP_TIMEOUT_MS,
  });
  try {
    const incoming = await desk.waitForEvent('CALL_INCOMING', 15_000);
    assert.match(String(incoming.peeruri), new RegExp(`sip:${CALLER}@`), '21 sees the outside caller');
    await desk.answer();
    await desk.waitForEvent('CALL_ESTABLISHED');
    await sleep(1500);
    await desk.command('transfer', `sip:${TARGET}@hometel`);
    await desk.waitForEvent('CALL_CLOSED', 15_000);
    expectSippSuccess(await caller.done, 'the outside caller (its BYE after 12 s through Kamailio, answered by hometel)');
    expectSippSuccess(await target.done, 'the transfer target (hometel\'s BYE through Kamailio once the caller hung up)');
  } finally {
    await caller.done.catch(() => undefined);
    await target.done.catch(() => undefined);
    await sleep(200);
  }
  const heardByCaller = audioOf(await toCaller!.stop());
  const heardByTarget = audioOf(await toTarget!.stop());

  // The caller heard 21 (700 Hz), then the target (1000 Hz) to the end of the call.
  const heard = frequencies(heardByCaller.samples, 250);
  t.diagnostic(`the caller got ${heardByCaller.ms} ms of audio, per 250 ms: ${heard.map((f) => f.toFixed(0)).join(' ')}; the target got ${heardByTarget.ms} ms`);
  assertHandedOver(heard, { hz: 700, who: '21' }, { hz: 1000, who: 'the target' }, 'the caller');
  // The target heard the caller.
  assert.ok(heardByTarget.ms >= 2000, `the target got ${heardByTarget.ms} ms of audio`);
  assertTone(heardByTarget.samples, 440, heardByTarget.ms, 'the target hears the caller');

  // RFC 3515: 21 got 202, then NOTIFY sipfrag 100 Trying and 200 OK, the last ending the subscription.
  assertReferSucceeded(desk.output());
  // The target's INVITE went out on the caller's line: through Kamailio, from the line's address of record.
  const reached = (await target.done).messages;
  assert.match(reached, new RegExp(`INVITE sip:${TARGET}@127\\.0\\.0\\.1:\\d+[^\\r\\n]* SIP/2\\.0[\\s\\S]*?From: [^\\r\\n]*<sip:${LINE_USER}@${PROVIDER}>`));
  assert.match(reached, /Record-Route:/, 'through Kamailio');
  // The same Call: answered by ext:21, transferred, answered by the number.
  await waitFor(() => new RegExp(`transfer=answered from=ext:21 by=${TARGET}`).test(home.hometel.log()), 'hometel logs the transfer');
  const callID = new RegExp(`callID=(\\S+) transfer=answered from=ext:21 by=${TARGET}`).exec(home.hometel.log())![1]!;
  assert.match(home.hometel.log(), new RegExp(`callID=${callID} phones=answered by=ext:21`));
});
