/** Opens the installation's database as the server does: DATABASE_URL, or PGlite in the data folder. */
import { join } from 'node:path';
import { loadConfiguration } from '../../src/config/configuration.ts';
import { initOrm, type Orm } from '../../src/db/orm.ts';
import { databaseSchema } from '../../src/server/modules.ts';

export function openDatabase(): Promise<Orm> {
  const configuration = loadConfiguration();
  return configuration.databaseUrl
    ? initOrm({ databaseUrl: configuration.databaseUrl }, databaseSchema)
    : initOrm({ pgliteDataDirectory: join(configuration.dataDirectory, 'pglite') }, databaseSchema);
}
