/**
 * The long-lived parts of one server process, handed to every request through
 * the GraphQL context.
 */
import { createPubSub, type PubSub } from 'graphql-yoga';
import type { Configuration } from '../config/configuration.ts';
import type { InstallationKeys } from '../config/keys.ts';
import type { Orm, SqlEntityManager } from '../db/orm.ts';
import { RateLimiter } from '../accounts/rate-limiter.ts';
import type { VaultDependencies } from '../privacy/vault.ts';
import type { StoredCheckpoint } from '../ledger/checkpoints.ts';
import type { StoredEntry } from '../ledger/entries.ts';
import type { LedgerSettings } from '../ledger/ledger-settings.ts';
import type { SecretSealer } from '../ledger/log-keys.ts';
import { LogFeed } from '../ledger/log-feed.ts';
import type { Logger } from './logger.ts';

/** Failed sign-ins allowed per login name, and per client address, each minute. */
export const FAILED_LOGINS_PER_NAME_PER_MINUTE = 10;
export const FAILED_LOGINS_PER_ADDRESS_PER_MINUTE = 100;

/** Subscription topics, each keyed by community id. Published only for committed rows. */
export interface LedgerTopics {
  [topic: string]: [communityId: string, payload: unknown];
  'ledger:entryAppended': [communityId: string, entry: StoredEntry];
  'ledger:checkpointFinalized': [communityId: string, checkpoint: StoredCheckpoint];
}

export interface LedgerServices {
  settings: LedgerSettings;
  /** Names the installation in every log's origin line. */
  installationName: string;
  /** Seals and opens the communities' log signing keys. */
  sealer: SecretSealer;
  /** Ledger events for subscriptions; fed by `feed`, which reads committed rows. */
  pubsub: PubSub<LedgerTopics>;
  feed: LogFeed;
}

export interface AppServices {
  configuration: Configuration;
  orm: Orm;
  keys: InstallationKeys;
  logger: Logger;
  failedLoginsByName: RateLimiter;
  failedLoginsByAddress: RateLimiter;
  vault: VaultDependencies;
  ledger: LedgerServices;
}

export function createServices(
  configuration: Configuration,
  orm: Orm,
  keys: InstallationKeys,
  logger: Logger,
  ledgerSettings: LedgerSettings,
): AppServices {
  const pubsub = createPubSub<LedgerTopics>();
  const feed = new LogFeed({
    forkEntityManager: () => orm.em.fork() as SqlEntityManager,
    pollIntervalMs: ledgerSettings.feedPollIntervalMs,
    onEntry: (entry) => pubsub.publish('ledger:entryAppended', entry.communityId, entry),
    onFinalCheckpoint: (checkpoint) => pubsub.publish('ledger:checkpointFinalized', checkpoint.communityId, checkpoint),
    onError: (error) => logger.error({ error: (error as Error).message }, 'ledger feed poll failed'),
  });
  return {
    configuration,
    orm,
    keys,
    logger,
    failedLoginsByName: new RateLimiter(FAILED_LOGINS_PER_NAME_PER_MINUTE, 60_000),
    failedLoginsByAddress: new RateLimiter(FAILED_LOGINS_PER_ADDRESS_PER_MINUTE, 60_000),
    vault: { masterKey: keys.masterKey },
    ledger: { settings: ledgerSettings, installationName: configuration.installationName, sealer: keys.masterKey, pubsub, feed },
  };
}
