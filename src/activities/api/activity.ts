/**
 * Activities over GraphQL: proposing, deciding, money in and out, closing, cancelling and
 * settling an activity, the community's list and the closing report (docs/activities.md).
 */
import { z } from 'zod';
import { builder } from '../../graphql/builder.ts';
import { MUTATION_ERRORS } from '../../graphql/errors.ts';
import { parseUuid } from '../../graphql/ids.ts';
import { textArgument } from '../../graphql/text-argument.ts';
import { keyParsers, resolveKeysetConnection } from '../../graphql/keyset-connection.ts';
import type { GraphQLContext } from '../../graphql/context.ts';
import type { SqlEntityManager } from '../../db/orm.ts';
import { keysetSql } from '../../kernel/keyset.ts';
import { CommunityRef } from '../../accounts/api/community.ts';
import {
  cancelActivity,
  closeSignups,
  contribute,
  decideActivity,
  proposeActivity,
  proposeExpense,
  setActivitySettings,
  settleActivity,
  type ActivityContext,
} from '../activity-commands.ts';
import {
  activityReport,
  findActivity,
  listActivities,
  type ActivityReport,
  type ActivityView,
} from '../activity-queries.ts';
import {
  MAX_ACTIVITY_DESCRIPTION_LENGTH,
  MAX_ACTIVITY_PLACE_LENGTH,
  MAX_ACTIVITY_TITLE_LENGTH,
  type RefundRule,
} from '../activity-records.ts';

export function activityContext(context: GraphQLContext): ActivityContext {
  return { services: context.services, em: context.em as SqlEntityManager, viewer: context.viewer };
}

const ActivityStatusEnum = builder.enumType('ActivityStatus', {
  values: Object.fromEntries(
    ['proposed', 'open', 'closed', 'settled', 'cancelled', 'rejected'].map((status) => [
      status.toUpperCase(),
      { value: status },
    ]),
  ),
});

const RefundRuleRef = builder.objectRef<RefundRule>('ActivityRefundRule').implement({
  description:
    'Cancelling before fullRefundUntil refunds the whole fee; from then on lateRefundBasisPoints of it (rounded half up).',
  fields: (t) => ({
    fullRefundUntil: t.field({ type: 'DateTime', resolve: (rule) => new Date(rule.fullRefundUntil) }),
    lateRefundBasisPoints: t.exposeInt('lateRefundBasisPoints'),
  }),
});

export const ActivityRef = builder.objectRef<ActivityView>('Activity').implement({
  description: '社区活动: a community activity, its terms, where it stands and its money totals.',
  fields: (t) => ({
    id: t.exposeID('activityId'),
    community: t.globalID({ resolve: (activity) => ({ type: 'Community', id: activity.communityId }) }),
    organiserId: t.exposeID('organiserId'),
    title: t.exposeString('title'),
    description: t.exposeString('description'),
    place: t.exposeString('place'),
    kind: t.string({ nullable: true, resolve: (activity) => activity.kind ?? null }),
    startsAt: t.field({ type: 'DateTime', resolve: (activity) => new Date(activity.startsAt) }),
    endsAt: t.field({ type: 'DateTime', resolve: (activity) => new Date(activity.endsAt) }),
    signupsCloseAt: t.field({ type: 'DateTime', resolve: (activity) => new Date(activity.signupsCloseAt) }),
    capacity: t.exposeInt('capacity'),
    fee: t.field({
      type: 'Money',
      description: 'Per participating household; 0 for a free activity.',
      resolve: (a) => a.feeFen,
    }),
    budget: t.field({ type: 'Money', resolve: (activity) => activity.budgetFen }),
    grant: t.field({
      type: 'Money',
      description: 'Asked of the community fund; paid in on approval.',
      resolve: (a) => a.grantFen,
    }),
    refundRule: t.field({ type: RefundRuleRef, resolve: (activity) => activity.refundRule }),
    status: t.field({ type: ActivityStatusEnum, resolve: (activity) => activity.status }),
    fundAccountId: t.exposeString('fundAccountId', { nullable: true }),
    participants: t.exposeInt('participants'),
    waitlisted: t.exposeInt('waitlisted'),
    expenseSpendIds: t.exposeStringList('expenseSpendIds'),
    createdAt: t.expose('createdAt', { type: 'DateTime' }),
  }),
});

