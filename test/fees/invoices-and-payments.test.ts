import { beforeEach, describe, expect, test } from '@jest/globals';
import { invoiceCorrected, invoiceIssued } from '../../src/fees/invoice-ledger-entries.ts';
import { paymentRecorded, paymentRefunded } from '../../src/fees/payment-ledger-entries.ts';
import { receiptOf } from '../../src/fees/receipts.ts';
import { openFen } from '../../src/fees/invoices.ts';
import { allocateOldestFirst, MAX_INVOICES_PER_SETTLEMENT } from '../../src/fees/payment-allocation.ts';
import { requestFingerprint } from '../../src/funds/idempotency.ts';
import { transfersPosted } from '../../src/funds/funds-ledger-entries.ts';
import { BalanceRuleBrokenError, EntryMismatchError, IdempotencyConflictError } from '../../src/funds/funds-errors.ts';
import { moneyFold } from '../../src/fees/money-fold.ts';
import { emptyMoneyState } from '../../src/fees/fees-state.ts';
import { InvalidInputError, NotFoundError } from '../../src/domain-error.ts';
import { ACCOUNT, creditOf, MoneyBook, naturalBalance, receivableOf } from './money-book.ts';

let paymentCounter = 0;

function pay(
  book: MoneyBook,
  householdId: string,
  amountFen: bigint,
  receivedOn = '2026-03-20',
  cashAccountId: string = ACCOUNT.operating,
) {
  const paymentId = `pay-${++paymentCounter}`;
  const body = { householdId, amountFen, cashAccountId };
  return book.run(paymentRecorded, {
    paymentId,
    ...body,
    idempotencyKey: `key-${paymentId}`,
    requestHash: requestFingerprint('fees.record-payment', body),
    receivedOn,
  });
}

function issue(book: MoneyBook, invoiceId: string, periodId: string, householdId = 'h1') {
  return book.run(invoiceIssued, {
    invoiceId,
    householdId,
    scheduleId: 'property-fee',
    periodId,
    areaCentiSquareMetres: 10_000,
    issuedOn: `${periodId}-01`,
  });
}

/** 100 m² at 2.00 yuan: every monthly invoice is 20,000 fen, due on the 15th. */
function bookWithThreeInvoices(): MoneyBook {
  const book = new MoneyBook().openCommunityAccounts().addHousehold('h1').addHousehold('h2');
  book.version();
  issue(book, 'jan', '2026-01');
  issue(book, 'feb', '2026-02');
  issue(book, 'mar', '2026-03');
  return book;
}

const open = (book: MoneyBook, invoiceId: string) => openFen(book.state.invoices.get(invoiceId)!);

describe('allocation', () => {
  test('settles the oldest open invoices first, the last one partially, and returns the rest', () => {
    expect(
      allocateOldestFirst(
        [
          { invoiceId: 'a', openFen: 100n },
          { invoiceId: 'b', openFen: 0n },
          { invoiceId: 'c', openFen: 100n },
        ],
        150n,
      ),
    ).toEqual({
      allocations: [
        { invoiceId: 'a', amountFen: 100n },
        { invoiceId: 'c', amountFen: 50n },
      ],
      remainderFen: 0n,
    });
    expect(allocateOldestFirst([{ invoiceId: 'a', openFen: 100n }], 130n)).toEqual({
      allocations: [{ invoiceId: 'a', amountFen: 100n }],
      remainderFen: 30n,
    });
  });

  test(`refuses to settle more than ${MAX_INVOICES_PER_SETTLEMENT} invoices at once`, () => {
    const invoices = Array.from({ length: MAX_INVOICES_PER_SETTLEMENT + 1 }, (_, index) => ({
      invoiceId: `i${index}`,
      openFen: 1n,
    }));
    expect(() => allocateOldestFirst(invoices, BigInt(MAX_INVOICES_PER_SETTLEMENT + 1))).toThrow(/several payments/);
    expect(allocateOldestFirst(invoices, BigInt(MAX_INVOICES_PER_SETTLEMENT)).allocations).toHaveLength(
      MAX_INVOICES_PER_SETTLEMENT,
    );
  });
});

