/**
 * Assembles one Courtyard process: configuration → keys → database (migrated) →
 * module runtime and services → Yoga → background jobs. Used by main.ts and by tests
 * that want the whole app. The domains come from the module list (modules.ts); this
 * file names none of them except accounts, which opens the installation log and creates
 * the first admin.
 */
import { join } from 'node:path';
import { mkdir } from 'node:fs/promises';
import type { Configuration } from '../config/configuration.ts';
import { loadInstallationKeys } from '../config/keys.ts';
import { initOrm, type Orm } from '../db/orm.ts';
import { createReadReplicaRouting, type ReadReplicaRouting } from '../db/read-replicas.ts';
import type { BackgroundJob } from '../kernel/domain-module.ts';
import { bootstrapInstallation } from '../accounts/account-service.ts';
import { createLogger, type Logger } from './logger.ts';
import { databaseSchema, modules } from './modules.ts';
import { createRuntime, createServices, type AppServices } from './services.ts';
import { createCourtyardYoga, type CourtyardYoga } from './yoga.ts';
import { createServerMetrics, type ServerMetrics } from './metrics.ts';
import { connectRedis } from './redis.ts';
import type { ServerLifecycle } from './routes.ts';

export interface App {
  services: AppServices;
  orm: Orm;
  yoga: CourtyardYoga;
  /** Prometheus metrics of this app, served at /metrics. */
  metrics: ServerMetrics;
  /** Set while shutting down: /ready then answers 503. */
  lifecycle: ServerLifecycle;
  /** The standbys serving read-only requests, when DATABASE_REPLICA_URLS names any. */
  readReplicas: ReadReplicaRouting | undefined;
  /** Set on the first start only: the admin's one-time password, to print once. */
  bootstrapAdmin: { login: string; oneTimePassword: string | null } | null;
  close(): Promise<void>;
}

export async function openDatabase(configuration: Configuration): Promise<Orm> {
  if (configuration.databaseUrl) {
    return initOrm({ databaseUrl: configuration.databaseUrl, replicaUrls: configuration.databaseReplicaUrls }, databaseSchema);
  }
  const pgliteDataDirectory = join(configuration.dataDirectory, 'pglite');
  await mkdir(pgliteDataDirectory, { recursive: true, mode: 0o700 });
  return initOrm({ pgliteDataDirectory }, databaseSchema);
}

/** Watches the standbys the ORM opened from DATABASE_REPLICA_URLS; none, none watched. */
function openReadReplicas(orm: Orm, configuration: Configuration, logger: Logger): ReadReplicaRouting | undefined {
  const routing = createReadReplicaRouting(orm, {
    maxLagSeconds: configuration.replicaMaxLagSeconds,
    onPollFailure: (replica, error) =>
      logger.warn({ replica, error: (error as Error).message }, 'database standby unreachable; reads go to the primary'),
  });
  if (routing.replicaCount > 0) return routing;
  routing.close();
  return undefined;
}

export interface AppOptions {
  logger?: Logger;
  orm?: Orm;
}

export async function createApp(configuration: Configuration, options: AppOptions = {}): Promise<App> {
  const logger = options.logger ?? createLogger(configuration.logLevel);
  const keys = await loadInstallationKeys(configuration);
  const orm = options.orm ?? (await openDatabase(configuration));
  const redis = configuration.redisUrl ? await connectRedis(configuration.redisUrl, configuration.installationName, logger) : undefined;
  const runtime = createRuntime(configuration, orm, keys, logger, modules, redis);
  const services = createServices(runtime, modules);
  // The installation log, and on the first start the admin, recorded on it.
  const bootstrapAdmin = await runtime.transactions.run(runtime.forkEntityManager(), (em) =>
    bootstrapInstallation(em, { configuredAdminPassword: configuration.secrets.adminPassword, log: services.ledger }),
  );
  for (const module of modules) await module.atStart?.(runtime, services);
  const readReplicas = openReadReplicas(orm, configuration, logger);
  const metrics = createServerMetrics({ readReplicas });
  const lifecycle: ServerLifecycle = { draining: false };
  const yoga = await createCourtyardYoga(services, orm, modules, {
    metrics,
    lifecycle,
    readReplicas: readReplicas && { routing: readReplicas, maxLagSeconds: configuration.replicaMaxLagSeconds },
    redis,
  });
  const jobs: BackgroundJob[] = modules.flatMap((module) => module.jobs?.(runtime, services) ?? []);
  return {
    services,
    orm,
    yoga,
    metrics,
    lifecycle,
    bootstrapAdmin,
    readReplicas,
    async close() {
      for (const job of jobs.toReversed()) await job.stop();
      // Integration passes that units of work started at their commit and did not wait for.
      await runtime.transactions.settled();
      await redis?.close();
      readReplicas?.close();
      if (!options.orm) await orm.close(true);
    },
  };
}
