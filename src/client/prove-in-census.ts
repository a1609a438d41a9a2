/**
 * One proof of census membership from the census's public leaves: rebuild the pinned
 * tree, find the device's leaf, prove with its weight as the attribute. Ballots,
 * suggestions and (when they land) ratings and fee proofs differ only in scope and
 * message, so each is a thin function over this one. It is also what the portal's Web
 * Worker runs (src/client/portal/prover-worker.ts).
 */
import type { Identity } from '../zk/identity.ts';
import type { MembershipProof, ProvingArtifacts } from '../zk/prover.ts';
import { censusPathFor, type PinnedCensusTree, type PublicCensusLeaf } from './census-snapshot-path.ts';
import { proveCensusMembership } from './prove.ts';

export interface CensusProofRequest {
  identity: Identity;
  leaves: readonly PublicCensusLeaf[];
  pinned: PinnedCensusTree;
  scope: bigint;
  message: bigint;
}

export interface SubmittableProof extends MembershipProof {
  /** `{"proof": …, "publicSignals": […]}`, the text the API's `proof` arguments take. */
  json: string;
  nullifier: string;
}

export async function proveInCensus(
  artifacts: ProvingArtifacts,
  request: CensusProofRequest,
): Promise<SubmittableProof> {
  const { merkleProof, weight } = await censusPathFor(request.identity, request.leaves, request.pinned);
  const proved = await proveCensusMembership(artifacts, {
    identity: request.identity,
    censusProof: merkleProof,
    attribute: weight,
    scope: request.scope,
    message: request.message,
  });
  return { ...proved, json: JSON.stringify(proved), nullifier: proved.publicSignals[0]! };
}
