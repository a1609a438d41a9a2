/**
 * Authenticated encryption for everything Courtyard keeps secret at rest:
 * AES-256-GCM with a random 96-bit nonce, the associated data binding each
 * ciphertext to its row and field so that ciphertexts cannot be swapped.
 *
 * Sealed layout: nonce (12 bytes) || ciphertext || tag (16 bytes).
 */
import { gcm } from '@noble/ciphers/aes.js';
import { randomBytes } from '@noble/ciphers/utils.js';
import { hkdf } from '@noble/hashes/hkdf.js';
import { sha256 } from '@noble/hashes/sha2.js';

const NONCE_BYTES = 12;
const TAG_BYTES = 16;
export const KEY_BYTES = 32;
const encoder = new TextEncoder();

export class DecryptionError extends Error {
  override name = 'DecryptionError';
}

function associated(associatedData: string): Uint8Array {
  return encoder.encode(associatedData);
}

export function sealBytes(key: Uint8Array, plaintext: Uint8Array, associatedData: string): Uint8Array {
  const nonce = randomBytes(NONCE_BYTES);
  const ciphertext = gcm(key, nonce, associated(associatedData)).encrypt(plaintext);
  const sealed = new Uint8Array(NONCE_BYTES + ciphertext.length);
  sealed.set(nonce, 0);
  sealed.set(ciphertext, NONCE_BYTES);
  return sealed;
}

export function openBytes(key: Uint8Array, sealed: Uint8Array, associatedData: string): Uint8Array {
  if (sealed.length < NONCE_BYTES + TAG_BYTES) throw new DecryptionError('Sealed value is too short');
  const nonce = sealed.subarray(0, NONCE_BYTES);
  try {
    return gcm(key, nonce, associated(associatedData)).decrypt(sealed.subarray(NONCE_BYTES));
  } catch {
    // The message says nothing about the data: only that it did not authenticate.
    throw new DecryptionError('Sealed value failed authentication');
  }
}

export function sealText(key: Uint8Array, plaintext: string, associatedData: string): Uint8Array {
  return sealBytes(key, encoder.encode(plaintext), associatedData);
}

export function openText(key: Uint8Array, sealed: Uint8Array, associatedData: string): string {
  return new TextDecoder().decode(openBytes(key, sealed, associatedData));
}

/**
 * The installation's master key from configuration. It never encrypts data
 * itself: purpose-specific keys are derived from it with HKDF-SHA256.
 */
export class MasterKey {
  readonly #wrappingKey: Uint8Array;
  readonly #blindIndexRoot: Uint8Array;

  constructor(keyMaterial: Uint8Array) {
    if (keyMaterial.length !== KEY_BYTES) throw new Error(`The master key must be ${KEY_BYTES} bytes`);
    this.#wrappingKey = hkdf(sha256, keyMaterial, undefined, encoder.encode('courtyard/key-wrapping/v1'), KEY_BYTES);
    this.#blindIndexRoot = hkdf(sha256, keyMaterial, undefined, encoder.encode('courtyard/blind-index/v1'), KEY_BYTES);
  }

  /** Seals a secret (a household data key, a community's log key) for storage. */
  seal(secret: Uint8Array, associatedData: string): Uint8Array {
    return sealBytes(this.#wrappingKey, secret, associatedData);
  }

  open(sealed: Uint8Array, associatedData: string): Uint8Array {
    return openBytes(this.#wrappingKey, sealed, associatedData);
  }

  /** The blind-index key of one community, so equal values in two communities index differently. */
  blindIndexKey(communityId: string): Uint8Array {
    return hkdf(sha256, this.#blindIndexRoot, undefined, encoder.encode(`community/${communityId}`), KEY_BYTES);
  }
}

export function newDataKey(): Uint8Array {
  return randomBytes(KEY_BYTES);
}
