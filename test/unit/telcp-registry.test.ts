/**
 * The TelCPName registry (CallManagement 2.3.2.1, 2.6.2–2.6.5, Appendix C.1–C.11) over an in-memory
 * repository and a fake Clock: registration, renewal, unregistration, renaming, expiry, and how the
 * Secret Keys are made and kept.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import { FakeClock } from '../support/fake-clock.js';
import type { TelCPNameRecord, TelCPNameRepository } from '../../src/telephony/domain/repositories.js';
import {
  MAX_TELCP_NAME_LENGTH,
  SECRET_KEY_BYTES,
  TelCPRegistry,
  TelCPRefusal,
  isValidTelCPName,
  type TelCPRegistryOptions,
} from '../../src/telephony/domain/telcp-registry.js';

/** An in-memory TelCPNameRepository that also remembers everything ever written to it. */
class MemoryRepository implements TelCPNameRepository {
  readonly rows = new Map<string, TelCPNameRecord>();
  readonly written: TelCPNameRecord[] = [];
  renames = 0;

  save(record: TelCPNameRecord): void {
    this.written.push(record);
    this.rows.set(record.name, record);
  }
  remove(name: string): boolean {
    return this.rows.delete(name);
  }
  rename(oldName: string, record: TelCPNameRecord): void {
    this.renames++;
    this.rows.delete(oldName);
    this.rows.delete(record.name);
    this.save(record);
  }
  list(): TelCPNameRecord[] {
    return [...this.rows.values()];
  }
}

interface Fixture {
  clock: FakeClock;
  repo: MemoryRepository;
  registry: TelCPRegistry;
  events: string[][];
  monopolizing: Set<string>;
  randomSizes: number[];
}

function setup(options: Partial<TelCPRegistryOptions> = {}, repo = new MemoryRepository(), clock = new FakeClock(1_700_000_000_000)): Fixture {
  const monopolizing = new Set<string>();
  const randomSizes: number[] = [];
  const registry = new TelCPRegistry({
    repository: repo,
    clock,
    randomBytes: (n) => {
      randomSizes.push(n);
      return randomBytes(n);
    },
    isMonopolizing: (name) => monopolizing.has(name),
    ...options,
  });
  const events: string[][] = [];
  registry.onChange((names) => events.push([...names]));
  return { clock, repo, registry, events, monopolizing, randomSizes };
}

function refused(code: number): (err: unknown) => boolean {
  return (err) => {
    assert.ok(err instanceof TelCPRefusal, `expected a refusal ${code}, got ${String(err)}`);
    assert.equal(err.errorCode, code);
    return true;
  };
}

const sha256hex = (s: string): string => createHash('sha256').update(s, 'utf8').digest('hex');

test('CallManagement 2.6.2 / C.1: a new TelCPName gets a new Secret Key and Expires, and TelCPNameList is evented', () => {
  const { registry, events, clock, repo } = setup();
  const reg = registry.register('TV@Living', '', 300);
  assert.equal(reg.expires, 300);
  assert.deepEqual(registry.list(), ['TV@Living']);
  assert.deepEqual(events, [['TV@Living']]);
  assert.ok(registry.verify('TV@Living', reg.secretKey));
  assert.equal(repo.rows.get('TV@Living')!.expiresAt, clock.now() + 300_000);
});

test('CallManagement 2.3.2.1: Secret Keys carry at least 128 random bits, are unique, and are stored only as a SHA-256 hash', () => {
  const { registry, repo, randomSizes } = setup();
  const keys = new Set<string>();
  for (let i = 0; i < 50; i++) {
    const { secretKey } = registry.register(`tv${i}`, '', 300);
    assert.match(secretKey, /^[A-Za-z0-9_-]+$/);
    assert.ok(Buffer.from(secretKey, 'base64url').length * 8 >= 128);
    keys.add(secretKey);
    const renewed = registry.register(`tv${i}`, secretKey, 300).secretKey;
    keys.add(renewed);
  }
  assert.equal(keys.size, 100);
  assert.ok(SECRET_KEY_BYTES * 8 >= 128);
  assert.ok(randomSizes.length === 100 && randomSizes.every((n) => n * 8 >= 128));
  // Nothing the repository ever received contains a key in clear; what it holds is the key's hash.
  const stored = JSON.stringify(repo.written);
  for (const key of keys) assert.ok(!stored.includes(key), 'a Secret Key reached the repository');
  const hashes = new Set(repo.written.map((r) => r.secretKeyHash));
  for (const key of keys) assert.ok(hashes.has(sha256hex(key)));
});

