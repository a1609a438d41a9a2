/**
 * Funds reports, as pure functions over the account and transfer projections.
 *
 * - **Trial balance**: the sums of all debits and all credits — equal, always, in a
 *   double-entry book; the audit checks it.
 * - **Fund balances**: the natural balance of each account that holds the community's
 *   money (operating, maintenance fund, each activity fund), and the total per kind.
 * - **Cash flow** of one account over a civil-date range (both ends included): the
 *   balance before the range, what came in and went out within it (in the account's
 *   natural terms: for a fund, money in is a debit), by transfer code, and the balance
 *   after it.
 */
import { InvalidInputError } from '../domain-error.ts';
import { ACCOUNT_KINDS, rulesOfKind, type AccountKind } from './account-kinds.ts';
import { accountNaturalBalanceFen, type Account } from './accounts.ts';
import { compareCivilDates, daysBetween, type CivilDate } from './civil-dates.ts';
import type { TransferRecord } from './funds-state.ts';
import type { TransferCode } from './transfer-codes.ts';

/** Ten years: longer ranges are several reports. */
export const MAX_CASH_FLOW_RANGE_DAYS = 3_660;

export function trialBalance(accounts: Iterable<Account>): { debitsFen: bigint; creditsFen: bigint } {
  let debitsFen = 0n;
  let creditsFen = 0n;
  for (const account of accounts) {
    debitsFen += account.debitsFen;
    creditsFen += account.creditsFen;
  }
  return { debitsFen, creditsFen };
}

export const FUND_KINDS: readonly AccountKind[] = (Object.keys(ACCOUNT_KINDS) as AccountKind[]).filter(
  (kind) => rulesOfKind(kind).spendable,
);

export interface FundBalance {
  accountId: string;
  kind: AccountKind;
  ownerId: string | null;
  balanceFen: bigint;
}

export function fundBalances(accounts: Iterable<Account>): {
  funds: FundBalance[];
  totalsByKind: Map<AccountKind, bigint>;
} {
  const funds: FundBalance[] = [];
  const totalsByKind = new Map<AccountKind, bigint>(FUND_KINDS.map((kind) => [kind, 0n]));
  for (const account of accounts) {
    if (!FUND_KINDS.includes(account.kind)) continue;
    const balanceFen = accountNaturalBalanceFen(account);
    funds.push({ accountId: account.accountId, kind: account.kind, ownerId: account.ownerId, balanceFen });
    totalsByKind.set(account.kind, totalsByKind.get(account.kind)! + balanceFen);
  }
  funds.sort((a, b) => (a.accountId < b.accountId ? -1 : a.accountId > b.accountId ? 1 : 0));
  return { funds, totalsByKind };
}

export interface CashFlow {
  accountId: string;
  from: CivilDate;
  to: CivilDate;
  openingBalanceFen: bigint;
  inflowFen: bigint;
  outflowFen: bigint;
  closingBalanceFen: bigint;
  byCode: Map<TransferCode, { inflowFen: bigint; outflowFen: bigint }>;
}

/** `transfers` are the account's transfers up to `to` (earlier ones make the opening balance; later ones are ignored). */
export function cashFlow(
  account: Account,
  transfers: Iterable<TransferRecord>,
  from: CivilDate,
  to: CivilDate,
): CashFlow {
  const span = daysBetween(from, to);
  if (span < 0) throw new InvalidInputError('to', 'must not precede from');
  if (span >= MAX_CASH_FLOW_RANGE_DAYS)
    throw new InvalidInputError('to', `must lie within ${MAX_CASH_FLOW_RANGE_DAYS} days of from`);
  const debitIsInflow = rulesOfKind(account.kind).normalSide === 'debit';
  const flow: CashFlow = {
    accountId: account.accountId,
    from,
    to,
    openingBalanceFen: 0n,
    inflowFen: 0n,
    outflowFen: 0n,
    closingBalanceFen: 0n,
    byCode: new Map(),
  };
  for (const transfer of transfers) {
    const debited = transfer.debitAccountId === account.accountId;
    if (!debited && transfer.creditAccountId !== account.accountId) continue;
    if (compareCivilDates(transfer.postedOn, to) > 0) continue;
    const inflow = debited === debitIsInflow;
    if (compareCivilDates(transfer.postedOn, from) < 0) {
      flow.openingBalanceFen += inflow ? transfer.amountFen : -transfer.amountFen;
      continue;
    }
    const line = flow.byCode.get(transfer.code) ?? { inflowFen: 0n, outflowFen: 0n };
    if (inflow) {
      flow.inflowFen += transfer.amountFen;
      line.inflowFen += transfer.amountFen;
    } else {
      flow.outflowFen += transfer.amountFen;
      line.outflowFen += transfer.amountFen;
    }
    flow.byCode.set(transfer.code, line);
  }
  flow.closingBalanceFen = flow.openingBalanceFen + flow.inflowFen - flow.outflowFen;
  return flow;
}
