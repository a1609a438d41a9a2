/**
 * A fee period as the paid-set proof sees it: the tree it lives in and the number its
 * leaves carry as their attribute.
 *
 * Period number (the public `attribute` of a fee proof, leaf = Poseidon(identityCommitment,
 * periodNumber)): year × 100 + a two-digit code, so it reads like the period id and no two
 * periods share it:
 *
 * | period id | code        | number   |
 * | --------- | ----------- | -------- |
 * | `2026-03` | month 01–12 | `202603` |
 * | `2026-Q1` | 20 + quarter (21–24) | `202621` |
 * | `2026`    | 00          | `202600` |
 */
import { parsePeriodId, type BillingPeriod } from '../fees/billing-periods.ts';
import { scopedCensusTree, type ScopedCensusTree } from '../census/census.entity.ts';

/** The kind of the census's scoped trees that hold a fee period's fully paid households. */
export const PAID_SET_KIND = 'fees-paid';

export function periodNumberOf(period: BillingPeriod): number {
  const code =
    period.frequency === 'month'
      ? period.firstMonth
      : period.frequency === 'quarter'
        ? 20 + (period.firstMonth - 1) / 3 + 1
        : 0;
  return period.year * 100 + code;
}

/** The period number of a period id; INVALID_INPUT naming `parameter` for a malformed id. */
export function periodNumber(periodId: string, parameter = 'periodId'): number {
  return periodNumberOf(parsePeriodId(periodId, parameter));
}

/** The census tree of the period's paid set, `fees-paid:<periodId>`. */
export function paidSetTree(periodId: string): ScopedCensusTree {
  return scopedCensusTree(PAID_SET_KIND, parsePeriodId(periodId).periodId);
}
