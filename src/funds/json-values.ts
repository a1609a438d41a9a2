/**
 * Typed values to ledger JSON: bigint amounts become decimal strings, undefined fields are
 * dropped, everything else passes as it is. Decoding back is each payload's zod schema.
 * And equality of JSON values, which is what a replay compares recorded fields with.
 */
import type { JsonValue } from '../ledger/entry-encoding.ts';

export function toJsonValue(value: unknown): JsonValue {
  if (typeof value === 'bigint') return value.toString();
  if (value === null || typeof value === 'string' || typeof value === 'boolean' || typeof value === 'number')
    return value;
  if (Array.isArray(value)) return value.map(toJsonValue);
  if (typeof value === 'object') {
    const result: { [key: string]: JsonValue } = {};
    for (const [key, item] of Object.entries(value)) if (item !== undefined) result[key] = toJsonValue(item);
    return result;
  }
  throw new TypeError(`A ${typeof value} cannot travel in a ledger payload`);
}

/** Structural equality of two JSON values: what canonical JSON would say, without encoding either. */
export function jsonEquals(a: JsonValue | undefined, b: JsonValue | undefined): boolean {
  if (a === b) return true;
  if (a === null || b === null || a === undefined || b === undefined || typeof a !== 'object' || typeof b !== 'object')
    return false;
  if (Array.isArray(a) || Array.isArray(b)) {
    return (
      Array.isArray(a) &&
      Array.isArray(b) &&
      a.length === b.length &&
      a.every((item, index) => jsonEquals(item, b[index]))
    );
  }
  const keys = Object.keys(a);
  return (
    keys.length === Object.keys(b).length && keys.every((key) => Object.hasOwn(b, key) && jsonEquals(a[key], b[key]))
  );
}
