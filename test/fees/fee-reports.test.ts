import { describe, expect, test } from '@jest/globals';
import { arrearsAgeing, collectionRate } from '../../src/fees/fee-reports.ts';
import type { Invoice } from '../../src/fees/invoices.ts';

function invoice(
  invoiceId: string,
  householdId: string,
  periodId: string,
  dueDate: string,
  principalFen: bigint,
  paidFen: bigint,
  lateFeeFen = 0n,
): Invoice {
  return {
    invoiceId,
    householdId,
    scheduleId: 'property-fee',
    scheduleVersion: 1,
    periodId,
    issuedOn: `${periodId}-01`,
    dueDate,
    graceDays: 5,
    principalFen,
    principalCorrectionFen: 0n,
    lateFeeFen,
    lateFeePostedFen: lateFeeFen,
    paidFen,
    lastLateFeeStep: 0,
    lastReminderStep: -1,
  };
}

describe('collection rate of a period', () => {
  const invoices = [
    invoice('a', 'h1', '2026-03', '2026-03-15', 20_000n, 20_000n),
    invoice('b', 'h2', '2026-03', '2026-03-15', 30_000n, 10_000n),
    invoice('c', 'h3', '2026-03', '2026-03-15', 10_000n, 0n),
    // Paid principal and part of a late fee: only the principal counts.
    invoice('d', 'h4', '2026-03', '2026-03-15', 15_000n, 15_500n, 1_000n),
    invoice('e', 'h1', '2026-02', '2026-02-15', 99_999n, 0n),
  ];

  test('is paid principal over billed principal for the period’s invoices, exact and in basis points', () => {
    // billed 75,000; collected 20,000 + 10,000 + 0 + 15,000 = 45,000; 45,000 / 75,000 = 3/5 = 6,000 bp.
    expect(collectionRate(invoices, '2026-03')).toEqual({
      periodId: '2026-03',
      invoiceCount: 4,
      paidInFullCount: 1,
      billedFen: 75_000n,
      collectedFen: 45_000n,
      rate: { numerator: 3n, denominator: 5n },
      rateBasisPoints: 6_000,
    });
  });

  test('rounds the basis points half up', () => {
    // 1 / 3 = 3,333.33 bp → 3,333; 2 / 3 = 6,666.67 bp → 6,667.
    expect(collectionRate([invoice('x', 'h1', '2026-04', '2026-04-15', 3n, 1n)], '2026-04').rateBasisPoints).toBe(
      3_333,
    );
    expect(collectionRate([invoice('x', 'h1', '2026-04', '2026-04-15', 3n, 2n)], '2026-04').rateBasisPoints).toBe(
      6_667,
    );
    // 1 / 20,000 = 0.5 bp → 1.
    expect(collectionRate([invoice('x', 'h1', '2026-04', '2026-04-15', 20_000n, 1n)], '2026-04').rateBasisPoints).toBe(
      1,
    );
  });

  test('has no rate when nothing was billed', () => {
    expect(collectionRate(invoices, '2026-09')).toMatchObject({ invoiceCount: 0, rate: null, rateBasisPoints: null });
  });
});

describe('arrears ageing', () => {
  const asOf = '2026-12-31';
  const invoices = [
    invoice('due-today', 'h1', '2026-12', '2026-12-31', 1_000n, 0n),
    invoice('1-day', 'h1', '2026-12', '2026-12-30', 2_000n, 500n),
    invoice('30-days', 'h2', '2026-12', '2026-12-01', 4_000n, 0n),
    invoice('31-days', 'h2', '2026-11', '2026-11-30', 8_000n, 0n),
    invoice('90-days', 'h3', '2026-10', '2026-10-02', 16_000n, 0n),
    invoice('91-days', 'h3', '2026-10', '2026-10-01', 32_000n, 0n, 100n),
    invoice('180-days', 'h4', '2026-07', '2026-07-04', 64_000n, 0n),
    invoice('181-days', 'h4', '2026-07', '2026-07-03', 128_000n, 0n),
    invoice('paid', 'h5', '2026-01', '2026-01-15', 256_000n, 256_000n),
  ];

  test('puts each open invoice in the bucket of its days past due, with late fees in its open amount', () => {
    const ageing = arrearsAgeing(invoices, asOf);
    expect(ageing.buckets).toEqual([
      { minDays: 1, maxDays: 30, amountFen: 1_500n + 4_000n, invoiceCount: 2 },
      { minDays: 31, maxDays: 90, amountFen: 8_000n + 16_000n, invoiceCount: 2 },
      { minDays: 91, maxDays: 180, amountFen: 32_100n + 64_000n, invoiceCount: 2 },
      { minDays: 181, maxDays: null, amountFen: 128_000n, invoiceCount: 1 },
    ]);
    expect(ageing).toMatchObject({ asOf, arrearsFen: 253_600n, householdsInArrears: 4, notYetDueFen: 1_000n });
  });
});
