import { describe, expect, test } from '@jest/globals';
import {
  DEFAULT_REMINDER_CADENCE,
  latestDueReminderStep,
  MAX_INVOICES_PER_PLAN,
  planReminders,
  reminderStepDueOn,
} from '../../src/fees/reminder-planner.ts';
import { householdDelinquency } from '../../src/fees/delinquency.ts';
import { invoiceIssued } from '../../src/fees/invoice-ledger-entries.ts';
import { reminderQueued } from '../../src/fees/collection-ledger-entries.ts';
import { paymentRecorded } from '../../src/fees/payment-ledger-entries.ts';
import type { Invoice } from '../../src/fees/invoices.ts';
import { DuplicateRecordError } from '../../src/funds/funds-errors.ts';
import { ACCOUNT, MoneyBook } from './money-book.ts';

/** Due 2026-03-15 with 5 days' grace: first overdue day 2026-03-21. */
function invoice(overrides: Partial<Invoice> = {}): Invoice {
  return {
    invoiceId: 'mar',
    householdId: 'h1',
    scheduleId: 'property-fee',
    scheduleVersion: 1,
    periodId: '2026-03',
    issuedOn: '2026-03-01',
    dueDate: '2026-03-15',
    graceDays: 5,
    principalFen: 20_000n,
    principalCorrectionFen: 0n,
    lateFeeFen: 0n,
    lateFeePostedFen: 0n,
    paidFen: 0n,
    lastLateFeeStep: 0,
    lastReminderStep: -1,
    ...overrides,
  };
}

const cadence = () => DEFAULT_REMINDER_CADENCE; // 3 days before, then every 7 days, 12 overdue reminders

describe('reminder steps', () => {
  test('fall 3 days before the due date, on the first overdue day, then every 7 days', () => {
    expect([0, 1, 2, 3, 12, 13].map((step) => reminderStepDueOn(invoice(), DEFAULT_REMINDER_CADENCE, step))).toEqual([
      '2026-03-12',
      '2026-03-21',
      '2026-03-28',
      '2026-04-04',
      '2026-06-06',
      undefined,
    ]);
    expect(reminderStepDueOn(invoice(), { ...DEFAULT_REMINDER_CADENCE, beforeDueDays: 0 }, 0)).toBeUndefined();
  });

  test.each([
    ['2026-03-11', []],
    ['2026-03-12', [0]],
    ['2026-03-20', [0]],
    ['2026-03-21', [1]],
    ['2026-03-27', [1]],
    ['2026-03-28', [2]],
  ])('on %s the planner returns steps %j', (today, steps) => {
    expect(planReminders([invoice()], cadence, today).map((planned) => planned.step)).toEqual(steps);
  });

  test('plans only a step later than the last one queued, with its unique key', () => {
    expect(planReminders([invoice({ lastReminderStep: 1 })], cadence, '2026-03-27')).toEqual([]);
    expect(planReminders([invoice({ lastReminderStep: 1 })], cadence, '2026-03-28')).toEqual([
      { invoiceId: 'mar', householdId: 'h1', step: 2, key: 'mar/2' },
    ]);
  });

  test('after downtime, sends the latest due step only, not a backlog', () => {
    expect(latestDueReminderStep(invoice(), DEFAULT_REMINDER_CADENCE, '2026-04-20')).toBe(5);
    expect(
      planReminders([invoice({ lastReminderStep: 0 })], cadence, '2026-04-20').map((planned) => planned.step),
    ).toEqual([5]);
  });

  test('never reminds about a paid invoice', () => {
    expect(planReminders([invoice({ paidFen: 20_000n })], cadence, '2026-03-21')).toEqual([]);
  });

  test(`takes at most ${MAX_INVOICES_PER_PLAN} invoices per call`, () => {
    expect(() =>
      planReminders(
        Array.from({ length: MAX_INVOICES_PER_PLAN + 1 }, () => invoice()),
        cadence,
        '2026-03-21',
      ),
    ).toThrow(/invoices/);
  });
});

