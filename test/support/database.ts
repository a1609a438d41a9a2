/**
 * Gives each test file its own freshly migrated database: a scratch database on
 * the PostgreSQL server named by DATABASE_URL, or an in-memory PGlite otherwise.
 */
import { initOrm, type Orm } from '../../src/db/orm.ts';
import { databaseSchema } from '../../src/server/modules.ts';
import { createScratchDatabase } from '../../src/db/scratch-database.ts';

export interface TestDatabase {
  orm: Orm;
  /** 'postgresql' or 'pglite', for tests that only make sense on one of them. */
  kind: 'postgresql' | 'pglite';
  /** Connection string of the scratch database (PostgreSQL only). */
  databaseUrl: string | undefined;
  dispose(): Promise<void>;
}

export const serverDatabaseUrl = process.env['DATABASE_URL'] || undefined;

export async function createTestDatabase(): Promise<TestDatabase> {
  if (!serverDatabaseUrl) {
    const orm = await initOrm({ pgliteDataDirectory: 'memory://' }, databaseSchema);
    return { orm, kind: 'pglite', databaseUrl: undefined, dispose: () => orm.close(true) };
  }
  const scratch = await createScratchDatabase(serverDatabaseUrl, 'courtyard_test');
  const orm = await initOrm({ databaseUrl: scratch.url }, databaseSchema);
  return {
    orm,
    kind: 'postgresql',
    databaseUrl: scratch.url,
    async dispose() {
      await orm.close(true);
      await scratch.drop();
    },
  };
}