const ActivityReportRef = builder.objectRef<ActivityReport>('ActivityReport').implement({
  description: "The closing report, from the activity fund's transfers: what came in, went out, and what is left.",
  fields: (t) => ({
    fees: t.field({ type: 'Money', resolve: (report) => report.feesFen }),
    refunds: t.field({ type: 'Money', resolve: (report) => report.refundsFen }),
    contributions: t.field({ type: 'Money', resolve: (report) => report.contributionsFen }),
    grant: t.field({ type: 'Money', resolve: (report) => report.grantFen }),
    income: t.field({
      type: 'Money',
      description: 'fees − refunds + contributions + grant',
      resolve: (report) => report.incomeFen,
    }),
    expenses: t.field({ type: 'Money', resolve: (report) => report.expensesFen }),
    returned: t.field({
      type: 'Money',
      description: 'Paid back to the community fund.',
      resolve: (report) => report.returnedFen,
    }),
    balance: t.field({ type: 'Money', resolve: (report) => report.balanceFen }),
  }),
});

const idOf = (args: { activityId: string | number }) => parseUuid(String(args.activityId), 'activityId');
const IDEMPOTENCY_KEY = z.string().min(8).max(64);

const ActivityInput = builder.inputType('ActivityInput', {
  fields: (t) => ({
    title: t.string({ required: true, validate: textArgument({ maxLength: MAX_ACTIVITY_TITLE_LENGTH }) }),
    description: t.string({
      required: true,
      validate: textArgument({ maxLength: MAX_ACTIVITY_DESCRIPTION_LENGTH, multiline: true }),
    }),
    place: t.string({ required: true, validate: textArgument({ maxLength: MAX_ACTIVITY_PLACE_LENGTH }) }),
    startsAt: t.field({ type: 'DateTime', required: true }),
    endsAt: t.field({ type: 'DateTime', required: true }),
    signupsCloseAt: t.field({ type: 'DateTime', required: true }),
    capacity: t.int({ required: true }),
    fee: t.field({ type: 'Money', required: true, description: '0 for a free activity.' }),
    budget: t.field({ type: 'Money', required: true }),
    grant: t.field({ type: 'Money', description: 'Asked of the community fund (default 0); needs an approver.' }),
    fullRefundUntil: t.field({ type: 'DateTime', required: true }),
    lateRefundBasisPoints: t.int({
      required: true,
      description: '0 to 10,000: the share refunded after fullRefundUntil.',
    }),
    kind: t.string({
      description:
        'Optional kind (lower-case letters, digits, dashes): shows the reviews of earlier activities of the kind.',
    }),
  }),
});

builder.mutationField('setActivitySettings', (t) =>
  t.field({
    type: 'Boolean',
    description: 'Manager: whether proposed activities need a manager or committee approval (default: they do).',
    errors: { types: MUTATION_ERRORS },
    authScopes: { authenticated: true },
    args: {
      communityId: t.arg.globalID({ required: true, for: CommunityRef }),
      approvalRequired: t.arg.boolean({ required: true }),
    },
    resolve: (_root, args, context) =>
      setActivitySettings(
        activityContext(context),
        parseUuid(args.communityId.id, 'communityId'),
        args.approvalRequired,
      ),
  }),
);

builder.mutationField('proposeActivity', (t) =>
  t.field({
    type: ActivityRef,
    description:
      'A resident, committee member or manager proposes an activity; it opens at once if no approval is needed.',
    errors: { types: MUTATION_ERRORS },
    authScopes: { authenticated: true },
    args: {
      communityId: t.arg.globalID({ required: true, for: CommunityRef }),
      activity: t.arg({ type: ActivityInput, required: true }),
    },
    resolve: async (_root, args, context) => {
      const input = args.activity;
      const id = await proposeActivity(activityContext(context), parseUuid(args.communityId.id, 'communityId'), {
        title: input.title,
        description: input.description,
        place: input.place,
        startsAt: input.startsAt,
        endsAt: input.endsAt,
        signupsCloseAt: input.signupsCloseAt,
        capacity: input.capacity,
        feeFen: input.fee,
        budgetFen: input.budget,
        grantFen: input.grant ?? 0n,
        fullRefundUntil: input.fullRefundUntil,
        lateRefundBasisPoints: input.lateRefundBasisPoints,
        ...(input.kind === null || input.kind === undefined ? {} : { kind: input.kind }),
      });
      return findActivity(context.em as SqlEntityManager, context.viewer, id);
    },
  }),
);

