/**
 * Shared fixtures for the zk tests: the committed artifacts, a census with one known
 * member, and proofs made once per test file (a proof costs about a second).
 */
import { loadMembershipArtifacts } from '../../../src/zk/artifacts-node.ts';
import type { MembershipArtifacts } from '../../../src/zk/artifacts-node.ts';
import { createIdentity, membershipLeaf } from '../../../src/zk/identity.ts';
import type { Identity } from '../../../src/zk/identity.ts';
import { PoseidonMerkleTree } from '../../../src/zk/merkle-tree.ts';
import type { MerkleProof } from '../../../src/zk/merkle-tree.ts';
import { proveMembership } from '../../../src/zk/prover.ts';
import type { MembershipProof } from '../../../src/zk/prover.ts';

export interface CensusFixture {
  artifacts: MembershipArtifacts;
  identity: Identity;
  attribute: bigint;
  memberIndex: number;
  tree: PoseidonMerkleTree;
  merkleProof: MerkleProof;
  prove(scope: bigint, message: bigint): Promise<MembershipProof>;
}

/** A census of `size` members (filler leaves) with one real identity at `memberIndex`. */
export async function createCensusFixture(size = 64, memberIndex = 37, attribute = 12_345n): Promise<CensusFixture> {
  const artifacts = await loadMembershipArtifacts();
  const identity = await createIdentity();
  const leaves = Array.from({ length: size }, (_, index) => BigInt(index + 1_000));
  leaves[memberIndex] = await membershipLeaf(identity.commitment, attribute);
  const tree = await PoseidonMerkleTree.build(leaves);
  const merkleProof = await tree.proof(memberIndex);
  return {
    artifacts, identity, attribute, memberIndex, tree, merkleProof,
    prove: (scope, message) => proveMembership(artifacts, { secret: identity.secret, merkleProof, attribute, scope, message }),
  };
}

/** A deep copy, so a test can edit a proof without touching the shared one. */
export function copy<T>(value: T): T {
  return structuredClone(value);
}
