/**
 * Proves census membership on the resident's device: the witness is built and checked
 * locally, then snarkjs proves with the artifacts the server served. Nothing about the
 * identity is sent anywhere; the caller submits only the proof and its public signals.
 *
 * A census proof is proved at its own depth: fetch the artifacts with
 * `fetchProvingArtifacts({ depth: censusProofDepth(censusProof) })`. Artifacts of another
 * depth are refused here (DEPTH_MISMATCH) rather than lifting the path to a root the
 * census never had. (Artifacts given as bare `{ wasm, zkey }` name no depth; they are
 * taken as depth 20 and a shallower path is lifted, as before depths existed.)
 */
import { ZkInputError } from '../zk/errors.ts';
import { proveMembership } from '../zk/prover.ts';
import type { MembershipProof, ProvingArtifacts, ProvingTimings } from '../zk/prover.ts';
import { toMerkleProof } from './census-proof.ts';
import type { CensusMerkleProofJson, CensusWitnessRequest } from './census-proof.ts';
import type { MerkleProof } from '../zk/merkle-tree.ts';

/**
 * The depth of the census tree a proof comes from: the `depth` the API names, which must
 * be its number of siblings (one per level).
 */
export function censusProofDepth(censusProof: CensusMerkleProofJson | MerkleProof): number {
  const named = (censusProof as { depth?: unknown }).depth;
  if (named !== undefined && named !== censusProof.siblings.length) {
    throw new ZkInputError(
      'INVALID_INPUT',
      `Invalid census proof: depth ${String(named)} is not the number of siblings (${censusProof.siblings.length})`,
    );
  }
  return censusProof.siblings.length;
}

export function proveCensusMembership(
  artifacts: ProvingArtifacts,
  request: CensusWitnessRequest,
  timings?: ProvingTimings,
): Promise<MembershipProof> {
  const merkleProof = toMerkleProof(request.censusProof);
  const depth = censusProofDepth(merkleProof);
  if (artifacts.depth !== undefined && artifacts.depth !== depth) {
    return Promise.reject(
      new ZkInputError(
        'DEPTH_MISMATCH',
        `Invalid artifacts: the census proof is from a depth-${depth} tree, the artifacts prove depth ${artifacts.depth}; fetch the artifacts of depth ${depth}`,
      ),
    );
  }
  return proveMembership(
    artifacts,
    {
      secret: request.identity.secret,
      merkleProof,
      attribute: request.attribute,
      scope: request.scope,
      message: request.message,
    },
    timings,
  );
}
