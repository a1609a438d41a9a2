/**
 * `fees.schedule-versioned`: a new version of a fee schedule (fee-schedule.ts). Inputs are
 * the whole version; nothing is derived. The payload lists chosen households by id only.
 */
import { z } from 'zod';
import { defineEntryKind } from '../funds/entry-kinds.ts';
import { DuplicateRecordError } from '../funds/funds-errors.ts';
import { boundedInt, civilDateField, idField, positiveFenField } from '../funds/payload-fields.ts';
import { BILLING_FREQUENCIES, type BillingFrequency } from './billing-periods.ts';
import { MAX_DUE_DAY, MAX_GRACE_DAYS } from './due-dates.ts';
import {
  assertVersionMayFollow,
  MAX_SCHEDULE_HOUSEHOLDS,
  MAX_SCHEDULE_VERSIONS,
  validateScheduleVersion,
} from './fee-schedule.ts';
import { scheduleVersionKey, type MoneyState } from './fees-state.ts';
import { MAX_DAILY_LATE_FEE_BASIS_POINTS, MAX_LATE_FEE_BASIS_POINTS, MAX_POST_EVERY_DAYS } from './late-fees.ts';
import { MAX_BEFORE_DUE_DAYS, MAX_OVERDUE_REMINDERS, MAX_REPEAT_EVERY_DAYS } from './reminder-planner.ts';

const chargeField = z.discriminatedUnion('kind', [
  z.strictObject({ kind: z.literal('per-area'), rateFenPerSquareMetreMonth: positiveFenField }),
  z.strictObject({ kind: z.literal('fixed'), amountFenPerMonth: positiveFenField }),
]);

const lateFeeField = z
  .discriminatedUnion('kind', [
    z.strictObject({ kind: z.literal('fixed'), amountFen: positiveFenField, capFen: positiveFenField }),
    z.strictObject({
      kind: z.literal('percentage'),
      basisPoints: boundedInt(1, MAX_LATE_FEE_BASIS_POINTS),
      capFen: positiveFenField,
    }),
    z.strictObject({
      kind: z.literal('daily'),
      basisPointsPerDay: boundedInt(1, MAX_DAILY_LATE_FEE_BASIS_POINTS),
      postEveryDays: boundedInt(1, MAX_POST_EVERY_DAYS),
      capFen: positiveFenField,
    }),
  ])
  .nullable();

const householdsField = z.discriminatedUnion('kind', [
  z.strictObject({ kind: z.literal('all') }),
  z.strictObject({ kind: z.literal('chosen'), householdIds: z.array(idField).min(1).max(MAX_SCHEDULE_HOUSEHOLDS) }),
]);

const scheduleVersionedInputs = {
  scheduleId: idField,
  version: boundedInt(1, MAX_SCHEDULE_VERSIONS),
  frequency: z.enum(BILLING_FREQUENCIES as [BillingFrequency, ...BillingFrequency[]]),
  effectiveFromPeriodId: z.string().max(7),
  charge: chargeField,
  dueDay: boundedInt(1, MAX_DUE_DAY),
  graceDays: boundedInt(0, MAX_GRACE_DAYS),
  lateFee: lateFeeField,
  reminders: z.strictObject({
    beforeDueDays: boundedInt(0, MAX_BEFORE_DUE_DAYS),
    repeatEveryDays: boundedInt(1, MAX_REPEAT_EVERY_DAYS),
    maxOverdueReminders: boundedInt(1, MAX_OVERDUE_REMINDERS),
  }),
  households: householdsField,
  recordedOn: civilDateField,
};

export const scheduleVersioned = defineEntryKind<MoneyState, typeof scheduleVersionedInputs, Record<string, never>>({
  type: 'fees.schedule-versioned',
  inputs: scheduleVersionedInputs,
  derived: {},
  run(overlay, version) {
    validateScheduleVersion(version);
    const schedule = overlay.read('schedules', version.scheduleId);
    if (overlay.read('scheduleVersions', scheduleVersionKey(version.scheduleId, version.version))) {
      throw new DuplicateRecordError(`Version ${version.version} of schedule ${version.scheduleId}`);
    }
    assertVersionMayFollow(schedule, version);
    overlay.write('scheduleVersions', scheduleVersionKey(version.scheduleId, version.version), version);
    const versions = [
      ...(schedule?.versions ?? []),
      { version: version.version, effectiveFromPeriodId: version.effectiveFromPeriodId },
    ];
    const lastIssuedPeriodId = schedule?.lastIssuedPeriodId ?? null;
    overlay.write('schedules', version.scheduleId, {
      scheduleId: version.scheduleId,
      frequency: version.frequency,
      versions,
      lastIssuedPeriodId,
    });
    return {};
  },
});
