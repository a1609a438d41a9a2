/**
 * The long-lived parts of one server process: the module runtime (configuration, keys,
 * logger, transaction runner, subscription pub/sub) and every module's own services,
 * handed to every request through the GraphQL context and to every background job.
 */
import type { Configuration } from '../config/configuration.ts';
import type { InstallationKeys } from '../config/keys.ts';
import type { Orm, SqlEntityManager } from '../db/orm.ts';
import type { AppServices, DomainModule, ModuleRuntime } from '../kernel/domain-module.ts';
import { createTransactionRunner } from '../ledger/transaction-runner.ts';
import type { Logger } from './logger.ts';
import type { RedisConnections } from './redis.ts';
import { createTopicPubSub, instanceTopicsOf } from './topic-pubsub.ts';

export type { AppServices };

export function createRuntime(
  configuration: Configuration,
  orm: Orm,
  keys: InstallationKeys,
  logger: Logger,
  modules: readonly DomainModule[],
  redis: RedisConnections | undefined,
): ModuleRuntime {
  return {
    configuration,
    keys,
    logger,
    forkEntityManager: () => orm.em.fork() as SqlEntityManager,
    transactions: createTransactionRunner({
      onIntegrationFailure: ({ communityId, error }) =>
        logger.error({ communityId, error: (error as Error).message }, 'ledger integration after commit failed; the background integrator retries'),
    }),
    // One pub/sub for every module's topics (typed by SubscriptionTopics), through Redis when it is shared.
    pubsub: createTopicPubSub(redis, instanceTopicsOf(modules), (error, command) =>
      command === 'publish'
        ? logger.error({ error: (error as Error).message }, 'publishing a subscription event to redis failed; the event is lost')
        : logger.error({ error: (error as Error).message }, 'subscribing to a redis channel failed'),
    ),
    redis: redis ? { client: redis.commands, keyPrefix: redis.keyPrefix } : undefined,
  };
}

/** The runtime and every module's services, in module order. */
export function createServices(runtime: ModuleRuntime, modules: readonly DomainModule[]): AppServices {
  const services: Partial<AppServices> = { ...runtime };
  for (const module of modules) Object.assign(services, module.createServices?.(runtime));
  return services as AppServices;
}
