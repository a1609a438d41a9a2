import { communityKeyStatements } from '../../db/community-keys.ts';
import { SqlMigration } from '../../db/sql-migration.ts';

/**
 * Activities and their sign-ups keyed by `(community_id, id)` (docs/operations.md,
 * "Sharding with Citus"); a sign-up and an activity's rating subject (the link this module
 * added to `rating_subjects`) name their activity together with the community, and the
 * per-activity unique keys start with the community id.
 */
export class Migration20261218000300ActivityCommunityKeys extends SqlMigration {
  protected statements(): readonly string[] {
    const toActivity = (table: string) => ({
      table,
      constraint: `${table}_activity_id_fkey`,
      columns: ['activity_id'],
      references: 'activities',
      referencedColumns: ['id'],
    });
    return [
      ...communityKeyStatements({
        primaryKeys: [
          { table: 'activities', columns: ['id'] },
          { table: 'activity_signups', columns: ['id'] },
        ],
        foreignKeys: [toActivity('activity_signups'), toActivity('rating_subjects')],
      }),
      'alter table activity_signups drop constraint activity_signups_activity_id_position_key',
      'alter table activity_signups add constraint activity_signups_activity_id_position_key unique (community_id, activity_id, position)',
      'drop index activity_signups_active_household',
      `create unique index activity_signups_active_household on activity_signups (community_id, activity_id, household_id)
         where status in ('participant', 'waitlisted')`,
      'alter table rating_subjects drop constraint rating_subjects_activity_id_key',
      'alter table rating_subjects add constraint rating_subjects_activity_id_key unique (community_id, activity_id)',
    ];
  }
}
