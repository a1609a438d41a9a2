import { buildPoseidon } from 'circomlibjs';
import { ZkInputError } from '../../src/zk/errors.ts';
import {
  MemoryNodeStore, PoseidonMerkleTree, extendMerkleProof, verifyMerkleProof, zeroHashes,
} from '../../src/zk/merkle-tree.ts';

// The reference: every level materialised as a full array of 2^(depth - level) nodes,
// rebuilt from scratch with circomlibjs directly, sharing no code with the tree.
let hash2: (left: bigint, right: bigint) => bigint;
beforeAll(async () => {
  const poseidon = await buildPoseidon();
  hash2 = (left, right) => poseidon.F.toObject(poseidon([left, right]));
});

function naiveLevels(leaves: readonly bigint[], depth: number): bigint[][] {
  const levels = [Array.from({ length: 2 ** depth }, (_, index) => leaves[index] ?? 0n)];
  for (let level = 0; level < depth; level++) {
    const below = levels[level]!;
    levels.push(Array.from({ length: below.length / 2 }, (_, index) => hash2(below[2 * index]!, below[2 * index + 1]!)));
  }
  return levels;
}

const naiveRoot = (leaves: readonly bigint[], depth: number) => naiveLevels(leaves, depth)[depth]![0]!;

describe('Poseidon Merkle tree', () => {
  it('has the naive root after every insertion', async () => {
    const tree = await PoseidonMerkleTree.open(5);
    const leaves: bigint[] = [];
    expect(await tree.root()).toBe(naiveRoot(leaves, 5));
    for (let count = 1; count <= 13; count++) {
      const leaf = BigInt(count * 7919);
      expect(await tree.insert(leaf)).toBe(count - 1);
      leaves.push(leaf);
      expect(await tree.root()).toBe(naiveRoot(leaves, 5));
    }
  });

  it('has the naive root after updates and removals, and never reuses a removed index', async () => {
    const leaves = [11n, 22n, 33n, 44n, 55n, 66n];
    const tree = await PoseidonMerkleTree.build(leaves, 4);
    await tree.update(2, 99n);
    leaves[2] = 99n;
    expect(await tree.root()).toBe(naiveRoot(leaves, 4));
    await tree.remove(4);
    leaves[4] = 0n;
    expect(await tree.root()).toBe(naiveRoot(leaves, 4));
    expect(await tree.insert(77n)).toBe(6);
    leaves.push(77n);
    expect(await tree.root()).toBe(naiveRoot(leaves, 4));
  });

  it('builds in bulk the same tree as one insertion at a time, at the default depth 20', async () => {
    const leaves = Array.from({ length: 300 }, (_, index) => BigInt(index) * 1_000_003n + 5n);
    const bulk = await PoseidonMerkleTree.build(leaves);
    const incremental = await PoseidonMerkleTree.open();
    for (const leaf of leaves) await incremental.insert(leaf);
    expect(bulk.depth).toBe(20);
    expect(await bulk.root()).toBe(await incremental.root());
    expect(await bulk.proof(299)).toEqual(await incremental.proof(299));
  });

  it('gives proofs whose siblings and bits match the naive levels and that verify', async () => {
    const leaves = Array.from({ length: 11 }, (_, index) => BigInt(index + 1));
    const tree = await PoseidonMerkleTree.build(leaves, 4);
    const levels = naiveLevels(leaves, 4);
    for (const index of [0, 5, 10]) {
      const proof = await tree.proof(index);
      expect(proof.leaf).toBe(leaves[index]);
      expect(proof.siblings).toEqual([0, 1, 2, 3].map((level) => levels[level]![(index >> level) ^ 1]));
      expect(proof.pathIndices).toEqual([0, 1, 2, 3].map((level) => (index >> level) & 1));
      expect(await verifyMerkleProof(proof)).toBe(true);
    }
  });

  it('rejects a proof with an edited sibling, leaf or path bit', async () => {
    const tree = await PoseidonMerkleTree.build([1n, 2n, 3n], 3);
    const proof = await tree.proof(1);
    expect(await verifyMerkleProof({ ...proof, leaf: 9n })).toBe(false);
    expect(await verifyMerkleProof({ ...proof, siblings: [proof.siblings[0]! + 1n, ...proof.siblings.slice(1)] })).toBe(false);
    expect(await verifyMerkleProof({ ...proof, pathIndices: [0, 0, 0] })).toBe(false);
    expect(await verifyMerkleProof({ ...proof, pathIndices: [2, 0, 0] })).toBe(false);
  });

  it('defines a shallower tree as the leftmost subtree of the deeper one', async () => {
    const leaves = [5n, 6n, 7n];
    const shallow = await PoseidonMerkleTree.build(leaves, 3);
    const deep = await PoseidonMerkleTree.build(leaves, 8);
    const lifted = await extendMerkleProof(await shallow.proof(2), 8);
    expect(lifted).toEqual(await deep.proof(2));
    expect(lifted.root).toBe(naiveRoot(leaves, 8));
  });

  it('grows in place to a deeper tree of the same leaves, writing only the nodes above the old root', async () => {
    const leaves = [5n, 6n, 7n, 8n];
    const store = new MemoryNodeStore();
    const shallow = await PoseidonMerkleTree.build(leaves, 2, store);
    const oldRoot = await shallow.root();
    const nodesBefore = store.snapshot(2).nodes.length;
    const grown = await shallow.grow(6);
    expect(grown.depth).toBe(6);
    expect(store.snapshot(6).nodes.length).toBe(nodesBefore + 4);
    expect(await grown.root()).toBe(naiveRoot(leaves, 6));
    expect(await shallow.root()).toBe(oldRoot);
    expect(await grown.proof(3)).toEqual(await extendMerkleProof(await shallow.proof(3), 6));
    // The full depth-2 tree takes its fifth member only once grown.
    await expect(shallow.insert(9n)).rejects.toMatchObject({ code: 'TREE_FULL' });
    await grown.insert(9n);
    expect(await grown.root()).toBe(naiveRoot([...leaves, 9n], 6));
    await expect(grown.grow(6)).rejects.toMatchObject({ code: 'DEPTH_MISMATCH' });
    await expect(grown.grow(33)).rejects.toMatchObject({ code: 'INVALID_INPUT' });
  });

  it('starts from the zero hashes: empty leaf 0, each level the hash of two of the level below', async () => {
    const zeros = await zeroHashes(4);
    expect(zeros[0]).toBe(0n);
    for (let level = 0; level < 4; level++) expect(zeros[level + 1]).toBe(hash2(zeros[level]!, zeros[level]!));
    expect(await (await PoseidonMerkleTree.open(4)).root()).toBe(zeros[4]);
  });

  it('restores from a snapshot of its nodes with the same root and proofs', async () => {
    const store = new MemoryNodeStore();
    const tree = await PoseidonMerkleTree.build([3n, 1n, 4n, 1n, 5n], 6, store);
    await tree.update(1, 9n);
    const snapshot = JSON.parse(JSON.stringify(store.snapshot(6)));
    const restored = await PoseidonMerkleTree.open(6, MemoryNodeStore.fromSnapshot(snapshot));
    expect(await restored.root()).toBe(await tree.root());
    expect(await restored.size()).toBe(5);
    expect(await restored.proof(4)).toEqual(await tree.proof(4));
  });

  it('refuses a leaf beyond its capacity, an index never used, a leaf outside the field and a bad depth', async () => {
    const tree = await PoseidonMerkleTree.build([1n, 2n, 3n, 4n], 2);
    await expect(tree.insert(5n)).rejects.toMatchObject({ code: 'TREE_FULL' });
    await expect(tree.proof(4)).rejects.toMatchObject({ code: 'LEAF_INDEX_OUT_OF_RANGE' });
    await expect(tree.update(-1, 1n)).rejects.toBeInstanceOf(ZkInputError);
    await expect(tree.update(0, 2n ** 254n)).rejects.toThrow(/Invalid leaf/);
    await expect(PoseidonMerkleTree.open(0)).rejects.toMatchObject({ code: 'INVALID_INPUT' });
    await expect(PoseidonMerkleTree.open(33)).rejects.toMatchObject({ code: 'INVALID_INPUT' });
    await expect(PoseidonMerkleTree.build([1n, 2n, 3n, 4n, 5n], 2)).rejects.toMatchObject({ code: 'TREE_FULL' });
  });
});
