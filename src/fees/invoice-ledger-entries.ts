/**
 * Invoice entries:
 *
 * | type                 | inputs                                                            | derived |
 * | -------------------- | ----------------------------------------------------------------- | ------- |
 * | fees.invoice-issued  | invoiceId, householdId, scheduleId, periodId, areaCentiSquareMetres, issuedOn | scheduleVersion, dueDate, graceDays, amountFen, creditAllocations, transfers |
 * | fees.invoice-corrected | correctionId, invoiceId, component, deltaFen, correctedOn       | movedToCreditFen, creditAllocations, transfers |
 *
 * Issuing posts debit receivable / credit fee-income, then uses the household's credit.
 * A correction is a new entry, never an edit: an increase bills more (and uses credit); a
 * decrease un-bills, first from what is still open, and what the household had already
 * paid beyond the new total becomes credit (which then settles its other open invoices).
 */
import { z } from 'zod';
import { InvalidInputError, NotFoundError } from '../domain-error.ts';
import { accountIdOf } from '../funds/account-lookup.ts';
import { compareCivilDates } from '../funds/civil-dates.ts';
import { defineEntryKind } from '../funds/entry-kinds.ts';
import { minFen } from '../funds/fen.ts';
import { DuplicateRecordError } from '../funds/funds-errors.ts';
import {
  boundedInt,
  civilDateField,
  fenField,
  idField,
  positiveFenField,
  signedFenField,
} from '../funds/payload-fields.ts';
import { derivedTransfersField } from '../funds/transfer-fields.ts';
import { sourceIdOf, TransferSequence } from '../funds/transfers.ts';
import { comparePeriodIds, firstDayOf, parsePeriodId } from './billing-periods.ts';
import { dueDateOf, MAX_GRACE_DAYS } from './due-dates.ts';
import { scheduleAppliesTo, versionForPeriod, type ScheduleVersion } from './fee-schedule.ts';
import { invoiceKey, scheduleVersionKey, type MoneyState } from './fees-state.ts';
import {
  householdAccounts,
  requireInvoice,
  useHouseholdCredit,
  writeInvoice,
  type MoneyOverlay,
} from './household-ledger.ts';
import { invoiceAmountFen, MAX_AREA_CENTI_SQUARE_METRES } from './invoice-amounts.ts';
import { billedPrincipalFen, openFen, type Invoice } from './invoices.ts';
import { MAX_INVOICES_PER_SETTLEMENT } from './payment-allocation.ts';

export const allocationsField = z
  .array(z.strictObject({ invoiceId: idField, amountFen: positiveFenField }))
  .max(MAX_INVOICES_PER_SETTLEMENT);

const invoiceIssuedInputs = {
  invoiceId: idField,
  householdId: idField,
  scheduleId: idField,
  periodId: z.string().max(7),
  areaCentiSquareMetres: boundedInt(1, MAX_AREA_CENTI_SQUARE_METRES).nullable(),
  issuedOn: civilDateField,
};

const invoiceIssuedDerived = {
  scheduleVersion: z.number().int().min(1),
  dueDate: civilDateField,
  graceDays: boundedInt(0, MAX_GRACE_DAYS),
  amountFen: positiveFenField,
  creditAllocations: allocationsField,
  transfers: derivedTransfersField,
};

function versionToIssue(overlay: MoneyOverlay, scheduleId: string, periodId: string): ScheduleVersion {
  const schedule = overlay.read('schedules', scheduleId);
  if (!schedule) throw new NotFoundError(`Schedule ${scheduleId}`);
  if (parsePeriodId(periodId).frequency !== schedule.frequency)
    throw new InvalidInputError('periodId', `must be a ${schedule.frequency} period id`);
  const versionNumber = versionForPeriod(schedule, periodId);
  if (versionNumber === undefined) throw new InvalidInputError('periodId', 'precedes the schedule’s first period');
  return overlay.read('scheduleVersions', scheduleVersionKey(scheduleId, versionNumber))!;
}

/** Keeps the schedule's latest invoiced period, so no later version can reach back into it. */
function noteIssuedPeriod(overlay: MoneyOverlay, scheduleId: string, periodId: string): void {
  const schedule = overlay.read('schedules', scheduleId)!;
  if (schedule.lastIssuedPeriodId !== null && comparePeriodIds(periodId, schedule.lastIssuedPeriodId) <= 0) return;
  overlay.write('schedules', scheduleId, { ...schedule, lastIssuedPeriodId: periodId });
}

type InvoiceIssuedInputs = z.output<z.ZodObject<typeof invoiceIssuedInputs>>;

function newInvoice(overlay: MoneyOverlay, inputs: InvoiceIssuedInputs): Invoice {
  const { invoiceId, householdId, scheduleId, periodId } = inputs;
  if (overlay.read('invoices', invoiceId)) throw new DuplicateRecordError(`Invoice ${invoiceId}`);
  if (overlay.read('invoiceIdsByKey', invoiceKey(scheduleId, periodId, householdId))) {
    throw new DuplicateRecordError(
      `The invoice of household ${householdId} for schedule ${scheduleId} and period ${periodId}`,
    );
  }
  const version = versionToIssue(overlay, scheduleId, periodId);
  const period = parsePeriodId(periodId);
  if (compareCivilDates(inputs.issuedOn, firstDayOf(period)) < 0)
    throw new InvalidInputError('issuedOn', 'must not precede the first day of the period');
  if (!scheduleAppliesTo(version, householdId))
    throw new InvalidInputError('householdId', 'is not billed by this schedule version');
  const principalFen = invoiceAmountFen(version.charge, version.frequency, inputs.areaCentiSquareMetres);
  if (principalFen === 0n)
    throw new InvalidInputError('areaCentiSquareMetres', 'gives an amount that rounds to nothing');
  return {
    invoiceId,
    householdId,
    scheduleId,
    scheduleVersion: version.version,
    periodId,
    issuedOn: inputs.issuedOn,
    dueDate: dueDateOf(period, version.dueDay),
    graceDays: version.graceDays,
    principalFen,
    principalCorrectionFen: 0n,
    lateFeeFen: 0n,
    lateFeePostedFen: 0n,
    paidFen: 0n,
    lastLateFeeStep: 0,
    lastReminderStep: -1,
  };
}

