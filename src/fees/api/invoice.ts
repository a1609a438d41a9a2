/**
 * Fee schedules, invoice runs, invoices and statements over GraphQL. Managers define
 * schedules and run invoices; a household's invoices and statement are for its residents
 * and the community's managers and committee.
 */
import { z } from 'zod';
import { builder } from '../../graphql/builder.ts';
import { MUTATION_ERRORS } from '../../graphql/errors.ts';
import { parseUuid } from '../../graphql/ids.ts';
import { CommunityRef } from '../../accounts/api/community.ts';
import { HouseholdRef } from '../../privacy/api/household.ts';
import { ID_PATTERN } from '../../funds/identifiers.ts';
import { keyParsers, resolveKeysetConnection } from '../../graphql/keyset-connection.ts';
import { communityIdOf, moneyContext } from '../../funds/api/money-account.ts';
import { BILLING_FREQUENCIES } from '../billing-periods.ts';
import type { LateFeeRule } from '../late-fees.ts';
import { invoiceTotalFen, openFen, type Invoice } from '../invoices.ts';
import type { InvoiceRunResult } from '../fees-operations.ts';
import {
  correctInvoice,
  defineFeeSchedule,
  householdInvoices,
  householdNotifications,
  householdStatement,
  runInvoices,
  type MoneyNotification,
  type Statement,
  type StatementLine,
} from '../money-commands.ts';

const FrequencyEnum = builder.enumType('BillingFrequency', {
  values: Object.fromEntries(BILLING_FREQUENCIES.map((f) => [f.toUpperCase(), { value: f }])),
});
const LateFeeKindEnum = builder.enumType('LateFeeKind', {
  values: { FIXED: { value: 'fixed' }, PERCENTAGE: { value: 'percentage' }, DAILY: { value: 'daily' } },
});

const LateFeeInput = builder.inputType('LateFeeInput', {
  description:
    'fixed: amount once; percentage: basisPoints of unpaid principal once; daily: basisPointsPerDay × postEveryDays per step. All capped by cap.',
  fields: (t) => ({
    kind: t.field({ type: LateFeeKindEnum, required: true }),
    amount: t.field({ type: 'Money' }),
    basisPoints: t.int(),
    basisPointsPerDay: t.int(),
    postEveryDays: t.int(),
    cap: t.field({ type: 'Money', required: true }),
  }),
});

const FeeScheduleInput = builder.inputType('FeeScheduleInput', {
  fields: (t) => ({
    frequency: t.field({ type: FrequencyEnum, required: true }),
    effectiveFromPeriodId: t.string({
      required: true,
      description: '2026-03, 2026-Q1 or 2026: the first period this version bills.',
    }),
    ratePerSquareMetreMonth: t.field({
      type: 'Money',
      description: 'Fen per m² per month (one of this and fixedPerMonth).',
    }),
    fixedPerMonth: t.field({ type: 'Money', description: 'Fen per month (parking).' }),
    dueDay: t.int({ required: true }),
    graceDays: t.int({ required: true }),
    lateFee: t.field({ type: LateFeeInput }),
    remindBeforeDueDays: t.int({ defaultValue: 3 }),
    remindEveryDays: t.int({ defaultValue: 7 }),
    maxOverdueReminders: t.int({ defaultValue: 12 }),
    householdIds: t.globalIDList({ for: HouseholdRef, description: 'The households it applies to; all when omitted.' }),
  }),
});

const ScheduleVersionRef = builder.objectRef<{ scheduleId: string; version: number }>('FeeScheduleVersion').implement({
  fields: (t) => ({ scheduleId: t.exposeString('scheduleId'), version: t.exposeInt('version') }),
});

function lateFeeOf(input: {
  kind: string;
  amount?: bigint | null;
  basisPoints?: number | null;
  basisPointsPerDay?: number | null;
  postEveryDays?: number | null;
  cap: bigint;
}): LateFeeRule {
  if (input.kind === 'fixed') return { kind: 'fixed', amountFen: input.amount ?? 0n, capFen: input.cap };
  if (input.kind === 'percentage')
    return { kind: 'percentage', basisPoints: input.basisPoints ?? 0, capFen: input.cap };
  return {
    kind: 'daily',
    basisPointsPerDay: input.basisPointsPerDay ?? 0,
    postEveryDays: input.postEveryDays ?? 0,
    capFen: input.cap,
  };
}

