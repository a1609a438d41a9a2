/**
 * C2SP tlog-cosignature (https://c2sp.org/tlog-cosignature), cosignature/v1.
 *
 * A witness signs "cosignature/v1\ntime <unix seconds>\n" followed by the whole
 * checkpoint body. The note signature carries the key hash of signature type 0x04, then
 * the timestamp as a big-endian uint64, then the 64-byte Ed25519 signature. A witness
 * asserts only that it saw this checkpoint extend, append-only, the last one it signed.
 */
import { ed25519 } from '@noble/curves/ed25519.js';
import { equalBytes } from './merkle-hash.ts';
import { keyHash, SIGNATURE_TYPE_COSIGNATURE_V1, type NoteSignature } from './signed-note.ts';

const encoder = new TextEncoder();
const TIMESTAMP_BYTES = 8;
const SIGNATURE_BYTES = 64;

export interface Cosignature {
  keyName: string;
  timestampSeconds: number;
  signature: Uint8Array;
}

export function cosignedMessage(checkpointBody: string, timestampSeconds: number): Uint8Array {
  if (!Number.isSafeInteger(timestampSeconds) || timestampSeconds < 0) throw new RangeError('timestamp must be a non-negative integer');
  return encoder.encode(`cosignature/v1\ntime ${timestampSeconds}\n${checkpointBody}`);
}

export function cosignCheckpoint(checkpointBody: string, keyName: string, privateKey: Uint8Array, timestampSeconds: number): Cosignature {
  return { keyName, timestampSeconds, signature: ed25519.sign(cosignedMessage(checkpointBody, timestampSeconds), privateKey) };
}

export function verifyCosignature(checkpointBody: string, cosignature: Cosignature, publicKey: Uint8Array): boolean {
  if (cosignature.signature.length !== SIGNATURE_BYTES) return false;
  try {
    const message = cosignedMessage(checkpointBody, cosignature.timestampSeconds);
    return ed25519.verify(cosignature.signature, message, publicKey, { zip215: false });
  } catch {
    return false;
  }
}

export function cosignatureToNoteSignature(cosignature: Cosignature, publicKey: Uint8Array): NoteSignature {
  const body = new Uint8Array(TIMESTAMP_BYTES + SIGNATURE_BYTES);
  new DataView(body.buffer).setBigUint64(0, BigInt(cosignature.timestampSeconds));
  body.set(cosignature.signature, TIMESTAMP_BYTES);
  return {
    keyName: cosignature.keyName,
    keyHash: keyHash(cosignature.keyName, SIGNATURE_TYPE_COSIGNATURE_V1, publicKey),
    signatureBody: body,
  };
}

/** Reads a cosignature back out of a note signature line, if it belongs to this witness key. */
export function noteSignatureToCosignature(signature: NoteSignature, publicKey: Uint8Array): Cosignature | undefined {
  const expected = keyHash(signature.keyName, SIGNATURE_TYPE_COSIGNATURE_V1, publicKey);
  if (!equalBytes(signature.keyHash, expected)) return undefined;
  if (signature.signatureBody.length !== TIMESTAMP_BYTES + SIGNATURE_BYTES) return undefined;
  const view = new DataView(signature.signatureBody.buffer, signature.signatureBody.byteOffset, TIMESTAMP_BYTES);
  const timestamp = view.getBigUint64(0);
  if (timestamp > BigInt(Number.MAX_SAFE_INTEGER)) return undefined;
  return {
    keyName: signature.keyName,
    timestampSeconds: Number(timestamp),
    signature: signature.signatureBody.slice(TIMESTAMP_BYTES),
  };
}
