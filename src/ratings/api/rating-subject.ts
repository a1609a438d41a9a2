/**
 * Rating subjects and periods over GraphQL: a community's service categories with their
 * scope, aggregate and trend; managers or the committee add, pause and resume categories
 * and open and close periods.
 */
import { z } from 'zod';
import { builder } from '../../graphql/builder.ts';
import { MUTATION_ERRORS } from '../../graphql/errors.ts';
import { inTransaction } from '../../graphql/transaction.ts';
import { parseUuid } from '../../graphql/ids.ts';
import { textArgument } from '../../graphql/text-argument.ts';
import { keyParsers, resolveKeysetConnection } from '../../graphql/keyset-connection.ts';
import { keysetSql } from '../../kernel/keyset.ts';
import type { SqlEntityManager } from '../../db/orm.ts';
import { requireCommunityReader } from '../../accounts/viewer.ts';
import { CommunityRef } from '../../accounts/api/community.ts';
import { subjectAggregate, subjectTrend } from '../rating-aggregates.ts';
import {
  MAX_LABEL_LENGTH,
  MAX_TREND_PERIODS,
  ratingScope,
  requirePeriod,
  type RatingAggregate,
} from '../rating-rules.ts';
import {
  addRatingSubject,
  closeRatingPeriod,
  listPeriods,
  listSubjects,
  openRatingPeriod,
  requireReadableSubject,
  setRatingSubjectActive,
  type RatingPeriod,
  type RatingSubject,
} from '../rating-subjects.ts';

export const PERIOD_ARGUMENT = z.string().max(7);

export const RatingAggregateRef = builder.objectRef<RatingAggregate>('RatingAggregate').implement({
  description:
    'The ratings that count (one per rater): the mean is sum / count exactly; distribution[i] is how many gave score i + 1.',
  fields: (t) => ({
    count: t.exposeInt('count'),
    sum: t.exposeInt('sum'),
    mean: t.exposeFloat('mean', { nullable: true }),
    distribution: t.exposeIntList('distribution'),
  }),
});

const TrendPointRef = builder.objectRef<{ period: string; aggregate: RatingAggregate }>('RatingTrendPoint').implement({
  fields: (t) => ({
    period: t.exposeString('period'),
    aggregate: t.field({ type: RatingAggregateRef, resolve: (point) => point.aggregate }),
  }),
});

const SubjectKindEnum = builder.enumType('RatingSubjectKind', {
  values: {
    SERVICE: { value: 'service', description: 'A service category.' },
    ACTIVITY: { value: 'activity', description: 'An activity, rated by its participants once it has ended.' },
  } as const,
});

export const RatingSubjectRef = builder.objectRef<RatingSubject>('RatingSubject').implement({
  description:
    'Something a community rates per period; anonymous ratings prove membership in its eligible census (households, for services).',
  fields: (t) => ({
    id: t.exposeID('id'),
    kind: t.field({ type: SubjectKindEnum, resolve: (subject) => subject.kind }),
    key: t.exposeString('key'),
    label: t.exposeString('label'),
    active: t.exposeBoolean('active'),
    eligibleCensus: t.exposeString('eligibleCensus', {
      description: 'The census an anonymous rater proves membership in.',
    }),
    scope: t.string({
      description: "An anonymous rating's proof scope for the period (docs/ratings.md).",
      args: { period: t.arg.string({ required: true, validate: PERIOD_ARGUMENT }) },
      resolve: (subject, args) => ratingScope(subject.id, requirePeriod(args.period)).toString(),
    }),
    aggregate: t.field({
      type: RatingAggregateRef,
      args: { period: t.arg.string({ required: true, validate: PERIOD_ARGUMENT }) },
      resolve: (subject, args, context) =>
        subjectAggregate(context.em as SqlEntityManager, subject.id, requirePeriod(args.period)),
    }),
    trend: t.field({
      type: [TrendPointRef],
      description: `The aggregates over the community's latest periods (at most ${MAX_TREND_PERIODS}), oldest first.`,
      args: { periods: t.arg.int({ defaultValue: 12, validate: z.number().int().min(1).max(MAX_TREND_PERIODS) }) },
      resolve: (subject, args, context) => subjectTrend(context.em as SqlEntityManager, subject, args.periods ?? 12),
    }),
  }),
});

const PeriodStatusEnum = builder.enumType('RatingPeriodStatus', {
  values: { OPEN: { value: 'open' }, CLOSED: { value: 'closed' } } as const,
});

export const RatingPeriodRef = builder.objectRef<RatingPeriod>('RatingPeriod').implement({
  description: 'A calendar month (UTC) of ratings: taken and replaceable while open, final once closed.',
  fields: (t) => ({
    period: t.exposeString('period'),
    status: t.field({ type: PeriodStatusEnum, resolve: (period) => period.status }),
    openedAt: t.expose('openedAt', { type: 'DateTime' }),
    closesAt: t.expose('closesAt', {
      type: 'DateTime',
      description:
        'When the closing job closes it, unless closed earlier: a week after the later of its month end and its opening.',
    }),
    closedAt: t.expose('closedAt', { type: 'DateTime', nullable: true }),
  }),
});

