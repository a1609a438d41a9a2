import { describe, expect, test } from '@jest/globals';
import { EMPTY_TREE_ROOT, fromHex, leafHash, nodeHash, toHex } from '../../src/ledger/merkle-hash.ts';
import {
  appendToFrontier,
  buildConsistencyProof,
  buildInclusionProof,
  MemoryNodeSource,
  rootFromFrontier,
  treeRoot,
} from '../../src/ledger/merkle-tree.ts';
import { verifyConsistency, verifyInclusion } from '../../src/ledger/proof-verifier.ts';

// The eight leaves of the RFC 6962 reference test tree used by certificate-transparency
// (C++ merkletree tests) and certificate-transparency-go `merkle` tests.
const CT_LEAVES = ['', '00', '10', '2021', '3031', '40414243', '5051525354555657', '606162636465666768696a6b6c6d6e6f'];
const CT_ROOTS = [
  '6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d',
  'fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125',
  'aeb6bcfe274b70a14fb067a5e5578264db0fa9b51af5e0ba159158f329e06e77',
  'd37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7',
  '4e3bbb1f7b478dcfe71fb631631519a3bca12c9aefca1612bfce4c13a86264d4',
  '76e67dadbcdf1e10e1b74ddc608abd2f98dfb16fbce75277b5232a127f2087ef',
  'ddb89be403809e325750d3d263cd78929c2942b7942a34b77e122c9594a74c8c',
  '5dc9da79a70659a9ad559cb701ded9a2ab9d823aad2f4960cfe370eff4604328',
];
// [leaf index (0-based), tree size, proof]
const CT_INCLUSION: Array<[number, number, string[]]> = [
  [0, 1, []],
  [0, 8, [
    '96a296d224f285c67bee93c30f8a309157f0daa35dc5b87e410b78630a09cfc7',
    '5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e',
    '6b47aaf29ee3c2af9af889bc1fb9254dabd31177f16232dd6aab035ca39bf6e4',
  ]],
  [5, 8, [
    'bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b',
    'ca854ea128ed050b41b35ffc1b87b8eb2bde461e9e3b5596ece6b9d5975a0ae0',
    'd37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7',
  ]],
  [2, 3, ['fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125']],
  [1, 5, [
    '6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d',
    '5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e',
    'bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b',
  ]],
];
// [old size, new size, proof]
const CT_CONSISTENCY: Array<[number, number, string[]]> = [
  [1, 1, []],
  [1, 8, [
    '96a296d224f285c67bee93c30f8a309157f0daa35dc5b87e410b78630a09cfc7',
    '5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e',
    '6b47aaf29ee3c2af9af889bc1fb9254dabd31177f16232dd6aab035ca39bf6e4',
  ]],
  [6, 8, [
    '0ebc5d3437fbe2db158b9f126a1d118e308181031d0a949f8dededebc558ef6a',
    'ca854ea128ed050b41b35ffc1b87b8eb2bde461e9e3b5596ece6b9d5975a0ae0',
    'd37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7',
  ]],
  [2, 5, [
    '5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e',
    'bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b',
  ]],
];

const ctLeafHashes = CT_LEAVES.map((hex) => leafHash(fromHex(hex)));

// A deliberately naive reference: RFC 9162 §2.1.1, §2.1.3.1 and §2.1.4.1 transcribed
// over arrays of leaf hashes, sharing nothing with the production prover.
function referenceSplit(n: number): number {
  let k = 1;
  while (k * 2 < n) k *= 2;
  return k;
}
function referenceRoot(leaves: Uint8Array[]): Uint8Array {
  if (leaves.length === 0) return EMPTY_TREE_ROOT;
  if (leaves.length === 1) return leaves[0]!;
  const k = referenceSplit(leaves.length);
  return nodeHash(referenceRoot(leaves.slice(0, k)), referenceRoot(leaves.slice(k)));
}
function referencePath(m: number, leaves: Uint8Array[]): Uint8Array[] {
  if (leaves.length === 1) return [];
  const k = referenceSplit(leaves.length);
  if (m < k) return [...referencePath(m, leaves.slice(0, k)), referenceRoot(leaves.slice(k))];
  return [...referencePath(m - k, leaves.slice(k)), referenceRoot(leaves.slice(0, k))];
}
function referenceSubproof(m: number, leaves: Uint8Array[], whole: boolean): Uint8Array[] {
  const n = leaves.length;
  if (m === n) return whole ? [] : [referenceRoot(leaves)];
  const k = referenceSplit(n);
  if (m <= k) return [...referenceSubproof(m, leaves.slice(0, k), whole), referenceRoot(leaves.slice(k))];
  return [...referenceSubproof(m - k, leaves.slice(k), false), referenceRoot(leaves.slice(0, k))];
}
function referenceConsistency(m: number, leaves: Uint8Array[]): Uint8Array[] {
  return m === 0 || m === leaves.length ? [] : referenceSubproof(m, leaves, true);
}

