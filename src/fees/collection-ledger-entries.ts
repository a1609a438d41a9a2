/**
 * Collection entries, each at most once per (invoice, step):
 *
 * | type                  | inputs                       | derived                                  |
 * | --------------------- | ---------------------------- | ---------------------------------------- |
 * | fees.late-fee-posted  | invoiceId, step, postedOn    | amountFen, creditAllocations, transfers   |
 * | fees.reminder-queued  | invoiceId, step, queuedOn    | —                                        |
 *
 * A late-fee step must be the next one, due on `postedOn` by the rule of the invoice's
 * schedule version, and charge something (late-fees.ts); it posts debit receivable /
 * credit late-fee-income. A reminder step must be due (reminder-planner.ts), later than
 * the last one queued, and the invoice must still be open — never a reminder for a paid
 * invoice.
 */
import { InvalidInputError } from '../domain-error.ts';
import { accountIdOf } from '../funds/account-lookup.ts';
import { compareCivilDates } from '../funds/civil-dates.ts';
import { defineEntryKind } from '../funds/entry-kinds.ts';
import { DuplicateRecordError } from '../funds/funds-errors.ts';
import { boundedInt, civilDateField, idField, positiveFenField } from '../funds/payload-fields.ts';
import { derivedTransfersField } from '../funds/transfer-fields.ts';
import { sourceIdOf, TransferSequence } from '../funds/transfers.ts';
import { daysOverdue } from './due-dates.ts';
import { scheduleVersionKey, stepKey, type MoneyState } from './fees-state.ts';
import { householdAccounts, requireInvoice, useHouseholdCredit, writeInvoice } from './household-ledger.ts';
import { allocationsField } from './invoice-ledger-entries.ts';
import { isOpen, unpaidPrincipalFen } from './invoices.ts';
import { lateFeeStepAmountFen, lateFeeStepCount, lateFeeStepDueAt, MAX_LATE_FEE_STEPS } from './late-fees.ts';
import { MAX_OVERDUE_REMINDERS, reminderStepDueOn } from './reminder-planner.ts';

const lateFeePostedInputs = { invoiceId: idField, step: boundedInt(1, MAX_LATE_FEE_STEPS), postedOn: civilDateField };
const lateFeePostedDerived = {
  amountFen: positiveFenField,
  creditAllocations: allocationsField,
  transfers: derivedTransfersField,
};

export const lateFeePosted = defineEntryKind<MoneyState, typeof lateFeePostedInputs, typeof lateFeePostedDerived>({
  type: 'fees.late-fee-posted',
  inputs: lateFeePostedInputs,
  derived: lateFeePostedDerived,
  run(overlay, { invoiceId, step, postedOn }) {
    const invoice = requireInvoice(overlay, invoiceId);
    const rule = overlay.read(
      'scheduleVersions',
      scheduleVersionKey(invoice.scheduleId, invoice.scheduleVersion),
    )!.lateFee;
    if (rule === null) throw new InvalidInputError('invoiceId', 'has no late-fee rule in its schedule version');
    if (step <= invoice.lastLateFeeStep) throw new DuplicateRecordError(`Late fee ${stepKey(invoiceId, step)}`);
    if (step !== invoice.lastLateFeeStep + 1 || step > lateFeeStepCount(rule))
      throw new InvalidInputError('step', `must be ${invoice.lastLateFeeStep + 1}`);
    if (daysOverdue(invoice.dueDate, invoice.graceDays, postedOn) < lateFeeStepDueAt(rule, step))
      throw new InvalidInputError('step', 'is not due yet');
    const amountFen = lateFeeStepAmountFen(rule, unpaidPrincipalFen(invoice), invoice.lateFeePostedFen);
    if (amountFen === 0n)
      throw new InvalidInputError('step', 'charges nothing: the principal is paid or the cap is reached');
    writeInvoice(overlay, {
      ...invoice,
      lateFeeFen: invoice.lateFeeFen + amountFen,
      lateFeePostedFen: invoice.lateFeePostedFen + amountFen,
      lastLateFeeStep: step,
    });
    const transfers = new TransferSequence(overlay, sourceIdOf('late-fee', stepKey(invoiceId, step)), postedOn);
    const { receivableAccountId } = householdAccounts(overlay, invoice.householdId);
    transfers.post({
      debitAccountId: receivableAccountId,
      creditAccountId: accountIdOf(overlay, 'late-fee-income', null),
      amountFen,
      code: 'late-fee',
    });
    const creditAllocations = useHouseholdCredit(overlay, transfers, invoice.householdId);
    overlay.write('lateFees', stepKey(invoiceId, step), { invoiceId, step, amountFen, postedOn });
    return { amountFen, creditAllocations, transfers: transfers.orders };
  },
});

const reminderQueuedInputs = {
  invoiceId: idField,
  step: boundedInt(0, MAX_OVERDUE_REMINDERS),
  queuedOn: civilDateField,
};

export const reminderQueued = defineEntryKind<MoneyState, typeof reminderQueuedInputs, Record<string, never>>({
  type: 'fees.reminder-queued',
  inputs: reminderQueuedInputs,
  derived: {},
  run(overlay, { invoiceId, step, queuedOn }) {
    const invoice = requireInvoice(overlay, invoiceId);
    if (step <= invoice.lastReminderStep) throw new DuplicateRecordError(`Reminder ${stepKey(invoiceId, step)}`);
    if (!isOpen(invoice)) throw new InvalidInputError('invoiceId', 'is paid; it gets no reminder');
    const cadence = overlay.read(
      'scheduleVersions',
      scheduleVersionKey(invoice.scheduleId, invoice.scheduleVersion),
    )!.reminders;
    const dueOn = reminderStepDueOn(invoice, cadence, step);
    if (dueOn === undefined || compareCivilDates(dueOn, queuedOn) > 0)
      throw new InvalidInputError('step', 'is not due yet');
    writeInvoice(overlay, { ...invoice, lastReminderStep: step });
    overlay.write('reminders', stepKey(invoiceId, step), { invoiceId, step, queuedOn });
    return {};
  },
});
