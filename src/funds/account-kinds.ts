/**
 * The kinds of account a community's books hold, each with its normal side, its balance
 * rule (see balance-rules.ts) and what owns it. There is at most one account per
 * (kind, owner) in a community, so a household's receivable or an activity's fund is
 * found from the owner's id alone.
 *
 * Why these and no others — the transfer graph they form:
 *
 *   invoice issued     household-receivable  ← fee-income          (billed, owed)
 *   late fee posted    household-receivable  ← late-fee-income
 *   payment (cash)     operating             ← household-receivable (and household-credit for an overpayment)
 *   payment (online)   payment-clearing      ← household-receivable
 *   provider payout    operating             ← payment-clearing
 *   credit used        household-credit      ← household-receivable
 *   refund             household-credit or household-receivable ← operating or payment-clearing
 *   spend              expenses              ← operating, maintenance-fund or activity-fund
 *   money from outside operating / maintenance-fund / activity-fund ← external
 *
 * (`A ← B` means debit A, credit B.) `external` is the world beyond the books — opening
 * balances, owners' deposits into the maintenance fund, grants, a transfer to the housing
 * authority — like Formance's `@world`, the one place money may appear from; it is
 * unbounded because the world's balance is not ours to limit. `expenses` receives every
 * spend so that cash flow shows where money went; the payee is an id on the spend, not an
 * account, so no person becomes part of the account graph. `payment-clearing` is
 * unbounded because a provider nets refunds against later payouts and its statements and
 * webhooks arrive in either order.
 */
import type { BalanceRule, NormalSide } from './balance-rules.ts';

export type AccountOwnerKind = 'none' | 'household' | 'activity' | 'payment-provider';

export interface AccountKindRules {
  normalSide: NormalSide;
  balanceRule: BalanceRule;
  owner: AccountOwnerKind;
  /** Money held by the community that a spend may draw from. */
  spendable: boolean;
}

export const ACCOUNT_KINDS = {
  operating: { normalSide: 'debit', balanceRule: 'non-negative', owner: 'none', spendable: true },
  'maintenance-fund': { normalSide: 'debit', balanceRule: 'non-negative', owner: 'none', spendable: true },
  'activity-fund': { normalSide: 'debit', balanceRule: 'non-negative', owner: 'activity', spendable: true },
  'household-receivable': { normalSide: 'debit', balanceRule: 'non-negative', owner: 'household', spendable: false },
  'household-credit': { normalSide: 'credit', balanceRule: 'non-positive', owner: 'household', spendable: false },
  'payment-clearing': { normalSide: 'debit', balanceRule: 'unbounded', owner: 'payment-provider', spendable: false },
  'fee-income': { normalSide: 'credit', balanceRule: 'non-positive', owner: 'none', spendable: false },
  'late-fee-income': { normalSide: 'credit', balanceRule: 'non-positive', owner: 'none', spendable: false },
  expenses: { normalSide: 'debit', balanceRule: 'non-negative', owner: 'none', spendable: false },
  external: { normalSide: 'credit', balanceRule: 'unbounded', owner: 'none', spendable: false },
} as const satisfies Record<string, AccountKindRules>;

export type AccountKind = keyof typeof ACCOUNT_KINDS;

export const ACCOUNT_KIND_NAMES = Object.keys(ACCOUNT_KINDS) as AccountKind[];

/** Kinds whose money a payment may land in: the operating account (cash, bank) or a provider's clearing account. */
export const PAYMENT_CASH_KINDS: readonly AccountKind[] = ['operating', 'payment-clearing'];

export function isAccountKind(value: string): value is AccountKind {
  return Object.hasOwn(ACCOUNT_KINDS, value);
}

export function rulesOfKind(kind: AccountKind): AccountKindRules {
  return ACCOUNT_KINDS[kind];
}

/** The lookup key of the (kind, owner) pair; at most one account per key and community. */
export function accountKey(kind: AccountKind, ownerId: string | null): string {
  return ownerId === null ? kind : `${kind}/${ownerId}`;
}