/** The mutations that take only the activity's id and return it afterwards. */
const STEPS = {
  approveActivity: [
    'Manager or committee member (not the organiser): opens the activity and its fund, paying the grant.',
    (c: ActivityContext, id: string) => decideActivity(c, id, 'approve'),
  ],
  rejectActivity: [
    'Manager or committee member (not the organiser): rejects a proposed activity.',
    (c: ActivityContext, id: string) => decideActivity(c, id, 'reject'),
  ],
  closeActivitySignups: [
    'Organiser or manager: fixes the participant list and refunds the waitlist in full.',
    closeSignups,
  ],
  cancelActivity: [
    'Organiser or manager: refunds every sign-up in full and returns the rest to the community fund.',
    cancelActivity,
  ],
  settleActivity: [
    'Organiser or manager, after the end: returns what is left in the fund to the community fund.',
    settleActivity,
  ],
} as const;

for (const [name, [description, step]] of Object.entries(STEPS)) {
  builder.mutationField(name, (t) =>
    t.field({
      type: ActivityRef,
      description,
      errors: { types: MUTATION_ERRORS },
      authScopes: { authenticated: true },
      args: { activityId: t.arg.id({ required: true }) },
      resolve: async (_root, args, context) => {
        const id = idOf(args);
        await step(activityContext(context), id);
        return findActivity(context.em as SqlEntityManager, context.viewer, id);
      },
    }),
  );
}

builder.mutationField('contributeToActivity', (t) =>
  t.field({
    type: 'Boolean',
    description:
      'Organiser or manager: money given to the activity, into its fund. Returns whether the key was a replay.',
    errors: { types: MUTATION_ERRORS },
    authScopes: { authenticated: true },
    args: {
      activityId: t.arg.id({ required: true }),
      amount: t.arg({ type: 'Money', required: true }),
      idempotencyKey: t.arg.string({ required: true, validate: IDEMPOTENCY_KEY }),
    },
    resolve: async (_root, args, context) =>
      (
        await contribute(activityContext(context), {
          activityId: idOf(args),
          amountFen: args.amount,
          idempotencyKey: args.idempotencyKey,
        })
      ).replayed,
  }),
);

builder.mutationField('proposeActivityExpense', (t) =>
  t.field({
    type: 'String',
    description:
      "Organiser or manager: an expense out of the activity's fund with its receipt's SHA-256; the spend's id, approved and executed as any spend.",
    errors: { types: MUTATION_ERRORS },
    authScopes: { authenticated: true },
    args: {
      activityId: t.arg.id({ required: true }),
      amount: t.arg({ type: 'Money', required: true }),
      payeeId: t.arg.string({ required: true }),
      purpose: t.arg.string({ required: true, validate: textArgument({ maxLength: MAX_ACTIVITY_TITLE_LENGTH }) }),
      receiptHash: t.arg.string({ required: true }),
    },
    resolve: (_root, args, context) =>
      proposeExpense(activityContext(context), {
        activityId: idOf(args),
        amountFen: args.amount,
        payeeId: args.payeeId,
        purpose: args.purpose,
        receiptHash: args.receiptHash,
      }),
  }),
);

builder.queryField('activity', (t) =>
  t.field({
    type: ActivityRef,
    authScopes: { authenticated: true },
    args: { activityId: t.arg.id({ required: true }) },
    resolve: (_root, args, context) => findActivity(context.em as SqlEntityManager, context.viewer, idOf(args)),
  }),
);

builder.queryField('activityReport', (t) =>
  t.field({
    type: ActivityReportRef,
    nullable: true,
    description: "The activity fund's closing figures (null before the fund is opened).",
    authScopes: { authenticated: true },
    args: { activityId: t.arg.id({ required: true }) },
    resolve: (_root, args, context) => activityReport(context.em as SqlEntityManager, context.viewer, idOf(args)),
  }),
);

builder.queryField('activities', (t) =>
  t.connection({
    type: ActivityRef,
    description: "A community's activities, newest first.",
    args: { communityId: t.arg.globalID({ required: true, for: CommunityRef }) },
    authScopes: (_root, args) => ({ communityReader: parseUuid(args.communityId.id, 'communityId') }),
    resolve: (_root, args, context) => {
      const communityId = parseUuid(args.communityId.id, 'communityId');
      return resolveKeysetConnection(
        args,
        (page) =>
          listActivities(
            context.em as SqlEntityManager,
            context.viewer,
            communityId,
            keysetSql(
              {
                columns: [
                  { expression: 'a.created_at', cast: 'timestamptz' },
                  { expression: 'a.id', cast: 'uuid' },
                ],
                descending: true,
              },
              page,
            ),
          ),
        {
          name: 'activities',
          keyOf: (activity) => [activity.createdAtText, activity.activityId] as const,
          parseKey: keyParsers.twoStrings,
        },
      );
    },
  }),
);
