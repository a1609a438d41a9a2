/**
 * The proof check shared by every anonymous action that is bound to one known census root
 * (a ballot's pinned snapshot, a rating's recent households root): the strict cheap
 * checks of src/zk (signals, root, scope, message), then the curve points and the pairing through
 * the BallotVerifier — queued into a batch, or one by one in `single` mode through the
 * census's own check. Rejections are MembershipProofRejectedErrors with the verifier's
 * code; nothing is written.
 */
import type { SqlEntityManager } from '../db/orm.ts';
import { MembershipProofRejectedError } from '../census/census-errors.ts';
import type { CensusTreeName } from '../census/census.entity.ts';
import { verifyCommunityMembershipProof } from '../census/membership-proof.ts';
import { findActiveVerificationKey, verificationKeyOf } from '../census/verification-keys.ts';
import { ProofRejectedError } from '../zk/errors.ts';
import type { KnownRoot } from '../zk/membership-key.ts';
import { checkMembershipSignals } from '../zk/verifier.ts';
import type { BallotVerifier } from './ballot-verifier.ts';
import type { BallotKey } from './ballot-check-cache.ts';

export interface RootBoundProof {
  communityId: string;
  kind: CensusTreeName;
  /** The root the proof must be for, with the depth it was recorded at. */
  root: KnownRoot;
  proof: unknown;
  publicSignals: unknown;
  scope: bigint;
  message: bigint;
  /** The active key of the root's depth when the caller already read it (null: none); read here otherwise. */
  key?: BallotKey | null;
}

/** The proof's nullifier and attribute once every check passed, with the hash of the key it was checked against. */
export async function verifyRootBoundProof(
  em: SqlEntityManager,
  verifier: BallotVerifier,
  input: RootBoundProof,
): Promise<{ nullifier: bigint; attribute: bigint; keyHash: string }> {
  if (verifier.mode === 'single') {
    const verified = await verifyCommunityMembershipProof(em, {
      communityId: input.communityId,
      kind: input.kind,
      proof: input.proof,
      publicSignals: input.publicSignals,
      expectedScope: input.scope,
      expectedMessage: input.message,
      pinnedRoot: input.root,
    });
    return { nullifier: verified.nullifier, attribute: verified.attribute, keyHash: verified.verificationKeyHash };
  }
  // The key of the root's depth: a proof made at another depth fails its pairing.
  const key: BallotKey | null =
    input.key !== undefined ? input.key : await findActiveVerificationKey(em, input.communityId, input.root.depth).then((row) =>
      row ? { keyHash: row.keyHash, verificationKey: verificationKeyOf(row) } : null);
  try {
    if (!key)
      throw new ProofRejectedError(
        'NO_KEY_FOR_DEPTH',
        `no verification key for depth ${input.root.depth}, the depth of the census root`,
      );
    const checked = checkMembershipSignals(key.verificationKey, input.proof, input.publicSignals, {
      roots: [input.root.root],
      scope: input.scope,
      message: input.message,
    });
    // The curve points and the pairing: in the verifier's batch (its worker thread, by default).
    if (!(await verifier.verify(key.keyHash, key.verificationKey, checked))) {
      throw new ProofRejectedError('INVALID_PROOF', 'the proof does not verify against the verification key');
    }
    return { nullifier: checked.signals.nullifier, attribute: checked.signals.attribute, keyHash: key.keyHash };
  } catch (error) {
    if (error instanceof ProofRejectedError) throw new MembershipProofRejectedError(error.code, error.message);
    throw error;
  }
}
