import { describe, expect, test } from '@jest/globals';
import { cashFlow, fundBalances, MAX_CASH_FLOW_RANGE_DAYS, trialBalance } from '../../src/funds/fund-reports.ts';
import { transfersPosted } from '../../src/funds/funds-ledger-entries.ts';
import type { TransferOrder } from '../../src/funds/transfers.ts';
import { addDays } from '../../src/funds/civil-dates.ts';
import { ACCOUNT, MoneyBook } from '../fees/money-book.ts';

let batch = 0;
function post(book: MoneyBook, postedOn: string, transfers: TransferOrder[]): void {
  batch++;
  book.run(transfersPosted, {
    batchId: `b${batch}`,
    idempotencyKey: `report-key-${batch}`,
    requestHash: 'e'.repeat(64),
    postedOn,
    transfers,
  });
}

function sampleBook(): MoneyBook {
  const book = new MoneyBook().openCommunityAccounts();
  post(book, '2026-01-05', [
    {
      debitAccountId: ACCOUNT.operating,
      creditAccountId: ACCOUNT.external,
      amountFen: 10_000n,
      code: 'opening-balance',
    },
  ]);
  post(book, '2026-02-10', [
    {
      debitAccountId: ACCOUNT.maintenanceFund,
      creditAccountId: ACCOUNT.external,
      amountFen: 50_000n,
      code: 'contribution',
    },
  ]);
  post(book, '2026-02-11', [
    { debitAccountId: ACCOUNT.expenses, creditAccountId: ACCOUNT.operating, amountFen: 3_000n, code: 'manual' },
    {
      debitAccountId: ACCOUNT.activityFund,
      creditAccountId: ACCOUNT.operating,
      amountFen: 2_000n,
      code: 'fund-transfer',
    },
  ]);
  post(book, '2026-02-28', [
    { debitAccountId: ACCOUNT.operating, creditAccountId: ACCOUNT.clearing, amountFen: 700n, code: 'provider-payout' },
  ]);
  post(book, '2026-03-01', [
    { debitAccountId: ACCOUNT.expenses, creditAccountId: ACCOUNT.operating, amountFen: 100n, code: 'manual' },
  ]);
  return book;
}

describe('fund reports', () => {
  test('the trial balance: all debits equal all credits', () => {
    const book = sampleBook();
    const { debitsFen, creditsFen } = trialBalance(book.state.accounts.values());
    expect(debitsFen).toBe(creditsFen);
    expect(debitsFen).toBe(10_000n + 50_000n + 3_000n + 2_000n + 700n + 100n);
  });

  test('fund balances: what operating, the maintenance fund and each activity fund hold', () => {
    const { funds, totalsByKind } = fundBalances(sampleBook().state.accounts.values());
    expect(funds).toEqual([
      { accountId: ACCOUNT.activityFund, kind: 'activity-fund', ownerId: 'picnic-2026', balanceFen: 2_000n },
      { accountId: ACCOUNT.maintenanceFund, kind: 'maintenance-fund', ownerId: null, balanceFen: 50_000n },
      {
        accountId: ACCOUNT.operating,
        kind: 'operating',
        ownerId: null,
        balanceFen: 10_000n - 3_000n - 2_000n + 700n - 100n,
      },
    ]);
    expect(totalsByKind.get('operating')).toBe(5_600n);
  });

  test('cash flow of February: opening balance, money in and out by code, closing balance', () => {
    const book = sampleBook();
    const operating = book.state.accounts.get(ACCOUNT.operating)!;
    const flow = cashFlow(operating, book.state.transfers.values(), '2026-02-01', '2026-02-28');
    expect(flow).toMatchObject({
      openingBalanceFen: 10_000n,
      inflowFen: 700n,
      outflowFen: 5_000n,
      closingBalanceFen: 5_700n,
    });
    expect(Object.fromEntries(flow.byCode)).toEqual({
      manual: { inflowFen: 0n, outflowFen: 3_000n },
      'fund-transfer': { inflowFen: 0n, outflowFen: 2_000n },
      'provider-payout': { inflowFen: 700n, outflowFen: 0n },
    });
  });

  test('cash flow of a credit-normal account counts credits as money in', () => {
    const book = sampleBook();
    const external = book.state.accounts.get(ACCOUNT.external)!;
    expect(cashFlow(external, book.state.transfers.values(), '2026-01-01', '2026-12-31')).toMatchObject({
      inflowFen: 60_000n,
      outflowFen: 0n,
    });
  });

  test('the closing balance of a range ending today is the account’s balance', () => {
    const book = sampleBook();
    const operating = book.state.accounts.get(ACCOUNT.operating)!;
    const flow = cashFlow(operating, book.state.transfers.values(), '2026-01-01', '2026-03-01');
    expect(flow.closingBalanceFen).toBe(operating.debitsFen - operating.creditsFen);
  });

  test(`refuses a range that ends before it starts or spans ${MAX_CASH_FLOW_RANGE_DAYS} days or more`, () => {
    const book = sampleBook();
    const operating = book.state.accounts.get(ACCOUNT.operating)!;
    expect(() => cashFlow(operating, [], '2026-02-02', '2026-02-01')).toThrow(/to/);
    expect(() => cashFlow(operating, [], '2026-01-01', addDays('2026-01-01', MAX_CASH_FLOW_RANGE_DAYS))).toThrow(
      /3660/,
    );
    expect(() =>
      cashFlow(operating, [], '2026-01-01', addDays('2026-01-01', MAX_CASH_FLOW_RANGE_DAYS - 1)),
    ).not.toThrow();
  });
});
