/**
 * Replay equals live for scoped census trees (`<prefix>:<scope>`, census.md): folds the
 * community's census entries of every tree whose name starts with the prefix and compares,
 * tree by tree, the leaves (index, commitment, active) and the root rebuilt from them with
 * the live census tables. The domains that own such trees (paid sets, activity
 * participants) add the rule their trees follow. Each difference names its tree and a leaf
 * index, never personal data.
 */
import type { SqlEntityManager } from '../db/orm.ts';
import { membershipLeaf } from '../zk/identity.ts';
import { PoseidonMerkleTree } from '../zk/merkle-tree.ts';

export interface FoldedLeaf {
  commitment: string;
  /** The weight the `census.join` entry recorded. */
  weight: bigint;
  active: boolean;
}

interface FoldedTree {
  leaves: Map<number, FoldedLeaf>;
  depth: number;
}

export interface ScopedTreeComparison {
  /** Census entries folded. */
  entries: number;
  /** Every tree of the prefix, on the ledger or live, in name order. */
  kinds: string[];
  differences: Array<{ description: string }>;
}

async function foldEntries(
  em: SqlEntityManager,
  communityId: string,
  prefix: string,
): Promise<{ trees: Map<string, FoldedTree>; entries: number }> {
  const rows: Array<{ type: string; payload: string }> = await em.execute(
    `select type, payload::text as payload from ledger_entries
      where community_id = ? and type in ('census.join', 'census.remove', 'census.reinstate', 'census.grow') and payload->>'kind' like ?
      order by seq`,
    [communityId, `${prefix}:%`],
  );
  const trees = new Map<string, FoldedTree>();
  for (const row of rows) {
    const payload = JSON.parse(row.payload) as Record<string, unknown>;
    const kind = String(payload['kind']);
    let tree = trees.get(kind);
    if (!tree) trees.set(kind, (tree = { leaves: new Map(), depth: Number(payload['depth']) }));
    tree.depth = Number(payload['depth']);
    if (row.type === 'census.grow') continue;
    tree.leaves.set(Number(payload['leafIndex']), {
      commitment: String(payload['commitment']),
      weight: BigInt(String(payload['weight'])),
      active: row.type !== 'census.remove',
    });
  }
  return { trees, entries: rows.length };
}

/**
 * `leafWeight` gives the weight a leaf of the tree must carry (for a paid set, the period's
 * number, whatever the entry says); the root is rebuilt with it.
 */
export async function compareScopedTrees(
  em: SqlEntityManager,
  communityId: string,
  prefix: string,
  leafWeight: (kind: string, leaf: FoldedLeaf) => bigint,
): Promise<ScopedTreeComparison> {
  const { trees, entries } = await foldEntries(em, communityId, prefix);
  const live: Array<{ kind: string; root: string; depth: unknown }> = await em.execute(
    'select kind, root, depth from census_trees where community_id = ? and kind like ?',
    [communityId, `${prefix}:%`],
  );
  const kinds = [...new Set([...trees.keys(), ...live.map((row) => row.kind)])].sort();
  const differences: Array<{ description: string }> = [];
  for (const kind of kinds) {
    const folded = trees.get(kind);
    const leaves: Array<{ leaf_index: unknown; identity_commitment: string; status: string }> = await em.execute(
      'select leaf_index, identity_commitment, status from census_leaves where community_id = ? and kind = ? order by leaf_index',
      [communityId, kind],
    );
    const replayed = folded?.leaves ?? new Map<number, FoldedLeaf>();
    const indexes = new Set([...leaves.map((row) => Number(row.leaf_index)), ...replayed.keys()]);
    for (const index of [...indexes].sort((a, b) => a - b)) {
      const row = leaves.find((candidate) => Number(candidate.leaf_index) === index);
      const leaf = replayed.get(index);
      if (!row) differences.push({ description: `${kind} leaf ${index}: in the replay only` });
      else if (!leaf) differences.push({ description: `${kind} leaf ${index}: in the live tables only` });
      else if (leaf.commitment !== row.identity_commitment || leaf.active !== (row.status === 'active'))
        differences.push({ description: `${kind} leaf ${index}: live differs from replay` });
    }
    const tree = live.find((row) => row.kind === kind);
    if (!tree) {
      differences.push({ description: `${kind}: on the ledger only` });
      continue;
    }
    // A tree with no entries replays to the empty tree of its live depth.
    const depth = folded?.depth ?? Number(tree.depth);
    const values = new Array<bigint>(replayed.size === 0 ? 0 : Math.max(...replayed.keys()) + 1).fill(0n);
    for (const [index, leaf] of replayed)
      if (leaf.active) values[index] = await membershipLeaf(BigInt(leaf.commitment), leafWeight(kind, leaf));
    const root = await (await PoseidonMerkleTree.build(values, depth)).root();
    if (root.toString() !== tree.root || Number(tree.depth) !== depth)
      differences.push({ description: `${kind}: the live root is not the root of the replayed leaves` });
  }
  return { entries, kinds, differences };
}