describe('reminders on the ledger', () => {
  function book(): MoneyBook {
    const b = new MoneyBook().openCommunityAccounts().addHousehold('h1');
    b.version();
    b.run(invoiceIssued, {
      invoiceId: 'mar',
      householdId: 'h1',
      scheduleId: 'property-fee',
      periodId: '2026-03',
      areaCentiSquareMetres: 10_000,
      issuedOn: '2026-03-01',
    });
    return b;
  }

  test('queues each planned step exactly once: a second runner’s attempt is refused', () => {
    const b = book();
    const [planned] = planReminders([...b.state.invoices.values()], cadence, '2026-03-21');
    b.run(reminderQueued, { invoiceId: planned!.invoiceId, step: planned!.step, queuedOn: '2026-03-21' });
    expect(b.state.reminders.get('mar/1')).toEqual({ invoiceId: 'mar', step: 1, queuedOn: '2026-03-21' });
    expect(() => b.run(reminderQueued, { invoiceId: 'mar', step: 1, queuedOn: '2026-03-21' })).toThrow(
      DuplicateRecordError,
    );
    expect(() => b.run(reminderQueued, { invoiceId: 'mar', step: 0, queuedOn: '2026-03-21' })).toThrow(
      DuplicateRecordError,
    );
    expect(planReminders([...b.state.invoices.values()], cadence, '2026-03-22')).toEqual([]);
  });

  test('refuses a step that is not due and any reminder for a paid invoice', () => {
    const b = book();
    expect(() => b.run(reminderQueued, { invoiceId: 'mar', step: 1, queuedOn: '2026-03-20' })).toThrow(/not due yet/);
    b.run(paymentRecorded, {
      paymentId: 'p1',
      householdId: 'h1',
      amountFen: 20_000n,
      cashAccountId: ACCOUNT.operating,
      idempotencyKey: 'key-pay-reminders',
      requestHash: 'a'.repeat(64),
      receivedOn: '2026-03-20',
    });
    expect(() => b.run(reminderQueued, { invoiceId: 'mar', step: 1, queuedOn: '2026-03-21' })).toThrow(/is paid/);
  });
});

describe('household standing', () => {
  test('current while nothing is overdue, overdue from the first day after grace', () => {
    expect(householdDelinquency([invoice()], '2026-03-20')).toEqual({
      standing: 'current',
      overdueFen: 0n,
      maxDaysOverdue: 0,
    });
    expect(householdDelinquency([invoice()], '2026-03-21')).toEqual({
      standing: 'overdue',
      overdueFen: 20_000n,
      maxDaysOverdue: 1,
    });
  });

  test('in collection after 90 days overdue when at least 100 yuan is overdue', () => {
    expect(householdDelinquency([invoice()], '2026-06-17')).toMatchObject({ standing: 'overdue', maxDaysOverdue: 89 });
    expect(householdDelinquency([invoice()], '2026-06-18')).toMatchObject({
      standing: 'in-collection',
      maxDaysOverdue: 90,
    });
    expect(householdDelinquency([invoice({ paidFen: 19_999n })], '2026-12-31').standing).toBe('overdue');
    expect(
      householdDelinquency([invoice({ paidFen: 19_999n })], '2026-12-31', {
        collectionAfterDaysOverdue: 90,
        collectionMinimumOverdueFen: 1n,
      }).standing,
    ).toBe('in-collection');
  });

  test('a paid invoice never makes a household overdue', () => {
    expect(householdDelinquency([invoice({ paidFen: 20_000n })], '2027-01-01').standing).toBe('current');
  });

  test('refuses settings out of range', () => {
    expect(() =>
      householdDelinquency([], '2026-01-01', { collectionAfterDaysOverdue: 0, collectionMinimumOverdueFen: 0n }),
    ).toThrow(/collectionAfterDaysOverdue/);
    expect(() =>
      householdDelinquency([], '2026-01-01', { collectionAfterDaysOverdue: 90, collectionMinimumOverdueFen: -1n }),
    ).toThrow(/collectionMinimumOverdueFen/);
  });
});
