/**
 * Proves census membership on the resident's device: the witness is built and checked
 * locally, then snarkjs proves with the artifacts the server served. Nothing about the
 * identity is sent anywhere; the caller submits only the proof and its public signals.
 */
import { proveMembership } from '../zk/prover.ts';
import type { MembershipProof, ProvingArtifacts } from '../zk/prover.ts';
import { toMerkleProof } from './census-proof.ts';
import type { CensusWitnessRequest } from './census-proof.ts';

export function proveCensusMembership(
  artifacts: ProvingArtifacts,
  request: CensusWitnessRequest,
): Promise<MembershipProof> {
  return proveMembership(artifacts, {
    secret: request.identity.secret,
    merkleProof: toMerkleProof(request.censusProof),
    attribute: request.attribute,
    scope: request.scope,
    message: request.message,
  });
}
