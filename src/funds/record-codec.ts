/**
 * Projection records as JSON text: records hold bigint amounts, which JSON lacks, so a
 * bigint is written as `{"$fen": "<decimal>"}` and read back as a bigint. Records are
 * otherwise plain data (strings, numbers, booleans, null, arrays, objects), so the round
 * trip is exact; the replay comparison relies on it.
 */
const BIGINT_TAG = '$fen';

export function encodeRecord(record: unknown): string {
  return JSON.stringify(record, (_key, value: unknown) =>
    typeof value === 'bigint' ? { [BIGINT_TAG]: value.toString() } : value,
  );
}

export function decodeRecord<T>(text: string): T {
  return JSON.parse(text, (_key, value: unknown) => {
    if (value !== null && typeof value === 'object' && !Array.isArray(value)) {
      const keys = Object.keys(value);
      if (keys.length === 1 && keys[0] === BIGINT_TAG) return BigInt((value as Record<string, string>)[BIGINT_TAG]!);
    }
    return value;
  }) as T;
}

/** A canonical text of a record (keys sorted), to compare two records for equality. */
export function canonicalRecordText(record: unknown): string {
  return JSON.stringify(sortKeys(record), (_key, value: unknown) =>
    typeof value === 'bigint' ? { [BIGINT_TAG]: value.toString() } : value,
  );
}

function sortKeys(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(sortKeys);
  if (value !== null && typeof value === 'object') {
    return Object.fromEntries(
      Object.keys(value)
        .sort()
        .map((key) => [key, sortKeys((value as Record<string, unknown>)[key])]),
    );
  }
  return value;
}