describe('payments', () => {
  let book: MoneyBook;
  beforeEach(() => {
    book = bookWithThreeInvoices();
  });

  test('a partial payment settles the oldest invoice first', () => {
    const entry = pay(book, 'h1', 25_000n);
    expect(entry.payload).toMatchObject({
      allocations: [
        { invoiceId: 'jan', amountFen: '20000' },
        { invoiceId: 'feb', amountFen: '5000' },
      ],
      creditFen: '0',
    });
    expect([open(book, 'jan'), open(book, 'feb'), open(book, 'mar')]).toEqual([0n, 15_000n, 20_000n]);
    expect(naturalBalance(book, receivableOf('h1'))).toBe(35_000n);
    expect(naturalBalance(book, ACCOUNT.operating)).toBe(25_000n);
  });

  test('an overpayment becomes credit that the next invoice uses first', () => {
    pay(book, 'h1', 70_000n);
    expect(naturalBalance(book, creditOf('h1'))).toBe(10_000n);
    expect(naturalBalance(book, receivableOf('h1'))).toBe(0n);
    const april = issue(book, 'apr', '2026-04');
    expect(april.payload).toMatchObject({ creditAllocations: [{ invoiceId: 'apr', amountFen: '10000' }] });
    expect(april.payload.transfers).toEqual([
      { debitAccountId: receivableOf('h1'), creditAccountId: ACCOUNT.feeIncome, amountFen: '20000', code: 'invoice' },
      {
        debitAccountId: creditOf('h1'),
        creditAccountId: receivableOf('h1'),
        amountFen: '10000',
        code: 'credit-applied',
      },
    ]);
    expect(open(book, 'apr')).toBe(10_000n);
    expect(naturalBalance(book, creditOf('h1'))).toBe(0n);
  });

  test('a payment reads its household’s accounts and invoices, the cash account and its key: the rows the wiring loads and locks', () => {
    const before = book.state;
    const entry = pay(book, 'h1', 25_000n);
    const { reads } = moneyFold.evolveReading(before, entry);
    const named = Object.fromEntries(Object.entries(reads).map(([table, keys]) => [table, [...keys].sort()]));
    expect(named).toEqual({
      // No overpayment, so the credit account's row is not read (only its id is looked up).
      accounts: [ACCOUNT.operating, receivableOf('h1')].sort(),
      accountIdsByKey: ['household-credit/h1', 'household-receivable/h1'],
      householdInvoiceIds: ['h1'],
      idempotency: [entry.payload.idempotencyKey],
      invoices: ['feb', 'jan', 'mar'],
      payments: [entry.payload.paymentId],
      transfers: [`payment:${entry.payload.paymentId}#0`],
    });
  });

  test('a payment to the provider’s clearing account settles the same way', () => {
    pay(book, 'h1', 20_000n, '2026-03-20', ACCOUNT.clearing);
    expect(naturalBalance(book, ACCOUNT.clearing)).toBe(20_000n);
    expect(open(book, 'jan')).toBe(0n);
  });

  test('records hold their own fields only, not the entry’s derived postings', () => {
    const entry = pay(book, 'h1', 25_000n);
    expect(Object.keys(book.state.payments.get(entry.payload.paymentId as string)!).sort()).toEqual([
      'allocations',
      'amountFen',
      'cashAccountId',
      'creditFen',
      'householdId',
      'idempotencyKey',
      'paymentId',
      'receivedOn',
      'refundedFen',
    ]);
  });

  test('a receipt says what the payment settled and what became credit', () => {
    const entry = pay(book, 'h1', 65_000n);
    const payment = book.state.payments.get(entry.payload.paymentId as string)!;
    expect(receiptOf(payment, (invoiceId) => book.state.invoices.get(invoiceId)!)).toEqual({
      paymentId: payment.paymentId,
      householdId: 'h1',
      receivedOn: '2026-03-20',
      amountFen: 65_000n,
      settled: [
        { invoiceId: 'jan', scheduleId: 'property-fee', periodId: '2026-01', amountFen: 20_000n },
        { invoiceId: 'feb', scheduleId: 'property-fee', periodId: '2026-02', amountFen: 20_000n },
        { invoiceId: 'mar', scheduleId: 'property-fee', periodId: '2026-03', amountFen: 20_000n },
      ],
      toCreditFen: 5_000n,
      refundedFen: 0n,
    });
  });

  test('refuses a payment for a household the books do not know, into a non-cash account, or of zero', () => {
    expect(() => pay(book, 'h9', 100n)).toThrow(NotFoundError);
    expect(() => pay(book, 'h1', 100n, '2026-03-20', ACCOUNT.maintenanceFund)).toThrow(/cashAccountId/);
    expect(() => pay(book, 'h1', 0n)).toThrow(/amountFen/);
  });

  test('an idempotency key is used once: a second entry with it is a CONFLICT', () => {
    const entry = pay(book, 'h1', 100n);
    const body = { householdId: 'h1', amountFen: 100n, cashAccountId: ACCOUNT.operating };
    const retry = () =>
      book.run(paymentRecorded, {
        paymentId: 'pay-again',
        ...body,
        idempotencyKey: entry.payload.idempotencyKey as string,
        requestHash: requestFingerprint('fees.record-payment', body),
        receivedOn: '2026-03-20',
      });
    expect(retry).toThrow(IdempotencyConflictError);
    expect(book.state.idempotency.get(entry.payload.idempotencyKey as string)!.resultId).toBe(entry.payload.paymentId);
  });

  test('replay recomputes the allocation and refuses an entry whose recorded allocation was altered', () => {
    pay(book, 'h1', 25_000n);
    const tampered = book.entries.map((entry) =>
      entry.type === 'fees.payment-recorded'
        ? {
            ...entry,
            payload: {
              ...entry.payload,
              allocations: [
                { invoiceId: 'feb', amountFen: '20000' },
                { invoiceId: 'jan', amountFen: '5000' },
              ],
            },
          }
        : entry,
    );
    expect(book.replay()).toEqual(book.state);
    expect(() => moneyFold.replay(tampered, emptyMoneyState('community-1'))).toThrow(/recorded allocations differs/);
    try {
      moneyFold.replay(tampered, emptyMoneyState('community-1'));
    } catch (error) {
      expect((error as Error & { cause: unknown }).cause).toBeInstanceOf(EntryMismatchError);
    }
  });
});