test('CallManagement 2.6.2 / C.2: registering a TelCPName that is in use (CurrentSecretKey "") fails with 702', () => {
  const { registry, events } = setup();
  const reg = registry.register('TV@Living', '', 300);
  assert.throws(() => registry.register('TV@Living', '', 300), refused(702));
  assert.deepEqual(events, [['TV@Living']]);
  assert.ok(registry.verify('TV@Living', reg.secretKey), 'the holder keeps its key');
});

test('CallManagement 2.6.2 / C.3: re-registration with the current key renews: new key, extended Expires, no list event', () => {
  const { registry, events, clock } = setup();
  const first = registry.register('TV@Living', '', 300);
  clock.advance(200_000);
  const second = registry.register('TV@Living', first.secretKey, 300);
  assert.notEqual(second.secretKey, first.secretKey);
  assert.equal(second.expires, 300);
  assert.ok(!registry.verify('TV@Living', first.secretKey), 'the old key is no longer valid');
  assert.ok(registry.verify('TV@Living', second.secretKey));
  clock.advance(200_000); // 400 s after the first registration, 200 s after the renewal
  assert.deepEqual(registry.list(), ['TV@Living']);
  assert.deepEqual(events, [['TV@Living']], 'a renewal does not change TelCPNameList');
});

test('CallManagement 2.6.2 / C.4: re-registration with a wrong Secret Key fails with 701 and changes nothing', () => {
  const { registry, repo } = setup();
  const reg = registry.register('TV@Living', '', 300);
  const before = repo.rows.get('TV@Living');
  assert.throws(() => registry.register('TV@Living', 'wrongkey', 300), refused(701));
  assert.equal(repo.rows.get('TV@Living'), before);
  assert.ok(registry.verify('TV@Living', reg.secretKey));
});

test('CallManagement 2.6.2: a name nobody holds (e.g. lapsed) is registered afresh whatever CurrentSecretKey says', () => {
  const { registry, events, clock } = setup();
  const old = registry.register('TV@Living', '', 300);
  clock.advance(301_000);
  const again = registry.register('TV@Living', old.secretKey, 300);
  assert.ok(registry.verify('TV@Living', again.secretKey));
  assert.deepEqual(events, [['TV@Living'], [], ['TV@Living']]);
  assert.doesNotThrow(() => registry.register('Alice\'s TV', 'some-key-from-a-previous-life', 300));
});

test('CallManagement 2.4.2.2 / 2.4.3: invalid TelCPNames are refused with 701', () => {
  const { registry } = setup();
  const invalid = ['', ',', 'TV,Living', '*', ' TV', 'TV ', '\t', 'TV\u0000', 'TV\nLiving', 'TV\u007f', '\ud800', 'x'.repeat(MAX_TELCP_NAME_LENGTH + 1)];
  for (const name of invalid) {
    assert.ok(!isValidTelCPName(name), JSON.stringify(name));
    assert.throws(() => registry.register(name, '', 300), refused(701), JSON.stringify(name));
  }
  const valid = ['TV@Living', "Alice's TV", 'HD-TV@Living', 'Küche 📞', 'x'.repeat(MAX_TELCP_NAME_LENGTH), '📞'.repeat(MAX_TELCP_NAME_LENGTH)];
  for (const name of valid) {
    assert.ok(isValidTelCPName(name), name);
    registry.register(name, '', 300);
  }
  assert.deepEqual(registry.list(), valid);
});

