/**
 * A fixed-depth, zero-padded, incremental Poseidon Merkle tree: the census tree the
 * membership circuit proves against.
 *
 * Construction (the circuit's, see circuits/membership.circom):
 *   - level 0 holds the leaves; leaf i is at index i; an empty leaf is 0;
 *   - node(level + 1, i) = Poseidon2(node(level, 2i), node(level, 2i + 1));
 *   - an empty subtree of height h has the value zero(h): zero(0) = 0,
 *     zero(h + 1) = Poseidon2(zero(h), zero(h)); the root is node(depth, 0).
 *
 * A tree of depth d smaller than a depth D is, by definition, the leftmost subtree of
 * the depth-D tree with the same leaves: its proofs are lifted with `extendMerkleProof`,
 * which appends the siblings zero(d)..zero(D - 1) on the right, and the tree itself grows
 * in place with `grow(D)`, which writes only the D - d nodes above the old root.
 *
 * Insertion appends at the next free index; removal writes 0 (an empty leaf) in place
 * and never reuses the index, so leaf indices are stable. Every change recomputes only
 * the depth nodes on the leaf's path (the siblings come from the store in one read).
 */
import { ZkInputError } from './errors.ts';
import { requireFieldElement } from './field.ts';
import { getPoseidon, preparePoseidon } from './poseidon.ts';
import type { Poseidon } from './poseidon.ts';

/** Deepest tree supported: 2^32 leaves is far beyond any community. */
export const MAX_TREE_DEPTH = 32;
/** The depth the default membership circuit is compiled for. */
export const CENSUS_TREE_DEPTH = 20;

export interface NodePosition {
  /** 0 for leaves, `depth` for the root. */
  level: number;
  index: number;
}

export interface MerkleNode extends NodePosition {
  value: bigint;
}

/**
 * Where a tree keeps its nodes. The in-memory store below serves tests, clients and the
 * bench; a database-backed store implements the same three methods (one read of the
 * siblings and one atomic write per change).
 */
export interface MerkleNodeStore {
  /** The stored values at `positions`, `undefined` where nothing is stored (an empty subtree). */
  getNodes(positions: readonly NodePosition[]): Promise<ReadonlyArray<bigint | undefined>> | ReadonlyArray<bigint | undefined>;
  /** Writes `nodes` and the new leaf count together; a database store does this in one transaction. */
  setNodes(nodes: readonly MerkleNode[], size: number): Promise<void> | void;
  /** The number of leaf slots used so far (removed leaves included). */
  getSize(): Promise<number> | number;
}

export interface MerkleProof {
  root: bigint;
  leaf: bigint;
  index: number;
  /** Sibling at each level, leaf level first. */
  siblings: bigint[];
  /** Bit i of the index: 0 when the path node is the left child at level i. */
  pathIndices: number[];
}

/** Nodes as JSON-safe tuples, for persisting an in-memory tree. */
export interface MerkleTreeSnapshot {
  depth: number;
  size: number;
  nodes: Array<[level: number, index: number, value: string]>;
}

const zeroHashCache: bigint[] = [0n];

/** zero(0..depth): the value of an empty subtree of each height. */
export async function zeroHashes(depth: number): Promise<readonly bigint[]> {
  requireDepth(depth);
  if (zeroHashCache.length <= depth) {
    const poseidon = await getPoseidon();
    while (zeroHashCache.length <= depth) {
      const below = zeroHashCache[zeroHashCache.length - 1]!;
      zeroHashCache.push(poseidon.hash2(below, below));
    }
  }
  return zeroHashCache.slice(0, depth + 1);
}

export class MemoryNodeStore implements MerkleNodeStore {
  readonly #levels: Array<Map<number, bigint>> = [];
  #size = 0;

  getNodes(positions: readonly NodePosition[]): Array<bigint | undefined> {
    return positions.map(({ level, index }) => this.#levels[level]?.get(index));
  }

  setNodes(nodes: readonly MerkleNode[], size: number): void {
    for (const { level, index, value } of nodes) {
      let levelNodes = this.#levels[level];
      if (!levelNodes) this.#levels[level] = levelNodes = new Map();
      levelNodes.set(index, value);
    }
    this.#size = size;
  }

  getSize(): number {
    return this.#size;
  }

  snapshot(depth: number): MerkleTreeSnapshot {
    const nodes: MerkleTreeSnapshot['nodes'] = [];
    this.#levels.forEach((levelNodes, level) => {
      for (const [index, value] of levelNodes) nodes.push([level, index, value.toString()]);
    });
    return { depth, size: this.#size, nodes };
  }

