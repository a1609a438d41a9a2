/**
 * C2SP signed-note (https://c2sp.org/signed-note) with Ed25519 keys.
 *
 * A note is UTF-8 text ending in a newline, a blank line, then one line per signature:
 * "— <key name> <base64(key hash || signature)>". The key hash is the first four bytes of
 * SHA-256(key name || 0x0A || signature type || public key); the type is 0x01 for plain
 * Ed25519 note signatures and 0x04 for cosignature/v1 (see cosignature.ts).
 */
import { ed25519 } from '@noble/curves/ed25519.js';
import { sha256 } from '@noble/hashes/sha2.js';
import { equalBytes } from './merkle-hash.ts';

export const SIGNATURE_TYPE_ED25519 = 0x01;
export const SIGNATURE_TYPE_COSIGNATURE_V1 = 0x04;
export const MAX_NOTE_BYTES = 1_000_000;
export const MAX_NOTE_SIGNATURES = 100;
const SIGNATURE_LINE_PREFIX = '\u2014 ';
const encoder = new TextEncoder();

export interface NoteSignature {
  keyName: string;
  keyHash: Uint8Array;
  /** What follows the key hash: the Ed25519 signature, or timestamp and signature. */
  signatureBody: Uint8Array;
}

export interface ParsedNote {
  text: string;
  signatures: NoteSignature[];
}

export class NoteFormatError extends Error {
  override name = 'NoteFormatError';
}

/** Longest key name (and so checkpoint origin) accepted. */
export const KEY_NAME_MAX_LENGTH = 300;

/**
 * Key names are non-empty, well-formed text without Unicode spaces or a plus sign
 * (C2SP signed-note), and — our addition — without control characters, so a name can be
 * stored, logged and printed on a signature line as it is.
 */
export function assertValidKeyName(keyName: string): void {
  if (keyName.length === 0 || keyName.length > KEY_NAME_MAX_LENGTH || !keyName.isWellFormed() || /[\s+\p{Cc}]/u.test(keyName)) {
    throw new NoteFormatError(`key name must be 1–${KEY_NAME_MAX_LENGTH} characters, without spaces, control characters or "+"`);
  }
}

/**
 * Why these bytes are not an Ed25519 public key an honest signer has, or null: not 32
 * bytes, not a canonical point encoding (RFC 8032 strict decoding), a point of small
 * order (the all-zero key is one; under such a key signatures can be forged without a
 * secret), or a point with a small-order component, which standard key generation never
 * makes and under which verifiers may disagree.
 */
export function ed25519PublicKeyProblem(publicKey: Uint8Array): string | null {
  if (publicKey.length !== 32) return 'must be a 32-byte Ed25519 public key';
  let point: ReturnType<typeof ed25519.Point.fromBytes>;
  try {
    point = ed25519.Point.fromBytes(publicKey, false);
  } catch {
    return 'is not a canonical encoding of an Ed25519 point';
  }
  if (point.isSmallOrder()) return 'is a point of small order, under which signatures can be forged';
  if (!point.isTorsionFree()) return 'has a small-order component; use a key made by a standard Ed25519 implementation';
  return null;
}

export function keyHash(keyName: string, signatureType: number, publicKey: Uint8Array): Uint8Array {
  assertValidKeyName(keyName);
  const name = encoder.encode(keyName);
  const input = new Uint8Array(name.length + 2 + publicKey.length);
  input.set(name, 0);
  input[name.length] = 0x0a;
  input[name.length + 1] = signatureType;
  input.set(publicKey, name.length + 2);
  return sha256(input).slice(0, 4);
}

/** The verifier key string "name+hexhash+base64(type || public key)" that tools exchange. */
export function formatVerifierKey(keyName: string, signatureType: number, publicKey: Uint8Array): string {
  const hash = Buffer.from(keyHash(keyName, signatureType, publicKey)).toString('hex');
  const material = Buffer.concat([Buffer.from([signatureType]), publicKey]).toString('base64');
  return `${keyName}+${hash}+${material}`;
}

