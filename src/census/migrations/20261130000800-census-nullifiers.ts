import { SqlMigration } from '../../db/sql-migration.ts';

/**
 * The nullifiers used in each community and scope. The primary key is the uniqueness
 * rule ballots, ratings, suggestions and fee proofs rely on: one use per member per scope,
 * enforced by the database under concurrency. Field elements are decimal text, as in the
 * census tables.
 */
export class Migration20261130000800CensusNullifiers extends SqlMigration {
  protected statements(): readonly string[] {
    const fieldElement = (column: string) => `${column} varchar(78) not null check (${column} ~ '^(0|[1-9][0-9]{0,77})$')`;
    return [
      `create table census_nullifiers (
      community_id uuid not null references communities (id),
      ${fieldElement('scope')},
      ${fieldElement('nullifier')},
      used_at timestamptz not null,
      primary key (community_id, scope, nullifier)
    )`,
    ];
  }
}
