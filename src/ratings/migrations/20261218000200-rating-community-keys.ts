import { communityKeyStatements } from '../../db/community-keys.ts';
import { SqlMigration } from '../../db/sql-migration.ts';

/**
 * Rating subjects, ratings and the current rating per rater keyed by `(community_id, …)`
 * (docs/operations.md, "Sharding with Citus"); a rating and a current rating name their
 * subject and rating together with the community.
 */
export class Migration20261218000200RatingCommunityKeys extends SqlMigration {
  protected statements(): readonly string[] {
    const foreignKey = (table: string, column: string, references: string) => ({
      table,
      constraint: `${table}_${column}_fkey`,
      columns: [column],
      references,
      referencedColumns: ['id'],
    });
    return communityKeyStatements({
      primaryKeys: [
        { table: 'rating_subjects', columns: ['id'] },
        { table: 'ratings', columns: ['id'] },
        { table: 'rating_current', columns: ['subject_id', 'period', 'rater_key'] },
      ],
      foreignKeys: [
        foreignKey('ratings', 'subject_id', 'rating_subjects'),
        foreignKey('rating_current', 'subject_id', 'rating_subjects'),
        foreignKey('rating_current', 'rating_id', 'ratings'),
      ],
    });
  }
}
