import { communityKeyStatements } from '../../db/community-keys.ts';
import { SqlMigration } from '../../db/sql-migration.ts';

/**
 * Households, their members, the personal-data access log and the census tables keyed by
 * `(community_id, id)` (docs/operations.md, "Sharding with Citus"); every foreign key to
 * a household now holds the community id too, so a member, an access or a census leaf can
 * no longer name another community's household. The household tables are the privacy
 * module's; the census builds on them, so the change that spans both lives here.
 */
export class Migration20261218000000HouseholdCommunityKeys extends SqlMigration {
  protected statements(): readonly string[] {
    const toHousehold = (table: string) => ({
      table,
      constraint: `${table}_household_id_fkey`,
      columns: ['household_id'],
      references: 'households',
      referencedColumns: ['id'],
    });
    return communityKeyStatements({
      primaryKeys: [
        'households',
        'household_members',
        'personal_data_accesses',
        'census_leaves',
        'census_invites',
        'zk_verification_keys',
      ].map((table) => ({ table, columns: ['id'] })),
      foreignKeys: ['household_members', 'personal_data_accesses', 'census_leaves', 'census_invites'].map(toHousehold),
    });
  }
}
