/**
 * A household's side of the books, as the fee rules read and write it: its invoices
 * (oldest first), its receivable and credit accounts, and the rule that credit is used
 * at once — whenever a household has credit and an open invoice, the credit settles the
 * open invoices oldest first. So a household never holds credit while it owes.
 */
import { NotFoundError } from '../domain-error.ts';
import { accountIdOf, requireAccount } from '../funds/account-lookup.ts';
import { accountNaturalBalanceFen } from '../funds/accounts.ts';
import type { StateOverlay } from '../funds/state-overlay.ts';
import type { TransferSequence } from '../funds/transfers.ts';
import type { MoneyState } from './fees-state.ts';
import { compareInvoicesOldestFirst, isOpen, openFen, type Invoice } from './invoices.ts';
import { allocateOldestFirst, allocatedTotalFen, type Allocation } from './payment-allocation.ts';

export type MoneyOverlay = StateOverlay<MoneyState>;

export function requireInvoice(overlay: MoneyOverlay, invoiceId: string): Invoice {
  const invoice = overlay.read('invoices', invoiceId);
  if (!invoice) throw new NotFoundError(`Invoice ${invoiceId}`);
  return invoice;
}

export function invoicesOfHousehold(overlay: MoneyOverlay, householdId: string): Invoice[] {
  return (overlay.read('householdInvoiceIds', householdId) ?? []).map((invoiceId) =>
    requireInvoice(overlay, invoiceId),
  );
}

export function openInvoicesOf(overlay: MoneyOverlay, householdId: string): Invoice[] {
  return invoicesOfHousehold(overlay, householdId).filter(isOpen);
}

/** Writes an invoice; a new one joins its household's index in oldest-first order. */
export function writeInvoice(overlay: MoneyOverlay, invoice: Invoice): void {
  const isNew = overlay.read('invoices', invoice.invoiceId) === undefined;
  overlay.write('invoices', invoice.invoiceId, invoice);
  if (!isNew) return;
  const ids = [...(overlay.read('householdInvoiceIds', invoice.householdId) ?? []), invoice.invoiceId];
  const invoices = ids.map((invoiceId) => requireInvoice(overlay, invoiceId)).sort(compareInvoicesOldestFirst);
  overlay.write(
    'householdInvoiceIds',
    invoice.householdId,
    invoices.map((each) => each.invoiceId),
  );
}

export interface HouseholdAccounts {
  receivableAccountId: string;
  creditAccountId: string;
}

export function householdAccounts(overlay: MoneyOverlay, householdId: string): HouseholdAccounts {
  return {
    receivableAccountId: accountIdOf(overlay, 'household-receivable', householdId),
    creditAccountId: accountIdOf(overlay, 'household-credit', householdId),
  };
}

export function creditBalanceFen(overlay: MoneyOverlay, householdId: string): bigint {
  return accountNaturalBalanceFen(requireAccount(overlay, householdAccounts(overlay, householdId).creditAccountId));
}

/** Adds (or with sign −1 removes) allocated amounts to the invoices' paid totals. */
export function settleInvoices(overlay: MoneyOverlay, allocations: readonly Allocation[], sign: 1n | -1n): void {
  for (const { invoiceId, amountFen } of allocations) {
    const invoice = requireInvoice(overlay, invoiceId);
    writeInvoice(overlay, { ...invoice, paidFen: invoice.paidFen + sign * amountFen });
  }
}

/** Uses the household's credit on its open invoices, oldest first; returns what it settled. */
export function useHouseholdCredit(
  overlay: MoneyOverlay,
  transfers: TransferSequence,
  householdId: string,
): Allocation[] {
  const credit = creditBalanceFen(overlay, householdId);
  if (credit <= 0n) return [];
  const open = openInvoicesOf(overlay, householdId).map((invoice) => ({
    invoiceId: invoice.invoiceId,
    openFen: openFen(invoice),
  }));
  const { allocations } = allocateOldestFirst(open, credit);
  settleInvoices(overlay, allocations, 1n);
  const { receivableAccountId, creditAccountId } = householdAccounts(overlay, householdId);
  transfers.post({
    debitAccountId: creditAccountId,
    creditAccountId: receivableAccountId,
    amountFen: allocatedTotalFen(allocations),
    code: 'credit-applied',
  });
  return allocations;
}
