/** Jest global tear-down: removes this run's migrated templates (./global-setup.ts). */
import { rm } from 'node:fs/promises';
import { removePostgresqlTemplate } from './postgresql-template.ts';

export default async function globalTeardown(): Promise<void> {
  const path = process.env['COURTYARD_TEST_PGLITE_TEMPLATE'];
  if (path) await rm(path, { force: true });
  await removePostgresqlTemplate();
}
