import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Store } from '../../src/store/index.js';

test('UDNs are created once per device key and survive reopening the store', (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'hometel-store-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const a = Store.open(dir);
  const root = a.udnFor('root');
  assert.match(root, /^uuid:[0-9a-f-]{36}$/);
  assert.equal(a.udnFor('root'), root);
  assert.notEqual(a.udnFor('line:1'), root);
  a.close();
  const b = Store.open(dir);
  assert.equal(b.udnFor('root'), root);
  b.close();
});

test('UDA 1.1 1.2.2: BOOTID grows by one at every start, across reopening', (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'hometel-store-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const a = Store.open(dir);
  assert.equal(a.nextBootId(), 1);
  assert.equal(a.nextBootId(), 2);
  a.close();
  const b = Store.open(dir);
  assert.equal(b.nextBootId(), 3);
  b.close();
});
