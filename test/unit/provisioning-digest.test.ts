/**
 * The stateless Digest nonces provisioning's HTTP Digest and the phones' SIP Digest share (base/digest-nonces.ts,
 * RFC 7616 3.3: the nonce is the server's to make): good for their lifetime, stale after it, foreign when forged,
 * altered, or made for another realm or by another process's key.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { DigestNonces } from '../../src/base/index.js';
import { FakeClock } from '../support/fake-clock.js';

test('a nonce is valid for its lifetime, then stale; forged, altered or foreign ones are foreign', () => {
  const clock = new FakeClock(1_700_000_000_000);
  const nonces = new DigestNonces({ realm: 'hometel-provisioning', clock, lifetimeMs: 300_000 });
  const n = nonces.nonce();
  assert.match(n, /^[A-Za-z0-9_-]{43}$/);
  assert.notEqual(nonces.nonce(), n, 'each nonce has random bits of its own');
  assert.equal(nonces.state(n), 'valid');
  clock.advance(300_000);
  assert.equal(nonces.state(n), 'valid');
  clock.advance(1);
  assert.equal(nonces.state(n), 'stale');
  const altered = `${n.slice(0, 10)}${n[10] === 'A' ? 'B' : 'A'}${n.slice(11)}`;
  assert.equal(nonces.state(altered), 'foreign');
  for (const bad of ['', 'abc', `${n}=`, n.slice(1), 'A'.repeat(43)]) assert.equal(nonces.state(bad), 'foreign', bad);
  const otherRealm = new DigestNonces({ realm: 'hometel', clock, lifetimeMs: 300_000, secret: Buffer.alloc(32, 1) });
  const sameKey = new DigestNonces({ realm: 'hometel-provisioning', clock, lifetimeMs: 300_000, secret: Buffer.alloc(32, 1) });
  assert.equal(sameKey.state(otherRealm.nonce()), 'foreign', 'another realm');
  assert.equal(nonces.state(sameKey.nonce()), 'foreign', 'another key (another process)');
});
