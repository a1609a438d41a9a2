/**
 * The Merkle tree of RFC 9162 §2.1, described by its perfect subtrees.
 *
 * A perfect subtree is addressed by (level, index): it covers leaves
 * [index·2^level, (index+1)·2^level). Level 0 holds the leaf hashes. Every hash the tree
 * ever needs — a root, a proof element — is the hash of a range that RFC 9162's
 * largest-power-of-two split produces, and each such range is a run of at most
 * ⌈log2 n⌉ perfect subtrees. Storing each perfect subtree when it completes therefore
 * makes every root and proof a handful of reads, never a rebuild.
 */
import { EMPTY_TREE_ROOT, largestPowerOfTwoBelow, nodeHash } from './merkle-hash.ts';

export interface NodeAddress {
  level: number;
  index: number;
}

export interface StoredNode extends NodeAddress {
  hash: Uint8Array;
}

/** Supplies perfect-subtree hashes, e.g. from the database; answers in request order. */
export interface NodeHashSource {
  getNodeHashes(nodes: readonly NodeAddress[]): Promise<Uint8Array[]>;
}

/** A half-open leaf range [start, end). */
export interface LeafRange {
  start: number;
  end: number;
}

/** 2^level as a safe integer (levels stay below 53). */
export function powerOfTwo(level: number): number {
  return 2 ** level;
}

function isPowerOfTwo(n: number): boolean {
  return n > 0 && Number.isInteger(Math.log2(n)) && powerOfTwo(Math.log2(n)) === n;
}

/**
 * The perfect subtrees whose hashes, folded from the right, give MTH(D[start:end]),
 * for a range whose start is aligned to a power of two at least its length — which is
 * true of every range RFC 9162's recursive split produces.
 */
export function perfectSubtreesOfRange(range: LeafRange): NodeAddress[] {
  const nodes: NodeAddress[] = [];
  let start = range.start;
  while (start < range.end) {
    const remaining = range.end - start;
    const width = isPowerOfTwo(remaining) ? remaining : largestPowerOfTwoBelow(remaining);
    const level = Math.log2(width);
    nodes.push({ level, index: start / width });
    start += width;
  }
  return nodes;
}

/** Folds a run of perfect-subtree hashes, left to right in the tree, into one hash. */
export function foldFromRight(hashes: readonly Uint8Array[]): Uint8Array {
  if (hashes.length === 0) return EMPTY_TREE_ROOT;
  let hash = hashes[hashes.length - 1]!;
  for (let position = hashes.length - 2; position >= 0; position--) hash = nodeHash(hashes[position]!, hash);
  return hash;
}

/** The ranges whose hashes form the inclusion proof of leaf `index` in a tree of `size` (RFC 9162 §2.1.3.1). */
export function inclusionProofRanges(index: number, size: number): LeafRange[] {
  if (!Number.isSafeInteger(index) || !Number.isSafeInteger(size) || index < 0 || index >= size) {
    throw new RangeError(`inclusion proof needs 0 <= index < size, got index ${index}, size ${size}`);
  }
  return pathRanges(index, 0, size);
}

function pathRanges(index: number, start: number, end: number): LeafRange[] {
  const size = end - start;
  if (size === 1) return [];
  const split = largestPowerOfTwoBelow(size);
  if (index < split) return [...pathRanges(index, start, start + split), { start: start + split, end }];
  return [...pathRanges(index - split, start + split, end), { start, end: start + split }];
}

/** The ranges whose hashes form the consistency proof from `oldSize` to `newSize` (RFC 9162 §2.1.4.1). */
export function consistencyProofRanges(oldSize: number, newSize: number): LeafRange[] {
  if (!Number.isSafeInteger(oldSize) || !Number.isSafeInteger(newSize) || oldSize < 0 || oldSize > newSize) {
    throw new RangeError(`consistency proof needs 0 <= oldSize <= newSize, got ${oldSize} and ${newSize}`);
  }
  if (oldSize === 0 || oldSize === newSize) return [];
  return subproofRanges(oldSize, 0, newSize, true);
}

