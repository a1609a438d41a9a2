/**
 * The ledger's subscription topics, each keyed by community id. They are published by
 * the log feed (log-feed.ts), which reads committed rows only, so a subscriber never sees
 * an entry or a checkpoint that could still roll back.
 */
import type { StoredCheckpoint } from './checkpoints.ts';
import type { StoredEntry } from './entries.ts';

export const LEDGER_TOPICS = ['ledger:entryAppended', 'ledger:checkpointFinalized'] as const;
export type LedgerTopic = (typeof LEDGER_TOPICS)[number];

declare module '../kernel/domain-module.ts' {
  interface SubscriptionTopics {
    'ledger:entryAppended': [communityId: string, entry: StoredEntry];
    'ledger:checkpointFinalized': [communityId: string, checkpoint: StoredCheckpoint];
  }
}
