import { SqlMigration } from '../../db/sql-migration.ts';

/**
 * Indexes in the order the lists are paged (keyset paging, src/kernel/keyset.ts): a
 * community's households by (created_at, id), a household's personal-data reads by
 * (accessed_at, id). Each page is then one range scan, wherever it starts.
 */
export class Migration20261201000300PrivacyKeysetIndexes extends SqlMigration {
  protected statements(): readonly string[] {
    return [
      `create index households_community_order_index on households (community_id, created_at, id)`,
      `drop index households_community_id_index`,
      `create index personal_data_accesses_household_order_index on personal_data_accesses (household_id, accessed_at, id)`,
      `drop index personal_data_accesses_household_id_index`,
    ];
  }
}
