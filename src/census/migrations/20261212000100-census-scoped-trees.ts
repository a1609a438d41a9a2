import { SqlMigration } from '../../db/sql-migration.ts';

/**
 * Scoped census trees: besides `owners` and `households`, a community may keep trees
 * named `<kind>:<scope>` (`fees-paid:2026-03`, one per fee period; an activity's
 * participants), stored and changed exactly like the two census trees. The tree name
 * grows from 16 to 64 characters; a scoped tree's leaf stands for one household or one
 * account, and one active leaf per member and tree, as in the two census trees.
 * Invites stay owners/households only.
 */
export class Migration20261212000100CensusScopedTrees extends SqlMigration {
  protected statements(): readonly string[] {
    const scoped = `kind ~ '^[a-z][a-z0-9-]{0,23}:[A-Za-z0-9._-]{1,39}$'`;
    return [
      ...['census_trees', 'census_tree_nodes', 'census_leaves', 'census_roots'].map(
        (table) => `alter table ${table} alter column kind type varchar(64)`,
      ),
      `alter table census_trees drop constraint census_trees_kind_check`,
      `alter table census_trees add constraint census_trees_kind_check check (kind in ('owners', 'households') or ${scoped})`,
      `alter table census_leaves drop constraint census_leaves_check`,
      `alter table census_leaves add constraint census_leaves_member_check check (
         (kind = 'owners' and account_id is not null)
         or (kind = 'households' and household_id is not null)
         or (kind not in ('owners', 'households') and num_nonnulls(account_id, household_id) = 1))`,
      `create unique index census_leaves_active_scoped_member_unique on census_leaves (community_id, kind, coalesce(household_id, account_id))
         where status = 'active' and kind not in ('owners', 'households')`,
    ];
  }
}
