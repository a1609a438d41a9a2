/**
 * Replay equals live for paid sets (the module's `replay` hook, `npm run ledger:replay`
 * and the audit): the census's scoped-tree comparison of every `fees-paid:<period>` tree
 * (src/census/scoped-tree-replay.ts), each leaf rebuilt with its period's number; then checks the rule the paid
 * set follows against the live money tables — a household is in the set exactly when its
 * invoices of the period are settled and it has a households-census identity. Each
 * difference names its tree (and leaf or household id — an id, never personal data).
 */
import type { SqlEntityManager } from '../db/orm.ts';
import type { ReplayComparison } from '../kernel/domain-module.ts';
import { integratePending } from '../ledger/integrator.ts';
import { decodeRecord } from '../funds/record-codec.ts';
import { openFen, type Invoice } from '../fees/invoices.ts';
import { compareScopedTrees } from '../census/scoped-tree-replay.ts';
import { PAID_SET_KIND, periodNumber } from './paid-set-period.ts';

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
  // A paid-set leaf carries its period's number, whatever the entry says.
  const { entries, kinds, differences } = await compareScopedTrees(em, communityId, PAID_SET_KIND, (kind) =>
    BigInt(periodNumber(kind.slice(PAID_SET_KIND.length + 1))),
  );
  await compareWithMoney(em, communityId, kinds, differences);
  return { entries, differences };
}
