/**
 * The score card of the property-management company for one period, readable by the
 * community's members and its regulators: every service category's aggregate, all of
 * them together, and the visible comments (hidden ones leave the list; their scores stay;
 * the stewards review them in `hiddenComments`).
 */
import { builder } from '../../graphql/builder.ts';
import { MUTATION_ERRORS } from '../../graphql/errors.ts';
import { parseUuid } from '../../graphql/ids.ts';
import { keyParsers, resolveKeysetConnection } from '../../graphql/keyset-connection.ts';
import { keysetSql } from '../../kernel/keyset.ts';
import type { SqlEntityManager } from '../../db/orm.ts';
import { CommunityRef } from '../../accounts/api/community.ts';
import { requireCommunityRole } from '../../accounts/viewer.ts';
import { listComments, scoreCard, type ScoreCard } from '../rating-aggregates.ts';
import { requirePeriod, type RatingAggregate } from '../rating-rules.ts';
import { RATINGS_STEWARDS, type RatingSubject } from '../rating-subjects.ts';
import { RatingCommentRef } from './rating.ts';
import { PERIOD_ARGUMENT, RatingAggregateRef, RatingPeriodRef, RatingSubjectRef } from './rating-subject.ts';

const ScoreCardLineRef = builder
  .objectRef<{ subject: RatingSubject; aggregate: RatingAggregate }>('ScoreCardLine')
  .implement({
    fields: (t) => ({
      subject: t.field({ type: RatingSubjectRef, resolve: (line) => line.subject }),
      aggregate: t.field({ type: RatingAggregateRef, resolve: (line) => line.aggregate }),
    }),
  });

const COMMENT_ORDER = {
  columns: [
    { expression: 'r.cast_at', cast: 'timestamptz' },
    { expression: 'r.id', cast: 'uuid' },
  ],
  descending: true,
};

function commentPage(
  card: ScoreCard,
  args: Parameters<typeof resolveKeysetConnection>[0],
  em: SqlEntityManager,
  hidden: boolean,
) {
  return resolveKeysetConnection(
    args,
    (page) => listComments(em, card.communityId, card.period.period, keysetSql(COMMENT_ORDER, page), hidden),
    {
      name: hidden ? 'scoreCardHiddenComments' : 'scoreCardComments',
      keyOf: (comment) => [comment.castAtText, comment.ratingId] as const,
      parseKey: keyParsers.twoStrings,
    },
  );
}

const ScoreCardRef = builder.objectRef<ScoreCard>('ServiceScoreCard').implement({
  description: "The property-management company's ratings in one period.",
  fields: (t) => ({
    period: t.field({ type: RatingPeriodRef, resolve: (card) => card.period }),
    services: t.field({ type: [ScoreCardLineRef], resolve: (card) => card.subjects }),
    overall: t.field({
      type: RatingAggregateRef,
      description: 'Every service category together.',
      resolve: (card) => card.overall,
    }),
    comments: t.connection({
      type: RatingCommentRef,
      description: 'The comments of the ratings that count, newest first; hidden ones are left out.',
      resolve: (card, args, context) => commentPage(card, args, context.em as SqlEntityManager, false),
    }),
    hiddenComments: t.connection({
      type: RatingCommentRef,
      description:
        'Managers and the committee: the hidden comments of the ratings that count, with their reasons, newest first.',
      resolve: (card, args, context) => {
        requireCommunityRole(context.viewer, card.communityId, RATINGS_STEWARDS);
        return commentPage(card, args, context.em as SqlEntityManager, true);
      },
    }),
  }),
});

builder.queryField('serviceScoreCard', (t) =>
  t.field({
    type: ScoreCardRef,
    description:
      "The property-management company's score card for a period (YYYY-MM): members and regulators of the community.",
    errors: { types: MUTATION_ERRORS },
    authScopes: { authenticated: true },
    args: {
      communityId: t.arg.globalID({ required: true, for: CommunityRef }),
      period: t.arg.string({ required: true, validate: PERIOD_ARGUMENT }),
    },
    resolve: (_root, args, context) =>
      scoreCard(
        context.em as SqlEntityManager,
        context.viewer,
        parseUuid(args.communityId.id, 'communityId'),
        requirePeriod(args.period),
      ),
  }),
);
