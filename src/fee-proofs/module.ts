/**
 * Fee proofs: per fee period, the census tree of the households that paid in full (kept
 * by the fees domain's settlement watcher), challenges a verifier asks residents to
 * answer with a zero-knowledge proof of membership, and fee-period compliance bundles.
 * Builds on fees, census and ledger; none of them depends on it.
 */
import type { DomainModule } from '../kernel/domain-module.ts';
import { watchSettlements } from '../fees/settlement-watchers.ts';
import { Migration20261212000200FeeProofChallenges } from './migrations/20261212000200-fee-proof-challenges.ts';
import { Migration20261218000600FeeProofChallengeCommunityKey } from './migrations/20261218000600-fee-proof-challenge-community-key.ts';
import { syncPaidSets } from './paid-sets.ts';
import { comparePaidSetReplay } from './paid-set-replay.ts';

// Fees cannot import this module; it tells fees to call it inside every money unit.
watchSettlements(syncPaidSets);

export const feeProofsModule: DomainModule = {
  name: 'fee-proofs',
  entities: [],
  migrations: [
    { name: 'Migration20261212000200_fee_proof_challenges', class: Migration20261212000200FeeProofChallenges },
    { name: 'Migration20261218000600_fee_proof_challenge_community_key', class: Migration20261218000600FeeProofChallengeCommunityKey },
  ],
  replay: (em, communityId) => comparePaidSetReplay(em, communityId),
  registerGraphQL: async () => {
    await import('./api/fee-proof.ts');
  },
};