test('CallManagement 2.4.8: Expires must be a positive i4 number of seconds', () => {
  const { registry } = setup();
  for (const bad of [0, -1, 1.5, Number.NaN, 2 ** 31]) {
    assert.throws(() => registry.register('TV@Living', '', bad), RangeError);
  }
  assert.equal(registry.register('TV@Living', '', 2 ** 31 - 1).expires, 2 ** 31 - 1);
  assert.throws(() => setup({ defaultExpiresSec: 0 }), RangeError);
  assert.equal(setup({ defaultExpiresSec: 60 }).registry.register('a', '').expires, 60);
});

test('CallManagement 2.6.3 / C.8: UnregisterTelCPName with the right key removes the name and events TelCPNameList', () => {
  const { registry, events, repo } = setup();
  const tv = registry.register('TV@Living', '', 300);
  registry.register("Alice's TV", '', 300);
  registry.unregister('TV@Living', tv.secretKey);
  assert.deepEqual(registry.list(), ["Alice's TV"]);
  assert.ok(!repo.rows.has('TV@Living'));
  assert.ok(!registry.verify('TV@Living', tv.secretKey));
  assert.deepEqual(events, [['TV@Living'], ['TV@Living', "Alice's TV"], ["Alice's TV"]]);
});

test('CallManagement 2.6.3 / C.9: UnregisterTelCPName of an unknown name or with a wrong key fails with 701', () => {
  const { registry, events } = setup();
  const tv = registry.register('TV@Living', '', 300);
  assert.throws(() => registry.unregister("Alice's TV", tv.secretKey), refused(701));
  assert.throws(() => registry.unregister('TV@Living', 'secret101'), refused(701));
  assert.throws(() => registry.unregister('TV@Living', ''), refused(701));
  assert.throws(() => registry.unregister('', ''), refused(701));
  assert.deepEqual(registry.list(), ['TV@Living']);
  assert.equal(events.length, 1);
});

test('CallManagement 2.6.3: UnregisterTelCPName fails with 712 while the name monopolises a Call', () => {
  const { registry, monopolizing } = setup();
  const tv = registry.register('TV@Living', '', 300);
  monopolizing.add('TV@Living');
  assert.throws(() => registry.unregister('TV@Living', tv.secretKey), refused(712));
  assert.ok(registry.verify('TV@Living', tv.secretKey));
  assert.throws(() => registry.unregister('TV@Living', 'wrong'), refused(701), 'identity is checked first');
  monopolizing.clear();
  registry.unregister('TV@Living', tv.secretKey);
  assert.deepEqual(registry.list(), []);
});

test('CallManagement 2.6.4 / C.5: ChangeTelCPName renames atomically, issues a new key and Expires, and events TelCPNameList', () => {
  const { registry, events, repo, clock } = setup({ defaultExpiresSec: 300 });
  registry.register('PC@Study', '', 300);
  const tv = registry.register('TV@Living', '', 300);
  clock.advance(100_000);
  const changed = registry.change('TV@Living', tv.secretKey, 'HD-TV@Living');
  assert.equal(changed.expires, 300);
  assert.notEqual(changed.secretKey, tv.secretKey);
  assert.deepEqual(registry.list(), ['PC@Study', 'HD-TV@Living']);
  assert.equal(repo.renames, 1);
  assert.deepEqual([...repo.rows.keys()], ['PC@Study', 'HD-TV@Living']);
  assert.equal(repo.rows.get('HD-TV@Living')!.expiresAt, clock.now() + 300_000);
  assert.ok(registry.verify('HD-TV@Living', changed.secretKey));
  assert.ok(!registry.verify('HD-TV@Living', tv.secretKey));
  assert.ok(!registry.verify('TV@Living', tv.secretKey));
  assert.deepEqual(events.at(-1), ['PC@Study', 'HD-TV@Living']);
  // The old name is free again.
  assert.doesNotThrow(() => registry.register('TV@Living', '', 300));
});

