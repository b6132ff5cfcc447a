/** RFC 4733 telephone-event payloads and the DTMF send/receive state machines. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { dtmfDigitOf, dtmfEventOf, parseTelephoneEvent, serializeTelephoneEvent } from '../../src/media/rtp/telephone-event.js';
import { DtmfReceiver, DtmfSender } from '../../src/media/endpoint/dtmf.js';

test('RFC 4733 2.3: event, E bit, volume and duration are packed into four octets and back', () => {
  const bytes = serializeTelephoneEvent({ event: 11, end: true, volume: 10, duration: 800 });
  assert.deepEqual([...bytes], [11, 0x80 | 10, 0x03, 0x20]);
  const r = parseTelephoneEvent(bytes);
  assert.ok(r.ok);
  assert.deepEqual(r.event, { event: 11, end: true, volume: 10, duration: 800 });
  const r2 = parseTelephoneEvent(serializeTelephoneEvent({ event: 255, end: false, volume: 63, duration: 65535 }));
  assert.ok(r2.ok);
  assert.deepEqual(r2.event, { event: 255, end: false, volume: 63, duration: 65535 });
});

test('RFC 4733 2.3: the reserved bit is ignored on receipt; short payloads are refused; bad fields are not serialized', () => {
  const r = parseTelephoneEvent(Uint8Array.of(5, 0x40 | 7, 0, 160));
  assert.ok(r.ok);
  assert.deepEqual(r.event, { event: 5, end: false, volume: 7, duration: 160 });
  assert.equal(parseTelephoneEvent(Uint8Array.of(1, 2, 3)).ok, false);
  assert.equal(parseTelephoneEvent(new Uint8Array(0)).ok, false);
  assert.throws(() => serializeTelephoneEvent({ event: 256, end: false, volume: 0, duration: 0 }), RangeError);
  assert.throws(() => serializeTelephoneEvent({ event: 1, end: false, volume: 64, duration: 0 }), RangeError);
  assert.throws(() => serializeTelephoneEvent({ event: 1, end: false, volume: 0, duration: 65536 }), RangeError);
});

test('RFC 4733 3.2: DTMF digits map to events 0–15 and back', () => {
  assert.deepEqual([...'0123456789*#ABCD'].map(dtmfEventOf), [...Array(16).keys()]);
  assert.equal(dtmfEventOf('a'), 12);
  assert.equal(dtmfEventOf('E'), undefined);
  assert.equal(dtmfEventOf('12'), undefined);
  assert.equal(dtmfDigitOf(10), '*');
  assert.equal(dtmfDigitOf(11), '#');
  assert.equal(dtmfDigitOf(16), undefined);
});

test('RFC 4733 2.5.1: the sender keeps the start timestamp, grows the duration, marks the first packet and sends the end three times', async () => {
  const s = new DtmfSender(8000, 160);
  const done = s.enqueue('5', { durationMs: 100, pauseMs: 40, volume: 12 });
  let ts = 1000;
  const packets = [];
  for (let i = 0; i < 12; i++) {
    packets.push(s.tick(ts));
    ts += 160;
  }
  await done;
  const sent = packets.filter((p) => p !== undefined);
  // 100 ms = 800 samples: 5 ticks until the end, the final packet sent three times in all.
  assert.equal(sent.length, 7);
  const events = sent.map((p) => {
    const r = parseTelephoneEvent(p.payload);
    assert.ok(r.ok);
    return r.event;
  });
  assert.ok(sent.every((p) => p.timestamp === 1000));
  assert.deepEqual(sent.map((p) => p.marker), [true, false, false, false, false, false, false]);
  assert.deepEqual(events.map((e) => e.duration), [160, 320, 480, 640, 800, 800, 800]);
  assert.deepEqual(events.map((e) => e.end), [false, false, false, false, true, true, true]);
  assert.ok(events.every((e) => e.event === 5 && e.volume === 12));
  // Then the pause (2 ticks for 40 ms) and nothing more.
  assert.deepEqual(packets.slice(7).map((p) => p === undefined), [true, true, true, true, true]);
  assert.equal(s.busy, false);
});

test('the sender plays queued digits one after another, each at its own start timestamp', async () => {
  const s = new DtmfSender(8000, 160);
  const done = s.enqueue('1#', { durationMs: 40, pauseMs: 20 });
  const starts: number[] = [];
  for (let ts = 0, i = 0; i < 20; i++, ts += 160) {
    const p = s.tick(ts);
    if (p?.marker) starts.push(p.timestamp);
  }
  await done;
  assert.equal(starts.length, 2);
  // Digit 1: 2 ticks of tone + 2 more end packets + 1 pause tick → the next starts 5 ticks later.
  assert.deepEqual(starts, [0, 5 * 160]);
});

test('the sender refuses non-digits and out-of-range options; cancel rejects what is pending', async () => {
  const s = new DtmfSender();
  assert.throws(() => s.enqueue('12x'), RangeError);
  assert.throws(() => s.enqueue('1', { durationMs: 9000 }), RangeError);
  assert.throws(() => s.enqueue('1', { volume: 64 }), RangeError);
  const p = s.enqueue('123');
  s.tick(0);
  s.cancel(new Error('closed'));
  await assert.rejects(p, /closed/);
  assert.equal(s.busy, false);
  await s.enqueue('');
});

test('RFC 4733 2.5.2: the receiver reports each event once, whatever repeats or arrives late', () => {
  const r = new DtmfReceiver();
  const ev = (event: number, end: boolean, duration: number) => ({ event, end, volume: 10, duration });
  const reports = [
    r.receive(1000, ev(1, false, 160)),
    r.receive(1000, ev(1, false, 320)),
    r.receive(1000, ev(1, true, 800)),
    r.receive(1000, ev(1, true, 800)),
    r.receive(3000, ev(2, true, 800)), // start lost: still reported
    r.receive(1000, ev(1, true, 800)), // a late copy of the first
    r.receive(5000, ev(16, false, 160)),
  ].filter((x) => x !== undefined);
  assert.deepEqual(reports.map((x) => x.digit), ['1', '2', undefined]);
  assert.deepEqual(reports.map((x) => x.timestamp), [1000, 3000, 5000]);
  assert.equal(reports[2]!.event, 16);
});
