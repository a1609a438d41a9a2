/**
 * Late fees (滞纳金), on the rule of the invoice's schedule version. A late fee is charged
 * on the invoice's *unpaid principal* (payments settle principal before late fees, so a
 * late fee never earns a late fee) and is posted in numbered steps, each exactly once per
 * (invoice, step):
 *
 * | kind         | step(s)                                             | amount of a step                                       |
 * | ------------ | --------------------------------------------------- | ------------------------------------------------------ |
 * | `fixed`      | step 1, on the first overdue day                    | `amountFen`                                            |
 * | `percentage` | step 1, on the first overdue day                    | unpaid principal × `basisPoints` / 10,000               |
 * | `daily`      | step k on overdue day k·`postEveryDays` (k ≤ 36)    | unpaid principal × `basisPointsPerDay` × `postEveryDays` / 10,000 |
 *
 * Each step is rounded half up to whole fen, once, when it posts. All steps of an invoice
 * together never exceed `capFen`: the step that reaches the cap is cut to it, and no step
 * posts after it (a waiver does not give the headroom back). A step whose amount would be
 * zero — principal paid, or cap reached — is not posted.
 */
import { InvalidInputError } from '../domain-error.ts';
import { divideRoundHalfUp, MAX_AMOUNT_FEN, minFen } from '../funds/fen.ts';

export type LateFeeRule =
  | { kind: 'fixed'; amountFen: bigint; capFen: bigint }
  | { kind: 'percentage'; basisPoints: number; capFen: bigint }
  | { kind: 'daily'; basisPointsPerDay: number; postEveryDays: number; capFen: bigint };

export const BASIS_POINTS_PER_UNIT = 10_000n;
/** A one-off percentage late fee: at most 100 % of the unpaid principal. */
export const MAX_LATE_FEE_BASIS_POINTS = 10_000;
/** A daily rate: at most 1 % a day. */
export const MAX_DAILY_LATE_FEE_BASIS_POINTS = 100;
export const MAX_POST_EVERY_DAYS = 92;
/** Most steps a daily rule posts per invoice. */
export const MAX_LATE_FEE_STEPS = 36;

function assertIntegerIn(value: number, min: number, max: number, parameter: string): void {
  if (!Number.isInteger(value) || value < min || value > max)
    throw new InvalidInputError(parameter, `must be a whole number from ${min} to ${max}`);
}

export function validateLateFeeRule(rule: LateFeeRule): void {
  if (rule.capFen <= 0n || rule.capFen > MAX_AMOUNT_FEN)
    throw new InvalidInputError('lateFee.capFen', `must be 1 to ${MAX_AMOUNT_FEN} fen`);
  switch (rule.kind) {
    case 'fixed':
      if (rule.amountFen <= 0n || rule.amountFen > rule.capFen)
        throw new InvalidInputError('lateFee.amountFen', 'must be positive and at most the cap');
      return;
    case 'percentage':
      return assertIntegerIn(rule.basisPoints, 1, MAX_LATE_FEE_BASIS_POINTS, 'lateFee.basisPoints');
    case 'daily':
      assertIntegerIn(rule.basisPointsPerDay, 1, MAX_DAILY_LATE_FEE_BASIS_POINTS, 'lateFee.basisPointsPerDay');
      return assertIntegerIn(rule.postEveryDays, 1, MAX_POST_EVERY_DAYS, 'lateFee.postEveryDays');
  }
}

export function lateFeeStepCount(rule: LateFeeRule): number {
  return rule.kind === 'daily' ? MAX_LATE_FEE_STEPS : 1;
}

/** The days overdue (due-dates.ts) on which step `step` (from 1) falls due. */
export function lateFeeStepDueAt(rule: LateFeeRule, step: number): number {
  return rule.kind === 'daily' ? step * rule.postEveryDays : 1;
}

/** The amount of one step, given the unpaid principal now and what earlier steps posted. */
export function lateFeeStepAmountFen(rule: LateFeeRule, unpaidPrincipalFen: bigint, postedSoFarFen: bigint): bigint {
  if (unpaidPrincipalFen <= 0n) return 0n;
  const headroom = rule.capFen - postedSoFarFen;
  if (headroom <= 0n) return 0n;
  const raw =
    rule.kind === 'fixed'
      ? rule.amountFen
      : rule.kind === 'percentage'
        ? divideRoundHalfUp(unpaidPrincipalFen * BigInt(rule.basisPoints), BASIS_POINTS_PER_UNIT)
        : divideRoundHalfUp(
            unpaidPrincipalFen * BigInt(rule.basisPointsPerDay) * BigInt(rule.postEveryDays),
            BASIS_POINTS_PER_UNIT,
          );
  return minFen(raw, headroom);
}

export interface LateFeeProgress {
  /** The last step posted for the invoice, 0 when none. */
  lastStep: number;
  postedSoFarFen: bigint;
  unpaidPrincipalFen: bigint;
  daysOverdue: number;
}

export interface DueLateFeeStep {
  step: number;
  amountFen: bigint;
}

/**
 * The steps due and not yet posted, in order, with their amounts (each computed as if the
 * ones before it had posted). After downtime every missed step is still charged, once.
 */
export function dueLateFeeSteps(rule: LateFeeRule, progress: LateFeeProgress): DueLateFeeStep[] {
  const due: DueLateFeeStep[] = [];
  let postedSoFar = progress.postedSoFarFen;
  for (let step = progress.lastStep + 1; step <= lateFeeStepCount(rule); step++) {
    if (lateFeeStepDueAt(rule, step) > progress.daysOverdue) break;
    const amountFen = lateFeeStepAmountFen(rule, progress.unpaidPrincipalFen, postedSoFar);
    if (amountFen === 0n) break;
    due.push({ step, amountFen });
    postedSoFar += amountFen;
  }
  return due;
}