describe('refunds', () => {
  let book: MoneyBook;
  beforeEach(() => {
    book = bookWithThreeInvoices();
  });

  test('take from credit first, then reopen paid invoices newest first, as new entries', () => {
    const payment = pay(book, 'h1', 45_000n); // jan, feb paid; mar 5,000 paid
    const paymentId = payment.payload.paymentId as string;
    pay(book, 'h1', 20_000n); // mar paid, 5,000 credit
    const refund = book.run(paymentRefunded, {
      refundId: 'refund-1',
      paymentId,
      amountFen: 30_000n,
      refundedOn: '2026-03-25',
    });
    expect(refund.payload).toMatchObject({
      fromCreditFen: '5000',
      reopened: [
        { invoiceId: 'mar', amountFen: '20000' },
        { invoiceId: 'feb', amountFen: '5000' },
      ],
    });
    expect([open(book, 'jan'), open(book, 'feb'), open(book, 'mar')]).toEqual([0n, 5_000n, 20_000n]);
    expect(naturalBalance(book, ACCOUNT.operating)).toBe(35_000n);
    expect(naturalBalance(book, receivableOf('h1'))).toBe(25_000n);
    expect(book.state.payments.get(paymentId)!.refundedFen).toBe(30_000n);
  });

  test('refuses to refund more than is left of the payment, or a payment that does not exist', () => {
    const paymentId = pay(book, 'h1', 10_000n).payload.paymentId as string;
    book.run(paymentRefunded, { refundId: 'refund-1', paymentId, amountFen: 6_000n, refundedOn: '2026-03-25' });
    expect(() =>
      book.run(paymentRefunded, { refundId: 'refund-2', paymentId, amountFen: 4_001n, refundedOn: '2026-03-25' }),
    ).toThrow(/what is left of payment/);
    expect(() =>
      book.run(paymentRefunded, {
        refundId: 'refund-3',
        paymentId: 'pay-none',
        amountFen: 1n,
        refundedOn: '2026-03-25',
      }),
    ).toThrow(NotFoundError);
    expect(() =>
      book.run(paymentRefunded, { refundId: 'refund-1', paymentId, amountFen: 1n, refundedOn: '2026-03-25' }),
    ).toThrow(/exists already/);
  });

  test('refuses a refund the cash account cannot pay, and writes nothing', () => {
    const paymentId = pay(book, 'h1', 10_000n).payload.paymentId as string;
    book.run(transfersPosted, {
      batchId: 'spend-all',
      idempotencyKey: 'key-spend-all',
      requestHash: 'f'.repeat(64),
      postedOn: '2026-03-21',
      transfers: [
        { debitAccountId: ACCOUNT.expenses, creditAccountId: ACCOUNT.operating, amountFen: 10_000n, code: 'manual' },
      ],
    });
    const before = book.state;
    expect(() =>
      book.run(paymentRefunded, { refundId: 'refund-1', paymentId, amountFen: 1n, refundedOn: '2026-03-25' }),
    ).toThrow(BalanceRuleBrokenError);
    expect(book.state).toBe(before);
  });
});

