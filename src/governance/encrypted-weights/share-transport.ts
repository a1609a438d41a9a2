/**
 * How a dealer's share reaches its recipient through a public channel (the ledger):
 * each trustee publishes a fresh transport key T = t · G in round 1; the dealer and the
 * recipient share S = t_dealer · T_recipient = t_recipient · T_dealer, derive
 *
 *   key = HKDF-SHA256(ikm = I2OSP(S.x, 32) ‖ I2OSP(S.y, 32), salt = empty, info, 32 bytes)
 *   info = "courtyard/encrypted-weights/v1/dkg-share" ‖ I2OSP(len(electionId), 4) ‖ electionId ‖ I2OSP(dealer, 1) ‖ I2OSP(recipient, 1)
 *
 * and seal the 32-byte big-endian share with XChaCha20-Poly1305 (random 24-byte nonce,
 * info as associated data). A recipient who complains reveals S with a proof that it is
 * the right one (complaints in election-key.ts), so anyone can open the share and judge.
 */
import { xchacha20poly1305 } from '@noble/ciphers/chacha.js';
import { bytesToHex, hexToBytes } from '@noble/ciphers/utils.js';
import { bytesToNumberBE, numberToBytesBE } from '@noble/curves/utils.js';
import { hkdf } from '@noble/hashes/hkdf.js';
import { sha256 } from '@noble/hashes/sha2.js';
import { concatBytes } from '@noble/hashes/utils.js';
import type { CurvePoint } from './baby-jubjub.ts';

const INFO_PREFIX = 'courtyard/encrypted-weights/v1/dkg-share';
const NONCE_BYTES = 24;
/** 32 bytes of share and 16 of tag. */
export const SEALED_SHARE_BYTES = 48;

export interface SealedShare {
  /** 24 bytes, lower-case hex. */
  nonce: string;
  /** 48 bytes, lower-case hex. */
  ciphertext: string;
}

function channelInfo(electionId: string, dealer: number, recipient: number): Uint8Array {
  const id = new TextEncoder().encode(electionId);
  return concatBytes(new TextEncoder().encode(INFO_PREFIX), numberToBytesBE(id.length, 4), id, Uint8Array.of(dealer), Uint8Array.of(recipient));
}

function channelKey(sharedPoint: CurvePoint, info: Uint8Array): Uint8Array {
  const { x, y } = sharedPoint.toAffine();
  return hkdf(sha256, concatBytes(numberToBytesBE(x, 32), numberToBytesBE(y, 32)), undefined, info, 32);
}

export function sealShare(share: bigint, sharedPoint: CurvePoint, electionId: string, dealer: number, recipient: number): SealedShare {
  const info = channelInfo(electionId, dealer, recipient);
  const nonce = crypto.getRandomValues(new Uint8Array(NONCE_BYTES));
  const ciphertext = xchacha20poly1305(channelKey(sharedPoint, info), nonce, info).encrypt(numberToBytesBE(share, 32));
  return { nonce: bytesToHex(nonce), ciphertext: bytesToHex(ciphertext) };
}

/** The share, or null when the message does not open (wrong key, tampered, malformed). */
export function openShare(sealed: SealedShare, sharedPoint: CurvePoint, electionId: string, dealer: number, recipient: number): bigint | null {
  if (!/^[0-9a-f]{48}$/.test(sealed.nonce) || !/^[0-9a-f]{96}$/.test(sealed.ciphertext)) return null;
  const info = channelInfo(electionId, dealer, recipient);
  try {
    return bytesToNumberBE(xchacha20poly1305(channelKey(sharedPoint, info), hexToBytes(sealed.nonce), info).decrypt(hexToBytes(sealed.ciphertext)));
  } catch {
    return null;
  }
}
