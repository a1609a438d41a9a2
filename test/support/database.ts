/**
 * Gives each test file its own freshly migrated database: a scratch database on
 * the PostgreSQL server named by DATABASE_URL, or an in-memory PGlite otherwise.
 */
import { readFile } from 'node:fs/promises';
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

/**
 * The template's bytes in the shape PGlite reads (`arrayBuffer()` and `type`): a Blob made
 * inside Jest's sandbox fails PGlite's native `arrayBuffer` call with "Illegal invocation".
 */
async function tarballOf(path: string): Promise<Blob> {
  const bytes = await readFile(path);
  const tarball = { type: 'application/x-tar', arrayBuffer: async () => bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength) };
  return tarball as unknown as Blob;
}

export async function createTestDatabase(): Promise<TestDatabase> {
  if (!serverDatabaseUrl) {
    // A copy of the run's migrated template (test/support/pglite-template.ts), when there is one.
    const template = process.env['COURTYARD_TEST_PGLITE_TEMPLATE'];
    const overrides = template ? { driverOptions: { loadDataDir: await tarballOf(template) } } : {};
    const orm = await initOrm({ pgliteDataDirectory: 'memory://' }, databaseSchema, overrides);
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
