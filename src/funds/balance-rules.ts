/**
 * Sign convention and balance rules.
 *
 * Every account keeps two cumulative totals, as TigerBeetle does: `debitsFen` and
 * `creditsFen`, both only ever growing. The **signed balance is debits − credits**, one
 * convention for every account. A balance rule bounds that signed balance:
 *
 * | rule           | signed balance | TigerBeetle flag                    | used by                            |
 * | -------------- | -------------- | ----------------------------------- | ---------------------------------- |
 * | `non-negative` | ≥ 0            | `credits_must_not_exceed_debits`    | cash, receivables, expenses        |
 * | `non-positive` | ≤ 0            | `debits_must_not_exceed_credits`    | household credit, income           |
 * | `unbounded`    | any            | neither                             | the outside world, clearing        |
 *
 * An account's *natural* balance is the signed balance seen from its normal side:
 * debits − credits for a debit-normal account (assets, expenses), credits − debits for a
 * credit-normal one (what the community owes, income). Reports show natural balances, so
 * "the maintenance fund holds 10,000 yuan" and "household 7 has 30 yuan of credit" both
 * read as positive numbers.
 */
export type BalanceRule = 'non-negative' | 'non-positive' | 'unbounded';
export type NormalSide = 'debit' | 'credit';

export const BALANCE_RULES: readonly BalanceRule[] = ['non-negative', 'non-positive', 'unbounded'];

export interface AccountTotals {
  debitsFen: bigint;
  creditsFen: bigint;
}

export function signedBalanceFen(totals: AccountTotals): bigint {
  return totals.debitsFen - totals.creditsFen;
}

export function naturalBalanceFen(totals: AccountTotals, normalSide: NormalSide): bigint {
  const signed = signedBalanceFen(totals);
  return normalSide === 'debit' ? signed : -signed;
}

export function satisfiesBalanceRule(rule: BalanceRule, signedBalance: bigint): boolean {
  switch (rule) {
    case 'non-negative':
      return signedBalance >= 0n;
    case 'non-positive':
      return signedBalance <= 0n;
    case 'unbounded':
      return true;
  }
}

/** How a rule reads in an error message, from the account's own point of view. */
export function describeBalanceRule(rule: BalanceRule, normalSide: NormalSide): string {
  if (rule === 'unbounded') return 'has no balance limit';
  const bounded = (rule === 'non-negative') === (normalSide === 'debit');
  return bounded ? 'may not go below zero' : 'may not go above zero';
}
