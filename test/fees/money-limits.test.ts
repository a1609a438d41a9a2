import { describe, expect, test } from '@jest/globals';
import { MAX_SCHEDULE_VERSIONS } from '../../src/fees/fee-schedule.ts';
import { arrearsAgeing, collectionRate, MAX_INVOICES_PER_REPORT } from '../../src/fees/fee-reports.ts';
import { invoiceIssued } from '../../src/fees/invoice-ledger-entries.ts';
import { paymentRecorded, paymentRefunded } from '../../src/fees/payment-ledger-entries.ts';
import { MAX_INVOICES_PER_SETTLEMENT } from '../../src/fees/payment-allocation.ts';
import { nextPeriod, parsePeriodId } from '../../src/fees/billing-periods.ts';
import type { Invoice } from '../../src/fees/invoices.ts';
import { planLateFees } from '../../src/fees/late-fee-planner.ts';
import { MAX_INVOICES_PER_PLAN } from '../../src/fees/reminder-planner.ts';
import { MalformedEntryError } from '../../src/funds/funds-errors.ts';
import { canonicalJson, MAX_ENTRY_BYTES } from '../../src/ledger/entry-encoding.ts';
import { ACCOUNT, MoneyBook } from './money-book.ts';

/** Invoice ids as long as UUIDs, so entry sizes are the real ones. */
const invoiceId = (index: number) => `00000000-0000-4000-8000-${String(index).padStart(12, '0')}`;

function bookWithInvoices(count: number): MoneyBook {
  const book = new MoneyBook().openCommunityAccounts().addHousehold('h1');
  book.version({ charge: { kind: 'fixed', amountFenPerMonth: 100n } });
  let period = parsePeriodId('2026-01');
  for (let index = 0; index < count; index++) {
    book.run(invoiceIssued, {
      invoiceId: invoiceId(index),
      householdId: 'h1',
      scheduleId: 'property-fee',
      periodId: period.periodId,
      areaCentiSquareMetres: null,
      issuedOn: `${period.periodId}-01`,
    });
    period = nextPeriod(period);
  }
  return book;
}

function pay(book: MoneyBook, paymentId: string, amountFen: bigint) {
  return book.run(paymentRecorded, {
    paymentId,
    householdId: 'h1',
    amountFen,
    cashAccountId: ACCOUNT.operating,
    idempotencyKey: `key-${paymentId}`,
    requestHash: 'a'.repeat(64),
    receivedOn: '2035-01-01',
  });
}

describe('named limits of the money core', () => {
  test(`a payment settles at most ${MAX_INVOICES_PER_SETTLEMENT} invoices, and its entry stays under the ledger’s size limit`, () => {
    const book = bookWithInvoices(MAX_INVOICES_PER_SETTLEMENT + 1);
    expect(() => pay(book, 'payment-all', BigInt(MAX_INVOICES_PER_SETTLEMENT + 1) * 100n)).toThrow(/several payments/);
    const entry = pay(book, 'payment-most', BigInt(MAX_INVOICES_PER_SETTLEMENT) * 100n);
    expect(entry.payload.allocations).toHaveLength(MAX_INVOICES_PER_SETTLEMENT);
    expect(canonicalJson(entry.payload).length).toBeLessThan(MAX_ENTRY_BYTES);
  });

  test(`a refund reopens at most ${MAX_INVOICES_PER_SETTLEMENT} invoices`, () => {
    const hundred = BigInt(MAX_INVOICES_PER_SETTLEMENT) * 100n;
    const book = bookWithInvoices(MAX_INVOICES_PER_SETTLEMENT + 1);
    pay(book, 'payment-a', hundred); // the 100 oldest invoices
    pay(book, 'payment-b', 100n); // the newest
    book.run(paymentRefunded, {
      refundId: 'refund-b',
      paymentId: 'payment-b',
      amountFen: 50n,
      refundedOn: '2035-01-02',
    });
    // Refunding all of payment-a reopens newest first: 50 fen of the newest, 99 whole invoices, and 50 fen of a 101st.
    expect(() =>
      book.run(paymentRefunded, {
        refundId: 'refund-a',
        paymentId: 'payment-a',
        amountFen: hundred,
        refundedOn: '2035-01-02',
      }),
    ).toThrow(/refund in parts/);
    const entry = book.run(paymentRefunded, {
      refundId: 'refund-a',
      paymentId: 'payment-a',
      amountFen: hundred - 50n,
      refundedOn: '2035-01-02',
    });
    expect(entry.payload.reopened).toHaveLength(MAX_INVOICES_PER_SETTLEMENT);
  });

  test(`a schedule has at most ${MAX_SCHEDULE_VERSIONS} versions`, () => {
    const book = new MoneyBook();
    expect(() => book.version({ version: MAX_SCHEDULE_VERSIONS + 1 })).toThrow(MalformedEntryError);
  });

  test(`planners take at most ${MAX_INVOICES_PER_PLAN} invoices and reports ${MAX_INVOICES_PER_REPORT}`, () => {
    const invoice = bookWithInvoices(1).state.invoices.get(invoiceId(0))!;
    expect(() =>
      planLateFees(new Array<Invoice>(MAX_INVOICES_PER_PLAN + 1).fill(invoice), () => null, '2026-02-01'),
    ).toThrow(/invoices/);
    const many = new Array<Invoice>(MAX_INVOICES_PER_REPORT + 1).fill(invoice);
    expect(() => collectionRate(many, '2026-01')).toThrow(/invoices/);
    expect(() => arrearsAgeing(many, '2026-02-01')).toThrow(/invoices/);
  });
});
