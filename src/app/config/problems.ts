/**
 * What is wrong with a config file, one line per problem, each naming the field's path the way a user reads it:
 * `lines[1].sip.port: must be ≤ 65535` (TypeBox reports JSON pointers, /lines/1/sip/port).
 */
import { KindGuard, type TSchema } from '@sinclair/typebox';
import { Value, ValueErrorType, type ValueError } from '@sinclair/typebox/value';

/** Every problem of `value` against `schema`, or none. */
export function schemaProblems(schema: TSchema, value: unknown): string[] {
  return [...Value.Errors(schema, value)].flatMap(explain);
}

/** `/lines/1/sip/port` → `lines[1].sip.port`. */
export function pathOf(pointer: string): string {
  return pointer
    .split('/')
    .slice(1)
    .map((key) => key.replaceAll('~1', '/').replaceAll('~0', '~'))
    .reduce((path, key) => (/^\d+$/.test(key) ? `${path}[${key}]` : path ? `${path}.${key}` : key), '');
}

/** A problem line: the field's path, then what is wrong; the file itself has no path. */
export const problem = (path: string, what: string): string => (path ? `${path}: ${what}` : what);

function explain(e: ValueError): string[] {
  // A missing field is reported once, as missing, not also as a wrong value.
  if (e.value === undefined && e.type !== ValueErrorType.ObjectRequiredProperty) return [];
  const path = pathOf(e.path);
  const schema = e.schema as TSchema & { errorMessage?: string; anyOf?: TSchema[] };
  switch (e.type) {
    case ValueErrorType.ObjectAdditionalProperties:
      return [problem(path, 'unknown field')];
    case ValueErrorType.ObjectRequiredProperty:
      return [problem(path, 'is missing')];
    case ValueErrorType.Union: {
      // An object where the union allows one kind of object (`"echo": {…} or false`): that object's own problems.
      const objects = (schema.anyOf ?? []).flatMap((s, i) => (KindGuard.IsObject(s) ? [i] : []));
      const isObject = typeof e.value === 'object' && e.value !== null && !Array.isArray(e.value);
      if (isObject && objects.length === 1 && !schema.errorMessage) return [...e.errors[objects[0]!]!].flatMap(explain);
      break;
    }
  }
  return [problem(path, schema.errorMessage ?? mustBe(e, schema))];
}

function mustBe(e: ValueError, schema: TSchema): string {
  switch (e.type) {
    case ValueErrorType.IntegerMaximum:
    case ValueErrorType.NumberMaximum:
      return `must be ≤ ${schema.maximum}`;
    case ValueErrorType.IntegerMinimum:
    case ValueErrorType.NumberMinimum:
      return `must be ≥ ${schema.minimum}`;
    case ValueErrorType.NumberExclusiveMaximum:
      return `must be below ${schema.exclusiveMaximum}`;
    case ValueErrorType.NumberExclusiveMinimum:
      return `must be above ${schema.exclusiveMinimum}`;
    case ValueErrorType.ArrayMinItems:
      return schema.minItems === 1 ? 'must not be empty' : `must hold at least ${schema.minItems} items`;
    case ValueErrorType.ArrayUniqueItems:
      return 'must not name an item twice';
    default:
      return `must be ${describe(schema)}`;
  }
}

/** What a value of `schema` is, in words: `a whole number from 1024 to 65535`, `"direct" or "registered"`. */
function describe(schema: TSchema): string {
  if (KindGuard.IsLiteral(schema)) return JSON.stringify(schema.const);
  if (KindGuard.IsString(schema)) return schema.minLength ? 'a non-empty string' : 'a string';
  if (KindGuard.IsInteger(schema)) return `a whole number${range(schema)}`;
  if (KindGuard.IsNumber(schema)) return `a number${range(schema)}`;
  if (KindGuard.IsBoolean(schema)) return 'true or false';
  if (KindGuard.IsArray(schema)) return schema.minItems ? 'a non-empty array' : 'an array';
  if (KindGuard.IsObject(schema)) {
    const required = schema.required ?? [];
    return `an object {${Object.keys(schema.properties).map((k) => (required.includes(k) ? k : `${k}?`)).join(', ')}}`;
  }
  if (KindGuard.IsUnion(schema)) {
    const each = schema.anyOf.map(describe);
    return `${each.slice(0, -1).join(', ')} or ${each.at(-1)}`;
  }
  return 'valid';
}

function range(s: { minimum?: number; maximum?: number; exclusiveMinimum?: number; exclusiveMaximum?: number }): string {
  if (s.minimum !== undefined && s.maximum !== undefined) return ` from ${s.minimum} to ${s.maximum}`;
  const parts = [
    ...(s.minimum !== undefined ? [`≥ ${s.minimum}`] : []),
    ...(s.exclusiveMinimum !== undefined ? [`above ${s.exclusiveMinimum}`] : []),
    ...(s.maximum !== undefined ? [`≤ ${s.maximum}`] : []),
    ...(s.exclusiveMaximum !== undefined ? [`below ${s.exclusiveMaximum}`] : []),
  ];
  return parts.length ? ` ${parts.join(' and ')}` : '';
}
