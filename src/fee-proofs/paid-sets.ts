/**
 * Paid sets: per community and fee period, the census tree `fees-paid:<period>` holds one
 * leaf Poseidon(identityCommitment, periodNumber) for every household whose invoices of
 * the period are all fully settled, the commitment being the household's leaf in the
 * households census. Kept in step by `syncPaidSets`, the fees domain's settlement watcher
 * (src/fees/settlement-watchers.ts), inside the money unit's transaction after its rows
 * and entries, so a payment and the leaf it earns commit together:
 *
 *   settled, no leaf          → join (census.join, actor system)
 *   settled, removed leaf     → reinstate (census.reinstate) — same index, same commitment
 *   not settled, active leaf  → remove (census.remove): a refund or correction unsettled it
 *
 * Every change is a new root in the tree's history and on the ledger, so a proof made
 * against an earlier root stays checkable against that root. A household with no
 * households-census leaf has no identity to put in the set and is left out until it
 * joins and its period changes again (docs/fee-proofs.md).
 */
import type { SqlEntityManager } from '../db/orm.ts';
import {
  addCensusMember,
  lockCensusTree,
  reinstateCensusMember,
  removeCensusMember,
} from '../census/census-tree-service.ts';
import { decodeRecord } from '../funds/record-codec.ts';
import type { HouseholdPeriod } from '../fees/settlement-watchers.ts';
import { openFen, type Invoice } from '../fees/invoices.ts';
import { paidSetTree, periodNumber } from './paid-set-period.ts';

/** The actor of paid-set changes: they follow settlement, nobody makes them by hand. */
const PAID_SET_ACTOR = 'system';

async function isFullySettled(
  em: SqlEntityManager,
  communityId: string,
  { householdId, periodId }: HouseholdPeriod,
): Promise<boolean> {
  const rows: Array<{ record: string }> = await em.execute(
    'select record::text as record from money_invoices where community_id = ? and household_id = ? and period_id = ?',
    [communityId, householdId, periodId],
  );
  return rows.length > 0 && rows.every((row) => openFen(decodeRecord(row.record) as Invoice) <= 0n);
}

async function householdCommitment(
  em: SqlEntityManager,
  communityId: string,
  householdId: string,
): Promise<bigint | undefined> {
  const rows: Array<{ identity_commitment: string }> = await em.execute(
    `select identity_commitment from census_leaves where community_id = ? and kind = 'households' and household_id = ? and status = 'active'`,
    [communityId, householdId],
  );
  return rows[0] ? BigInt(rows[0].identity_commitment) : undefined;
}

/** Brings one household's leaf in the period's paid set in line with its invoices. */
async function syncOne(em: SqlEntityManager, communityId: string, touched: HouseholdPeriod): Promise<void> {
  const tree = paidSetTree(touched.periodId);
  await lockCensusTree(em, communityId, tree);
  const settled = await isFullySettled(em, communityId, touched);
  const leaves: Array<{ leaf_index: unknown; identity_commitment: string; status: string }> = await em.execute(
    'select leaf_index, identity_commitment, status from census_leaves where community_id = ? and kind = ? and household_id = ? order by leaf_index desc',
    [communityId, tree, touched.householdId],
  );
  const active = leaves.find((leaf) => leaf.status === 'active');
  if (!settled) {
    if (active)
      await removeCensusMember(em, {
        communityId,
        kind: tree,
        leafIndex: Number(active.leaf_index),
        actor: PAID_SET_ACTOR,
      });
    return;
  }
  const commitment = await householdCommitment(em, communityId, touched.householdId);
  if (active || commitment === undefined) return;
  const removed = leaves.find((leaf) => BigInt(leaf.identity_commitment) === commitment);
  if (removed) {
    await reinstateCensusMember(em, {
      communityId,
      kind: tree,
      leafIndex: Number(removed.leaf_index),
      actor: PAID_SET_ACTOR,
    });
    return;
  }
  await addCensusMember(em, {
    communityId,
    kind: tree,
    identityCommitment: commitment,
    weight: periodNumber(touched.periodId),
    accountId: null,
    householdId: touched.householdId,
    actor: PAID_SET_ACTOR,
  });
}

/** Household periods per look-up statement. */
const PAIRS_PER_LOOKUP = 500;

/**
 * Which of these household periods need a change, read without locks in two statements:
 * most units (an invoice run, a payment that leaves something open) change no paid set,
 * and they should not pay a tree lock for it. The ones that may are re-read under the
 * tree's lock by `syncOne`.
 */
async function candidates(
  em: SqlEntityManager,
  communityId: string,
  touched: readonly HouseholdPeriod[],
): Promise<HouseholdPeriod[]> {
  const households = [...new Set(touched.map((pair) => pair.householdId))];
  const periods = [...new Set(touched.map((pair) => pair.periodId))];
  const marks = (values: readonly unknown[]) => values.map(() => '?').join(', ');
  const invoices: Array<{ household_id: string; period_id: string; record: string }> = await em.execute(
    `select household_id, period_id, record::text as record from money_invoices
      where community_id = ? and household_id in (${marks(households)}) and period_id in (${marks(periods)})`,
    [communityId, ...households, ...periods],
  );
  const open = new Set<string>();
  const billed = new Set<string>();
  for (const row of invoices) {
    const key = `${row.household_id}/${row.period_id}`;
    billed.add(key);
    if (openFen(decodeRecord(row.record) as Invoice) > 0n) open.add(key);
  }
  const trees = periods.map(paidSetTree);
  const leaves: Array<{ household_id: string; kind: string; status: string }> = await em.execute(
    `select household_id, kind, status from census_leaves
      where community_id = ? and household_id in (${marks(households)}) and kind in ('households', ${marks(trees)}) and status = 'active'`,
    [communityId, ...households, ...trees],
  );
  const active = new Set(leaves.map((leaf) => `${leaf.household_id}/${leaf.kind}`));
  return touched.filter(({ householdId, periodId }) => {
    const key = `${householdId}/${periodId}`;
    const settled = billed.has(key) && !open.has(key);
    const inSet = active.has(`${householdId}/${paidSetTree(periodId)}`);
    return settled ? !inSet && active.has(`${householdId}/households`) : inSet;
  });
}

/** The settlement watcher: each touched household period that may change, in a fixed order (period, household). */
export async function syncPaidSets(
  em: SqlEntityManager,
  communityId: string,
  touched: readonly HouseholdPeriod[],
): Promise<void> {
  for (let start = 0; start < touched.length; start += PAIRS_PER_LOOKUP) {
    for (const householdPeriod of await candidates(em, communityId, touched.slice(start, start + PAIRS_PER_LOOKUP))) {
      await syncOne(em, communityId, householdPeriod);
    }
  }
}
