import { strict as assert } from 'node:assert';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, it } from 'node:test';
import { silentLogger } from '../../src/base/logger.js';
import { dominantFrequency, parseWav, pcma, sampleRate, ToneSource, wavHeader, type AudioSink, type AudioSource, type NativeMedia } from '../../src/media/index.js';
import { SqliteVoiceMailRepository, Store } from '../../src/store/index.js';
import { GreetingRefused, NoSuchLine, NoSuchMessage, VoiceMailService, type VoiceMailLimits } from '../../src/voicemail/index.js';
import { FakeClock } from '../support/fake-clock.js';

const limits: VoiceMailLimits = { maxMessagesPerLine: 10, maxSecondsPerMessage: 60, silenceSeconds: 2, maxDiskBytes: 10 * 1024 * 1024 };

let dir: string;
let store: Store;
let clock: FakeClock;
let hangUps: number;

function service(l: Partial<VoiceMailLimits> = {}, opts: { greetingFiles?: Record<string, string> } = {}): VoiceMailService {
  const s = new VoiceMailService({ repository: new SqliteVoiceMailRepository(store), dir: join(dir, 'vm'), lines: ['home'], limits: { ...limits, ...l }, clock, logger: silentLogger, ...opts });
  s.start();
  return s;
}

const call = (callID = 'c1') => ({ callID, line: 'home', callerNumber: '+4930123', callerName: 'Alice' });

/** Plays the prompt (greeting and beep) to its end; returns its frames. */
function playPrompt(media: NativeMedia): number {
  let n = 0;
  while (media.source!.nextFrame()) n++;
  return n;
}

function feed(sink: AudioSink, source: AudioSource, frames: number): void {
  for (let i = 0; i < frames; i++) sink.write(source.nextFrame()!);
}

