/**
 * The device's own path in a census tree, rebuilt from the census's public leaves: the
 * server never learns which leaf is asking. A proposal pins a snapshot (root, depth,
 * size) when it opens; the first `size` leaves rebuild it, and the rebuilt root must be
 * the pinned one before any proving starts.
 */
import { membershipLeaf, type Identity } from '../zk/identity.ts';
import { preparePoseidon } from '../zk/poseidon.ts';
import { PoseidonMerkleTree, type MerkleProof } from '../zk/merkle-tree.ts';
import { CensusParticipationError } from './participation-error.ts';

/** A census leaf as the `census { leaves }` query returns it. */
export interface PublicCensusLeaf {
  leafIndex: number;
  identityCommitment: string;
  weight: string;
  active: boolean;
}

/** The tree a proof must be made against: a proposal's snapshot, or the census now. */
export interface PinnedCensusTree {
  root: string;
  depth: number;
  size: number;
}

export interface CensusPath {
  merkleProof: MerkleProof;
  /** The leaf's weight: the attribute the proof reveals. */
  weight: bigint;
}

export async function censusPathFor(
  identity: Identity,
  leaves: readonly PublicCensusLeaf[],
  pinned: PinnedCensusTree,
): Promise<CensusPath> {
  const ordered = [...leaves].filter((leaf) => leaf.leafIndex < pinned.size).sort((a, b) => a.leafIndex - b.leafIndex);
  if (ordered.length !== pinned.size || ordered.some((leaf, index) => leaf.leafIndex !== index)) {
    throw new CensusParticipationError(
      'CENSUS_INCOMPLETE',
      `Failed to rebuild the census: expected leaves 0 to ${pinned.size - 1}`,
    );
  }
  const commitment = String(identity.commitment);
  const own = ordered.find((leaf) => leaf.identityCommitment === commitment && leaf.active);
  if (!own)
    throw new CensusParticipationError('NOT_IN_CENSUS', 'Failed to prove: this identity is not a member of the census');
  // One hash per leaf, then about one per node above: for a large census the faster
  // Poseidon is built first (src/zk/poseidon.ts), for a small one the build would cost more.
  await preparePoseidon(2 * ordered.length + pinned.depth);
  // A removed leaf is zero in the tree (src/census/census-tree-service.ts).
  const values = await Promise.all(
    ordered.map((leaf) => (leaf.active ? membershipLeaf(BigInt(leaf.identityCommitment), BigInt(leaf.weight)) : 0n)),
  );
  const tree = await PoseidonMerkleTree.build(values, pinned.depth);
  const merkleProof = await tree.proof(own.leafIndex);
  if (String(merkleProof.root) !== pinned.root) {
    throw new CensusParticipationError(
      'ROOT_NOT_PINNED',
      'Failed to rebuild the census: the leaves do not give the pinned root (a member was removed since it was pinned)',
    );
  }
  return { merkleProof, weight: BigInt(own.weight) };
}
