/**
 * Governance's long-lived services: the ballot verifier that batches the pairing checks
 * of arriving anonymous ballots, and the live-tally topic with its coalescing publisher.
 */
import type { ModuleRuntime } from '../kernel/domain-module.ts';
import { BallotVerifier } from './ballot-verifier.ts';
import { LiveTallyPublisher } from './live-tally-publisher.ts';

export interface GovernanceServices {
  ballotVerifier: BallotVerifier;
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
  return { ballotVerifier: new BallotVerifier({ worker: true }), liveTallies: new LiveTallyPublisher(runtime) };
}
