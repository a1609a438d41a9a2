/**
 * The installation a bench measures: a scratch PostgreSQL database when the run has
 * DATABASE_URL (dropped afterwards), an in-memory PGlite otherwise, and the app on it
 * with its own data folder. The benches drive it through `app.yoga` or a server of
 * their own; `close` leaves nothing behind.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pino, type Level } from 'pino';
import { loadConfiguration } from '../../src/config/configuration.ts';
import { initOrm } from '../../src/db/orm.ts';
import { createScratchDatabase } from '../../src/db/scratch-database.ts';
import { createApp, type App } from '../../src/server/app.ts';
import { databaseSchema } from '../../src/server/modules.ts';
import type { BenchOptions } from './bench-suite.ts';

export interface BenchApp {
  app: App;
  /** The engine the figures were measured on, for their detail. */
  database: 'postgresql' | 'pglite';
  close(): Promise<void>;
}

export async function openBenchApp(
  options: BenchOptions,
  settings: {
    adminPassword: string;
    /** The server's log level; its lines go nowhere, but a level above `silent` still pays for them. */
    logLevel?: Level | 'silent';
  },
): Promise<BenchApp> {
  const scratch = options.databaseUrl ? await createScratchDatabase(options.databaseUrl, 'courtyard_bench') : undefined;
  const orm = await initOrm(scratch ? { databaseUrl: scratch.url } : { pgliteDataDirectory: 'memory://' }, databaseSchema);
  const dataDirectory = await mkdtemp(join(tmpdir(), 'courtyard-bench-'));
  const configuration = loadConfiguration({
    COURTYARD_DATA_DIR: dataDirectory,
    COURTYARD_ADMIN_PASSWORD: settings.adminPassword,
    LOG_LEVEL: 'error',
  });
  const logLevel = settings.logLevel ?? 'silent';
  const logger = logLevel === 'silent' ? pino({ level: 'silent' }) : pino({ level: logLevel }, { write: () => {} });
  const app = await createApp(configuration, { orm, logger });
  return {
    app,
    database: scratch ? 'postgresql' : 'pglite',
    async close() {
      await app.close();
      await orm.close(true);
      await scratch?.drop();
      await rm(dataDirectory, { recursive: true, force: true });
    },
  };
}
