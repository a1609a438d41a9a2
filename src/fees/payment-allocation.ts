/**
 * Allocating money to open invoices: the oldest first (invoices.ts orders them), each
 * settled as far as the money goes — fully, or the last one partially. What is left over
 * becomes the household's credit, which the next invoice uses first.
 */
import { InvalidInputError } from '../domain-error.ts';
import { minFen } from '../funds/fen.ts';

/** Most invoices one payment, refund or credit settlement may touch; its entry stays under the ledger's 16 KiB. */
export const MAX_INVOICES_PER_SETTLEMENT = 100;

export interface Allocation {
  invoiceId: string;
  amountFen: bigint;
}

export interface AllocationResult {
  allocations: Allocation[];
  remainderFen: bigint;
}

/** `openInvoices` must already be oldest first, with their open amounts. */
export function allocateOldestFirst(
  openInvoices: ReadonlyArray<{ invoiceId: string; openFen: bigint }>,
  amountFen: bigint,
): AllocationResult {
  const allocations: Allocation[] = [];
  let remainderFen = amountFen;
  for (const invoice of openInvoices) {
    if (remainderFen === 0n) break;
    if (invoice.openFen <= 0n) continue;
    if (allocations.length === MAX_INVOICES_PER_SETTLEMENT) {
      throw new InvalidInputError(
        'amountFen',
        `would settle more than ${MAX_INVOICES_PER_SETTLEMENT} invoices at once; record it as several payments`,
      );
    }
    const share = minFen(invoice.openFen, remainderFen);
    allocations.push({ invoiceId: invoice.invoiceId, amountFen: share });
    remainderFen -= share;
  }
  return { allocations, remainderFen };
}

export function allocatedTotalFen(allocations: readonly Allocation[]): bigint {
  return allocations.reduce((sum, allocation) => sum + allocation.amountFen, 0n);
}
