/**
 * Reviews of an activity on the Activity type: `reviews` (organiser, managers, committee:
 * the aggregate and comments of its participants' ratings) and `earlierReviews` (every
 * reader: the reviews of earlier activities of its kind). Rating itself is the ratings
 * API's `submitRating` / `submitAnonymousRating` on the activity's subject.
 */
import { builder } from '../../graphql/builder.ts';
import type { SqlEntityManager } from '../../db/orm.ts';
import { RatingAggregateRef, RatingSubjectRef } from '../../ratings/api/rating-subject.ts';
import { RatingCommentRef } from '../../ratings/api/rating.ts';
import { findActivitySubject } from '../../ratings/rating-subjects.ts';
import { activityReviews, earlierReviews, type ActivityReviews } from '../activity-reviews.ts';
import { ActivityRef } from './activity.ts';

const ActivityReviewsRef = builder.objectRef<ActivityReviews>('ActivityReviews').implement({
  description: "An activity's reviews by its participants, in the period of the month it ended.",
  fields: (t) => ({
    activityId: t.exposeID('activityId'),
    subject: t.field({ type: RatingSubjectRef, resolve: (reviews) => reviews.subject }),
    period: t.exposeString('period'),
    aggregate: t.field({ type: RatingAggregateRef, resolve: (reviews) => reviews.aggregate }),
    comments: t.field({
      type: [RatingCommentRef],
      description:
        'The visible comments of the reviews that count, newest first (at most 100), without who wrote them.',
      resolve: (reviews) => reviews.comments,
    }),
  }),
});

builder.objectField(ActivityRef, 'reviews', (t) =>
  t.field({
    type: ActivityReviewsRef,
    nullable: true,
    description: 'Organiser, managers, committee: the reviews (null until sign-ups close; FORBIDDEN for others).',
    resolve: (activity, _args, context) =>
      activityReviews(context.em as SqlEntityManager, context.viewer, activity.activityId),
  }),
);

builder.objectField(ActivityRef, 'earlierReviews', (t) =>
  t.field({
    type: [ActivityReviewsRef],
    description: 'The reviews of earlier activities of the same kind (ended before this one starts), latest first.',
    resolve: (activity, _args, context) =>
      earlierReviews(context.em as SqlEntityManager, context.viewer, activity.activityId),
  }),
);

builder.objectField(ActivityRef, 'ratingSubjectId', (t) =>
  t.id({
    nullable: true,
    description:
      "The rating subject its participants rate with `submitRating` / `submitAnonymousRating` once it has ended; null until sign-ups close. Whoever reads the activity (the subject itself is readable by the community's members).",
    resolve: async (activity, _args, context) =>
      (await findActivitySubject(context.em as SqlEntityManager, activity.activityId))?.id ?? null,
  }),
);
