/** The playout buffer: order restored, losses filled with silence, late and duplicate packets dropped, jumps resynchronised. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { JitterBuffer } from '../../src/media/endpoint/jitter-buffer.js';

const frame = (k: number): Int16Array => new Int16Array(160).fill(k);
const tags = (out: Int16Array[]): number[] => out.flatMap((f) => (f.every((v) => v === f[0]) && f.length === 160 ? [f[0]!] : [-f.length]));

test('in-order packets come straight out', () => {
  const jb = new JitterBuffer();
  for (let k = 1; k <= 5; k++) assert.deepEqual(tags(jb.push(1000 + (k - 1) * 160, frame(k))), [k]);
  assert.equal(jb.held, 0);
});

test('a reordered packet is put back in its place', () => {
  const jb = new JitterBuffer({ depthFrames: 3 });
  const out = [
    ...jb.push(0, frame(1)),
    ...jb.push(320, frame(3)),
    ...jb.push(480, frame(4)),
    ...jb.push(160, frame(2)),
    ...jb.push(640, frame(5)),
  ];
  assert.deepEqual(tags(out), [1, 2, 3, 4, 5]);
  assert.equal(jb.stats.concealedSamples, 0);
});

test('a lost packet becomes silence once the buffer holds `depth` packets beyond it, and a late arrival is then dropped', () => {
  const jb = new JitterBuffer({ depthFrames: 3 });
  const out = [...jb.push(0, frame(1)), ...jb.push(320, frame(3)), ...jb.push(480, frame(4))];
  assert.deepEqual(tags(out), [1], 'still waiting for 2');
  const more = jb.push(640, frame(5));
  assert.deepEqual(tags(more), [0, 3, 4, 5]);
  assert.equal(jb.stats.concealedSamples, 160);
  assert.deepEqual(jb.push(160, frame(2)), []);
  assert.equal(jb.stats.late, 1);
});

test('duplicates are dropped; flush plays out what is held with gaps filled', () => {
  const jb = new JitterBuffer({ depthFrames: 4 });
  jb.push(0, frame(1));
  assert.deepEqual(jb.push(0, frame(1)), []);
  jb.push(480, frame(4));
  assert.deepEqual(jb.push(480, frame(4)), []);
  assert.equal(jb.stats.duplicates, 1, 'the first repeat was late (already played), the second a duplicate');
  assert.equal(jb.stats.late, 1);
  assert.deepEqual(tags(jb.flush()), [-320, 4]);
  assert.equal(jb.held, 0);
});

test('a timestamp jump beyond maxGapSamples resynchronises without writing seconds of silence; wrap is not a jump', () => {
  const jb = new JitterBuffer({ maxGapSamples: 8000 });
  jb.push(0, frame(1));
  assert.deepEqual(tags(jb.push(1_000_000, frame(2))), [2]);
  assert.equal(jb.stats.resyncs, 1);
  assert.deepEqual(tags(jb.push(1_000_160, frame(3))), [3]);
  const w = new JitterBuffer();
  assert.deepEqual(tags([...w.push(0xffffff60, frame(1)), ...w.push(0, frame(2)), ...w.push(160, frame(3))]), [1, 2, 3]);
  const r = new JitterBuffer();
  r.push(5000, frame(1));
  assert.deepEqual(tags(r.reset()), []);
  assert.deepEqual(tags(r.push(99, frame(7))), [7], 'after reset any timestamp starts the stream');
});
