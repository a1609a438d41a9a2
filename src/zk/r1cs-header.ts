/**
 * Reads the header of an iden3 `.r1cs` file (the format circom writes) so scripts and
 * tests can pin the constraint count and the shape of the public signals without
 * loading the whole constraint system.
 */

export interface R1csHeader {
  /** Bytes per field element; 32 for BN254. */
  fieldSizeBytes: number;
  prime: bigint;
  wires: number;
  publicOutputs: number;
  publicInputs: number;
  privateInputs: number;
  labels: bigint;
  constraints: number;
}

const R1CS_MAGIC = 'r1cs';
const HEADER_SECTION_TYPE = 1;

export function readR1csHeader(bytes: Uint8Array): R1csHeader {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const magic = String.fromCharCode(...bytes.subarray(0, 4));
  if (magic !== R1CS_MAGIC) throw new Error(`Failed to read r1cs: magic is "${magic}", expected "${R1CS_MAGIC}"`);
  const sectionCount = view.getUint32(8, true);
  let offset = 12;
  for (let section = 0; section < sectionCount; section++) {
    const type = view.getUint32(offset, true);
    const size = Number(view.getBigUint64(offset + 4, true));
    offset += 12;
    if (type === HEADER_SECTION_TYPE) return readHeaderSection(view, bytes, offset);
    offset += size;
  }
  throw new Error('Failed to read r1cs: no header section');
}

function readHeaderSection(view: DataView, bytes: Uint8Array, start: number): R1csHeader {
  const fieldSizeBytes = view.getUint32(start, true);
  let prime = 0n;
  for (let index = fieldSizeBytes - 1; index >= 0; index--) prime = (prime << 8n) | BigInt(bytes[start + 4 + index]!);
  const offset = start + 4 + fieldSizeBytes;
  const wires = view.getUint32(offset, true);
  const publicOutputs = view.getUint32(offset + 4, true);
  const publicInputs = view.getUint32(offset + 8, true);
  const privateInputs = view.getUint32(offset + 12, true);
  const labels = view.getBigUint64(offset + 16, true);
  const constraints = view.getUint32(offset + 24, true);
  return { fieldSizeBytes, prime, wires, publicOutputs, publicInputs, privateInputs, labels, constraints };
}
