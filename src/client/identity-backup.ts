/**
 * A resident's identity on their own device: created locally, backed up as one line of
 * text the resident keeps (a password manager, a printout), restored from that text.
 * The secret never leaves the device; only the commitment is sent when joining a census.
 *
 * Two formats:
 * - `courtyard-identity-v2:…` (`encryptIdentity`, `decryptIdentity`): the secret sealed
 *   with XChaCha20-Poly1305 under a key from the passphrase through scrypt (memory-hard),
 *   N = 2^17, r = 8, p = 1 (128 MiB, RFC 7914's and OWASP's recommended setting), a
 *   random 16-byte salt and 24-byte nonce. The header (format, KDF and its parameters) is
 *   the cipher's associated data, so it cannot be changed without the tag failing. This is
 *   what the portal stores in IndexedDB.
 * - `courtyard-identity-v1:<64 hex>` (`backupIdentity`, `restoreIdentity`): the secret in
 *   plain text, as before; still read, and `encryptIdentity` of its restored identity
 *   migrates it.
 */
import { xchacha20poly1305 } from '@noble/ciphers/chacha.js';
import { scryptAsync } from '@noble/hashes/scrypt.js';
import { bytesToHex, hexToBytes, randomBytes, utf8ToBytes } from '@noble/hashes/utils.js';
import { createIdentity, exportIdentitySecret, importIdentitySecret } from '../zk/identity.ts';
import type { Identity } from '../zk/identity.ts';

export const ENCRYPTED_IDENTITY_PREFIX = 'courtyard-identity-v2';
/** scrypt's cost as a power of two: 2^17 blocks of 128·r bytes = 128 MiB. */
export const IDENTITY_SCRYPT_LOG_N = 17;
export const IDENTITY_SCRYPT_R = 8;
export const IDENTITY_SCRYPT_P = 1;
/** A backup naming a cost outside these bounds is refused: too weak, or a memory bomb. */
const MIN_SCRYPT_LOG_N = 15;
const MAX_SCRYPT_LOG_N = 20;
/** An empty or very short passphrase protects nothing. */
export const MIN_PASSPHRASE_LENGTH = 8;
const SALT_BYTES = 16;
const NONCE_BYTES = 24;
const SECRET_BYTES = 32;
const TAG_BYTES = 16;

export type IdentityBackupErrorCode = 'BACKUP_MALFORMED' | 'WRONG_PASSPHRASE' | 'PASSPHRASE_TOO_SHORT';

export class IdentityBackupError extends Error {
  override readonly name = 'IdentityBackupError';
  readonly code: IdentityBackupErrorCode;
  constructor(code: IdentityBackupErrorCode, message: string) {
    super(message);
    this.code = code;
  }
}

/** The plain backup text: `courtyard-identity-v1:` and 64 hex digits. Treat it as a password. */
export function backupIdentity(identity: Identity): string {
  return exportIdentitySecret(identity.secret);
}

/** Rebuilds the identity (secret and commitment) from its plain backup text; rejects with RangeError if the text is malformed. */
export async function restoreIdentity(backup: string): Promise<Identity> {
  return createIdentity(importIdentitySecret(backup));
}

function requirePassphrase(passphrase: string): Uint8Array {
  if (typeof passphrase !== 'string' || [...passphrase].length < MIN_PASSPHRASE_LENGTH) {
    throw new IdentityBackupError(
      'PASSPHRASE_TOO_SHORT',
      `Invalid passphrase: at least ${MIN_PASSPHRASE_LENGTH} characters`,
    );
  }
  return utf8ToBytes(passphrase.normalize('NFC'));
}

function header(prefix: string, logN: number, r: number, p: number): string {
  return `${prefix}:scrypt:${logN}:${r}:${p}`;
}

function deriveKey(passphrase: Uint8Array, salt: Uint8Array, logN: number, r: number, p: number): Promise<Uint8Array> {
  return scryptAsync(passphrase, salt, {
    N: 2 ** logN,
    r,
    p,
    dkLen: 32,
    maxmem: 2 ** logN * 128 * r * p + 1024 * 1024,
  });
}

/**
 * Bytes sealed under a passphrase, as one line `<prefix>:scrypt:<logN>:<r>:<p>:<salt>:<nonce>:<sealed>`:
 * XChaCha20-Poly1305 under a key from the passphrase through scrypt (the identity backup's
 * parameters), the header as associated data. The identity backup is this with its own
 * prefix; a trustee's key share on disk (scripts/governance/trustee.ts) is another.
 */
