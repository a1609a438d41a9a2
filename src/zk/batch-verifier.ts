/**
 * Batch verification of many Groth16 proofs (a tally, an audit) by random linear
 * combination. Each proof i must satisfy
 *
 *   e(A_i, B_i) = e(alpha, beta) · e(L_i, gamma) · e(C_i, delta),
 *   L_i = IC_0 + sum_j s_ij · IC_j   (s_ij: the public signals).
 *
 * With independent random 128-bit scalars r_i, the product over i of these equations,
 * each raised to r_i, is one multi-pairing with n + 3 Miller loops and one final
 * exponentiation instead of 4n of each:
 *
 *   prod e(-r_i A_i, B_i) · e((sum r_i) alpha, beta) · e(sum r_i L_i, gamma) · e(sum r_i C_i, delta) = 1,
 *
 * where sum r_i L_i = (sum r_i) IC_0 + sum_j (sum_i r_i s_ij) IC_j costs one small
 * multi-exponentiation. A batch with an invalid proof passes with probability at most
 * about 2^-128. When the batch fails, every proof is verified on its own to find the
 * bad ones. Cheap checks (./verifier.ts) run first for each proof, including the depth
 * check: with a key that names its depth and roots that name theirs, a proof whose root
 * is known at another depth is refused with DEPTH_MISMATCH and takes no part in the
 * multi-pairing.
 */
import { ProofRejectedError } from './errors.ts';
import type { MembershipPublicSignals } from './membership-signals.ts';
import { batchPairingHolds, pairingHolds } from './pairing.ts';
import { bareKey, checkMembershipProof, rootList } from './verifier.ts';
import type { CheckedProof, MembershipExpectations, MembershipKeyInput } from './verifier.ts';

export { batchPairingHolds } from './pairing.ts';

/** Most proofs in one multi-pairing; larger lists are verified in chunks of this size. */
export const MAX_BATCH_SIZE = 1024;

export interface BatchProofItem {
  proof: unknown;
  publicSignals: unknown;
}

export type BatchVerificationResult =
  | { valid: true; signals: MembershipPublicSignals }
  | { valid: false; error: ProofRejectedError };

/**
 * Verifies every item against the same expectations (one root set, one scope) and
 * returns one result per item, in order. Duplicate nullifiers within the batch are not
 * judged here: which ballot counts is the caller's rule.
 */
export async function verifyMembershipBatch(
  key: MembershipKeyInput,
  items: readonly BatchProofItem[],
  expectations: MembershipExpectations,
): Promise<BatchVerificationResult[]> {
  // Every proof is checked against the same roots: read them once (they may be a one-shot iterator).
  const shared = { ...expectations, roots: rootList(expectations.roots) };
  const results: BatchVerificationResult[] = [];
  for (let start = 0; start < items.length; start += MAX_BATCH_SIZE) {
    results.push(...(await verifyChunk(key, items.slice(start, start + MAX_BATCH_SIZE), shared)));
  }
  return results;
}

async function verifyChunk(
  key: MembershipKeyInput,
  items: readonly BatchProofItem[],
  expectations: MembershipExpectations,
): Promise<BatchVerificationResult[]> {
  const verificationKey = bareKey(key);
  const results: Array<BatchVerificationResult | undefined> = [];
  const checked: Array<{ position: number; proof: CheckedProof }> = [];
  for (const [position, item] of items.entries()) {
    try {
      checked.push({ position, proof: await checkMembershipProof(key, item.proof, item.publicSignals, expectations) });
      results.push(undefined);
    } catch (error) {
      if (!(error instanceof ProofRejectedError)) throw error;
      results.push({ valid: false, error });
    }
  }
  const proofs = checked.map((entry) => entry.proof);
  const batchHolds = proofs.length > 0 && (await batchPairingHolds(verificationKey, proofs));
  for (const { position, proof } of checked) {
    const holds = batchHolds || (await pairingHolds(verificationKey, proof));
    results[position] = holds
      ? { valid: true, signals: proof.signals }
      : { valid: false, error: new ProofRejectedError('INVALID_PROOF', 'the proof does not verify against the verification key') };
  }
  return results as BatchVerificationResult[];
}
