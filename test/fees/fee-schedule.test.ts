import { describe, expect, test } from '@jest/globals';
import { MAX_SCHEDULE_HOUSEHOLDS, versionForPeriod, type ScheduleVersion } from '../../src/fees/fee-schedule.ts';
import { invoiceIssued } from '../../src/fees/invoice-ledger-entries.ts';
import { DuplicateRecordError, MalformedEntryError } from '../../src/funds/funds-errors.ts';
import { InvalidInputError } from '../../src/domain-error.ts';
import { MoneyBook } from './money-book.ts';

function bookWithSchedule(): MoneyBook {
  const book = new MoneyBook().openCommunityAccounts().addHousehold('h1').addHousehold('h2');
  book.version();
  return book;
}

function issue(
  book: MoneyBook,
  invoiceId: string,
  householdId: string,
  periodId: string,
  issuedOn: string,
  areaCentiSquareMetres: number | null = 10_000,
) {
  return book.run(invoiceIssued, {
    invoiceId,
    householdId,
    scheduleId: 'property-fee',
    periodId,
    areaCentiSquareMetres,
    issuedOn,
  });
}

describe('fee schedule versions', () => {
  test('a change recorded in March applies from April, and the March invoice keeps its version and amount', () => {
    const book = bookWithSchedule();
    issue(book, 'inv-mar', 'h1', '2026-03', '2026-03-01');
    const march = book.state.invoices.get('inv-mar')!;
    book.version({
      version: 2,
      effectiveFromPeriodId: '2026-04',
      charge: { kind: 'per-area', rateFenPerSquareMetreMonth: 250n },
      recordedOn: '2026-03-10',
    });
    expect(book.state.invoices.get('inv-mar')).toBe(march);
    expect(march).toMatchObject({ scheduleVersion: 1, principalFen: 20_000n });
    issue(book, 'inv-apr', 'h1', '2026-04', '2026-04-01');
    expect(book.state.invoices.get('inv-apr')).toMatchObject({ scheduleVersion: 2, principalFen: 25_000n });
    // A late issue of a March invoice still uses the March version.
    issue(book, 'inv-mar-h2', 'h2', '2026-03', '2026-04-02');
    expect(book.state.invoices.get('inv-mar-h2')).toMatchObject({ scheduleVersion: 1, principalFen: 20_000n });
  });

  test('refuses a change to the current period or the past', () => {
    const book = bookWithSchedule();
    expect(() => book.version({ version: 2, effectiveFromPeriodId: '2026-03', recordedOn: '2026-03-10' })).toThrow(
      /next period or later/,
    );
    expect(() => book.version({ version: 2, effectiveFromPeriodId: '2026-02', recordedOn: '2026-03-10' })).toThrow(
      InvalidInputError,
    );
  });

  test('refuses a change reaching back into a period that has invoices, whatever date it carries', () => {
    const book = bookWithSchedule();
    issue(book, 'inv-apr', 'h1', '2026-04', '2026-04-01');
    expect(book.state.schedules.get('property-fee')!.lastIssuedPeriodId).toBe('2026-04');
    expect(() => book.version({ version: 2, effectiveFromPeriodId: '2026-04', recordedOn: '2026-03-10' })).toThrow(
      /must follow 2026-04/,
    );
    book.version({ version: 2, effectiveFromPeriodId: '2026-05', recordedOn: '2026-04-02' });
  });

  test('a later version with the same first period supersedes one that has not started', () => {
    const book = bookWithSchedule();
    book.version({
      version: 2,
      effectiveFromPeriodId: '2026-06',
      charge: { kind: 'per-area', rateFenPerSquareMetreMonth: 210n },
      recordedOn: '2026-03-10',
    });
    book.version({
      version: 3,
      effectiveFromPeriodId: '2026-06',
      charge: { kind: 'per-area', rateFenPerSquareMetreMonth: 220n },
      recordedOn: '2026-03-11',
    });
    const schedule = book.state.schedules.get('property-fee')!;
    expect(versionForPeriod(schedule, '2026-05')).toBe(1);
    expect(versionForPeriod(schedule, '2026-06')).toBe(3);
    expect(versionForPeriod(schedule, '2027-01')).toBe(3);
    expect(versionForPeriod(schedule, '2025-12')).toBeUndefined();
  });

  test('refuses a skipped or repeated version number, a changed frequency, and a first version that is not 1', () => {
    const book = bookWithSchedule();
    expect(() => book.version({ version: 3, effectiveFromPeriodId: '2026-06', recordedOn: '2026-03-10' })).toThrow(
      /version/,
    );
    expect(() => book.version({ version: 1, effectiveFromPeriodId: '2026-06', recordedOn: '2026-03-10' })).toThrow(
      DuplicateRecordError,
    );
    expect(() =>
      book.version({ version: 2, frequency: 'quarter', effectiveFromPeriodId: '2026-Q3', recordedOn: '2026-03-10' }),
    ).toThrow(/frequency/);
    expect(() => book.version({ scheduleId: 'parking', version: 2 })).toThrow(/must be 1/);
  });

  test.each<[string, Partial<ScheduleVersion>, RegExp]>([
    ['a zero rate', { charge: { kind: 'per-area', rateFenPerSquareMetreMonth: 0n } }, /rateFenPerSquareMetreMonth/],
    [
      'a rate above 1,000 yuan per m²',
      { charge: { kind: 'per-area', rateFenPerSquareMetreMonth: 100_001n } },
      /rateFenPerSquareMetreMonth/,
    ],
    [
      'a fixed amount above the limit',
      { charge: { kind: 'fixed', amountFenPerMonth: 100_000_001n } },
      /amountFenPerMonth/,
    ],
    ['due day 0', { dueDay: 0 }, /dueDay/],
    ['due day 32', { dueDay: 32 }, /dueDay/],
    ['91 days of grace', { graceDays: 91 }, /graceDays/],
    ['a quarter id for a monthly schedule', { effectiveFromPeriodId: '2026-Q1' }, /effectiveFromPeriodId/],
    ['an empty household set', { households: { kind: 'chosen', householdIds: [] } }, /householdIds/],
    ['a household listed twice', { households: { kind: 'chosen', householdIds: ['h1', 'h1'] } }, /twice/],
    ['a late fee above its cap', { lateFee: { kind: 'fixed', amountFen: 101n, capFen: 100n } }, /lateFee/],
    [
      'a daily rate above 1 %',
      { lateFee: { kind: 'daily', basisPointsPerDay: 101, postEveryDays: 30, capFen: 1n } },
      /basisPointsPerDay/,
    ],
    [
      'a reminder cadence of 0 days',
      { reminders: { beforeDueDays: 3, repeatEveryDays: 0, maxOverdueReminders: 3 } },
      /repeatEveryDays/,
    ],
  ])('refuses a version with %s', (_label, change, message) => {
    const book = new MoneyBook().openCommunityAccounts();
    expect(() => book.version(change)).toThrow(message);
    expect(book.state.schedules.size).toBe(0);
  });

  test(`lists at most ${MAX_SCHEDULE_HOUSEHOLDS} chosen households`, () => {
    const ids = (count: number) => Array.from({ length: count }, (_, index) => `household-${index}`);
    const book = new MoneyBook();
    expect(() =>
      book.version({ households: { kind: 'chosen', householdIds: ids(MAX_SCHEDULE_HOUSEHOLDS + 1) } }),
    ).toThrow(MalformedEntryError);
    book.version({ households: { kind: 'chosen', householdIds: ids(MAX_SCHEDULE_HOUSEHOLDS) } });
    expect(JSON.stringify(book.entries.at(-1)!.payload).length).toBeLessThan(16_384);
  });

  test('bills only the chosen households', () => {
    const book = new MoneyBook().openCommunityAccounts().addHousehold('h1').addHousehold('h2');
    book.version({
      scheduleId: 'parking',
      charge: { kind: 'fixed', amountFenPerMonth: 30_000n },
      households: { kind: 'chosen', householdIds: ['h2'] },
    });
    expect(() =>
      book.run(invoiceIssued, {
        invoiceId: 'p1',
        householdId: 'h1',
        scheduleId: 'parking',
        periodId: '2026-01',
        areaCentiSquareMetres: null,
        issuedOn: '2026-01-01',
      }),
    ).toThrow(/householdId/);
    book.run(invoiceIssued, {
      invoiceId: 'p2',
      householdId: 'h2',
      scheduleId: 'parking',
      periodId: '2026-01',
      areaCentiSquareMetres: null,
      issuedOn: '2026-01-01',
    });
    expect(book.state.invoices.get('p2')!.principalFen).toBe(30_000n);
  });
});

