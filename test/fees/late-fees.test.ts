import { describe, expect, test } from '@jest/globals';
import {
  dueLateFeeSteps,
  lateFeeStepAmountFen,
  MAX_LATE_FEE_STEPS,
  type LateFeeRule,
} from '../../src/fees/late-fees.ts';
import { planLateFees } from '../../src/fees/late-fee-planner.ts';
import { invoiceIssued } from '../../src/fees/invoice-ledger-entries.ts';
import { lateFeePosted } from '../../src/fees/collection-ledger-entries.ts';
import { paymentRecorded } from '../../src/fees/payment-ledger-entries.ts';
import { invoiceCorrected } from '../../src/fees/invoice-ledger-entries.ts';
import { DuplicateRecordError } from '../../src/funds/funds-errors.ts';
import { ACCOUNT, MoneyBook, naturalBalance, receivableOf } from './money-book.ts';

const daily: LateFeeRule = { kind: 'daily', basisPointsPerDay: 5, postEveryDays: 30, capFen: 3_000n };

describe('late-fee amounts', () => {
  test('fixed: the amount, once', () => {
    const rule: LateFeeRule = { kind: 'fixed', amountFen: 2_000n, capFen: 2_000n };
    expect(
      dueLateFeeSteps(rule, { lastStep: 0, postedSoFarFen: 0n, unpaidPrincipalFen: 20_000n, daysOverdue: 400 }),
    ).toEqual([{ step: 1, amountFen: 2_000n }]);
    expect(
      dueLateFeeSteps(rule, { lastStep: 1, postedSoFarFen: 2_000n, unpaidPrincipalFen: 20_000n, daysOverdue: 400 }),
    ).toEqual([]);
  });

  test('percentage: basis points of the unpaid principal, rounded half up once', () => {
    const rule: LateFeeRule = { kind: 'percentage', basisPoints: 250, capFen: 1_000_000n };
    expect(lateFeeStepAmountFen(rule, 20_020n, 0n)).toBe(501n); // 500.5 fen
    expect(lateFeeStepAmountFen(rule, 20_019n, 0n)).toBe(500n); // 500.475 fen
  });

  test('daily: a step every 30 days, each 5 bp a day of the unpaid principal, never past the cap', () => {
    // 20,000 fen × 0.05 % × 30 days = 300 fen a step; the cap of 3,000 fen is reached at step 10.
    const steps = dueLateFeeSteps(daily, {
      lastStep: 0,
      postedSoFarFen: 0n,
      unpaidPrincipalFen: 20_000n,
      daysOverdue: 365,
    });
    expect(steps.map((step) => step.step)).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9, 10]);
    expect(steps.every((step) => step.amountFen === 300n)).toBe(true);
    const capped = dueLateFeeSteps(daily, {
      lastStep: 0,
      postedSoFarFen: 2_900n,
      unpaidPrincipalFen: 20_000n,
      daysOverdue: 365,
    });
    expect(capped).toEqual([{ step: 1, amountFen: 100n }]);
  });

  test('nothing is due before the first step, on paid principal, or past the last step', () => {
    expect(
      dueLateFeeSteps(daily, { lastStep: 0, postedSoFarFen: 0n, unpaidPrincipalFen: 20_000n, daysOverdue: 29 }),
    ).toEqual([]);
    expect(
      dueLateFeeSteps(daily, { lastStep: 0, postedSoFarFen: 0n, unpaidPrincipalFen: 0n, daysOverdue: 90 }),
    ).toEqual([]);
    const generous: LateFeeRule = { ...daily, postEveryDays: 1, capFen: 10n ** 9n };
    expect(
      dueLateFeeSteps(generous, { lastStep: 0, postedSoFarFen: 0n, unpaidPrincipalFen: 20_000n, daysOverdue: 1_000 }),
    ).toHaveLength(MAX_LATE_FEE_STEPS);
  });
});