builder.mutationField('defineFeeSchedule', (t) =>
  t.field({
    type: ScheduleVersionRef,
    description:
      'Manager: a new schedule, or the next version of one (from a later period than any invoiced; issued invoices never change).',
    errors: { types: MUTATION_ERRORS },
    args: {
      communityId: t.arg.globalID({ required: true, for: CommunityRef }),
      scheduleId: t.arg.string({ validate: z.string().regex(ID_PATTERN).optional().nullable() }),
      schedule: t.arg({ type: FeeScheduleInput, required: true }),
    },
    resolve: (_root, args, context) => {
      const input = args.schedule;
      const charge =
        input.ratePerSquareMetreMonth != null
          ? ({ kind: 'per-area', rateFenPerSquareMetreMonth: input.ratePerSquareMetreMonth } as const)
          : ({ kind: 'fixed', amountFenPerMonth: input.fixedPerMonth ?? 0n } as const);
      return defineFeeSchedule(moneyContext(context), communityIdOf(args), {
        scheduleId: args.scheduleId ?? null,
        frequency: input.frequency as (typeof BILLING_FREQUENCIES)[number],
        effectiveFromPeriodId: input.effectiveFromPeriodId,
        charge,
        dueDay: input.dueDay,
        graceDays: input.graceDays,
        lateFee: input.lateFee ? lateFeeOf(input.lateFee) : null,
        reminders: {
          beforeDueDays: input.remindBeforeDueDays ?? 3,
          repeatEveryDays: input.remindEveryDays ?? 7,
          maxOverdueReminders: input.maxOverdueReminders ?? 12,
        },
        households: input.householdIds?.length
          ? { kind: 'chosen', householdIds: input.householdIds.map((id) => parseUuid(id.id, 'householdIds')) }
          : { kind: 'all' },
      });
    },
  }),
);

const InvoiceRunRef = builder.objectRef<InvoiceRunResult>('InvoiceRun').implement({
  fields: (t) => ({
    issued: t.exposeInt('issued'),
    alreadyIssued: t.exposeInt('alreadyIssued', {
      description: 'Households that had this period’s invoice already (never billed twice).',
    }),
    notApplicable: t.exposeInt('notApplicable'),
  }),
});

builder.mutationField('issueInvoices', (t) =>
  t.field({
    type: InvoiceRunRef,
    description:
      "Manager: issues a period's invoices of a schedule to every household it applies to (the daily job does the same).",
    errors: { types: MUTATION_ERRORS },
    args: {
      communityId: t.arg.globalID({ required: true, for: CommunityRef }),
      scheduleId: t.arg.string({ required: true, validate: z.string().regex(ID_PATTERN) }),
      periodId: t.arg.string({ required: true, validate: z.string().max(7) }),
    },
    resolve: (_root, args, context) =>
      runInvoices(moneyContext(context), communityIdOf(args), args.scheduleId, args.periodId),
  }),
);

export const InvoiceRef = builder.objectRef<Invoice>('Invoice').implement({
  description: 'One household, one schedule, one period. Amounts in fen.',
  fields: (t) => ({
    id: t.exposeString('invoiceId'),
    household: t.globalID({ resolve: (invoice) => ({ type: 'Household', id: invoice.householdId }) }),
    scheduleId: t.exposeString('scheduleId'),
    scheduleVersion: t.exposeInt('scheduleVersion'),
    periodId: t.exposeString('periodId'),
    issuedOn: t.exposeString('issuedOn'),
    dueDate: t.exposeString('dueDate'),
    graceDays: t.exposeInt('graceDays'),
    principal: t.field({ type: 'Money', resolve: (invoice) => invoice.principalFen + invoice.principalCorrectionFen }),
    lateFees: t.field({ type: 'Money', resolve: (invoice) => invoice.lateFeeFen }),
    total: t.field({ type: 'Money', resolve: invoiceTotalFen }),
    paid: t.field({ type: 'Money', resolve: (invoice) => invoice.paidFen }),
    open: t.field({ type: 'Money', resolve: openFen }),
    remindersSent: t.int({
      description: 'Reminder steps queued so far.',
      resolve: (invoice) => invoice.lastReminderStep + 1,
    }),
  }),
});

const householdArgs = (t: any) => ({
  communityId: t.arg.globalID({ required: true, for: CommunityRef }),
  householdId: t.arg.globalID({ required: true, for: HouseholdRef }),
});