test('CallManagement 2.6.4 / C.6: ChangeTelCPName with a wrong key or an unknown name fails with 701', () => {
  const { registry } = setup();
  const tv = registry.register('TV@Living', '', 300);
  assert.throws(() => registry.change('TV@Living', 'wrongcode', 'HD-TV@Living'), refused(701));
  assert.throws(() => registry.change('Nobody', tv.secretKey, 'HD-TV@Living'), refused(701));
  assert.throws(() => registry.change('TV@Living', tv.secretKey, 'HD,TV'), refused(701), 'invalid new name');
  assert.deepEqual(registry.list(), ['TV@Living']);
  assert.ok(registry.verify('TV@Living', tv.secretKey));
});

test('CallManagement 2.6.4 / C.7: ChangeTelCPName to a name in use fails with 702', () => {
  const { registry, events } = setup();
  const tv = registry.register('TV@Living', '', 300);
  registry.register('HD-TV@Living', '', 300);
  assert.throws(() => registry.change('TV@Living', tv.secretKey, 'HD-TV@Living'), refused(702));
  assert.deepEqual(registry.list(), ['TV@Living', 'HD-TV@Living']);
  assert.ok(registry.verify('TV@Living', tv.secretKey));
  assert.equal(events.length, 2);
});

test('CallManagement 2.6.4: ChangeTelCPName fails with 712 while the name monopolises a Call', () => {
  const { registry, monopolizing } = setup();
  const tv = registry.register('TV@Living', '', 300);
  monopolizing.add('TV@Living');
  assert.throws(() => registry.change('TV@Living', tv.secretKey, 'HD-TV@Living'), refused(712));
  assert.deepEqual(registry.list(), ['TV@Living']);
  assert.ok(registry.verify('TV@Living', tv.secretKey));
});

test('CallManagement 2.6.4: changing a name to itself renews it without a list event', () => {
  const { registry, events } = setup();
  const tv = registry.register('TV@Living', '', 300);
  const renewed = registry.change('TV@Living', tv.secretKey, 'TV@Living', 600);
  assert.equal(renewed.expires, 600);
  assert.ok(registry.verify('TV@Living', renewed.secretKey));
  assert.ok(!registry.verify('TV@Living', tv.secretKey));
  assert.equal(events.length, 1);
});

test('CallManagement 2.6.5 / C.10, C.11: GetTelCPNameList is empty, then lists the names in registration order', () => {
  const { registry } = setup();
  assert.deepEqual(registry.list(), []);
  registry.register('TV@Living', '', 300);
  registry.register("Alice's TV", '', 300);
  assert.deepEqual(registry.list(), ['TV@Living', "Alice's TV"]);
  assert.ok(registry.isRegistered("Alice's TV"));
  assert.ok(!registry.isRegistered('Bob'));
});

test('CallManagement 2.3.2.1: verify accepts only the current key of a registered name', () => {
  const { registry } = setup();
  const tv = registry.register('TV@Living', '', 300);
  assert.ok(registry.verify('TV@Living', tv.secretKey));
  for (const wrong of ['', tv.secretKey.slice(1), tv.secretKey + 'x', tv.secretKey.toUpperCase() === tv.secretKey ? 'x' : tv.secretKey.toUpperCase()]) {
    assert.ok(!registry.verify('TV@Living', wrong), wrong);
  }
  assert.ok(!registry.verify('tv@living', tv.secretKey), 'names are case-sensitive');
  assert.ok(!registry.verify('Nobody', tv.secretKey));
});

test('CallManagement 2.6.2 / 2.4.8: an expired TelCPName is removed by the timer and TelCPNameList is evented', () => {
  const { registry, events, repo, clock } = setup();
  registry.register('TV@Living', '', 300);
  clock.advance(100_000);
  registry.register("Alice's TV", '', 300);
  clock.advance(199_999);
  assert.deepEqual(events.at(-1), ['TV@Living', "Alice's TV"]);
  clock.advance(1); // 300 s after TV@Living registered: the timer fires by itself
  assert.deepEqual(events.at(-1), ["Alice's TV"]);
  assert.deepEqual([...repo.rows.keys()], ["Alice's TV"]);
  clock.advance(100_000);
  assert.deepEqual(events.at(-1), []);
  assert.equal(repo.rows.size, 0);
  assert.equal(clock.pending, 0, 'no timer left once nothing is registered');
  assert.equal(events.length, 4);
});

