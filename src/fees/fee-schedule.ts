/**
 * Fee schedules and their versions. A schedule bills by one frequency for its whole life;
 * everything else — the charge, due day, grace, late-fee rule, reminder cadence, which
 * households — may change, by a new *version*:
 *
 * - a version takes effect from a period; a change made today applies from the **next**
 *   period at the earliest (the first version may start in the current one), and never
 *   from a period that already has invoices, whatever date the change carries;
 * - the version that applies to period P is the highest-numbered version whose first
 *   period is ≤ P (so a later version with the same first period supersedes a version
 *   that has not started yet);
 * - an issued invoice keeps the version and amount it was issued with; nothing rewrites it.
 */
import { InvalidInputError } from '../domain-error.ts';
import type { CivilDate } from '../funds/civil-dates.ts';
import { assertId } from '../funds/identifiers.ts';
import {
  comparePeriodIds,
  nextPeriod,
  parsePeriodId,
  periodContaining,
  type BillingFrequency,
} from './billing-periods.ts';
import { assertDueDay, assertGraceDays } from './due-dates.ts';
import { validateLateFeeRule, type LateFeeRule } from './late-fees.ts';
import { validateReminderCadence, type ReminderCadence } from './reminder-planner.ts';

export type FeeCharge =
  { kind: 'per-area'; rateFenPerSquareMetreMonth: bigint } | { kind: 'fixed'; amountFenPerMonth: bigint };
export type ScheduleHouseholds = { kind: 'all' } | { kind: 'chosen'; householdIds: readonly string[] };

export interface ScheduleVersion {
  scheduleId: string;
  version: number;
  frequency: BillingFrequency;
  effectiveFromPeriodId: string;
  charge: FeeCharge;
  dueDay: number;
  graceDays: number;
  lateFee: LateFeeRule | null;
  reminders: ReminderCadence;
  households: ScheduleHouseholds;
  recordedOn: CivilDate;
}

/** The schedule's index of its versions, oldest first: what `versionForPeriod` reads. */
export interface Schedule {
  scheduleId: string;
  frequency: BillingFrequency;
  versions: ReadonlyArray<{ version: number; effectiveFromPeriodId: string }>;
  /** The latest period any invoice of the schedule was issued for: no new version may start at or before it. */
  lastIssuedPeriodId: string | null;
}

/** 1,000 yuan per m² per month: far above any property fee, low enough to catch a rate typed in the wrong unit. */
export const MAX_RATE_FEN_PER_SQUARE_METRE_MONTH = 100_000n;
/** 1,000,000 yuan per month for a fixed charge. */
export const MAX_FIXED_AMOUNT_FEN_PER_MONTH = 100_000_000n;
/** A chosen set is listed in the version's ledger entry, which must stay under 16 KiB; bigger sets use "all" with a separate schedule. */
export const MAX_SCHEDULE_HOUSEHOLDS = 300;
/** Versions of one schedule: ten years of monthly changes. */
export const MAX_SCHEDULE_VERSIONS = 120;

function validateCharge(charge: FeeCharge): void {
  if (charge.kind === 'per-area') {
    const rate = charge.rateFenPerSquareMetreMonth;
    if (rate < 1n || rate > MAX_RATE_FEN_PER_SQUARE_METRE_MONTH) {
      throw new InvalidInputError(
        'charge.rateFenPerSquareMetreMonth',
        `must be 1 to ${MAX_RATE_FEN_PER_SQUARE_METRE_MONTH} fen`,
      );
    }
  } else if (charge.amountFenPerMonth < 1n || charge.amountFenPerMonth > MAX_FIXED_AMOUNT_FEN_PER_MONTH) {
    throw new InvalidInputError('charge.amountFenPerMonth', `must be 1 to ${MAX_FIXED_AMOUNT_FEN_PER_MONTH} fen`);
  }
}

function validateHouseholds(households: ScheduleHouseholds): void {
  if (households.kind === 'all') return;
  const ids = households.householdIds;
  if (ids.length < 1 || ids.length > MAX_SCHEDULE_HOUSEHOLDS)
    throw new InvalidInputError('households.householdIds', `must list 1 to ${MAX_SCHEDULE_HOUSEHOLDS} households`);
  ids.forEach((id, index) => assertId(id, `households.householdIds[${index}]`));
  if (new Set(ids).size !== ids.length)
    throw new InvalidInputError('households.householdIds', 'must not list a household twice');
}

export function validateScheduleVersion(version: ScheduleVersion): void {
  assertId(version.scheduleId, 'scheduleId');
  if (!Number.isInteger(version.version) || version.version < 1 || version.version > MAX_SCHEDULE_VERSIONS) {
    throw new InvalidInputError('version', `must be 1 to ${MAX_SCHEDULE_VERSIONS}`);
  }
  if (parsePeriodId(version.effectiveFromPeriodId, 'effectiveFromPeriodId').frequency !== version.frequency) {
    throw new InvalidInputError('effectiveFromPeriodId', `must be a ${version.frequency} period id`);
  }
  validateCharge(version.charge);
  assertDueDay(version.dueDay);
  assertGraceDays(version.graceDays);
  if (version.lateFee !== null) validateLateFeeRule(version.lateFee);
  validateReminderCadence(version.reminders);
  validateHouseholds(version.households);
}

/** Refuses a version that would change the past, skip a number or change the frequency. */
export function assertVersionMayFollow(schedule: Schedule | undefined, version: ScheduleVersion): void {
  const current = periodContaining(version.recordedOn, version.frequency);
  if (schedule === undefined) {
    if (version.version !== 1) throw new InvalidInputError('version', 'must be 1 for a new schedule');
    if (comparePeriodIds(version.effectiveFromPeriodId, current.periodId) < 0) {
      throw new InvalidInputError('effectiveFromPeriodId', 'must not lie in the past');
    }
    return;
  }
  const last = schedule.versions.at(-1)!;
  if (version.version !== last.version + 1) throw new InvalidInputError('version', `must be ${last.version + 1}`);
  if (version.frequency !== schedule.frequency)
    throw new InvalidInputError('frequency', `must stay ${schedule.frequency}; start a new schedule instead`);
  if (comparePeriodIds(version.effectiveFromPeriodId, nextPeriod(current).periodId) < 0) {
    throw new InvalidInputError(
      'effectiveFromPeriodId',
      'must be the next period or later: a change never applies to the current or a past period',
    );
  }
  if (comparePeriodIds(version.effectiveFromPeriodId, last.effectiveFromPeriodId) < 0) {
    throw new InvalidInputError('effectiveFromPeriodId', 'must not precede the previous version’s first period');
  }
  if (
    schedule.lastIssuedPeriodId !== null &&
    comparePeriodIds(version.effectiveFromPeriodId, schedule.lastIssuedPeriodId) <= 0
  ) {
    throw new InvalidInputError(
      'effectiveFromPeriodId',
      `must follow ${schedule.lastIssuedPeriodId}, the last period already invoiced`,
    );
  }
}

/** The version number that applies to a period, or undefined before the schedule's first period. */
export function versionForPeriod(schedule: Schedule, periodId: string): number | undefined {
  let applicable: number | undefined;
  for (const { version, effectiveFromPeriodId } of schedule.versions) {
    if (comparePeriodIds(effectiveFromPeriodId, periodId) <= 0) applicable = version;
  }
  return applicable;
}

export function scheduleAppliesTo(version: ScheduleVersion, householdId: string): boolean {
  return version.households.kind === 'all' || version.households.householdIds.includes(householdId);
}
