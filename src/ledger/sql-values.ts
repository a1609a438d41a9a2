/**
 * Normalises what the two drivers return: PostgreSQL (node-postgres) gives bigint as a
 * decimal string and bytea as a Buffer; PGlite gives numbers and Uint8Array.
 */
export function toBytes(value: unknown): Uint8Array {
  if (value instanceof Uint8Array) return new Uint8Array(value.buffer, value.byteOffset, value.byteLength);
  throw new TypeError(`expected bytea, got ${typeof value}`);
}

export function toSafeNumber(value: unknown): number {
  const number = typeof value === 'number' ? value : Number(value);
  if (!Number.isSafeInteger(number)) throw new TypeError(`expected a safe integer, got ${String(value)}`);
  return number;
}

/** Splits a concatenation of 32-byte hashes. */
export function splitHashes(bytes: Uint8Array): Uint8Array[] {
  const hashes: Uint8Array[] = [];
  for (let offset = 0; offset < bytes.length; offset += 32) hashes.push(bytes.slice(offset, offset + 32));
  return hashes;
}

export function joinHashes(hashes: readonly Uint8Array[]): Buffer {
  return Buffer.concat(hashes);
}
