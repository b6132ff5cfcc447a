/**
 * Feature codes from a phone against a real `hometel start` (issue 14, "Feature codes" and acceptance 7): a phone
 * (test/support/test-phone.ts) dials as extension 21, answers hometel's Digest challenge (407, RFC 3261 22.3), and
 * - *97: hears the count pip and the message (440 Hz, by frequency in what it received), deletes it with 7 (RFC 4733
 *   telephone-event): the message is gone for the whole home, and with none left hometel says so and hangs up;
 * - *78 / *79: DND on and off for the home, *72<number> / *73: forward all on and off — each confirmed and ended
 *   by hometel, each what `hometel dnd status` / `hometel forward status` then say;
 * - a wrong password is refused (the challenge stays the answer) and an unknown code is 404: nothing changes.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { silentLogger, systemClock } from '../../src/base/index.js';
import { phonesOver } from '../../src/app/phones-admin.js';
import { Store } from '../../src/store/index.js';
import { terminate } from '../support/children.js';
import { runHometel, startHometelProcess, type HometelProcess } from '../support/hometel-process.js';
import { lo } from '../support/net.js';
import { freeLoopbackPort } from '../support/sipp.js';
import { TestPhone, type PhoneCall } from '../support/test-phone.js';
import { frequencies } from '../support/tones.js';
import { seedMessage } from '../support/voicemail-fixtures.js';

const password = 'correct horse 21';
let dir: string;
let dataDir: string;
let registrarPort: number;
let hometel: HometelProcess;

before(async () => {
  dir = await mkdtemp(join(tmpdir(), 'hometel-features-'));
  dataDir = join(dir, 'data');
  // Extension 21 and one voicemail message exist before hometel starts.
  const store = Store.open(dataDir);
  phonesOver(store, 'hometel', systemClock, silentLogger).add({ number: '21', password });
  const vmDir = join(dataDir, 'voicemail');
  mkdirSync(vmDir, { recursive: true });
  seedMessage(store, vmDir, { id: 'm1', hz: 440, seconds: 2, receivedAt: Date.now() });
  store.close();
  registrarPort = await freeLoopbackPort();
  const configFile = join(dir, 'hometel.json');
  await writeFile(
    configFile,
    JSON.stringify({
      interfaces: ['lo'],
      dataDir,
      web: false,
      echo: false,
      clients: [],
      lines: [{ name: 'home', sip: { mode: 'direct', user: 'home', port: await freeLoopbackPort(), transports: ['udp'] } }],
      phones: { registrar: { port: registrarPort, host: '127.0.0.1', transports: ['udp'], digestAlgorithms: ['SHA-256', 'MD5'] } },
    }),
  );
  hometel = await startHometelProcess(['--config', configFile]);
});

after(async () => {
  if (hometel) await terminate(hometel.child, 10_000);
  if (dir) await rm(dir, { recursive: true, force: true });
});

/** Extension 21 (hometel's own SIP stack as the phone) dialling `code`; what it heard, as dominant frequencies. */
async function dial(code: string, during: (call: PhoneCall) => Promise<void>, pass = password): Promise<{ status: number; heard: number[] }> {
  const phone = await TestPhone.open('21', pass);
  try {
    const call = await phone.dial(code, `${lo.address}:${registrarPort}`);
    if (call.status === 200) {
      await during(call);
      // Every call here is ended by hometel: the confirmation played, or the menu over.
      let timer: NodeJS.Timeout | undefined;
      const late = new Promise<never>((_, reject) => (timer = setTimeout(() => reject(new Error(`hometel did not end the call to ${code} within 15 s`)), 15_000)));
      await Promise.race([call.ended, late]).finally(() => clearTimeout(timer));
    }
    return { status: call.status, heard: frequencies(call.heard(), 250) };
  } finally {
    await phone.close();
  }
}

async function cli(...args: string[]): Promise<unknown> {
  const r = await runHometel([...args, '--data-dir', dataDir, '--json']);
  assert.equal(r.code, 0, r.stderr);
  return JSON.parse(r.stdout);
}

test('acceptance 7: *97 plays the message (440 Hz) after the count, 7 deletes it for the whole home, and with none left hometel hangs up', async () => {
  const { status, heard } = await dial('*97', async (call) => {
    await new Promise((r) => setTimeout(r, 3500));
    await call.press('7');
    // The only message gone, the menu says so and hometel hangs up by itself.
    await call.ended;
  });
  assert.equal(status, 200);
  assert.ok(heard.some((f) => Math.abs(f - 440) <= 10), `the phone heard the message's 440 Hz: ${heard.join(', ')}`);
  assert.ok(heard.some((f) => Math.abs(f - 660) <= 10), `and the count's pip: ${heard.join(', ')}`);
  assert.deepEqual(((await cli('voicemail', 'list')) as { messages: unknown[] }).messages, [], 'the message is gone');
  assert.match(hometel.log(), /voicemail access key extension=21 key=7/);
});

test('*78 / *79 switch DND for the home, *72<number> / *73 forward all: each confirmed by tones and ended by hometel', async () => {
  for (const [code, check] of [
    ['*78', async () => assert.equal((await cli('dnd', 'status') as { on: boolean }).on, true)],
    ['*79', async () => assert.equal((await cli('dnd', 'status') as { on: boolean }).on, false)],
    ['*7201712345678', async () => assert.deepEqual(await cli('forward', 'status'), { target: '01712345678' })],
    ['*73', async () => assert.deepEqual(await cli('forward', 'status'), { target: null })],
  ] as const) {
    const { status, heard } = await dial(code, async () => {});
    assert.equal(status, 200, code);
    assert.ok(heard.length > 0 && heard.some((f) => Math.abs(f - 880) <= 10 || Math.abs(f - 440) <= 10), `${code}: the confirmation tones: ${heard.join(', ')}`);
    await check();
  }
  assert.match(hometel.log(), /feature code extension=21 feature=dnd-on/);
});

test('a wrong password is challenged again and never reaches a feature; an unknown code is 404', async () => {
  const wrong = await dial('*78', async () => {}, 'not the password');
  assert.equal(wrong.status, 407, 'the credentials are refused: the challenge is the final answer');
  assert.equal((await cli('dnd', 'status') as { on: boolean }).on, false, 'DND unchanged');
  assert.equal((await dial('*55', async () => {})).status, 404);
});
