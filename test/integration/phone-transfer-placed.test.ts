/**
 * Issue 14 "Transfer" of a call a phone placed: blind transfer by REFER (RFC 3515) against a real `hometel start`
 * whose line is registered at Kamailio (the provider, test/support/provider-home.ts). baresip registered as
 * extension 21 (its tone 700 Hz) calls an outside number, a SIPp UAS registered at Kamailio (1000 Hz), which answers;
 * 21 then transfers the call with `transfer sip:22@hometel` to a second baresip, extension 22 (500 Hz, answering at
 * once). The outside party ends up talking to 22: what it received goes from 700 Hz to 500 Hz and 22 received its
 * 1000 Hz (captured on lo, judged by frequency); 21 got NOTIFY sipfrag 100 then 200 and its call ended; 22's hang-up
 * reaches the outside party as hometel's BYE through Kamailio. The Call is the same Call throughout.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { waitFor } from '../support/net.js';
import { startProviderHome, type ProviderHome } from '../support/provider-home.js';
import { assertTone, sleep } from '../support/relay.js';
import { expectSippSuccess, freeLoopbackPort } from '../support/sipp.js';
import { audioOf, frequencies, toneUlaw } from '../support/tones.js';
import { assertHandedOver, assertReferSucceeded } from '../support/transfer-checks.js';

const NUMBER = '5551234';
let home: ProviderHome;

before(async () => {
  home = await startProviderHome({
    prefix: 'hometel-transfer-placed-',
    passwords: { '21': 'secret-twenty-one', '22': 'secret-twenty-two' },
    numbers: [NUMBER],
    config: () => ({ name: 'hometel transfer placed', clients: [], media: { rtpPortMin: 42000, rtpPortMax: 42199 } }),
  });
});

after(async () => {
  await home?.stop();
});

test('issue 14 "Transfer": baresip (21) calls an outside number through the provider and transfers the call by REFER to extension 22; the outside party ends up talking to 22, both ways', async (t) => {
  // -s: baresip prints the SIP it sends and receives (the NOTIFYs of the transfer).
  const { phone: desk } = await home.phone('21', 700, { extraArgs: ['-s'] });
  const { phone: kitchen, rtp: kitchenRtp } = await home.phone('22', 500, { answerMode: 'auto' });
  const outsideMedia = await freeLoopbackPort(4);
  const outside = await home.outsideParty(NUMBER, { scenario: 'uas-media', mediaPort: outsideMedia, files: { 'tone.ulaw': toneUlaw(1000) } });
  const [toOutside, toKitchen] = await home.captures(outsideMedia, kitchenRtp);
  try {
    await desk.dial(`sip:${NUMBER}@hometel`);
    await desk.waitForEvent('CALL_ESTABLISHED', 15_000);
    await sleep(1500);
    await desk.command('transfer', `sip:22@hometel`);
    await kitchen.waitForEvent('CALL_ESTABLISHED', 15_000);
    await desk.waitForEvent('CALL_CLOSED', 15_000);
    await sleep(4000);
    await kitchen.hangup();
    expectSippSuccess(await outside.done, 'the outside party (hometel\'s BYE through Kamailio once 22 hung up)');
  } finally {
    await outside.done.catch(() => undefined);
    await sleep(200);
  }
  const heardOutside = audioOf(await toOutside!.stop());
  const heardByKitchen = audioOf(await toKitchen!.stop());

  // The outside party heard 21 (700 Hz), then 22 (500 Hz) to the end of the call.
  const heard = frequencies(heardOutside.samples, 250);
  t.diagnostic(`the outside party got ${heardOutside.ms} ms of audio, per 250 ms: ${heard.map((f) => f.toFixed(0)).join(' ')}; 22 got ${heardByKitchen.ms} ms`);
  assertHandedOver(heard, { hz: 700, who: '21' }, { hz: 500, who: '22' }, 'the outside party');
  assert.ok(heardByKitchen.ms >= 2000, `22 got ${heardByKitchen.ms} ms of audio`);
  assertTone(heardByKitchen.samples, 1000, heardByKitchen.ms, '22 hears the outside party');

  // RFC 3515: 21 got 202, then NOTIFY sipfrag 100 Trying and 200 OK, the last ending the subscription.
  assertReferSucceeded(desk.output());
  // The same Call: placed by ext:21, transferred, answered by ext:22.
  const log = (): string => home.hometel.log();
  await waitFor(() => /transfer=answered from=ext:21 by=ext:22/.test(log()), 'hometel logs the transfer');
  const callID = /callID=(\S+) transfer=answered from=ext:21 by=ext:22/.exec(log())![1]!;
  assert.match(log(), new RegExp(`callID=${callID} to=Dialing callee=${NUMBER} placedBy=ext:21`));
  await desk.stop();
  await kitchen.stop();
});