builder.queryField('householdInvoices', (t) =>
  t.connection({
    type: InvoiceRef,
    description:
      "A household's invoices, newest due date first: for its residents and the community's managers and committee.",
    args: householdArgs(t),
    resolve: (_root, args: any, context) =>
      resolveKeysetConnection(
        args,
        (page) =>
          householdInvoices(
            moneyContext(context),
            communityIdOf(args),
            parseUuid(args.householdId.id, 'householdId'),
            page,
          ),
        {
          name: 'householdInvoices',
          keyOf: (invoice) => [invoice.dueDate, invoice.invoiceId] as const,
          parseKey: keyParsers.twoStrings,
        },
      ),
  }),
);

const StatementLineRef = builder.objectRef<StatementLine>('StatementLine').implement({
  fields: (t) => ({
    on: t.exposeString('on'),
    kind: t.exposeString('kind', { description: 'invoice or payment.' }),
    id: t.exposeString('id'),
    amount: t.field({
      type: 'Money',
      description: 'Positive when billed, negative when paid.',
      resolve: (line) => line.amountFen,
    }),
  }),
});

const StatementRef = builder.objectRef<Statement>('HouseholdStatement').implement({
  fields: (t) => ({
    from: t.exposeString('from'),
    to: t.exposeString('to'),
    lines: t.field({ type: [StatementLineRef], resolve: (statement) => statement.lines }),
    open: t.field({
      type: 'Money',
      description: 'Owed now over all invoices.',
      resolve: (statement) => statement.openFen,
    }),
  }),
});

builder.queryField('householdStatement', (t) =>
  t.field({
    type: StatementRef,
    description: "The last 90 days of a household's invoices and payments.",
    args: householdArgs(t),
    resolve: (_root, args: any, context) =>
      householdStatement(moneyContext(context), communityIdOf(args), parseUuid(args.householdId.id, 'householdId')),
  }),
);

const NotificationRef = builder.objectRef<MoneyNotification>('MoneyNotification').implement({
  description: 'A reminder of an invoice, as queued in the outbox (an operator wires the outbox to SMS or e-mail).',
  fields: (t) => ({
    invoiceId: t.exposeString('invoiceId'),
    step: t.exposeInt('step', {
      description: '0 before the due date, 1 on the first overdue day, then one per cadence step.',
    }),
    kind: t.exposeString('kind', { description: 'due-soon or overdue.' }),
    queuedOn: t.exposeString('queuedOn'),
    deliveredAt: t.expose('deliveredAt', { type: 'DateTime', nullable: true }),
  }),
});

builder.queryField('householdNotifications', (t) =>
  t.connection({
    type: NotificationRef,
    description: "A household's reminders, newest first: for its residents and the community's managers and committee.",
    args: householdArgs(t),
    resolve: (_root, args: any, context) =>
      resolveKeysetConnection(
        args,
        (page) =>
          householdNotifications(
            moneyContext(context),
            communityIdOf(args),
            parseUuid(args.householdId.id, 'householdId'),
            page,
          ),
        {
          name: 'householdNotifications',
          keyOf: (notification) => [notification.id] as const,
          parseKey: keyParsers.oneInteger,
        },
      ),
  }),
);

const CorrectionComponentRef = builder.enumType('InvoiceCorrectionComponent', {
  values: { PRINCIPAL: { value: 'principal' }, LATE_FEE: { value: 'late-fee' } } as const,
});

builder.mutationField('correctInvoice', (t) =>
  t.field({
    type: InvoiceRef,
    description:
      'Manager: corrects an invoice as a new entry, never an edit — its principal up or down (what was already paid beyond the new total becomes credit), or waives part of its late fees (a negative delta).',
    errors: { types: MUTATION_ERRORS },
    args: {
      communityId: t.arg.globalID({ required: true, for: CommunityRef }),
      invoiceId: t.arg.string({ required: true, validate: z.string().regex(ID_PATTERN) }),
      component: t.arg({ type: CorrectionComponentRef, required: true }),
      delta: t.arg({ type: 'Money', required: true, description: 'Signed fen.' }),
    },
    resolve: (_root, args, context) =>
      correctInvoice(moneyContext(context), communityIdOf(args), {
        invoiceId: args.invoiceId,
        component: args.component,
        deltaFen: args.delta,
      }),
  }),
);
