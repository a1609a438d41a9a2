import { SqlMigration } from '../../db/sql-migration.ts';

/**
 * Activity reviews (issue 13 item 4): an activity becomes a rating subject of kind
 * `activity` when its sign-ups close, rated from its participant census tree
 * (`activity:<activityId>`). Widens the ratings' CHECKs as docs/ratings.md's seam says and
 * links the subject to its activity (one subject per activity).
 */
export class Migration20261214000000ActivityReviews extends SqlMigration {
  protected statements(): readonly string[] {
    return [
      'alter table rating_subjects drop constraint rating_subjects_kind_check',
      `alter table rating_subjects add constraint rating_subjects_kind_check check (kind in ('service', 'activity'))`,
      'alter table rating_subjects drop constraint rating_subjects_eligible_census_check',
      `alter table rating_subjects add constraint rating_subjects_eligible_census_check
         check (eligible_census in ('households', 'activity-participants'))`,
      'alter table rating_subjects add column activity_id uuid unique references activities (id)',
      `alter table rating_subjects add constraint rating_subjects_activity_link
         check ((kind = 'activity') = (activity_id is not null))`,
    ];
  }
}
