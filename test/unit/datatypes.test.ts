/** State variable data types (UDA 1.0 section 2.5): lenient decoding, canonical encoding. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { decodeValue, encodeValue, isNumericType, zeroValue, type DataType, type UpnpValue } from '../../src/upnp/model/datatypes.js';

function decoded(type: DataType, text: string): UpnpValue {
  const d = decodeValue(type, text);
  assert.ok(d.ok, `${type} ${JSON.stringify(text)} should decode: ${d.ok ? '' : d.reason}`);
  return d.value;
}

function refused(type: DataType, text: string): void {
  const d = decodeValue(type, text);
  assert.equal(d.ok, false, `${type} ${JSON.stringify(text)} should be refused, got ${d.ok ? JSON.stringify(d.value) : ''}`);
  assert.ok(!d.ok && d.reason.length > 0, 'a refusal carries a reason');
}

test('UDA 1.0 2.5: boolean accepts 0/1, true/false and yes/no in any case', () => {
  for (const t of ['1', 'true', 'yes', 'TRUE', 'Yes', ' true ']) assert.equal(decoded('boolean', t), true, t);
  for (const t of ['0', 'false', 'no', 'FALSE', 'No', ' 0 ']) assert.equal(decoded('boolean', t), false, t);
  for (const t of ['', '2', '-1', 'on', 'off', 'y', 'n', 'truthy']) refused('boolean', t);
});

test('UDA 1.0 2.5: boolean is always sent as 0 or 1', () => {
  assert.equal(encodeValue('boolean', true), '1');
  assert.equal(encodeValue('boolean', false), '0');
  assert.equal(encodeValue('boolean', 'yes'), '1');
  assert.equal(encodeValue('boolean', 'no'), '0');
  assert.equal(encodeValue('boolean', 'true'), '1');
  assert.equal(encodeValue('boolean', 'false'), '0');
  assert.equal(encodeValue('boolean', 1), '1');
  assert.equal(encodeValue('boolean', 0), '0');
});

const bounds: Array<[DataType, number, number]> = [
  ['ui1', 0, 255],
  ['ui2', 0, 65535],
  ['ui4', 0, 4294967295],
  ['i1', -128, 127],
  ['i2', -32768, 32767],
  ['i4', -2147483648, 2147483647],
];

for (const [type, min, max] of bounds) {
  test(`UDA 1.0 2.5: ${type} decodes ${min}..${max} and refuses one past either end`, () => {
    assert.equal(decoded(type, String(min)), min);
    assert.equal(decoded(type, String(max)), max);
    assert.equal(decoded(type, ` ${max} `), max, 'surrounding white space is ignored');
    refused(type, String(min - 1));
    refused(type, String(max + 1));
    for (const t of ['', ' ', '1.5', '1e3', 'abc', '0x10', '1 2', 'NaN']) refused(type, t);
  });

  test(`UDA 1.0 2.5: ${type} encodes ${min}..${max} and throws outside`, () => {
    assert.equal(encodeValue(type, min), String(min));
    assert.equal(encodeValue(type, max), String(max));
    assert.equal(encodeValue(type, String(max)), String(max));
    assert.throws(() => encodeValue(type, min - 1), TypeError);
    assert.throws(() => encodeValue(type, max + 1), TypeError);
    assert.throws(() => encodeValue(type, 1.5), TypeError);
  });
}

test('UDA 1.0 2.5: r8 decodes decimal and exponent forms', () => {
  assert.equal(decoded('r8', '3.14'), 3.14);
  assert.equal(decoded('r8', '-2.5E-3'), -0.0025);
  assert.equal(decoded('r8', '+1e10'), 1e10);
  assert.equal(decoded('r8', '.5'), 0.5);
  assert.equal(decoded('r8', '5.'), 5);
  assert.equal(decoded('r8', '42'), 42);
  assert.equal(decoded('r8', ' 1.5 '), 1.5);
  assert.equal(decoded('r8', '1.7976931348623157E308'), Number.MAX_VALUE);
  for (const t of ['', 'abc', 'NaN', 'Infinity', '-Infinity', '1.2.3', '1e', 'e5', '0x1p3', '1,5']) refused('r8', t);
});

test('UDA 1.0 2.5: r8 refuses a value outside the IEEE double range (1e400 is not an r8)', () => {
  // UDA 1.0 2.5: r8 must lie within +-1.79769313486232E308; Number('1e400') is Infinity.
  refused('r8', '1e400');
  refused('r8', '-1e400');
});

test('UDA 1.0 2.5: r8 encodes finite numbers and throws on NaN and Infinity', () => {
  assert.equal(encodeValue('r8', 0.1), '0.1');
  assert.equal(encodeValue('r8', -3), '-3');
  assert.equal(encodeValue('r8', '2.5'), '2.5');
  assert.throws(() => encodeValue('r8', Number.NaN), TypeError);
  assert.throws(() => encodeValue('r8', Number.POSITIVE_INFINITY), TypeError);
  assert.throws(() => encodeValue('r8', 'abc'), TypeError);
});

test('UDA 1.0 2.5: char is exactly one Unicode character', () => {
  assert.equal(decoded('char', 'a'), 'a');
  assert.equal(decoded('char', ' '), ' ');
  assert.equal(decoded('char', 'é'), 'é');
  assert.equal(decoded('char', '😀'), '😀', 'one code point outside the BMP is one character');
  refused('char', '');
  refused('char', 'ab');
  assert.equal(encodeValue('char', 'x'), 'x');
});

test('UDA 1.0 2.5: encodeValue throws TypeError for values that cannot be of the type', () => {
  assert.throws(() => encodeValue('boolean', 'maybe'), TypeError);
  assert.throws(() => encodeValue('boolean', 2), TypeError);
  assert.throws(() => encodeValue('ui1', 256), TypeError);
  assert.throws(() => encodeValue('ui4', -1), TypeError);
  assert.throws(() => encodeValue('i4', 2 ** 31), TypeError);
  assert.throws(() => encodeValue('i2', 'abc'), TypeError);
  assert.throws(() => encodeValue('i4', 0.5), TypeError);
  assert.throws(() => encodeValue('ui2', Number.NaN), TypeError);
});

test('UDA 1.0 2.5: encodeValue refuses a char value that is not one character', () => {
  assert.throws(() => encodeValue('char', 'ab'), TypeError);
  assert.throws(() => encodeValue('char', ''), TypeError);
});

test('UDA 1.0 2.5: encodeValue refuses an empty string for an integer type instead of sending 0', () => {
  assert.throws(() => encodeValue('ui4', ''), TypeError);
  assert.throws(() => encodeValue('i4', '  '), TypeError);
});

test('UDA 1.0 2.5: string passes through unchanged; zero values per type', () => {
  assert.equal(decoded('string', '  <a & b>  '), '  <a & b>  ');
  assert.equal(encodeValue('string', 'x\r\ny'), 'x\r\ny');
  assert.equal(zeroValue('boolean'), false);
  assert.equal(zeroValue('ui4'), 0);
  assert.equal(zeroValue('r8'), 0);
  assert.equal(zeroValue('string'), '');
  assert.equal(isNumericType('i1'), true);
  assert.equal(isNumericType('char'), false);
});
