/**
 * Replay equals live for participant trees (part of the activities' `replay` hook): folds
 * the census entries of every `activity:<activityId>` tree and compares each tree's leaves
 * (index, commitment, active) and root, rebuilt from them, with the live census tables;
 * then checks the rule the tree follows: every leaf is a household on the participant list
 * its activity's `activities.signups-closed` entry recorded, once. Each difference names
 * the tree and a leaf index or household id, never personal data.
 */
import type { SqlEntityManager } from '../db/orm.ts';
import { membershipLeaf } from '../zk/identity.ts';
import { PoseidonMerkleTree } from '../zk/merkle-tree.ts';
import { PARTICIPANT_TREE_KIND } from './activity-reviews.ts';

interface FoldedTree {
  leaves: Map<number, { commitment: string; weight: number; active: boolean }>;
  depth: number;
}

export async function compareParticipantTrees(
  em: SqlEntityManager,
  communityId: string,
): Promise<{ entries: number; differences: Array<{ description: string }> }> {
  const rows: Array<{ type: string; payload: string }> = await em.execute(
    `select type, payload::text as payload from ledger_entries
      where community_id = ? and type in ('census.join', 'census.remove', 'census.reinstate', 'census.grow') and payload->>'kind' like ?
      order by seq`,
    [communityId, `${PARTICIPANT_TREE_KIND}:%`],
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
      weight: Number(payload['weight']),
      active: row.type !== 'census.remove',
    });
  }
  const differences: Array<{ description: string }> = [];
  const live: Array<{ kind: string; root: string; depth: unknown }> = await em.execute(
    'select kind, root, depth from census_trees where community_id = ? and kind like ?',
    [communityId, `${PARTICIPANT_TREE_KIND}:%`],
  );
  for (const kind of new Set([...trees.keys(), ...live.map((row) => row.kind)])) {
    const folded = trees.get(kind) ?? {
      leaves: new Map(),
      depth: Number(live.find((row) => row.kind === kind)?.depth),
    };
    const leaves: Array<{ leaf_index: unknown; identity_commitment: string; status: string; household_id: string }> =
      await em.execute(
        'select leaf_index, identity_commitment, status, household_id from census_leaves where community_id = ? and kind = ?',
        [communityId, kind],
      );
    const indexes = new Set([...leaves.map((row) => Number(row.leaf_index)), ...folded.leaves.keys()]);
    for (const index of indexes) {
      const row = leaves.find((candidate) => Number(candidate.leaf_index) === index);
      const leaf = folded.leaves.get(index);
      if (!row || !leaf)
        differences.push({ description: `${kind} leaf ${index}: in ${row ? 'the live tables' : 'the replay'} only` });
      else if (leaf.commitment !== row.identity_commitment || leaf.active !== (row.status === 'active'))
        differences.push({ description: `${kind} leaf ${index}: live differs from replay` });
    }
    const tree = live.find((row) => row.kind === kind);
    if (!tree) {
      differences.push({ description: `${kind}: on the ledger only` });
      continue;
    }
    const values = new Array<bigint>(folded.leaves.size === 0 ? 0 : Math.max(...folded.leaves.keys()) + 1).fill(0n);
    for (const [index, leaf] of folded.leaves)
      if (leaf.active) values[index] = await membershipLeaf(BigInt(leaf.commitment), BigInt(leaf.weight));
    const root = await (await PoseidonMerkleTree.build(values, folded.depth)).root();
    if (root.toString() !== tree.root || Number(tree.depth) !== folded.depth)
      differences.push({ description: `${kind}: the live root is not the root of the replayed leaves` });
    // The rule: each leaf a household of the participant list on the ledger, once.
    const activityId = kind.slice(PARTICIPANT_TREE_KIND.length + 1);
    const closed: Array<{ payload: string }> = await em.execute(
      `select payload::text as payload from ledger_entries
        where community_id = ? and type = 'activities.signups-closed' and payload->>'activityId' = ?`,
      [communityId, activityId],
    );
    const participants = new Set<string>(
      closed[0]
        ? ((JSON.parse(closed[0].payload) as { participantHouseholdIds: string[] }).participantHouseholdIds ?? [])
        : [],
    );
    const seen = new Set<string>();
    for (const leaf of leaves) {
      if (!participants.has(leaf.household_id) || seen.has(leaf.household_id))
        differences.push({ description: `${kind} household ${leaf.household_id}: not a participant, or twice` });
      seen.add(leaf.household_id);
    }
  }
  return { entries: rows.length, differences };
}
