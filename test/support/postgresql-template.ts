/**
 * Jest global set-up: on PostgreSQL (DATABASE_URL), migrates one scratch database once per
 * run; every test database is then created as a copy of it (`create database … template`,
 * test/support/database.ts) instead of running every migration itself — on this machine a
 * copy takes a fraction of a second against one to five seconds of migrating. The
 * migrations from an empty database still run: here, in the instances' tests
 * (test/support/instances.ts) and in the key migrations' test.
 */
import { initOrm } from '../../src/db/orm.ts';
import { createScratchDatabase, dropScratchDatabase } from '../../src/db/scratch-database.ts';
import { databaseSchema } from '../../src/server/modules.ts';

export const POSTGRESQL_TEMPLATE_VARIABLE = 'COURTYARD_TEST_POSTGRESQL_TEMPLATE';

export async function buildPostgresqlTemplate(): Promise<void> {
  const server = process.env['DATABASE_URL'];
  if (!server) return;
  const scratch = await createScratchDatabase(server, 'courtyard_template');
  try {
    const orm = await initOrm({ databaseUrl: scratch.url }, databaseSchema);
    // Closed, so that no session is connected to the template while it is copied.
    await orm.close(true);
  } catch (error) {
    await scratch.drop();
    throw error;
  }
  // Workers are started after the set-up and inherit this process's environment.
  process.env[POSTGRESQL_TEMPLATE_VARIABLE] = scratch.name;
}

export async function removePostgresqlTemplate(): Promise<void> {
  const server = process.env['DATABASE_URL'];
  const name = process.env[POSTGRESQL_TEMPLATE_VARIABLE];
  if (server && name) await dropScratchDatabase(server, name);
}
