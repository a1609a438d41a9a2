/**
 * The BN254 fields Courtyard's circuits live in, and strict parsing of the decimal
 * strings that snarkjs uses for field elements and curve coordinates.
 */

/** r: the scalar-field modulus; every signal, hash and public input is below it. */
export const SNARK_SCALAR_FIELD = 21888242871839275222246405745257275088548364400416034343698204186575808495617n;

/** q: the base-field modulus; every proof-point coordinate is below it. */
export const BN254_BASE_FIELD = 21888242871839275222246405745257275088696311157297823662689037894645226208583n;

/** Canonical decimal: no sign, no leading zeros, no whitespace. 78 digits cover both moduli. */
const CANONICAL_DECIMAL = /^(0|[1-9][0-9]{0,77})$/;

export function isCanonicalDecimal(value: unknown): value is string {
  return typeof value === 'string' && CANONICAL_DECIMAL.test(value);
}

export function isFieldElement(value: bigint): boolean {
  return value >= 0n && value < SNARK_SCALAR_FIELD;
}

/**
 * Checks that `value` is a field element (a bigint, or a canonical decimal string) and
 * returns it as a bigint; `name` appears in the error so callers see the bad parameter.
 */
export function requireFieldElement(name: string, value: bigint | string | number): bigint {
  let parsed: bigint;
  if (typeof value === 'bigint') parsed = value;
  else if (typeof value === 'number' && Number.isSafeInteger(value)) parsed = BigInt(value);
  else if (isCanonicalDecimal(value)) parsed = BigInt(value);
  else throw new RangeError(`Invalid ${name}: expected a field element, got ${String(value)}`);
  if (!isFieldElement(parsed)) throw new RangeError(`Invalid ${name}: not below the BN254 scalar-field modulus`);
  return parsed;
}

/** Reduces a big-endian byte string into the scalar field. */
export function bytesToFieldElement(bytes: Uint8Array): bigint {
  let value = 0n;
  for (const byte of bytes) value = (value << 8n) | BigInt(byte);
  return value % SNARK_SCALAR_FIELD;
}
