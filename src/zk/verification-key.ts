/**
 * The identity of a verification key: sha256 over the canonical JSON (RFC 8785) of the
 * fields that define it. This is what the ledger records when a key is activated.
 * Labels such as `insecure` and derived fields such as `vk_alphabeta_12` are left out,
 * so the same key hashes the same however it was exported or annotated.
 */
import { sha256 } from '@noble/hashes/sha2.js';
import { bytesToHex, utf8ToBytes } from '@noble/hashes/utils.js';
import canonicalize from 'canonicalize';
import type { Groth16VerificationKeyJson } from 'snarkjs';

export const VERIFICATION_KEY_FIELDS = ['protocol', 'curve', 'nPublic', 'vk_alpha_1', 'vk_beta_2', 'vk_gamma_2', 'vk_delta_2', 'IC'] as const;

/** A verification key as Courtyard stores it: snarkjs's JSON plus the insecure label. */
export interface LabelledVerificationKey extends Groth16VerificationKeyJson {
  /** True for a key from the one-command development setup: anyone may know its toxic waste. */
  insecure?: boolean;
}

export function verificationKeyHash(verificationKey: Groth16VerificationKeyJson): string {
  const fields: Record<string, unknown> = {};
  for (const field of VERIFICATION_KEY_FIELDS) {
    if (verificationKey[field] === undefined) throw new RangeError(`Invalid verification key: ${field} is missing`);
    fields[field] = verificationKey[field];
  }
  const canonical = canonicalize(fields);
  if (canonical === undefined) throw new RangeError('Invalid verification key: cannot be canonicalised');
  return bytesToHex(sha256(utf8ToBytes(canonical)));
}
