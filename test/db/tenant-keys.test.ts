/**
 * Sharding by community (docs/operations.md, "Sharding with Citus"): a table distributed
 * on `community_id` can only keep a primary key, a unique constraint or a foreign key
 * that includes `community_id`. Read from the catalogue of the migrated database, every
 * table is one of:
 *
 * - a **reference table** (copied to every node): installation-wide, no community in it,
 *   but for `role_grants` (below);
 * - a **tenant table** whose primary key holds `community_id` (`communities`: its `id`
 *   is the community id itself), as do its foreign keys to other tenant tables and its
 *   unique indexes;
 * - a **known gap**: a tenant table keyed by its own uuid (or by its parent's key) alone,
 *   listed below with what it needs (none is left), or a unique index listed in
 *   UNIQUE_GAPS (none is left either). The lists are exact: a new table or index that breaks the rule fails
 *   this test, and so does a gap once fixed until it leaves its list.
 */
import { createTestDatabase, type TestDatabase } from '../support/database.ts';

/** Installation-wide tables: Citus reference tables. None has a `community_id` column but those below. */
const REFERENCE_TABLES: Record<string, string> = {
  accounts: 'a person’s sign-in, across communities',
  sessions: 'sign-in sessions of accounts',
  jurisdictions: 'regulators’ jurisdictions, above communities',
  mikro_orm_migrations: 'migration bookkeeping, kept on the coordinator only',
  role_grants: 'an account’s roles, read with its session on every request; a regulator’s grant has no community',
};

/**
 * Reference tables that name a community: `role_grants` is read by account on every
 * request (src/accounts/account-service.ts, liveSessionsSql), so distributing it by
 * community would make each request a query of every shard; its `community_id` references
 * `communities`, itself a reference table then (docs/operations.md, "Sharding with Citus").
 */
const REFERENCE_TABLES_NAMING_A_COMMUNITY = ['role_grants'];

/** The table whose own id is the community id (a reference table under Citus, for role_grants' key to it). */
const COMMUNITY_ID_IS_OWN_ID = ['communities'];

/**
 * Tenant tables whose primary key does not hold the community id yet. Each needs a
 * migration to `(community_id, id)` (and, where it has no `community_id` column, the
 * column copied from its parent), with the foreign keys that point at it widened the same
 * way, before it can be distributed.
 */
const KNOWN_GAPS: Record<string, string> = {};

/** Unique indexes of tenant tables without the community id, each with why. */
const UNIQUE_GAPS: Record<string, string> = {};

interface TableKey {
  table: string;
  primaryKey: string[] | null;
  hasCommunityId: boolean;
}

interface ForeignKey {
  table: string;
  references: string;
  columns: string[];
  referencedColumns: string[];
}

let database: TestDatabase;
let tables: TableKey[];
let foreignKeys: ForeignKey[];
let uniqueIndexes: Array<{ table: string; index: string; has_community_id: boolean }>;

