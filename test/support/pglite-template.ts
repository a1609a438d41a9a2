/**
 * Jest global set-up: on PGlite (no DATABASE_URL), migrates one empty database once per
 * run and writes its data folder as a tar file; every test database then starts from a
 * copy of it (test/support/database.ts) instead of booting and migrating its own — the
 * same migrations, run once rather than once per test file.
 */
import { writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PGlite } from '@electric-sql/pglite';
import { initOrm } from '../../src/db/orm.ts';
import { databaseSchema } from '../../src/server/modules.ts';

export const PGLITE_TEMPLATE_VARIABLE = 'COURTYARD_TEST_PGLITE_TEMPLATE';

export default async function buildPgliteTemplate(): Promise<void> {
  if (process.env['DATABASE_URL']) return;
  const pglite = await PGlite.create();
  try {
    const orm = await initOrm({ pgliteDataDirectory: 'memory://' }, databaseSchema, { driverOptions: { pglite } });
    await orm.close(true);
    const dump = await pglite.dumpDataDir('none');
    const path = join(tmpdir(), `courtyard-pglite-template-${process.pid}.tar`);
    await writeFile(path, Buffer.from(await dump.arrayBuffer()));
    // Workers are started after the set-up and inherit this process's environment.
    process.env[PGLITE_TEMPLATE_VARIABLE] = path;
  } finally {
    await pglite.close();
  }
}
