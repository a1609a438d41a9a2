import { SqlMigration } from '../../db/sql-migration.ts';

/**
 * Census trees of several depths (issue 9). Each root in the history records the depth of
 * the tree it is the root of, so an old root stays checkable at its own depth after the
 * tree grew; and a community keeps one active verification key per depth instead of one
 * in all. Every tree and key before this migration was of depth 20 (the only circuit
 * there was), so existing rows take the depth of their tree, and keys the depth their
 * instance names (`membership-<depth>`), else 20.
 */
export class Migration20261202000900CensusDepths extends SqlMigration {
  protected statements(): readonly string[] {
    return [
      `alter table census_roots add column depth smallint null`,
      `update census_roots set depth = (
         select t.depth from census_trees t where t.community_id = census_roots.community_id and t.kind = census_roots.kind
       )`,
      `alter table census_roots alter column depth set not null`,
      `alter table census_roots add constraint census_roots_depth check (depth between 1 and 32)`,
      `alter table zk_verification_keys add column depth smallint null`,
      `update zk_verification_keys set depth = case
         when instance ~ '^membership-[1-9][0-9]?$' then cast(substring(instance from 12) as smallint)
         else 20 end`,
      `alter table zk_verification_keys alter column depth set not null`,
      `alter table zk_verification_keys add constraint zk_verification_keys_depth check (depth between 1 and 32)`,
      `drop index zk_verification_keys_active_unique`,
      `create unique index zk_verification_keys_active_depth_unique on zk_verification_keys (community_id, depth) where deactivated_at is null`,
    ];
  }
}
