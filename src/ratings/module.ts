/**
 * Ratings: service categories rated per monthly period by name or anonymously (one
 * rating per household, subject and period), aggregates, trends, the score card of the
 * property-management company, and comment moderation (docs/ratings.md).
 */
import type { DomainModule } from '../kernel/domain-module.ts';
import { Migration20261204001200Ratings } from './migrations/20261204001200-ratings.ts';
import { Migration20261218000200RatingCommunityKeys } from './migrations/20261218000200-rating-community-keys.ts';
import { startPeriodClosingJob } from './period-closing-job.ts';
import { compareRatingsReplay } from './ratings-replay-check.ts';

export const ratingsModule: DomainModule = {
  name: 'ratings',
  entities: [],
  migrations: [
    { name: 'Migration20261204001200_ratings', class: Migration20261204001200Ratings },
    { name: 'Migration20261218000200_rating_community_keys', class: Migration20261218000200RatingCommunityKeys },
  ],
  jobs: (runtime) => {
    const closing = startPeriodClosingJob(runtime);
    return [{ name: 'ratings-period-closing', stop: () => closing.stop() }];
  },
  replay: (em, communityId) => compareRatingsReplay(em, communityId),
  registerGraphQL: async () => {
    await import('./api/rating-subject.ts');
    await import('./api/rating.ts');
    await import('./api/score-card.ts');
  },
};
