import { describe, expect, test } from '@jest/globals';
import {
  comparePeriodIds,
  firstDayOf,
  lastDayOf,
  nextPeriod,
  parsePeriodId,
  periodContaining,
} from '../../src/fees/billing-periods.ts';
import { daysOverdue, daysPastDue, dueDateOf } from '../../src/fees/due-dates.ts';
import { InvalidInputError } from '../../src/domain-error.ts';

describe('billing periods', () => {
  test.each([
    ['2026-03', 'month', '2026-03-01', '2026-03-31', '2026-04'],
    ['2026-12', 'month', '2026-12-01', '2026-12-31', '2027-01'],
    ['2028-02', 'month', '2028-02-01', '2028-02-29', '2028-03'],
    ['2026-Q1', 'quarter', '2026-01-01', '2026-03-31', '2026-Q2'],
    ['2026-Q4', 'quarter', '2026-10-01', '2026-12-31', '2027-Q1'],
    ['2026', 'year', '2026-01-01', '2026-12-31', '2027'],
  ])('%s is a %s from %s to %s, followed by %s', (periodId, frequency, first, last, next) => {
    const period = parsePeriodId(periodId);
    expect(period.frequency).toBe(frequency);
    expect(firstDayOf(period)).toBe(first);
    expect(lastDayOf(period)).toBe(last);
    expect(nextPeriod(period).periodId).toBe(next);
  });

  test('finds the period containing a day', () => {
    expect(periodContaining('2026-05-31', 'month').periodId).toBe('2026-05');
    expect(periodContaining('2026-05-31', 'quarter').periodId).toBe('2026-Q2');
    expect(periodContaining('2026-05-31', 'year').periodId).toBe('2026');
    expect(periodContaining('2026-07-01', 'quarter').periodId).toBe('2026-Q3');
  });

  test('orders period ids of one frequency and refuses to compare a month with a quarter', () => {
    expect(comparePeriodIds('2026-02', '2026-11')).toBeLessThan(0);
    expect(comparePeriodIds('2027-01', '2026-12')).toBeGreaterThan(0);
    expect(comparePeriodIds('2026-Q2', '2026-Q2')).toBe(0);
    expect(() => comparePeriodIds('2026-03', '2026-Q1')).toThrow(InvalidInputError);
  });

  test.each(['2026-13', '2026-00', '2026-Q5', '2026-Q0', '26-01', '2026/01', '2026-1', '1999-01', '2200', ''])(
    'refuses %j as a period id',
    (periodId) => {
      expect(() => parsePeriodId(periodId)).toThrow(/periodId/);
    },
  );
});

describe('due dates', () => {
  test('the due day of the period’s first month', () => {
    expect(dueDateOf(parsePeriodId('2026-03'), 15)).toBe('2026-03-15');
    expect(dueDateOf(parsePeriodId('2026-Q2'), 10)).toBe('2026-04-10');
    expect(dueDateOf(parsePeriodId('2026'), 1)).toBe('2026-01-01');
  });

  test('a due day the month does not have falls on its last day', () => {
    expect(dueDateOf(parsePeriodId('2026-02'), 31)).toBe('2026-02-28');
    expect(dueDateOf(parsePeriodId('2028-02'), 31)).toBe('2028-02-29');
    expect(dueDateOf(parsePeriodId('2026-02'), 29)).toBe('2026-02-28');
    expect(dueDateOf(parsePeriodId('2026-04'), 31)).toBe('2026-04-30');
    expect(dueDateOf(parsePeriodId('2026-01'), 31)).toBe('2026-01-31');
  });

  test.each([0, 32, 1.5, -1])('refuses due day %p', (dueDay) => {
    expect(() => dueDateOf(parsePeriodId('2026-01'), dueDay)).toThrow(/dueDay/);
  });

  test('counts days overdue from the end of grace, and days past due from the due date', () => {
    expect(daysOverdue('2026-03-15', 5, '2026-03-20')).toBe(0);
    expect(daysOverdue('2026-03-15', 5, '2026-03-21')).toBe(1);
    expect(daysOverdue('2026-03-15', 0, '2026-03-15')).toBe(0);
    expect(daysPastDue('2026-03-15', '2026-03-21')).toBe(6);
  });
});
