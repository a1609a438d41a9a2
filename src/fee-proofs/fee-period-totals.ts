/**
 * What a fee period's compliance bundle states about the money, computed by one pure
 * function from invoices, so the server (from its tables) and the offline verifier (from
 * the money entries it replays) compute it the same way. Counts and amounts only, never
 * a household.
 */
import { collectionRate } from '../fees/fee-reports.ts';
import { isOpen, type Invoice } from '../fees/invoices.ts';

export interface FeePeriodTotals {
  invoices: number;
  households: number;
  /** Every invoice of the period settled. */
  householdsPaidInFull: number;
  /** Something paid, something still open. */
  householdsPartlyPaid: number;
  /** Nothing paid. */
  householdsUnpaid: number;
  billedPrincipalFen: string;
  collectedPrincipalFen: string;
  /** Collected / billed principal in basis points, rounded half up; null when nothing was billed. */
  collectionRateBasisPoints: number | null;
}

export function feePeriodTotals(invoices: Iterable<Invoice>, periodId: string): FeePeriodTotals {
  const ofPeriod = [...invoices].filter((invoice) => invoice.periodId === periodId);
  const byHousehold = new Map<string, Invoice[]>();
  for (const invoice of ofPeriod)
    byHousehold.set(invoice.householdId, [...(byHousehold.get(invoice.householdId) ?? []), invoice]);
  let paidInFull = 0;
  let partly = 0;
  let unpaid = 0;
  for (const list of byHousehold.values()) {
    if (list.every((invoice) => !isOpen(invoice))) paidInFull++;
    else if (list.some((invoice) => invoice.paidFen > 0n)) partly++;
    else unpaid++;
  }
  const rate = collectionRate(ofPeriod, periodId);
  return {
    invoices: ofPeriod.length,
    households: byHousehold.size,
    householdsPaidInFull: paidInFull,
    householdsPartlyPaid: partly,
    householdsUnpaid: unpaid,
    billedPrincipalFen: rate.billedFen.toString(),
    collectedPrincipalFen: rate.collectedFen.toString(),
    collectionRateBasisPoints: rate.rateBasisPoints,
  };
}
