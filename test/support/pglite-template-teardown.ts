/** Jest global tear-down: removes the migrated PGlite template of this run. */
import { rm } from 'node:fs/promises';

export default async function removePgliteTemplate(): Promise<void> {
  const path = process.env['COURTYARD_TEST_PGLITE_TEMPLATE'];
  if (path) await rm(path, { force: true });
}
