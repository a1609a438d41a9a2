/**
 * The one place that imports a database driver. PostgreSQL when a connection
 * string is given, PGlite (embedded PostgreSQL) otherwise.
 *
 * It knows no domain: the entities and migrations come from the module list
 * (src/server/modules.ts, `databaseSchemaOf` in src/kernel/domain-module.ts).
 */
import { MikroORM, type EntitySchema, type MigrationObject, type Options } from '@mikro-orm/core';
import { PostgreSqlDriver } from '@mikro-orm/postgresql';
import { PgliteDriver } from '@mikro-orm/pglite';
import { Migrator } from '@mikro-orm/migrations';
import type { AbstractSqlDriver, EntityManager as SqlEntityManagerType } from '@mikro-orm/sql';
import pg from 'pg';
import { lockDataFolder } from './data-folder-lock.ts';

/** The SQL flavour of the entity manager, with `execute` and the query builder. */
export type SqlEntityManager = SqlEntityManagerType<AbstractSqlDriver>;
/** Both drivers (PostgreSQL, PGlite) are SQL drivers, so the ORM is typed as one. */
export type Orm = MikroORM<AbstractSqlDriver, SqlEntityManager>;

export interface DatabaseLocation {
  /** PostgreSQL connection string. */
  databaseUrl?: string | undefined;
  /** PGlite data folder, or `memory://` for a throwaway database. */
  pgliteDataDirectory?: string | undefined;
  /**
   * PostgreSQL hot standbys of `databaseUrl`, for reads only (src/db/read-replicas.ts).
   * Nothing goes to them unless a query asks for the `read` connection.
   */
  replicaUrls?: readonly string[] | undefined;
}

/** The tables the ORM maps and the committed migrations, oldest first. */
export interface DatabaseSchema {
  entities: readonly EntitySchema<any, any>[];
  migrations: readonly MigrationObject[];
}

/** Pool size per process; PostgreSQL's default max_connections is 100. */
const POSTGRES_POOL_MAX = 20;

export function ormOptions(location: DatabaseLocation, schema: DatabaseSchema, overrides: Partial<Options> = {}): Options {
  const common: Partial<Options> = {
    entities: [...schema.entities],
    extensions: [Migrator],
    migrations: { migrationsList: [...schema.migrations], snapshot: false, snapshotOnMigrate: false, silent: true },
    // Entities are declared with defineEntity, so no reflection or discovery is needed.
    discovery: { warnWhenNoEntities: false },
    debug: false,
    allowGlobalContext: false,
    forceUtcTimezone: true,
  };
  if (location.databaseUrl) {
    return {
      ...common,
      driver: PostgreSqlDriver,
      clientUrl: location.databaseUrl,
      pool: { max: POSTGRES_POOL_MAX },
      replicas: (location.replicaUrls ?? []).map((clientUrl, index) => ({ name: `replica-${index}`, clientUrl })),
      // Reads reach a standby only through a read fork (read-replicas.ts), never by default:
      // a unit of work, a job or a mutation must read what it just wrote.
      preferReadReplicas: false,
      ...overrides,
    } as Options;
  }
  return {
    ...common,
    driver: PgliteDriver,
    dbName: location.pgliteDataDirectory ?? 'memory://',
    ...overrides,
  } as Options;
}

/** An arbitrary constant naming the migrations' advisory lock ("migr"). */
const MIGRATION_LOCK_KEY = 0x6d696772;

/**
 * Runs the migrations that have not run yet. On PostgreSQL several instances may start at
 * once: a session advisory lock, held on a connection of its own while they run, lets one
 * migrate while the others wait and then find nothing left to do. The lock goes with its
 * connection, so a process killed while migrating does not leave it held.
 */
async function migrateUp(orm: Orm, databaseUrl: string | undefined): Promise<void> {
  if (!databaseUrl) {
    await orm.migrator.up();
    return;
  }
  const lockHolder = new pg.Client({ connectionString: databaseUrl });
  await lockHolder.connect();
  try {
    await lockHolder.query('select pg_advisory_lock($1)', [MIGRATION_LOCK_KEY]);
    await orm.migrator.up();
  } finally {
    await lockHolder.end();
  }
}

/**
 * Connects and applies every committed migration that has not run yet. A PGlite data
 * folder is locked for this process until `orm.close()` (data-folder-lock.ts): a second
 * opener gets DataFolderInUseError instead of a crash inside the engine.
 */
export async function initOrm(location: DatabaseLocation, schema: DatabaseSchema, overrides: Partial<Options> = {}): Promise<Orm> {
  const folder = !location.databaseUrl && location.pgliteDataDirectory && !location.pgliteDataDirectory.startsWith('memory://')
    ? location.pgliteDataDirectory
    : undefined;
  const unlock = folder ? await lockDataFolder(folder) : async () => {};
  try {
    const orm = (await MikroORM.init(ormOptions(location, schema, overrides))) as unknown as Orm;
    try {
      await migrateUp(orm, location.databaseUrl);
    } catch (error) {
      await orm.close(true);
      throw error;
    }
    const close = orm.close.bind(orm);
    orm.close = async (force?: boolean) => {
      try {
        await close(force);
      } finally {
        await unlock();
      }
    };
    return orm;
  } catch (error) {
    await unlock();
    throw error;
  }
}
