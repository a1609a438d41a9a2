/**
 * The device's side of a fee proof: rebuild the period's paid set from its public leaves
 * (`feePaidSet.leaves`, all of them) and take the household's own path, so the server
 * never learns which leaf is interested — then prove with the challenge's scope and
 * message (docs/fee-proofs.md).
 */
import { ZkInputError } from '../zk/errors.ts';
import type { Identity } from '../zk/identity.ts';
import { membershipLeaf } from '../zk/identity.ts';
import { preparePoseidon } from '../zk/poseidon.ts';
import { PoseidonMerkleTree, type MerkleProof } from '../zk/merkle-tree.ts';

/** One leaf of `feePaidSet.leaves`, as JSON. */
export interface PaidSetLeafJson {
  leafIndex: number;
  identityCommitment: string;
  active: boolean;
}

/**
 * The identity's path in the paid set rebuilt from every leaf, checked against the root
 * the server published. INVALID_INPUT when the household is not in the set (not paid in
 * full) or the leaves do not rebuild `root`.
 */
export async function paidSetPath(
  identity: Identity,
  paidSet: { depth: number; root: string; periodNumber: number; leaves: readonly PaidSetLeafJson[] },
): Promise<MerkleProof> {
  const size = paidSet.leaves.reduce((largest, leaf) => Math.max(largest, leaf.leafIndex + 1), 0);
  const values = new Array<bigint>(size).fill(0n);
  let own: number | undefined;
  // A leaf hash per member and a tree above them: as censusPathFor, the faster Poseidon for a large set.
  await preparePoseidon(2 * size + paidSet.depth);
  for (const leaf of paidSet.leaves) {
    if (!leaf.active) continue;
    values[leaf.leafIndex] = await membershipLeaf(BigInt(leaf.identityCommitment), BigInt(paidSet.periodNumber));
    if (leaf.identityCommitment === identity.commitment.toString()) own = leaf.leafIndex;
  }
  if (own === undefined)
    throw new ZkInputError(
      'INVALID_INPUT',
      'Invalid paid set: this identity has no active leaf in it (the period is not paid in full)',
    );
  const tree = await PoseidonMerkleTree.build(values, paidSet.depth);
  if ((await tree.root()).toString() !== paidSet.root)
    throw new ZkInputError('INVALID_INPUT', 'Invalid paid set: the leaves do not rebuild its root');
  return tree.proof(own);
}