function syntheticLeaves(count: number): Uint8Array[] {
  return Array.from({ length: count }, (_, index) => leafHash(new TextEncoder().encode(`leaf ${index}`)));
}

describe('RFC 9162 Merkle tree hash', () => {
  test('the empty tree hashes to SHA-256 of the empty string', () => {
    expect(toHex(EMPTY_TREE_ROOT)).toBe('e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855');
  });

  test.each(CT_ROOTS.map((root, index): [number, string] => [index + 1, root]))('root of the first %i CT test leaves is %s', async (size, root) => {
    const source = new MemoryNodeSource(ctLeafHashes);
    expect(toHex(await treeRoot(source, size))).toBe(root);
  });

  test('root from stored perfect subtrees equals the naive recursive root for sizes 0 to 70', async () => {
    const leaves = syntheticLeaves(70);
    const source = new MemoryNodeSource(leaves);
    for (let size = 0; size <= 70; size++) {
      expect(toHex(await treeRoot(source, size))).toBe(toHex(referenceRoot(leaves.slice(0, size))));
    }
  });

  test('appending to the frontier completes exactly the perfect subtrees and tracks the root', () => {
    const leaves = syntheticLeaves(40);
    const source = new MemoryNodeSource(leaves);
    let frontier: Uint8Array[] = [];
    for (let size = 0; size < leaves.length; size++) {
      const result = appendToFrontier(frontier, size, leaves[size]!);
      for (const node of result.completed) expect(toHex(node.hash)).toBe(toHex(source.hashOf(node)));
      frontier = result.frontier;
      expect(toHex(rootFromFrontier(frontier))).toBe(toHex(referenceRoot(leaves.slice(0, size + 1))));
    }
  });
});

describe('inclusion proofs', () => {
  test.each(CT_INCLUSION)('leaf %i in a tree of %i matches the CT test vector', async (index, size, expected) => {
    const proof = await buildInclusionProof(new MemoryNodeSource(ctLeafHashes), index, size);
    expect(proof.map(toHex)).toEqual(expected);
    expect(verifyInclusion(index, size, ctLeafHashes[index]!, proof, fromHex(CT_ROOTS[size - 1]!))).toBe(true);
  });

  test('prover agrees with the naive reference and the verifier accepts every proof up to 33 leaves', async () => {
    const leaves = syntheticLeaves(33);
    const source = new MemoryNodeSource(leaves);
    for (let size = 1; size <= leaves.length; size++) {
      const root = referenceRoot(leaves.slice(0, size));
      for (let index = 0; index < size; index++) {
        const proof = await buildInclusionProof(source, index, size);
        expect(proof.map(toHex)).toEqual(referencePath(index, leaves.slice(0, size)).map(toHex));
        expect(verifyInclusion(index, size, leaves[index]!, proof, root)).toBe(true);
      }
    }
  });

  test('verifier rejects a flipped bit, a wrong index, a size of another shape, a missing or extra hash, a wrong leaf', async () => {
    const leaves = syntheticLeaves(13);
    const source = new MemoryNodeSource(leaves);
    const root = referenceRoot(leaves);
    const proof = await buildInclusionProof(source, 6, 13);
    const flipped = proof.map((hash, position) => (position === 1 ? Uint8Array.from(hash, (byte, at) => (at === 0 ? byte ^ 1 : byte)) : hash));
    expect(verifyInclusion(6, 13, leaves[6]!, flipped, root)).toBe(false);
    expect(verifyInclusion(7, 13, leaves[6]!, proof, root)).toBe(false);
    expect(verifyInclusion(6, 20, leaves[6]!, proof, root)).toBe(false);
    expect(verifyInclusion(6, 13, leaves[6]!, proof.slice(0, -1), root)).toBe(false);
    expect(verifyInclusion(6, 13, leaves[6]!, [...proof, root], root)).toBe(false);
    expect(verifyInclusion(6, 13, leaves[5]!, proof, root)).toBe(false);
    expect(verifyInclusion(13, 13, leaves[6]!, proof, root)).toBe(false);
    expect(verifyInclusion(-1, 13, leaves[6]!, proof, root)).toBe(false);
  });

  test('prover refuses an index outside the tree', () => {
    expect(() => buildInclusionProof(new MemoryNodeSource(ctLeafHashes), 8, 8)).toThrow(RangeError);
  });
});

