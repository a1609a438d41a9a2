/**
 * Which payment reminders are due: a pure planner the reminder job calls with the open
 * invoices and today's civil date. Steps of one invoice:
 *
 * | step | due on                                                    |
 * | ---- | --------------------------------------------------------- |
 * | 0    | due date − `beforeDueDays` (none when `beforeDueDays` = 0) |
 * | 1    | the first overdue day (due date + grace + 1)              |
 * | k ≥ 2| the first overdue day + (k − 1) · `repeatEveryDays`, up to `maxOverdueReminders` |
 *
 * The planner returns, per open invoice, only the latest step that is due and later than
 * the last one queued: after downtime a household gets one reminder, not a backlog, and a
 * step skipped is never sent late. A paid invoice gets none. Each planned step carries
 * the key (invoiceId, step); the wiring queues it with a unique constraint on that key,
 * so two job runners racing queue it exactly once (and the entry `fees.reminder-queued`
 * refuses a step not after the last one).
 */
import { InvalidInputError } from '../domain-error.ts';
import { addDays, compareCivilDates, type CivilDate } from '../funds/civil-dates.ts';
import { isOpen, type Invoice } from './invoices.ts';
import { stepKey } from './fees-state.ts';

export interface ReminderCadence {
  beforeDueDays: number;
  repeatEveryDays: number;
  maxOverdueReminders: number;
}

export const DEFAULT_REMINDER_CADENCE: ReminderCadence = {
  beforeDueDays: 3,
  repeatEveryDays: 7,
  maxOverdueReminders: 12,
};
export const MAX_BEFORE_DUE_DAYS = 30;
export const MAX_REPEAT_EVERY_DAYS = 90;
export const MAX_OVERDUE_REMINDERS = 24;
/** Most invoices one planner call takes: the job pages through more. */
export const MAX_INVOICES_PER_PLAN = 10_000;

function assertIntegerIn(value: number, min: number, max: number, parameter: string): void {
  if (!Number.isInteger(value) || value < min || value > max)
    throw new InvalidInputError(parameter, `must be a whole number from ${min} to ${max}`);
}

export function validateReminderCadence(cadence: ReminderCadence): void {
  assertIntegerIn(cadence.beforeDueDays, 0, MAX_BEFORE_DUE_DAYS, 'reminders.beforeDueDays');
  assertIntegerIn(cadence.repeatEveryDays, 1, MAX_REPEAT_EVERY_DAYS, 'reminders.repeatEveryDays');
  assertIntegerIn(cadence.maxOverdueReminders, 1, MAX_OVERDUE_REMINDERS, 'reminders.maxOverdueReminders');
}

type ReminderDates = Pick<Invoice, 'dueDate' | 'graceDays'>;

/** The day step `step` falls due, or undefined for a step the cadence does not have. */
export function reminderStepDueOn(
  invoice: ReminderDates,
  cadence: ReminderCadence,
  step: number,
): CivilDate | undefined {
  if (!Number.isInteger(step) || step < 0 || step > cadence.maxOverdueReminders) return undefined;
  if (step === 0) return cadence.beforeDueDays > 0 ? addDays(invoice.dueDate, -cadence.beforeDueDays) : undefined;
  return addDays(invoice.dueDate, invoice.graceDays + 1 + (step - 1) * cadence.repeatEveryDays);
}

/** The highest step due on `today`, or undefined when none is. */
export function latestDueReminderStep(
  invoice: ReminderDates,
  cadence: ReminderCadence,
  today: CivilDate,
): number | undefined {
  let latest: number | undefined;
  for (let step = 0; step <= cadence.maxOverdueReminders; step++) {
    const dueOn = reminderStepDueOn(invoice, cadence, step);
    if (dueOn === undefined) continue;
    if (compareCivilDates(dueOn, today) > 0) break;
    latest = step;
  }
  return latest;
}

export interface PlannedReminder {
  invoiceId: string;
  householdId: string;
  step: number;
  /** `${invoiceId}/${step}`: the unique key of the reminder. */
  key: string;
}

export function planReminders(
  invoices: readonly Invoice[],
  cadenceOf: (invoice: Invoice) => ReminderCadence,
  today: CivilDate,
): PlannedReminder[] {
  if (invoices.length > MAX_INVOICES_PER_PLAN)
    throw new InvalidInputError('invoices', `must be at most ${MAX_INVOICES_PER_PLAN} per call`);
  const planned: PlannedReminder[] = [];
  for (const invoice of invoices) {
    if (!isOpen(invoice)) continue;
    const step = latestDueReminderStep(invoice, cadenceOf(invoice), today);
    if (step === undefined || step <= invoice.lastReminderStep) continue;
    planned.push({
      invoiceId: invoice.invoiceId,
      householdId: invoice.householdId,
      step,
      key: stepKey(invoice.invoiceId, step),
    });
  }
  return planned;
}
