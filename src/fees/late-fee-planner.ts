/**
 * Which late-fee steps the late-fee job should post today: for each open invoice whose
 * schedule version has a late-fee rule, every step due and not yet posted, in order
 * (late-fees.ts). The job posts each as its own `fees.late-fee-posted` entry; the entry's
 * rule recomputes the amount, and a step already posted is refused, so a racing second
 * job cannot charge it twice.
 */
import { InvalidInputError } from '../domain-error.ts';
import type { CivilDate } from '../funds/civil-dates.ts';
import { daysOverdue } from './due-dates.ts';
import { stepKey } from './fees-state.ts';
import { isOpen, unpaidPrincipalFen, type Invoice } from './invoices.ts';
import { dueLateFeeSteps, type LateFeeRule } from './late-fees.ts';
import { MAX_INVOICES_PER_PLAN } from './reminder-planner.ts';

export interface PlannedLateFee {
  invoiceId: string;
  step: number;
  amountFen: bigint;
  /** `${invoiceId}/${step}`: the unique key of the late fee. */
  key: string;
}

export function planLateFees(
  invoices: readonly Invoice[],
  ruleOf: (invoice: Invoice) => LateFeeRule | null,
  today: CivilDate,
): PlannedLateFee[] {
  if (invoices.length > MAX_INVOICES_PER_PLAN)
    throw new InvalidInputError('invoices', `must be at most ${MAX_INVOICES_PER_PLAN} per call`);
  const planned: PlannedLateFee[] = [];
  for (const invoice of invoices) {
    const rule = ruleOf(invoice);
    if (rule === null || !isOpen(invoice)) continue;
    const steps = dueLateFeeSteps(rule, {
      lastStep: invoice.lastLateFeeStep,
      postedSoFarFen: invoice.lateFeePostedFen,
      unpaidPrincipalFen: unpaidPrincipalFen(invoice),
      daysOverdue: daysOverdue(invoice.dueDate, invoice.graceDays, today),
    });
    for (const { step, amountFen } of steps)
      planned.push({ invoiceId: invoice.invoiceId, step, amountFen, key: stepKey(invoice.invoiceId, step) });
  }
  return planned;
}
