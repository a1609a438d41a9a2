/**
 * Statements that put the community id into a tenant table's keys, for sharding by
 * community (docs/operations.md, "Sharding with Citus"): a Citus table distributed on
 * `community_id` keeps only keys and foreign keys that hold `community_id`.
 *
 * A migration lists what it changes and `communityKeyStatements` orders the statements so
 * that each runs against what the previous ones left: columns first (copied from the
 * parent row, then NOT NULL), then the foreign keys that point at a re-keyed table are
 * dropped, the primary keys replaced (the old key stays as a plain index), and the foreign
 * keys added back with the community id in them. Rows already in the database keep their values; a child row whose
 * community differs from its parent's makes the migration fail rather than be rewritten.
 */

export interface CommunityColumn {
  /** The table that lacks `community_id`. */
  table: string;
  /** Where the value comes from: the parent table and the child's column holding the parent's id. */
  parent: string;
  parentColumn: string;
}

export interface CommunityPrimaryKey {
  table: string;
  /** The key after the community id: `['id']`, or the table's existing composite key. */
  columns: readonly string[];
}

export interface CommunityForeignKey {
  /** The table holding the foreign key, and the constraint's name (kept). */
  table: string;
  constraint: string;
  /** The referencing columns after the community id, and the referenced table and columns after its community id. */
  columns: readonly string[];
  references: string;
  referencedColumns: readonly string[];
}

export interface CommunityKeyChange {
  columns?: readonly CommunityColumn[];
  primaryKeys: readonly CommunityPrimaryKey[];
  foreignKeys?: readonly CommunityForeignKey[];
}

export function communityKeyStatements(change: CommunityKeyChange): string[] {
  const statements: string[] = [];
  for (const column of change.columns ?? []) {
    statements.push(
      `alter table ${column.table} add column community_id uuid null`,
      `update ${column.table} child set community_id = parent.community_id from ${column.parent} parent where parent.id = child.${column.parentColumn}`,
      `alter table ${column.table} alter column community_id set not null`,
      `alter table ${column.table} add constraint ${column.table}_community_id_fkey foreign key (community_id) references communities (id)`,
    );
  }
  for (const key of change.foreignKeys ?? [])
    statements.push(`alter table ${key.table} drop constraint ${key.constraint}`);
  for (const key of change.primaryKeys) {
    statements.push(
      `alter table ${key.table} drop constraint ${key.table}_pkey`,
      `alter table ${key.table} add constraint ${key.table}_pkey primary key (community_id, ${key.columns.join(', ')})`,
      // The code still finds rows by their old key alone (an id is a random UUID, unique on
      // its own): a plain index keeps that a lookup, here and on each Citus shard.
      `create index ${key.table}_${key.columns.join('_')}_index on ${key.table} (${key.columns.join(', ')})`,
    );
  }
  for (const key of change.foreignKeys ?? []) {
    statements.push(
      `alter table ${key.table} add constraint ${key.constraint} foreign key (community_id, ${key.columns.join(', ')})` +
        ` references ${key.references} (community_id, ${key.referencedColumns.join(', ')})`,
    );
  }
  return statements;
}