const tone = (hz = 440) => new ToneSource(hz, 8000);
const silence: AudioSource = { nextFrame: () => new Int16Array(160) };

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'hometel-vm-'));
  store = Store.open(dir);
  clock = new FakeClock(1_700_000_000_000);
  hangUps = 0;
});
afterEach(() => {
  store.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('voicemail service', () => {
  it('plays greeting and beep, records what is said without the silence around it, ends on silence, then lists it', async () => {
    const vm = service();
    let changes = 0;
    vm.onChange(() => changes++);
    const media = vm.deposit(call(), () => hangUps++);
    media.sink!.write(tone(300).nextFrame()!); // during the greeting: not recorded
    assert.ok(playPrompt(media) > 50, 'a greeting of more than a second');
    feed(media.sink!, silence, 30); // 0.6 s before the caller speaks
    feed(media.sink!, tone(), 150); // 3 s of 440 Hz
    feed(media.sink!, silence, 99); // just under 2 s of silence: still recording
    assert.equal(hangUps, 0);
    assert.equal(readdirSync(join(dir, 'vm', '.partial')).length, 1, 'the recording is a partial file');
    assert.equal(vm.list().length, 0, 'not listed before it is complete');
    feed(media.sink!, silence, 1);
    clock.advance(0);
    assert.equal(hangUps, 1, 'silence ends the message');
    await media.close!();
    const [m] = vm.list();
    assert.ok(m);
    assert.deepEqual([m.line, m.callID, m.callerNumber, m.callerName, m.read, m.durationMs], ['home', 'c1', '+4930123', 'Alice', false, 3000]);
    assert.equal(changes, 1);
    assert.deepEqual(readdirSync(join(dir, 'vm', '.partial')), []);
    const wav = parseWav(readFileSync(vm.audioPath(m.id)));
    assert.ok(wav.ok);
    assert.equal(wav.data.length, 3 * sampleRate * 2, 'the header states the exact size');
    assert.equal(m.bytes, 44 + wav.data.length);
    const samples = new Int16Array(wav.data.slice().buffer);
    assert.ok(Math.abs(dominantFrequency(samples, sampleRate)! - 440) < 10);
  });

  it('ends at maxSecondsPerMessage', async () => {
    const vm = service({ maxSecondsPerMessage: 2 });
    const media = vm.deposit(call(), () => hangUps++);
    playPrompt(media);
    feed(media.sink!, tone(), 200);
    clock.advance(0);
    assert.equal(hangUps, 1);
    await media.close!();
    assert.equal(vm.list()[0]!.durationMs, 2000);
  });

  it('keeps nothing when the caller hangs up without a sound, or only hears the greeting', async () => {
    const vm = service();
    const a = vm.deposit(call('a'), () => hangUps++);
    playPrompt(a);
    feed(a.sink!, silence, 20);
    await a.close!();
    const b = vm.deposit(call('b'), () => hangUps++);
    b.source!.nextFrame();
    await b.close!();
    assert.deepEqual(vm.list(), []);
    assert.deepEqual(readdirSync(join(dir, 'vm', '.partial')), []);
    assert.deepEqual(readdirSync(join(dir, 'vm')).filter((f) => f.endsWith('.wav')), []);
  });

  it('refuses with the mailbox-full announcement when the line has its messages, and says so', async () => {
    const vm = service({ maxMessagesPerLine: 1 });
    const first = vm.deposit(call('a'), () => hangUps++);
    playPrompt(first);
    feed(first.sink!, tone(), 50);
    await first.close!();
    const full = vm.deposit(call('b'), () => hangUps++);
    assert.equal(full.sink, undefined, 'nothing is recorded');
    const frames = playPrompt(full);
    assert.ok(frames > 100, 'the announcement plays');
    clock.advance(0);
    assert.equal(hangUps, 1, 'then the Call ends');
    assert.deepEqual(vm.info().refusals.map((r) => [r.callID, r.reason]), [['b', 'messages-per-line']]);
    assert.equal(vm.list().length, 1);
  });

  it('refuses when the disk budget is spent and stops a recording at the budget', async () => {
    const vm = service({ maxDiskBytes: 44 + 3 * sampleRate * 2 });
    const media = vm.deposit(call('a'), () => hangUps++);
    playPrompt(media);
    feed(media.sink!, tone(), 500);
    clock.advance(0);
    assert.equal(hangUps, 1);
    await media.close!();
    assert.equal(vm.list()[0]!.durationMs, 3000);
    const refused = vm.deposit(call('b'), () => hangUps++);
    assert.equal(refused.sink, undefined);
    assert.equal(vm.info().refusals[0]!.reason, 'disk');
  });

  it('removes leftover partial recordings at start-up (a crash mid-recording leaves no message)', () => {
    mkdirSync(join(dir, 'vm', '.partial'), { recursive: true });
    writeFileSync(join(dir, 'vm', '.partial', 'x.wav'), wavHeader(0xffffffff, { sampleRate }));
    const vm = service();
    assert.deepEqual(readdirSync(join(dir, 'vm', '.partial')), []);
    assert.deepEqual(vm.list(), []);
  });

  it('marks read and unread, deletes, and names unknown messages', async () => {
    const vm = service();
    const media = vm.deposit(call(), () => hangUps++);
    playPrompt(media);
    feed(media.sink!, tone(), 50);
    await media.close!();
    const id = vm.list()[0]!.id;
    let changes = 0;
    vm.onChange(() => changes++);
    assert.equal(vm.markRead(id, true).read, true);
    assert.deepEqual([vm.info().unread, vm.info().total], [0, 1]);
    assert.equal(vm.markRead(id, false).read, false);
    const path = vm.audioPath(id);
    vm.delete(id);
    assert.equal(existsSync(path), false);
    assert.equal(changes, 3);
    assert.throws(() => vm.markRead(id, true), NoSuchMessage);
    assert.throws(() => vm.delete('nope'), /no voicemail message "nope"/);
  });

  it("hears another process's changes (the CLI on the same store)", async () => {
    const vm = service();
    const media = vm.deposit(call(), () => hangUps++);
    playPrompt(media);
    feed(media.sink!, tone(), 50);
    await media.close!();
    let changes = 0;
    vm.onChange(() => changes++);
    const other = new Store(join(dir, 'hometel.db'));
    try {
      new SqliteVoiceMailRepository(other).setRead(vm.list()[0]!.id, true);
    } finally {
      other.close();
    }
    clock.advance(1000);
    assert.equal(changes, 1);
    clock.advance(1000);
    assert.equal(changes, 1, 'once per change');
  });
});

describe('greetings', () => {
  const pcmWav = (samples: Int16Array, rate = sampleRate, channels = 1) => Buffer.concat([wavHeader(samples.byteLength, { sampleRate: rate, channels }), Buffer.from(samples.buffer)]);
  const toneSamples = (n: number) => {
    const t = tone(600);
    const out = new Int16Array(n);
    for (let i = 0; i < n; i += 160) out.set(t.nextFrame()!.subarray(0, Math.min(160, n - i)), i);
    return out;
  };

  it('has a default, takes a configured file, and an upload replaces both', () => {
    const configured = join(dir, 'configured.wav');
    writeFileSync(configured, pcmWav(toneSamples(8000)));
    const vm = service({}, { greetingFiles: { home: configured } });
    assert.equal(vm.greetingInfo('home').source, 'config');
    assert.equal(vm.greetingInfo('home').durationMs, 1000);
    // 44.1 kHz stereo is converted.
    const stereo = new Int16Array(44100 * 2);
    vm.setGreeting('home', pcmWav(stereo, 44100, 2));
    assert.deepEqual([vm.greetingInfo('home').source, vm.greetingInfo('home').durationMs], ['uploaded', 1000]);
    const g711 = pcma.encode(toneSamples(4000));
    const alaw = Buffer.from(wavHeader(g711.length, { sampleRate, bitsPerSample: 8 }));
    alaw.writeUInt16LE(6, 20); // WAVE_FORMAT_ALAW
    vm.setGreeting('home', Buffer.concat([alaw, g711]));
    assert.equal(vm.greetingInfo('home').durationMs, 500);
    assert.ok(parseWav(vm.greetingWav('home')).ok);
    vm.resetGreeting('home');
    assert.equal(vm.greetingInfo('home').source, 'config');
    rmSync(configured);
    assert.equal(vm.greetingInfo('home').source, 'default');
  });

  it('refuses what is not a usable WAV with a clear error and keeps the old greeting', () => {
    const vm = service();
    vm.setGreeting('home', pcmWav(toneSamples(8000)));
    assert.throws(() => vm.setGreeting('home', Buffer.from('ID3\u0004 an mp3')), (e: unknown) => e instanceof GreetingRefused && /not a WAV file/.test(e.message));
    assert.throws(() => vm.setGreeting('home', Buffer.alloc(100 * 1024 * 1024)), /100\.0 MiB; at most 10 MiB/);
    const float = Buffer.from(pcmWav(new Int16Array(800)));
    float.writeUInt16LE(3, 20);
    float.writeUInt16LE(32, 34);
    assert.throws(() => vm.setGreeting('home', float), /not supported; use 16-bit PCM or G\.711/);
    assert.throws(() => vm.setGreeting('home', pcmWav(new Int16Array(0))), /no audio/);
    assert.throws(() => vm.setGreeting('attic', pcmWav(toneSamples(800))), NoSuchLine);
    assert.deepEqual([vm.greetingInfo('home').source, vm.greetingInfo('home').durationMs], ['uploaded', 1000]);
  });
});