describe('late fees on the ledger', () => {
  function bookWithLateInvoice(rule: LateFeeRule = daily): MoneyBook {
    const book = new MoneyBook().openCommunityAccounts().addHousehold('h1');
    book.version({ lateFee: rule });
    book.run(invoiceIssued, {
      invoiceId: 'jan',
      householdId: 'h1',
      scheduleId: 'property-fee',
      periodId: '2026-01',
      areaCentiSquareMetres: 10_000,
      issuedOn: '2026-01-01',
    });
    return book; // due 2026-01-15, grace 5 days: overdue from 2026-01-21; step k due on 2026-01-20 + 30k.
  }
  const ruleOf = (book: MoneyBook) => () => book.state.scheduleVersions.get('property-fee/1')!.lateFee;

  test('the planner lists each due step once; posting them charges the receivable and late-fee income', () => {
    const book = bookWithLateInvoice();
    const invoices = () => [...book.state.invoices.values()];
    expect(planLateFees(invoices(), ruleOf(book), '2026-02-18')).toEqual([]);
    const planned = planLateFees(invoices(), ruleOf(book), '2026-03-21');
    expect(planned).toEqual([
      { invoiceId: 'jan', step: 1, amountFen: 300n, key: 'jan/1' },
      { invoiceId: 'jan', step: 2, amountFen: 300n, key: 'jan/2' },
    ]);
    for (const { invoiceId, step, amountFen } of planned) {
      expect(book.run(lateFeePosted, { invoiceId, step, postedOn: '2026-03-21' }).payload.amountFen).toBe(
        String(amountFen),
      );
    }
    expect(planLateFees(invoices(), ruleOf(book), '2026-03-21')).toEqual([]);
    expect(naturalBalance(book, ACCOUNT.lateFeeIncome)).toBe(600n);
    expect(naturalBalance(book, receivableOf('h1'))).toBe(20_600n);
    expect(book.state.lateFees.get('jan/2')).toEqual({
      invoiceId: 'jan',
      step: 2,
      amountFen: 300n,
      postedOn: '2026-03-21',
    });
  });

  test('a step is posted exactly once, in order, and only when due', () => {
    const book = bookWithLateInvoice();
    expect(() => book.run(lateFeePosted, { invoiceId: 'jan', step: 1, postedOn: '2026-02-18' })).toThrow(/not due yet/);
    expect(() => book.run(lateFeePosted, { invoiceId: 'jan', step: 2, postedOn: '2026-04-30' })).toThrow(/must be 1/);
    book.run(lateFeePosted, { invoiceId: 'jan', step: 1, postedOn: '2026-02-19' });
    expect(() => book.run(lateFeePosted, { invoiceId: 'jan', step: 1, postedOn: '2026-02-19' })).toThrow(
      DuplicateRecordError,
    );
  });

  test('payments settle principal before late fees, so no late fee accrues once the principal is paid', () => {
    const book = bookWithLateInvoice();
    book.run(lateFeePosted, { invoiceId: 'jan', step: 1, postedOn: '2026-02-19' });
    book.run(paymentRecorded, {
      paymentId: 'p1',
      householdId: 'h1',
      amountFen: 20_000n,
      cashAccountId: ACCOUNT.operating,
      idempotencyKey: 'key-p1-late',
      requestHash: 'a'.repeat(64),
      receivedOn: '2026-02-20',
    });
    const invoice = book.state.invoices.get('jan')!;
    expect(invoice.paidFen).toBe(20_000n);
    expect(planLateFees([invoice], ruleOf(book), '2026-12-31')).toEqual([]);
    expect(() => book.run(lateFeePosted, { invoiceId: 'jan', step: 2, postedOn: '2026-03-21' })).toThrow(
      /charges nothing/,
    );
  });

  test('a waiver reduces the late fee but does not give the cap back', () => {
    const book = bookWithLateInvoice({ kind: 'fixed', amountFen: 500n, capFen: 500n });
    book.run(lateFeePosted, { invoiceId: 'jan', step: 1, postedOn: '2026-01-21' });
    book.run(invoiceCorrected, {
      correctionId: 'waive',
      invoiceId: 'jan',
      component: 'late-fee',
      deltaFen: -500n,
      correctedOn: '2026-01-22',
    });
    expect(book.state.invoices.get('jan')).toMatchObject({ lateFeeFen: 0n, lateFeePostedFen: 500n });
    expect(naturalBalance(book, ACCOUNT.lateFeeIncome)).toBe(0n);
    expect(planLateFees([...book.state.invoices.values()], ruleOf(book), '2026-12-31')).toEqual([]);
    expect(book.replay()).toEqual(book.state);
  });

  test('a schedule without a late-fee rule posts none', () => {
    const book = new MoneyBook().openCommunityAccounts().addHousehold('h1');
    book.version();
    book.run(invoiceIssued, {
      invoiceId: 'jan',
      householdId: 'h1',
      scheduleId: 'property-fee',
      periodId: '2026-01',
      areaCentiSquareMetres: 10_000,
      issuedOn: '2026-01-01',
    });
    expect(() => book.run(lateFeePosted, { invoiceId: 'jan', step: 1, postedOn: '2026-06-01' })).toThrow(
      /no late-fee rule/,
    );
  });
});
