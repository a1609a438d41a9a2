/**
 * A household's standing, derived from its invoices on a given day — never stored apart
 * from them, so it cannot drift:
 *
 * - `current`: no open invoice is overdue (days overdue ≥ 1, due-dates.ts);
 * - `overdue`: some open invoice is overdue;
 * - `in-collection`: some open invoice has been overdue for at least
 *   `collectionAfterDaysOverdue` days, and the household's overdue amount is at least
 *   `collectionMinimumOverdueFen` (so a few fen left by a rounding never send a household
 *   to collection).
 */
import { InvalidInputError } from '../domain-error.ts';
import type { CivilDate } from '../funds/civil-dates.ts';
import { MAX_AMOUNT_FEN } from '../funds/fen.ts';
import { daysOverdue } from './due-dates.ts';
import { isOpen, openFen, type Invoice } from './invoices.ts';

export type HouseholdStanding = 'current' | 'overdue' | 'in-collection';

export interface DelinquencySettings {
  collectionAfterDaysOverdue: number;
  collectionMinimumOverdueFen: bigint;
}

/** 90 days overdue and at least 100 yuan: the usual point at which a property manager escalates. */
export const DEFAULT_DELINQUENCY_SETTINGS: DelinquencySettings = {
  collectionAfterDaysOverdue: 90,
  collectionMinimumOverdueFen: 10_000n,
};
export const MAX_COLLECTION_AFTER_DAYS = 3_650;

export function validateDelinquencySettings(settings: DelinquencySettings): void {
  const days = settings.collectionAfterDaysOverdue;
  if (!Number.isInteger(days) || days < 1 || days > MAX_COLLECTION_AFTER_DAYS) {
    throw new InvalidInputError('collectionAfterDaysOverdue', `must be 1 to ${MAX_COLLECTION_AFTER_DAYS}`);
  }
  if (settings.collectionMinimumOverdueFen < 0n || settings.collectionMinimumOverdueFen > MAX_AMOUNT_FEN) {
    throw new InvalidInputError('collectionMinimumOverdueFen', `must be 0 to ${MAX_AMOUNT_FEN} fen`);
  }
}

export interface HouseholdDelinquency {
  standing: HouseholdStanding;
  overdueFen: bigint;
  /** The most days any open invoice is overdue; 0 when none is. */
  maxDaysOverdue: number;
}

/** `invoices` are one household's; the standing is as of `today`. */
export function householdDelinquency(
  invoices: readonly Invoice[],
  today: CivilDate,
  settings: DelinquencySettings = DEFAULT_DELINQUENCY_SETTINGS,
): HouseholdDelinquency {
  validateDelinquencySettings(settings);
  let overdueFen = 0n;
  let maxDaysOverdue = 0;
  for (const invoice of invoices) {
    if (!isOpen(invoice)) continue;
    const days = daysOverdue(invoice.dueDate, invoice.graceDays, today);
    if (days < 1) continue;
    overdueFen += openFen(invoice);
    maxDaysOverdue = Math.max(maxDaysOverdue, days);
  }
  const standing: HouseholdStanding =
    maxDaysOverdue === 0
      ? 'current'
      : maxDaysOverdue >= settings.collectionAfterDaysOverdue && overdueFen >= settings.collectionMinimumOverdueFen
        ? 'in-collection'
        : 'overdue';
  return { standing, overdueFen, maxDaysOverdue };
}
