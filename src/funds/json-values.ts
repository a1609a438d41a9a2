/**
 * Typed values to ledger JSON: bigint amounts become decimal strings, undefined fields are
 * dropped, everything else passes as it is. Decoding back is each payload's zod schema.
 */
import type { JsonValue } from '../ledger/entry-encoding.ts';

export function toJsonValue(value: unknown): JsonValue {
  if (typeof value === 'bigint') return value.toString();
  if (value === null || typeof value === 'string' || typeof value === 'boolean' || typeof value === 'number') return value;
  if (Array.isArray(value)) return value.map(toJsonValue);
  if (typeof value === 'object') {
    const result: { [key: string]: JsonValue } = {};
    for (const [key, item] of Object.entries(value)) if (item !== undefined) result[key] = toJsonValue(item);
    return result;
  }
  throw new TypeError(`A ${typeof value} cannot travel in a ledger payload`);
}