builder.queryField('ratingSubjects', (t) =>
  t.field({
    type: [RatingSubjectRef],
    description: "A community's rating subjects, oldest first (a bounded list).",
    args: { communityId: t.arg.globalID({ required: true, for: CommunityRef }) },
    authScopes: (_root, args) => ({ communityReader: parseUuid(args.communityId.id, 'communityId') }),
    resolve: (_root, args, context) => {
      const communityId = parseUuid(args.communityId.id, 'communityId');
      requireCommunityReader(context.viewer, communityId);
      return listSubjects(context.em as SqlEntityManager, communityId);
    },
  }),
);

builder.queryField('ratingSubject', (t) =>
  t.field({
    type: RatingSubjectRef,
    errors: { types: MUTATION_ERRORS },
    args: { id: t.arg.id({ required: true }) },
    authScopes: { authenticated: true },
    resolve: (_root, args, context) =>
      requireReadableSubject(context.em as SqlEntityManager, context.viewer, parseUuid(String(args.id), 'id')),
  }),
);

builder.queryField('ratingPeriods', (t) =>
  t.connection({
    type: RatingPeriodRef,
    description: "A community's rating periods, newest first.",
    args: { communityId: t.arg.globalID({ required: true, for: CommunityRef }) },
    authScopes: (_root, args) => ({ communityReader: parseUuid(args.communityId.id, 'communityId') }),
    resolve: (_root, args, context) => {
      const communityId = parseUuid(args.communityId.id, 'communityId');
      requireCommunityReader(context.viewer, communityId);
      return resolveKeysetConnection(
        args,
        (page) =>
          listPeriods(
            context.em as SqlEntityManager,
            communityId,
            keysetSql({ columns: [{ expression: 'period' }], descending: true }, page),
          ),
        { name: 'ratingPeriods', keyOf: (period) => [period.period] as const, parseKey: keyParsers.oneString },
      );
    },
  }),
);

builder.mutationField('addRatingSubject', (t) =>
  t.field({
    type: RatingSubjectRef,
    description: 'Managers or the committee: a new service category (key: lowercase letters, digits, hyphens).',
    errors: { types: MUTATION_ERRORS },
    authScopes: { authenticated: true },
    args: {
      communityId: t.arg.globalID({ required: true, for: CommunityRef }),
      key: t.arg.string({ required: true, validate: z.string().max(32) }),
      label: t.arg.string({ required: true, validate: textArgument({ maxLength: MAX_LABEL_LENGTH }) }),
    },
    resolve: (_root, args, context) =>
      inTransaction(context, (em) =>
        addRatingSubject(em, context.viewer, {
          communityId: parseUuid(args.communityId.id, 'communityId'),
          key: args.key,
          label: args.label as string,
        }),
      ),
  }),
);

builder.mutationField('setRatingSubjectActive', (t) =>
  t.field({
    type: RatingSubjectRef,
    description: 'Managers or the committee: stop or resume rating a subject; its ratings stay.',
    errors: { types: MUTATION_ERRORS },
    authScopes: { authenticated: true },
    args: { subjectId: t.arg.id({ required: true }), active: t.arg.boolean({ required: true }) },
    resolve: (_root, args, context) =>
      inTransaction(context, (em) =>
        setRatingSubjectActive(em, context.viewer, {
          subjectId: parseUuid(String(args.subjectId), 'subjectId'),
          active: args.active,
        }),
      ),
  }),
);

/** `openRatingPeriod` and `closeRatingPeriod`: a community and a month, and the period as it is after the change. */
function ratingPeriodField(
  name: 'openRatingPeriod' | 'closeRatingPeriod',
  description: string,
  change: typeof openRatingPeriod,
): void {
  builder.mutationField(name, (t) =>
    t.field({
      type: RatingPeriodRef,
      description,
      errors: { types: MUTATION_ERRORS },
      authScopes: { authenticated: true },
      args: {
        communityId: t.arg.globalID({ required: true, for: CommunityRef }),
        period: t.arg.string({ required: true, validate: PERIOD_ARGUMENT }),
      },
      resolve: (_root, args, context) =>
        inTransaction(context, (em) =>
          change(em, context.viewer, {
            communityId: parseUuid(args.communityId.id, 'communityId'),
            period: args.period,
          }),
        ),
    }),
  );
}

ratingPeriodField(
  'openRatingPeriod',
  "Managers or the committee: open a month (YYYY-MM, from its first day on). A community's first period creates the default service categories.",
  openRatingPeriod,
);
ratingPeriodField(
  'closeRatingPeriod',
  'Managers or the committee: close a period; its ratings are final. The closing job closes a period left open at its closesAt.',
  closeRatingPeriod,
);
