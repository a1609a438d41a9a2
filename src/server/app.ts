/**
 * Assembles one Courtyard process: configuration → keys → database (migrated)
 * → services → Yoga. Used by main.ts and by tests that want the whole app.
 */
import { join } from 'node:path';
import { mkdir } from 'node:fs/promises';
import type { Configuration } from '../config/configuration.ts';
import { loadInstallationKeys } from '../config/keys.ts';
import { initOrm, type Orm } from '../db/orm.ts';
import { ensureAdminAccount } from '../accounts/account-service.ts';
import { createLogger, type Logger } from './logger.ts';
import { createServices, type AppServices } from './services.ts';
import { createCourtyardYoga, type CourtyardYoga } from './yoga.ts';

export interface App {
  services: AppServices;
  yoga: CourtyardYoga;
  /** Set on the first start only: the admin's one-time password, to print once. */
  bootstrapAdmin: { login: string; oneTimePassword: string | null } | null;
  close(): Promise<void>;
}

export async function openDatabase(configuration: Configuration): Promise<Orm> {
  if (configuration.databaseUrl) return initOrm({ databaseUrl: configuration.databaseUrl });
  const pgliteDataDirectory = join(configuration.dataDirectory, 'pglite');
  await mkdir(pgliteDataDirectory, { recursive: true, mode: 0o700 });
  return initOrm({ pgliteDataDirectory });
}

export async function createApp(configuration: Configuration, options: { logger?: Logger; orm?: Orm } = {}): Promise<App> {
  const logger = options.logger ?? createLogger(configuration.logLevel);
  const keys = await loadInstallationKeys(configuration);
  const orm = options.orm ?? (await openDatabase(configuration));
  const bootstrapAdmin = await orm.em.fork().transactional((em) => ensureAdminAccount(em, configuration.secrets.adminPassword));
  const services = createServices(configuration, orm, keys, logger);
  const yoga = createCourtyardYoga(services);
  return {
    services,
    yoga,
    bootstrapAdmin,
    async close() {
      if (!options.orm) await orm.close(true);
    },
  };
}