describe('consistency proofs', () => {
  test.each(CT_CONSISTENCY)('from %i to %i matches the CT test vector', async (oldSize, newSize, expected) => {
    const proof = await buildConsistencyProof(new MemoryNodeSource(ctLeafHashes), oldSize, newSize);
    expect(proof.map(toHex)).toEqual(expected);
    expect(verifyConsistency(oldSize, newSize, fromHex(CT_ROOTS[oldSize - 1]!), fromHex(CT_ROOTS[newSize - 1]!), proof)).toBe(true);
  });

  test('prover agrees with the naive reference and the verifier accepts every pair up to 33 leaves', async () => {
    const leaves = syntheticLeaves(33);
    const source = new MemoryNodeSource(leaves);
    for (let newSize = 1; newSize <= leaves.length; newSize++) {
      const newRoot = referenceRoot(leaves.slice(0, newSize));
      for (let oldSize = 0; oldSize <= newSize; oldSize++) {
        const proof = await buildConsistencyProof(source, oldSize, newSize);
        expect(proof.map(toHex)).toEqual(referenceConsistency(oldSize, leaves.slice(0, newSize)).map(toHex));
        expect(verifyConsistency(oldSize, newSize, referenceRoot(leaves.slice(0, oldSize)), newRoot, proof)).toBe(true);
      }
    }
  });

  test('verifier rejects tampered proofs, swapped roots and forked histories', async () => {
    const leaves = syntheticLeaves(20);
    const source = new MemoryNodeSource(leaves);
    const oldRoot = referenceRoot(leaves.slice(0, 7));
    const newRoot = referenceRoot(leaves);
    const proof = await buildConsistencyProof(source, 7, 20);
    expect(verifyConsistency(7, 20, oldRoot, newRoot, proof)).toBe(true);
    for (let position = 0; position < proof.length; position++) {
      const tampered = proof.map((hash, at) => (at === position ? nodeHash(hash, hash) : hash));
      expect(verifyConsistency(7, 20, oldRoot, newRoot, tampered)).toBe(false);
    }
    expect(verifyConsistency(7, 20, newRoot, oldRoot, proof)).toBe(false);
    expect(verifyConsistency(8, 20, oldRoot, newRoot, proof)).toBe(false);
    expect(verifyConsistency(7, 20, oldRoot, newRoot, proof.slice(1))).toBe(false);
    expect(verifyConsistency(7, 20, oldRoot, newRoot, [])).toBe(false);
    expect(verifyConsistency(20, 7, newRoot, oldRoot, proof)).toBe(false);
    const forked = [...leaves.slice(0, 3), leafHash(new Uint8Array([9])), ...leaves.slice(4)];
    const forkedProof = await buildConsistencyProof(new MemoryNodeSource(forked), 7, 20);
    expect(verifyConsistency(7, 20, oldRoot, referenceRoot(forked), forkedProof)).toBe(false);
  });

  test('equal sizes need equal roots and an empty proof', () => {
    const root = fromHex(CT_ROOTS[3]!);
    expect(verifyConsistency(4, 4, root, root, [])).toBe(true);
    expect(verifyConsistency(4, 4, root, fromHex(CT_ROOTS[4]!), [])).toBe(false);
    expect(verifyConsistency(4, 4, root, root, [root])).toBe(false);
  });
});
