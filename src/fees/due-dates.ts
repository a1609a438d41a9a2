/**
 * When an invoice is due and when it becomes overdue, in whole civil days.
 *
 * - The due date is day `dueDay` (1–31) of the period's first month. A month without that
 *   day uses its last day: due day 31 falls on 30 April, on 28 February, and on 29
 *   February in a leap year. (Clamping, as calendars and banks do, rather than rolling
 *   into the next month.)
 * - The grace period adds `graceDays` (0–90) after the due date during which payment is
 *   still on time.
 * - Days overdue counts from the end of grace: on the due date + grace it is 0, the next
 *   day 1. An invoice is overdue when days overdue ≥ 1 and it is still open.
 */
import { InvalidInputError } from '../domain-error.ts';
import { daysBetween, daysInMonth, formatCivilDate, type CivilDate } from '../funds/civil-dates.ts';
import type { BillingPeriod } from './billing-periods.ts';

export const MAX_DUE_DAY = 31;
export const MAX_GRACE_DAYS = 90;

export function assertDueDay(dueDay: number): void {
  if (!Number.isInteger(dueDay) || dueDay < 1 || dueDay > MAX_DUE_DAY)
    throw new InvalidInputError('dueDay', `must be 1 to ${MAX_DUE_DAY}`);
}

export function assertGraceDays(graceDays: number): void {
  if (!Number.isInteger(graceDays) || graceDays < 0 || graceDays > MAX_GRACE_DAYS) {
    throw new InvalidInputError('graceDays', `must be 0 to ${MAX_GRACE_DAYS}`);
  }
}

export function dueDateOf(billingPeriod: BillingPeriod, dueDay: number): CivilDate {
  assertDueDay(dueDay);
  const { year, firstMonth: month } = billingPeriod;
  return formatCivilDate({ year, month, day: Math.min(dueDay, daysInMonth(year, month)) });
}

/** Days past the end of grace on `today`: ≤ 0 while on time, 1 on the first overdue day. */
export function daysOverdue(dueDate: CivilDate, graceDays: number, today: CivilDate): number {
  return daysBetween(dueDate, today) - graceDays;
}

/** Days past the due date itself, grace ignored: what arrears ageing counts. */
export function daysPastDue(dueDate: CivilDate, today: CivilDate): number {
  return daysBetween(dueDate, today);
}
