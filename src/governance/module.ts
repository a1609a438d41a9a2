/**
 * Governance: proposals with a pinned census snapshot, anonymous, named and paper
 * ballots, exact Art. 278 tallies with results on the ledger, objection windows and
 * challenges, vote receipts, suggestions and election bundles (docs/governance.md).
 */
import type { DomainModule } from '../kernel/domain-module.ts';
import { startClosingJob } from './closing-job.ts';
import { compareGovernanceReplay } from './governance-replay-check.ts';
import { createGovernanceServices, GOVERNANCE_TOPICS } from './governance-services.ts';
import { Migration20261130140000Governance } from './migrations/20261130140000-governance.ts';
import { Migration20261211000000SnapshotHouseholds } from './migrations/20261211000000-snapshot-households.ts';
import { Migration20261216000000EncryptedWeights } from './migrations/20261216000000-encrypted-weights.ts';
import { Migration20261218000100GovernanceCommunityKeys } from './migrations/20261218000100-governance-community-keys.ts';

export const governanceModule: DomainModule = {
  name: 'governance',
  entities: [],
  migrations: [
    { name: 'Migration20261130140000_governance', class: Migration20261130140000Governance },
    { name: 'Migration20261211000000_snapshot_households', class: Migration20261211000000SnapshotHouseholds },
    { name: 'Migration20261216000000_encrypted_weights', class: Migration20261216000000EncryptedWeights },
    { name: 'Migration20261218000100_governance_community_keys', class: Migration20261218000100GovernanceCommunityKeys },
  ],
  topics: GOVERNANCE_TOPICS,
  createServices: (runtime) => ({ governance: createGovernanceServices(runtime) }),
  jobs: (runtime, services) => {
    const closing = startClosingJob(runtime, services.ledger.sealer);
    return [
      { name: 'governance-closing', stop: () => closing.stop() },
      { name: 'ballot-verifier', stop: () => services.governance.ballotVerifier.close() },
      { name: 'live-tallies', stop: () => services.governance.liveTallies.close() },
    ];
  },
  replay: (em, communityId) => compareGovernanceReplay(em, communityId),
  registerGraphQL: async () => {
    await import('./api/proposal.ts');
    await import('./api/ballot.ts');
    await import('./api/suggestion.ts');
    await import('./api/election.ts');
  },
};
