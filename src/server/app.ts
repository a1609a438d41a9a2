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
import type { SqlEntityManager } from '../db/orm.ts';
import type { EventSubscriber } from '@mikro-orm/core';
import { appendedIn } from '../ledger/append-entry.ts';
import { startCheckpointCutter } from '../ledger/checkpoint-cutter.ts';
import { startLedgerIntegrator } from '../ledger/integrator.ts';
import { loadLedgerSettings, type LedgerSettings } from '../ledger/ledger-settings.ts';
import { createLogger, type Logger } from './logger.ts';
import { ledgerCheckpointRoute } from './ledger-routes.ts';
import { databaseSchema } from './modules.ts';
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
  if (configuration.databaseUrl) return initOrm({ databaseUrl: configuration.databaseUrl }, databaseSchema);
  const pgliteDataDirectory = join(configuration.dataDirectory, 'pglite');
  await mkdir(pgliteDataDirectory, { recursive: true, mode: 0o700 });
  return initOrm({ pgliteDataDirectory }, databaseSchema);
}

export interface AppOptions {
  logger?: Logger;
  orm?: Orm;
  /** Defaults to the environment (see src/ledger/ledger-settings.ts). */
  ledgerSettings?: LedgerSettings;
}

export async function createApp(configuration: Configuration, options: AppOptions = {}): Promise<App> {
  const logger = options.logger ?? createLogger(configuration.logLevel);
  const keys = await loadInstallationKeys(configuration);
  const orm = options.orm ?? (await openDatabase(configuration));
  const bootstrapAdmin = await orm.em.fork().transactional((em) => ensureAdminAccount(em, configuration.secrets.adminPassword));
  const services = createServices(configuration, orm, keys, logger, options.ledgerSettings ?? loadLedgerSettings());
  const yoga = createCourtyardYoga(services, [ledgerCheckpointRoute(services)]);
  // Every instance runs the integrator (SKIP LOCKED on a community's head lets one of them
  // sequence it), polled and nudged right after a transaction that appended commits.
  const integrator = startLedgerIntegrator({
    forkEntityManager: () => orm.em.fork() as SqlEntityManager,
    onError: (error) => logger.error({ error: (error as Error).message }, 'ledger integrator failed'),
  });
  const nudger: EventSubscriber = {
    afterTransactionCommit: ({ transaction }) => {
      if (appendedIn(transaction) && !(transaction && 'savepointName' in transaction && transaction.savepointName)) integrator.nudge();
    },
  };
  orm.em.getEventManager().registerSubscriber(nudger);
  // Every instance runs the cutter; an advisory lock lets one of them cut per tick.
  const cutter = startCheckpointCutter({
    forkEntityManager: () => orm.em.fork() as SqlEntityManager,
    sealer: keys.masterKey,
    intervalMs: services.ledger.settings.cutterIntervalMs,
    onCheckpoint: (checkpoint) => logger.info({ communityId: checkpoint.communityId, treeSize: checkpoint.treeSize }, 'checkpoint cut'),
    onError: (error) => logger.error({ error: (error as Error).message }, 'checkpoint cutter failed'),
  });
  return {
    services,
    yoga,
    bootstrapAdmin,
    async close() {
      orm.em.getEventManager().getSubscribers().delete(nudger);
      await integrator.stop();
      await cutter.stop();
      await services.ledger.feed.close();
      if (!options.orm) await orm.close(true);
    },
  };
}