test('CallManagement 2.6.2: a lapsed name is gone even before its timer runs', () => {
  const { registry, clock, events } = setup();
  const tv = registry.register('TV@Living', '', 300);
  clock.jump(300_000); // time passes, timers not yet run
  assert.ok(!registry.verify('TV@Living', tv.secretKey));
  assert.deepEqual(registry.list(), []);
  assert.deepEqual(events, [['TV@Living'], []]);
});

test('CallManagement 2.3.2.1: a name that lapses while monopolising a Call is held until the Call releases it', () => {
  const { registry, clock, monopolizing, events } = setup({ heldRecheckMs: 5_000 });
  const tv = registry.register('TV@Living', '', 300);
  monopolizing.add('TV@Living');
  clock.advance(300_000);
  assert.deepEqual(registry.list(), ['TV@Living']);
  assert.ok(registry.verify('TV@Living', tv.secretKey), 'the Monopolizer can still act on its Call');
  assert.throws(() => registry.register('TV@Living', '', 300), refused(702), 'nobody else can take the name');
  monopolizing.clear();
  clock.advance(5_000);
  assert.deepEqual(registry.list(), []);
  assert.deepEqual(events, [['TV@Living'], []]);
});

test('CallManagement 2.6.2: on construction, names that expired in the repository are dropped; the others keep expiring', () => {
  const clock = new FakeClock(1_700_000_000_000);
  const repo = new MemoryRepository();
  repo.save({ name: 'old', secretKeyHash: sha256hex('k1'), expiresAt: clock.now() - 1 });
  repo.save({ name: 'live', secretKeyHash: sha256hex('k2'), expiresAt: clock.now() + 10_000 });
  const { registry, events } = setup({}, repo, clock);
  assert.deepEqual(registry.list(), ['live']);
  assert.deepEqual([...repo.rows.keys()], ['live']);
  assert.ok(registry.verify('live', 'k2'));
  clock.advance(10_000);
  assert.deepEqual(registry.list(), []);
  assert.deepEqual(events, [[]]);
});

test('CallManagement 2.5.3: a failing listener neither fails the action nor silences the other listeners', () => {
  const { registry, events } = setup();
  registry.onChange(() => {
    throw new Error('boom');
  });
  const seen: string[][] = [];
  const off = registry.onChange((names) => seen.push([...names]));
  assert.doesNotThrow(() => registry.register('TV@Living', '', 300));
  assert.deepEqual(events, [['TV@Living']]);
  assert.deepEqual(seen, [['TV@Living']]);
  off();
  registry.register('b', '', 300);
  assert.equal(seen.length, 1);
});

test('close() stops the expiry timer', () => {
  const { registry, clock } = setup();
  registry.register('TV@Living', '', 300);
  assert.equal(clock.pending, 1);
  registry.close();
  assert.equal(clock.pending, 0);
});

test('the registry holds a bounded number of names: one more new name is refused with 501, renewals still work', () => {
  const clock = { now: () => 0, setTimer: () => ({ cancel: () => undefined }) };
  const rows = new Map<string, { name: string; secretKeyHash: string; expiresAt: number }>();
  const repository = {
    save: (r: { name: string; secretKeyHash: string; expiresAt: number }) => void rows.set(r.name, r),
    remove: (n: string) => rows.delete(n),
    rename: (o: string, r: { name: string; secretKeyHash: string; expiresAt: number }) => {
      rows.delete(o);
      rows.set(r.name, r);
    },
    list: () => [...rows.values()],
  };
  const registry = new TelCPRegistry({ repository, clock, maxNames: 2 });
  const a = registry.register('a', '');
  registry.register('b', '');
  assert.throws(() => registry.register('c', ''), refused(501));
  assert.ok(registry.register('a', a.secretKey).secretKey);
  registry.close();
});
