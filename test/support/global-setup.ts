/**
 * Jest global set-up (jest.config.js), run once before the workers start; they, and the
 * processes they start, inherit this process's environment.
 *
 * - Node's compile cache for every Node process a test starts (the ledger and key commands,
 *   server instances, the money-day processes, the bundle verifiers): each of them strips
 *   the types of and compiles the same few hundred modules, about half of a command's
 *   start-up; with the cache, only the first process of the run does (and the PostgreSQL
 *   pass warms it for the PGlite pass). Node checks each entry against the module's source,
 *   so an edited file is compiled afresh. NODE_COMPILE_CACHE, when set, is left as it is.
 * - The migrated template database every test database copies: on PGlite
 *   (./pglite-template.ts) or on PostgreSQL (./postgresql-template.ts).
 */
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import buildPgliteTemplate from './pglite-template.ts';
import { buildPostgresqlTemplate } from './postgresql-template.ts';

export default async function globalSetup(): Promise<void> {
  process.env['NODE_COMPILE_CACHE'] ??= join(tmpdir(), 'courtyard-node-compile-cache');
  await buildPgliteTemplate();
  await buildPostgresqlTemplate();
}
