/**
 * Fee reports, as pure functions over the invoice projection. They return aggregates
 * only — amounts and counts, never a household id — so the same figures can be shown to
 * residents and regulators.
 *
 * **Collection rate of a period**: of the principal billed on the period's invoices
 * (issued amount plus corrections; late fees excluded), the share paid so far. Payments
 * settle principal before late fees, so an invoice's collected principal is
 * min(paid, billed principal). The rate is given exactly, as a reduced fraction, and in
 * basis points rounded half up; with nothing billed there is no rate.
 *
 * **Arrears ageing** on a day: open invoices by days past their due date (grace is not
 * counted — ageing is about the due date, as in any receivables ageing): 1–30 days (the
 * "0–30" bucket; an invoice is in arrears from the day after its due date), 31–90,
 * 91–180, over 180. Open invoices not yet past due are reported apart.
 */
import { InvalidInputError } from '../domain-error.ts';
import type { CivilDate } from '../funds/civil-dates.ts';
import { divideRoundHalfUp, minFen } from '../funds/fen.ts';
import { daysPastDue } from './due-dates.ts';
import { billedPrincipalFen, isOpen, openFen, type Invoice } from './invoices.ts';

/** Most invoices one report call takes; the wiring aggregates bigger sets in SQL or pages. */
export const MAX_INVOICES_PER_REPORT = 1_000_000;

function assertReportSize(invoices: readonly Invoice[]): void {
  if (invoices.length > MAX_INVOICES_PER_REPORT)
    throw new InvalidInputError('invoices', `must be at most ${MAX_INVOICES_PER_REPORT}`);
}

export interface CollectionRate {
  periodId: string;
  invoiceCount: number;
  paidInFullCount: number;
  billedFen: bigint;
  collectedFen: bigint;
  /** collected / billed, reduced; null when nothing was billed. */
  rate: { numerator: bigint; denominator: bigint } | null;
  rateBasisPoints: number | null;
}

function gcd(a: bigint, b: bigint): bigint {
  while (b !== 0n) [a, b] = [b, a % b];
  return a;
}

export function collectionRate(invoices: readonly Invoice[], periodId: string): CollectionRate {
  assertReportSize(invoices);
  let billedFen = 0n;
  let collectedFen = 0n;
  let invoiceCount = 0;
  let paidInFullCount = 0;
  for (const invoice of invoices) {
    if (invoice.periodId !== periodId) continue;
    invoiceCount++;
    const billed = billedPrincipalFen(invoice);
    billedFen += billed;
    collectedFen += minFen(invoice.paidFen, billed);
    if (!isOpen(invoice)) paidInFullCount++;
  }
  if (billedFen === 0n)
    return { periodId, invoiceCount, paidInFullCount, billedFen, collectedFen, rate: null, rateBasisPoints: null };
  const divisor = gcd(collectedFen, billedFen);
  return {
    periodId,
    invoiceCount,
    paidInFullCount,
    billedFen,
    collectedFen,
    rate: { numerator: collectedFen / divisor, denominator: billedFen / divisor },
    rateBasisPoints: Number(divideRoundHalfUp(collectedFen * 10_000n, billedFen)),
  };
}

export interface AgeingBucket {
  /** Days past due, inclusive; `maxDays` null for the open-ended last bucket. */
  minDays: number;
  maxDays: number | null;
  amountFen: bigint;
  invoiceCount: number;
}

export interface ArrearsAgeing {
  asOf: CivilDate;
  buckets: AgeingBucket[];
  arrearsFen: bigint;
  householdsInArrears: number;
  notYetDueFen: bigint;
}

export const AGEING_BUCKET_BOUNDS: ReadonlyArray<readonly [number, number | null]> = [
  [1, 30],
  [31, 90],
  [91, 180],
  [181, null],
];

export function arrearsAgeing(invoices: readonly Invoice[], asOf: CivilDate): ArrearsAgeing {
  assertReportSize(invoices);
  const buckets: AgeingBucket[] = AGEING_BUCKET_BOUNDS.map(([minDays, maxDays]) => ({
    minDays,
    maxDays,
    amountFen: 0n,
    invoiceCount: 0,
  }));
  const households = new Set<string>();
  let notYetDueFen = 0n;
  for (const invoice of invoices) {
    if (!isOpen(invoice)) continue;
    const days = daysPastDue(invoice.dueDate, asOf);
    if (days < 1) {
      notYetDueFen += openFen(invoice);
      continue;
    }
    const bucket = buckets.find(
      (candidate) => days >= candidate.minDays && (candidate.maxDays === null || days <= candidate.maxDays),
    )!;
    bucket.amountFen += openFen(invoice);
    bucket.invoiceCount++;
    households.add(invoice.householdId);
  }
  const arrearsFen = buckets.reduce((sum, bucket) => sum + bucket.amountFen, 0n);
  return { asOf, buckets, arrearsFen, householdsInArrears: households.size, notYetDueFen };
}
