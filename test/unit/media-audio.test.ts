/** Audio sources, WAV file source and recorder, the in-memory sink, frequency analysis and mixing helpers. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { frameSamples, sampleRate } from '../../src/media/audio/frame.js';
import { SilenceSource, ToneSource } from '../../src/media/audio/sources.js';
import { audibleMs, dominantFrequency, energyAt, meanSquare, rms } from '../../src/media/audio/analysis.js';
import { PcmCollector } from '../../src/media/audio/pcm-collector.js';
import { WavRecorder } from '../../src/media/audio/wav-recorder.js';
import { WavFileSource, wavToPcm8k } from '../../src/media/audio/wav-file-source.js';
import { parseWav, wavHeader, wavUnknownSize } from '../../src/media/audio/wav.js';
import { clampToInt16, mixFrames, mixInto, subtractFrom } from '../../src/media/audio/mix.js';
import { Rechunker } from '../../src/media/audio/rechunk.js';
import { resample } from '../../src/media/audio/resample.js';

function collect(source: { nextFrame(): Int16Array | undefined }, maxFrames = 1000): Int16Array {
  const sink = new PcmCollector();
  for (let i = 0; i < maxFrames; i++) {
    const f = source.nextFrame();
    if (!f) break;
    sink.write(f);
  }
  return sink.samples();
}

function sine(hz: number, seconds: number, rate: number, amplitude = 10000): Float64Array {
  return Float64Array.from({ length: Math.round(seconds * rate) }, (_, i) => amplitude * Math.sin((2 * Math.PI * hz * i) / rate));
}

async function withTmp<T>(fn: (dir: string) => Promise<T>): Promise<T> {
  const dir = await mkdtemp(join(tmpdir(), 'hometel-media-'));
  try {
    return await fn(dir);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

test('ToneSource yields 20 ms frames of 160 samples whose dominant frequency is the tone’s, within ±1 Hz', () => {
  for (const hz of [60, 440, 697, 1000, 1477, 3000, 3950]) {
    const samples = collect(new ToneSource(hz, 8000, { durationMs: 1000 }));
    assert.equal(samples.length, sampleRate);
    const f = dominantFrequency(samples, sampleRate);
    assert.ok(f !== undefined && Math.abs(f - hz) <= 1, `${hz} Hz measured as ${f}`);
  }
  // Short inputs are zero-padded, so even one 20 ms frame gives the right bin.
  const one = new ToneSource(440, 8000).nextFrame()!;
  assert.equal(one.length, frameSamples);
  assert.ok(Math.abs(dominantFrequency(one, sampleRate)! - 440) <= 15);
});

test('ToneSource: amplitude is the peak, the phase is continuous across frames, and a duration ends it', () => {
  const tone = new ToneSource(1000, 12000, { durationMs: 50 });
  const frames = [tone.nextFrame(), tone.nextFrame(), tone.nextFrame(), tone.nextFrame()];
  assert.equal(frames[3], undefined, '50 ms is three 20 ms frames');
  const all = collect(new ToneSource(1000, 12000, { durationMs: 100 }));
  assert.equal(Math.max(...all), 12000);
  assert.ok(Math.abs(rms(all) - 12000 / Math.SQRT2) < 5);
  // 1 kHz at 8 kHz repeats every 8 samples, across frame boundaries too.
  for (let i = 8; i < all.length; i++) assert.equal(all[i], all[i - 8]);
  assert.throws(() => new ToneSource(5000, 1000), RangeError);
  assert.throws(() => new ToneSource(440, -1), RangeError);
});

test('SilenceSource yields zero frames, for a duration or forever', () => {
  const s = collect(new SilenceSource({ durationMs: 60 }));
  assert.equal(s.length, 3 * frameSamples);
  assert.ok(s.every((v) => v === 0));
  assert.ok(new SilenceSource().nextFrame());
  assert.equal(dominantFrequency(s, sampleRate), undefined);
  assert.equal(audibleMs(s, sampleRate), 0);
});

test('energyAt: a tone’s power is at its frequency and not at another; dominantFrequency picks the louder of two', () => {
  const a = collect(new ToneSource(440, 8000, { durationMs: 1000 }));
  const b = collect(new ToneSource(600, 4000, { durationMs: 1000 }));
  const mix = mixFrames([a, b]);
  const total = meanSquare(mix);
  assert.ok(Math.abs(energyAt(a, sampleRate, 440) - 8000 ** 2 / 2) / (8000 ** 2 / 2) < 0.02, 'A²/2 for a sine of amplitude A');
  assert.ok(energyAt(mix, sampleRate, 440) / total > 0.7);
  assert.ok(energyAt(mix, sampleRate, 600) / total > 0.15);
  assert.ok(energyAt(a, sampleRate, 600) / meanSquare(a) < 1e-4, 'no 600 Hz in a pure 440 Hz tone');
  assert.ok(Math.abs(dominantFrequency(mix, sampleRate)! - 440) <= 1);
  assert.equal(energyAt(new Int16Array(0), sampleRate, 440), 0);
  assert.equal(dominantFrequency(new Int16Array(0), sampleRate), undefined);
});

test('audibleMs counts the 20 ms frames that carry sound', () => {
  const tone = collect(new ToneSource(440, 8000, { durationMs: 400 }));
  const withGap = new Int16Array(tone.length + 8 * frameSamples);
  withGap.set(tone.subarray(0, 10 * frameSamples), 0);
  withGap.set(tone.subarray(10 * frameSamples), 18 * frameSamples);
  assert.equal(audibleMs(tone, sampleRate), 400);
  assert.equal(audibleMs(withGap, sampleRate), 400);
  assert.equal(withGap.length / 8, 560);
});

test('WavRecorder writes a valid RIFF/WAVE PCM16 mono 8 kHz file (header patched on close) that WavFileSource reads back', async () => {
  await withTmp(async (dir) => {
    const path = join(dir, 'tone.wav');
    const rec = new WavRecorder(path);
    await rec.ready;
    const tone = collect(new ToneSource(440, 9000, { durationMs: 1000 }));
    for (let i = 0; i < tone.length; i += frameSamples) rec.write(tone.subarray(i, i + frameSamples));
    assert.equal(rec.samplesWritten, 8000);
    assert.equal(rec.durationMs, 1000);
    await rec.close();
    await rec.close(); // idempotent
    rec.write(tone.subarray(0, 160)); // ignored after close
    const bytes = await readFile(path);
    assert.equal(bytes.length, 44 + 16000);
    assert.equal(bytes.toString('latin1', 0, 4), 'RIFF');
    assert.equal(bytes.readUInt32LE(4), 36 + 16000);
    assert.equal(bytes.toString('latin1', 8, 16), 'WAVEfmt ');
    assert.equal(bytes.readUInt32LE(16), 16);
    assert.equal(bytes.readUInt16LE(20), 1, 'PCM');
    assert.equal(bytes.readUInt16LE(22), 1, 'mono');
    assert.equal(bytes.readUInt32LE(24), 8000);
    assert.equal(bytes.readUInt32LE(28), 16000, 'byte rate');
    assert.equal(bytes.readUInt16LE(32), 2, 'block align');
    assert.equal(bytes.readUInt16LE(34), 16);
    assert.equal(bytes.toString('latin1', 36, 40), 'data');
    assert.equal(bytes.readUInt32LE(40), 16000);
    const src = new WavFileSource(path);
    assert.deepEqual(src.samples, tone);
    assert.equal(src.durationMs, 1000);
    const back = collect(src);
    assert.deepEqual(back, tone);
    assert.equal(src.nextFrame(), undefined);
  });
});

test('WavRecorder: a recording that was never closed still reads (streamed size marker); a bad path rejects', async () => {
  await withTmp(async (dir) => {
    const path = join(dir, 'open.wav');
    const rec = new WavRecorder(path);
    rec.write(new ToneSource(440, 5000).nextFrame()!);
    await rec.ready;
    await new Promise((r) => setTimeout(r, 50));
    const parsed = parseWav(await readFile(path));
    assert.ok(parsed.ok);
    assert.equal(parsed.data.length, 320);
    await rec.close();
    const bad = new WavRecorder(join(dir, 'missing-dir', 'x.wav'));
    bad.write(new Int16Array(160));
    await assert.rejects(bad.ready);
    await assert.rejects(bad.close());
  });
});

test('WavFileSource: a short last frame is padded with silence; loop repeats the file', async () => {
  await withTmp(async (dir) => {
    const path = join(dir, 'short.wav');
    const samples = Int16Array.from({ length: 200 }, (_, i) => i + 1);
    const data = Buffer.alloc(400);
    samples.forEach((v, i) => data.writeInt16LE(v, 2 * i));
    await writeFile(path, Buffer.concat([wavHeader(400, { sampleRate: 8000 }), data]));
    const once = new WavFileSource(path);
    const f1 = once.nextFrame()!;
    const f2 = once.nextFrame()!;
    assert.equal(once.nextFrame(), undefined);
    assert.equal(f1[0], 1);
    assert.equal(f2[39], 200);
    assert.equal(f2[40], 0);
    const looped = new WavFileSource(path, { loop: true });
    looped.nextFrame();
    const l2 = looped.nextFrame()!;
    assert.equal(l2[39], 200);
    assert.equal(l2[40], 1, 'starts again');
    assert.ok(looped.nextFrame());
  });
});

function wavBytes(opts: { sampleRate: number; channels: number; bits: number; format?: number }, payload: Buffer): Buffer {
  const header = Buffer.from(wavHeader(payload.length, { sampleRate: opts.sampleRate, channels: opts.channels, bitsPerSample: opts.bits }));
  if (opts.format !== undefined) header.writeUInt16LE(opts.format, 20);
  return Buffer.concat([header, payload]);
}

test('WavFileSource converts 16-bit stereo 44.1 kHz to 8 kHz mono (the tone survives, nothing aliases)', () => {
  const left = sine(440, 1, 44100);
  const data = Buffer.alloc(left.length * 4);
  for (let i = 0; i < left.length; i++) {
    data.writeInt16LE(Math.round(left[i]!), 4 * i);
    data.writeInt16LE(Math.round(left[i]!), 4 * i + 2);
  }
  const pcm = wavToPcm8k(wavBytes({ sampleRate: 44100, channels: 2, bits: 16 }, data));
  assert.equal(pcm.length, 8000);
  assert.ok(Math.abs(dominantFrequency(pcm, 8000)! - 440) <= 1);
  // A 6 kHz tone at 44.1 kHz is above the 4 kHz band: the resampler removes it rather than folding it to 2 kHz.
  const high = sine(6000, 0.5, 44100);
  const hd = Buffer.alloc(high.length * 2);
  high.forEach((v, i) => hd.writeInt16LE(Math.round(v), 2 * i));
  const down = wavToPcm8k(wavBytes({ sampleRate: 44100, channels: 1, bits: 16 }, hd));
  assert.ok(rms(down.subarray(200, down.length - 200)) < 200, `residue ${rms(down)}`);
  // Upsampling works too.
  const up = resample(Int16Array.from(sine(500, 0.5, 4000), Math.round), 4000, 8000);
  assert.equal(up.length, 4000);
  assert.ok(Math.abs(dominantFrequency(up, 8000)! - 500) <= 1);
});

test('WavFileSource refuses what it cannot play with a clear error', async () => {
  await withTmp(async (dir) => {
    const eightBit = join(dir, 'u8.wav');
    await writeFile(eightBit, wavBytes({ sampleRate: 8000, channels: 1, bits: 8 }, Buffer.alloc(100, 128)));
    assert.throws(() => new WavFileSource(eightBit), /u8\.wav: unsupported WAV encoding PCM 8-bit; hometel plays 16-bit PCM/);
    const float = join(dir, 'f32.wav');
    await writeFile(float, wavBytes({ sampleRate: 8000, channels: 1, bits: 32, format: 3 }, Buffer.alloc(100)));
    assert.throws(() => new WavFileSource(float), /unsupported WAV encoding IEEE float 32-bit/);
    const text = join(dir, 'text.wav');
    await writeFile(text, 'hello, this is not audio');
    assert.throws(() => new WavFileSource(text), /text\.wav: not a RIFF\/WAVE file/);
    assert.throws(() => new WavFileSource(join(dir, 'absent.wav')), /ENOENT/);
  });
});

test('parseWav: skips unknown chunks, reads WAVE_FORMAT_EXTENSIBLE, and refuses broken files without throwing', () => {
  const data = Buffer.alloc(8);
  const pcm = wavBytes({ sampleRate: 8000, channels: 1, bits: 16 }, data);
  // Insert an odd-sized LIST chunk (padded) between fmt and data.
  const list = Buffer.concat([Buffer.from('LIST'), Buffer.from([3, 0, 0, 0]), Buffer.from('abc'), Buffer.from([0])]);
  const withList = Buffer.concat([pcm.subarray(0, 36), list, pcm.subarray(36)]);
  const r = parseWav(withList);
  assert.ok(r.ok);
  assert.equal(r.data.length, 8);
  const ext = Buffer.alloc(12 + 8 + 40 + 8 + 4);
  ext.write('RIFF', 0, 'latin1');
  ext.write('WAVEfmt ', 8, 'latin1');
  ext.writeUInt32LE(40, 16);
  ext.writeUInt16LE(0xfffe, 20);
  ext.writeUInt16LE(1, 22);
  ext.writeUInt32LE(16000, 24);
  ext.writeUInt16LE(2, 32);
  ext.writeUInt16LE(16, 34);
  ext.writeUInt16LE(1, 20 + 24); // sub-format GUID starts with the PCM tag
  ext.write('data', 60, 'latin1');
  ext.writeUInt32LE(wavUnknownSize, 64);
  const e = parseWav(ext);
  assert.ok(e.ok);
  assert.equal(e.format.audioFormat, 1);
  assert.equal(e.format.sampleRate, 16000);
  assert.equal(e.data.length, 4);
  for (const broken of [Buffer.alloc(0), Buffer.from('RIFF'), pcm.subarray(0, 30), Buffer.concat([pcm.subarray(0, 12), pcm.subarray(36)])]) {
    assert.equal(parseWav(broken).ok, false);
  }
  // Truncated data is cut to the file.
  const cut = parseWav(pcm.subarray(0, pcm.length - 3));
  assert.ok(cut.ok);
  assert.equal(cut.data.length, 5);
});

test('mixing: sums in 32 bits and saturates at the 16-bit limits instead of wrapping', () => {
  const acc = new Int32Array(4);
  mixInto(acc, Int16Array.of(30000, -30000, 100, 1));
  mixInto(acc, Int16Array.of(30000, -30000, -50, 1));
  mixInto(acc, Int16Array.of(30000, -30000, 0)); // shorter frames mix over their length
  assert.deepEqual([...acc], [90000, -90000, 50, 2]);
  assert.deepEqual([...clampToInt16(acc)], [32767, -32768, 50, 2]);
  subtractFrom(acc, Int16Array.of(30000, -30000, 50, 2));
  assert.deepEqual([...clampToInt16(acc)], [32767, -32768, 0, 0]);
  assert.deepEqual([...mixFrames([Int16Array.of(20000, -20000), Int16Array.of(20000, -20000)])], [32767, -32768]);
  assert.deepEqual([...mixFrames([])], []);
  const out = new Int16Array(2);
  assert.equal(clampToInt16(Int32Array.of(5, 6), out), out);
});

test('Rechunker re-cuts blocks of any size into 160-sample frames', () => {
  const r = new Rechunker();
  const blocks = [100, 100, 240, 30].map((n, k) => Int16Array.from({ length: n }, (_, i) => k * 1000 + i));
  const frames = blocks.flatMap((b) => r.push(b));
  assert.deepEqual(frames.map((f) => f.length), [160, 160]);
  assert.equal(frames[0]![100], 1000);
  assert.equal(frames[1]![0], 1060);
  const rest = r.flush();
  assert.equal(rest?.length, 470 - 320);
  assert.equal(rest?.[149], 3029);
  assert.equal(r.flush(), undefined);
});
