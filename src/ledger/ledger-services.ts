/**
 * The ledger's long-lived services, created once per process (module.ts): the
 * installation's ledger settings, the log-key sealer, and the feed that publishes
 * committed entries and final checkpoints to subscribers.
 */
import type { ModuleRuntime } from '../kernel/domain-module.ts';
import { loadLedgerSettings, type LedgerSettings } from './ledger-settings.ts';
import { LogFeed } from './log-feed.ts';
import { EntryPageCache } from './entry-page-cache.ts';
import type { SecretSealer } from './log-keys.ts';

export interface LedgerServices {
  settings: LedgerSettings;
  /** Names the installation in every log's origin line. */
  installationName: string;
  /** Seals and opens the communities' log signing keys. */
  sealer: SecretSealer;
  /** Follows the logs someone subscribed to and publishes the ledger topics (topics.ts). */
  feed: LogFeed;
  /** Full pages of entries, which never change (entry-page-cache.ts). */
  entryPages: EntryPageCache;
}

declare module '../kernel/domain-module.ts' {
  interface ModuleServices {
    ledger: LedgerServices;
  }
}

export function createLedgerServices(runtime: ModuleRuntime, settings: LedgerSettings = loadLedgerSettings()): LedgerServices {
  const feed = new LogFeed({
    forkEntityManager: runtime.forkEntityManager,
    pollIntervalMs: settings.feedPollIntervalMs,
    onEntry: (entry) => runtime.pubsub.publish('ledger:entryAppended', entry.communityId, entry),
    onFinalCheckpoint: (checkpoint) => runtime.pubsub.publish('ledger:checkpointFinalized', checkpoint.communityId, checkpoint),
    onError: (error) => runtime.logger.error({ error: (error as Error).message }, 'ledger feed poll failed'),
  });
  return { settings, installationName: runtime.configuration.installationName, sealer: runtime.keys.masterKey, feed, entryPages: new EntryPageCache() };
}