  static fromSnapshot(snapshot: MerkleTreeSnapshot): MemoryNodeStore {
    const store = new MemoryNodeStore();
    const nodes = snapshot.nodes.map(([level, index, value]) => ({ level, index, value: requireFieldElement('node', value) }));
    store.setNodes(nodes, snapshot.size);
    return store;
  }
}

export class PoseidonMerkleTree {
  readonly depth: number;
  readonly store: MerkleNodeStore;
  readonly #zeros: readonly bigint[];
  readonly #poseidon: Poseidon;

  private constructor(depth: number, store: MerkleNodeStore, zeros: readonly bigint[], poseidon: Poseidon) {
    this.depth = depth;
    this.store = store;
    this.#zeros = zeros;
    this.#poseidon = poseidon;
  }

  /** Opens a tree over `store` (empty or previously written at the same depth). */
  static async open(depth: number = CENSUS_TREE_DEPTH, store: MerkleNodeStore = new MemoryNodeStore()): Promise<PoseidonMerkleTree> {
    return new PoseidonMerkleTree(depth, store, await zeroHashes(depth), await getPoseidon());
  }

  /** Builds a tree from all its leaves at once: one hash per node, one write. */
  static async build(leaves: readonly bigint[], depth: number = CENSUS_TREE_DEPTH, store: MerkleNodeStore = new MemoryNodeStore()): Promise<PoseidonMerkleTree> {
    // About one hash per leaf and one per level: a browser has the faster Poseidon built for a large tree.
    await preparePoseidon(leaves.length + depth);
    const tree = await PoseidonMerkleTree.open(depth, store);
    if ((await store.getSize()) !== 0) throw new ZkInputError('INVALID_INPUT', 'Failed to build tree: the store is not empty');
    tree.#requireCapacity(leaves.length);
    const nodes: MerkleNode[] = [];
    let level = leaves.map((leaf, index) => requireFieldElement(`leaves[${index}]`, leaf));
    level.forEach((value, index) => nodes.push({ level: 0, index, value }));
    for (let height = 0; height < depth; height++) {
      const parents: bigint[] = [];
      for (let index = 0; index < level.length; index += 2) {
        parents.push(tree.#poseidon.hash2(level[index]!, level[index + 1] ?? tree.#zeros[height]!));
      }
      if (parents.length === 0) parents.push(tree.#zeros[height + 1]!);
      parents.forEach((value, index) => nodes.push({ level: height + 1, index, value }));
      level = parents;
    }
    await store.setNodes(nodes, leaves.length);
    return tree;
  }

  /**
   * Grows this tree to a deeper one with the same leaves, as a census does when it fills
   * its depth: the deeper tree has this one as its leftmost subtree, so every stored node
   * stays; only the nodes above the old root, node(l, 0) = Poseidon2(node(l - 1, 0),
   * zero(l - 1)), are written, in one store call. Returns the tree opened at `depth` over
   * the same store; change the tree only through it from then on (a change through this
   * object would not reach the nodes above the old root).
   */
  async grow(depth: number): Promise<PoseidonMerkleTree> {
    requireDepth(depth);
    if (depth <= this.depth) throw new ZkInputError('DEPTH_MISMATCH', `Failed to grow tree: depth ${depth} is not above ${this.depth}`);
    const zeros = await zeroHashes(depth);
    const nodes: MerkleNode[] = [];
    let value = await this.root();
    for (let level = this.depth; level < depth; level++) {
      value = this.#poseidon.hash2(value, zeros[level]!);
      nodes.push({ level: level + 1, index: 0, value });
    }
    await this.store.setNodes(nodes, await this.store.getSize());
    return PoseidonMerkleTree.open(depth, this.store);
  }

  async root(): Promise<bigint> {
    const [root] = await this.store.getNodes([{ level: this.depth, index: 0 }]);
    return root ?? this.#zeros[this.depth]!;
  }

  async size(): Promise<number> {
    return this.store.getSize();
  }

  async leaf(index: number): Promise<bigint> {
    await this.#requireUsedIndex(index);
    const [leaf] = await this.store.getNodes([{ level: 0, index }]);
    return leaf ?? 0n;
  }

  /** Appends `leaf` at the next free index and returns that index. */
  async insert(leaf: bigint): Promise<number> {
    const index = await this.store.getSize();
    this.#requireCapacity(index + 1);
    await this.#write(index, requireFieldElement('leaf', leaf), index + 1);
    return index;
  }

  /** Replaces the leaf at `index` (an identity's new commitment, a changed weight). */
  async update(index: number, leaf: bigint): Promise<void> {
    const size = await this.#requireUsedIndex(index);
    await this.#write(index, requireFieldElement('leaf', leaf), size);
  }

  /** Empties the leaf at `index`; the index is not reused. */
  async remove(index: number): Promise<void> {
    await this.update(index, 0n);
  }

  async proof(index: number): Promise<MerkleProof> {
    await this.#requireUsedIndex(index);
    const [leaf, ...siblings] = await this.#readPath(index);
    const pathIndices = pathBits(index, this.depth);
    return { root: await this.root(), leaf: leaf!, index, siblings, pathIndices };
  }

  /** Reads the leaf and its siblings in one store call; empty positions become zero hashes. */
  async #readPath(index: number): Promise<bigint[]> {
    const positions: NodePosition[] = [{ level: 0, index }];
    for (let level = 0; level < this.depth; level++) positions.push({ level, index: siblingIndex(index, level) });
    const values = await this.store.getNodes(positions);
    return values.map((value, position) => value ?? (position === 0 ? 0n : this.#zeros[position - 1]!));
  }

  async #write(index: number, leaf: bigint, size: number): Promise<void> {
    const [, ...siblings] = await this.#readPath(index);
    const nodes: MerkleNode[] = [{ level: 0, index, value: leaf }];
    let value = leaf;
    let position = index;
    for (let level = 0; level < this.depth; level++) {
      const sibling = siblings[level]!;
      value = position % 2 === 0 ? this.#poseidon.hash2(value, sibling) : this.#poseidon.hash2(sibling, value);
      position = Math.floor(position / 2);
      nodes.push({ level: level + 1, index: position, value });
    }
    await this.store.setNodes(nodes, size);
  }

  #requireCapacity(size: number): void {
    if (size > 2 ** this.depth) {
      throw new ZkInputError('TREE_FULL', `Failed to add leaf: a tree of depth ${this.depth} holds at most ${2 ** this.depth} leaves`);
    }
  }

  async #requireUsedIndex(index: number): Promise<number> {
    const size = await this.store.getSize();
    if (!Number.isSafeInteger(index) || index < 0 || index >= size) {
      throw new ZkInputError('LEAF_INDEX_OUT_OF_RANGE', `Invalid leaf index: ${index} is not in [0, ${size})`);
    }
    return size;
  }
}

