/**
 * Issue 14 acceptance 8 against a real `hometel start`: SIPp calls the line with a 440 Hz tone, baresip registered as
 * extension 21 (its tone 700 Hz) answers, then transfers the call with REFER (RFC 3515) to extension 22 — a second
 * baresip (its tone 1000 Hz) that registers once 21 has the call, so that only 21 rang for it. 22 rings and answers;
 * the outside party ends up talking to it: what the caller received goes from 700 Hz to 1000 Hz and 22 received the
 * caller's 440 Hz (captured on lo, judged by frequency); 21 got the NOTIFYs with the sipfrag (100 Trying, then 200 OK)
 * and its call ended; hometel logs the same Call answered by ext:22.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { silentLogger, systemClock } from '../../src/base/index.js';
import { phonesOver } from '../../src/app/phones-admin.js';
import { Store } from '../../src/store/index.js';
import { startBaresip, type Baresip } from '../support/baresip.js';
import { startConfiguredHometel, type ConfiguredHometel } from '../support/hometel-process.js';
import { waitFor } from '../support/net.js';
import { captureUdpTo, type CapturedDatagram } from '../support/pcap.js';
import { assertTone, sleep } from '../support/relay.js';
import { expectSippSuccess, freeLoopbackPort, runSipp, SIPP_SCENARIO_DIR } from '../support/sipp.js';
import { audioOf, frequencies, toneUlaw } from '../support/tones.js';
import { assertHandedOver, assertReferSucceeded } from '../support/transfer-checks.js';

const passwords: Record<string, string> = { '21': 'secret-twenty-one', '22': 'secret-twenty-two' };
const domain = 'hometel';
let hometel: ConfiguredHometel;
let registrarPort: number;
let linePort: number;
const phones: Baresip[] = [];

before(async () => {
  registrarPort = await freeLoopbackPort();
  linePort = await freeLoopbackPort();
  hometel = await startConfiguredHometel('hometel-transfer-', (dir) => {
    const dataDir = join(dir, 'data');
    // The extensions exist before hometel starts, as `hometel phones add` leaves them.
    const store = Store.open(dataDir);
    const admin = phonesOver(store, domain, systemClock, silentLogger);
    for (const [number, password] of Object.entries(passwords)) admin.add({ number, password });
    store.close();
    return {
      interfaces: ['lo'],
      dataDir,
      web: false,
      echo: false,
      clients: [],
      media: { rtpPortMin: 46700, rtpPortMax: 46799 },
      lines: [{ name: 'home', sip: { mode: 'direct', user: 'home', port: linePort, transports: ['udp'] } }],
      // baresip 1.0 (libre) gives up on a SHA-256 challenge: MD5 only (as phones-registrar.test.ts).
      phones: { registrar: { port: registrarPort, host: '127.0.0.1', transports: ['udp'], digestAlgorithms: ['MD5'] } },
    };
  });
});

after(async () => {
  for (const p of phones) await p.stop();
  if (hometel) await hometel.stop();
});

async function phone(user: string, toneHz: number, extra: { answerMode?: 'auto'; rtpPorts?: string; extraArgs?: string[] } = {}): Promise<Baresip> {
  const p = await startBaresip({ port: await freeLoopbackPort(3), user, toneHz, registrar: { domain, host: '127.0.0.1', port: registrarPort, password: passwords[user]! }, ...extra });
  phones.push(p);
  await p.waitForRegistration();
  return p;
}

test('acceptance 8: baresip (21) answers an outside call and transfers it by REFER to 22; the caller ends up talking to 22, both ways', async () => {
  // -s: baresip prints the SIP it sends and receives (the NOTIFYs of the transfer).
  const desk = await phone('21', 700, { extraArgs: ['-s'] });
  const callerMedia = await freeLoopbackPort(4);
  const toCaller = await captureUdpTo(callerMedia);
  const caller = await runSipp({
    scenario: join(SIPP_SCENARIO_DIR, 'uac-media.xml') as `${string}.xml`,
    remote: `127.0.0.1:${linePort}`,
    localPort: await freeLoopbackPort(),
    transport: 'u1',
    service: 'home',
    mediaPort: callerMedia,
    files: { 'tone.ulaw': toneUlaw(440) },
    keys: { caller: 'alice', caller_name: 'Alice' },
    vars: { holdms: '12000' },
    timeoutMs: 60_000,
  });
  // 22 registers only once 21 has the call, so that the outside call rings 21 alone; its RTP port is fixed so that
  // what it receives can be captured.
  const base = await freeLoopbackPort(4);
  const rtp = base % 2 === 0 ? base : base + 1;
  const toKitchen = await captureUdpTo(rtp);
  const received: CapturedDatagram[][] = [];
  try {
    await desk.waitForEvent('CALL_INCOMING', 15_000);
    await desk.answer();
    await desk.waitForEvent('CALL_ESTABLISHED');
    const kitchen = await phone('22', 1000, { answerMode: 'auto', rtpPorts: `${rtp}-${rtp + 1}` });
    await sleep(1500);
    const since = kitchen.mark();
    await desk.command('transfer', `sip:22@${domain}`);
    await kitchen.waitForEvent('CALL_ESTABLISHED', 15_000, since);
    await desk.waitForEvent('CALL_CLOSED', 15_000);
    expectSippSuccess(await caller.done, 'the outside caller (its BYE after 12 s, answered by hometel)');
    await kitchen.waitForEvent('CALL_CLOSED', 15_000, since);
  } finally {
    await caller.done.catch(() => undefined);
    await sleep(200);
    received.push(await toCaller.stop(), await toKitchen.stop());
  }
  const heardByCaller = audioOf(received[0]!);
  const heardByKitchen = audioOf(received[1]!);

  // The caller heard 21 (700 Hz), then 22 (1000 Hz) to the end of the call.
  const heard = frequencies(heardByCaller.samples, 250);
  assertHandedOver(heard, { hz: 700, who: '21' }, { hz: 1000, who: '22' }, 'the caller');
  // 22 heard the caller.
  assert.ok(heardByKitchen.ms >= 2000, `22 got ${heardByKitchen.ms} ms of audio`);
  assertTone(heardByKitchen.samples, 440, heardByKitchen.ms, '22 hears the caller');

  // RFC 3515: 21 got 202, then NOTIFY sipfrag 100 Trying and 200 OK, the last ending the subscription.
  assertReferSucceeded(desk.output());
  // The same Call: answered by ext:21, transferred, answered by ext:22.
  await waitFor(() => /transfer=answered from=ext:21 by=ext:22/.test(hometel.log()), 'hometel logs the transfer');
  const callID = /callID=(\S+) transfer=answered/.exec(hometel.log())![1]!;
  assert.match(hometel.log(), new RegExp(`callID=${callID} phones=answered by=ext:21`));
});