describe('issuing invoices', () => {
  test('issues one invoice per household, schedule and period, and refuses a second', () => {
    const book = bookWithSchedule();
    const entry = issue(book, 'inv-1', 'h1', '2026-01', '2026-01-01');
    expect(entry.payload).toMatchObject({
      scheduleVersion: 1,
      dueDate: '2026-01-15',
      graceDays: 5,
      amountFen: '20000',
      creditAllocations: [],
    });
    expect(() => issue(book, 'inv-2', 'h1', '2026-01', '2026-01-02')).toThrow(DuplicateRecordError);
    expect(() => issue(book, 'inv-1', 'h2', '2026-01', '2026-01-02')).toThrow(/Invoice inv-1 exists already/);
  });

  test('refuses to bill a period before it starts, before the schedule’s first period, or of another frequency', () => {
    const book = bookWithSchedule();
    expect(() => issue(book, 'inv-1', 'h1', '2026-02', '2026-01-31')).toThrow(/issuedOn/);
    expect(() => issue(book, 'inv-1', 'h1', '2025-12', '2026-01-02')).toThrow(/first period/);
    expect(() => issue(book, 'inv-1', 'h1', '2026-Q1', '2026-01-02')).toThrow(/month period/);
  });

  test('refuses a household the books do not know, and an unknown schedule', () => {
    const book = bookWithSchedule();
    expect(() => issue(book, 'inv-1', 'h9', '2026-01', '2026-01-02')).toThrow(
      /household-receivable account of h9 not found/,
    );
    expect(() =>
      book.run(invoiceIssued, {
        invoiceId: 'x',
        householdId: 'h1',
        scheduleId: 'water',
        periodId: '2026-01',
        areaCentiSquareMetres: 1,
        issuedOn: '2026-01-02',
      }),
    ).toThrow(/Schedule water not found/);
  });
});