/** Recomputes the root a proof leads to; true when it equals `proof.root`. */
export async function verifyMerkleProof(proof: MerkleProof): Promise<boolean> {
  const poseidon = await getPoseidon();
  if (proof.siblings.length !== proof.pathIndices.length) return false;
  let value = proof.leaf;
  for (let level = 0; level < proof.siblings.length; level++) {
    const bit = proof.pathIndices[level];
    if (bit !== 0 && bit !== 1) return false;
    value = bit === 0 ? poseidon.hash2(value, proof.siblings[level]!) : poseidon.hash2(proof.siblings[level]!, value);
  }
  return value === proof.root;
}

/**
 * Lifts a proof from a tree of depth d to the depth-`depth` tree that has the same
 * leaves (the smaller tree is its leftmost subtree): zero siblings on the right.
 */
export async function extendMerkleProof(proof: MerkleProof, depth: number): Promise<MerkleProof> {
  const current = proof.siblings.length;
  if (depth < current) throw new ZkInputError('DEPTH_MISMATCH', `Failed to extend proof: depth ${depth} is below the proof's ${current}`);
  const zeros = await zeroHashes(depth);
  const poseidon = await getPoseidon();
  const siblings = [...proof.siblings];
  const pathIndices = [...proof.pathIndices];
  let root = proof.root;
  for (let level = current; level < depth; level++) {
    siblings.push(zeros[level]!);
    pathIndices.push(0);
    root = poseidon.hash2(root, zeros[level]!);
  }
  return { ...proof, root, siblings, pathIndices };
}

function siblingIndex(index: number, level: number): number {
  const position = Math.floor(index / 2 ** level);
  return position % 2 === 0 ? position + 1 : position - 1;
}

function pathBits(index: number, depth: number): number[] {
  const bits: number[] = [];
  for (let level = 0; level < depth; level++) bits.push(Math.floor(index / 2 ** level) % 2);
  return bits;
}

function requireDepth(depth: number): void {
  if (!Number.isInteger(depth) || depth < 1 || depth > MAX_TREE_DEPTH) {
    throw new ZkInputError('INVALID_INPUT', `Invalid tree depth: ${depth} is not in [1, ${MAX_TREE_DEPTH}]`);
  }
}
