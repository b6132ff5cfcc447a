/** RTP port pairs from a range: even RTP ports, round-robin, released on demand. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { PortPool } from '../../src/media/endpoint/port-pool.js';

test('hands out even RTP ports (odd RTCP above) from the range until it is exhausted', () => {
  const pool = new PortPool({ min: 20001, max: 20008 });
  assert.equal(pool.min, 20002);
  assert.equal(pool.capacity, 3);
  const got = [pool.acquire(), pool.acquire(), pool.acquire()];
  assert.deepEqual(got, [20002, 20004, 20006]);
  assert.equal(pool.acquire(), undefined);
  assert.equal(pool.inUse, 3);
  assert.deepEqual(pool.inUsePorts(), [20002, 20004, 20006]);
});

test('released ports return, but only after the rest of the range has been used', () => {
  const pool = new PortPool({ min: 30000, max: 30007 });
  const a = pool.acquire()!;
  const b = pool.acquire()!;
  pool.release(a);
  assert.equal(pool.acquire(), 30004, 'not the port just released');
  assert.equal(pool.acquire(), 30006);
  assert.equal(pool.acquire(), a);
  pool.release(b);
  pool.release(b);
  pool.release(12345);
  assert.equal(pool.inUse, 3);
});

test('a range without a whole pair is refused', () => {
  assert.throws(() => new PortPool({ min: 5001, max: 5002 }), RangeError);
  assert.throws(() => new PortPool({ min: 0, max: 10 }), RangeError);
  assert.throws(() => new PortPool({ min: 65534, max: 65536 }), RangeError);
  assert.equal(new PortPool({ min: 5000, max: 5001 }).capacity, 1);
});
