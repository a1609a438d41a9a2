/**
 * Reports read live from the projection tables and computed by the pure report rules
 * (fee-reports.ts, fund-reports.ts), so a report equals what the rules say of the rows.
 * Aggregates (collection rate, arrears ageing, fund balances) are for anyone who reads the
 * community — its members and its regulators — and never name a household; cash flow of
 * one account is for the community's managers and committee.
 */
import { ForbiddenError, NotFoundError, UnauthenticatedError } from '../domain-error.ts';
import { canReadCommunity } from '../accounts/viewer.ts';
import type { CivilDate } from '../funds/civil-dates.ts';
import { cashFlow, fundBalances, trialBalance, type CashFlow, type FundBalance } from '../funds/fund-reports.ts';
import { arrearsAgeing, collectionRate, type ArrearsAgeing, type CollectionRate } from './fee-reports.ts';
import { readTable, requireBooksReader, type MoneyContext } from './money-commands.ts';
import { todayOf } from './money-services.ts';
import { parsePeriodId } from './billing-periods.ts';

function requireAggregateReader(context: MoneyContext, communityId: string): void {
  if (!context.viewer) throw new UnauthenticatedError();
  if (!canReadCommunity(context.viewer, communityId))
    throw new ForbiddenError("Only the community's members and regulators read its reports");
}

export async function collectionRateReport(
  context: MoneyContext,
  communityId: string,
  periodId: string,
): Promise<CollectionRate> {
  requireAggregateReader(context, communityId);
  // Checked before it reaches SQL: a NUL or any other non-period text is INVALID_INPUT, not a driver error.
  const period = parsePeriodId(periodId).periodId;
  const invoices = await readTable(context.em, communityId, 'invoices', 'period_id = ?', [period]);
  return collectionRate([...invoices.values()], period);
}

export async function arrearsReport(
  context: MoneyContext,
  communityId: string,
  asOf?: CivilDate,
): Promise<ArrearsAgeing> {
  requireAggregateReader(context, communityId);
  const invoices = await readTable(context.em, communityId, 'invoices');
  return arrearsAgeing([...invoices.values()], asOf ?? todayOf(context.services.money));
}

export interface FundReport {
  funds: FundBalance[];
  /** Sum of all debits and all credits of the books: always equal. */
  debitsFen: bigint;
  creditsFen: bigint;
}

export async function fundReport(context: MoneyContext, communityId: string): Promise<FundReport> {
  requireAggregateReader(context, communityId);
  const accounts = [...(await readTable(context.em, communityId, 'accounts')).values()];
  const totals = trialBalance(accounts);
  return { funds: fundBalances(accounts).funds, ...totals };
}

export async function cashFlowReport(
  context: MoneyContext,
  communityId: string,
  accountId: string,
  from: CivilDate,
  to: CivilDate,
): Promise<CashFlow> {
  requireBooksReader(context.viewer, communityId);
  const account = (await readTable(context.em, communityId, 'accounts', 'key = ?', [accountId])).get(accountId);
  if (!account) throw new NotFoundError(`Account ${accountId}`);
  const transfers = await readTable(
    context.em,
    communityId,
    'transfers',
    '(debit_account_id = ? or credit_account_id = ?) and posted_on <= ?::date',
    [accountId, accountId, to],
  );
  return cashFlow(account, transfers.values(), from, to);
}
