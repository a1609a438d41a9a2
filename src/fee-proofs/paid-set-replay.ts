/**
 * Replay equals live for paid sets (the module's `replay` hook, `npm run ledger:replay`
 * and the audit): folds the community's census entries of every `fees-paid:<period>` tree
 * and compares, tree by tree, the leaves (index, commitment, active) and the tree's root,
 * rebuilt from those leaves, with the live census tables; then checks the rule the paid
 * set follows against the live money tables — a household is in the set exactly when its
 * invoices of the period are settled and it has a households-census identity. Each
 * difference names its tree (and leaf or household id — an id, never personal data).
 */
import type { SqlEntityManager } from '../db/orm.ts';
import type { ReplayComparison } from '../kernel/domain-module.ts';
import { integratePending } from '../ledger/integrator.ts';
import { decodeRecord } from '../funds/record-codec.ts';
import { openFen, type Invoice } from '../fees/invoices.ts';
import { membershipLeaf } from '../zk/identity.ts';
import { PoseidonMerkleTree } from '../zk/merkle-tree.ts';
import { PAID_SET_KIND, periodNumber } from './paid-set-period.ts';

interface FoldedTree {
  leaves: Map<number, { commitment: string; active: boolean }>;
  depth: number;
}

async function foldEntries(
  em: SqlEntityManager,
  communityId: string,
): Promise<{ trees: Map<string, FoldedTree>; entries: number }> {
  const rows: Array<{ type: string; payload: string }> = await em.execute(
    `select type, payload::text as payload from ledger_entries
      where community_id = ? and type in ('census.join', 'census.remove', 'census.reinstate', 'census.grow') and payload->>'kind' like ?
      order by seq`,
    [communityId, `${PAID_SET_KIND}:%`],
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
      active: row.type !== 'census.remove',
    });
  }
  return { trees, entries: rows.length };
}

async function compareTree(
  em: SqlEntityManager,
  communityId: string,
  kind: string,
  folded: FoldedTree | undefined,
  differences: Array<{ description: string }>,
): Promise<void> {
  const live: Array<{ leaf_index: unknown; identity_commitment: string; status: string }> = await em.execute(
    'select leaf_index, identity_commitment, status from census_leaves where community_id = ? and kind = ? order by leaf_index',
    [communityId, kind],
  );
  const replayed = folded ?? { leaves: new Map(), depth: 0 };
  const indexes = new Set([...live.map((row) => Number(row.leaf_index)), ...replayed.leaves.keys()]);
  for (const index of [...indexes].sort((a, b) => a - b)) {
    const row = live.find((candidate) => Number(candidate.leaf_index) === index);
    const leaf = replayed.leaves.get(index);
    if (!row) differences.push({ description: `${kind} leaf ${index}: in the replay only` });
    else if (!leaf) differences.push({ description: `${kind} leaf ${index}: in the live tables only` });
    else if (leaf.commitment !== row.identity_commitment || leaf.active !== (row.status === 'active'))
      differences.push({ description: `${kind} leaf ${index}: live differs from replay` });
  }
  const [tree]: Array<{ root: string; depth: unknown }> = await em.execute(
    'select root, depth from census_trees where community_id = ? and kind = ?',
    [communityId, kind],
  );
  if (!tree || !folded) return;
  const period = periodNumber(kind.slice(PAID_SET_KIND.length + 1));
  const leaves = new Array<bigint>(folded.leaves.size === 0 ? 0 : Math.max(...folded.leaves.keys()) + 1).fill(0n);
  for (const [index, leaf] of folded.leaves)
    if (leaf.active) leaves[index] = await membershipLeaf(BigInt(leaf.commitment), BigInt(period));
  const root = await (await PoseidonMerkleTree.build(leaves, folded.depth)).root();
  if (root.toString() !== tree.root || Number(tree.depth) !== folded.depth)
    differences.push({ description: `${kind}: the live root is not the root of the replayed leaves` });
}

/** A household is in the period's set exactly when its invoices of the period are settled and it has an identity. */
async function compareWithMoney(
  em: SqlEntityManager,
  communityId: string,
  kinds: readonly string[],
  differences: Array<{ description: string }>,
): Promise<void> {
  const identified: Array<{ household_id: string }> = await em.execute(
    `select household_id from census_leaves where community_id = ? and kind = 'households' and status = 'active'`,
    [communityId],
  );
  const withIdentity = new Set(identified.map((row) => row.household_id));
  for (const kind of kinds) {
    const periodId = kind.slice(PAID_SET_KIND.length + 1);
    const invoices: Array<{ household_id: string; record: string }> = await em.execute(
      'select household_id, record::text as record from money_invoices where community_id = ? and period_id = ?',
      [communityId, periodId],
    );
    const open = new Set(
      invoices.filter((row) => openFen(decodeRecord(row.record) as Invoice) > 0n).map((row) => row.household_id),
    );
    const settled = new Set(
      invoices.map((row) => row.household_id).filter((id) => !open.has(id) && withIdentity.has(id)),
    );
    const members: Array<{ household_id: string }> = await em.execute(
      `select household_id from census_leaves where community_id = ? and kind = ? and status = 'active'`,
      [communityId, kind],
    );
    const inSet = new Set(members.map((row) => row.household_id));
    for (const id of settled)
      if (!inSet.has(id)) differences.push({ description: `${kind} household ${id}: settled but not in the paid set` });
    for (const id of inSet)
      if (!settled.has(id))
        differences.push({ description: `${kind} household ${id}: in the paid set but not settled` });
  }
}

export async function comparePaidSetReplay(em: SqlEntityManager, communityId: string): Promise<ReplayComparison> {
  await integratePending(em, communityId);
  const { trees, entries } = await foldEntries(em, communityId);
  const liveKinds: Array<{ kind: string }> = await em.execute(
    'select kind from census_trees where community_id = ? and kind like ?',
    [communityId, `${PAID_SET_KIND}:%`],
  );
  const kinds = [...new Set([...trees.keys(), ...liveKinds.map((row) => row.kind)])].sort();
  const differences: Array<{ description: string }> = [];
  for (const kind of kinds) await compareTree(em, communityId, kind, trees.get(kind), differences);
  await compareWithMoney(em, communityId, kinds, differences);
  return { entries, differences };
}
