/**
 * An invoice: one household, one schedule, one period. Its amounts are kept as the
 * history that made them, and everything else is derived:
 *
 *   billed principal = principalFen + principalCorrectionFen
 *   total            = billed principal + lateFeeFen
 *   open             = total − paidFen            (never negative)
 *   unpaid principal = max(0, billed principal − paidFen)
 *
 * Payments settle principal before late fees (so late fees accrue on principal only).
 * Invoices of a household are settled oldest first: by due date, then by invoice id.
 */
import type { CivilDate } from '../funds/civil-dates.ts';
import { maxFen } from '../funds/fen.ts';

export interface Invoice {
  invoiceId: string;
  householdId: string;
  scheduleId: string;
  scheduleVersion: number;
  periodId: string;
  issuedOn: CivilDate;
  dueDate: CivilDate;
  graceDays: number;
  /** As issued; never changed. */
  principalFen: bigint;
  /** The signed sum of principal corrections. */
  principalCorrectionFen: bigint;
  /** Late fees posted, less waivers. */
  lateFeeFen: bigint;
  /** Late fees ever posted, waivers not deducted: what the cap counts. */
  lateFeePostedFen: bigint;
  /** Settled by payments and credit, less refunds and what corrections moved to credit. */
  paidFen: bigint;
  /** The last late-fee step posted, 0 when none. */
  lastLateFeeStep: number;
  /** The last reminder step queued, -1 when none (step 0 is the before-due reminder). */
  lastReminderStep: number;
}

export function billedPrincipalFen(invoice: Invoice): bigint {
  return invoice.principalFen + invoice.principalCorrectionFen;
}

export function invoiceTotalFen(invoice: Invoice): bigint {
  return billedPrincipalFen(invoice) + invoice.lateFeeFen;
}

export function openFen(invoice: Invoice): bigint {
  return invoiceTotalFen(invoice) - invoice.paidFen;
}

export function unpaidPrincipalFen(invoice: Invoice): bigint {
  return maxFen(0n, billedPrincipalFen(invoice) - invoice.paidFen);
}

export function isOpen(invoice: Invoice): boolean {
  return openFen(invoice) > 0n;
}

/** Oldest first: due date, then invoice id, so the order is total and the same everywhere. */
export function compareInvoicesOldestFirst(
  a: Pick<Invoice, 'dueDate' | 'invoiceId'>,
  b: Pick<Invoice, 'dueDate' | 'invoiceId'>,
): number {
  if (a.dueDate !== b.dueDate) return a.dueDate < b.dueDate ? -1 : 1;
  return a.invoiceId < b.invoiceId ? -1 : a.invoiceId > b.invoiceId ? 1 : 0;
}
