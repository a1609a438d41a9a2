import { SqlMigration } from '../../db/sql-migration.ts';

/**
 * A households census's members are households, not accounts: the pinned snapshot keeps
 * each leaf's household, so a resident can vote by name for their household (one ballot per
 * household). Snapshots pinned before this migration take it from their census leaves.
 */
export class Migration20261211000000SnapshotHouseholds extends SqlMigration {
  protected statements(): readonly string[] {
    return [
      'alter table governance_snapshot_members add column household_id uuid',
      `update governance_snapshot_members set household_id = (
         select census_leaves.household_id from census_leaves where census_leaves.id = governance_snapshot_members.leaf_id)`,
      'create index governance_snapshot_members_household on governance_snapshot_members (proposal_id, household_id)',
    ];
  }
}
