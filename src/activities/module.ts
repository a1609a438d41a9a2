/**
 * Activities: proposals with approval where the community wants it, sign-ups with a
 * capacity and a waitlist promoted in order, refund rules, an activity fund in the money
 * books (fees, contributions, a grant, expenses as spends, refunds, the balance returned),
 * cancellation and settlement, each step a ledger entry (docs/activities.md).
 */
import type { DomainModule } from '../kernel/domain-module.ts';
import { compareActivitiesReplay } from './activity-replay.ts';
import { startClosingJob } from './closing-job.ts';
import { Migration20261210000000Activities } from './migrations/20261210000000-activities.ts';
import { Migration20261214000000ActivityReviews } from './migrations/20261214000000-activity-reviews.ts';
import { Migration20261218000300ActivityCommunityKeys } from './migrations/20261218000300-activity-community-keys.ts';

export const activitiesModule: DomainModule = {
  name: 'activities',
  entities: [],
  migrations: [
    { name: 'Migration20261210000000_activities', class: Migration20261210000000Activities },
    { name: 'Migration20261214000000_activity_reviews', class: Migration20261214000000ActivityReviews },
    { name: 'Migration20261218000300_activity_community_keys', class: Migration20261218000300ActivityCommunityKeys },
  ],
  jobs: (runtime, services) => [startClosingJob(runtime, services)],
  replay: (em, communityId) => compareActivitiesReplay(em, communityId),
  registerGraphQL: async () => {
    await import('./api/activity.ts');
    await import('./api/activity-signup.ts');
    await import('./api/activity-reviews.ts');
  },
};
