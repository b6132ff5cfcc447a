/**
 * Voicemail over HTTP through fastify's inject: the list, a message's audio as audio/wav, read/unread and delete for
 * the whole home, greetings (download, upload, reset), and bad greetings — not a WAV, 100 MiB — answered with a
 * clear error while the old greeting stays.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { AccountService } from '../../src/accounts/index.js';
import { createLogger, silentLogger, systemClock } from '../../src/base/index.js';
import { HomeConsole } from '../../src/console/index.js';
import { parseWav, sampleRate, ToneSource, wavHeader } from '../../src/media/index.js';
import { SqliteVoiceMailRepository, Store } from '../../src/store/index.js';
import { TelephonyControlPoint } from '../../src/telephony/control/index.js';
import { VoiceMailService } from '../../src/voicemail/index.js';
import { createWebServer } from '../../src/web/index.js';
import { MemoryAccountRepository } from '../support/memory-account-repository.js';

const origin = 'http://hub.test';
const host = 'hub.test';

test('issue 13 voicemail API: list, audio, read state, delete, greetings, and bad greetings refused clearly', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'hometel-vm-web-'));
  const store = Store.open(dir);
  const voicemail = new VoiceMailService({
    repository: new SqliteVoiceMailRepository(store),
    dir: join(dir, 'vm'),
    lines: ['home'],
    limits: { maxMessagesPerLine: 10, maxSecondsPerMessage: 60, silenceSeconds: 2, maxDiskBytes: 1 << 24 },
    clock: systemClock,
    logger: silentLogger,
  });
  const accounts = new AccountService({ repository: new MemoryAccountRepository(), clock: systemClock, logger: silentLogger, scrypt: { log2N: 10, r: 8, p: 1 } });
  const logger = createLogger({ level: 'silent' });
  const home = new HomeConsole({ telcp: new TelephonyControlPoint({ logger, interfaces: [] }), telCPName: 'web-test', clock: systemClock, logger });
  const web = await createWebServer({ accounts, console: home, voicemail, browserClients: { add: () => Promise.reject(new Error('no browsers here')) }, clock: systemClock, logger });
  try {
    const setup = await web.app.inject({ method: 'POST', url: '/api/setup', headers: { host, origin }, payload: { token: accounts.issueSetupToken()!, password: 'a long enough password' } });
    const cookie = `hometel_session=${setup.cookies.find((c) => c.name === 'hometel_session')!.value}`;
    const req = (method: 'GET' | 'PUT' | 'PATCH' | 'DELETE', url: string, payload?: unknown, type?: string) =>
      web.app.inject({ method, url, headers: { host, origin, cookie, ...(type ? { 'content-type': type } : {}) }, ...(payload !== undefined ? { payload: payload as string } : {}) });

    // A message: 1 s of 440 Hz after the greeting.
    const media = voicemail.deposit({ callID: 'c1', line: 'home', callerNumber: '+4930123', callerName: 'Alice' }, () => undefined);
    while (media.source!.nextFrame());
    const tone = new ToneSource(440, 8000);
    for (let i = 0; i < 50; i++) media.sink!.write(tone.nextFrame()!);
    await media.close!();

    const list = await req('GET', '/api/voicemail');
    assert.equal(list.statusCode, 200);
    const body = list.json<{ messages: Array<{ id: string; durationMs: number; read: boolean; callerName: string }>; unread: number; total: number }>();
    assert.deepEqual([body.unread, body.total, body.messages[0]!.durationMs, body.messages[0]!.callerName], [1, 1, 1000, 'Alice']);
    const id = body.messages[0]!.id;
    assert.equal('file' in body.messages[0]!, false);

    const audio = await req('GET', `/api/voicemail/${id}/audio`);
    assert.equal(audio.statusCode, 200);
    assert.equal(audio.headers['content-type'], 'audio/wav');
    assert.ok(parseWav(audio.rawPayload).ok);

    assert.equal((await req('PATCH', `/api/voicemail/${id}`, { read: true })).json<{ read: boolean }>().read, true);
    assert.equal(voicemail.get(id).read, true);
    const bad = await req('PATCH', `/api/voicemail/${id}`, { read: 'yes' });
    assert.equal(bad.statusCode, 400);
    const unknown = await req('PATCH', '/api/voicemail/nope', { read: true });
    assert.equal(unknown.statusCode, 404);
    assert.deepEqual(unknown.json(), { error: 'voicemail.no-such-message', message: 'no voicemail message "nope"' });

    // Greetings.
    const greetings = await req('GET', '/api/voicemail/greetings');
    assert.deepEqual(greetings.json<Array<{ source: string }>>().map((g) => g.source), ['default']);
    const samples = new Int16Array(sampleRate);
    const wav = Buffer.concat([wavHeader(samples.byteLength, { sampleRate }), Buffer.from(samples.buffer)]);
    const up = await req('PUT', '/api/voicemail/greetings/home', wav, 'audio/wav');
    assert.equal(up.statusCode, 200, up.body);
    assert.deepEqual(up.json(), { line: 'home', source: 'uploaded', durationMs: 1000 });
    const mp3 = await req('PUT', '/api/voicemail/greetings/home', Buffer.from('ID3\u0004\u0000 not a wav'), 'audio/mpeg');
    assert.equal(mp3.statusCode, 400);
    assert.equal(mp3.json<{ error: string }>().error, 'voicemail.bad-greeting');
    assert.match(mp3.json<{ message: string }>().message, /not a WAV file/);
    const huge = await req('PUT', '/api/voicemail/greetings/home', Buffer.alloc(100 * 1024 * 1024), 'audio/wav');
    assert.equal(huge.statusCode, 413);
    assert.match(huge.json<{ message: string }>().message, /larger than 10 MiB/);
    assert.equal((await req('PUT', '/api/voicemail/greetings/attic', wav, 'audio/wav')).statusCode, 404);
    assert.deepEqual(voicemail.greetingInfo('home'), { line: 'home', source: 'uploaded', durationMs: 1000 }, 'the refused uploads lost nothing');
    const greetingAudio = await req('GET', '/api/voicemail/greetings/home/audio');
    assert.equal(greetingAudio.headers['content-type'], 'audio/wav');
    assert.equal((await req('DELETE', '/api/voicemail/greetings/home')).json<{ source: string }>().source, 'default');
    // A greeting recorded by calling the line: the message becomes the greeting.
    const recorded = await web.app.inject({ method: 'POST', url: '/api/voicemail/greetings/home/from-message', headers: { host, origin, cookie }, payload: { id } });
    assert.deepEqual(recorded.json(), { line: 'home', source: 'uploaded', durationMs: 1000 });

    assert.equal((await req('DELETE', `/api/voicemail/${id}`)).statusCode, 200);
    assert.equal((await req('GET', `/api/voicemail/${id}/audio`)).statusCode, 404);
    assert.equal((await req('GET', '/api/voicemail')).json<{ total: number }>().total, 0);
  } finally {
    await web.close();
    voicemail.close();
    store.close();
    rmSync(dir, { recursive: true, force: true });
  }
});
