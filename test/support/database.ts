/**
 * Gives each test file its own freshly migrated database: a scratch database on
 * the PostgreSQL server named by DATABASE_URL, or an in-memory PGlite otherwise.
 */
import { mkdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { PGlite } from '@electric-sql/pglite';
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
  // A copy of the run's migrated template (test/support/postgresql-template.ts), when there is one.
  const template = process.env['COURTYARD_TEST_POSTGRESQL_TEMPLATE'];
  const scratch = await createScratchDatabase(serverDatabaseUrl, 'courtyard_test', { asynchronousCommit: true, ...(template ? { template } : {}) });
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

/**
 * On PGlite, fills an installation's data folder (COURTYARD_DATA_DIR; the database goes in its
 * `pglite` folder, as openDatabase puts it) with a copy of the run's migrated template, so
 * that the app or command that opens it next finds every migration run instead of running
 * them all on disk. Does nothing on PostgreSQL or without a template (then the first opener
 * migrates, as it would anyway).
 */
export async function seedPgliteDataFolder(dataDirectory: string): Promise<void> {
  const template = process.env['COURTYARD_TEST_PGLITE_TEMPLATE'];
  if (serverDatabaseUrl || !template) return;
  const folder = join(dataDirectory, 'pglite');
  await mkdir(folder, { recursive: true, mode: 0o700 });
  const pglite = await PGlite.create({ dataDir: folder, loadDataDir: await tarballOf(template) });
  await pglite.close();
}