export function parseVerifierKey(verifierKey: string): { keyName: string; signatureType: number; publicKey: Uint8Array } {
  const first = verifierKey.indexOf('+');
  const second = verifierKey.indexOf('+', first + 1);
  if (first <= 0 || second < 0) throw new NoteFormatError('verifier key must read name+hash+key');
  const keyName = verifierKey.slice(0, first);
  const hashHex = verifierKey.slice(first + 1, second);
  const material = Buffer.from(verifierKey.slice(second + 1), 'base64');
  if (!/^[0-9a-f]{8}$/.test(hashHex) || material.length !== 33) throw new NoteFormatError('verifier key is malformed');
  const signatureType = material[0]!;
  const publicKey = new Uint8Array(material.subarray(1));
  if (!equalBytes(keyHash(keyName, signatureType, publicKey), Buffer.from(hashHex, 'hex'))) {
    throw new NoteFormatError('verifier key hash does not match its key');
  }
  const problem = ed25519PublicKeyProblem(publicKey);
  if (problem) throw new NoteFormatError(`verifier key ${problem}`);
  return { keyName, signatureType, publicKey };
}

export function formatSignatureLine(signature: NoteSignature): string {
  const blob = Buffer.concat([signature.keyHash, signature.signatureBody]).toString('base64');
  return `${SIGNATURE_LINE_PREFIX}${signature.keyName} ${blob}\n`;
}

/** Signs note text (which must end in a newline) with an Ed25519 key; returns the signature. */
export function signNoteText(text: string, keyName: string, privateKey: Uint8Array): NoteSignature {
  assertNoteText(text);
  const publicKey = ed25519.getPublicKey(privateKey);
  return {
    keyName,
    keyHash: keyHash(keyName, SIGNATURE_TYPE_ED25519, publicKey),
    signatureBody: ed25519.sign(encoder.encode(text), privateKey),
  };
}

export function formatNote(text: string, signatures: readonly NoteSignature[]): string {
  assertNoteText(text);
  return `${text}\n${signatures.map(formatSignatureLine).join('')}`;
}

function assertNoteText(text: string): void {
  if (!text.endsWith('\n')) throw new NoteFormatError('note text must end with a newline');
}

/** Splits a note into its text and signature lines; rejects anything malformed. */
export function parseNote(note: string): ParsedNote {
  if (encoder.encode(note).length > MAX_NOTE_BYTES) throw new NoteFormatError('note is too large');
  const split = note.lastIndexOf('\n\n');
  if (split < 0 || !note.endsWith('\n')) throw new NoteFormatError('note has no signature block');
  const text = note.slice(0, split + 1);
  const lines = note.slice(split + 2, -1).split('\n');
  if (lines.length > MAX_NOTE_SIGNATURES) throw new NoteFormatError('note has too many signatures');
  const signatures = lines.map((line) => {
    if (!line.startsWith(SIGNATURE_LINE_PREFIX)) throw new NoteFormatError('signature line must start with "— "');
    const [keyName, blob, ...rest] = line.slice(SIGNATURE_LINE_PREFIX.length).split(' ');
    if (keyName === undefined || blob === undefined || rest.length > 0) throw new NoteFormatError('signature line is malformed');
    assertValidKeyName(keyName);
    const bytes = Buffer.from(blob, 'base64');
    if (bytes.length < 5 || bytes.toString('base64') !== blob) throw new NoteFormatError('signature is not canonical base64');
    return { keyName, keyHash: new Uint8Array(bytes.subarray(0, 4)), signatureBody: new Uint8Array(bytes.subarray(4)) };
  });
  return { text, signatures };
}

/** Whether the note carries a valid Ed25519 signature by this key. */
export function noteHasValidSignature(parsed: ParsedNote, keyName: string, publicKey: Uint8Array): boolean {
  const expectedHash = keyHash(keyName, SIGNATURE_TYPE_ED25519, publicKey);
  const message = encoder.encode(parsed.text);
  return parsed.signatures.some(
    (signature) =>
      signature.keyName === keyName &&
      equalBytes(signature.keyHash, expectedHash) &&
      signature.signatureBody.length === 64 &&
      ed25519.verify(signature.signatureBody, message, publicKey, { zip215: false }),
  );
}