export async function sealWithPassphrase(prefix: string, plaintext: Uint8Array, passphrase: string): Promise<string> {
  const passphraseBytes = requirePassphrase(passphrase);
  const salt = randomBytes(SALT_BYTES);
  const nonce = randomBytes(NONCE_BYTES);
  const head = header(prefix, IDENTITY_SCRYPT_LOG_N, IDENTITY_SCRYPT_R, IDENTITY_SCRYPT_P);
  const key = await deriveKey(passphraseBytes, salt, IDENTITY_SCRYPT_LOG_N, IDENTITY_SCRYPT_R, IDENTITY_SCRYPT_P);
  const sealed = xchacha20poly1305(key, nonce, utf8ToBytes(head)).encrypt(plaintext);
  return `${head}:${bytesToHex(salt)}:${bytesToHex(nonce)}:${bytesToHex(sealed)}`;
}

/**
 * Opens `sealWithPassphrase`'s line: BACKUP_MALFORMED for another format (or, with
 * `plaintextBytes`, another length) or out-of-bounds scrypt parameters; WRONG_PASSPHRASE
 * when the passphrase (or any byte of the text) is wrong. `what` names the text in messages.
 */
export async function openWithPassphrase(
  prefix: string,
  text: string,
  passphrase: string,
  what: string,
  plaintextBytes?: number,
): Promise<Uint8Array> {
  const sealedPattern = plaintextBytes === undefined ? `(?:[0-9a-f]{2}){${TAG_BYTES},}` : `[0-9a-f]{${(plaintextBytes + TAG_BYTES) * 2}}`;
  const pattern = new RegExp(
    `^${prefix}:scrypt:(\\d{1,2}):(\\d{1,2}):(\\d{1,2}):([0-9a-f]{${SALT_BYTES * 2}}):([0-9a-f]{${NONCE_BYTES * 2}}):(${sealedPattern})$`,
    'u',
  );
  const match = pattern.exec(text.trim());
  if (!match) throw new IdentityBackupError('BACKUP_MALFORMED', `Invalid ${what}: expected "${prefix}:scrypt:…"`);
  const [logN, r, p] = [Number(match[1]), Number(match[2]), Number(match[3])];
  if (logN < MIN_SCRYPT_LOG_N || logN > MAX_SCRYPT_LOG_N || r < 1 || r > 16 || p < 1 || p > 4) {
    throw new IdentityBackupError(
      'BACKUP_MALFORMED',
      `Invalid ${what}: scrypt parameters N=2^${logN}, r=${r}, p=${p} are out of bounds`,
    );
  }
  const key = await deriveKey(requirePassphrase(passphrase), hexToBytes(match[4]!), logN, r, p);
  try {
    return xchacha20poly1305(key, hexToBytes(match[5]!), utf8ToBytes(header(prefix, logN, r, p))).decrypt(hexToBytes(match[6]!));
  } catch {
    throw new IdentityBackupError('WRONG_PASSPHRASE', `Failed to open the ${what}: wrong passphrase or altered text`);
  }
}

/** The identity's secret sealed under the passphrase, as one line of text (about a second of scrypt). */
export async function encryptIdentity(identity: Identity, passphrase: string): Promise<string> {
  const secret = hexToBytes(identity.secret.toString(16).padStart(SECRET_BYTES * 2, '0'));
  return sealWithPassphrase(ENCRYPTED_IDENTITY_PREFIX, secret, passphrase);
}

/** Opens an encrypted backup; `WRONG_PASSPHRASE` when the passphrase (or any byte of the text) is wrong. */
export async function decryptIdentity(backup: string, passphrase: string): Promise<Identity> {
  const secret = await openWithPassphrase(ENCRYPTED_IDENTITY_PREFIX, backup, passphrase, 'identity backup', SECRET_BYTES);
  return createIdentity(importIdentitySecret(`courtyard-identity-v1:${bytesToHex(secret)}`));
}

/** Either format: the encrypted one needs the passphrase, the plain one ignores it. */
export async function openIdentityBackup(backup: string, passphrase: string): Promise<Identity> {
  return backup.trim().startsWith(`${ENCRYPTED_IDENTITY_PREFIX}:`)
    ? decryptIdentity(backup, passphrase)
    : restoreIdentity(backup);
}
