/**
 * Billing periods and their ids. A schedule bills by month, quarter or year; a period id
 * says which and when, and sorts in time order as a string within one frequency:
 *
 * | frequency | id        | months                 |
 * | --------- | --------- | ---------------------- |
 * | month     | `2026-03` | March 2026             |
 * | quarter   | `2026-Q1` | January–March 2026     |
 * | year      | `2026`    | January–December 2026  |
 *
 * Periods are calendar periods on the community's calendar (civil dates), never instants.
 */
import { InvalidInputError } from '../domain-error.ts';
import {
  daysInMonth,
  formatCivilDate,
  MAX_CIVIL_YEAR,
  MIN_CIVIL_YEAR,
  parseCivilDate,
  type CivilDate,
} from '../funds/civil-dates.ts';

export type BillingFrequency = 'month' | 'quarter' | 'year';
export const BILLING_FREQUENCIES: readonly BillingFrequency[] = ['month', 'quarter', 'year'];

export const MONTHS_PER_PERIOD: Readonly<Record<BillingFrequency, number>> = { month: 1, quarter: 3, year: 12 };

export interface BillingPeriod {
  periodId: string;
  frequency: BillingFrequency;
  year: number;
  /** 1–12 for the first month of the period. */
  firstMonth: number;
  months: number;
}

const MONTH_ID = /^(\d{4})-(0[1-9]|1[0-2])$/;
const QUARTER_ID = /^(\d{4})-Q([1-4])$/;
const YEAR_ID = /^(\d{4})$/;

function period(frequency: BillingFrequency, year: number, firstMonth: number, parameter = 'periodId'): BillingPeriod {
  if (year < MIN_CIVIL_YEAR || year > MAX_CIVIL_YEAR)
    throw new InvalidInputError(parameter, `must fall in the years ${MIN_CIVIL_YEAR} to ${MAX_CIVIL_YEAR}`);
  const yearText = String(year).padStart(4, '0');
  const periodId =
    frequency === 'month'
      ? `${yearText}-${String(firstMonth).padStart(2, '0')}`
      : frequency === 'quarter'
        ? `${yearText}-Q${(firstMonth - 1) / 3 + 1}`
        : yearText;
  return { periodId, frequency, year, firstMonth, months: MONTHS_PER_PERIOD[frequency] };
}

export function parsePeriodId(periodId: string, parameter = 'periodId'): BillingPeriod {
  let match = MONTH_ID.exec(periodId);
  if (match) return period('month', Number(match[1]), Number(match[2]), parameter);
  match = QUARTER_ID.exec(periodId);
  if (match) return period('quarter', Number(match[1]), (Number(match[2]) - 1) * 3 + 1, parameter);
  match = YEAR_ID.exec(periodId);
  if (match) return period('year', Number(match[1]), 1, parameter);
  throw new InvalidInputError(parameter, 'must be a period id such as 2026-03, 2026-Q1 or 2026');
}

export function periodContaining(date: CivilDate, frequency: BillingFrequency): BillingPeriod {
  const { year, month } = parseCivilDate(date);
  const months = MONTHS_PER_PERIOD[frequency];
  return period(frequency, year, Math.floor((month - 1) / months) * months + 1);
}

export function firstDayOf(billingPeriod: BillingPeriod): CivilDate {
  return formatCivilDate({ year: billingPeriod.year, month: billingPeriod.firstMonth, day: 1 });
}

export function lastDayOf(billingPeriod: BillingPeriod): CivilDate {
  const lastMonth = billingPeriod.firstMonth + billingPeriod.months - 1;
  return formatCivilDate({
    year: billingPeriod.year,
    month: lastMonth,
    day: daysInMonth(billingPeriod.year, lastMonth),
  });
}

export function nextPeriod(billingPeriod: BillingPeriod): BillingPeriod {
  const next = billingPeriod.firstMonth + billingPeriod.months;
  return next > 12
    ? period(billingPeriod.frequency, billingPeriod.year + 1, 1)
    : period(billingPeriod.frequency, billingPeriod.year, next);
}

/** Months since year 0 of the period's first month: orders periods of any frequency by their start. */
export function periodStartOrdinal(billingPeriod: BillingPeriod): number {
  return billingPeriod.year * 12 + billingPeriod.firstMonth - 1;
}

/** Orders two period ids of the same frequency; refuses to compare a month with a quarter. */
export function comparePeriodIds(a: string, b: string): number {
  const [first, second] = [parsePeriodId(a), parsePeriodId(b)];
  if (first.frequency !== second.frequency)
    throw new InvalidInputError('periodId', 'cannot compare periods of different frequencies');
  return periodStartOrdinal(first) - periodStartOrdinal(second);
}