export const invoiceIssued = defineEntryKind<MoneyState, typeof invoiceIssuedInputs, typeof invoiceIssuedDerived>({
  type: 'fees.invoice-issued',
  inputs: invoiceIssuedInputs,
  derived: invoiceIssuedDerived,
  run(overlay, inputs) {
    const invoice = newInvoice(overlay, inputs);
    const { receivableAccountId } = householdAccounts(overlay, invoice.householdId);
    const feeIncomeAccountId = accountIdOf(overlay, 'fee-income', null);
    writeInvoice(overlay, invoice);
    overlay.write(
      'invoiceIdsByKey',
      invoiceKey(invoice.scheduleId, invoice.periodId, invoice.householdId),
      invoice.invoiceId,
    );
    noteIssuedPeriod(overlay, invoice.scheduleId, invoice.periodId);
    const transfers = new TransferSequence(overlay, sourceIdOf('invoice', invoice.invoiceId), inputs.issuedOn);
    transfers.post({
      debitAccountId: receivableAccountId,
      creditAccountId: feeIncomeAccountId,
      amountFen: invoice.principalFen,
      code: 'invoice',
    });
    const creditAllocations = useHouseholdCredit(overlay, transfers, invoice.householdId);
    const { scheduleVersion, dueDate, graceDays, principalFen: amountFen } = invoice;
    return { scheduleVersion, dueDate, graceDays, amountFen, creditAllocations, transfers: transfers.orders };
  },
});

const invoiceCorrectedInputs = {
  correctionId: idField,
  invoiceId: idField,
  component: z.enum(['principal', 'late-fee']),
  deltaFen: signedFenField,
  correctedOn: civilDateField,
};

const invoiceCorrectedDerived = {
  movedToCreditFen: fenField,
  creditAllocations: allocationsField,
  transfers: derivedTransfersField,
};

type CorrectionInputs = z.output<z.ZodObject<typeof invoiceCorrectedInputs>>;

function correctedInvoice(invoice: Invoice, { component, deltaFen }: CorrectionInputs): Invoice {
  if (deltaFen === 0n) throw new InvalidInputError('deltaFen', 'must not be zero');
  if (component === 'principal') {
    if (billedPrincipalFen(invoice) + deltaFen < 0n)
      throw new InvalidInputError('deltaFen', 'would make the billed principal negative');
    return { ...invoice, principalCorrectionFen: invoice.principalCorrectionFen + deltaFen };
  }
  if (deltaFen > 0n)
    throw new InvalidInputError('deltaFen', 'can only reduce (waive) a late fee; late fees post by their rule');
  if (invoice.lateFeeFen + deltaFen < 0n)
    throw new InvalidInputError('deltaFen', 'would waive more late fee than was charged');
  return { ...invoice, lateFeeFen: invoice.lateFeeFen + deltaFen };
}

export const invoiceCorrected = defineEntryKind<
  MoneyState,
  typeof invoiceCorrectedInputs,
  typeof invoiceCorrectedDerived
>({
  type: 'fees.invoice-corrected',
  inputs: invoiceCorrectedInputs,
  derived: invoiceCorrectedDerived,
  run(overlay, inputs) {
    if (overlay.read('corrections', inputs.correctionId))
      throw new DuplicateRecordError(`Correction ${inputs.correctionId}`);
    const invoice = requireInvoice(overlay, inputs.invoiceId);
    const corrected = correctedInvoice(invoice, inputs);
    const { receivableAccountId, creditAccountId } = householdAccounts(overlay, invoice.householdId);
    const incomeAccountId = accountIdOf(
      overlay,
      inputs.component === 'principal' ? 'fee-income' : 'late-fee-income',
      null,
    );
    const transfers = new TransferSequence(overlay, sourceIdOf('correction', inputs.correctionId), inputs.correctedOn);
    let movedToCreditFen = 0n;
    if (inputs.deltaFen > 0n) {
      writeInvoice(overlay, corrected);
      transfers.post({
        debitAccountId: receivableAccountId,
        creditAccountId: incomeAccountId,
        amountFen: inputs.deltaFen,
        code: 'correction',
      });
    } else {
      const reduction = -inputs.deltaFen;
      const fromOpen = minFen(reduction, openFen(invoice));
      movedToCreditFen = reduction - fromOpen;
      writeInvoice(overlay, { ...corrected, paidFen: corrected.paidFen - movedToCreditFen });
      transfers.post({
        debitAccountId: incomeAccountId,
        creditAccountId: receivableAccountId,
        amountFen: fromOpen,
        code: 'correction',
      });
      transfers.post({
        debitAccountId: incomeAccountId,
        creditAccountId: creditAccountId,
        amountFen: movedToCreditFen,
        code: 'correction',
      });
    }
    const creditAllocations = useHouseholdCredit(overlay, transfers, invoice.householdId);
    overlay.write('corrections', inputs.correctionId, { ...inputs, movedToCreditFen, creditAllocations });
    return { movedToCreditFen, creditAllocations, transfers: transfers.orders };
  },
});
