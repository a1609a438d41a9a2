/**
 * What an activity's money did, read from its fund account's transfers in the money
 * projection (src/funds/): the closing report. Aggregates only, never a household.
 */
import type { SqlEntityManager } from '../db/orm.ts';

export interface FundFlows {
  feesFen: bigint;
  refundsFen: bigint;
  contributionsFen: bigint;
  /** Paid in from the community fund on approval. */
  grantFen: bigint;
  /** Executed spends. */
  expensesFen: bigint;
  /** Paid back to the community fund at settlement or cancellation. */
  returnedFen: bigint;
  /** What the fund holds now. */
  balanceFen: bigint;
}

export async function fundFlows(em: SqlEntityManager, communityId: string, fundAccountId: string): Promise<FundFlows> {
  const rows: Array<{ side: string; code: string; total: string }> = await em.execute(
    `select case when debit_account_id = ? then 'in' else 'out' end as side, code, sum(amount_fen)::text as total
       from money_transfers
      where community_id = ? and (debit_account_id = ? or credit_account_id = ?)
      group by 1, 2`,
    [fundAccountId, communityId, fundAccountId, fundAccountId],
  );
  const total = (side: 'in' | 'out', code: string) =>
    BigInt(rows.find((row) => row.side === side && row.code === code)?.total ?? '0');
  const flows = {
    feesFen: total('in', 'activity-fee'),
    refundsFen: total('out', 'activity-refund'),
    contributionsFen: total('in', 'contribution'),
    grantFen: total('in', 'fund-transfer'),
    expensesFen: total('out', 'spend'),
    returnedFen: total('out', 'fund-transfer'),
  };
  const balanceFen =
    flows.feesFen + flows.contributionsFen + flows.grantFen - flows.refundsFen - flows.expensesFen - flows.returnedFen;
  return { ...flows, balanceFen };
}