function subproofRanges(oldSize: number, start: number, end: number, oldIsWholeSubtree: boolean): LeafRange[] {
  const size = end - start;
  if (oldSize === size) return oldIsWholeSubtree ? [] : [{ start, end }];
  const split = largestPowerOfTwoBelow(size);
  if (oldSize <= split) {
    return [...subproofRanges(oldSize, start, start + split, oldIsWholeSubtree), { start: start + split, end }];
  }
  return [...subproofRanges(oldSize - split, start + split, end, false), { start, end: start + split }];
}

/** Resolves ranges to hashes with one batched read of their perfect subtrees. */
export async function hashRanges(source: NodeHashSource, ranges: readonly LeafRange[]): Promise<Uint8Array[]> {
  const pieces = ranges.map(perfectSubtreesOfRange);
  const unique = new Map<string, NodeAddress>();
  for (const node of pieces.flat()) unique.set(`${node.level}:${node.index}`, node);
  const addresses = [...unique.values()];
  const hashes = addresses.length === 0 ? [] : await source.getNodeHashes(addresses);
  const byKey = new Map(addresses.map((node, position) => [`${node.level}:${node.index}`, hashes[position]!]));
  return pieces.map((nodes) => foldFromRight(nodes.map((node) => byKey.get(`${node.level}:${node.index}`)!)));
}

export async function treeRoot(source: NodeHashSource, size: number): Promise<Uint8Array> {
  if (size === 0) return EMPTY_TREE_ROOT;
  const [root] = await hashRanges(source, [{ start: 0, end: size }]);
  return root!;
}

export function buildInclusionProof(source: NodeHashSource, index: number, size: number): Promise<Uint8Array[]> {
  return hashRanges(source, inclusionProofRanges(index, size));
}

export function buildConsistencyProof(source: NodeHashSource, oldSize: number, newSize: number): Promise<Uint8Array[]> {
  return hashRanges(source, consistencyProofRanges(oldSize, newSize));
}

/**
 * The compact range of a tree: the hashes of the perfect subtrees that make up leaves
 * [0, size), largest first — one per set bit of `size`. Appending a leaf merges equal
 * subtrees, and each merge completes a perfect subtree that must be stored.
 */
export function appendToFrontier(
  frontier: readonly Uint8Array[],
  size: number,
  leaf: Uint8Array,
): { frontier: Uint8Array[]; completed: StoredNode[] } {
  const next = frontier.slice();
  const completed: StoredNode[] = [];
  let hash = leaf;
  let level = 0;
  let index = size;
  while (index % 2 === 1) {
    const left = next.pop();
    if (left === undefined) throw new Error(`frontier of ${frontier.length} hashes does not match size ${size}`);
    hash = nodeHash(left, hash);
    level += 1;
    index = (index - 1) / 2;
    completed.push({ level, index, hash });
  }
  next.push(hash);
  return { frontier: next, completed };
}

export function rootFromFrontier(frontier: readonly Uint8Array[]): Uint8Array {
  return foldFromRight(frontier);
}

/** Number of set bits: the length of the frontier of a tree of this size. */
export function frontierLength(size: number): number {
  let count = 0;
  for (let rest = size; rest > 0; rest = Math.floor(rest / 2)) count += rest % 2;
  return count;
}

/** An in-memory node source over leaf hashes, for tests, export bundles and small trees. */
export class MemoryNodeSource implements NodeHashSource {
  readonly #leaves: readonly Uint8Array[];
  readonly #cache = new Map<string, Uint8Array>();

  constructor(leaves: readonly Uint8Array[]) {
    this.#leaves = leaves;
  }

  async getNodeHashes(nodes: readonly NodeAddress[]): Promise<Uint8Array[]> {
    return nodes.map((node) => this.hashOf(node));
  }

  hashOf(node: NodeAddress): Uint8Array {
    if (node.level === 0) {
      const leaf = this.#leaves[node.index];
      if (leaf === undefined) throw new RangeError(`no leaf ${node.index}`);
      return leaf;
    }
    const key = `${node.level}:${node.index}`;
    let hash = this.#cache.get(key);
    if (hash === undefined) {
      hash = nodeHash(
        this.hashOf({ level: node.level - 1, index: node.index * 2 }),
        this.hashOf({ level: node.level - 1, index: node.index * 2 + 1 }),
      );
      this.#cache.set(key, hash);
    }
    return hash;
  }
}
