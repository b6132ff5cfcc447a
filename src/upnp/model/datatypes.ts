/**
 * UPnP state-variable data types (UDA 1.0 section 2.5) and their string codecs.
 * Input decoding is lenient where UDA says so (boolean accepts 0/1/true/false/yes/no);
 * output encoding is canonical (boolean is sent as 0/1).
 */
export type DataType =
  | 'ui1' | 'ui2' | 'ui4' | 'i1' | 'i2' | 'i4' | 'int'
  | 'r4' | 'r8' | 'number' | 'fixed.14.4' | 'float'
  | 'char' | 'string' | 'date' | 'dateTime' | 'dateTime.tz' | 'time' | 'time.tz'
  | 'boolean' | 'bin.base64' | 'bin.hex' | 'uri' | 'uuid';

export type UpnpValue = string | number | boolean;

export const dataTypes: readonly DataType[] = [
  'ui1', 'ui2', 'ui4', 'i1', 'i2', 'i4', 'int', 'r4', 'r8', 'number', 'fixed.14.4', 'float',
  'char', 'string', 'date', 'dateTime', 'dateTime.tz', 'time', 'time.tz', 'boolean',
  'bin.base64', 'bin.hex', 'uri', 'uuid',
];

const integerRanges: Partial<Record<DataType, [number, number]>> = {
  ui1: [0, 0xff],
  ui2: [0, 0xffff],
  ui4: [0, 0xffffffff],
  i1: [-0x80, 0x7f],
  i2: [-0x8000, 0x7fff],
  i4: [-0x80000000, 0x7fffffff],
  int: [-0x80000000, 0x7fffffff],
};

export function isNumericType(t: DataType): boolean {
  return t in integerRanges || t === 'r4' || t === 'r8' || t === 'number' || t === 'fixed.14.4' || t === 'float';
}

export type DecodeResult = { ok: true; value: UpnpValue } | { ok: false; reason: string };

/** Decode a value received on the wire (SOAP argument, event property). */
export function decodeValue(type: DataType, text: string): DecodeResult {
  const range = integerRanges[type];
  if (range) {
    const s = text.trim();
    if (!/^[+-]?\d+$/.test(s)) return { ok: false, reason: `not an integer: ${JSON.stringify(text)}` };
    const n = Number(s);
    if (n < range[0] || n > range[1]) return { ok: false, reason: `${s} outside ${type}` };
    return { ok: true, value: n };
  }
  switch (type) {
    case 'boolean': {
      const s = text.trim().toLowerCase();
      if (s === '1' || s === 'true' || s === 'yes') return { ok: true, value: true };
      if (s === '0' || s === 'false' || s === 'no') return { ok: true, value: false };
      return { ok: false, reason: `not a boolean: ${JSON.stringify(text)}` };
    }
    case 'r4': case 'r8': case 'number': case 'fixed.14.4': case 'float': {
      const s = text.trim();
      if (!/^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/.test(s)) return { ok: false, reason: `not a number: ${JSON.stringify(text)}` };
      const n = Number(s);
      // r4 is a 4-byte float (UDA 1.0 2.5); everything else here is a double.
      const limit = type === 'r4' ? 3.40282347e38 : Number.MAX_VALUE;
      if (!Number.isFinite(n) || Math.abs(n) > limit) return { ok: false, reason: `${s} outside ${type}` };
      return { ok: true, value: n };
    }
    case 'char':
      return [...text].length === 1 ? { ok: true, value: text } : { ok: false, reason: 'char must be one character' };
    case 'uuid':
      return /^[0-9a-fA-F-]+$/.test(text.trim()) ? { ok: true, value: text.trim() } : { ok: false, reason: 'not a uuid' };
    default:
      return { ok: true, value: text };
  }
}

/** Encode a value for the wire. Throws TypeError when the value cannot be of that type. */
export function encodeValue(type: DataType, value: UpnpValue): string {
  if (typeof value === 'string' || (type === 'boolean' && typeof value !== 'boolean')) {
    // Strings (from a CLI or a config) are held to the same rules as values received on the wire.
    const d = decodeValue(type, String(value));
    if (!d.ok) throw new TypeError(d.reason);
    value = d.value;
  }
  if (type === 'boolean') return value ? '1' : '0';
  if (isNumericType(type)) {
    const n = typeof value === 'number' ? value : NaN;
    if (!Number.isFinite(n)) throw new TypeError(`${String(value)} is not a ${type}`);
    const range = integerRanges[type];
    if (range && (!Number.isInteger(n) || n < range[0] || n > range[1])) throw new TypeError(`${n} is not a ${type}`);
    return String(n);
  }
  return String(value);
}

/** The value a variable of this type has before anyone sets it. */
export function zeroValue(type: DataType): UpnpValue {
  if (type === 'boolean') return false;
  if (isNumericType(type)) return 0;
  return '';
}
