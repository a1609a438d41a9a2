/**
 * Governance's long-lived services: the ballot verifier that batches the pairing checks
 * of arriving anonymous ballots, the cache of what their cheap checks read, and the live-tally topic with its coalescing publisher.
 */
import type { ModuleRuntime } from '../kernel/domain-module.ts';
import { BallotCheckCache } from './ballot-check-cache.ts';
import { BallotVerifier } from './ballot-verifier.ts';
import { LiveTallyPublisher } from './live-tally-publisher.ts';

export interface GovernanceServices {
  ballotVerifier: BallotVerifier;
  /** The open proposals and keys anonymous ballots are checked against, read once per proposal and second. */
  ballotChecks: BallotCheckCache;
  liveTallies: LiveTallyPublisher;
}

/** Totals only, never who: per option, heads and weight (decimal strings). */
export interface LiveTally {
  proposalId: string;
  totals: Array<{ option: string; heads: string; weight: string }>;
}

export const GOVERNANCE_TOPICS = ['governance:tally'] as const;

declare module '../kernel/domain-module.ts' {
  interface ModuleServices {
    governance: GovernanceServices;
  }
  interface SubscriptionTopics {
    'governance:tally': [proposalId: string, tally: LiveTally];
  }
}

export function createGovernanceServices(runtime: ModuleRuntime): GovernanceServices {
  const ballotChecks = new BallotCheckCache();
  return { ballotVerifier: new BallotVerifier({ worker: true }), ballotChecks, liveTallies: new LiveTallyPublisher(runtime, ballotChecks) };
}