describe('corrections', () => {
  let book: MoneyBook;
  beforeEach(() => {
    book = bookWithThreeInvoices();
  });

  test('an increase bills more on the same invoice', () => {
    book.run(invoiceCorrected, {
      correctionId: 'c1',
      invoiceId: 'jan',
      component: 'principal',
      deltaFen: 1_500n,
      correctedOn: '2026-01-20',
    });
    expect(open(book, 'jan')).toBe(21_500n);
    expect(naturalBalance(book, ACCOUNT.feeIncome)).toBe(61_500n);
  });

  test('a decrease of a paid invoice moves the excess to credit, which settles the next open invoice', () => {
    pay(book, 'h1', 20_000n); // jan paid
    const entry = book.run(invoiceCorrected, {
      correctionId: 'c1',
      invoiceId: 'jan',
      component: 'principal',
      deltaFen: -4_000n,
      correctedOn: '2026-03-21',
    });
    expect(entry.payload).toMatchObject({
      movedToCreditFen: '4000',
      creditAllocations: [{ invoiceId: 'feb', amountFen: '4000' }],
    });
    expect([open(book, 'jan'), open(book, 'feb')]).toEqual([0n, 16_000n]);
    expect(naturalBalance(book, creditOf('h1'))).toBe(0n);
    expect(naturalBalance(book, receivableOf('h1'))).toBe(36_000n);
  });

  test('a small refund reopens the newest invoice the payment had closed', () => {
    const paymentId = pay(book, 'h1', 60_000n).payload.paymentId as string;
    book.run(paymentRefunded, { refundId: 'r1', paymentId, amountFen: 1_000n, refundedOn: '2026-03-22' });
    expect(open(book, 'mar')).toBe(1_000n);
  });

  test('refuses a zero change, a principal below zero and a late fee raised by hand', () => {
    const correct = (deltaFen: bigint, component: 'principal' | 'late-fee' = 'principal') =>
      book.run(invoiceCorrected, {
        correctionId: `c${deltaFen}`,
        invoiceId: 'jan',
        component,
        deltaFen,
        correctedOn: '2026-01-20',
      });
    expect(() => correct(0n)).toThrow(InvalidInputError);
    expect(() => correct(-20_001n)).toThrow(/negative/);
    expect(() => correct(1n, 'late-fee')).toThrow(/waive/);
    expect(() => correct(-1n, 'late-fee')).toThrow(/more late fee than was charged/);
    expect(() =>
      book.run(invoiceCorrected, {
        correctionId: 'c',
        invoiceId: 'none',
        component: 'principal',
        deltaFen: 1n,
        correctedOn: '2026-01-20',
      }),
    ).toThrow(NotFoundError);
  });

  test('every step replays to the live state', () => {
    const paymentId = pay(book, 'h1', 50_000n).payload.paymentId as string;
    book.run(invoiceCorrected, {
      correctionId: 'c1',
      invoiceId: 'feb',
      component: 'principal',
      deltaFen: -3_000n,
      correctedOn: '2026-03-21',
    });
    book.run(paymentRefunded, { refundId: 'r1', paymentId, amountFen: 12_000n, refundedOn: '2026-03-22' });
    issue(book, 'apr', '2026-04');
    expect(book.replay()).toEqual(book.state);
  });
});
