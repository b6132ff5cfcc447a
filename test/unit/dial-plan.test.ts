/**
 * The phones' dial plan (issue 14, "Outgoing" and "Feature codes"): feature codes first, then extensions, then names
 * of the home, then outside numbers with the outside prefix stripped and the added prefix put in front.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { DialPlan, type DialPlanHome } from '../../src/phones/index.js';

const home: DialPlanHome = { isExtension: (n) => ['21', '22'].includes(n), isHomeName: (n) => ['Kitchen TV', 'hometel-web'].includes(n) };

test('an extension number rings that extension; a TelCPName or TC name calls inside the home', () => {
  const plan = new DialPlan({ line: 'home' }, home);
  assert.deepEqual(plan.route('22'), { kind: 'extension', number: '22' });
  assert.deepEqual(plan.route(' Kitchen TV '), { kind: 'home', name: 'Kitchen TV' });
  assert.deepEqual(plan.route('hometel-web'), { kind: 'home', name: 'hometel-web' });
});

test('an outside number goes out on the plan\'s line: separators dropped, the outside prefix stripped, the added prefix put in front', () => {
  assert.deepEqual(new DialPlan({ line: 'home' }, home).route('030 123-45.67'), { kind: 'outside', line: 'home', number: '0301234567' });
  const pbx = new DialPlan({ line: 'work', outsidePrefix: '0', addPrefix: '+49' }, home);
  assert.deepEqual(pbx.route('0301234567'), { kind: 'outside', line: 'work', number: '+49301234567' });
  // The prefix alone is not a number to strip down to nothing.
  assert.deepEqual(pbx.route('0'), { kind: 'outside', line: 'work', number: '+490' });
  assert.deepEqual(new DialPlan({ line: 'home' }, home).route('+49 (30) 1234567'), { kind: 'outside', line: 'home', number: '+49301234567' });
});

test('feature codes: DND on/off, forward all with its number and off, voicemail; a trailing # is the phone\'s send key', () => {
  const plan = new DialPlan({ line: 'home' }, home);
  assert.deepEqual(plan.route('*78'), { kind: 'feature', feature: 'dnd-on' });
  assert.deepEqual(plan.route('*79#'), { kind: 'feature', feature: 'dnd-off' });
  assert.deepEqual(plan.route('*720301234567'), { kind: 'feature', feature: 'forward-all-on', number: '0301234567' });
  assert.deepEqual(plan.route('*72+49301234567#'), { kind: 'feature', feature: 'forward-all-on', number: '+49301234567' });
  assert.deepEqual(plan.route('*73'), { kind: 'feature', feature: 'forward-all-off' });
  assert.deepEqual(plan.route('*97'), { kind: 'feature', feature: 'voicemail' });
});

test('what goes nowhere says why: nothing dialled, an unknown code, a forward to no number, words that are no name', () => {
  const plan = new DialPlan({ line: 'home' }, home);
  assert.equal(plan.route('  '), 'empty');
  assert.equal(plan.route('*55'), 'unknown-feature');
  assert.equal(plan.route('*72abc'), 'not-a-number');
  assert.equal(plan.route('the neighbours'), 'not-a-number');
  assert.equal(plan.route('sip:someone@example.org'), 'not-a-number');
});

test('a dial plan per extension (issue 14 "Outgoing"): an extension\'s own line and prefixes replace the home\'s, field by field; others keep the home\'s', () => {
  const plan = new DialPlan({ line: 'home', outsidePrefix: '0', extensions: { '21': { line: 'work', addPrefix: '+49' }, '22': { outsidePrefix: '9' } } }, home);
  assert.deepEqual(plan.route('0301234', '21'), { kind: 'outside', line: 'work', number: '+49301234' });
  assert.deepEqual(plan.route('9301234', '22'), { kind: 'outside', line: 'home', number: '301234' });
  assert.deepEqual(plan.route('0301234', '23'), { kind: 'outside', line: 'home', number: '301234' });
  assert.deepEqual(plan.route('0301234'), { kind: 'outside', line: 'home', number: '301234' });
  assert.deepEqual(plan.route('22', '21'), { kind: 'extension', number: '22' }, 'extensions and names are the home\'s for everyone');
});
