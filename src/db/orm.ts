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

/** The SQL flavour of the entity manager, with `execute` and the query builder. */
export type SqlEntityManager = SqlEntityManagerType<AbstractSqlDriver>;
/** Both drivers (PostgreSQL, PGlite) are SQL drivers, so the ORM is typed as one. */
export type Orm = MikroORM<AbstractSqlDriver, SqlEntityManager>;

export interface DatabaseLocation {
  /** PostgreSQL connection string. */
  databaseUrl?: string | undefined;
  /** PGlite data folder, or `memory://` for a throwaway database. */
  pgliteDataDirectory?: string | undefined;
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

/** Connects and applies every committed migration that has not run yet. */
export async function initOrm(location: DatabaseLocation, schema: DatabaseSchema, overrides: Partial<Options> = {}): Promise<Orm> {
  const orm = (await MikroORM.init(ormOptions(location, schema, overrides))) as unknown as Orm;
  await orm.migrator.up();
  return orm;
}
