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
 *
 * It is a small key ring, so the master key can rotate while the server serves
 * (src/privacy/master-key-rotation.ts): `seal` uses the current key; `open` tries the
 * current key, then each previous one (AES-GCM refuses a wrong key at once), then asks
 * `refresh` — set by src/config/keys.ts to re-read the key file — whether the keys
 * changed, and tries again. The blind-index root does not rotate with the wrapping key:
 * the lookups of every stored row depend on it, so after the first rotation it is kept
 * on its own (`blindIndexRoot`).
 */
export class MasterKey {
  #wrappingKey: Uint8Array;
  #previousWrappingKeys: Uint8Array[];
  readonly #blindIndexRoot: Uint8Array;
  /** Re-reads the keys from where they came; true when they changed. `force` skips the rate limit. */
  refresh: ((force: boolean) => boolean) | undefined;

  constructor(keyMaterial: Uint8Array, options: { previous?: readonly Uint8Array[]; blindIndexRoot?: Uint8Array | undefined } = {}) {
    this.#wrappingKey = wrappingKeyOf(keyMaterial);
    this.#previousWrappingKeys = (options.previous ?? []).map(wrappingKeyOf);
    if (options.blindIndexRoot && options.blindIndexRoot.length !== KEY_BYTES) throw new Error(`The blind-index root must be ${KEY_BYTES} bytes`);
    this.#blindIndexRoot = options.blindIndexRoot ?? blindIndexRootOf(keyMaterial);
  }

  /** Replaces the wrapping keys (a rotation seen in the key file); the blind-index root stays. */
  replaceWrappingKeys(keyMaterial: Uint8Array, previous: readonly Uint8Array[]): void {
    this.#wrappingKey = wrappingKeyOf(keyMaterial);
    this.#previousWrappingKeys = previous.map(wrappingKeyOf);
  }

  /** Seals a secret (a household data key, a community's log key) for storage, under the current key. */
  seal(secret: Uint8Array, associatedData: string): Uint8Array {
    this.refresh?.(false);
    return sealBytes(this.#wrappingKey, secret, associatedData);
  }

  open(sealed: Uint8Array, associatedData: string): Uint8Array {
    try {
      return this.#openWithRing(sealed, associatedData);
    } catch (error) {
      if (!(error instanceof DecryptionError) || !this.refresh?.(true)) throw error;
      return this.#openWithRing(sealed, associatedData);
    }
  }

  /** Whether the sealed secret opens under the current key alone (a rotation's check). */
  isSealedUnderCurrent(sealed: Uint8Array, associatedData: string): boolean {
    try {
      openBytes(this.#wrappingKey, sealed, associatedData);
      return true;
    } catch (error) {
      if (error instanceof DecryptionError) return false;
      throw error;
    }
  }

  /** The blind-index key of one community, so equal values in two communities index differently. */
  blindIndexKey(communityId: string): Uint8Array {
    return hkdf(sha256, this.#blindIndexRoot, undefined, encoder.encode(`community/${communityId}`), KEY_BYTES);
  }

  #openWithRing(sealed: Uint8Array, associatedData: string): Uint8Array {
    let failure: unknown;
    for (const key of [this.#wrappingKey, ...this.#previousWrappingKeys]) {
      try {
        return openBytes(key, sealed, associatedData);
      } catch (error) {
        failure = error;
      }
    }
    throw failure;
  }
}

function wrappingKeyOf(keyMaterial: Uint8Array): Uint8Array {
  if (keyMaterial.length !== KEY_BYTES) throw new Error(`The master key must be ${KEY_BYTES} bytes`);
  return hkdf(sha256, keyMaterial, undefined, encoder.encode('courtyard/key-wrapping/v1'), KEY_BYTES);
}

/** The blind-index root a master key derives, kept on its own once that key rotates. */
export function blindIndexRootOf(keyMaterial: Uint8Array): Uint8Array {
  if (keyMaterial.length !== KEY_BYTES) throw new Error(`The master key must be ${KEY_BYTES} bytes`);
  return hkdf(sha256, keyMaterial, undefined, encoder.encode('courtyard/blind-index/v1'), KEY_BYTES);
}

export function newDataKey(): Uint8Array {
  return randomBytes(KEY_BYTES);
}