beforeAll(async () => {
  database = await createTestDatabase();
  const rows: Array<{ table: string; primary_key: string[] | null; has_community_id: boolean }> = await database.orm.em.getConnection().execute(
    `select t.relname as table,
            (select array_agg(a.attname::text order by array_position(c.conkey, a.attnum))
               from pg_constraint c join pg_attribute a on a.attrelid = c.conrelid and a.attnum = any(c.conkey)
              where c.conrelid = t.oid and c.contype = 'p') as primary_key,
            exists (select 1 from pg_attribute a
                     where a.attrelid = t.oid and a.attname = 'community_id' and a.attnum > 0 and not a.attisdropped) as has_community_id
       from pg_class t join pg_namespace n on n.oid = t.relnamespace
      where n.nspname = current_schema() and t.relkind in ('r', 'p')
      order by t.relname`,
  );
  tables = rows.map((row) => ({ table: row.table, primaryKey: row.primary_key, hasCommunityId: row.has_community_id }));
  foreignKeys = await database.orm.em.getConnection().execute(
    `select c.conrelid::regclass::text as "table", c.confrelid::regclass::text as "references",
            (select array_agg(a.attname::text order by array_position(c.conkey, a.attnum))
               from pg_attribute a where a.attrelid = c.conrelid and a.attnum = any(c.conkey)) as "columns",
            (select array_agg(a.attname::text order by array_position(c.confkey, a.attnum))
               from pg_attribute a where a.attrelid = c.confrelid and a.attnum = any(c.confkey)) as "referencedColumns"
       from pg_constraint c join pg_class t on t.oid = c.conrelid
      where c.contype = 'f' and t.relnamespace = current_schema()::regnamespace
      order by 1, 2`,
  );
  uniqueIndexes = await database.orm.em.getConnection().execute(
    `select t.relname as "table", x.relname as "index",
            exists (select 1 from pg_attribute a where a.attrelid = t.oid and a.attnum = any(i.indkey) and a.attname = 'community_id') as has_community_id
       from pg_index i join pg_class t on t.oid = i.indrelid join pg_class x on x.oid = i.indexrelid
      where i.indisunique and t.relnamespace = current_schema()::regnamespace
      order by 2`,
  );
}, 60_000);

afterAll(() => database?.dispose());

test('every table has a primary key', () => {
  expect(tables.length).toBeGreaterThan(40);
  expect(tables.filter((table) => !table.primaryKey).map((table) => table.table)).toEqual([]);
});

test('reference tables hold no community id', () => {
  const present = tables.filter((table) => table.table in REFERENCE_TABLES);
  expect(present.map((table) => table.table).sort()).toEqual(Object.keys(REFERENCE_TABLES).sort());
  expect(present.filter((table) => table.hasCommunityId).map((table) => table.table)).toEqual(REFERENCE_TABLES_NAMING_A_COMMUNITY);
});

test('every tenant table keeps the community id in its primary key, but for the listed gaps', () => {
  const tenantTables = tables.filter((table) => !(table.table in REFERENCE_TABLES) && !COMMUNITY_ID_IS_OWN_ID.includes(table.table));
  const keyedByCommunity = (table: TableKey) => table.primaryKey!.includes('community_id');
  // Neither a new table that breaks the rule nor a fixed gap left on the list.
  expect(tenantTables.filter((table) => !keyedByCommunity(table)).map((table) => table.table)).toEqual(Object.keys(KNOWN_GAPS).sort());
  expect(tenantTables.filter(keyedByCommunity).length).toBeGreaterThanOrEqual(30);
  expect(tables.find((table) => table.table === 'communities')?.primaryKey).toEqual(['id']);
});

test('a foreign key between two keyed tenant tables pairs their community ids', () => {
  // Citus co-locates a foreign key only when it holds the distribution column on both
  // sides; with the gaps closed, such a key also keeps a row from naming another
  // community's row. Keys to `communities (id)` name the community id itself.
  const keyed = (name: string) => !(name in REFERENCE_TABLES) && !(name in KNOWN_GAPS);
  const between = foreignKeys.filter((key) => keyed(key.table) && keyed(key.references) && key.references !== 'communities');
  expect(between.length).toBeGreaterThanOrEqual(10);
  const unpaired = between.filter((key) => key.columns[0] !== 'community_id' || key.referencedColumns[0] !== 'community_id');
  expect(unpaired.map((key) => `${key.table}(${key.columns.join(', ')}) -> ${key.references}(${key.referencedColumns.join(', ')})`)).toEqual([]);
});

test('every unique index of a tenant table holds the community id, but for the listed gaps', () => {
  // Citus enforces a unique index on a distributed table only when it holds the distribution column.
  const tenant = uniqueIndexes.filter((index) => !(index.table in REFERENCE_TABLES) && !COMMUNITY_ID_IS_OWN_ID.includes(index.table));
  expect(tenant.length).toBeGreaterThanOrEqual(40);
  expect(tenant.filter((index) => !index.has_community_id).map((index) => index.index)).toEqual(Object.keys(UNIQUE_GAPS).sort());
});
