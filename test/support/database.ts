/**
 * Gives each test file its own freshly migrated database: a scratch database on
 * the PostgreSQL server named by DATABASE_URL, or an in-memory PGlite otherwise.
 */
import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { initOrm, type Orm } from '../../src/db/orm.ts';

export interface TestDatabase {
  orm: Orm;
  /** 'postgresql' or 'pglite', for tests that only make sense on one of them. */
  kind: 'postgresql' | 'pglite';
  /** Connection string of the scratch database (PostgreSQL only). */
  databaseUrl: string | undefined;
  dispose(): Promise<void>;
}

export const serverDatabaseUrl = process.env['DATABASE_URL'] || undefined;

async function withAdminClient<T>(work: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: serverDatabaseUrl });
  await client.connect();
  try {
    return await work(client);
  } finally {
    await client.end();
  }
}

/** Creates an empty scratch database on the PostgreSQL server and returns its URL. */
export async function createScratchPostgresDatabase(): Promise<{ url: string; drop(): Promise<void> }> {
  const name = `courtyard_test_${randomBytes(6).toString('hex')}`;
  await withAdminClient((client) => client.query(`create database ${name}`));
  const url = new URL(serverDatabaseUrl!);
  url.pathname = `/${name}`;
  return {
    url: url.toString(),
    drop: () => withAdminClient((client) => client.query(`drop database if exists ${name} with (force)`)).then(() => undefined),
  };
}

export async function createTestDatabase(): Promise<TestDatabase> {
  if (!serverDatabaseUrl) {
    const orm = await initOrm({ pgliteDataDirectory: 'memory://' });
    return { orm, kind: 'pglite', databaseUrl: undefined, dispose: () => orm.close(true) };
  }
  const scratch = await createScratchPostgresDatabase();
  const orm = await initOrm({ databaseUrl: scratch.url });
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
